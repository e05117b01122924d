"""The real DRF Users service (tests/usersservice) on a free port, loaded with a mock export."""

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

SERVICE_DIR = Path(__file__).resolve().parent / "usersservice"
START_TIMEOUT = 30  # seconds until the server answers
STOP_TIMEOUT = 5  # seconds between SIGTERM and SIGKILL
PORT_ATTEMPTS = 3  # another free port when the one picked was taken meanwhile


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mock_export(size: int) -> list[dict]:
    """The mock's users, as `python -m mockserver export --size SIZE` writes them."""
    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "export", "--size", str(size), "--cache-dir", ""],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return json.loads(done.stdout)


class UsersService:
    """`with UsersService(records, token) as service:` the service at `service.url`.

    `records` are users as the API serves them (the mock's export); `token` becomes the key
    of user 1's token. `mutant` runs the service as that mutant (USERSSERVICE_MUTANT). `db`,
    the `service.db` of another running or prepared service, is copied instead of migrating
    and loading again. Everything (database, export, server log) lives in a temporary
    directory, removed on exit.
    """

    def __init__(self, records: list[dict], token: str, mutant: str = "", db: Path | None = None):
        self.records = records
        self.token = token
        self.mutant = mutant
        self.template = db
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

    def __enter__(self) -> UsersService:
        self.tmp = Path(tempfile.mkdtemp(prefix="usersservice-"))
        self.db = self.tmp / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "usersservice.settings",
            "USERSSERVICE_DB": str(self.db),
            "USERSSERVICE_MUTANT": self.mutant,
            "PYTHONDONTWRITEBYTECODE": "1",  # nothing written inside the repository
            "PYTHONUNBUFFERED": "1",
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

    def _manage(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=SERVICE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")

    def _load(self) -> None:
        self._manage("migrate", "--noinput", "-v0")
        file = self.tmp / "export.json"
        file.write_text(json.dumps(self.records), encoding="utf-8")
        self._manage("load_export", "--token", self.token, str(file))

    def _start(self) -> None:
        self._log = open(self.tmp / "server.log", "ab")  # noqa: SIM115 (closed by _stop)
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                cwd=SERVICE_DIR,
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
        raise RuntimeError(f"the Users DRF service did not start:\n{self.log}")

    def _wait(self) -> bool:
        """Whether the server answers within START_TIMEOUT (False once it has exited)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                httpx.get(f"{self.url}/users/", timeout=1)  # 401 is an answer
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
