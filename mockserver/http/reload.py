"""Hot reload (`--watch`): a changed spec or fixture is loaded aside and swapped in whole.

The files are polled (size, mtime, inode) every half second: a handful of small files needs
no watcher library, and polling also sees editors that save by renaming a new file over the
old one. When they changed and then held still for one more look (an editor may still be
writing), a complete new State is loaded in a thread, and a new app is built from it. Only
when both succeed is the new app swapped in, in one assignment on the event loop; a request
runs to its end on the app it arrived at. A failed load is printed with the file, the record
and the field (the ConfigError message), and the last good version keeps being served. Any
other failure, such as a pool worker lost while building (BrokenProcessPool), is printed in
one line too, and the watcher goes on looking: the next edit is loaded as usual.

Swapping the whole app, not only the State, also refreshes what Connexion built from the
spec: routing, response validation, Swagger UI and the served spec.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from mockserver import state as state_module
from mockserver.contract import packaged
from mockserver.contract.yamlio import load_yaml
from mockserver.engine import store
from mockserver.errors import ConfigError
from mockserver.http.app import create_app
from mockserver.settings import Settings
from mockserver.state import State

INTERVAL = 0.5  # seconds between two looks at the files

Snapshot = dict[Path, tuple[int, int, int] | None]


def watched_files(settings: Settings) -> list[Path]:
    """The files `state.load` reads: the spec and the fixture files its `x-fixtures` names."""
    spec = Path(settings.spec) if settings.spec else packaged.spec_path()
    directory = Path(settings.fixtures) if settings.fixtures else packaged.fixtures_dir()
    try:
        names = list((load_yaml(spec) or {}).get("x-fixtures") or {})
    except (ConfigError, AttributeError):
        names = []
    overlay = [Path(settings.overlay)] if settings.overlay else []
    return [spec, *overlay, *(directory / f"{name}.yaml" for name in names)]


def snapshot(paths: list[Path]) -> Snapshot:
    """(mtime, size, inode) of each file, None when it is missing: a cheap test for a change."""
    result: Snapshot = {}
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            result[path] = None
        else:
            result[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return result


class ReloadingApp:
    """The ASGI app `--watch` serves: the app built from the last good State.

    `build` turns a State into an ASGI app (`app.create_app`); `load` turns Settings into a
    State (`state.load`). The watcher runs from the ASGI lifespan, between startup and
    shutdown; `check_once` is one look at the files.
    """

    def __init__(
        self,
        state: State,
        build: Callable[[State], Callable] = create_app,
        load: Callable[[Settings], State] = state_module.load,
        interval: float = INTERVAL,
        log=None,
    ):
        self.state = state
        self.app = build(state)
        self.interval = interval
        self._build = build
        self._load = load
        self._log = log
        self._files = watched_files(state.settings)
        self._seen = snapshot(self._files)
        self._pending: Snapshot | None = None
        self._task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watching_receive():
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
            return message

        # The first app answers the lifespan for the whole run; later apps need no startup.
        await self.app(scope, watching_receive, send)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        store.stop_builds()  # a reload under way is not waited for: its app is never served

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check_once()
            except Exception as error:  # a watcher that stopped would never load an edit again
                self._say(f"watching the files failed this time: {_one_line(error)}")

    async def check_once(self) -> bool:
        """One look at the files; True when a new version was swapped in.

        A change is loaded once the files look the same on two looks in a row. Whatever the
        outcome, that version is not loaded again: the next load waits for the next change.
        """
        now = snapshot(self._files)
        if now == self._seen:
            self._pending = None
            return False
        if now != self._pending:
            self._pending = now
            return False
        changed = ", ".join(path.name for path in self._files if now[path] != self._seen[path])
        self._seen, self._pending = now, None
        try:
            state, app = await _in_thread(self._rebuild)
        except ConfigError as error:
            self._say(f"reload failed, still serving the last good version: {error}")
            return False
        except Exception as error:
            self._say(f"reload failed, still serving the last good version: {_one_line(error)}")
            return False
        self.state, self.app = state, app
        self._say(f"reloaded after a change to {changed}: serving {state.summary()}")
        return True

    def _rebuild(self):
        state = self._load(self.state.settings)
        return state, self._build(state)

    def _say(self, message: str) -> None:
        stream = self._log or sys.stderr
        print(f"mockserver: {message}", file=stream, flush=True)


def _one_line(error: Exception) -> str:
    """`Type: message` on one line, for an error no one planned a message for."""
    return " ".join(f"{type(error).__name__}: {error}".split())


def _in_thread(work: Callable):
    """`work()` in a daemon thread, as an awaitable.

    Not `asyncio.to_thread`: the event loop's default executor is joined when the server
    stops, so a SIGTERM during a long reload (a million users) would wait for it to finish.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result, error):
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run():
        try:
            result, error = work(), None
        except BaseException as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed while this ran
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="mockserver-reload", daemon=True).start()
    return future
