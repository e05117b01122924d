"""Limits at the edge: what one client may send or hold, answered before the app runs.

uvicorn's httptools protocol has no limit on a request's head: one 100 MB header is read
(and copied as it grows) for seconds while other clients wait, a client that sends one
header byte a second holds its connection for ever, and so does one that connects and
sends nothing. `LimitedProtocol` is that protocol with bounds, each answered in DRF's JSON
shape with `Connection: close` as soon as it is crossed:

- a request target longer than `max_url` bytes: 414 (RFC 9110, 15.5.15);
- request headers over `max_header_bytes` in all or `max_headers` lines: 431, naming the
  header that crossed the limit (RFC 6585, section 5);
- a request head not complete within `header_timeout` seconds: 408 (RFC 9110, 15.5.9); a
  connection that sends nothing at all within that time is closed;
- more than `max_concurrency` requests in flight: 503 with `Retry-After` (RFC 9110,
  10.2.3), counted as uvicorn counts its request tasks, idle connections left out;
- an idle kept-alive connection is closed after `keepalive_timeout` (uvicorn's own timer).

A body sent with a GET is never read by the app: uvicorn buffers at most 64 KiB of it,
then reads and drops the rest, so it costs no memory.

The common path costs a few comparisons per request: the parser is never handed more than
`max_url + max_header_bytes` bytes of a head, so the exact checks wait for the head's end.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

RETRY_AFTER = b"1"  # seconds: a mock's requests in flight finish in milliseconds
_SLACK = 1024  # bytes of a head beyond the two limits: the request line's method and version
_REASONS = {
    408: b"Request Timeout",
    414: b"URI Too Long",
    431: b"Request Header Fields Too Large",
    503: b"Service Unavailable",
}


@dataclass(frozen=True)
class Limits:
    """The bounds of one server, from Settings (uvicorn pickles them to each worker)."""

    max_url: int = 8192
    max_header_bytes: int = 65536
    max_headers: int = 100
    header_timeout: float = 10.0
    max_concurrency: int = 1000

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            settings.max_url,
            settings.max_header_bytes,
            settings.max_headers,
            settings.header_timeout,
            settings.max_concurrency,
        )


def uvicorn_options(settings) -> dict:
    """What `uvicorn.Config` needs for these limits (the protocol reads `config.limits`)."""
    return {
        "http": "mockserver.http.limits:LimitedProtocol",
        "timeout_keep_alive": settings.keepalive_timeout,
    }


class _Refused(Exception):
    """A crossed limit: the status and the `detail` to answer."""

    def __init__(self, status: int, detail: str, headers: tuple = ()):
        super().__init__(status, detail, headers)
        self.status = status
        self.detail = detail
        self.headers = headers


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounds on the request head and the time to send it."""

    def __init__(self, config, *args, **kwargs):
        super().__init__(config, *args, **kwargs)
        self.limits: Limits = getattr(config, "limits", None) or Limits()
        self._budget = self.limits.max_url + self.limits.max_header_bytes + _SLACK
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0  # received of this head (a body in the same chunk included)
        self._line = b""  # the start of the last line begun, to name a header
        self._last = b""  # the last chunk of this head, to find its end across chunks
        self._lines_ended = False  # the request line is complete
        self._refused = False
        self._crossed: _Refused | None = None  # found in a parser callback

    # -- the connection ---------------------------------------------------------------------

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
        cycle = self.cycle
        if cycle is not None and cycle.more_body:  # a body (uvicorn's cycle says so)
            super().data_received(data)
            return
        over = self._head_bytes + len(data) > self._budget
        if over:
            data, over = self._fit(data)
        self._head_bytes += len(data)
        end = data.rfind(b"\r\n")
        if end >= 0:
            self._lines_ended = True
            self._line = data[end + 2 : end + 130]
        elif len(self._line) < 128:
            self._line = (self._line + data)[:128]
        self._last = data
        super().data_received(data)
        if over and not self._refused:
            # Only what fits was parsed: the rest of this head is never read.
            self._refuse(self._over_budget())
        elif self._head_bytes and self._head_timer is None:
            # A head that goes on in a later chunk has `header_timeout` to end; one that
            # ends in the chunk it began in (nearly all) never needs a timer.
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timeout)

    def send_400_response(self, msg: str) -> None:
        """httptools turns a callback's exception into a parse error, which uvicorn answers
        400 in plain text; a limit found in a callback is answered instead."""
        if self._crossed is not None:
            self._refuse(self._crossed)
        else:
            super().send_400_response(msg)

    # -- parser callbacks -------------------------------------------------------------------

    def on_headers_complete(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        head_bytes, self._head_bytes = self._head_bytes, 0  # the next head starts afresh
        self._line = self._last = b""
        self._lines_ended = False
        limits = self.limits
        if len(self.url) > limits.max_url:
            self._cross(414, _too_long(len(self.url), limits.max_url))
        if len(self.headers) > limits.max_headers:
            name = self.headers[limits.max_headers][0]
            self._cross(431, f"Request header fields too large: more than {limits.max_headers} "
                        f"headers (at {_shown(name)}).")  # fmt: skip
        if head_bytes - len(self.url) > limits.max_header_bytes:  # maybe: count exactly
            self._check_header_bytes()
        if len(self.tasks) >= limits.max_concurrency:
            self._cross(
                503,
                "Too many requests in flight; retry shortly.",
                ((b"retry-after", RETRY_AFTER),),
            )
        super().on_headers_complete()

    # -- helpers ----------------------------------------------------------------------------

    def _fit(self, data: bytes) -> tuple[bytes, bool]:
        """What of `data` the parser may see, and whether the head is over its budget: all
        of it if the head ends within the budget (a body may follow it in the same chunk),
        else only what fits."""
        room = max(self._budget - self._head_bytes, 0)
        tail = self._last[-3:]
        end = (tail + data).find(b"\r\n\r\n")
        if end >= 0 and end + 4 - len(tail) <= room:
            return data, False
        return data[:room], True

    def _check_header_bytes(self) -> None:
        total = 0
        for name, value in self.headers:
            total += len(name) + len(value) + 4  # ": " and CRLF
            if total > self.limits.max_header_bytes:
                self._cross(431, self._too_large(name))

    def _cross(self, status: int, detail: str, headers: tuple = ()) -> None:
        """Stop the parser (a callback's exception does) and remember why."""
        self._crossed = _Refused(status, detail, headers)
        raise self._crossed

    def _over_budget(self) -> _Refused:
        if not self._lines_ended:  # still in the request line: the target is too long
            return _Refused(414, _too_long(self._head_bytes, self.limits.max_url))
        return _Refused(431, self._too_large(self._line.split(b":", 1)[0]))

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
        lines = [
            b"HTTP/1.1 %d %s\r\n" % (refused.status, _REASONS[refused.status]),
            *(name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers),
            *(name + b": " + value + b"\r\n" for name, value in refused.headers),
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.logger.info("refused a request: %d %s", refused.status, refused.detail)
        self.transport.write(b"".join(lines) + body)
        self.transport.close()


def _too_long(length: int, limit: int) -> str:
    return f"Request-URI too long: more than {limit} bytes ({length} received)."


def _shown(name: bytes) -> str:
    """A header name for a message, as ASGI and Django's META name it, cut short."""
    text = name.decode("latin-1").strip().lower()
    return repr(text[:64] + ("…" if len(text) > 64 else ""))
