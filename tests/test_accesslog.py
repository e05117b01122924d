"""mockserver/http/accesslog.py: one line per request, a 400's reason, no token, colour on a TTY."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from helpers_api import (
    AUTH,
    CUSTOMER_KEY,
    INACTIVE_KEY,
    ROOT,
    STAFF_KEY,
    make_client,
    make_state,
    raw_get,
)

from mockserver.http import accesslog
from mockserver.http.app import create_app

LINE = re.compile(r"(?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}) \d+\.\dms(?P<reason>.*)")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def logged():
    """`logged(stream)`: print the access log on `stream`, as `serve` does; undone after."""
    handlers = []

    def start(stream):
        handlers.append(accesslog.configure(stream))
        return stream

    yield start
    for handler in handlers:
        accesslog.LOGGER.removeHandler(handler)
    accesslog.LOGGER.setLevel(logging.NOTSET)
    accesslog.LOGGER.propagate = True


@pytest.fixture(scope="module")
def client():
    return make_client(make_state(users=20, validate_responses=True))


def lines(stream) -> list[str]:
    return stream.getvalue().splitlines()


@pytest.mark.parametrize(
    ("url", "headers", "method", "status", "target"),
    [
        ("/users/?limit=2&sort=-id", AUTH, "GET", 200, "/users/?limit=2&sort=-id"),
        ("/users/3/", AUTH, "GET", 200, "/users/3/"),
        ("/users/", {}, "GET", 401, "/users/"),
        ("/users/", AUTH, "OPTIONS", 200, "/users/"),
        ("/users?limit=1", AUTH, "GET", 301, "/users?limit=1"),
        ("/nothing/", AUTH, "GET", 404, "/nothing/"),
        ("/users/?username=J%C3%BCrgen%20X", AUTH, "GET", 200, "/users/?username=J%C3%BCrgen%20X"),
    ],
    ids=["list", "user", "no token", "OPTIONS", "redirect", "unknown path", "encoded query"],
)
def test_one_line_per_request(client, logged, url, headers, method, status, target):
    stream = logged(io.StringIO())
    client.request(method, url, headers=headers, follow_redirects=False)
    [line] = lines(stream)
    match = LINE.fullmatch(line)
    assert match, line
    assert (match["method"], match["target"], int(match["status"]), match["reason"]) == (
        method,
        target,
        status,
        "",
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/users/?id=abc", "id: Enter a number."),
        (
            "/users/?id=abc&limit=0",
            "id: Enter a number.; limit: Ensure this value is greater than or equal to 1.",
        ),
        (
            "/users/?nope=1",
            "nope: Unknown query parameter; the spec does not declare it for this operation.",
        ),
        (
            "/users/?__code=418",
            "__code: __code=418 is not documented for this operation; "
            "documented: 200, 400, 401, 404, 406, 503.",
        ),
    ],
    ids=["one field", "two fields", "unknown parameter", "bad control"],
)
def test_a_400_line_gives_the_reason(client, logged, url, reason):
    stream = logged(io.StringIO())
    assert client.get(url, headers=AUTH).status_code == 400
    [line] = lines(stream)
    match = LINE.fullmatch(line)
    assert (match["status"], match["reason"]) == ("400", f"  {reason}")


def test_a_long_reason_is_truncated(client, logged):
    stream = logged(io.StringIO())
    assert client.get("/users/?sort=nothing_of_the_sort", headers=AUTH).status_code == 400
    [line] = lines(stream)
    reason = LINE.fullmatch(line)["reason"].strip()
    assert reason.startswith('sort: Unknown sort field "nothing_of_the_sort"')
    assert len(reason) == accesslog.REASON_LENGTH and reason.endswith("…")


@pytest.mark.parametrize(
    "headers",
    [
        AUTH,
        {"Authorization": f"Token {CUSTOMER_KEY}", "Prefer": "code=401"},
        {"Authorization": f"Token {INACTIVE_KEY}"},
        {"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
        {"Authorization": f"Token {STAFF_KEY} extra"},
        {"Authorization": f"Bearer {STAFF_KEY}"},
    ],
    ids=["valid", "forced 401", "inactive", "unknown", "with spaces", "other scheme"],
)
def test_the_authorization_value_is_never_printed(client, logged, capfd, caplog, headers):
    caplog.set_level(logging.DEBUG)
    stream = logged(io.StringIO())
    client.get("/users/?id=abc", headers=headers)
    client.get("/users/1/", headers=headers)
    key = headers["Authorization"].split()[1]
    captured = capfd.readouterr()
    output = stream.getvalue() + captured.out + captured.err + caplog.text
    assert len(lines(stream)) == 2
    assert key not in output and "Authorization" not in output


def test_colour_only_on_a_terminal(client, logged):
    plain = logged(io.StringIO())
    terminal = logged(Terminal())
    client.get("/users/?limit=1", headers=AUTH)
    client.get("/users/?id=abc", headers=AUTH)
    assert "\x1b" not in plain.getvalue()
    ok, bad = lines(terminal)
    assert ok.startswith("\x1b[1mGET\x1b[0m /users/?limit=1 \x1b[32m200\x1b[0m \x1b[2m")
    assert "\x1b[33m400\x1b[0m" in bad and bad.endswith("  id: Enter a number.\x1b[0m")


def test_no_colour_with_no_color(client, logged, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = logged(Terminal())
    client.get("/users/?limit=1", headers=AUTH)
    assert "\x1b" not in terminal.getvalue()


@pytest.mark.parametrize(
    ("status", "colour"),
    [(200, "\x1b[32m"), (301, "\x1b[36m"), (404, "\x1b[33m"), (503, "\x1b[31m")],
    ids=["2xx green", "3xx cyan", "4xx yellow", "5xx red"],
)
def test_status_colours(status, colour):
    record = logging.LogRecord("x", logging.INFO, "", 0, "%s %s %d %.1fms%s", None, None)
    record.args = ("GET", "/users/", status, 1.0, "")
    assert f"{colour}{status}\x1b[0m" in accesslog.AccessFormatter(colour=True).format(record)


def test_control_characters_are_escaped(logged):
    stream = logged(Terminal())
    app = create_app(make_state(users=5))
    raw_get(app, b"/users/?username=\x1b[2J", headers=AUTH)
    [line] = lines(stream)
    assert "\x1b[2J" not in line and "\\x1b[2J" in line


def test_time_is_measured_with_the_clock(logged):
    """The time comes from the injected clock: 12.3 ms between start and end."""
    stream = logged(io.StringIO())
    ticks = iter([100.0, 100.0123])

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def ignore(message):
        pass

    middleware = accesslog.AccessLogMiddleware(app, clock=lambda: next(ticks))
    scope = {"type": "http", "method": "DELETE", "path": "/x/", "query_string": b"a=1"}
    asyncio.run(middleware(scope, None, ignore))
    assert lines(stream) == ["DELETE /x/?a=1 204 12.3ms"]


def test_a_crash_is_logged_as_500(logged):
    stream = logged(io.StringIO())

    async def app(scope, receive, send):
        raise RuntimeError("boom")

    middleware = accesslog.AccessLogMiddleware(app, clock=lambda: 0.0)
    with pytest.raises(RuntimeError):
        asyncio.run(middleware({"type": "http", "method": "GET", "path": "/"}, None, None))
    assert lines(stream) == ["GET / 500 0.0ms"]


def test_quiet_unless_configured(client, capfd, caplog):
    caplog.set_level(logging.WARNING)
    client.get("/users/?limit=1", headers=AUTH)
    captured = capfd.readouterr()
    assert (captured.out, captured.err, caplog.text) == ("", "", "")


def test_access_log_setting_off(logged):
    stream = logged(io.StringIO())
    make_client(make_state(users=5, access_log=False)).get("/users/", headers=AUTH)
    assert stream.getvalue() == ""


@pytest.mark.parametrize(
    ("level", "printed"), [("info", True), ("warning", False)], ids=["info", "warning"]
)
def test_log_level_applies(client, level, printed):
    stream = io.StringIO()
    handler = accesslog.configure(stream, level)
    try:
        client.get("/users/?limit=1", headers=AUTH)
    finally:
        accesslog.LOGGER.removeHandler(handler)
        accesslog.LOGGER.setLevel(logging.NOTSET)
        accesslog.LOGGER.propagate = True
    assert bool(stream.getvalue()) == printed


@pytest.mark.slow
def test_serve_prints_the_access_log_on_stderr_without_the_token():
    """The real CLI: the line is on stderr, plain (not a TTY), and the key is not in it."""
    command = ["serve", "--port", "0", "--users", "10", "--cache-dir", ""]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        banner = process.stdout.readline()
        url = re.search(r"on (http://\S+/users/)", banner)[1]
        request = urllib.request.Request(
            url + "?limit=1", headers={"Authorization": f"Token {CUSTOMER_KEY}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        time.sleep(0.2)  # let the server write its line before it is stopped
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert re.search(r"^GET /users/\?limit=1 200 \d+\.\dms$", err, re.MULTILINE), err
    assert CUSTOMER_KEY not in err and "\x1b" not in err


def test_batched_lines_are_written_within_the_delay_and_in_order():
    """`serve` batches lines when stderr is no terminal; none is lost or reordered."""
    import asyncio
    import io
    import logging as logging_module

    stream = io.StringIO()
    handler = accesslog.BatchingHandler(stream, delay=0.01, batch=3)
    handler.setFormatter(logging_module.Formatter("%(message)s"))

    async def emit_all():
        for n in range(5):
            handler.emit(logging_module.LogRecord("x", 20, "", 0, f"line {n}", None, None))
        written_at_once = stream.getvalue()
        await asyncio.sleep(0.05)  # past the delay: the scheduled flush has run
        return written_at_once

    written_at_once = asyncio.run(emit_all())
    assert written_at_once == "line 0\nline 1\nline 2\n"  # a full batch goes out at once
    assert stream.getvalue() == "".join(f"line {n}\n" for n in range(5))


@pytest.mark.parametrize(
    ("status", "body", "stream_type", "line"),
    [
        (201, b"{}", io.StringIO, "POST /p/?a=1 201 12.3ms"),
        (400, b'{"a": ["Bad."]}', io.StringIO, "POST /p/?a=1 400 12.3ms  a: Bad."),
        (
            404,
            b"{}",
            Terminal,
            "\x1b[1mPOST\x1b[0m /p/?a=1 \x1b[33m404\x1b[0m \x1b[2m12.3ms\x1b[0m\x1b[33m",
        ),
    ],
    ids=["created", "a 400's reason", "coloured"],
)
def test_batched_lines_are_the_lines_of_records(logged, status, body, stream_type, line):
    """`serve`'s batch takes each line without a LogRecord; the same line as a record's,
    and a handler or filter added to the logger gets records again."""

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    async def ignore(message):
        pass

    def run_once() -> None:
        ticks = iter([100.0, 100.0123])
        middleware = accesslog.AccessLogMiddleware(app, clock=lambda: next(ticks))
        scope = {"type": "http", "method": "POST", "path": "/p/", "query_string": b"a=1"}
        asyncio.run(middleware(scope, None, ignore))

    stream = stream_type()
    handler = accesslog.configure(stream, batched=True)
    try:
        assert accesslog._batch_of(accesslog.LOGGER) is handler
        run_once()
        handler.flush()
        seen: list[logging.LogRecord] = []
        collector = logging.Handler()
        collector.emit = seen.append
        accesslog.LOGGER.addHandler(collector)
        assert accesslog._batch_of(accesslog.LOGGER) is None
        run_once()
        handler.flush()
    finally:
        accesslog.LOGGER.removeHandler(handler)
        accesslog.LOGGER.removeHandler(collector)
        accesslog.LOGGER.setLevel(logging.NOTSET)
        accesslog.LOGGER.propagate = True
    assert stream.getvalue().splitlines() == [line, line]
    assert [record.status for record in seen] == [status]
