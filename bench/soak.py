"""`make soak`: a seeded, mixed load at saturation for minutes; errors, p99 and RSS over time.

One `mockserver serve` (defaults: strict, 1,000 users, access log on) takes wrk's load in
windows of `--window` seconds for `--minutes` in all. Each request is drawn from a seeded
mix of what clients send (filtered, sorted and paged lists, details, unknown ids, bad
filters, missing tokens), so every status the API gives is exercised; a window reports its
requests, errors, p99 latency and the server's resident memory at its end.

It fails (exit 1) when any request errors (a socket error, or any status outside those the
mix expects, such as a 5xx), when RSS at the end is more than 10% above RSS after the
first window (the warm-up), or when the server does not exit 0 on SIGTERM.

    python -m bench.soak --minutes 3          # what `make soak` runs
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from bench.servers import Server, free_port, mock_argv, new_token, split_cmd, tree_rss_mb
from bench.wrk import lua_status_totals, lua_string, markdown_table, run_wrk, statuses_of

MAX_RSS_GROWTH = 0.10  # after warm-up
USERS = 1000
EXPECTED = {200, 400, 401, 404}  # the statuses the mix asks for; anything else is an error
TAG = "soak"  # the script's status lines: `soak-status 200 123`


def mix(seed: int, count: int = 2000) -> list[tuple[str, bool]]:
    """(path, with token) for `count` requests, drawn from the seed.

    >>> mix(1, 3) == mix(1, 3)
    True
    """
    draw = random.Random(seed)
    sorts = ["id", "-id", "-date_joined", "gender,-id", "last_name", "email"]
    filters = [
        "is_active=true",
        "is_staff=false",
        "gender=female",
        "user_type=guest",
        "id__gte=500",
        "modified_date__gt=2024-01-01",
        "groups=1&groups=2",
        'attributes={"confirm":true}',
        "email_allowed=1",
    ]
    requests = []
    for _ in range(count):
        kind = draw.random()
        if kind < 0.45:
            query = [f"limit={draw.choice([10, 20, 50, 100])}"]
            query += draw.sample(filters, draw.randint(0, 2))
            if draw.random() < 0.5:
                query.append(f"sort={draw.choice(sorts)}")
            if draw.random() < 0.3:
                query.append(f"page={draw.randint(1, 3)}")
            requests.append(("/users/?" + "&".join(query), True))
        elif kind < 0.75:
            requests.append((f"/users/{draw.randint(1, USERS + 50)}/", True))  # some 404
        elif kind < 0.85:
            requests.append(("/users/?limit=10", False))  # 401
        elif kind < 0.95:
            bad = draw.choice(["id=abc", "modified_date__gt=yesterday", "page=0", "limit=0"])
            requests.append((f"/users/?{bad}", True))  # 400
        else:
            requests.append(("/users/?limit=100&page=999", True))  # 404 Invalid page.
    return requests


def lua_script(requests: list[tuple[str, bool]], token: str) -> str:
    """A wrk script that sends the mix in turn and counts the statuses it gets."""
    paths = ",".join(lua_string(path) for path, _ in requests)
    auths = ",".join("true" if auth else "false" for _, auth in requests)
    return f"""
local paths = {{{paths}}}
local auths = {{{auths}}}
local i = 0
statuses = {{}}
request = function()
  i = (i % #paths) + 1
  local headers = {{}}
  if auths[i] then headers["Authorization"] = "Token {token}" end
  return wrk.format("GET", paths[i], headers)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
{lua_status_totals(TAG)}"""


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=3.0, help="length of the soak")
    p.add_argument("--window", type=int, default=10, help="seconds per report line")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--mock-cmd", default=None, help="how to start the mock")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    windows = max(2, round(args.minutes * 60 / args.window))
    token = new_token()
    with tempfile.TemporaryDirectory(prefix="mockserver-soak-") as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(lua_script(mix(args.seed), token))
        port = free_port()
        argv_ = mock_argv(
            split_cmd(args.mock_cmd), port=port, users=USERS, seed=args.seed, token=token
        )
        server = Server("mock", [*argv_, "--cache-dir", ""], port, Path(tmp) / "mock.log")
        server.start()
        try:
            server.wait_ready("/users/?limit=1", {"Authorization": f"Token {token}"}, 60)
            rows = [_window(server, script, args) for _ in range(windows)]
        finally:
            exit_code = server.stop()
    return report(rows, exit_code, args)


def _window(server: Server, script: Path, args) -> dict:
    result = run_wrk(
        server.url + "/users/",
        duration=args.window,
        connections=args.connections,
        script=str(script),
    )
    statuses = statuses_of(result["raw"], TAG)
    unexpected = sum(n for s, n in statuses.items() if s not in EXPECTED)
    return {
        "requests": result["requests"] or 0,
        "rps": result["rps"] or 0.0,
        "p99_ms": result["p99_ms"],
        "errors": result["socket_errors"] + unexpected,
        "statuses": statuses,
        "rss_mb": tree_rss_mb(server.proc.pid),
    }


def report(rows: list[dict], exit_code, args) -> int:
    table = [
        [
            f"{(n + 1) * args.window} s",
            f"{row['requests']:,}",
            f"{row['rps']:,.0f}",
            str(row["errors"]),
            f"{row['p99_ms']:.2f}" if row["p99_ms"] is not None else "—",
            f"{row['rss_mb']:.1f}",
        ]
        for n, row in enumerate(rows)
    ]
    print(markdown_table(["at", "requests", "req/s", "errors", "p99 ms", "RSS MB"], table))
    total = sum(row["requests"] for row in rows)
    errors = sum(row["errors"] for row in rows)
    statuses: dict[int, int] = {}
    for row in rows:
        for status, count in row["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    warm, last = rows[0]["rss_mb"], rows[-1]["rss_mb"]
    growth = (last - warm) / warm if warm else 0.0
    worst_p99 = max((row["p99_ms"] or 0.0) for row in rows)
    print(
        f"soak: {total:,} requests in {len(rows) * args.window} s, {errors} errors, "
        f"statuses {dict(sorted(statuses.items()))}, worst window p99 {worst_p99:.2f} ms, "
        f"RSS {warm:.1f} MB after warm-up, {last:.1f} MB at the end ({growth:+.1%}), "
        f"server exit code {exit_code}"
    )
    failed = []
    if errors:
        failed.append(f"{errors} requests errored")
    if growth > MAX_RSS_GROWTH:
        failed.append(f"RSS grew {growth:.1%} after warm-up (limit {MAX_RSS_GROWTH:.0%})")
    if not total:
        failed.append("no request was answered")
    if exit_code != 0:  # SIGTERM drains and exits 0 (README, "The command line")
        failed.append(f"the server exited with {exit_code} on SIGTERM")
    for reason in failed:
        print(f"soak: FAILED: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
