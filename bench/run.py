"""Throughput benchmark: the mock against its physical floor, interleaved, with wrk (`make bench`).

Usage (from the repository root):  python -m bench.run [--repeats 3] [--duration 5] ...
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.floor import ENV_VAR, capture_responses, write_spec
from bench.servers import (
    READY_PATH,
    Server,
    ServerStartError,
    auth_header,
    free_port,
    mock_argv,
    new_token,
    split_cmd,
)
from bench.wrk import WrkError, fmt, markdown_table, median, run_wrk, wrk_missing

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Endpoint:
    name: str
    target: str
    auth: bool = True
    expected_status: int = 200


ENDPOINTS = (
    Endpoint("list limit=10", "/users/?limit=10"),
    Endpoint("list limit=100", "/users/?limit=100"),
    Endpoint("detail /users/7/", "/users/7/"),
    Endpoint("filtered+sorted limit=20", "/users/?is_active=true&sort=-date_joined&limit=20"),
    Endpoint("no token (401)", "/users/?limit=10", auth=False, expected_status=401),
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="wrk runs per server per endpoint")
    p.add_argument("--duration", type=int, default=5, help="whole seconds per wrk run")
    p.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="seconds of unrecorded wrk per server per endpoint (0 to skip)",
    )
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=1, help="mock workers (floor always has 1)")
    p.add_argument(
        "--mock-cmd",
        default=None,
        help="mock command before its options (default: python -m mockserver serve)",
    )
    p.add_argument("--start-timeout", type=float, default=120)
    p.add_argument("--stop-timeout", type=float, default=15)
    p.add_argument(
        "--workers-scan",
        default=None,
        metavar="W1,W2",
        help="instead of the endpoint table, compare limit=10 throughput of the "
        "mock at these worker counts (e.g. 1,2)",
    )
    p.add_argument("--json-out", type=Path, default=None, help="write raw results here")
    p.add_argument(
        "--log-dir",
        type=Path,
        default=None,
        help="keep server logs here (default: a temporary directory)",
    )
    return p.parse_args(argv)


def start_mock(args, token: str, log_dir: Path, workers: int, tag: str = "mock") -> Server:
    port = free_port()
    argv = mock_argv(
        split_cmd(args.mock_cmd),
        port=port,
        users=args.users,
        seed=args.seed,
        token=token,
        workers=workers,
    )
    server = Server(tag, argv, port, log_dir / f"{tag}.log")
    server.start()
    return server


def start_floor(spec_path: Path, log_dir: Path) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "bench.floor:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = dict(os.environ, **{ENV_VAR: str(spec_path)})
    # The floor imports bench.floor, so the repository root must be importable.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    server = Server("floor", argv, port, log_dir / "floor.log", env=env, cwd=str(REPO_ROOT))
    server.start()
    return server


def wait_mock(server: Server, token: str, timeout: float) -> float:
    took = server.wait_ready(READY_PATH, {"Authorization": f"Token {token}"}, timeout)
    if not server.announced_url():
        print(
            f"note: {server.name} answered but did not print {server.url} on stdout",
            file=sys.stderr,
        )
    return took


def headers_for(endpoint: Endpoint, token: str) -> list[str]:
    return [auth_header(token)] if endpoint.auth else []


def check_captured(entries: list[dict]) -> list[str]:
    """Warn about responses that differ from what the endpoint should answer."""
    problems = []
    for endpoint, entry in zip(ENDPOINTS, entries, strict=True):
        if entry["status"] != endpoint.expected_status:
            problems.append(
                f"{endpoint.name}: status {entry['status']}, expected {endpoint.expected_status}"
            )
        if endpoint.expected_status == 401 and "www-authenticate" not in entry["headers"]:
            problems.append(f"{endpoint.name}: no WWW-Authenticate header")
    return problems


def verify_floor(
    floor_url: str, requests: list[tuple[str, str | None]], entries: list[dict]
) -> list[str]:
    """Compare the floor's answers with the captured ones, so the floor is a fair baseline."""
    replayed = capture_responses(floor_url, requests)
    keys = ("status", "headers", "body_b64")
    return [
        f"{want['target']} (auth={bool(want['authorization'])}): "
        + ", ".join(k for k in keys if got[k] != want[k])
        for got, want in zip(replayed, entries, strict=True)
        if any(got[k] != want[k] for k in keys)
    ]


def measure_endpoint(
    endpoint: Endpoint, servers: dict[str, Server], token: str, args
) -> dict[str, list[dict]]:
    """Alternate servers run by run so slow drifts of a noisy machine hit both alike."""
    headers = headers_for(endpoint, token)
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    if args.warmup > 0:
        for server in servers.values():
            run_wrk(
                server.url + endpoint.target,
                duration=args.warmup,
                connections=args.connections,
                threads=args.threads,
                headers=headers,
            )
    for _ in range(args.repeats):
        for name, server in servers.items():
            before = server.cpu_seconds()
            result = run_wrk(
                server.url + endpoint.target,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                headers=headers,
            )
            result["cpu_us"] = cpu_per_request(server.cpu_seconds() - before, result["requests"])
            runs[name].append(result)
            print(
                f"  {endpoint.name:<26} {name:<6} {result['rps']:>10,.0f} req/s  "
                f"p99 {fmt(result['p99_ms'])} ms  {fmt(result['cpu_us'])} µs CPU/req",
                file=sys.stderr,
            )
    return runs


def cpu_per_request(seconds: float, requests: int | None) -> float | None:
    """The server's CPU microseconds per request answered in one run.

    Throughput on a shared machine moves with whatever else runs on it; the CPU a server
    spends on each request moves far less, so the table gives both, each as a ratio to
    the floor measured in the same run.

    >>> cpu_per_request(1.5, 30_000), cpu_per_request(1.0, 0)
    (50.0, None)
    """
    return seconds / requests * 1e6 if requests else None


def summarise(runs: list[dict]) -> dict:
    """Medians of the rates, latencies and CPU per request; totals of the error counters."""
    return {
        "rps": median(r["rps"] for r in runs),
        "cpu_us": median(r.get("cpu_us") for r in runs),
        "p50_ms": median(r["p50_ms"] for r in runs),
        "p99_ms": median(r["p99_ms"] for r in runs),
        "requests": sum(r["requests"] or 0 for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
    }


def non2xx_cell(endpoint: Endpoint, mock: dict, floor: dict) -> str:
    if endpoint.expected_status < 300:
        return f"{mock['non2xx']} / {floor['non2xx']}"
    # Every response should be the expected error; anything less means some were not.
    all_expected = all(s["non2xx"] == s["requests"] for s in (mock, floor))
    return (
        "all (expected 401)"
        if all_expected
        else (
            f"{mock['non2xx']}/{mock['requests']} / {floor['non2xx']}/{floor['requests']} "
            "(expected all)"
        )
    )


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def endpoint_table(results: list[dict]) -> str:
    headers = [
        "endpoint",
        "mock req/s",
        "floor req/s",
        "ratio (mock/floor)",
        "CPU µs/req mock / floor",
        "CPU ratio (floor/mock)",
        "mock p50 ms",
        "mock p99 ms",
        "floor p99 ms",
        "errors",
        "non-2xx",
    ]
    rows = []
    for item in results:
        endpoint, mock, floor = item["endpoint"], item["mock"], item["floor"]
        rows.append(
            [
                endpoint["name"],
                fmt(mock["rps"], 0),
                fmt(floor["rps"], 0),
                fmt(ratio(mock["rps"], floor["rps"])),
                f"{fmt(mock.get('cpu_us'))} / {fmt(floor.get('cpu_us'))}",
                fmt(ratio(floor.get("cpu_us"), mock.get("cpu_us"))),
                fmt(mock["p50_ms"]),
                fmt(mock["p99_ms"]),
                fmt(floor["p99_ms"]),
                f"{mock['socket_errors']} / {floor['socket_errors']}",
                item["non2xx_cell"],
            ]
        )
    return markdown_table(headers, rows)


def run_endpoints(args, token: str, log_dir: Path) -> dict:
    mock = floor = None
    try:
        mock = start_mock(args, token, log_dir, args.workers)
        took = wait_mock(mock, token, args.start_timeout)
        print(f"mock ready in {took:.2f} s at {mock.url} (log {mock.log_path})", file=sys.stderr)
        requests = [(e.target, f"Token {token}" if e.auth else None) for e in ENDPOINTS]
        entries = capture_responses(mock.url, requests)
        for problem in check_captured(entries):
            print(f"warning: {problem}", file=sys.stderr)
        spec_path = log_dir / "floor-responses.json"
        write_spec(spec_path, entries)
        floor = start_floor(spec_path, log_dir)
        floor.wait_ready(READY_PATH, {}, args.start_timeout, accept=range(100, 600))
        mismatches = verify_floor(floor.url, requests, entries)
        if mismatches:
            raise ServerStartError(
                "floor does not replay the mock's bytes: " + "; ".join(mismatches)
            )
        servers = {"mock": mock, "floor": floor}
        results = []
        for endpoint in ENDPOINTS:
            runs = measure_endpoint(endpoint, servers, token, args)
            summary = {name: summarise(r) for name, r in runs.items()}
            results.append(
                {
                    "endpoint": asdict(endpoint),
                    **summary,
                    "runs": runs,
                    "non2xx_cell": non2xx_cell(endpoint, summary["mock"], summary["floor"]),
                }
            )
        return {"endpoints": results}
    finally:
        for server in (floor, mock):
            if server:
                server.stop(args.stop_timeout)


def run_workers_scan(args, token: str, log_dir: Path) -> dict:
    """Run every worker count at once on its own port and interleave, as for mock/floor."""
    counts = [int(w) for w in args.workers_scan.split(",") if w.strip()]
    endpoint = ENDPOINTS[0]
    servers: dict[str, Server] = {}
    try:
        for count in counts:
            name = f"w{count}"
            servers[name] = start_mock(args, token, log_dir, count, tag=f"mock-{name}")
        for server in servers.values():
            wait_mock(server, token, args.start_timeout)
        runs = measure_endpoint(endpoint, servers, token, args)
    finally:
        for server in servers.values():
            server.stop(args.stop_timeout)
    summary = {name: summarise(r) for name, r in runs.items()}
    base = summary[f"w{counts[0]}"]["rps"]
    rows = [
        [
            str(c),
            fmt(summary[f"w{c}"]["rps"], 0),
            fmt(ratio(summary[f"w{c}"]["rps"], base)),
            fmt(summary[f"w{c}"]["p99_ms"]),
            str(summary[f"w{c}"]["socket_errors"]),
            str(summary[f"w{c}"]["non2xx"]),
        ]
        for c in counts
    ]
    table = markdown_table(
        ["workers", "req/s", f"ratio to {counts[0]} worker(s)", "p99 ms", "errors", "non-2xx"], rows
    )
    return {
        "workers_scan": {"endpoint": asdict(endpoint), "summary": summary, "runs": runs},
        "table": table,
    }


def meta(args) -> dict:
    return {
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_report(args, data: dict) -> None:
    print(
        f"\n{args.repeats} x {args.duration:g} s per server, wrk -t{args.threads} "
        f"-c{args.connections}, {args.users} users, mock workers {args.workers}; "
        f"medians of req/s and latency; errors and non-2xx are totals over all runs, "
        f"mock / floor.\n"
    )
    print(endpoint_table(data["endpoints"]))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing():
        return 2
    token = new_token()
    keep_logs = args.log_dir is not None
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="mockbench-"))
    try:
        if args.workers_scan:
            data = run_workers_scan(args, token, log_dir)
            print(
                f"\nlimit=10, {args.repeats} x {args.duration:g} s per worker count, "
                f"wrk -t{args.threads} -c{args.connections}, {os.cpu_count()} CPUs\n"
            )
            print(data.pop("table"))
        else:
            data = run_endpoints(args, token, log_dir)
            print_report(args, data)
    except (ServerStartError, WrkError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if not keep_logs:
            shutil.rmtree(log_dir, ignore_errors=True)
    if args.json_out:
        args.json_out.write_text(json.dumps({"meta": meta(args), **data}, indent=1))
        print(f"\nraw results: {args.json_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
