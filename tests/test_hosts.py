"""The served stack's front door (mockserver/http/hosts.py), over real sockets to a real
`mockserver serve`: the Hosts it answers for (issue 16, item 20), no WebSocket and no 500
for odd Swagger UI names (item 5)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
from helpers_api import STAFF_KEY
from helpers_server import MockServer

from mockserver.http import hosts

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[tuple[str, int], MockServer]]:
    mock = MockServer("--users", "5", "--allowed-host", ".corp.test", "--no-access-log").wait()
    host, port = mock.origin.removeprefix("http://").rsplit(":", 1)
    try:
        yield (host, int(port)), mock
    finally:
        mock.stop()


def ask(address, target: bytes, *headers: bytes) -> tuple[int, bytes]:
    """One request with `headers` (Host among them, or none); the status and the body."""
    head = b"GET " + target + b" HTTP/1.1\r\n" + b"".join(headers)
    with socket.create_connection(address, timeout=10) as sock:
        close = b"" if b"Upgrade: websocket\r\n" in headers else b"Connection: close\r\n"
        sock.sendall(
            head + b"Authorization: Token " + STAFF_KEY.encode() + b"\r\n" + close + b"\r\n"
        )
        raw = b""
        while block := sock.recv(65536):
            raw += block
    status = int(raw.split(b" ", 2)[1])
    return status, raw.partition(b"\r\n\r\n")[2]


INVALID = "Invalid HTTP_HOST header: {!r}. You may need to add {!r} to --allowed-host."


@pytest.mark.parametrize(
    ("host", "status", "detail"),
    [
        pytest.param(b"127.0.0.1:8000", 200, None, id="the bound address"),
        pytest.param(b"localhost:3000", 200, None, id="localhost, any port"),
        pytest.param(b"app.localhost", 200, None, id="a subdomain of localhost"),
        pytest.param(b"[::1]:8000", 200, None, id="IPv6 loopback"),
        pytest.param(b"10.1.2.3:8000", 200, None, id="an IP address cannot be rebound"),
        pytest.param(b"api.corp.test", 200, None, id="an --allowed-host subdomain"),
        pytest.param(None, 200, None, id="no Host at all"),
        pytest.param(
            b"evil.test:8000",
            400,
            INVALID.format("evil.test:8000", "evil.test"),
            id="a rebinding page's name: 400",
        ),
        pytest.param(
            b"LOCALHOST.evil.test",
            400,
            INVALID.format("LOCALHOST.evil.test", "localhost.evil.test"),
            id="localhost as a prefix only: 400",
        ),
        pytest.param(
            b"a b",
            400,
            "Invalid HTTP_HOST header: 'a b'. The domain name provided is not valid according "
            "to RFC 1034/1035.",
            id="no host name at all: 400",
        ),
    ],
)
def test_only_the_hosts_the_server_answers_for_are_answered(server, host, status, detail):
    """Issue 16, item 20: any Host was answered, so a DNS-rebinding page could read the
    journal and the keys of /ui/. As Django's ALLOWED_HOSTS: 400 naming the Host."""
    address, _ = server
    for target in (b"/users/?limit=1", b"/ui/", b"/__mock/requests"):
        got, body = ask(address, target, *([b"Host: " + host + b"\r\n"] if host else []))
        assert got == status, target
        if detail is not None:
            assert json.loads(body) == {"detail": detail}


UPGRADE = (
    b"Host: 127.0.0.1\r\n",
    b"Connection: Upgrade\r\n",
    b"Upgrade: websocket\r\n",
    b"Sec-WebSocket-Version: 13\r\n",
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n",
)


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        pytest.param(b"/users/", UPGRADE, id="a WebSocket upgrade on an API path"),
        pytest.param(b"/nowhere", UPGRADE, id="a WebSocket upgrade elsewhere"),
        pytest.param(b"/ui/%00", (b"Host: 127.0.0.1\r\n",), id="/ui/ and a NUL"),
        pytest.param(b"/ui/" + b"a" * 300, (b"Host: 127.0.0.1\r\n",), id="/ui/ and 300 chars"),
        pytest.param(b"/ui/a/" * 700, (b"Host: 127.0.0.1\r\n",), id="/ui/ and a deep path"),
    ],
)
def test_odd_requests_are_404_not_500(server, target, headers):
    """Issue 16, item 5: each of these was a 500 (with a traceback for /ui/)."""
    address, mock = server
    status, body = ask(address, target, *headers)
    assert (status, json.loads(body)) == (404, {"detail": "Not found."})
    assert "Traceback" not in mock.output


def test_allowed_hosts_as_django_matches_them():
    patterns = ("localhost", ".localhost", "0.0.0.0", "mock")
    names = ["mock", "mock.", "api.mock", "localhost.", "x.localhost", "evil.test", "*"]
    found = [bool(hosts.split_host(n)[0]) and hosts.allowed(hosts.split_host(n)[0], patterns)
             for n in names]  # fmt: skip
    assert found == [True, True, False, True, True, False, False]
    assert hosts.allowed("anything.test", ("*",))


def test_a_refused_head_is_answered_without_a_body(server):
    """RFC 9110, 9.3.2: the answer to HEAD has no content, a refusal's included (the
    protocol answers it, and closes, before any app runs)."""
    address, _ = server
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(b"HEAD /users/ HTTP/1.1\r\nHost: evil.test\r\n\r\n")
        raw = b""
        while block := sock.recv(65536):
            raw += block
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"connection: close" in head.lower() and body == b""
