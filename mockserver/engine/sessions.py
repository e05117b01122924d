"""Where the writes of each session live: a change set over the generated records.

A write never changes the generated records (they stay a pure function of spec, seed and
size). Each session, named by the `X-Mock-Session` header ("" for the shared default), has
a change set over them: per collection (its list path, "/products/"), record key -> the
record as JSON bytes, or None for a deleted one; and a sequence per collection, as a
database has, so that a new key is the next after the largest ever used and is never
reused after a delete.

Two stores keep them behind one interface, `Sessions`:

- `LocalSessions`: this process's memory (one process). With a state file, the default
  session is loaded from it at start and saved to it after changes: atomically (a temporary
  file in the same directory, fsync, `os.replace`), at most once per `save_interval`
  seconds under a burst of writes (a background thread), and once more on `close()` or at
  exit, so that a demo survives SIGTERM and a restart.
- `RedisSessions` (`sharedstore.py`): a Redis or Valkey server that every process on the
  same URL shares (`--state-url redis://host:6379/0`); its docstring gives the key layout.

The change set as JSON (`GET /__mock/state`, `PUT /__mock/state`, the state file):

    {"collections": {"/products/": {"next": 1003, "records": {"12": {...}, "1002": null}}}}

where `next` is the key after the largest ever used in that collection and session (the
base's own largest key + 1 wins when it is larger).
"""

from __future__ import annotations

import atexit
import bisect
import itertools
import os
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

import orjson

from mockserver.errors import ApiError, ConfigError

Changes = dict[str, dict[int, bytes | None]]  # collection -> record key -> JSON, None: deleted
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY = re.compile(r"[1-9][0-9]{0,15}\Z", re.ASCII)  # a record number, below 2**53 (Lua's doubles)


class Sessions(Protocol):
    shared: bool  # whether other processes write the same change sets

    def version(self, session: str) -> int:
        """Changes whenever the session's change set changes; 0 while it is empty since
        start or since a reset. A version is never given twice to different contents of a
        session, so (session, version) may key a cache. One cheap call per request."""

    def read(self, session: str) -> Changes:
        """The change set: collection -> key -> record JSON, or None (deleted). A copy the
        caller may keep. Ask `version` before `read`: a write in between makes the read newer
        than its version, never older."""

    def read_since(self, session: str, since: int) -> tuple[int, Changes] | None:
        """(version, the records written after version `since`, as they are now), read
        together: what a caller holding the change set at `since` applies to be current.
        None when the log cannot tell (`since` is before the log's start, its first put or
        its last load; or after a reset): then `read` it whole, once.

        A speedup over `read` for a large change set: a change is one record, not the set."""

    def next_key(self, session: str, collection: str, floor: int) -> int:
        """Atomically the next key: max(floor, every key ever used in this collection and
        session) + 1, where `floor` is the base's largest key."""

    def put(
        self,
        session: str,
        collection: str,
        key: int,
        record: bytes | None,
        expected: int | None = None,
    ) -> bool:
        """One record written (its JSON) or deleted (None); True. With `expected`, only if
        the session is still at that version, the one the write was validated against:
        else False, and nothing is written (another process wrote since: the caller
        validates again against what it wrote, as a database's unique index and row
        locks would have the second write see the first)."""

    def dump(self, session: str) -> dict:
        """The change set as JSON-able data (the module docstring gives its shape)."""

    def load(self, session: str, doc: dict) -> None:
        """Replace the change set; ValueError with a one-line reason for a bad doc."""

    def reset(self, session: str) -> None:
        """Forget the session's change set: it reads as the base again."""

    def close(self) -> None:
        """Release the store (LocalSessions: the last save of its state file)."""


class StoreUnavailable(ApiError):
    """The shared store cannot answer (Redis gone, timed out, refusing): that request is a
    503 in DRF's error shape with `Retry-After`, never a 500. The process keeps serving and
    the next request tries the store again.

    >>> error = StoreUnavailable("Connection refused")
    >>> (error.status, error.body, error.headers)
    (503, {'detail': 'The state store is unavailable; retry shortly.'}, {'Retry-After': '1'})
    >>> import pickle; pickle.loads(pickle.dumps(error)).reason
    'Connection refused'
    """

    def __init__(self, reason: str):
        super().__init__(
            503, {"detail": "The state store is unavailable; retry shortly."}, {"Retry-After": "1"}
        )
        self.args = (reason,)  # unpickled as StoreUnavailable(reason), as errors.py requires
        self.reason = reason


def open_sessions(url: str | None, state_file: str | None, namespace: str = "") -> Sessions:
    """The store the settings name: Redis for a URL, else this process's memory.

    `namespace` keeps apart, on one Redis, the change sets of different specs (pass a digest
    of what the records depend on). A bad URL, an unreachable server or a damaged state
    file raises ConfigError.
    """
    if url:
        if state_file:
            raise ConfigError("setting state_file", "give --state-file or --state-url, not both")
        from mockserver.engine.sharedstore import RedisSessions  # imports redis: only here

        return RedisSessions(url, namespace)
    return LocalSessions(state_file or None)


def require_shared(operations: Iterable, workers: int, state_url: str) -> None:
    """Several workers with writes keep them in the shared store, or they would each keep
    their own and answer differently: stop at start, saying what to pass.

    >>> from types import SimpleNamespace as Op
    >>> require_shared([Op(method="GET", path="/a/")], 2, "")
    >>> require_shared([Op(method="POST", path="/a/")], 2, "")
    Traceback (most recent call last):
    ...
    mockserver.errors.ConfigError: setting workers: 2 workers would each keep their own writes (POST /a/): pass --state-url redis://HOST:6379/0 to share them
    """  # noqa: E501
    if workers < 2 or state_url:
        return
    writes = [f"{op.method} {op.path}" for op in operations if op.method in WRITES]
    if writes:
        shown = ", ".join(writes[:3]) + (f" and {len(writes) - 3} more" if len(writes) > 3 else "")
        raise ConfigError(
            "setting workers",
            f"{workers} workers would each keep their own writes ({shown}): "
            "pass --state-url redis://HOST:6379/0 to share them",
        )


# -- the change set as JSON ------------------------------------------------------------------


def parse(doc) -> tuple[Changes, dict[str, int]]:
    """A state document read into (records, largest key used per collection); ValueError
    naming the first place that is wrong.

    >>> parse({"collections": {"/p/": {"next": 5, "records": {"2": {"a": 1}, "7": None}}}})
    ({'/p/': {2: b'{"a":1}', 7: None}}, {'/p/': 7})
    >>> parse({"collections": {"/p/": {"records": {"02": None}}}})
    Traceback (most recent call last):
    ...
    ValueError: collections["/p/"].records: "02" is not a record number (1, 2, ...)
    """
    if not isinstance(doc, dict):
        raise ValueError(f"expected an object with 'collections', got {_kind(doc)}")
    _only(doc, {"collections"}, "the document")
    collections = doc.get("collections")
    if not isinstance(collections, dict):
        raise ValueError(f"collections: expected an object, got {_kind(collections)}")
    records: Changes = {}
    used: dict[str, int] = {}
    for path, entry in collections.items():
        where = f"collections[{_quoted(path)}]"
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"{where}: a collection is its list path, like /products/")
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected an object, got {_kind(entry)}")
        _only(entry, {"next", "records"}, where)
        given = entry.get("records", {})
        if not isinstance(given, dict):
            raise ValueError(f"{where}.records: expected an object, got {_kind(given)}")
        changed: dict[int, bytes | None] = {}
        for key, record in given.items():
            if not _KEY.match(key):
                raise ValueError(
                    f"{where}.records: {_quoted(key)} is not a record number (1, 2, ...)"
                )
            if record is not None and not isinstance(record, dict):
                raise ValueError(
                    f"{where}.records[{_quoted(key)}]: expected a record (an object) or null, "
                    f"got {_kind(record)}"
                )
            changed[int(key)] = None if record is None else orjson.dumps(record)
        following = entry.get("next", 1)
        if type(following) is not int or not 1 <= following < 2**53:
            raise ValueError(f"{where}.next: expected a key (1, 2, ...), got {_kind(following)}")
        records[path] = changed
        # A record given above `next` still counts as used: a new key never lands on it.
        used[path] = max(following - 1, *changed, 0)
    return records, used


def render(records: Changes, used: dict[str, int]) -> bytes:
    """The state document as JSON bytes, records spliced in as stored (not parsed again):
    what the state file holds.

    >>> render({"/p/": {2: b'{"a":1}', 1: None}}, {"/p/": 2, "/q/": 9})
    b'{"collections":{"/p/":{"next":3,"records":{"1":null,"2":{"a":1}}},"/q/":{"next":10,"records":{}}}}'
    """
    parts = []
    for path in sorted(set(records) | set(used)):
        changed = records.get(path, {})
        body = b",".join(
            b'"%d":%s' % (key, b"null" if changed[key] is None else changed[key])
            for key in sorted(changed)
        )
        following = max(used.get(path, 0), *changed, 0) + 1
        parts.append(b'%s:{"next":%d,"records":{%s}}' % (orjson.dumps(path), following, body))
    return b'{"collections":{' + b",".join(parts) + b"}}"


def _only(node: dict, allowed: set[str], where: str) -> None:
    for name in node:
        if name not in allowed:
            expected = ", ".join(repr(a) for a in sorted(allowed))
            raise ValueError(f"{where}: unknown key {name!r} (expected {expected})")


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else repr(value)
    )


def _quoted(text: str) -> str:
    return orjson.dumps(text).decode()


# -- this process's memory -------------------------------------------------------------------


class LocalSessions:
    """Change sets in this process's memory; the default session ("") kept in a state file
    when one is given. Thread-safe: the saver reads while the server writes."""

    shared = False  # this process alone writes them

    def __init__(self, state_file: str | None = None, save_interval: float = 0.2):
        self._lock = threading.Lock()
        self._records: dict[str, Changes] = {}
        self._used: dict[str, dict[str, int]] = {}
        self._versions: dict[str, int] = {}
        # Per session, the puts as (version, collection, key) from the version its log
        # starts at (its last load's, else its first put's): what read_since answers from.
        self._log: dict[str, list[tuple[int, str, int]]] = {}
        self._start: dict[str, int] = {}
        self._clock = itertools.count(1)  # versions, never given twice
        self._saver = None
        if state_file:
            path = Path(state_file)
            records, used = _read_state_file(path)
            if records or used:
                self._set("", records, used)
            self._saver = _Saver(path, self._rendered_default, save_interval)

    def version(self, session: str) -> int:
        return self._versions.get(session, 0)

    def read(self, session: str) -> Changes:
        with self._lock:
            return {path: dict(changed) for path, changed in self._records.get(session, {}).items()}

    def read_since(self, session: str, since: int) -> tuple[int, Changes] | None:
        with self._lock:
            version = self._versions.get(session, 0)
            if version == 0:
                return (0, {}) if since == 0 else None
            start = self._start.get(session)
            if start is None or not start <= since <= version:
                return None
            log = self._log.get(session, [])
            changes: Changes = {}
            records = self._records.get(session, {})
            for _, path, key in log[bisect.bisect_right(log, since, key=_first) :]:
                changes.setdefault(path, {})[key] = records[path][key]
            return version, changes

    def next_key(self, session: str, collection: str, floor: int) -> int:
        with self._lock:
            used = self._used.setdefault(session, {})
            key = used[collection] = max(floor, used.get(collection, 0)) + 1
        self._changed(session)
        return key

    def put(
        self,
        session: str,
        collection: str,
        key: int,
        record: bytes | None,
        expected: int | None = None,
    ) -> bool:
        with self._lock:
            # (One process writes here: a write validated against the current version,
            # which a request reads while nothing else runs, always finds it unchanged.)
            if expected is not None and self._versions.get(session, 0) != expected:
                return False
            self._records.setdefault(session, {}).setdefault(collection, {})[key] = record
            used = self._used.setdefault(session, {})
            used[collection] = max(key, used.get(collection, 0))
            version = self._versions[session] = next(self._clock)
            self._log.setdefault(session, []).append((version, collection, key))
            self._start.setdefault(session, version)
        self._changed(session)
        return True

    def dump(self, session: str) -> dict:
        with self._lock:
            text = render(self._records.get(session, {}), self._used.get(session, {}))
        return orjson.loads(text)

    def load(self, session: str, doc: dict) -> None:
        records, used = parse(doc)
        self._set(session, records, used)
        self._changed(session)

    def reset(self, session: str) -> None:
        with self._lock:
            self._records.pop(session, None)
            self._used.pop(session, None)
            self._versions.pop(session, None)
            self._log.pop(session, None)
            self._start.pop(session, None)
        self._changed(session)

    def close(self) -> None:
        if self._saver is not None:
            self._saver.close()

    def _set(self, session: str, records: Changes, used: dict[str, int]) -> None:
        with self._lock:
            self._records[session] = records
            self._used[session] = used
            version = self._versions[session] = next(self._clock)
            self._log[session] = []
            self._start[session] = version

    def _changed(self, session: str) -> None:
        if session == "" and self._saver is not None:
            self._saver.changed()

    def _rendered_default(self) -> bytes:
        with self._lock:
            return render(self._records.get("", {}), self._used.get("", {}))


def _first(entry: tuple) -> int:
    return entry[0]


def _read_state_file(path: Path) -> tuple[Changes, dict[str, int]]:
    """The state a file holds; none when it does not exist yet (the first start)."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        directory = path.parent
        if not directory.is_dir() or not os.access(directory, os.W_OK | os.X_OK):
            raise ConfigError(
                str(path), f"cannot be written: {directory} is no writable directory"
            ) from None
        return {}, {}
    except OSError as exc:
        raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
    try:
        return parse(orjson.loads(text))
    except orjson.JSONDecodeError as exc:
        raise ConfigError(str(path), f"is not a mockserver state: not JSON ({exc})") from None
    except ValueError as exc:
        raise ConfigError(str(path), f"is not a mockserver state: {exc}") from None


class _Saver:
    """Saves a state file from a background thread, coalescing a burst of changes into at
    most one save per `interval` seconds, and once more at close (or at exit: SIGTERM under
    uvicorn ends in a normal exit). Each save is whole: a reader, or a restart after
    `kill -9`, finds the previous document or the new one, never a part."""

    def __init__(self, path: Path, render_state, interval: float):
        self.path = path
        self.saves = 0
        self._render = render_state
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dirty = False
        self._write_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="mockserver-state", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def changed(self) -> None:
        self._dirty = True
        self._wake.set()

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        self._thread.join()
        self.save()
        atexit.unregister(self.close)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            # The first change of a burst waits out the interval; those after it join it.
            if self._stop.wait(self._interval):
                return
            self._wake.clear()
            self.save()

    def save(self) -> None:
        with self._write_lock:
            if not self._dirty:
                return
            self._dirty = False  # before rendering: a change during the save saves again
            data = self._render()
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            try:
                with open(temporary, "wb") as file:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(temporary, self.path)
                _sync_directory(self.path.parent)  # the rename itself survives a crash
                self.saves += 1
            except OSError as exc:
                self._dirty = True  # try again at the next change or at close
                print(
                    f"mockserver: warning: {self.path}: cannot be saved: {exc.strerror}",
                    file=sys.stderr,
                )


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename is still atomic
    finally:
        os.close(descriptor)
