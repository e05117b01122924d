"""Start, probe and stop the servers under test (mock and floor) as child processes."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

READY_PATH = "/users/?limit=1"
# Loopback only: ignore any http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerStartError(RuntimeError):
    """A server exited or did not answer in time."""


def http_get(
    url: str, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> tuple[int, dict[str, str], bytes]:
    """GET with the standard library (no extra dependency); 4xx/5xx are returned, not raised."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        body = err.read()
        return err.code, {k.lower(): v for k, v in err.headers.items()}, body


def free_port() -> int:
    """Ask the kernel for a free loopback port (small race until the server binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_token() -> str:
    """A fresh API key in the mock's format: 40 lowercase hex characters."""
    return secrets.token_hex(20)


def auth_header(token: str) -> str:
    return f"Authorization: Token {token}"


def default_mock_cmd() -> list[str]:
    return [sys.executable, "-m", "mockserver", "serve"]


def split_cmd(text: str | None) -> list[str]:
    """Parse a --mock-cmd string; None means the default `python -m mockserver serve`."""
    return shlex.split(text) if text else default_mock_cmd()


def mock_argv(
    base: list[str],
    *,
    port: int,
    users: int,
    seed: int,
    token: str,
    workers: int = 1,
    cache_dir: str | None = None,
) -> list[str]:
    argv = [
        *base,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--users",
        str(users),
        "--seed",
        str(seed),
        "--token",
        token,
        "--workers",
        str(workers),
    ]
    if cache_dir:
        argv += ["--cache-dir", cache_dir]
    return argv


class Server:
    """One child server process, its log file and its base URL."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        log_path: Path,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ):
        self.name, self.argv, self.port, self.log_path = name, argv, port, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.env, self.cwd = env, cwd
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0
        self._log = None

    def start(self) -> None:
        """Launch in a new session so a stuck worker tree can be killed as one group."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its worker processes have used so far."""
        return process_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def wait_ready(
        self, path: str, headers: dict[str, str], timeout: float, accept=(200,)
    ) -> float:
        """Poll `path` until an accepted status; return seconds since start()."""
        deadline = self.started_at + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerStartError(
                    f"{self.name} exited with code {self.proc.returncode} before it "
                    f"was ready; last log lines:\n{self.tail()}"
                )
            try:
                if http_get(self.url + path, headers, timeout=5.0)[0] in accept:
                    return time.monotonic() - self.started_at
            except (OSError, http.client.HTTPException):
                pass  # not listening yet, or closed the connection while starting
            time.sleep(0.05)
        raise ServerStartError(
            f"{self.name} not ready after {timeout:g} s at {self.url}{path}; "
            f"last log lines:\n{self.tail()}"
        )

    def announced_url(self) -> bool:
        """Whether the server printed its URL (the mock's documented start-up line)."""
        return f"http://127.0.0.1:{self.port}" in self.log_text()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL the whole process group; return the exit code."""
        if self.proc is None:
            return None
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    print(
                        f"warning: {self.name} ignored SIGTERM for {timeout:g} s; killing",
                        file=sys.stderr,
                    )
            # Leftover workers (or a stuck parent) share our new session's process group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
            return self.proc.returncode
        finally:
            if self._log:
                self._log.close()
                self._log = None


_RE_RSS = re.compile(r"^VmRSS:\s+(\d+)\s+kB", re.M)


def _children_map() -> dict[int, list[int]]:
    """ppid -> child pids, from /proc/*/stat (works without CONFIG_PROC_CHILDREN)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces or ')', so split after the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    children, tree, todo = _children_map(), [], [pid]
    while todo and len(tree) < 10_000:  # bounded even if /proc is weird
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_rss_mb(pid: int) -> float:
    """Sum of VmRSS over pid and its descendants, in MiB (shared pages count twice)."""
    total_kb = 0
    for member in process_tree(pid):
        try:
            m = _RE_RSS.search(Path(f"/proc/{member}/status").read_text())
        except OSError:
            continue
        if m:
            total_kb += int(m.group(1))
    return total_kb / 1024


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live children (uvicorn's workers),
    from /proc (Linux); 0.0 where /proc has no such process.

    >>> process_cpu_seconds(os.getpid()) > 0
    True
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        one = pending.pop()
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{one}/task/{one}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime (proc(5))
        pending.extend(int(child) for child in children)
    return total
