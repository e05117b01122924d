"""`mockserver proxy` in front of a real DRF service: it forwards, and names what breaks the
contract in a header, in its report, and with --fail-on-violation as a 502."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest
from helpers_server import ROOT, cli_env
from helpers_users_drf import UsersService, mock_export

pytestmark = pytest.mark.slow

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
                httpx.get(self.url + "/users/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        self.process.stderr.close()


@pytest.fixture(scope="module")
def records():
    return mock_export(30)


@pytest.fixture(scope="module")
def service(records):
    with UsersService(records, TOKEN) as running:
        yield running


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
