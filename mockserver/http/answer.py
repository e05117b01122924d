"""The one place that writes an HTTP answer: status, headers, a length, and the body unless
the request was a HEAD (RFC 9110 §9.3.2: a HEAD's answer is the GET's without content).

Every answer goes out through `write`: the API's pages and errors, redirects, the 404 of an
unknown path, the documented examples `Prefer` and the faults choose, and the served spec.
Middlewares that only add headers (CORS, the access log) wrap `send` and never write.

An API answer (one given with its request's `scope`) is also written down in the request
journal, when the server keeps one (`scope[JOURNAL]`, set by mockserver/http/journal.py): here,
where the status is known, rather than in one more middleware on every request's way.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

JSON = b"application/json"
JOURNAL = "mockserver.http.journal"  # the scope key of the server's Journal, when it keeps one
_JSON_TYPE = (b"content-type", JSON)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]  # content-type and the documented headers


async def write(send, status: int, body: bytes, headers, *, head: bool = False, scope=None) -> None:
    """Send one answer over ASGI: `headers` as (name, value) bytes, then the length.
    `scope`: the API request answered, for the journal."""
    raw = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if head else body})
    journal = scope.get(JOURNAL) if scope is not None else None
    if journal is not None:
        journal.add(scope, status)


async def send_answer(send, answer: Answer, *, head: bool, extra=(), scope=None) -> None:
    """`answer` with `extra` headers after its own."""
    headers = [*answer.headers, *extra]
    await write(send, answer.status, answer.body, headers, head=head, scope=scope)


async def send_json(send, status: int, body, headers=(), *, head: bool = False) -> None:
    """A JSON answer in DRF's compact form (non-ASCII unescaped, as DRF renders it)."""
    await write(send, status, orjson.dumps(body), [_JSON_TYPE, *headers], head=head)
