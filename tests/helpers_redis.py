"""A throwaway Redis-compatible server on a free port, for the suites that test the shared
store of the sessions' writes (`--state-url`): started from the binary `make redis` installs,
stopped by its PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

START_TIMEOUT = 10  # seconds


def server_binary() -> str:
    """Valkey where the machine has it, else Redis (`make redis` installs one)."""
    found = shutil.which("valkey-server") or shutil.which("redis-server")
    assert found, "no valkey-server or redis-server: run `make redis`"
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A server on 127.0.0.1 with no persistence, its files in `directory`; `port` reuses a
    port (a server back after a stop, empty)."""

    def __init__(self, directory: Path, port: int | None = None):
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        directory.mkdir(parents=True, exist_ok=True)
        command = [server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(directory)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert self.process.poll() is None, "the Redis server stopped at start"
                assert time.monotonic() < deadline, "the Redis server never listened"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
