"""One access-log line per request: method, path and query, status, time, and a 400's reason.

    GET /users/?limit=2 200 3.1ms
    GET /users/?id=abc 400 1.2ms  id: Enter a number.

Lines go to the `mockserver.access` logger; `configure(stream)` (done by `mockserver
serve`) prints them, coloured only when the stream is a terminal. Without it, as in the
tests, nothing is printed. Request headers are never read here, so the `Authorization`
value cannot reach the log; what the client sent is printed with control characters
escaped, so a request cannot write terminal escape sequences.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time

import orjson

LOGGER = logging.getLogger("mockserver.access")
REASON_LENGTH = 160
_BODY_LIMIT = 4096  # bytes of a 400 body read for its reason
_RESET = "\x1b[0m"
_STATUS_COLOURS = {"2": "\x1b[32m", "3": "\x1b[36m", "4": "\x1b[33m", "5": "\x1b[31m"}
_BOLD, _DIM = "\x1b[1m", "\x1b[2m"
_LINE = "%s %s %d %.1fms%s"


class AccessLogMiddleware:
    """Times each HTTP request and logs its line once the answer is sent (or has failed)."""

    def __init__(self, app, logger: logging.Logger = LOGGER, clock=time.perf_counter, secrets=None):
        self.app = app
        self.logger = logger
        self.clock = clock
        self.secrets = secrets  # a journal.Secrets: credentials in the query, masked

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status, body = 500, b""

        async def logged_send(message):
            nonlocal status, body
            if message["type"] == "http.response.start":
                status = message["status"]
            elif status == 400 and message["type"] == "http.response.body":
                body = (body + message.get("body", b""))[:_BODY_LIMIT]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                args = (
                    scope["method"],
                    target(scope, self.secrets),
                    status,
                    (self.clock() - started) * 1000,
                    f"  {reason(body)}" if status == 400 else "",
                )
                batch = _batch_of(self.logger)
                if batch is not None:
                    batch.add(args)
                else:
                    # makeRecord + handle is logger.info without its stack walk for the
                    # caller's file and line, which an access line does not print.
                    record = self.logger.makeRecord(
                        self.logger.name, logging.INFO, __file__, 0, _LINE, args, None,
                        extra={"status": status},
                    )  # fmt: skip
                    self.logger.handle(record)


def _batch_of(logger: logging.Logger) -> BatchingHandler | None:
    """The handler `serve` batches lines in, when it alone would see a record (one handler,
    no filter, no propagation): a line is then added to it without a LogRecord. Making and
    handling the record was measured at about 8 µs a request through the app's stack, a
    tenth of a write's time; the line printed is the same."""
    if len(logger.handlers) != 1 or logger.filters or logger.propagate:
        return None
    handler = logger.handlers[0]
    if (
        type(handler) is BatchingHandler
        and not handler.filters
        and handler.level <= logging.INFO
        and type(handler.formatter) is AccessFormatter
    ):
        return handler
    return None


def target(scope, secrets=None) -> str:
    """The path and query as the client sent them (percent-encoding kept), escaped; a
    credential sent in the query (an apiKey scheme's parameter) masked."""
    path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    query = scope.get("query_string") or b""
    if secrets is not None:
        query = secrets.query(query)
    text = (path + (b"?" + query if query else b"")).decode("latin-1")
    return _printable(text)


def reason(body: bytes) -> str:
    """A 400 body's messages on one line, truncated: `id: Enter a number.; page: ...`."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace")
    else:
        if isinstance(data, dict):
            parts = []
            for key, value in data.items():
                messages = value if isinstance(value, list) else [value]
                said = " ".join(str(m) for m in messages)
                parts.append(said if key == "detail" else f"{key}: {said}")
            text = "; ".join(parts)
        else:
            text = str(data)
    text = _printable(text)
    return text if len(text) <= REASON_LENGTH else text[: REASON_LENGTH - 1] + "…"


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class AccessFormatter(logging.Formatter):
    """The plain line, or with the method bold, the status coloured and the time dimmed."""

    def __init__(self, colour: bool):
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        if not self.colour or not isinstance(record.args, tuple) or len(record.args) != 5:
            return record.getMessage()
        return self.line(record.args)

    def line(self, args: tuple) -> str:
        """An access line from its fields (method, target, status, ms, reason)."""
        if not self.colour:
            return _LINE % args
        method, path, status, ms, why = args
        paint = _STATUS_COLOURS.get(str(status)[0], "")
        return (
            f"{_BOLD}{method}{_RESET} {path} {paint}{status}{_RESET} "
            f"{_DIM}{ms:.1f}ms{_RESET}{paint}{why}{_RESET if why else ''}"
        )


def wants_colour(stream) -> bool:
    """A terminal, unless NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


class BatchingHandler(logging.StreamHandler):
    """Writes lines in batches: at most every `delay` seconds, or every `batch` lines.

    A write per request was measured here to cost about a third of `serve`'s throughput
    when stderr is a file or a pipe; on a terminal `serve` keeps writing each line at once.
    """

    def __init__(self, stream, delay: float = 0.2, batch: int = 256):
        super().__init__(stream)
        self.delay, self.batch = delay, batch
        self._lines: list[str] = []
        self._scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # logging's contract: a bad record must not break the caller
            self.handleError(record)
            return
        self._add_line(line)

    def add(self, args: tuple) -> None:
        """An access line from its fields, as `emit` writes their record (the formatter is
        an AccessFormatter: see `_batch_of`)."""
        with self.lock:
            self._add_line(self.formatter.line(args))

    def _add_line(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self.batch:
            self.flush()
        elif not self._scheduled:
            try:
                asyncio.get_running_loop().call_later(self.delay, self.flush)
                self._scheduled = True
            except RuntimeError:  # no event loop (a worker thread): write now
                self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if self._lines:
            lines, self._lines = self._lines, []
            self.stream.write("\n".join(lines) + "\n")
        super().flush()


def configure(stream, level: str = "info", batched: bool = False) -> logging.Handler:
    """Print the access log on `stream` (stderr for `serve`) from `level` on."""
    handler = BatchingHandler(stream) if batched else logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter(colour=wants_colour(stream)))
    for old in list(LOGGER.handlers):
        LOGGER.removeHandler(old)
    LOGGER.addHandler(handler)
    LOGGER.setLevel(_LEVELS.get(level.lower(), logging.INFO))
    LOGGER.propagate = False
    return handler


# uvicorn's --log-level names; its `trace` is below DEBUG.
_LEVELS = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": logging.DEBUG,
}
