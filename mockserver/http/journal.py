"""The request journal and the mock's own endpoints under `/__mock/`, for contract tests.

A consumer's tests ask the mock which requests they really made (WireMock's
`/__admin/requests` does this for its stubs):

    GET    /__mock/health                   200 {"status": "ok", ...} once the data is ready
    GET    /__mock/requests?method=GET&path=/users/&status=200&limit=100&after=ID
                                            {"count": N, "next": URL or null,
                                             "requests": [oldest first]}
    DELETE /__mock/requests                 204: the journal starts again empty
    GET    /__mock/state                    the change set of the session `X-Mock-Session`
                                            names (none: the shared one), as JSON
    PUT    /__mock/state                    204: that session's change set replaced
    DELETE /__mock/state                    204: that session back to the generated records

A read is a page of at most `limit` entries (100 unless given, at most `--journal`), those
after the entry `after` names (each has an `id`, counting up from 1); `next` is the URL of
the page that follows, as DRF's pagination links one, and `count` the entries that match
in all. The page is streamed a slice at a time: the journal holds up to `--journal` entries
of up to `--max-header-bytes` of headers each, and eight parallel reads of one 67 MB body
took 744 MB and stalled every other request for 1.3 s.

The journal keeps the last `--journal N` API requests (a path of the spec, with any
method, its redirect included): the time, method, path, query, status and headers. The
`Authorization`, `Cookie` and `Proxy-Authorization` headers are never kept; a write's body
is, with the values of password-like keys masked, up to `BODY_KEPT` bytes (a larger one is
noted by its size: a thousand bodies of 2.5 MB would hold 2.5 GB). The answer's
writer (mockserver/http/answer.py) adds each entry, so keeping a journal costs no middleware;
`--journal 0` keeps none. `/__mock/` needs no token and is not in the contract.
With `--workers N` each worker keeps its own journal (see the README).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode

import orjson

from mockserver.errors import ApiError
from mockserver.http.answer import JOURNAL, send_json, write

BODY = "mockserver.http.body"  # the scope key of a write's body, for its journal entry
# Keys whose values a journal never shows (a login's password, a token sent in a body).
_SECRET_KEY = ("password", "secret", "token", "refresh", "access", "key")

# Credentials: never written down anywhere.
SECRET_HEADERS = (b"authorization", b"cookie", b"proxy-authorization")
PREFIX = "/__mock/"
MASK = "********"
PAGE = 100  # entries a read gives unless `limit` says otherwise
BODY_KEPT = 65536  # bytes of a write's body an entry keeps; a larger one is noted by size
# orjson writes at most 254 levels of arrays and objects ("Recursion limit reached"); an entry
# is one of them, so a body nested deeper is kept as text.
DEPTH_KEPT = 253
_SLICE_BYTES = 262144  # JSON sent at a time while a page streams


@dataclass(frozen=True)
class Secrets:
    """Where a spec's credentials travel besides those headers: a custom apiKey header
    (`X-API-Key`), a query parameter (`?api_key=`). Neither is written down either."""

    headers: frozenset[bytes] = frozenset()
    params: frozenset[str] = frozenset()

    @classmethod
    def of(cls, operations) -> Secrets:
        headers, params = set(), set()
        for op in operations:
            for scheme in op.security.schemes:
                if scheme.place == "query":
                    params.add(scheme.field)
                elif scheme.place == "header":
                    headers.add(scheme.field.lower().encode("latin-1"))
        return cls(frozenset(headers - set(SECRET_HEADERS)), frozenset(params))

    def query(self, query: bytes) -> bytes:
        """The query string with each credential's value masked, the rest as sent.

        >>> Secrets(params=frozenset({"api_key"})).query(b"a=1&api_key=s3cret&b=2")
        b'a=1&api_key=********&b=2'
        """
        if not self.params or not any(p.encode() in query for p in self.params):
            return query
        parts = []
        for part in query.split(b"&"):
            name = unquote_to_bytes(part.partition(b"=")[0]).decode("utf-8", "replace")
            parts.append(f"{name}={MASK}".encode() if name in self.params else part)
        return b"&".join(parts)


class Journal:
    """The last `size` requests, oldest first.

    >>> journal = Journal(2)
    >>> scope = {"method": "GET", "path": "/users/", "query_string": b"", "headers": []}
    >>> for status in (200, 401, 404):
    ...     journal.add(scope, status)
    >>> [(entry["id"], entry["status"]) for entry in journal.entries()]
    [(2, 401), (3, 404)]
    >>> journal.entries(status="404")[0]["path"]
    '/users/'
    >>> [entry["id"] for entry in journal.entries(after=2)]
    [3]
    """

    def __init__(self, size: int, secrets: Secrets | None = None):
        # Raw tuples, made into JSON only when read: writing one costs the hot path little.
        self._entries: deque[tuple] = deque(maxlen=size)
        self.size = size
        self.secrets = secrets or Secrets()
        self._hidden = (*SECRET_HEADERS, *self.secrets.headers)
        self._last = 0  # the id of the last entry written

    def add(self, scope, status: int) -> None:
        """Write down the request of `scope`, answered with `status`. ASGI gives header
        names in lower case."""
        kept = [pair for pair in scope["headers"] if pair[0] not in self._hidden]
        query = scope["query_string"]
        if self.secrets.params:
            query = self.secrets.query(query)
        query = query.decode("latin-1")
        self._last += 1
        entry = (self._last, time.time(), scope["method"], scope["path"], query, status, kept)
        body = scope.get(BODY)
        self._entries.append((*entry, body) if body else entry)

    def entries(self, method=None, path=None, status=None, after=None) -> list[dict]:
        """The entries that match every filter given, as JSON-ready dicts."""
        return [_entry(*raw) for raw in self.matching(method, path, status, after)]

    def matching(self, method=None, path=None, status=None, after=None) -> list[tuple]:
        """The raw entries that match every filter given: a method (any case), a path (a
        trailing `*` matches a prefix), a status, an id they come after. Filtered before
        any is made into JSON: a page of ten costs ten."""
        found = list(self._entries)
        if after:
            found = [e for e in found if e[0] > after]
        if method:
            found = [e for e in found if e[2] == method.upper()]
        if path:
            if path.endswith("*"):
                found = [e for e in found if e[3].startswith(path[:-1])]
            else:
                found = [e for e in found if e[3] == path]
        if status:
            found = [e for e in found if str(e[5]) == str(status)]
        return found

    def clear(self) -> None:
        self._entries.clear()


def _entry(number: int, moment: float, method, path, query, status, headers, body=None) -> dict:
    stamp = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
    entry = {
        "id": number,
        "time": stamp.replace("+00:00", "Z"),
        "method": method,
        "path": path,
        "query": query,
        "status": status,
        "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in headers],
    }
    if body is not None:
        entry["body"] = masked(body) if len(body) <= BODY_KEPT else f"({len(body)} bytes, not kept)"
    return entry


def masked(body: bytes):
    """A write's body as the journal shows it: JSON or form fields, each password-like
    key's value masked; any other body, and JSON nested past DEPTH_KEPT, as text.

    >>> masked(b'{"username": "ada", "password": "s3cret", "x": [{"token": "t"}]}')
    {'username': 'ada', 'password': '********', 'x': [{'token': '********'}]}
    >>> masked(b"username=ada&password=s3cret")
    {'username': 'ada', 'password': '********'}
    """
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    else:
        if _depth(value) <= DEPTH_KEPT:
            return _masked(value)
        return body.decode("utf-8", "replace")  # too deep to write back as JSON
    text = body.decode("utf-8", "replace")
    pairs = parse_qsl(text, keep_blank_values=True)
    if pairs and "=" in text and "\n" not in text:
        return _masked(dict(pairs))
    return text


def _depth(value) -> int:
    """How many arrays and objects nest in `value`, counted without recursion (a body may
    nest 1,024 deep, past Python's own limit).

    >>> _depth(1), _depth([]), _depth({"a": [[1], 2]})
    (0, 1, 3)
    """
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            pending.extend((inner, level + 1) for inner in item)
    return deepest


def _masked(value):
    if isinstance(value, dict):
        return {
            k: MASK if any(s in str(k).lower() for s in _SECRET_KEY) else _masked(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


class MockEndpointsMiddleware:
    """`/__mock/health` and `/__mock/requests` (under the base path); every other request
    passes on, carrying the journal for mockserver/http/answer.py to write it down in."""

    def __init__(self, app, journal: Journal | None, base_path: str, health: dict, workspace=None):
        self.app = app
        self.journal = journal
        self.workspace = workspace  # the sessions' writes (mockserver/engine/writes.py)
        self.prefix = base_path + PREFIX
        self.health = health
        self.started = time.monotonic()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            if self.journal is not None:
                scope[JOURNAL] = self.journal
            await self.app(scope, receive, send)
            return
        name, method = scope["path"][len(self.prefix) :], scope["method"]
        head = method == "HEAD"
        if name == "health" and method in ("GET", "HEAD"):
            uptime = round(time.monotonic() - self.started, 3)
            await send_json(send, 200, {**self.health, "uptime": uptime}, head=head)
        elif name == "requests" and self.journal is None:
            await send_json(send, 404, {"detail": "The journal is off (--journal 0)."})
        elif name == "requests" and method in ("GET", "HEAD"):
            await self._requests(scope, send, head)
        elif name == "requests" and method == "DELETE":
            self.journal.clear()
            await write(send, 204, b"", [])
        elif name == "state" and self.workspace is not None and method in _STATE_METHODS:
            await self._state(scope, receive, send, method)
        elif name in ("health", "requests", "state"):
            allow = {"requests": b"GET, HEAD, DELETE", "state": b"GET, HEAD, PUT, DELETE"}.get(
                name, b"GET, HEAD"
            )
            body = {"detail": f'Method "{method}" not allowed.'}
            await send_json(send, 405, body, [(b"allow", allow)])
        else:
            await send_json(send, 404, {"detail": "Not found."})

    async def _requests(self, scope, send, head: bool) -> None:
        """A page of the journal, streamed: `{"count": N, "next": ..., "requests": [...]}`."""
        query = dict(parse_qsl(scope["query_string"].decode("utf-8", "replace")))
        wanted = {k: query.get(k) for k in ("method", "path", "status")}
        # As DRF's LimitOffsetPagination reads `limit`: a value that is no positive number
        # is the default; more than the journal holds is all of it.
        limit = min(_positive(query.get("limit")) or PAGE, max(self.journal.size, 1))
        found = self.journal.matching(**wanted, after=_positive(query.get("after")))
        page = found[:limit]
        following = None
        if len(found) > limit:
            query["after"] = str(page[-1][0])
            following = _base_url(scope) + "?" + urlencode(query)
        start = orjson.dumps({"count": len(found), "next": following})[:-1] + b',"requests":['
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if head:
            await send({"type": "http.response.body", "body": b""})
            return
        # Not through answer.write, which needs the whole body for its Content-Length: the
        # page goes out chunked, a slice at a time, and other requests are served between.
        parts, size = [start], len(start)
        for number, raw in enumerate(page):
            text = orjson.dumps(_entry(*raw))
            parts.append(b"," + text if number else text)
            size += len(text)
            if size >= _SLICE_BYTES:
                await send(
                    {"type": "http.response.body", "body": b"".join(parts), "more_body": True}
                )
                parts, size = [], 0
                await asyncio.sleep(0)
        parts.append(b"]}")
        await send({"type": "http.response.body", "body": b"".join(parts)})

    async def _state(self, scope, receive, send, method: str) -> None:
        """A session's change set: read, replaced or reset (`X-Mock-Session` names it). A
        store that cannot answer (Redis gone) is its 503 with `Retry-After`, as for the API's
        own requests, never a 500."""
        from mockserver.http.app import SESSION_HEADER, read_body

        session = dict(scope["headers"]).get(SESSION_HEADER, b"").decode("latin-1")
        try:
            if method in ("GET", "HEAD"):
                body = self.workspace.sessions.dump(session)
                await send_json(send, 200, body, head=method == "HEAD")
                return
            if method == "DELETE":
                self.workspace.reset(session)
            else:
                self.workspace.load(session, orjson.loads(await read_body(receive)))
        except orjson.JSONDecodeError as exc:
            await send_json(send, 400, {"detail": f"JSON parse error - {exc}"})
            return
        except ValueError as exc:
            await send_json(send, 400, {"detail": str(exc)})
            return
        except ApiError as error:
            headers = [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
            await send_json(send, error.status, error.body, headers, head=method == "HEAD")
            return
        await write(send, 204, b"", [])


_STATE_METHODS = ("GET", "HEAD", "PUT", "DELETE")


def _positive(text: str | None) -> int | None:
    """`limit=` and `after=` as numbers: None unless a positive integer.

    >>> [_positive(t) for t in ("20", "0", "-3", "x", None, "9" * 30)]
    [20, None, None, None, None, None]
    """
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


def _base_url(scope) -> str:
    """The URL of this request without its query, as DRF's links give it (the Host it was
    sent to; the server's address when it has none)."""
    host = next((v for n, v in scope["headers"] if n == b"host"), b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    path = scope.get("root_path", "") + scope["path"]
    return f"{scope.get('scheme', 'http')}://{host}{path}"
