"""The pytest plugin: the mock as fixtures for a consumer's tests (entry point `pytest11`).

Installed with the package, nothing to enable:

- `mockserver`: a real `mockserver serve` on a free port of 127.0.0.1, started once for
  the session (once per set of options), ready when the test starts. It has `.url`,
  `.token`, `.headers`, `.requests(method=, path=, status=)` (the journal) and `.reset()`.
- `mockserver_url`: its URL.
- `mockserver_client`: an in-process client (Starlette's TestClient over the app, with the
  token set): no socket, for fast tests.

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
    """A mock the fixtures talk to: its URL and a key that works."""

    url: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}

    def requests(self, method: str | None = None, path: str | None = None, status=None):
        """The API requests the mock answered, oldest first (GET /__mock/requests)."""
        wanted = {k: v for k, v in (("method", method), ("path", path), ("status", status)) if v}
        query = "?" + urllib.parse.urlencode(wanted) if wanted else ""
        with urllib.request.urlopen(f"{self.url}/__mock/requests{query}", timeout=10) as answer:
            return json.loads(answer.read())["requests"]

    def reset(self) -> None:
        """Forget the requests answered so far (DELETE /__mock/requests)."""
        request = urllib.request.Request(f"{self.url}/__mock/requests", method="DELETE")
        with urllib.request.urlopen(request, timeout=10):
            pass


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


@pytest.fixture(scope="module")
def mockserver(request, _mockserver_pool) -> RunningMock:
    """A running mock: `.url`, `.token`, `.headers`, `.requests(...)`, `.reset()`."""
    outside = os.environ.get("MOCKSERVER_URL")
    if outside:
        return RunningMock(outside.rstrip("/"), os.environ.get("MOCKSERVER_TOKEN", ""))
    marker = request.node.get_closest_marker("mockserver")
    process = _mockserver_pool(_options(request.config, marker))
    return RunningMock(process.url, process.token)


@pytest.fixture(scope="module")
def mockserver_url(mockserver) -> str:
    return mockserver.url


@pytest.fixture(scope="module")
def mockserver_client(request):
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
