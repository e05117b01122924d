"""The pytest plugin: the mock as fixtures for a consumer's tests (entry point `pytest11`).

Installed with the package, nothing to enable:

- `mockserver`: a real `mockserver serve` on a free port of 127.0.0.1, started once for
  the session (once per set of options), ready when the test starts. It has `.url`,
  `.token`, `.session`, `.headers`, `.requests(method=, path=, status=)` (the journal) and
  `.reset()`.
- `mockserver_url`: its URL.
- `mockserver_client`: an in-process client (Starlette's TestClient over the app, with the
  token set): no socket, for fast tests.

Each test has its own session: both fixtures send `X-Mock-Session: <a name unique to the
test and the run>` (`.headers` has it for a client of your own), so what one test writes no
other test reads, not even the same test in a parallel CI job on a shared mock. Every test
starts from the generated records; `mockserver.reset()` (or the fixture's `.reset()`) sends
`DELETE /__mock/state` for the test's session, to start from them again mid-test, and the
session is dropped the same way when the test ends.

Options, from the command line or the ini file (`pytest.ini`, `[tool.pytest.ini_options]`):
`--mockserver-spec` / `mockserver_spec`, `--mockserver-seed`, `--mockserver-size`,
`--mockserver-lenient`. A module changes them with
`pytestmark = pytest.mark.mockserver(size=50, lenient=True)`.

`MOCKSERVER_URL=http://host:port` points the fixtures at a mock already running (with
`MOCKSERVER_TOKEN` for its key) instead of starting one.

The plugin changes no warnings filter of the host project and writes only in pytest's own
temporary directory (the dataset cache and the server's log).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

OPTIONS = ("spec", "seed", "size", "lenient")
SESSION_HEADER = "X-Mock-Session"
STATE_PATH = "/__mock/state"
START_TIMEOUT = 60  # seconds until the mock answers /__mock/health
_HELP = {
    "spec": "OpenAPI file the mockserver fixtures serve (default: the packaged Users API)",
    "seed": "seed of the mock's data (default: 42)",
    "size": "records per collection of the mock (default: 100)",
    "lenient": "serve the mock in lenient mode (the real service's quirks)",
}
_DEFAULTS = {"spec": "", "seed": "42", "size": "100", "lenient": "false"}


def pytest_addoption(parser):
    group = parser.getgroup("mockserver", "the mock server's fixtures")
    for name in OPTIONS:
        group.addoption(f"--mockserver-{name}", dest=f"mockserver_{name}", help=_HELP[name])
        parser.addini(f"mockserver_{name}", _HELP[name], default=_DEFAULTS[name])


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mockserver(spec=, seed=, size=, lenient=): the mock's options for this module",
    )


@dataclass
class RunningMock:
    """A mock the fixtures talk to: its URL, a key that works, and the test's session."""

    url: str
    token: str
    session: str = ""

    @property
    def headers(self) -> dict[str, str]:
        """The token, and the session the test's requests read and write."""
        headers = {"Authorization": f"Token {self.token}"}
        if self.session:
            headers[SESSION_HEADER] = self.session
        return headers

    def requests(self, method: str | None = None, path: str | None = None, status=None):
        """The API requests the mock answered in this test's session, oldest first (GET
        /__mock/requests, which records each request's headers)."""
        wanted = {k: v for k, v in (("method", method), ("path", path), ("status", status)) if v}
        query = "?" + urllib.parse.urlencode(wanted) if wanted else ""
        found, page = [], f"{self.url}/__mock/requests{query}"
        while page:  # the journal is read a page at a time
            with urllib.request.urlopen(page, timeout=10) as answer:
                data = json.loads(answer.read())
            found += data["requests"]
            page = data.get("next")
        if not self.session:
            return found
        return [entry for entry in found if session_of(entry) == self.session]

    def reset(self) -> None:
        """Start the test's session again from the generated records (DELETE /__mock/state
        with its header), and forget the requests answered so far (DELETE /__mock/requests)."""
        _delete(f"{self.url}{STATE_PATH}", {SESSION_HEADER: self.session} if self.session else {})
        _delete(f"{self.url}/__mock/requests", {})


def _delete(url: str, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, method="DELETE", headers=headers)
    with urllib.request.urlopen(request, timeout=10):
        pass


def session_of(entry: dict) -> str | None:
    """The session a journal entry's request named, if any.

    >>> session_of({"headers": [["accept", "*/*"], ["x-mock-session", "t-1"]]})
    't-1'
    """
    return next((v for n, v in entry["headers"] if n.lower() == SESSION_HEADER.lower()), None)


def session_name(run: str, nodeid: str) -> str:
    """A session name unique to a test (its node id) and to the pytest run (`run`, random):
    readable, header-safe, and short enough for any store's key.

    >>> session_name("a1b2", "tests/test_shop.py::test_create[json]")
    'a1b2-test_shop.py-test_create-json-c6424bcd'
    >>> len(session_name("a1b2", "x" * 500)) <= 100
    True
    """
    path, sep, rest = nodeid.partition("::")
    short = path.rpartition("/")[2] + sep + rest  # the file's name, not its folders
    readable = re.sub(r"[^A-Za-z0-9._]+", "-", short).strip("-")[-70:]
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:8]
    return f"{run}-{readable}-{digest}"


# The reset of the test running now, for `mockserver.reset()`; set by the fixture a test
# uses, cleared when it ends (pytest runs one test at a time in a process).
_current_reset: list = []


def reset() -> None:
    """Start this test's session of the mock again from its generated records.

    Needs the `mockserver` or `mockserver_client` fixture in the running test.
    """
    if not _current_reset:
        raise RuntimeError("mockserver.reset() needs the mockserver or mockserver_client fixture")
    _current_reset[-1]()


class _Process:
    """`python -m mockserver serve` on a free port; stopped by its PID."""

    def __init__(self, options: dict, workdir: Path):
        self.token = secrets.token_hex(20)
        self.log = workdir / "mockserver.log"
        command = [
            sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", "0",
            "--seed", str(options["seed"]), "--size", str(options["size"]),
            "--token", self.token, "--cache-dir", str(workdir / "cache"), "--no-access-log",
        ]  # fmt: skip
        if options["spec"]:
            command += ["--spec", str(options["spec"])]
        if options["lenient"]:
            command.append("--lenient")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self.url = self._wait()

    def _wait(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            if self.process.poll() is not None:
                raise RuntimeError(f"mockserver exited ({self.process.returncode}):\n{text}")
            found = re.search(r" on (http://[\d.]+:\d+)", text)
            if found and _healthy(found[1]):
                return found[1]
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"mockserver did not answer within {START_TIMEOUT}s:\n{text}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/__mock/health", timeout=1) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _options(config, marker) -> dict:
    """The mock's options: the marker's, else the command line's, else the ini file's."""
    options = {}
    for name in OPTIONS:
        value = config.getoption(f"mockserver_{name}") or config.getini(f"mockserver_{name}")
        if marker is not None and name in marker.kwargs:
            value = marker.kwargs[name]
        options[name] = value
    lenient = options["lenient"]
    options["lenient"] = lenient if isinstance(lenient, bool) else str(lenient) in ("1", "true")
    if options["spec"]:
        options["spec"] = str(Path(str(options["spec"])).resolve())
    return options


@pytest.fixture(scope="session")
def _mockserver_pool(tmp_path_factory):
    """The mocks started in this session, one per set of options; stopped at its end."""
    started: dict[tuple, _Process] = {}

    def get(options: dict) -> _Process:
        key = tuple(sorted(options.items()))
        if key not in started:
            started[key] = _Process(options, tmp_path_factory.mktemp("mockserver"))
        return started[key]

    yield get
    for process in started.values():
        process.stop()


@pytest.fixture(scope="session")
def _mockserver_run() -> str:
    """This pytest run's part of every session name: two runs never share a session."""
    return secrets.token_hex(4)


@pytest.fixture(scope="module")
def _mockserver_running(request, _mockserver_pool) -> RunningMock:
    outside = os.environ.get("MOCKSERVER_URL")
    if outside:
        return RunningMock(outside.rstrip("/"), os.environ.get("MOCKSERVER_TOKEN", ""))
    marker = request.node.get_closest_marker("mockserver")
    process = _mockserver_pool(_options(request.config, marker))
    return RunningMock(process.url, process.token)


@pytest.fixture
def mockserver(request, _mockserver_running, _mockserver_run):
    """A running mock in this test's own session: `.url`, `.token`, `.session`, `.headers`,
    `.requests(...)`, `.reset()`."""
    session = session_name(_mockserver_run, request.node.nodeid)
    running = RunningMock(_mockserver_running.url, _mockserver_running.token, session)
    _current_reset.append(running.reset)
    yield running
    _current_reset.remove(running.reset)
    _drop_session(running)


def _drop_session(running: RunningMock) -> None:
    """The finished test's session, dropped so that a long run does not pile them up; a mock
    without sessions to drop (an older one) is no failure of the test."""
    with contextlib.suppress(urllib.error.URLError, OSError):
        _delete(f"{running.url}{STATE_PATH}", {SESSION_HEADER: running.session})


@pytest.fixture(scope="module")
def mockserver_url(_mockserver_running) -> str:
    return _mockserver_running.url


@pytest.fixture(scope="module")
def _mockserver_app_client(request):
    """The app in this process, behind Starlette's TestClient, the token set."""
    from mockserver import state
    from mockserver.http.app import create_app
    from mockserver.settings import Settings

    with warnings.catch_warnings():  # Starlette's note on its HTTP client, for this import only
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    options = _options(request.config, request.node.get_closest_marker("mockserver"))
    token = secrets.token_hex(20)
    settings = Settings(
        spec=options["spec"],
        seed=int(options["seed"]),
        size=int(options["size"]),
        lenient=options["lenient"],
        token=(token,),
        cache_dir="",
        access_log=False,
    )
    app = create_app(state.load(settings))
    with TestClient(app, headers={"Authorization": f"Token {token}"}) as client:
        yield client


@pytest.fixture
def mockserver_client(request, _mockserver_app_client, _mockserver_run):
    """The in-process client, sending this test's session on every request."""
    client = _mockserver_app_client
    session = session_name(_mockserver_run, request.node.nodeid)
    client.headers[SESSION_HEADER] = session

    def reset() -> None:
        client.delete(STATE_PATH, headers={SESSION_HEADER: session})

    _current_reset.append(reset)
    yield client
    _current_reset.remove(reset)
    reset()
    del client.headers[SESSION_HEADER]
