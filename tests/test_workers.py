"""`--workers N`: several processes serve identical data (compared across workers)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
PATHS = ["/users/?limit=5&sort=-date_joined", "/users/7/", "/users/?groups=2&is_active=true"]


@pytest.fixture
def two_workers(tmp_path):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--port",
            "0",
            "--workers",
            "2",
            "--users",
            "300",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-access-log",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = _printed_url(process)
        assert url, f"no URL printed; stderr: {process.stderr.read() if process.poll() else ''}"
        _wait_ready(url)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)  # also closes the pipes
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def _printed_url(process: subprocess.Popen) -> str | None:
    """The URL the server prints on its output, within 60 s; None if it ends first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            return None
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    return None


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/users/?limit=1", headers=_auth(), timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("workers never answered")


def _auth() -> dict[str, str]:
    return {"Authorization": f"Token {TOKEN}"}


@pytest.mark.slow
def test_every_worker_serves_the_same_bytes(two_workers):
    seen: dict[str, dict[str, bytes]] = {}
    for _ in range(300):  # bounded: new connections until both workers have answered all
        for path in PATHS:
            with httpx.Client(timeout=10) as client:  # a new connection each time
                response = client.get(two_workers + path, headers=_auth())
            assert response.status_code == 200
            worker = response.headers["x-mockserver-worker"]
            seen.setdefault(worker, {})[path] = response.content
        if len(seen) >= 2 and all(len(bodies) == len(PATHS) for bodies in seen.values()):
            break
    assert len(seen) >= 2, f"only worker(s) {list(seen)} answered"
    answers = list(seen.values())
    for other in answers[1:]:
        common = set(answers[0]) & set(other)
        assert common
        for path in common:
            assert other[path] == answers[0][path], path


@pytest.mark.slow
def test_workers_serve_when_the_server_is_pid_1():
    """As a container's command (`docker run ... mockserver serve --workers 2`), the server
    is pid 1. Its workers took a parent of pid 1 for init having adopted them, and stopped
    as soon as they started: nothing answered. Here the server runs as pid 1 of a pid
    namespace of its own (util-linux's unshare, as root)."""
    process = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child=SIGTERM",
         sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2",
         "--users", "50", "--cache-dir", "", "--no-access-log", "--token", TOKEN],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = _printed_url(process)
        assert url, "no URL printed"
        _wait_ready(url)
        workers = set()
        for _ in range(100):
            with httpx.Client(timeout=10) as client:  # a new connection each time
                response = client.get(url + "/users/?limit=1", headers=_auth())
            assert response.status_code == 200
            workers.add(response.headers["x-mockserver-worker"])
            if len(workers) == 2:
                break
        assert len(workers) == 2, workers
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
