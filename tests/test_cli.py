"""The command line as a user runs it: `python -m mockserver serve | check | export`."""

from __future__ import annotations

import json
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading

import httpx
import pytest
from helpers_api import ROOT, STAFF_KEY, cli_env, run_cli

from mockserver import __version__

BANNER_TIMEOUT = 30  # seconds to wait for the banner
STOP_TIMEOUT = 10  # seconds a SIGTERM may take
SERVE_ARGS = ("serve", "--port", "0", "--cache-dir", "", "--users", "50")


def _read_banner(process: subprocess.Popen) -> list[str]:
    """stdout lines up to the curl line, within BANNER_TIMEOUT (a reader thread, no hang)."""
    lines: list[str] = []
    done = threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "curl " in line:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    done.wait(BANNER_TIMEOUT)
    return lines


@pytest.mark.slow
def test_serve_prints_a_working_banner_and_stops_on_sigterm():
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", *SERVE_ARGS],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _read_banner(process)
        banner = "\n".join(lines)
        found = re.search(r"on (http://[\w.\-]+:(\d+))/users/", banner)
        assert found, f"no URL in the banner within {BANNER_TIMEOUT}s: {banner!r}"
        base, port = found.group(1), int(found.group(2))
        assert port != 0
        assert "serving 50 users (seed 42, strict mode)" in banner
        token = re.search(r"token:\s+([0-9a-f]{40})", banner)
        assert token and token.group(1) == STAFF_KEY
        curl = next(line for line in lines if "curl " in line).split("try:", 1)[1]
        argv = shlex.split(curl)
        assert argv[:3] == ["curl", "-H", f"Authorization: Token {STAFF_KEY}"]
        assert argv[3] == f"{base}/users/?limit=2"

        with httpx.Client(timeout=10) as client:
            # The curl line, run with httpx.
            response = client.get(argv[3], headers={"Authorization": f"Token {token.group(1)}"})
            assert response.status_code == 200
            body = response.json()
            assert body["count"] == 50
            assert [u["id"] for u in body["results"]] == [1, 2]
            assert body["next"] == f"{base}/users/?limit=2&page=2"
            anonymous = client.get(f"{base}/users/")
            assert anonymous.status_code == 401
            assert anonymous.headers["www-authenticate"] == "Token"
            assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, stderr = process.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail(f"the server did not stop within {STOP_TIMEOUT}s of SIGTERM")
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr


def test_check_exits_0():
    result = run_cli("check")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    operations = [line for line in out.splitlines() if line.startswith("GET ")]
    assert operations == [
        "GET     /users/  collection, page pagination",
        "GET     /users/{id}/  detail of /users/",
    ]
    assert out.endswith(
        "(/users/) and 5 personas, 5 groups, 8 permissions, 3 tokens are valid\n"
        "served: 2 operations: 1 collection, 1 detail\n"
    )
    assert result.stderr.decode() == ""


def _records(data: bytes) -> list[dict]:
    records = json.loads(data)
    assert isinstance(records, list)
    return records


def test_export_writes_a_json_array_sorted_by_id():
    result = run_cli("export", "--users", "5", "--cache-dir", "")
    assert result.returncode == 0, result.stderr
    records = _records(result.stdout)
    assert [r["id"] for r in records] == [1, 2, 3, 4, 5]
    assert records[3]["first_name"] == "Ayşe"
    assert "Ayşe".encode() in result.stdout  # UTF-8, not \u escapes


def test_export_to_a_file(tmp_path):
    target = tmp_path / "users.json"
    result = run_cli("export", "--users", "5", "--cache-dir", "", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert [r["id"] for r in _records(target.read_bytes())] == [1, 2, 3, 4, 5]


def test_export_reads_users_from_the_environment():
    result = run_cli("export", "--cache-dir", "", env={"MOCKSERVER_USERS": "7"})
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in _records(result.stdout)] == list(range(1, 8))


def test_a_flag_beats_the_environment():
    result = run_cli("export", "--users", "6", "--cache-dir", "", env={"MOCKSERVER_USERS": "7"})
    assert result.returncode == 0, result.stderr
    assert len(_records(result.stdout)) == 6


@pytest.mark.parametrize(
    ("args", "env", "names"),
    [
        (("serve", "--port", "99999", "--cache-dir", ""), {}, "port"),
        (("export", "--cache-dir", ""), {"MOCKSERVER_USERS": "many"}, "MOCKSERVER_USERS"),
        (("export", "--users", "-1", "--cache-dir", ""), {}, "users"),
    ],
    ids=["port out of range", "bad environment value", "negative users"],
)
def test_bad_settings_exit_2_naming_the_setting(args, env, names):
    result = run_cli(*args, env=env, timeout=30)
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert names in stderr
    assert stderr.startswith("mockserver: error: ")
    assert "Traceback" not in stderr
    assert result.stdout == b""


@pytest.fixture
def busy_port():
    """A port another program listens on (127.0.0.1, bound and listening until the test ends)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (("--port", "{port}"), "setting port: 127.0.0.1:{port} is already in use"),
        (
            ("--port", "{port}", "--log-level", "critical"),
            "setting port: 127.0.0.1:{port} is already in use",
        ),
        (
            ("--port", "{port}", "--workers", "2"),
            "setting port: 127.0.0.1:{port} is already in use",
        ),
        (("--host", "999.1.1.1"), "setting host: 999.1.1.1 "),
        (("--host", "nosuchhost.invalid", "--log-level", "critical"), "setting host: nosuchhost"),
        (("--log-level", "loud"), "setting log_level: 'loud' "),
    ],
    ids=[
        "busy port",
        "busy port, log level critical",
        "busy port, two workers",
        "bad address",
        "unknown host name",
        "bad log level",
    ],
)
def test_serve_exits_2_with_one_error_line_before_any_banner(busy_port, args, line):
    args = [arg.format(port=busy_port) for arg in args]
    result = run_cli("serve", "--cache-dir", "", "--users", "50", *args, timeout=30)
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), stderr
    assert stderr.startswith("mockserver: error: " + line.format(port=busy_port)), stderr
    assert result.stdout == b""


def test_version_prints_the_package_version():
    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"mockserver {__version__}\n"


def _help(*args: str) -> str:
    result = run_cli(*args, "--help")
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.decode().split())  # argparse wraps lines where it likes


def test_help_says_what_mockserver_is_and_how_to_start():
    text = _help()
    assert "mockserver serve" in text
    assert "Django REST Framework" in text
    assert "--version" in text
    assert "parses and forwards" not in text  # the module's docstring is for maintainers


def test_serve_help_shows_every_default():
    text = _help("serve")
    options = text.split("options:", 1)[1]  # past the usage line, which names every flag too
    for flag, default in [
        ("--port", "8000"),
        ("--size", "1000"),
        ("--page-size", "20"),
        ("--max-page-size", "100"),
        ("--seed", "42"),
        ("--host", "127.0.0.1"),
        ("--log-level", "info"),
        ("--graceful-timeout", "10.0"),
    ]:
        after = options.split(flag + " ", 1)[1]
        assert f"(default: {default})" in after.split(" --", 1)[0], (flag, after[:200])
    assert re.search(r"--users USERS\s+the same as --size", options), options
    assert "exit codes: 0 stopped by SIGTERM or Ctrl-C 2 " in text
    assert " 130 a second Ctrl-C" in text
