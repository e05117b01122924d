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
- a body (and its trailers) not complete within `body_timeout` seconds of its head: 408,
  or, when its request was answered already (a GET's body is never read), the connection
  closed;
- chunked trailers are held to `max_header_bytes` and `max_headers` as the head is (431);
  the app never sees them (Django's request.META has the head's headers only);
- more than `max_concurrency` requests in flight: 503 with `Retry-After` (RFC 9110,
  10.2.3), counted as uvicorn counts its request tasks plus the requests pipelined
  behind them, idle connections left out;
- more than `max_pipeline` requests pipelined behind the one being answered: the
  connection is not read further until they are answered (RFC 9112, 9.3.2 lets a server
  take its time); uvicorn would parse and queue every one a client sends;
- an idle kept-alive connection is closed after `keepalive_timeout`, as uvicorn closes it,
  by one timer per connection that is re-armed only when it fires (`_idle_check`): uvicorn
  cancels its timer when a request comes and makes a new one after each answer, about
  1.6 µs an answer under uvloop.

A refusal of a request pipelined behind others waits for their answers, so that answers
stay in order (RFC 9112, 9.3.2). A body sent with a GET is never read by the app: uvicorn
buffers at most 64 KiB of it, then reads and drops the rest, so it costs no memory.

Besides the limits, the protocol sends an answer's head and its body in one system call
(mockserver/http/transport.py).

The common path costs a few comparisons per request: the parser is never handed more than
`max_url + max_header_bytes` bytes of a head, so the exact checks wait for the head's end;
a chunk of data larger than `_SLICE` (pipelined requests, a body) is parsed a slice at a
time, so that a full pipeline stops the parsing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mockserver.http import hosts
from mockserver.http.transport import CoalescingTransport

RETRY_AFTER = b"1"  # seconds: a mock's requests in flight finish in milliseconds
_SLACK = 1024  # bytes of a head beyond the two limits: the request line's method and version
# Bytes parsed at a time from a larger chunk: at most 4096 / 18 (the shortest request,
# `GET / HTTP/1.1` and an empty line) requests are queued past `max_pipeline`.
_SLICE = 4096
_REASONS = {
    400: b"Bad Request",
    404: b"Not Found",
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
    body_timeout: float = 30.0
    max_pipeline: int = 32
    hosts: tuple[str, ...] = hosts.patterns()  # the Hosts answered (mockserver/http/hosts.py)

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(
            settings.max_url,
            settings.max_header_bytes,
            settings.max_headers,
            settings.header_timeout,
            settings.max_concurrency,
            settings.body_timeout,
            settings.max_pipeline,
            hosts.patterns(settings.host, settings.allowed_host),
        )


def uvicorn_options(settings) -> dict:
    """What `uvicorn.Config` needs for these limits (the protocol reads `config.limits`)."""
    return {
        "http": "mockserver.http.limits:LimitedProtocol",
        "timeout_keep_alive": settings.keepalive_timeout,
    }


class _Refused(Exception):
    """A crossed limit: the status and the `detail` to answer. `current`: the request
    refused is the one being read (its body or trailers), not a new head."""

    def __init__(self, status: int, detail: str, headers: tuple = (), current: bool = False):
        super().__init__(status, detail, headers)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.current = current
        self.bodiless = False


class _HeldFlow(FlowControl):
    """uvicorn's flow control, kept paused while a full pipeline or a refusal waiting its
    turn holds the connection."""

    def resume_reading(self) -> None:
        pass


_base = HttpToolsProtocol  # its callbacks, called without super()'s lookup on the hot path


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
        self._in_body = False  # between a head's end and its message's end: body, trailers
        self._body_timer: asyncio.TimerHandle | None = None
        self._trailer_bytes = 0
        self._trailers = 0
        self._chunk_open = False  # a chunk's size line read, none of its data yet
        self._trailing_bytes = 0  # received since, while no data came: trailers
        self._held: bytes | None = None  # not parsed yet: the pipeline is full
        self._deferred: _Refused | None = None  # written once the earlier answers are
        self._trailer_sink = _Trailers(self)
        # The keep-alive timer: when the connection last went idle (None: a request is
        # being read or answered), and the one timer that looks at it.
        self._idle_since: float | None = None
        self._idle_timer: asyncio.TimerHandle | None = None
        # Requests pipelined on every connection of this server, for max_concurrency, and
        # the Hosts it answers, remembered across connections.
        state = self.server_state
        if not hasattr(state, "pipelined"):
            state.pipelined = 0
            state.hosts = None if "*" in self.limits.hosts else hosts.Hosts(self.limits.hosts)
        self._hosts: hosts.Hosts | None = state.hosts

    # -- the connection ---------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        # uvicorn and this class write through `self.transport`; its flow control keeps the
        # socket's own transport, which pauses and resumes reading only.
        self.transport = CoalescingTransport(transport, self.loop)
        # A connection that sends nothing holds a descriptor all the same.
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timeout)

    def connection_lost(self, exc) -> None:
        self._cancel_timers()
        self.server_state.pipelined -= len(self.pipeline)
        self.pipeline.clear()  # never to be answered: their client is gone
        self._held = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # The common case first, in as few steps as it takes: a chunk that holds whole
        # requests, or starts a head that fits the budget. What a later chunk needs of a head
        # that goes on (its last line, its end) is noted only when one does.
        if (
            len(data) <= _SLICE
            and self._held is None
            and not self._refused
            and self._head_bytes + len(data) <= self._budget
            and (self.cycle is None or not self.cycle.more_body)
        ):
            self._head_bytes += len(data)
            _base.data_received(self, data)
            if self._head_bytes:  # no head ended in this chunk: it goes on in the next
                self._head_goes_on(data)
            elif self._in_body and self._body_timer is None and not self._refused:
                self._start_body_timer()
            return
        if self._refused:
            return
        if self._held is not None:  # the pipeline is full: read no further
            self._held += data
            return
        if len(data) <= _SLICE:
            self._receive(data)
            return
        for start in range(0, len(data), _SLICE):
            if self._refused or self.transport.is_closing():
                return
            if len(self.pipeline) >= self.limits.max_pipeline:
                self._hold(data[start:])
                return
            self._receive(data[start : start + _SLICE])

    def _receive(self, data: bytes) -> None:
        cycle = self.cycle
        if cycle is not None and cycle.more_body:  # a body (uvicorn's cycle says so)
            super().data_received(data)
            if self._in_body and self._body_timer is None:
                self._start_body_timer()
            if self._chunk_open and not self._refused:
                # Trailers (or a chunk's first bytes): httptools hands a trailer over only
                # once it ends, so its bytes are counted as they come.
                self._trailing_bytes += len(data)
                if self._trailing_bytes > self.limits.max_header_bytes:
                    detail = (
                        "Request header fields too large: the trailers take more than "
                        f"{self.limits.max_header_bytes} bytes."
                    )
                    self._refuse(_Refused(431, detail, current=True))
            return
        over = self._head_bytes + len(data) > self._budget
        if over:
            data, over = self._fit(data)
        self._head_bytes += len(data)
        super().data_received(data)
        if over and not self._refused:
            # Only what fits was parsed: the rest of this head is never read.
            self._note_line(data)
            self._refuse(self._over_budget())
        elif self._in_body:
            if self._body_timer is None and not self._refused:
                self._start_body_timer()
        elif self._head_bytes:
            self._head_goes_on(data)

    def _head_goes_on(self, data: bytes) -> None:
        """A head that did not end in `data`: its last line so far, to name a header that
        takes it past its budget, and `header_timeout` to end (one that ends in the chunk
        it began in, nearly all, never needs a timer)."""
        self._note_line(data)
        if self._head_timer is None and not self._refused:
            self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timeout)

    def _note_line(self, data: bytes) -> None:
        end = data.rfind(b"\r\n")
        if end >= 0:
            self._lines_ended = True
            self._line = data[end + 2 : end + 130]
        elif len(self._line) < 128:
            self._line = (self._line + data)[:128]
        self._last = data

    def send_400_response(self, msg: str) -> None:
        """httptools turns a callback's exception into a parse error, which uvicorn answers
        400 in plain text; a limit found in a callback is answered instead."""
        if self._crossed is not None:
            self._refuse(self._crossed)
        else:
            super().send_400_response(msg)

    def on_response_complete(self) -> None:
        if not self.pipeline and self._deferred is None and self._held is None:
            # Nothing waits behind this answer: uvicorn's own steps, but the keep-alive
            # timer, which is re-armed only if it has none (`_idle_check`).
            self.server_state.total_requests += 1
            if self.transport.is_closing():
                return
            self._unset_keepalive_if_required()
            self.flow.resume_reading()
            self._idle_since = self.loop.time()
            if self._idle_timer is None:
                self._idle_timer = self.loop.call_later(self.timeout_keep_alive, self._idle_check)
            return
        queued = len(self.pipeline)
        super().on_response_complete()  # starts the next pipelined request, if any
        started = queued - len(self.pipeline)
        self.server_state.pipelined -= started
        if self.transport.is_closing():
            return
        if self._deferred is not None:
            if not queued:  # every earlier request is answered now
                self._write(self._deferred)
        elif self._held is not None and len(self.pipeline) < self.limits.max_pipeline:
            held, self._held = self._held, None
            self._release()
            self.data_received(held)

    def _unset_keepalive_if_required(self) -> None:
        # uvicorn calls this for every chunk received and every answer: the connection is
        # busy. Its own timer is set only when an answer starts a pipelined request's turn.
        self._idle_since = None
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

    def _idle_check(self) -> None:
        """The keep-alive timer's end: uvicorn's close when the connection has been idle
        for `timeout_keep_alive` since its last answer; else the timer waits out what is
        left of that from the last answer, or, while a request is read or answered, it
        ends, to be made again after the answer."""
        self._idle_timer = None
        since = self._idle_since
        if since is None:
            return
        left = since + self.timeout_keep_alive - self.loop.time()
        if left > 0:
            self._idle_timer = self.loop.call_later(left, self._idle_check)
        else:
            self.timeout_keep_alive_handler()

    # -- parser callbacks -------------------------------------------------------------------

    def on_chunk_header(self) -> None:
        self._chunk_open = True  # its data follows; after the last chunk (size 0), trailers

    def on_body(self, body: bytes) -> None:
        if self._chunk_open:
            self._chunk_open = False
            self._trailing_bytes = 0
        super().on_body(body)

    def on_headers_complete(self) -> None:
        # Every request passes here: the checks that find nothing cost a comparison each.
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        head_bytes, self._head_bytes = self._head_bytes, 0  # the next head starts afresh
        if self._last:  # the head took several chunks
            self._line = self._last = b""
            self._lines_ended = False
        limits = self.limits
        headers = self.headers
        url = len(self.url)
        if url > limits.max_url:
            self._cross(414, _too_long(url, limits.max_url))
        if len(headers) > limits.max_headers:
            name = headers[limits.max_headers][0]
            self._cross(431, f"Request header fields too large: more than {limits.max_headers} "
                        f"headers (at {_shown(name)}).")  # fmt: skip
        if head_bytes - url > limits.max_header_bytes:  # maybe: count exactly
            self._check_header_bytes()
        if len(self.tasks) + self.server_state.pipelined >= limits.max_concurrency:
            self._cross(
                503,
                "Too many requests in flight; retry shortly.",
                ((b"retry-after", RETRY_AFTER),),
            )
        hosts = self._hosts
        if hosts is not None:
            for name, value in headers:
                if name == b"host":
                    if value not in hosts.good and not hosts.answers(value):
                        self._cross(400, hosts.refusal(value))
                    break
        if self.parser.should_upgrade() and self._get_upgrade() == b"websocket":
            self._cross(404, "Not found.")  # mockserver/http/hosts.py: no WebSocket
        self._in_body = True
        _base.on_headers_complete(self)
        # uvicorn's on_header appends to `self.headers`, which is now the scope's: a chunked
        # body's trailers go to the sink, held to the head's limits and dropped.
        self.headers = self._trailer_sink
        if self.pipeline and self.pipeline[0][0] is self.cycle:
            self.server_state.pipelined += 1  # queued behind the request being answered

    def on_message_complete(self) -> None:
        self._in_body = False
        if self._body_timer is not None or self._chunk_open or self._trailers:
            self._message_ended()
        _base.on_message_complete(self)

    def _message_ended(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None
        self._trailer_bytes = self._trailers = self._trailing_bytes = 0
        self._chunk_open = False

    # -- helpers ----------------------------------------------------------------------------

    def _keep_paused(self) -> None:
        """Stop reading until `_release`: uvicorn resumes reading whenever an answer ends or
        the app asks for body, so its flow control is held paused meanwhile (the class of
        the one object every request of the connection shares, so that no answer pays for
        it otherwise)."""
        self.flow.__class__ = _HeldFlow
        self.flow.pause_reading()

    def _release(self) -> None:
        self.flow.__class__ = FlowControl
        self.flow.resume_reading()

    def _hold(self, rest: bytes) -> None:
        """Stop reading: the pipeline is full. `rest` is parsed as answers make room."""
        self._held = rest
        self._keep_paused()

    def _trailer(self, name: bytes, value: bytes) -> None:
        """A chunked body's trailer, held to the head's limits and otherwise dropped."""
        self._trailers += 1
        self._trailer_bytes += len(name) + len(value) + 4
        limits = self.limits
        if self._trailers > limits.max_headers:
            self._cross(431, f"Request header fields too large: more than {limits.max_headers} "
                        f"trailers (at {_shown(name)}).", current=True)  # fmt: skip
        if self._trailer_bytes > limits.max_header_bytes:
            self._cross(
                431,
                f"Request header fields too large: trailer {_shown(name)} takes the trailers "
                f"past {limits.max_header_bytes} bytes.",
                current=True,
            )

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

    def _cross(self, status: int, detail: str, headers: tuple = (), current=False) -> None:
        """Stop the parser (a callback's exception does) and remember why. Called once the
        request's method is known: the answer to a HEAD has no body (RFC 9110, 9.3.2)."""
        self._crossed = _Refused(status, detail, headers, current)
        self._crossed.bodiless = self.parser.get_method() == b"HEAD"
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
        elif not self.pipeline and (self.cycle is None or self.cycle.response_complete):
            self.transport.close()  # connected and silent: nothing to answer

    def _start_body_timer(self) -> None:
        self._body_timer = self.loop.call_later(self.limits.body_timeout, self._body_timeout)

    def _body_timeout(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or not self._in_body:
            return
        seconds = self.limits.body_timeout
        detail = f"The request's body took more than {seconds:g} s."
        self._refuse(_Refused(408, detail, current=True))

    def _cancel_timers(self) -> None:
        self._idle_since = None
        if self._idle_timer is not None:
            self._idle_timer.cancel()
            self._idle_timer = None
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _refuse(self, refused: _Refused) -> None:
        """Answer a crossed limit and close: at once, or after the answers to the requests
        pipelined before it (RFC 9112, 9.3.2: answers in the order of the requests)."""
        self._refused = True
        self._cancel_timers()
        self._held = None
        if refused.current:
            cycle = self.cycle
            if self.pipeline and self.pipeline[0][0] is cycle:
                self.pipeline.popleft()  # queued, never to run: the refusal answers it
                self.server_state.pipelined -= 1
            elif cycle is not None and cycle.response_started:
                # Answered already (a GET's body is never read): an answer more would be
                # read as the answer to the client's next request.
                self.transport.close()
                return
            elif cycle is not None:
                # The refusal is its answer: the app, waiting for the body, is told the
                # client is gone (as uvicorn tells it when the connection is lost).
                cycle.disconnected = True
                cycle.message_event.set()
        if self.pipeline or (
            not refused.current and self.cycle is not None and not self.cycle.response_complete
        ):
            self._deferred = refused
            self._keep_paused()
            return
        self._write(refused)

    def _write(self, refused: _Refused) -> None:
        """The one answer this layer writes: DRF's `{"detail": ...}`, then close."""
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
        self.transport.write(b"".join(lines) + (b"" if refused.bodiless else body))
        self.transport.close()


class _Trailers:
    """Where uvicorn's `on_header` appends once a head is complete: a chunked body's
    trailers, counted against the head's limits (the app never sees them)."""

    __slots__ = ("protocol",)

    def __init__(self, protocol: LimitedProtocol):
        self.protocol = protocol

    def append(self, header: tuple[bytes, bytes]) -> None:
        self.protocol._trailer(*header)

    def __iter__(self):
        return iter(())


def _too_long(length: int, limit: int) -> str:
    return f"Request-URI too long: more than {limit} bytes ({length} received)."


def _shown(name: bytes) -> str:
    """A header name for a message, as ASGI and Django's META name it, cut short."""
    text = name.decode("latin-1").strip().lower()
    return repr(text[:64] + ("…" if len(text) > 64 else ""))
