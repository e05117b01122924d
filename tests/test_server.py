"""`serve` as a process: the progress bar, the banner, the socket it binds and how it stops.

The stops run a real `python -m mockserver serve` and send it real signals while a slow
request (`__delay`, the mock's own control) is in flight.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from helpers_api import AUTH, ROOT, STAFF_KEY, cli_env

from mockserver import state as state_module
from mockserver.errors import ConfigError
from mockserver.http.server import banner, listen, progress_printer
from mockserver.settings import Settings

BANNER_TIMEOUT = 30  # seconds to wait for the banner
STOP_TIMEOUT = 10  # seconds a drained stop may take, far less than a 20 s request
PROMPT = 5  # seconds a cut-short stop may take


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_bar_redrawn_in_place():
    screen = Terminal()
    show = progress_printer(screen)
    for done in range(0, 1_000_001, 100_000):
        show(done, 1_000_000, "users")  # as state.load reports the build of /users/
    text = screen.getvalue()
    assert text.count("\r") == 11 and text.endswith("\n") and text.count("\n") == 1
    last = text.rsplit("\r", 1)[1]
    assert "generating 1,000,000 users [" + "#" * 30 + "] 100%" in last


def test_a_log_gets_a_line_per_tenth():
    log = io.StringIO()
    show = progress_printer(log)
    for done in range(0, 1_000_001, 25_000):
        show(done, 1_000_000)
    lines = log.getvalue().splitlines()
    assert [line.split(": ")[1].split(" ")[0] for line in lines] == [
        f"{n}%" for n in range(0, 101, 10)
    ]
    assert "\r" not in log.getvalue()


def test_small_datasets_print_no_progress():
    screen = Terminal()
    show = progress_printer(screen)
    show(1_000, 1_000)
    assert screen.getvalue() == ""


@pytest.mark.parametrize("base_path", ["", "/api/v1"])
def test_the_banner_has_the_url_a_working_token_and_a_curl_line(base_path):
    loaded = state_module.load(Settings(cache_dir="", users=10, base_path=base_path))
    text = banner(loaded, "127.0.0.1", 8123)
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # the staff persona's, an active user
    assert f"http://127.0.0.1:8123{base_path}/users/" in text
    assert f"token:      {key}" in text
    curl = next(line for line in text.splitlines() if "curl" in line).split("try:", 1)[1]
    argv = shlex.split(curl)
    assert argv == [
        "curl", "-H", f"Authorization: Token {key}", f"http://127.0.0.1:8123{base_path}/users/?limit=2"
    ]  # fmt: skip


def test_listen_binds_a_free_port():
    sockets = listen("127.0.0.1", 0)
    try:
        assert [sock.getsockname()[0] for sock in sockets] == ["127.0.0.1"]
        assert sockets[0].getsockname()[1] != 0
    finally:
        for sock in sockets:
            sock.close()


def test_listen_names_the_port_that_is_in_use():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ConfigError) as raised:
            listen("127.0.0.1", port)
    assert str(raised.value) == f"setting port: 127.0.0.1:{port} is already in use"


@pytest.mark.parametrize("host", ["999.1.1.1", "nosuchhost.invalid"])
def test_listen_names_a_host_it_cannot_listen_on(host):
    with pytest.raises(ConfigError) as raised:
        listen(host, 0)
    assert raised.value.source == "setting host"
    assert host in raised.value.message


class Served:
    """`python -m mockserver serve ARGS` on a free port, up to its banner."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--cache-dir", "",
             "--users", "50", *args],
            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        lines: list[str] = []
        seen = threading.Event()

        def read():
            for line in self.process.stdout:
                lines.append(line)
                if "Swagger UI:" in line:
                    break
            seen.set()

        threading.Thread(target=read, daemon=True).start()
        seen.wait(BANNER_TIMEOUT)
        found = re.search(r" on http://([\d.]+):(\d+)/", "".join(lines))
        if not found:
            self.process.kill()
            _, stderr = self.process.communicate()
            pytest.fail(f"no banner within {BANNER_TIMEOUT}s: {lines!r} {stderr}")
        self.address = (found.group(1), int(found.group(2)))

    def send_slow(self, delay_ms: int) -> socket.socket:
        """A request that takes `delay_ms`, in flight: a quick one sent after it is answered."""
        conn = socket.create_connection(self.address, timeout=STOP_TIMEOUT + delay_ms / 1000)
        conn.sendall(
            f"GET /users/?limit=1&__delay={delay_ms} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Token {STAFF_KEY}\r\nConnection: close\r\n\r\n".encode()
        )
        host, port = self.address
        quick = httpx.get(f"http://{host}:{port}/users/?limit=1", headers=AUTH, timeout=10)
        assert quick.status_code == 200
        return conn

    def wait_closed(self) -> None:
        """Until the listening socket refuses connections: the stop has begun."""
        deadline = time.monotonic() + PROMPT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(self.address, timeout=1).close()
            except ConnectionRefusedError:
                return
            time.sleep(0.05)
        pytest.fail(f"still accepting connections {PROMPT}s after the signal")

    def exit(self, within: float) -> tuple[int, str]:
        """The exit code and stderr, failing the test if the process takes longer."""
        try:
            _, stderr = self.process.communicate(timeout=within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
            pytest.fail(f"the server did not stop within {within}s: {stderr}")
        return self.process.returncode, stderr

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def _answer(conn: socket.socket) -> bytes:
    """Every byte until the server closes the connection (bounded by the socket timeout)."""
    chunks = []
    with conn:
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pytest.fail(f"no end of the answer within {conn.gettimeout()}s: {b''.join(chunks)!r}")
        except ConnectionResetError:
            pass
    return b"".join(chunks)


@pytest.fixture
def serve():
    started: list[Served] = []

    def start(*args: str) -> Served:
        started.append(Served(*args))
        return started[-1]

    yield start
    for served in started:
        served.kill()


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_answers_the_request_in_flight_and_exits_0(serve, signum):
    served = serve()
    slow = served.send_slow(1500)
    served.process.send_signal(signum)
    answer = _answer(slow)
    code, stderr = served.exit(STOP_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr


@pytest.mark.slow
def test_the_graceful_timeout_bounds_the_stop(serve):
    served = serve("--graceful-timeout", "1")
    slow = served.send_slow(20_000)
    served.process.send_signal(signal.SIGTERM)
    code, stderr = served.exit(STOP_TIMEOUT)
    _answer(slow)  # closed, whatever it says
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr


@pytest.mark.slow
def test_a_second_ctrl_c_stops_at_once(serve):
    served = serve("--graceful-timeout", "60")
    slow = served.send_slow(20_000)
    served.process.send_signal(signal.SIGINT)
    served.wait_closed()  # the first is handled: a second is not merged into it
    served.process.send_signal(signal.SIGINT)
    code, stderr = served.exit(PROMPT)
    _answer(slow)
    assert code == 130, stderr
    assert "Traceback" not in stderr, stderr


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_during_a_cold_start_exits_0_leaving_no_child_nor_the_port(tmp_path, signum):
    """Issue 16, item 10: a stop while the dataset is built (the spec validated aside, in a
    forked process) ends it all: exit 0, no process left holding the listening socket."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spec = ROOT / "tests" / "realspecs" / "authentik.yaml"
    errors = tmp_path / "stderr"
    with errors.open("w") as stderr:
        # Output to a file: a child left holding the pipes would keep a reader waiting.
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--spec",
             str(spec), "--cache-dir", str(tmp_path / "cache"), "--size", "50",
             "--no-access-log"],
            cwd=ROOT, env=cli_env(), stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    children: list[int] = []
    deadline = time.monotonic() + 30
    while not children and time.monotonic() < deadline and process.poll() is None:
        children = _children(process.pid)  # the validator, forked once the spec is read
        time.sleep(0.02)
    assert children, "no validator was forked aside"
    process.send_signal(signum)
    try:
        process.wait(timeout=PROMPT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"no exit within {PROMPT}s of the signal: {errors.read_text()}")
    time.sleep(0.2)
    stderr = errors.read_text()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert [child for child in children if _alive(child)] == []
    assert _port_is_free(port)


@pytest.mark.slow
def test_sighup_stops_one_worker_cleanly(serve):
    """Issue 16, item 12: SIGHUP is a stop, as SIGTERM is (a terminal that hangs up stops
    what it started); `--watch` reloads, not a signal."""
    served = serve()
    slow = served.send_slow(800)
    served.process.send_signal(signal.SIGHUP)
    answer = _answer(slow)
    code, stderr = served.exit(STOP_TIMEOUT)
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGKILL], ids=["SIGHUP", "SIGKILL"])
def test_workers_end_with_their_parent(serve, signum):
    """Issue 16, items 11 and 12: with `--workers 2`, SIGHUP stops the parent and its
    workers as SIGTERM does (exit 0); SIGKILL of the parent takes the workers with it
    (they die by the parent-death signal), so nothing keeps serving the port."""
    served = serve("--workers", "2")
    deadline = time.monotonic() + 20
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        workers = _children(served.process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2
    served.process.send_signal(signum)
    code, stderr = served.exit(STOP_TIMEOUT)
    assert code == (0 if signum == signal.SIGHUP else -signal.SIGKILL), stderr
    deadline = time.monotonic() + PROMPT
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [w for w in workers if _alive(w)] == []
    with pytest.raises(OSError):
        socket.create_connection(served.address, timeout=1).close()
