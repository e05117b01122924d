"""Limits at the edge: what one client may send or hold, answered before the app runs.

uvicorn's httptools protocol has no limit on a request's head: one 100 MB header is read
(and copied as it grows) for seconds while other clients wait, a client that sends one
header byte a second holds its connection for ever, and so does one that connects and
sends nothing. `LimitedProtocol` is that protocol with bounds, each answered in DRF's JSON
shape and with `Connection: close`, as soon as it is crossed:

- a request target longer than `max_url` bytes: 414 (RFC 9110, 15.5.15);
- request headers over `max_header_bytes` in all or `max_headers` lines: 431, naming the
  header that crossed the limit (RFC 6585, section 5);
- a request head not complete within `header_timeout` seconds of its first byte: 408
  (RFC 9110, 15.5.9); a connection that sends nothing at all within that time is closed;
- an idle kept-alive connection is closed after `keepalive_timeout` (uvicorn's own timer).

A body sent with a GET is never read by the app: uvicorn buffers at most 64 KiB of it and
then stops reading, so it costs no memory. `ConcurrencyLimit` answers requests beyond
`max_concurrency` in flight with 503 and `Retry-After`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RETRY_AFTER = "1"  # seconds: requests in flight on a mock finish in milliseconds
_REASONS = {
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
}


@dataclass(frozen=True)
class Limits:
    """The bounds of one server, from Settings (uvicorn pickles them to each worker)."""

    max_url: int = 8192
    max_header_bytes: int = 65536
    max_headers: int = 100
    header_timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            settings.max_url,
            settings.max_header_bytes,
            settings.max_headers,
            settings.header_timeout,
        )


class _Refused(Exception):
    """Raised from a parser callback: the request crossed a limit."""

    def __init__(self, status: int, detail: str):
        super().__init__(status, detail)
        self.status = status
        self.detail = detail


def uvicorn_options(settings) -> dict:
    """What `uvicorn.Config` needs for these limits (the protocol reads `config.limits`)."""
    return {
        "http": "mockserver.limits:LimitedProtocol",
        "timeout_keep_alive": settings.keepalive_timeout,
    }


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on the request head and the time to send it."""

    def __init__(self, config, *args, **kwargs):
        super().__init__(config, *args, **kwargs)
        self.limits: Limits = getattr(config, "limits", None) or Limits()
        self._head_timer: asyncio.TimerHandle | None = None
        self._in_head = True  # the next bytes belong to a request's head
        self._head_bytes = 0  # of the request head being received
        self._header_bytes = 0
        self._line = b""  # the start of the header line being received, to name it
        self._lines_ended = False  # a CRLF seen in this head: the request line is complete
        self._tail = b""  # the head's last bytes, to find its end across two chunks
        self._refused = False
        self._crossed: _Refused | None = None  # the limit a parser callback found

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        # A connection that sends nothing holds a descriptor all the same.
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timeout)

    def connection_lost(self, exc) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        over = False
        if self._in_head:  # count the head before parsing it: the parser copies as it grows
            if self._head_timer is None:  # the first bytes of a kept-alive connection's next
                self._head_timer = self.loop.call_later(
                    self.limits.header_timeout, self._head_timeout
                )
            # Only the head counts: a body may follow in the same chunk.
            joined = self._tail + data
            end = joined.find(b"\r\n\r\n")
            head = data if end < 0 else data[: max(0, end + 4 - len(self._tail))]
            self._tail = joined[-3:]
            room = self.limits.max_url + self.limits.max_header_bytes + 1024 - self._head_bytes
            if len(head) > room:
                # Past the budget: the parser sees only what fits, so that its callbacks can
                # still name what is too long; the rest is never read.
                over, head = True, head[: max(room, 0)]
                data = head
            self._head_bytes += len(head)
            self._track_line(head)
        super().data_received(data)
        if over and not self._refused:
            self._refuse(self._over_budget())

    def send_400_response(self, msg: str) -> None:
        """httptools turns an exception of a callback into a parse error, which uvicorn
        answers 400 in plain text: a limit a callback found is answered instead."""
        if self._crossed is not None:
            self._refuse(self._crossed)
        else:
            super().send_400_response(msg)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_url:
            self._cross(_Refused(414, _too_long(len(self.url), self.limits.max_url)))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._header_bytes += len(name) + len(value) + 4  # ": " and CRLF
        if len(self.headers) > self.limits.max_headers:
            self._cross(
                _Refused(
                    431,
                    f"Request header fields too large: more than {self.limits.max_headers} "
                    f"headers (at {_shown(name)}).",
                )
            )
        if self._header_bytes > self.limits.max_header_bytes:
            self._cross(_Refused(431, self._too_large(name)))

    def on_headers_complete(self) -> None:
        self._cancel_head_timer()
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what comes next is another request
        self._head_bytes = self._header_bytes = 0
        self._line = b""
        self._lines_ended = False
        self._tail = b""

    # -- helpers --------------------------------------------------------------------------

    def _cross(self, refused: _Refused) -> None:
        """Stop the parser (a callback's exception does) and remember why."""
        self._crossed = refused
        raise refused

    def _track_line(self, data: bytes) -> None:
        """Keep the start of the current header line, so that a 431 can name its header."""
        end = data.rfind(b"\r\n")
        if end >= 0:
            self._lines_ended = True
            self._line = data[end + 2 : end + 130]
        elif len(self._line) < 128:
            self._line += data[: 128 - len(self._line)]

    def _over_budget(self) -> _Refused:
        if not self._lines_ended:
            # Nothing but the request line so far: the target is what is too long.
            return _Refused(414, _too_long(self._head_bytes, self.limits.max_url))
        name = self._line.split(b":", 1)[0]
        return _Refused(431, self._too_large(name))

    def _too_large(self, name: bytes) -> str:
        return (
            f"Request header fields too large: {_shown(name)} takes the headers past "
            f"{self.limits.max_header_bytes} bytes."
        )

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._head_bytes:
            seconds = self.limits.header_timeout
            self._refuse(_Refused(408, f"The request's headers took more than {seconds:g} s."))
        else:
            self.transport.close()  # connected and silent: nothing to answer

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, refused: _Refused) -> None:
        """The one answer this layer writes: DRF's `{"detail": ...}`, then close."""
        self._refused = True
        self._cancel_head_timer()
        body = orjson.dumps({"detail": refused.detail})
        head = [
            b"HTTP/1.1 %d %s\r\n" % (refused.status, _REASONS[refused.status]),
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.logger.info("refused a request: %d %s", refused.status, refused.detail)
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def _too_long(length: int, limit: int) -> str:
    return f"Request-URI too long: more than {limit} bytes ({length} received)."


def _shown(name: bytes) -> str:
    """A header name for a message: decoded leniently, cut short."""
    text = name.decode("latin-1").strip().lower()  # as ASGI and Django's META name it
    return repr(text[:64] + ("…" if len(text) > 64 else ""))


class ConcurrencyLimit:
    """At most `limit` requests in flight; more get 503 with `Retry-After` at once.

    uvicorn's own `limit_concurrency` counts open connections too (idle keep-alive ones
    included) and answers in plain text; this counts only requests being answered.
    """

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit
        self.active = 0
        self._body = orjson.dumps({"detail": "Too many requests in flight; retry shortly."})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self._body)).encode()),
                (b"retry-after", RETRY_AFTER.encode()),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": self._body})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
