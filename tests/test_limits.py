"""The limits at the edge (mockserver/http/limits.py), over real sockets to a real server.

One `mockserver serve` with small limits takes raw requests that cross each one; every
answer must be DRF's JSON shape with `Connection: close`, come at once (or when its timeout
is due), and leave other clients unhurt. Run with `-s` to see each answer's status and time.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from helpers_api import STAFF_KEY
from helpers_server import MockServer, Peak

from mockserver.http import limits
from mockserver.settings import Settings

pytestmark = pytest.mark.slow

HEADER_TIMEOUT = 1.0  # seconds, for the server under test
KEEPALIVE_TIMEOUT = 1.0
MAX_URL = 2048
MAX_HEADER_BYTES = 8192
MAX_HEADERS = 40
MAX_CONCURRENCY = 2
BODY_TIMEOUT = 1.0
MAX_PIPELINE = 4
AUTH = f"Authorization: Token {STAFF_KEY}\r\n".encode()
WAIT = 10.0  # seconds any answer may take at most here, to fail instead of hanging


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    mock = MockServer(
        "--users",
        "50",
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--keepalive-timeout",
        str(KEEPALIVE_TIMEOUT),
        "--max-url",
        str(MAX_URL),
        "--max-header-bytes",
        str(MAX_HEADER_BYTES),
        "--max-headers",
        str(MAX_HEADERS),
        "--max-concurrency",
        str(MAX_CONCURRENCY),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--max-pipeline",
        str(MAX_PIPELINE),
        "--no-access-log",
    ).wait()
    host, port = mock.origin.removeprefix("http://").rsplit(":", 1)
    try:
        yield host, int(port)
    finally:
        mock.stop()


@pytest.fixture(scope="module")
def roomy() -> Iterator[tuple[tuple[str, int], int]]:
    """A server with the default limits: its address and its process id, for its RSS."""
    mock = MockServer("--users", "50", "--no-access-log").wait()
    host, port = mock.origin.removeprefix("http://").rsplit(":", 1)
    try:
        yield (host, int(port)), mock.process.pid
    finally:
        mock.stop()
        assert "Traceback" not in mock.output


def exchange(address, chunks: list[bytes], pause: float = 0.0) -> tuple[bytes, float]:
    """Send `chunks` (pausing between them), read until the server closes; the bytes read
    and the seconds from the first byte sent to the close."""
    with socket.create_connection(address, timeout=WAIT) as sock:
        started = time.monotonic()
        try:
            for number, chunk in enumerate(chunks):
                if number and pause:
                    time.sleep(pause)
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed while we were still sending
        received = b""
        try:
            while block := sock.recv(65536):
                received += block
        except ConnectionResetError:
            pass
        return received, time.monotonic() - started


def parse(raw: bytes) -> tuple[int, dict[str, str], dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return status, headers, json.loads(body)


def request(target: bytes, *headers: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(headers) + b"\r\n"


CROSSINGS = [
    pytest.param(
        [request(b"/users/?q=" + b"a" * 70_000, AUTH)],
        414,
        "Request-URI too long: more than 2048 bytes",
        id="request target of 70 KB: 414",
    ),
    pytest.param(
        [request(b"/users/?q=" + b"a" * 3_000, AUTH)],
        414,
        "Request-URI too long: more than 2048 bytes (3010 received)",
        id="request target of 3 KB, within the head's budget: 414",
    ),
    pytest.param(
        [
            request(
                b"/users/",
                AUTH,
                b"X-One: " + b"1" * 5_000 + b"\r\n",
                b"X-Two: " + b"2" * 5_000 + b"\r\n",
            )
        ],
        431,
        "'x-two' takes the headers past 8192 bytes",
        id="two headers of 5 KB: 431 naming the second",
    ),
    pytest.param(
        [request(b"/users/", AUTH, b"X-Big: " + b"b" * 20_000 + b"\r\n")],
        431,
        "'x-big' takes the headers past 8192 bytes",
        id="one header of 20 KB: 431 naming it",
    ),
    pytest.param(
        [request(b"/users/", AUTH, *(b"X-H%d: 1\r\n" % n for n in range(60)))],
        431,
        "more than 40 headers",
        id="60 headers: 431",
    ),
    pytest.param(
        [b"GET /users/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: "] + [b"f" * 65_536] * 1_600,
        431,
        "'x-flood' takes the headers past 8192 bytes",
        id="a 100 MB header: 431 without reading it",
    ),
]


@pytest.mark.parametrize(("chunks", "status", "detail"), CROSSINGS)
def test_a_crossed_limit_is_answered_at_once_in_drf_shape(server, chunks, status, detail):
    raw, seconds = exchange(server, chunks)
    got, headers, body = parse(raw)
    print(f"\n{status}: {seconds * 1000:.1f} ms, {body}")
    assert got == status
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert detail in body["detail"]
    assert seconds < HEADER_TIMEOUT  # answered when crossed, not when the timeout is due


def test_a_slow_head_gets_408_when_its_time_is_up(server):
    """Slowloris: one header line a little at a time never completes the head."""
    chunks = [b"GET /users/ HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"X-A: 1\r\n", b"X-B: 2\r\n"]
    raw, seconds = exchange(server, chunks, pause=0.4)
    status, headers, body = parse(raw)
    print(f"\n408: {seconds:.2f} s, {body}")
    assert status == 408
    assert body == {"detail": "The request's headers took more than 1 s."}
    assert headers["connection"] == "close"
    assert HEADER_TIMEOUT * 0.9 <= seconds < HEADER_TIMEOUT + 3


def test_a_silent_connection_is_closed(server):
    raw, seconds = exchange(server, [])
    print(f"\nsilent connection closed after {seconds:.2f} s")
    assert raw == b""
    assert HEADER_TIMEOUT * 0.9 <= seconds < HEADER_TIMEOUT + 3


def test_an_idle_kept_alive_connection_is_closed(server):
    raw, seconds = exchange(server, [request(b"/users/?limit=1", AUTH)])
    status, headers, body = parse(raw)
    print(f"\nidle keep-alive closed after {seconds:.2f} s")
    assert status == 200 and body["count"] == 50
    assert "connection" not in headers  # kept alive, then closed by the server when idle
    assert KEEPALIVE_TIMEOUT * 0.9 <= seconds < KEEPALIVE_TIMEOUT + 3


def test_the_idle_time_counts_from_the_last_answer(server):
    """The keep-alive timer armed after the first answer is still running when the second
    request comes; the connection is closed `keepalive_timeout` after the second answer,
    as uvicorn closes it, not when that first timer ends."""
    pause = KEEPALIVE_TIMEOUT * 0.6
    first = request(b"/users/?limit=1", AUTH)
    raw, seconds = exchange(server, [first, request(b"/users/2/", AUTH)], pause=pause)
    print(f"\nidle keep-alive closed {seconds:.2f} s after the first request")
    assert raw.count(b"HTTP/1.1 200 OK") == 2
    assert pause + KEEPALIVE_TIMEOUT * 0.9 <= seconds < pause + KEEPALIVE_TIMEOUT + 3


def test_a_kept_alive_connection_serves_its_next_request(server):
    """The head timer restarts with each request: two requests, one connection."""
    first = request(b"/users/?limit=1", AUTH)
    second = request(b"/users/2/", AUTH, b"Connection: close\r\n")
    raw, _ = exchange(server, [first, second], pause=HEADER_TIMEOUT * 0.6)
    assert raw.count(b"HTTP/1.1 200 OK") == 2


def test_a_body_on_get_is_ignored_and_not_held(server):
    """A GET announcing 100 MB: answered without waiting for it; the server reads and drops
    the rest (uvicorn stops buffering at 64 KiB), so its memory does not grow."""
    head = request(b"/users/?limit=1", AUTH, b"Content-Length: 100000000\r\n")
    with socket.create_connection(server, timeout=WAIT) as sock:
        started = time.monotonic()
        sock.sendall(head + b"z" * 1_000_000)
        raw = sock.recv(65536)
        seconds = time.monotonic() - started
    print(f"\nGET with a body: {raw[:15]!r} in {seconds * 1000:.1f} ms")
    assert raw.startswith(b"HTTP/1.1 200 OK")
    assert seconds < HEADER_TIMEOUT


def test_other_clients_are_not_kept_waiting_by_a_flood(server):
    """While one client pushes a huge header, another's request is answered promptly."""
    flood = threading.Thread(
        target=exchange,
        args=(server, [b"GET / HTTP/1.1\r\nX-F: "] + [b"f" * 65_536] * 1_600),
        daemon=True,
    )
    flood.start()
    raw, seconds = exchange(server, [request(b"/users/1/", AUTH, b"Connection: close\r\n")])
    flood.join(WAIT)
    assert raw.startswith(b"HTTP/1.1 200 OK")
    assert seconds < HEADER_TIMEOUT


def test_requests_beyond_the_concurrency_limit_get_503_with_retry_after(server):
    """Two slow requests in flight (the mock's own `__delay`), then a third: 503 at once."""
    slow = request(b"/users/?limit=1&__delay=1500", AUTH, b"Connection: close\r\n")
    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(exchange(server, [slow])[0]))
        for _ in range(MAX_CONCURRENCY)
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both are in flight now (they take 1.5 s)
    raw, seconds = exchange(server, [request(b"/users/?limit=1", AUTH, b"Connection: close\r\n")])
    for thread in threads:
        thread.join(WAIT)
    status, headers, body = parse(raw)
    print(f"\n503: {seconds * 1000:.1f} ms, {body}")
    assert status == 503
    assert headers["retry-after"] == limits.RETRY_AFTER.decode()
    assert headers["connection"] == "close"
    assert body == {"detail": "Too many requests in flight; retry shortly."}
    assert seconds < 1.0
    assert [parse(r)[0] for r in results] == [200] * MAX_CONCURRENCY


def test_every_limit_has_a_default_and_a_flag():
    defaults = Settings()
    assert limits.Limits.from_settings(defaults) == limits.Limits()
    assert (defaults.keepalive_timeout, limits.Limits().max_concurrency) == (5.0, 1000)
    options = limits.uvicorn_options(defaults)
    assert options["http"] == "mockserver.http.limits:LimitedProtocol"
    assert options["timeout_keep_alive"] == 5.0
    assert (limits.Limits().body_timeout, limits.Limits().max_pipeline) == (30.0, 32)


# -- issue 16: memory and time per client -----------------------------------------------------

PIPELINED = 100_000
HEALTH = b"GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def test_pipelined_requests_are_answered_in_bounded_memory(roomy):
    """Issue 16, item 1: 300k tiny requests pipelined on one connection took RSS from 58 MB
    to 729 MB (uvicorn parsed and queued every one). The connection is not read further
    while `--max-pipeline` requests wait: all are answered, in flat memory (measured: 100k
    answered in 4 s, +1 MB; before, +239 MB)."""
    address, pid = roomy
    answered = []
    with socket.create_connection(address, timeout=WAIT) as sock, Peak(pid) as peak:

        def read():
            count = 0
            while count < PIPELINED and (block := sock.recv(1 << 20)):
                count += block.count(b"HTTP/1.1 200 OK")
            answered.append(count)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = time.monotonic()
        sock.sendall(HEALTH * PIPELINED)
        reader.join(60)
        seconds = time.monotonic() - started
    print(f"\n{PIPELINED} pipelined: {seconds:.1f} s, RSS {peak.start:.0f} -> {peak.peak:.0f} MB")
    assert answered == [PIPELINED]
    assert peak.growth < 40


def test_pipelined_requests_count_toward_max_concurrency(server):
    """Issue 16, item 1: one request in flight and one pipelined behind it make two; a third
    is 503, answered after the two, in order (RFC 9112, 9.3.2), and the connection closed."""
    slow = request(b"/users/?limit=1&__delay=500", AUTH)
    raw, _ = exchange(server, [slow * 3])
    answers = raw.split(b"HTTP/1.1 ")[1:]
    statuses = [int(answer[:3]) for answer in answers]
    print(f"\npipelined past the limit: {statuses}")
    assert statuses == [200, 200, 503]
    assert answers[2].endswith(b'{"detail":"Too many requests in flight; retry shortly."}')


def chunked(*trailers: bytes, close: bool = True) -> bytes:
    head = b"Transfer-Encoding: chunked\r\n" + (b"Connection: close\r\n" if close else b"")
    return request(b"/users/?limit=1", AUTH, head) + b"1\r\na\r\n0\r\n" + b"".join(trailers)


@pytest.mark.parametrize(
    ("trailers", "detail"),
    [
        pytest.param(
            [b"X-T%d: 1\r\n" % n for n in range(60)],
            "Request header fields too large: more than 40 trailers (at 'x-t40').",
            id="60 trailer lines: 431",
        ),
        pytest.param(
            [b"X-Big: " + b"b" * 20_000 + b"\r\n"],
            "Request header fields too large: the trailers take more than 8192 bytes.",
            id="a trailer of 20 KB: 431",
        ),
    ],
)
def test_trailers_are_held_to_the_header_limits(server, trailers, detail):
    """Issue 16, item 2: `--max-headers` and `--max-header-bytes` apply to a chunked body's
    trailers, which uvicorn added to the request's headers without a bound."""
    raw, seconds = exchange(server, [chunked(*trailers)])
    status, headers, body = parse(raw)
    print(f"\n431 for trailers: {seconds * 1000:.1f} ms, {body}")
    assert (status, headers["connection"], body) == (431, "close", {"detail": detail})


def test_a_trailer_flood_costs_no_memory(roomy):
    """Issue 16, item 2: a chunked GET then 40 MB of trailer lines added 617 MB; it is cut
    at 100 trailers (measured: +0 MB; before, +576 MB)."""
    address, pid = roomy
    lines = b"X-T: y\r\n" * 8192
    sent = 0
    with socket.create_connection(address, timeout=WAIT) as sock, Peak(pid) as peak:
        try:
            sock.sendall(chunked(close=False))
            while sent < 40_000_000:
                sock.sendall(lines)
                sent += len(lines)
        except OSError:
            pass  # refused and closed
        received = b""
        try:
            while block := sock.recv(65536):
                received += block
        except OSError:
            pass
    print(f"\ntrailer flood: {sent / 1e6:.1f} MB sent, RSS {peak.start:.0f} -> {peak.peak:.0f} MB")
    assert sent < 40_000_000  # cut short
    assert b" 431 " in received or received.startswith(b"HTTP/1.1 200 OK")
    assert peak.growth < 20


def test_a_trickled_body_on_get_is_cut_at_the_body_timeout(server):
    """Issue 16, item 3: a GET body sent a byte at a time kept the connection past the
    keep-alive and header timeouts. The GET is answered at once; the connection is closed
    when the body's time is up (no second answer: the first stands)."""
    head = request(b"/users/?limit=1", AUTH, b"Content-Length: 100\r\n")
    raw, seconds = exchange(server, [head] + [b"z"] * 20, pause=0.3)
    print(f"\ntrickled GET body closed after {seconds:.2f} s")
    assert raw.count(b"HTTP/1.1 ") == 1 and raw.startswith(b"HTTP/1.1 200 OK")
    assert BODY_TIMEOUT * 0.9 <= seconds < BODY_TIMEOUT + 2


def test_a_trickled_write_body_gets_408(server):
    """Issue 16, item 3: a body the app waits for (PUT /__mock/state reads it whole) sent a
    byte at a time: 408 in DRF's shape when the body's time is up."""
    head = b"PUT /__mock/state HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n"
    raw, seconds = exchange(server, [head] + [b"{"] * 20, pause=0.3)
    status, headers, body = parse(raw)
    print(f"\n408 for a trickled body: {seconds:.2f} s, {body}")
    assert (status, headers["connection"]) == (408, "close")
    assert body == {"detail": "The request's body took more than 1 s."}
    assert BODY_TIMEOUT * 0.9 <= seconds < BODY_TIMEOUT + 2
