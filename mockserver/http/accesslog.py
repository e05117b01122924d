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
_LOADED = time.time()


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
        seen = {"status": 500, "body": b""}

        async def logged_send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body" and seen["status"] == 400:
                seen["body"] = (seen["body"] + message.get("body", b""))[:_BODY_LIMIT]
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            if self.logger.isEnabledFor(logging.INFO):
                status = seen["status"]
                args = (
                    scope["method"],
                    target(scope, self.secrets),
                    status,
                    (self.clock() - started) * 1000,
                    f"  {reason(seen['body'])}" if status == 400 else "",
                )
                # logger.info without its stack walk, and a record of what a line is.
                self.logger.handle(AccessRecord(self.logger.name, args, status))


class AccessRecord(logging.LogRecord):
    """An access line's record: its message, arguments, status and time. What a record
    also says of its caller (thread, process, source line: about 1.5 of the 12 µs the app
    spends on a 401, measured in one process) is the same for every access line, so it is
    set once, on the class; any handler or formatter reads it as on another record.

    >>> record = AccessRecord("mockserver.access", ("GET", "/users/", 200, 1.25, ""), 200)
    >>> (record.getMessage(), record.levelname, record.status, record.filename)
    ('GET /users/ 200 1.2ms', 'INFO', 200, 'accesslog.py')
    """

    levelno, levelname = logging.INFO, "INFO"
    msg = _LINE
    pathname, filename, module = __file__, os.path.basename(__file__), __name__.rpartition(".")[2]
    lineno, funcName, exc_info, exc_text, stack_info = 0, None, None, None, None
    thread = threadName = processName = process = taskName = None

    def __init__(self, name: str, args: tuple, status: int):
        self.name = name
        self.args = args
        self.status = status
        self.created = now = time.time()
        self.msecs = int((now - int(now)) * 1000) + 0.0
        self.relativeCreated = (now - _LOADED) * 1000  # logging's own start is private


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
        method, path, status, ms, why = record.args
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
            self._lines.append(self.format(record))
        except Exception:  # logging's contract: a bad record must not break the caller
            self.handleError(record)
            return
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
