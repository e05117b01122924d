"""Child processes that never outlive the server, tried on real processes.

A child's death can only be waited for by its parent, so the parent-death cases run in a
process of their own that becomes the orphan's reaper (prctl's PR_SET_CHILD_SUBREAPER):
it starts a parent and its child, kills the parent with SIGKILL, and says how the child
ended.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from helpers_api import ROOT
from helpers_server import run_bounded

from mockserver import processes

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's prctl"
)
_PR_GET_PDEATHSIG = 2  # prctl(2): read the signal armed for the parent's death

# argv[1]: the signal the child arms, or "none"; argv[2]: "parent" to pass the parent's pid
# as the child saw it at its start, "stranger" to pass one that is not its parent.
# Prints what `die_with_parent` answered, then how the child ended once its parent was
# killed: the signal's name, "exit N", or "alive" (it was then killed here).
_ORPHAN = r"""
import ctypes, os, signal, sys, time
from mockserver import processes

ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphans come here
ready, told = os.pipe()
parent = os.fork()
if parent == 0:
    if os.fork() == 0:
        answer = "unarmed"
        if sys.argv[1] != "none":
            given = os.getppid() if sys.argv[2] == "parent" else os.getpid()
            answer = processes.die_with_parent(signal.Signals[sys.argv[1]], given)
        os.write(told, f"{answer} {os.getpid()}".encode())
        time.sleep(60)
        os._exit(0)
    time.sleep(60)
    os._exit(0)
answer, child = os.read(ready, 64).decode().split()
print(answer)
os.kill(parent, signal.SIGKILL)
os.waitpid(parent, 0)
deadline = time.monotonic() + 3
while time.monotonic() < deadline:
    pid, status = os.waitpid(int(child), os.WNOHANG)
    if pid:
        ended = os.WIFSIGNALED(status)
        print(signal.Signals(os.WTERMSIG(status)).name if ended else f"exit {status >> 8}")
        break
    time.sleep(0.02)
else:
    print("alive")
    os.kill(int(child), signal.SIGKILL)
"""


@linux_only
@pytest.mark.parametrize(
    ("armed", "given", "expected"),
    [
        pytest.param("SIGKILL", "parent", "True\nSIGKILL", id="SIGKILL armed: killed with it"),
        pytest.param("SIGTERM", "parent", "True\nSIGTERM", id="SIGTERM armed: told to stop"),
        pytest.param("none", "parent", "unarmed\nalive", id="nothing armed: outlives it"),
        pytest.param(
            "SIGKILL", "stranger", "False\nSIGKILL", id="another pid given: parent seen gone"
        ),
    ],
)
def test_a_child_dies_with_its_parent(armed, given, expected):
    code, output = run_bounded(
        [sys.executable, "-c", _ORPHAN, armed, given],
        cwd=ROOT,
        timeout=30,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert (code, output.strip()) == (0, expected)


def _stops_and_armed() -> tuple[list, int]:
    """In a pool worker: how it takes each stop, and the signal armed for its parent's death."""
    armed = ctypes.c_int()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(_PR_GET_PDEATHSIG, ctypes.byref(armed))
    return [signal.getsignal(stop) for stop in processes.STOPS], armed.value


def test_a_pool_worker_leaves_the_stops_to_the_server_and_dies_with_it():
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        1, mp_context=fork, initializer=processes.start_pool_worker, initargs=(os.getpid(),)
    ) as pool:
        stops, armed = pool.submit(_stops_and_armed).result(timeout=30)
    assert stops == [signal.SIG_IGN] * 3
    assert armed == (signal.SIGKILL if sys.platform.startswith("linux") else 0)


def test_a_pool_worker_whose_parent_is_gone_ends_at_once():
    """`initargs` name a parent that is not the worker's: as if the server had died before
    the worker armed its signal."""
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        1, mp_context=fork, initializer=processes.start_pool_worker, initargs=(os.getpid() + 1,)
    )
    with pytest.raises(BrokenProcessPool):
        pool.submit(_stops_and_armed).result(timeout=30)
    pool.shutdown()


def _stuck(started: str) -> None:
    Path(started).touch()
    time.sleep(3600)


@pytest.mark.parametrize(
    "working",
    [
        pytest.param(True, id="at work: its workers killed, its work broken off"),
        pytest.param(False, id="never started: nothing to kill"),
    ],
)
def test_a_killed_pool_ends_without_waiting(tmp_path, working):
    fork = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        1, mp_context=fork, initializer=processes.start_pool_worker, initargs=(os.getpid(),)
    )
    started = tmp_path / "started"
    workers = []
    if working:
        future = pool.submit(_stuck, str(started))
        deadline = time.monotonic() + 30
        while not started.exists():
            assert time.monotonic() < deadline, "the worker never began its work"
            time.sleep(0.01)
        workers = list(pool._processes.values())
    begun = time.monotonic()
    try:
        processes.kill_pool(pool)
        if working:
            with pytest.raises(BrokenProcessPool):
                future.result(timeout=30)
        pool.shutdown(wait=True)
    finally:
        for worker in workers:  # a failure leaves no worker asleep for an hour
            worker.kill()
    assert time.monotonic() - begun < 10
    assert [worker.exitcode for worker in workers] == [-signal.SIGKILL] * len(workers)
