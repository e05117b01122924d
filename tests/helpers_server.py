"""A real `mockserver serve` on a free port, for the suites that test it over sockets."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

from helpers_api import ROOT, cli_env

BANNER_TIMEOUT = 30  # seconds


class MockServer:
    """`python -m mockserver serve ARGS` on a free port; its output is drained all along."""

    def __init__(self, *args: str, cache_dir: str = ""):
        """`cache_dir`: the dataset cache to use; none by default."""
        serve = [sys.executable, "-m", "mockserver", "serve", "--port", "0"]
        self.process = subprocess.Popen(
            [*serve, "--cache-dir", cache_dir, *args],
            cwd=ROOT,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._listening = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def wait(self, timeout: float = BANNER_TIMEOUT) -> MockServer:
        """Until the banner is printed (at most `timeout` seconds); the URL it gives is
        `origin` and `base`."""
        self._listening.wait(timeout)
        # `... on http://127.0.0.1:PORT/users/`, or `... on http://127.0.0.1:PORT/` when the
        # spec serves several resources; a base path comes between.
        found = re.search(r" on (http://[\w.\-]+:\d+)(\S*?)/(?:users/)?$", self.output, re.M)
        if not found:
            self.stop()
            raise AssertionError(f"no URL in the banner within {timeout}s: {self.output}")
        self.origin, self.base = found.group(1), found.group(1) + found.group(2)
        return self

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def _drain(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if "Swagger UI:" in line:
                self._listening.set()
        self._listening.set()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


TESTS = os.path.dirname(os.path.abspath(__file__))
# Schemathesis on the mock: its settings, and its hooks (each case in a session of its own).
SCHEMATHESIS_CONFIG = os.path.join(TESTS, "schemathesis.toml")
SCHEMATHESIS_ENV = {"SCHEMATHESIS_HOOKS": "schemathesis_sessions", "PYTHONPATH": TESTS}


def run_bounded(command: list[str], cwd, timeout: float, env=None) -> tuple[int, str]:
    """Run a tool (schemathesis) in its own process group for at most `timeout` seconds:
    (exit code, output). Past the bound, or on any error, the whole group is killed, so no
    child outlives the test; a timeout is an AssertionError naming the bound. `env`: the
    variables set on top of this process's (less its MOCKSERVER_* ones: `cli_env`)."""
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=cli_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError(f"{command[0]} ran past {timeout:.0f}s") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return process.returncode, output


def rss_mb(pid: int) -> float:
    """The resident memory of a process, from /proc, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


class Peak:
    """The highest RSS of `pid` while a `with` block runs, sampled every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.start, self.peak = pid, rss_mb(pid), 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        while not self._done.wait(0.05):
            self.peak = max(self.peak, rss_mb(self.pid))

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))

    @property
    def growth(self) -> float:
        return self.peak - self.start
