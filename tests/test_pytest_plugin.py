"""The pytest plugin, as a consumer project uses it, run by pytest's own `pytester`."""

from __future__ import annotations

import pytest
from helpers_server import MockServer

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow

CONSUMER = """
import warnings

import httpx


def test_list(mockserver):
    answer = httpx.get(f"{mockserver.url}/users/?limit=2", headers=mockserver.headers)
    assert answer.status_code == 200
    assert answer.json()["count"] == EXPECTED


def test_the_journal_saw_it_and_reset_forgets(mockserver, mockserver_url):
    assert mockserver_url == mockserver.url
    seen = mockserver.requests(path="/users/")
    assert [(r["method"], r["query"], r["status"]) for r in seen] == [("GET", "limit=2", 200)]
    assert all(name != "authorization" for r in seen for name, _ in r["headers"])
    mockserver.reset()
    assert mockserver.requests() == []


def test_no_filter_was_added_by_the_plugin():
    assert not [f for f in warnings.filters if "starlette" in str(f[1]) or "httpx" in str(f[1])]
"""


def run(pytester, *args):
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", *args)


def test_a_session_mock_with_the_ini_options(pytester):
    pytester.makeini("[pytest]\nmockserver_size = 7\nmockserver_seed = 3\n")
    pytester.makepyfile(test_consumer=CONSUMER.replace("EXPECTED", "7"))
    before = {p.name for p in pytester.path.iterdir()}
    result = run(pytester)
    result.assert_outcomes(passed=3)
    # Nothing written beside the project's own files: the mock's cache and log are in
    # pytest's temporary directory (`runpytest-0`, with pytester's own `stdout`/`stderr`;
    # pytest-benchmark, installed here, makes `.benchmarks`).
    new = {p.name for p in pytester.path.iterdir()} - before
    assert new <= {"runpytest-0", "runpytest-current", "stdout", "stderr", ".benchmarks"}, new
    written = [p.name for p in (pytester.path / "runpytest-0").rglob("*")]
    assert "mockserver.log" in written and "cache" in written


def test_command_line_options_and_a_module_marker(pytester):
    pytester.makepyfile(
        test_default=CONSUMER.replace("EXPECTED", "12"),
        test_marked="import pytest\npytestmark = pytest.mark.mockserver(size=6)\n"
        + CONSUMER.replace("EXPECTED", "6"),
    )
    result = run(pytester, "--mockserver-size", "12")
    result.assert_outcomes(passed=6)


def test_the_in_process_client(pytester):
    pytester.makepyfile(
        test_fast="""
import pytest

pytestmark = pytest.mark.mockserver(size=9, lenient=True)


def test_in_process(mockserver_client):
    assert mockserver_client.get("/users/").json()["count"] == 9
    assert mockserver_client.get("/users/?format=json").status_code == 200  # lenient
"""
    )
    run(pytester).assert_outcomes(passed=1)


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
        run(pytester).assert_outcomes(passed=4)
    finally:
        running.stop()
