"""Dataset-size scaling of the mock: cold/warm start, resident memory and latency per size.

Usage (from the repository root):  python -m bench.scale [--sizes 1000,10000] [--plot FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.servers import (
    READY_PATH,
    Server,
    ServerStartError,
    auth_header,
    free_port,
    http_get,
    mock_argv,
    new_token,
    split_cmd,
    tree_rss_mb,
)
from bench.wrk import WrkError, fmt, markdown_table, run_wrk

FILTERED = "/users/?is_active=true&sort=-date_joined&limit=20"
DEFAULT_PLOT = Path(__file__).resolve().parent / "scale.png"
SPREAD_IDS = 97  # detail requests cycle over this many ids spread across the dataset

# wrk calls request() per request; wrk.format(nil, path) keeps the -H Authorization header.
LUA_TEMPLATE = """\
local ids = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format(nil, "/users/" .. ids[(i %% #ids) + 1] .. "/")
end
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", default="1000,10000,100000,1000000", help="comma-separated user counts"
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument(
        "--mock-cmd",
        default=None,
        help="mock command before its options (default: python -m mockserver serve)",
    )
    p.add_argument("--start-timeout", type=float, default=180, help="seconds per start, per size")
    p.add_argument("--stop-timeout", type=float, default=30)
    p.add_argument("--duration", type=int, default=3, help="whole seconds per latency run")
    p.add_argument("--warmup", type=int, default=1, help="seconds of wrk before measuring RSS")
    p.add_argument("--connections", type=int, default=4)
    p.add_argument("--plot", type=Path, default=DEFAULT_PLOT, help="PNG output ('' to skip)")
    p.add_argument("--json-out", type=Path, default=None)
    p.add_argument(
        "--log-dir",
        type=Path,
        default=None,
        help="server logs (default: a new temporary directory, kept)",
    )
    p.add_argument("--keep-cache", action="store_true", help="do not delete the cache dirs")
    return p.parse_args(argv)


def spread_ids(users: int, count: int = SPREAD_IDS) -> list[int]:
    """Ids evenly spread over 1..users (assumes the mock numbers users from 1)."""
    count = max(1, min(count, users))
    return sorted({1 + (users - 1) * k // max(1, count - 1) for k in range(count)})


def write_lua(path: Path, ids: list[int]) -> Path:
    path.write_text(LUA_TEMPLATE % ", ".join(map(str, ids)))
    return path


def latency(url: str, args, headers: list[str], script: Path | None = None) -> dict:
    result = run_wrk(
        url,
        duration=args.duration,
        connections=args.connections,
        headers=headers,
        script=str(script) if script else None,
    )
    return {k: v for k, v in result.items() if k != "raw"}


def start_and_wait(args, users: int, token: str, cache_dir: str, log_path: Path) -> tuple:
    """Start a mock and return (server, seconds from process start to the first 200)."""
    port = free_port()
    argv = mock_argv(
        split_cmd(args.mock_cmd),
        port=port,
        users=users,
        seed=args.seed,
        token=token,
        workers=args.workers,
        cache_dir=cache_dir,
    )
    server = Server(f"mock ({users} users)", argv, port, log_path)
    server.start()
    try:
        took = server.wait_ready(
            READY_PATH, {"Authorization": f"Token {token}"}, args.start_timeout
        )
    except ServerStartError:
        server.stop(args.stop_timeout)
        raise
    return server, took


def check_ids(url: str, token: str, ids: list[int]) -> list[str]:
    """The detail run is meaningless if the spread ids do not exist; say so early."""
    warnings = []
    for uid in (ids[0], ids[-1]):
        status = http_get(f"{url}/users/{uid}/", {"Authorization": f"Token {token}"})[0]
        if status != 200:
            warnings.append(f"GET /users/{uid}/ answered {status}")
    return warnings


def measure_size(args, users: int, log_dir: Path) -> dict:
    """Cold start, warm-up, RSS, latencies, stop, then warm start on the same cache dir."""
    token = new_token()
    headers = [auth_header(token)]
    cache_dir = tempfile.mkdtemp(prefix=f"mockscale-cache-{users}-")
    row: dict = {"users": users, "cache_dir": cache_dir}
    try:
        server, row["cold_start_s"] = start_and_wait(
            args, users, token, cache_dir, log_dir / f"mock-{users}-cold.log"
        )
        try:
            ids = spread_ids(users)
            script = write_lua(log_dir / f"detail-{users}.lua", ids)
            row["warnings"] = check_ids(server.url, token, ids)
            if args.warmup > 0:  # fill caches and lazy structures before RSS is read
                for url, lua in ((server.url + "/users/1/", script), (server.url + FILTERED, None)):
                    run_wrk(
                        url,
                        duration=args.warmup,
                        connections=args.connections,
                        headers=headers,
                        script=str(lua) if lua else None,
                    )
            row["rss_mb"] = tree_rss_mb(server.proc.pid)
            row["detail"] = latency(server.url + "/users/1/", args, headers, script)
            row["filtered"] = latency(server.url + FILTERED, args, headers)
            row["rss_after_mb"] = tree_rss_mb(server.proc.pid)
        finally:
            row["cold_exit_code"] = server.stop(args.stop_timeout)
        server, row["warm_start_s"] = start_and_wait(
            args, users, token, cache_dir, log_dir / f"mock-{users}-warm.log"
        )
        row["warm_exit_code"] = server.stop(args.stop_timeout)
    finally:
        if not args.keep_cache:
            shutil.rmtree(cache_dir, ignore_errors=True)
    return row


def table(rows: list[dict]) -> str:
    headers = [
        "users",
        "cold start s",
        "warm start s",
        "RSS MB",
        "detail p50 ms",
        "filtered p50 ms",
        "detail p99 ms",
        "filtered p99 ms",
    ]
    body = []
    for r in rows:
        if "error" in r:
            body.append([f"{r['users']:,}", "failed (see stderr)", *["—"] * 6])
            continue
        d, f = r.get("detail", {}), r.get("filtered", {})
        body.append(
            [
                f"{r['users']:,}",
                fmt(r.get("cold_start_s")),
                fmt(r.get("warm_start_s")),
                fmt(r.get("rss_mb"), 0),
                fmt(d.get("p50_ms")),
                fmt(f.get("p50_ms")),
                fmt(d.get("p99_ms")),
                fmt(f.get("p99_ms")),
            ]
        )
    return markdown_table(headers, body)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    ok = [r for r in rows if "detail" in r and "filtered" in r]
    if not ok:
        print("no successful sizes; plot skipped", file=sys.stderr)
        return
    sizes = [r["users"] for r in ok]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, colour in (
        ("detail", "GET /users/{id}/", "tab:blue"),
        ("filtered", "filtered + sorted, limit=20", "tab:orange"),
    ):
        ax.plot(sizes, [r[key]["p50_ms"] for r in ok], "o-", color=colour, label=f"{label} p50")
        ax.plot(
            sizes,
            [r[key]["p99_ms"] for r in ok],
            "o--",
            color=colour,
            alpha=0.5,
            label=f"{label} p99",
        )
    ax.set_xscale("log")
    ax.set_xlabel("users in dataset")
    ax.set_ylabel("latency, ms")
    ax.set_title("mockserver latency against dataset size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("error: wrk not found on PATH (apt-get install -y wrk)", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="mockscale-logs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"server logs in {log_dir}", file=sys.stderr)
    rows, failed = [], False
    for users in sizes:
        started = time.monotonic()
        try:
            row = measure_size(args, users, log_dir)
        except (ServerStartError, WrkError) as exc:
            print(f"error at {users} users: {exc}", file=sys.stderr)
            rows.append({"users": users, "error": str(exc)})
            failed = True
            break  # larger datasets would only take longer to fail
        rows.append(row)
        for warning in row.get("warnings", []):
            print(f"warning ({users} users): {warning}", file=sys.stderr)
        print(f"{users:>9,} users done in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(
        f"\nwrk -t1 -c{args.connections} -d{args.duration}s per latency; "
        f"mock workers {args.workers}\n"
    )
    print(table(rows))
    if args.plot and str(args.plot):
        plot(rows, args.plot)
        print(f"\nplot: {args.plot}", file=sys.stderr)
    if args.json_out:
        args.json_out.write_text(
            json.dumps(
                {"args": {k: str(v) for k, v in vars(args).items()}, "sizes": rows}, indent=1
            )
        )
        print(f"raw results: {args.json_out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
