"""A real Django REST Framework service (tests/drfservice) on a free port, loaded with exports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml
from helpers_api import ROOT, cli_env
from helpers_server import MockServer

SERVICE_DIR = Path(__file__).resolve().parent / "drfservice"
START_TIMEOUT = 30  # seconds until the server answers
STOP_TIMEOUT = 5  # seconds between SIGTERM and SIGKILL
PORT_ATTEMPTS = 3  # another free port when the one picked was taken meanwhile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DjangoService:
    """A Django project of the tests run with `manage.py runserver` on a free port, its
    database and log in a temporary directory removed on exit; stopped by its PID.

    A subclass says where the project is (`directory`, `settings`, `db_variable`), which path
    answers once it is up (`probe`), and how its database is filled (`_load`).
    """

    directory: Path
    settings: str
    db_variable: str
    probe: str
    name = "the DRF service"

    def __init__(self, token: str, template: Path | None = None, extra_env=None):
        self.token = token
        self.template = template  # a database to copy instead of migrating and loading
        self.extra_env = dict(extra_env or {})
        self.url = ""
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def headers(self) -> dict[str, str]:
        """The Authorization header of the token."""
        return {"Authorization": f"Token {self.token}"}

    @property
    def log(self) -> str:
        """What the server printed so far."""
        path = self.tmp / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.directory.name}-"))
        self.db = self.tmp / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings,
            self.db_variable: str(self.db),
            "PYTHONDONTWRITEBYTECODE": "1",  # nothing written inside the repository
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        try:
            if self.template is None:
                self._load()
            else:
                shutil.copyfile(self.template, self.db)
            self._start()
        except BaseException:
            self._stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _load(self) -> None:
        raise NotImplementedError

    def _manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")

    def _start(self) -> None:
        self._log = open(self.tmp / "server.log", "ab")  # noqa: SIM115 (closed by _stop)
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=self.directory,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            self.url = f"http://127.0.0.1:{port}"
            if self._wait():
                return
            if "port is already in use" not in self.log:
                break
        raise RuntimeError(f"{self.name} did not start:\n{self.log}")

    def _wait(self) -> bool:
        """Whether the server answers within START_TIMEOUT (False once it has exited)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                httpx.get(f"{self.url}{self.probe}", timeout=1)  # a 401 is an answer too
            except httpx.TransportError:
                time.sleep(0.05)
            else:
                return True
        self._terminate()
        return False

    def _terminate(self) -> None:
        """SIGTERM to the server's PID, SIGKILL when it still runs STOP_TIMEOUT later."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _stop(self) -> None:
        self._terminate()
        if self._log is not None:
            self._log.close()
            self._log = None


class DrfService(DjangoService):
    """`with DrfService(exports, token) as service:` the shop service at `service.url`.

    `exports` maps a list path of the API ("/products/", "/bundles/", a nested one as its
    template, "/categories/{category_slug}/products/", ...; tests/drfservice/shop/management/
    commands/load_export.py lists them) to its records as the API serves them; `token`
    becomes the key of user "api"'s token and `password`, when given, its password (to ask
    `/api/token/` for a JSON Web Token).
    """

    directory = SERVICE_DIR
    settings = "shopservice.settings"
    db_variable = "DRFSERVICE_DB"
    probe = "/settings/"

    def __init__(self, exports: dict[str, list[dict]], token: str, password: str | None = None):
        super().__init__(token)
        self.exports = exports
        self.password = password

    def _load(self) -> None:
        self._manage("migrate", "--noinput", "-v0")
        files = []
        for number, (path, records) in enumerate(self.exports.items()):
            file = self.tmp / f"export-{number}.json"
            file.write_text(json.dumps({"path": path, "records": records}), encoding="utf-8")
            files.append(str(file))
        password = () if self.password is None else ("--password", self.password)
        self._manage("load_export", "--token", self.token, *password, *files)


# What no drf-spectacular spec says, and the service's views and models set (page sizes,
# ordering fields, a unique sku): an overlay file beside the spec, read by `make bench` too.
SHOP_OVERLAY_FILE = SERVICE_DIR / "overlay.yaml"
SHOP_OVERLAY = yaml.safe_load(SHOP_OVERLAY_FILE.read_text(encoding="utf-8"))

# The differentials (tests/test_differential.py, tests/test_writes_differential.py): the mock
# serves the service's own spec with SHOP_OVERLAY, lenient as the real service is, SIZE
# records a collection drawn from SEED; both sides accept TOKEN.
SPEC = SERVICE_DIR / "openapi.yaml"
TOKEN = "0123456789abcdef0123456789abcdef01234567"
SIZE = 40
SEED = 7


def export(path: str) -> list[dict]:
    """The records the differential's mock serves at `path`, from `mockserver export`."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mockserver",
            "export",
            "--spec",
            str(SPEC),
            "--overlay",
            str(SHOP_OVERLAY_FILE),
            "--path",
            path,
            "--size",
            str(SIZE),
            "--seed",
            str(SEED),
            "--cache-dir",
            "",
        ],
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        check=True,
    )
    return json.loads(done.stdout)


def differential_mock() -> MockServer:
    """The differential's mock, started and serving (the caller stops it)."""
    return MockServer(
        "--spec",
        str(SPEC),
        "--overlay",
        str(SHOP_OVERLAY_FILE),
        "--lenient",
        "--size",
        str(SIZE),
        "--seed",
        str(SEED),
        "--token",
        TOKEN,
        "--no-access-log",
    ).wait()
