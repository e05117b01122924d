"""Writes under load (`make bench`): a write mix, and lists over a session of 10,000 writes.

The packaged Users contract is read-only, so writes are measured on the reference DRF
service's spec (tests/drfservice/openapi.yaml, with its overlay.yaml that makes a
product's `sku` unique), whose `/products/` is a ModelViewSet. One mock (one worker, the
defaults of `mockserver serve`: strict, token auth, access log on, 1,000 records a
collection) and one floor (bench/floor.py) run side by side, and wrk drives them in turn:

1. **the write mix**: a wrk script sends, in a seeded cycle, `POST /products/` (a valid
   body, a new sku each time), `PATCH /products/{id}/` of the product it created last and
   `GET /products/{id}/` of the one it wrote last, all in one session, reset before each of
   the mock's runs. Its floor reads each request's whole body and answers the bytes the mock
   answered to one create, one update and one detail (201 and 200).
2. **lists**: `GET /products/?page_size=20` and a filtered and sorted list, first in a
   session that wrote nothing, then in one filled beforehand with `--writes` creates and
   updates over HTTP (half each, the updates spread over base and created products). The
   floor replays the bytes the mock answered in each session.

Each ratio is mock / floor req/s, the medians of interleaved runs (mock, floor, mock, ...),
as bench/run.py does; every status is counted, and any the mix does not ask for is an error.

    python -m bench.writemix                    # what `make bench` runs
    python -m bench.writemix --writes 10000 --repeats 3 --duration 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.floor import capture_responses, response_entry, write_spec
from bench.run import REPO_ROOT, cpu_per_request, ratio, start_floor, summarise
from bench.servers import (
    Server,
    ServerStartError,
    free_port,
    mock_argv,
    new_token,
    split_cmd,
)
from bench.wrk import (
    WrkError,
    fmt,
    lua_status_totals,
    lua_string,
    markdown_table,
    run_wrk,
    statuses_of,
    wrk_missing,
)

SPEC = REPO_ROOT / "tests" / "drfservice" / "openapi.yaml"
# The service's overlay, as the differentials serve it: the model's `unique=True` sku, which no
# generated spec says, and the views' page sizes.
OVERLAY = SPEC.parent / "overlay.yaml"
COLLECTION = "/products/"
READY_PATH = "/products/?page_size=1"
SIZE = 1000  # products, categories and tags generated: ids 1..SIZE
MIX_SESSION = "bench-mix"
FILLED_SESSION = "bench-writes"
EMPTY_SESSION = "bench-empty"
MIX_EXPECTED = frozenset({200, 201})
TAG = "mix"  # the script's status lines: `mix-status 201 123`


@dataclass(frozen=True)
class ListTarget:
    name: str
    target: str


LISTS = (
    ListTarget("list page_size=20", "/products/?page_size=20"),
    ListTarget("filtered+sorted", "/products/?is_available=true&ordering=-price&page_size=20"),
)


# -- what the requests send (pure) -----------------------------------------------------------


def sku(salt: int, number: int) -> str:
    """A version-4 UUID that no other (salt, number) gives and no generated sku can be
    (their 13th to 16th hex digits are random; these are 0000).

    >>> sku(1, 255)
    '00000001-0000-4000-8000-0000000000ff'
    """
    return f"{salt:08x}-0000-4000-8000-{number:012x}"


def price(number: int) -> str:
    """A decimal price that varies with `number` (two places, as the spec's `price` has).

    >>> price(0), price(1234)
    ('10.00', '344.34')
    """
    return f"{number % 900 + 10}.{number % 100:02d}"


def create_body(salt: int, number: int) -> dict:
    """A valid `POST /products/` body: every required field, a sku of its own, a category
    and two tags among the generated ones (tests/test_writes_differential.py's NEW)."""
    return {
        "name": f"Bench product {number}",
        "slug": f"bench-{salt}-{number}",
        "sku": sku(salt, number),
        "price": price(number),
        "stock": number % 1000,
        "is_available": number % 3 != 0,
        "status": "active",
        "category": number % SIZE + 1,
        "tags": [number % SIZE + 1, (number * 7) % SIZE + 1],
        "email": "bench@example.com",
    }


def update_body(number: int) -> dict:
    """A valid `PATCH /products/{id}/` body: a new price and stock, no unique field."""
    return {"price": price(number * 31 + 7), "stock": (number * 13) % 1000}


def cycle(seed: int, length: int = 300) -> list[str]:
    """The write mix's seeded order of requests: as many POST as PATCH as GET.

    >>> kinds = cycle(1, 9); sorted(kinds) == sorted(["POST", "PATCH", "GET"] * 3)
    True
    >>> cycle(1) == cycle(1) != cycle(2)
    True
    """
    kinds = ["POST", "PATCH", "GET"] * (length // 3)
    random.Random(seed).shuffle(kinds)
    return kinds


def fill_plan(seed: int, writes: int, salt: int) -> list[tuple[str, str, bytes]]:
    """The (method, path, JSON body) of `writes` writes filling a session: the creates
    first, then updates spread over the generated products and the created ones (ids
    1..SIZE + creates, as the creates get them in an empty session).

    >>> plan = fill_plan(1, 4, 9)
    >>> [(method, path) for method, path, _ in plan][:2]
    [('POST', '/products/'), ('POST', '/products/')]
    >>> all(method == "PATCH" for method, _, _ in plan[2:]), len(plan)
    (True, 4)
    """
    creates = writes - writes // 2
    draw = random.Random(seed)
    plan = [
        ("POST", COLLECTION, json.dumps(create_body(salt, n)).encode())
        for n in range(1, creates + 1)
    ]
    for n in range(writes - creates):
        key = draw.randint(1, SIZE + creates)
        plan.append(("PATCH", f"{COLLECTION}{key}/", json.dumps(update_body(n)).encode()))
    return plan


def lua_script(kinds: list[str], token: str, session: str, salt: int, first_id: int) -> str:
    """The wrk script of the write mix: the `kinds` in turn; a POST creates a product with
    a new sku, a PATCH updates the product created last, a GET reads the one written last
    (`first_id` until the first answer names one). It counts every status it gets."""
    body = create_body(salt, 0)
    # The body as a Lua format: the number-dependent fields are filled in per request.
    template = json.dumps(
        {
            **body,
            "name": "Bench product %d",
            "slug": f"bench-{salt}-%d",
            "sku": "%s",
            "price": "%s",
            "stock": "<stock>",
            "category": "<category>",
            "tags": "<tags>",
        }
    )
    template = (
        template.replace('"<stock>"', "%d")
        .replace('"<category>"', "%d")
        .replace('"<tags>"', "[%d,%d]")
    )
    kinds_lua = ",".join(lua_string(k) for k in kinds)
    totals = lua_status_totals(TAG)
    return f"""
local kinds = {{{kinds_lua}}}
local size = {SIZE}
local i, made, latest, written = 0, 0, {first_id}, {first_id}
local send = {{}}
send["Authorization"] = "Token {token}"
send["X-Mock-Session"] = {lua_string(session)}
send["Content-Type"] = "application/json"
local read = {{}}
read["Authorization"] = "Token {token}"
read["X-Mock-Session"] = {lua_string(session)}
local template = {lua_string(template)}
statuses = {{}}
local function price(n) return string.format("%d.%02d", n % 900 + 10, n % 100) end
request = function()
  i = (i % #kinds) + 1
  local kind = kinds[i]
  if kind == "POST" then
    made = made + 1
    local sku = string.format("%08x-0000-4000-8000-%012x", {salt}, made)
    local body = string.format(template, made, made, sku, price(made), made % 1000,
      made % size + 1, made % size + 1, (made * 7) % size + 1)
    return wrk.format("POST", "{COLLECTION}", send, body)
  elseif kind == "PATCH" then
    written = latest
    local body = string.format('{{"price":"%s","stock":%d}}', price(made * 31 + 7), made % 1000)
    return wrk.format("PATCH", "{COLLECTION}" .. written .. "/", send, body)
  end
  return wrk.format("GET", "{COLLECTION}" .. written .. "/", read)
end
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local id = string.match(body, '^{{"id":(%d+)')
    if id then latest = id; written = id end
  end
end
{totals}"""


def unexpected(statuses: dict[int, int], expected=MIX_EXPECTED) -> int:
    """How many answers had a status the mix does not ask for.

    >>> unexpected({200: 5, 201: 3, 400: 2, 500: 1})
    3
    """
    return sum(n for s, n in statuses.items() if s not in expected)


# -- the harness -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.writemix", description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="wrk runs per server per measure")
    p.add_argument("--duration", type=int, default=5, help="whole seconds per wrk run")
    p.add_argument("--warmup", type=int, default=1, help="seconds of unrecorded wrk (0: none)")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--writes", type=int, default=10_000, help="writes filling the session")
    p.add_argument("--fill-connections", type=int, default=4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--mock-cmd", default=None, help="how to start the mock (python -m mockserver serve)"
    )
    p.add_argument(
        "--skip", default="", help="comma-separated parts to leave out: mix, empty, filled"
    )
    p.add_argument("--start-timeout", type=float, default=120)
    p.add_argument("--stop-timeout", type=float, default=15)
    p.add_argument("--json-out", type=Path, default=None)
    p.add_argument("--log-dir", type=Path, default=None)
    return p.parse_args(argv)


def _request(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes | None
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def _headers(token: str, session: str | None, json_body: bool = False) -> dict[str, str]:
    headers = {"Authorization": f"Token {token}"}
    if session is not None:
        headers["X-Mock-Session"] = session
    if json_body:
        headers["Content-Type"] = "application/json"
    return headers


def reset_session(server: Server, token: str, session: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        status, body = _request(conn, "DELETE", "/__mock/state", _headers(token, session), None)
    finally:
        conn.close()
    if status not in (200, 204):
        raise ServerStartError(f"DELETE /__mock/state answered {status}: {body[:200]!r}")


def send_all(
    port: int, requests: list[tuple[str, str, bytes]], headers: dict, connections: int
) -> tuple[dict[int, int], list[str]]:
    """Send the requests over `connections` keep-alive connections at once; their statuses
    counted, and the first few answers that were not 200 or 201."""
    statuses: dict[int, int] = {}
    problems: list[str] = []
    lock = threading.Lock()
    todo = iter(requests)

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                method, path, body = item
                status, answer = _request(conn, method, path, headers, body)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                    if status not in MIX_EXPECTED and len(problems) < 5:
                        problems.append(f"{method} {path}: {status} {answer[:200]!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=work) for _ in range(max(1, connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, problems


def fill(server: Server, token: str, args) -> dict:
    """Write `args.writes` creates and updates into FILLED_SESSION; the time each thousand
    took tells how a write's cost grows with the session."""
    reset_session(server, token, FILLED_SESSION)
    plan = fill_plan(args.seed, args.writes, salt=args.seed + 1000)
    headers = _headers(token, FILLED_SESSION, json_body=True)
    creates = [item for item in plan if item[0] == "POST"]
    updates = [item for item in plan if item[0] == "PATCH"]
    statuses: dict[int, int] = {}
    problems: list[str] = []
    steps = []
    started = time.monotonic()
    for phase in (creates, updates):
        for at in range(0, len(phase), 1000):
            chunk = phase[at : at + 1000]
            began = time.monotonic()
            got, bad = send_all(server.port, chunk, headers, args.fill_connections)
            took = time.monotonic() - began
            for status, count in got.items():
                statuses[status] = statuses.get(status, 0) + count
            problems += bad
            steps.append({"method": chunk[0][0], "count": len(chunk), "seconds": took})
            print(
                f"  filled {sum(statuses.values()):>6,} writes: the last {len(chunk):,} "
                f"{chunk[0][0]} took {took:.1f} s ({took / len(chunk) * 1e3:.2f} ms each)",
                file=sys.stderr,
            )
    total = time.monotonic() - started
    if problems:
        raise ServerStartError("the fill got errors: " + "; ".join(problems))
    return {"writes": len(plan), "seconds": total, "statuses": statuses, "steps": steps}


def capture_writes(server: Server, token: str) -> list[dict]:
    """One create, one update and one detail as the mock answers them (in a session reset
    after), for the floor to answer any target of that method with."""
    session = "bench-capture"
    reset_session(server, token, session)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    entries = []
    try:
        created_status, created = _request(
            conn,
            "POST",
            COLLECTION,
            _headers(token, session, json_body=True),
            json.dumps(create_body(999, 1)).encode(),
        )
        if created_status != 201:
            raise ServerStartError(
                f"POST {COLLECTION} answered {created_status}: {created[:300]!r}"
            )
        key = json.loads(created)["id"]
        steps = [
            ("POST", COLLECTION, json.dumps(create_body(999, 2)).encode(), 201),
            ("PATCH", f"{COLLECTION}{key}/", json.dumps(update_body(1)).encode(), 200),
            ("GET", f"{COLLECTION}{key}/", None, 200),
        ]
        for method, path, body, want in steps:
            conn.request(
                method, path, body=body, headers=_headers(token, session, body is not None)
            )
            response = conn.getresponse()
            answer = response.read()
            if response.status != want:
                raise ServerStartError(
                    f"{method} {path} answered {response.status}: {answer[:300]!r}"
                )
            headers = {k.lower(): v for k, v in response.getheaders()}
            entry = response_entry(None, f"Token {token}", response.status, headers, answer, method)
            entry["session"] = MIX_SESSION
            entries.append(entry)
    finally:
        conn.close()
    reset_session(server, token, session)
    return entries


def measure(
    servers: dict[str, Server],
    target: str,
    args,
    *,
    headers: list[str] = (),
    script: Path | None = None,
    before_mock=None,
    label: str,
) -> dict[str, list[dict]]:
    """Interleaved wrk runs (mock, floor, mock, ...), a warm-up first; `before_mock` runs
    before each of the mock's runs (the mix resets its session there)."""
    runs: dict[str, list[dict]] = {name: [] for name in servers}
    rounds = [False] * (1 if args.warmup > 0 else 0) + [True] * args.repeats
    for recorded in rounds:
        for name, server in servers.items():
            if name == "mock" and before_mock is not None:
                before_mock()
            before = server.cpu_seconds()
            result = run_wrk(
                server.url + target,
                duration=args.warmup if not recorded else args.duration,
                connections=args.connections,
                headers=headers,
                script=str(script) if script else None,
            )
            result["statuses"] = statuses_of(result["raw"], TAG)
            result["cpu_us"] = cpu_per_request(server.cpu_seconds() - before, result["requests"])
            if not recorded:
                continue
            runs[name].append(result)
            print(
                f"  {label:<34} {name:<6} {result['rps']:>10,.0f} req/s  "
                f"p99 {fmt(result['p99_ms'])} ms  {fmt(result['cpu_us'])} µs CPU/req",
                file=sys.stderr,
            )
    return runs


def summary_of(runs: list[dict], scripted: bool) -> dict:
    out = summarise(runs)
    if scripted:
        statuses: dict[int, int] = {}
        for run in runs:
            for status, count in run["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        out["statuses"] = statuses
        out["unexpected"] = unexpected(statuses)
    return out


def start_mock(args, token: str, log_dir: Path) -> Server:
    port = free_port()
    base = [*split_cmd(args.mock_cmd), "--spec", str(SPEC), "--overlay", str(OVERLAY)]
    argv = mock_argv(base, port=port, users=SIZE, seed=args.seed, token=token)
    server = Server("mock", argv, port, log_dir / "mock.log", cwd=str(REPO_ROOT))
    server.start()
    return server


def run(args, token: str, log_dir: Path) -> dict:
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}
    log_dir.mkdir(parents=True, exist_ok=True)
    auth = [f"Authorization: Token {token}"]
    mock = floor = None
    results: list[dict] = []
    data: dict = {"results": results}
    try:
        mock = start_mock(args, token, log_dir)
        took = mock.wait_ready(READY_PATH, {"Authorization": f"Token {token}"}, args.start_timeout)
        print(f"mock ready in {took:.2f} s at {mock.url} (log {mock.log_path})", file=sys.stderr)
        entries = capture_writes(mock, token)
        requests = [(item.target, f"Token {token}") for item in LISTS]
        entries += capture_responses(mock.url, requests, session=EMPTY_SESSION)
        if "filled" not in skip:
            data["fill"] = fill(mock, token, args)
            entries += capture_responses(mock.url, requests, session=FILLED_SESSION)
        spec_path = log_dir / "floor-responses.json"
        write_spec(spec_path, entries, by_session=True)
        floor = start_floor(spec_path, log_dir)
        floor.wait_ready(READY_PATH, {}, args.start_timeout, accept=range(100, 600))
        servers = {"mock": mock, "floor": floor}

        def lists(session: str, label: str) -> None:
            for item in LISTS:
                name = f"{item.name} ({label})"
                runs = measure(
                    servers,
                    item.target,
                    args,
                    headers=[*auth, f"X-Mock-Session: {session}"],
                    label=name,
                )
                results.append(_result(name, runs, scripted=False))

        if "empty" not in skip:
            lists(EMPTY_SESSION, "no writes")
        if "filled" not in skip:
            lists(FILLED_SESSION, f"{args.writes:,} writes")
        if "mix" not in skip:
            script = log_dir / "mix.lua"
            # A generated product until the first create answers: it exists in every session.
            script.write_text(lua_script(cycle(args.seed), token, MIX_SESSION, args.seed, 1))
            runs = measure(
                servers,
                COLLECTION,
                args,
                script=script,
                before_mock=lambda: reset_session(mock, token, MIX_SESSION),
                label="write mix (POST, PATCH, GET)",
            )
            results.append(_result("write mix (POST, PATCH, GET)", runs, scripted=True))
        return data
    finally:
        for server in (floor, mock):
            if server:
                server.stop(args.stop_timeout)


def _result(name: str, runs: dict[str, list[dict]], scripted: bool) -> dict:
    mock, floor = (summary_of(runs[n], scripted) for n in ("mock", "floor"))
    return {
        "name": name,
        "mock": mock,
        "floor": floor,
        "ratio": ratio(mock["rps"], floor["rps"]),
        "cpu_ratio": ratio(floor.get("cpu_us"), mock.get("cpu_us")),
        "ratios": [
            ratio(m["rps"], f["rps"]) for m, f in zip(runs["mock"], runs["floor"], strict=True)
        ],
        "runs": {
            n: [{k: v for k, v in r.items() if k != "raw"} for r in rs] for n, rs in runs.items()
        },
    }


def table(results: list[dict]) -> str:
    """The report: one row a measure, the ratio of the medians and of each interleaved pair.

    >>> server = {"rps": 5.0, "p50_ms": 1.0, "p99_ms": 2.0, "non2xx": 0, "socket_errors": 0}
    >>> row = {"name": "x", "ratio": 0.5, "ratios": [0.4, 0.6], "mock": server,
    ...        "floor": {**server, "rps": 10.0, "unexpected": 3}}
    >>> [cell.strip() for cell in table([row]).splitlines()[2].split("|")[1:-1]]
    ['x', '5', '10', '0.50', '0.40 / 0.60', '—', '1.00', '2.00', '0 / 3', '0 / 0']
    """
    headers = [
        "measure",
        "mock req/s",
        "floor req/s",
        "ratio (mock/floor)",
        "each run",
        "CPU ratio (floor/mock)",
        "mock p50 ms",
        "mock p99 ms",
        "errors",
        "non-2xx",
    ]
    rows = []
    for item in results:
        mock, floor = item["mock"], item["floor"]
        rows.append(
            [
                item["name"],
                fmt(mock["rps"], 0),
                fmt(floor["rps"], 0),
                fmt(item["ratio"]),
                " / ".join(fmt(r) for r in item["ratios"]),
                fmt(item.get("cpu_ratio")),
                fmt(mock["p50_ms"]),
                fmt(mock["p99_ms"]),
                f"{mock['socket_errors'] + mock.get('unexpected', 0)} / "
                f"{floor['socket_errors'] + floor.get('unexpected', 0)}",
                f"{mock['non2xx']} / {floor['non2xx']}",
            ]
        )
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing():
        return 2
    token = new_token()
    keep_logs = args.log_dir is not None
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="mockbench-writes-"))
    try:
        data = run(args, token, log_dir)
    except (ServerStartError, WrkError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if not keep_logs:
            shutil.rmtree(log_dir, ignore_errors=True)
    fill_note = ""
    if "fill" in data:
        done = data["fill"]
        fill_note = (
            f"; the session filled with {done['writes']:,} writes in {done['seconds']:.0f} s"
        )
    print(
        f"\nwrites on {SPEC.relative_to(REPO_ROOT)} ({SIZE:,} products), {args.repeats} x "
        f"{args.duration} s per server, wrk -t1 -c{args.connections}, interleaved{fill_note}. "
        "Errors: socket errors and statuses the mix does not ask for, mock / floor.\n"
    )
    print(table(data["results"]))
    if args.json_out:
        args.json_out.write_text(json.dumps(data, indent=1))
    failed = [
        r["name"] for r in data["results"] if r["mock"].get("unexpected") or r["mock"]["non2xx"]
    ]
    for name in failed:
        print(
            f"writemix: {name}: the mock answered statuses the mix does not ask for",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
