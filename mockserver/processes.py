"""Child processes that never outlive the server: the parent-death signal, and pools killed.

The server forks helpers (the pool that builds a big dataset, the spec's validator run
aside) and uvicorn starts workers. Each must end when the process that started it dies,
even by SIGKILL, or it goes on holding the listening socket; and a pool given up is
killed, not waited for.

    >>> [stop.name for stop in STOPS]  # what a forked helper leaves to the server
    ['SIGINT', 'SIGTERM', 'SIGHUP']
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

# prctl(2)'s option that has the kernel send the calling process a signal when its parent
# dies (Linux only; elsewhere nothing is armed, and only a parent already gone is seen).
_PR_SET_PDEATHSIG = 1

# What stops the server: Ctrl-C, SIGTERM, and SIGHUP (the terminal that started it hung
# up). A forked helper inherits the server's handlers for them; a stop is the server's to
# act on, and it ends its helpers itself.
STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def die_with_parent(signum: int, parent: int | None = None) -> bool:
    """Have the kernel send this process `signum` when its parent dies; False when the
    parent is already gone, so that the caller ends itself.

    The signal is armed for a death still to come, so the parent is looked at once armed:
    `parent` is the pid that started this process (as the parent knew it, before the fork);
    without it, the parent now is all there is to compare with.
    """
    if parent is None:
        parent = os.getppid()
    if sys.platform.startswith("linux"):
        # No libc or no prctl to be found: nothing to arm, and the parent is still checked.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum)
    return os.getppid() == parent


def start_pool_worker(parent: int) -> None:
    """A forked pool worker's start (a ProcessPoolExecutor's `initializer`, with the
    parent's pid as its `initargs`): it ignores the stops meant for the server, and the
    kernel kills it (SIGKILL) if the server dies first, as by `kill -9` or a crash.

    Forked, the worker would inherit the server's signal handlers: a SIGTERM would only
    tell the worker's copy of the server to stop, and the worker would stay.
    """
    for signum in STOPS:
        signal.signal(signum, signal.SIG_IGN)
    if not die_with_parent(signal.SIGKILL, parent):
        os._exit(1)


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """SIGKILL the pool's workers: their work is given up.

    Besides not waiting for that work, this keeps a broken pool (a worker killed by the OOM
    killer) from hanging: the standard library ends the other workers with SIGTERM, which
    `start_pool_worker` has them ignore, and then waits for them. `_processes` is private,
    and the only handle on the workers the pool has.
    """
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
