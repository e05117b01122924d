"""`mockserver proxy` in front of a real DRF service: it forwards, and names what breaks the
contract in a header, in its report, and with --fail-on-violation as a 502. In front of a
hostile or broken upstream (issue 16, items 15-19), it answers its client in DRF's JSON
shape, in time, within a bounded memory, and forwards the request target as it came."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from helpers_hostile import EMPTY_PAGE, Hostile, answer, gzip_bomb, page, peak_rss, trickle
from helpers_server import ROOT, cli_env
from helpers_users_drf import UsersService, mock_export

TOKEN = "0123456789abcdef0123456789abcdef01234567"
AUTH = {"Authorization": f"Token {TOKEN}"}
HEADER = "x-mockserver-violations"


class Proxy:
    """`mockserver proxy --upstream URL --port 0 ...` as a subprocess, stopped by its PID."""

    def __init__(self, upstream: str, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "proxy", "--upstream", upstream,
             "--port", "0", *args],
            cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        line = self.process.stderr.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)/ -> ", line)
        assert found, line
        self.url = found[1]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", int(self.url.rpartition(":")[2])), 1).close()
                break
            except OSError:
                time.sleep(0.05)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()


@pytest.fixture(scope="module")
def records():
    return mock_export(30)


@pytest.fixture(scope="module")
def service(records):
    with UsersService(records, TOKEN) as running:
        yield running


@pytest.mark.slow
def test_it_forwards_and_a_kept_contract_has_no_violation(service, tmp_path):
    report = tmp_path / "violations.jsonl"
    proxy = Proxy(service.url, "--report", str(report))
    try:
        through = httpx.get(f"{proxy.url}/users/?limit=2&is_active=true", headers=AUTH)
        direct = httpx.get(f"{service.url}/users/?limit=2&is_active=true", headers=AUTH)
        assert (through.status_code, through.content) == (200, direct.content)
        assert HEADER not in through.headers
        unauthorized = httpx.get(f"{proxy.url}/users/")
        assert unauthorized.status_code == 401 and HEADER not in unauthorized.headers
        assert not report.exists()
    finally:
        proxy.stop()


@pytest.mark.slow
def test_a_request_outside_the_contract_is_named(service, tmp_path):
    report = tmp_path / "violations.jsonl"
    proxy = Proxy(service.url, "--report", str(report))
    try:
        answer = httpx.get(f"{proxy.url}/users/?nope=1&limit=abc", headers=AUTH)
        assert answer.status_code == 200  # the service ignores both; the contract does not
        named = answer.headers[HEADER]
        assert "query parameter 'nope' is not in the contract" in named
        assert "limit='abc' is outside its schema" in named
        lines = [json.loads(line) for line in report.read_text().splitlines()]
        assert [entry["request"] for entry in lines] == ["GET /users/?nope=1&limit=abc"]
        assert TOKEN not in report.read_text()
    finally:
        proxy.stop()


@pytest.mark.slow
def test_a_broken_answer_is_named_and_with_fail_on_violation_is_a_502(records, service):
    with UsersService(records, TOKEN, mutant="field_type", db=service.db) as broken:
        proxy = Proxy(broken.url)
        strict = Proxy(broken.url, "--fail-on-violation")
        try:
            answer = httpx.get(f"{proxy.url}/users/3/", headers=AUTH)
            assert answer.status_code == 200 and answer.json()["id"] == "3"
            assert answer.headers[HEADER].startswith("schema: 200 body at 'id'")
            failed = httpx.get(f"{strict.url}/users/3/", headers=AUTH)
            assert failed.status_code == 502
            body = failed.json()
            assert body["detail"] == "The answer breaks the contract."
            assert body["violations"][0].startswith("schema: 200 body at 'id'")
        finally:
            proxy.stop()
            strict.stop()


# -- a hostile or broken upstream (issue 16) -------------------------------------------------


def raw_get(url: str, target: str, timeout: float = 30) -> tuple[int, dict, bytes]:
    """GET `target` byte for byte over a socket (no client library to tidy it up):
    (status, headers, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout) as connection:
        connection.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "body, status, named",
    [
        pytest.param(
            answer(200, b"<html><body>Server Error</body></html>"), 502,
            "body: 200 body is not JSON (Expecting value: line 1 column 1 (char 0))",
            id="an HTML body said to be JSON",
        ),
        pytest.param(
            answer(200, b'{"count": 0, "results": ['), 502,
            "body: 200 body is not JSON (Expecting value: line 1 column 26 (char 25))",
            id="truncated JSON",
        ),
        pytest.param(
            page(results="abc"), 200,
            """schema: 200 body at 'results': "abc" is not of type "array\"""",
            id="results not a list: a schema violation, forwarded and named",
        ),
    ],
)  # fmt: skip
def test_15_a_broken_body_is_a_json_answer_and_a_reported_violation(body, status, named, tmp_path):
    report = tmp_path / "violations.jsonl"
    with Hostile(lambda handler, target: body) as service:
        proxy = Proxy(service.url, "--report", str(report))
        try:
            through = httpx.get(f"{proxy.url}/users/", headers=AUTH)
        finally:
            proxy.stop()
    assert through.status_code == status
    assert through.headers[HEADER] == named
    if status == 502:
        assert through.headers["content-type"] == "application/json"
        assert through.json() == {
            "detail": "The upstream's answer is unreadable.",
            "violations": [named],
        }
    [line] = report.read_text().splitlines()
    assert json.loads(line)["violations"] == [named]


def test_16_a_trickled_body_is_a_504_at_the_timeout(tmp_path):
    with Hostile(lambda handler, target: trickle(handler, every=1.0)) as service:
        proxy = Proxy(service.url, "--timeout", "3")
        try:
            started = time.monotonic()
            through = httpx.get(f"{proxy.url}/users/", headers=AUTH, timeout=30)
            took = time.monotonic() - started
        finally:
            proxy.stop()
    assert through.status_code == 504
    assert through.json() == {
        "detail": "The upstream did not answer in time.",
        "violations": ["timeout: no whole answer within 3 s (--timeout)"],
    }
    assert 3 <= took < 4.5, took


def test_16_sigterm_with_a_request_in_flight_stops_within_the_graceful_timeout():
    with Hostile(lambda handler, target: trickle(handler, every=1.0)) as service:
        proxy = Proxy(service.url, "--timeout", "60", "--graceful-timeout", "1")
        answered: list[int] = []

        def ask():
            try:
                answered.append(httpx.get(f"{proxy.url}/users/", timeout=30).status_code)
            except httpx.TransportError:
                answered.append(0)

        client = threading.Thread(target=ask)
        client.start()
        time.sleep(1)
        started = time.monotonic()
        proxy.process.send_signal(signal.SIGTERM)
        try:
            code = proxy.process.wait(timeout=20)
        finally:
            took = time.monotonic() - started
            proxy.stop()
            client.join(30)
    assert code == 0
    assert took < 1 + 2, took
    assert answered and answered[0] in (0, 500), answered  # cut, as uvicorn cuts a request


@pytest.mark.slow
def test_17_a_gzip_bomb_is_a_502_at_the_body_bound():
    bomb = answer(200, gzip_bomb(1 << 30), Content_Encoding="gzip")
    with Hostile(lambda handler, target: bomb) as service:
        proxy = Proxy(service.url)
        done = threading.Event()
        peaks: list[int] = []
        watcher = threading.Thread(target=lambda: peaks.append(peak_rss(proxy.process, done)))
        watcher.start()
        try:
            through = httpx.get(f"{proxy.url}/users/", headers=AUTH, timeout=60)
        finally:
            time.sleep(0.1)
            done.set()
            watcher.join()
            proxy.stop()
    print(f"proxy, a body of 1024 MB decoded: peak RSS {peaks[0]} MB")
    assert through.status_code == 502
    assert through.json()["violations"] == [
        "body: the body is past 16,777,216 bytes decoded (--max-body)"
    ]
    assert len(through.content) < 1000
    assert peaks[0] < 200, peaks


@pytest.mark.slow
def test_a_request_body_past_max_body_is_413_and_never_sent_on():
    """The proxy holds a body whole to forward it: past --max-body (1 MB here) it answers
    413 at once, in DRF's shape, and the upstream hears nothing of it."""
    with Hostile(_echo) as service:
        proxy = Proxy(service.url, "--max-body", "1MB")
        try:
            through = httpx.post(f"{proxy.url}/users/", content=b"x" * (2 << 20), headers=AUTH)
            kept = httpx.post(f"{proxy.url}/users/", content=b"{}", headers=AUTH)
        finally:
            proxy.stop()
    assert (through.status_code, through.json()) == (
        413,
        {"detail": "The request's body is past 1,048,576 bytes (--max-body)."},
    )
    assert kept.status_code == 200 and service.targets == ["/users/"]


def _echo(handler, target):
    """The request target exactly as it arrived, as JSON."""
    return answer(200, json.dumps({"target": target}).encode())


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("/users/..%2F..%2Fsecret", id="an encoded slash stays in its segment"),
        pytest.param("/users/%3Fis_staff=true", id="an encoded ? is no query"),
        pytest.param("/users/%0d%0aX-Injected:%201", id="an encoded CRLF is no header"),
        pytest.param("/users/?search=a%26b&email=x%2By%40z", id="the query as it came"),
        pytest.param("/users/caf%C3%A9/", id="UTF-8 in the path"),
    ],
)
def test_18_the_request_target_is_forwarded_as_received(target):
    with Hostile(_echo) as service:
        proxy = Proxy(service.url)
        try:
            status, _, body = raw_get(proxy.url, target)
        finally:
            proxy.stop()
    assert status == 200, body
    assert json.loads(body) == {"target": target}
    assert service.targets == [target]


@pytest.mark.parametrize(
    "content_type, named",
    [
        pytest.param(
            "text/plain",
            "header: 200 with Content-Type 'text/plain', the contract documents application/json",
            id="JSON as text/plain",
        ),
        pytest.param(
            "text/html",
            "header: 200 with Content-Type 'text/html', the contract documents application/json",
            id="a 200 as text/html",
        ),
    ],
)
def test_19_a_wrong_content_type_is_a_violation(content_type, named):
    body = json.dumps(EMPTY_PAGE).encode()
    with Hostile(lambda handler, target: answer(200, body, content_type)) as service:
        proxy = Proxy(service.url)
        try:
            through = httpx.get(f"{proxy.url}/users/", headers=AUTH)
        finally:
            proxy.stop()
    assert through.status_code == 200
    assert through.headers[HEADER] == named
