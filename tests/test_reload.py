"""Hot reload (`--watch`): edits are served, bad edits are reported and the last good data kept."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import httpx
import pytest
from helpers_api import AUTH, ROOT, make_state, raw_get

from mockserver import state as state_module
from mockserver.contract import packaged
from mockserver.engine import store
from mockserver.http.reload import ReloadingApp

USERS = 20


def _persona_5(text: str, old: str, new: str) -> str:
    """Replace `old` once, inside persona 5 (the last one in the shipped personas.yaml)."""
    head, marker, tail = text.partition("username: guest.jane")
    assert marker and old in tail
    return head + marker + tail.replace(old, new, 1)


def _rename(text: str) -> str:
    return _persona_5(text, "first_name: Jane", "first_name: Janet")


def _bad_boolean(text: str) -> str:
    return _persona_5(text, "is_active: true", 'is_active: "yes"')


def _bad_yaml(text: str) -> str:
    return text + "- id: [\n"


@pytest.fixture
def fixtures_copy(tmp_path) -> Path:
    """A copy of the fixtures, with a copy of the spec beside it (`_spec_copy`): the test's own."""
    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    shutil.copyfile(packaged.spec_path(), _spec_copy(directory))
    return directory


def _spec_copy(fixtures_copy: Path) -> Path:
    return fixtures_copy.parent / "users.yaml"


def _reloader(fixtures_copy: Path, **options) -> tuple[ReloadingApp, io.StringIO]:
    log = io.StringIO()
    state = make_state(
        users=USERS, fixtures=str(fixtures_copy), spec=str(_spec_copy(fixtures_copy)), watch=True
    )
    return ReloadingApp(state, log=log, **options), log


def _edit(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _looks(reloader: ReloadingApp, times: int) -> list[bool]:
    return [asyncio.run(reloader.check_once()) for _ in range(times)]


def _user_5(app) -> tuple[int, dict]:
    status, _, body = raw_get(app, b"/users/5/", AUTH)
    return status, json.loads(body)


EDITS = [
    pytest.param(
        _rename, [False, True], "Janet", ["reloaded after a change to personas.yaml"], id="rename"
    ),
    pytest.param(
        _bad_boolean,
        [False, False, False],
        "Jane",
        ["personas.yaml: record 5 (id 5), field 'is_active'", "still serving the last good"],
        id="bad boolean -> last good kept",
    ),
    pytest.param(
        _bad_yaml,
        [False, False, False],
        "Jane",
        ["personas.yaml: is not valid YAML (line", "still serving the last good"],
        id="broken YAML -> last good kept",
    ),
]


@pytest.mark.parametrize(("change", "looks", "first_name", "logged"), EDITS)
def test_an_edit_is_loaded_after_one_quiet_look(fixtures_copy, change, looks, first_name, logged):
    reloader, log = _reloader(fixtures_copy)
    _edit(fixtures_copy / "personas.yaml", change)
    assert _looks(reloader, len(looks)) == looks
    status, user = _user_5(reloader)
    assert (status, user["first_name"]) == (200, first_name)
    for text in logged:
        assert text in log.getvalue()


def test_no_change_no_reload(fixtures_copy):
    reloader, log = _reloader(fixtures_copy)
    first = reloader.app
    assert _looks(reloader, 3) == [False, False, False]
    assert reloader.app is first
    assert log.getvalue() == ""


def test_a_bad_version_is_reported_once_and_the_fix_is_loaded(fixtures_copy):
    reloader, log = _reloader(fixtures_copy)
    personas = fixtures_copy / "personas.yaml"
    good = personas.read_text(encoding="utf-8")
    _edit(personas, _bad_boolean)
    assert _looks(reloader, 4) == [False, False, False, False]
    assert log.getvalue().count("reload failed") == 1
    personas.write_text(_rename(good), encoding="utf-8")
    assert _looks(reloader, 2) == [False, True]
    assert _user_5(reloader)[1]["first_name"] == "Janet"


def test_a_missing_fixture_file_keeps_the_last_good_version(fixtures_copy):
    reloader, log = _reloader(fixtures_copy)
    (fixtures_copy / "tokens.yaml").unlink()
    assert _looks(reloader, 2) == [False, False]
    assert "tokens.yaml: is missing" in log.getvalue()
    assert _user_5(reloader)[0] == 200


def test_an_unexpected_error_while_loading_keeps_the_last_good_version(fixtures_copy):
    def broken_load(settings):
        raise RuntimeError("disk on fire")

    reloader, log = _reloader(fixtures_copy, load=broken_load)
    _edit(fixtures_copy / "groups.yaml", lambda text: text + "\n")
    assert _looks(reloader, 2) == [False, False]
    assert "RuntimeError: disk on fire" in log.getvalue()
    assert _user_5(reloader)[0] == 200


UNEXPECTED = [
    pytest.param(
        BrokenProcessPool("A process in the process pool was terminated abruptly."),
        "BrokenProcessPool: A process in the process pool was terminated abruptly.",
        id="a pool worker lost",
    ),
    pytest.param(
        RuntimeError("disk\n  on fire\n"), "RuntimeError: disk on fire", id="a message of lines"
    ),
]


@pytest.mark.parametrize(("error", "line"), UNEXPECTED)
def test_an_unexpected_reload_error_is_one_line_and_the_next_edit_is_loaded(
    fixtures_copy, error, line
):
    loads = []

    def load_failing_once(settings):
        loads.append(settings)
        if len(loads) == 1:
            raise error
        return state_module.load(settings)

    reloader, log = _reloader(fixtures_copy, load=load_failing_once)
    _edit(fixtures_copy / "groups.yaml", lambda text: text + "\n")
    assert _looks(reloader, 2) == [False, False]
    assert (
        log.getvalue()
        == f"mockserver: reload failed, still serving the last good version: {line}\n"
    )
    _edit(fixtures_copy / "personas.yaml", _rename)
    assert _looks(reloader, 2) == [False, True]
    assert _user_5(reloader)[1]["first_name"] == "Janet"


def test_the_watcher_goes_on_after_a_look_that_fails(fixtures_copy):
    reloader, log = _reloader(fixtures_copy, interval=0)
    looks = []

    async def check_once():
        looks.append(None)
        if len(looks) == 1:
            raise RuntimeError("stat on fire")
        return False

    reloader.check_once = check_once

    async def watch() -> bool:
        """Whether the watcher is still looking after its first look failed."""
        reloader.start()
        while len(looks) < 3 and not reloader._task.done():
            await asyncio.sleep(0)
        alive = not reloader._task.done()
        await reloader.stop()
        return alive

    assert asyncio.run(watch())
    assert (
        log.getvalue()
        == "mockserver: watching the files failed this time: RuntimeError: stat on fire\n"
    )


def test_stopping_gives_up_the_build_of_a_reload_under_way(fixtures_copy, monkeypatch):
    stopped = []
    monkeypatch.setattr(store, "stop_builds", lambda: stopped.append(True))
    reloader, _ = _reloader(fixtures_copy)

    async def serve_and_stop():
        reloader.start()
        await reloader.stop()

    asyncio.run(serve_and_stop())
    assert stopped == [True]


def test_a_spec_edit_refreshes_the_served_spec(fixtures_copy):
    reloader, log = _reloader(fixtures_copy)
    spec = _spec_copy(fixtures_copy)
    text = spec.read_text(encoding="utf-8")
    title = re.search(r"^  title: (.*)$", text, re.M)
    assert title is not None
    spec.write_text(text.replace(title.group(0), "  title: Reloaded Users", 1), encoding="utf-8")
    assert _looks(reloader, 2) == [False, True]
    status, _, body = raw_get(reloader, b"/openapi.json")
    assert (status, json.loads(body)["info"]["title"]) == (200, "Reloaded Users")
    assert "reloaded after a change to users.yaml" in log.getvalue()


# -- a real server ----------------------------------------------------------------------------


def _wait_for(check, what: str, server: subprocess.Popen, stderr: Path, timeout: float = 15):
    """Poll `check()` until it is truthy; fail if the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if server.poll() is not None:
            pytest.fail(
                f"the server exited ({server.returncode}) waiting for {what}: {stderr.read_text()}"
            )
        time.sleep(0.1)
    pytest.fail(f"no {what} within {timeout} s; stderr: {stderr.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
def test_a_watching_server_serves_an_edit_and_keeps_it_through_a_bad_one(
    fixtures_copy, tmp_path, request
):
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    spec = _spec_copy(fixtures_copy)
    options = f"--port 0 --users {USERS} --watch --fixtures {fixtures_copy} --spec {spec}"
    command = [sys.executable, "-m", "mockserver", "serve", "--cache-dir", "", *options.split()]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
    request.addfinalizer(lambda: _stop(server))

    def url():
        match = re.search(r"on (http://\S+/users/)", stdout.read_text())
        return match and match.group(1)

    users = _wait_for(url, "startup banner", server, stderr)

    def first_name():
        response = httpx.get(users + "5/", headers=AUTH, timeout=5)
        assert response.status_code == 200  # also while a reload is under way
        return response.json()["first_name"]

    assert first_name() == "Jane"
    personas = fixtures_copy / "personas.yaml"
    _edit(personas, _rename)
    _wait_for(lambda: first_name() == "Janet", "edited persona", server, stderr)

    _edit(personas, _bad_boolean)
    _wait_for(
        lambda: "personas.yaml: record 5 (id 5), field 'is_active'" in stderr.read_text(),
        "logged validation error",
        server,
        stderr,
    )
    assert "still serving the last good version" in stderr.read_text()
    assert first_name() == "Janet"


# -- a real server building in a pool ---------------------------------------------------------

POOL_USERS = 60_000  # from store.PARALLEL_THRESHOLD (50,000) on, the build runs in a pool


def _children(pid: int) -> set[int]:
    """The live processes whose parent is `pid`, from /proc (zombies count as gone)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        # `pid (command) state ppid ...`: the command may hold spaces and parentheses.
        state, ppid = text.rpartition(")")[2].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pids: set[int]) -> dict[int, str]:
    """Those of `pids` still running (not zombies), with their command lines."""
    alive = {}
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if state != "Z":
            alive[pid] = command.decode(errors="replace")
    return alive


@pytest.mark.slow
def test_a_pool_reload_that_fails_keeps_serving_loads_the_fix_and_leaves_no_worker(
    fixtures_copy, tmp_path, request
):
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    spec = _spec_copy(fixtures_copy)
    options = f"--port 0 --users {POOL_USERS} --watch --fixtures {fixtures_copy} --spec {spec}"
    command = [sys.executable, "-m", "mockserver", "serve", "--cache-dir", "", *options.split()]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
    # Every process the server starts, seen while it runs: the pool's workers among them.
    children: set[int] = set()
    watching = threading.Event()

    def watch_children():
        while not watching.is_set():
            children.update(_children(server.pid))
            time.sleep(0.05)

    threading.Thread(target=watch_children, daemon=True).start()

    def clean_up():
        watching.set()
        _stop(server)
        for pid in _alive(children):  # a worker the test found left behind
            os.kill(pid, signal.SIGKILL)

    request.addfinalizer(clean_up)

    def url():
        match = re.search(r"on (http://\S+/users/)", stdout.read_text())
        return match and match.group(1)

    users = _wait_for(url, "startup banner", server, stderr, timeout=60)

    def first_name():
        response = httpx.get(users + "6/", headers=AUTH, timeout=5)
        assert response.status_code == 200  # also while a reload is under way
        return response.json()["first_name"]

    generated = first_name()
    assert children, "the server built its users without a pool"
    personas = fixtures_copy / "personas.yaml"
    good = personas.read_text(encoding="utf-8")
    failed = "reload failed, still serving the last good version: "
    error = f"{personas}: record 6 (id 6), field 'email': "
    personas.write_text(good + '- id: 6\n  first_name: ""\n  last_name: ""\n', encoding="utf-8")
    _wait_for(lambda: failed + error in stderr.read_text(), "the reload's error", server, stderr)
    assert first_name() == generated

    personas.write_text(good + "- id: 6\n  first_name: Ada\n  last_name: Lovelace\n", "utf-8")
    _wait_for(lambda: first_name() == "Ada", "the fixed persona", server, stderr, timeout=60)
    log = stderr.read_text()
    assert log.count("reload failed") == log.count(error) == 1, log
    assert "Traceback" not in log

    watching.set()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the server did not exit within 30 s of SIGTERM; stderr: {stderr.read_text()}")
    deadline = time.monotonic() + 10
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(children) == {}, "processes of the server outlived it"
