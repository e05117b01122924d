"""The pytest plugin, as a consumer project uses it, run by pytest's own `pytester`."""

from __future__ import annotations

import http.server
import re
import threading
from typing import ClassVar

import pytest
from helpers_server import MockServer

import mockserver
from mockserver.tools import pytest_plugin
from mockserver.tools.pytest_plugin import RunningMock

pytest_plugins = ["pytester"]

CONSUMER = """
import warnings

import httpx


def test_list(mockserver):
    answer = httpx.get(f"{mockserver.url}/users/?limit=2", headers=mockserver.headers)
    assert answer.status_code == 200
    assert answer.json()["count"] == EXPECTED


def test_the_journal_saw_it_in_the_session_of_the_test(mockserver, mockserver_url):
    assert mockserver_url == mockserver.url
    httpx.get(f"{mockserver.url}/users/?limit=1", headers=mockserver.headers)
    seen = mockserver.requests(path="/users/")
    # Only this test's request: test_list's was in a session of its own.
    assert [(r["method"], r["query"], r["status"]) for r in seen] == [("GET", "limit=1", 200)]
    assert all(name != "authorization" for r in seen for name, _ in r["headers"])
    assert ["x-mock-session", mockserver.session] in seen[0]["headers"]
    assert mockserver.headers["X-Mock-Session"] == mockserver.session


SESSIONS = set()


def test_each_test_has_its_own_session(mockserver):
    SESSIONS.add(mockserver.session)


def test_each_test_has_its_own_session_too(mockserver):
    assert mockserver.session not in SESSIONS and len(SESSIONS) == 1


def test_no_filter_was_added_by_the_plugin():
    assert not [f for f in warnings.filters if "starlette" in str(f[1]) or "httpx" in str(f[1])]
"""
PASSED = 5  # the tests of CONSUMER


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", *args)


@pytest.mark.slow
def test_a_session_mock_with_the_ini_options(pytester):
    pytester.makeini("[pytest]\nmockserver_size = 7\nmockserver_seed = 3\n")
    pytester.makepyfile(test_consumer=CONSUMER.replace("EXPECTED", "7"))
    before = {p.name for p in pytester.path.iterdir()}
    result = run(pytester)
    result.assert_outcomes(passed=PASSED)
    # Nothing written beside the project's own files: the mock's cache and log are in
    # pytest's temporary directory (`runpytest-0`, with pytester's own `stdout`/`stderr`;
    # pytest-benchmark, installed here, makes `.benchmarks`).
    new = {p.name for p in pytester.path.iterdir()} - before
    assert new <= {"runpytest-0", "runpytest-current", "stdout", "stderr", ".benchmarks"}, new
    written = [p.name for p in (pytester.path / "runpytest-0").rglob("*")]
    assert "mockserver.log" in written and "cache" in written


@pytest.mark.slow
def test_command_line_options_and_a_module_marker(pytester):
    pytester.makepyfile(
        test_default=CONSUMER.replace("EXPECTED", "12"),
        test_marked="import pytest\npytestmark = pytest.mark.mockserver(size=6)\n"
        + CONSUMER.replace("EXPECTED", "6"),
    )
    result = run(pytester, "--mockserver-size", "12")
    result.assert_outcomes(passed=2 * PASSED)


@pytest.mark.slow
def test_the_in_process_client(pytester):
    pytester.makepyfile(
        test_fast="""
import pytest

pytestmark = pytest.mark.mockserver(size=9, lenient=True)


def test_in_process(mockserver_client):
    assert mockserver_client.get("/users/").json()["count"] == 9
    assert mockserver_client.get("/users/?format=json").status_code == 200  # lenient


SEEN = []


@pytest.mark.parametrize("case", ["first", "second"])
def test_every_request_names_the_test_session(mockserver_client, case):
    mockserver_client.get("/users/?limit=1")
    entries = mockserver_client.get("/__mock/requests?path=/users/").json()["requests"]
    sessions = [dict(entry["headers"]).get("x-mock-session") for entry in entries]
    SEEN.append(sessions[-1])
    assert sessions[-1].endswith(tuple("0123456789abcdef")) and case in sessions[-1]
    assert len(set(SEEN)) == len(SEEN)  # the second test's is another
"""
    )
    run(pytester).assert_outcomes(passed=3)


@pytest.mark.slow
def test_an_already_running_mock_from_the_environment(pytester, monkeypatch):
    running = MockServer("--size", "5", "--token", "f" * 40).wait()
    try:
        monkeypatch.setenv("MOCKSERVER_URL", running.origin)
        monkeypatch.setenv("MOCKSERVER_TOKEN", "f" * 40)
        pytester.makepyfile(
            test_remote=f'''
def test_remote(mockserver):
    assert mockserver.url == "{running.origin}" and mockserver.token == "{"f" * 40}"
'''
            + CONSUMER.replace("EXPECTED", "5")
        )
        run(pytester).assert_outcomes(passed=PASSED + 1)
    finally:
        running.stop()


# -- reset: DELETE /__mock/state for the test's session ----------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """A server that answers 204 to anything and writes down what it was sent."""

    seen: ClassVar[list] = []

    def do_DELETE(self):
        self.seen.append(("DELETE", self.path, self.headers.get("X-Mock-Session")))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("session", "header"), [("run1-test_a-0f", "run1-test_a-0f"), ("", None)], ids=["test", "none"]
)
def test_reset_deletes_the_session_state_and_the_journal(recorder, session, header):
    url, seen = recorder
    RunningMock(url, "t" * 40, session).reset()
    assert seen == [("DELETE", "/__mock/state", header), ("DELETE", "/__mock/requests", None)]


def test_the_package_reset_resets_the_running_test_session(recorder):
    url, seen = recorder
    running = RunningMock(url, "t" * 40, "run1-test_b-1a")
    pytest_plugin._current_reset.append(running.reset)
    try:
        mockserver.reset()
    finally:
        pytest_plugin._current_reset.remove(running.reset)
    assert seen[0] == ("DELETE", "/__mock/state", "run1-test_b-1a")
    with pytest.raises(RuntimeError, match="needs the mockserver"):
        mockserver.reset()


@pytest.mark.parametrize(
    ("nodeid", "expected"),
    [
        ("tests/test_shop.py::test_create", "r-test_shop.py-test_create-"),
        ("t.py::test_x[a b/c]", "r-t.py-test_x-a-b-c-"),
        ("t.py::T::test_ü", "r-t.py-T-test_-"),
    ],
    ids=["plain", "parameters", "non-ascii"],
)
def test_session_names_are_header_safe_and_unique(nodeid, expected):
    name = pytest_plugin.session_name("r", nodeid)
    assert name.startswith(expected) and re.fullmatch(r"[A-Za-z0-9._-]+", name)
    assert name != pytest_plugin.session_name("r", nodeid + "x")
    assert name != pytest_plugin.session_name("s", nodeid)
