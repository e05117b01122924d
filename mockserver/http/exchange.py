"""One request as every step of the pipeline reads it: its route, headers and query pairs.

The first step that asks (`of(scope, state)`) routes the path and keeps the result in the
ASGI scope, as Connexion keeps its routing match there; the query string is parsed the
first time a step reads it. So faults, `Prefer`, admission and the API step never route or
parse the same request twice.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

KEY = "mockserver.http.exchange"
HEADERS = "mockserver.http.headers"  # the scope key of the request's headers by name


class Exchange:
    """A request's route (`match`: None for a path no operation has), its headers (the last
    of a repeated one, as Django's META keeps it) and its query pairs."""

    __slots__ = ("_items", "headers", "match", "query_string", "read")

    def __init__(self, match, headers: dict[bytes, bytes], query_string: bytes):
        self.match = match
        self.headers = headers
        self.query_string = query_string
        self._items: list[tuple[str, str]] | None = None
        # The GET operation of the route, if any.
        self.read = match.route.operations.get("GET") if match is not None else None

    @property
    def items(self) -> list[tuple[str, str]]:
        """The query's (name, value) pairs in order, blank values kept, bad UTF-8 replaced;
        parsed the first time a step asks (a plain attribute: functools.cached_property
        costs microseconds a request)."""
        if self._items is None:
            self._items = parse_qsl(
                self.query_string.decode("utf-8", "replace"),
                keep_blank_values=True,
                errors="replace",
            )
        return self._items


def headers_of(scope) -> dict[bytes, bytes]:
    """The request's headers by (lower-case) name, the last of a repeated one: made by the
    first step that asks (CORS looks for `Origin`, negotiation for `Prefer`), then kept in
    the scope.

    >>> scope = {"headers": [(b"accept", b"*/*"), (b"x", b"1"), (b"x", b"2")]}
    >>> headers_of(scope), headers_of(scope) is scope[HEADERS]
    ({b'accept': b'*/*', b'x': b'2'}, True)
    """
    found = scope.get(HEADERS)
    if found is None:
        found = scope[HEADERS] = dict(scope["headers"])
    return found


def of(scope, state) -> Exchange:
    """The request's Exchange: made by the first step that asks, then kept in the scope.

    >>> class Routes:
    ...     def route(self, path):
    ...         return None
    >>> scope = {"path": "/x/", "headers": [(b"accept", b"*/*")], "query_string": b"a=1&b="}
    >>> of(scope, Routes()).items, of(scope, Routes()) is scope[KEY]
    ([('a', '1'), ('b', '')], True)
    """
    found = scope.get(KEY)
    if found is None:
        found = scope[KEY] = Exchange(
            state.route(scope["path"]), headers_of(scope), scope["query_string"]
        )
    return found
