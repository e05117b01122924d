"""Where each session's change set lives (placeholder: in this process's memory)."""

from __future__ import annotations


class LocalSessions:
    def __init__(self):
        self._sets: dict[str, dict[str, dict[int, bytes | None]]] = {}
        self._versions: dict[str, int] = {}
        self._next: dict[tuple[str, str], int] = {}

    def version(self, session: str) -> int:
        return self._versions.get(session, 0)

    def read(self, session: str) -> dict[str, dict[int, bytes | None]]:
        return {path: dict(found) for path, found in self._sets.get(session, {}).items()}

    def next_key(self, session: str, collection: str, floor: int) -> int:
        key = max(floor, self._next.get((session, collection), 0)) + 1
        self._next[session, collection] = key
        return key

    def put(self, session: str, collection: str, key: int, record: bytes | None) -> None:
        self._sets.setdefault(session, {}).setdefault(collection, {})[key] = record
        self._versions[session] = self.version(session) + 1

    def reset(self, session: str) -> None:
        self._sets.pop(session, None)
        self._next = {k: v for k, v in self._next.items() if k[0] != session}
        self._versions[session] = self.version(session) + 1

    def close(self) -> None:
        pass


def open_sessions(url=None, state_file=None, namespace=""):
    return LocalSessions()
