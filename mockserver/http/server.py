"""Running the app under uvicorn: the socket, the startup banner, workers, clean stops."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import inspect
import logging
import os
import shlex
import signal
import socket
import sys
import time

import uvicorn
from uvicorn.server import HANDLED_SIGNALS

from mockserver import processes
from mockserver import state as state_module
from mockserver.contract import compatibility
from mockserver.contract import spec as spec_module
from mockserver.contract.resource import OBJECT
from mockserver.contract.security import BASIC_USER, Kind
from mockserver.engine import sessions, store
from mockserver.errors import ConfigError
from mockserver.http import accesslog, limits
from mockserver.http.app import create_app
from mockserver.http.journal import Journal
from mockserver.http.reload import ReloadingApp
from mockserver.settings import Settings

SETTINGS_ENV = "MOCKSERVER_SETTINGS_JSON"
SUPERVISOR_ENV = "MOCKSERVER_SUPERVISOR_PID"


def progress_printer(stream=sys.stderr):
    """A progress line for big datasets; a bar on a terminal, a few plain lines elsewhere."""
    started = time.monotonic()
    shown = {"step": -1}

    def show(done: int, total: int, name: str = "records") -> None:
        if total < 50_000:
            return
        fraction = done / total
        elapsed = time.monotonic() - started
        if stream.isatty():
            bar = "#" * int(fraction * 30)
            stream.write(
                f"\rgenerating {total:,} {name} [{bar:<30}] {fraction:4.0%} {elapsed:5.1f}s"
            )
            if done == total:
                stream.write("\n")
        else:
            step = int(fraction * 10)
            if step == shown["step"]:
                return
            shown["step"] = step
            stream.write(f"generating {total:,} {name}: {fraction:.0%} ({elapsed:.1f}s)\n")
        stream.flush()

    return show


def banner(state, host: str, port: int) -> str:
    """What is served where, a key that works and a curl line to try it:

    mockserver: serving 1,000 users (seed 42, strict mode) on http://127.0.0.1:8000/users/
    """
    base = f"http://{_address(host, port)}{state.settings.base_path}"
    token = state.banner_token()
    mode = "lenient" if state.settings.lenient else "strict"
    served = list(state.served.values())
    collections = [s for s in served if s.resource.shape != OBJECT]
    first = (collections or served)[0].resource.path if served else "/"
    lines = [
        f"mockserver: serving {state.summary()} (seed {state.settings.seed}, "
        f"{mode} mode) on {base}{first if len(served) == 1 else '/'}",
    ]
    if len(served) > 1:
        width = max(len(s.resource.path) for s in served)
        lines += [f"  {s.resource.path:<{width}}  {s.count()}" for s in served]
    lines.append(f"  served:     {compatibility.summary(state.spec)}")
    lines.append(f"  Swagger UI: {base}/ui/")
    if token:
        lines.append(f"  token:      {token}")
        jwt = state.banner_jwt(token)
        schemes = _schemes(state)
        # One line per scheme the spec uses: how to send the key with it.
        lines += [f"  {s.name + ':':<11} {_how(s, token, jwt)}" for s in schemes]
        query = _page_size_query(state, first)
        found = state.route(state.settings.base_path + first)
        op = found.route.operations.get("GET") if found else None
        scheme = op.security.schemes[0] if op is not None and op.security.schemes else None
        credential = scheme.credential(token, jwt) if scheme is not None else ""
        header = ""
        if credential.startswith("?"):
            query += ("&" if query else "?") + credential[1:]
        elif credential:
            header = "-H " + shlex.quote(credential) + " "
        lines.append(f"  try:        curl {header}" + shlex.quote(f"{base}{first}{query}"))
    return "\n".join(lines)


def _schemes(state) -> list:
    """The authenticators of the spec's operations, each once, in the order first met."""
    found = {}
    for op in state.spec.operations:
        for scheme in op.security.schemes:
            found.setdefault(scheme.name, scheme)
    return list(found.values())


def _how(scheme, key: str, jwt: str) -> str:
    """A banner line: the credential to send, and what else the scheme takes."""
    credential = scheme.credential(key, jwt)
    if scheme.kind == Kind.BASIC:
        return f"{credential}  (user {BASIC_USER}, any other too; the password is a key)"
    if scheme.kind == Kind.JWT:
        return f"{credential}  (or a key instead of the JWT)"
    return credential


def _page_size_query(state, path: str) -> str:
    """`?limit=2` (or `?page_size=2`): a short first page for the banner's curl line."""
    found = state.route(state.settings.base_path + path)
    op = found.route.operations.get("GET") if found else None
    names = [p.name for p in (op.query.values() if op else ()) if p.control == "limit"]
    return f"?{names[0]}=2" if names else ""


def _address(host: str, port: int) -> str:
    """`127.0.0.1:8000`, `[::1]:8000` (RFC 3986 brackets an IPv6 address in a URL)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen(host: str, port: int, backlog: int = 2048) -> list[socket.socket]:
    """Listening sockets on every address `host` names, bound here rather than by uvicorn.

    uvicorn reports a port it cannot bind with a bare `[Errno 98]` log line (none at all
    under `--log-level critical`) and exit code 3; here it is a ConfigError naming the
    setting, which the CLI turns into one `mockserver: error:` line and exit code 2.
    Listening at once makes the port ours before the dataset is built: a second server on
    it fails now, and a client that connects early waits in the backlog until served.

    >>> sockets = listen("127.0.0.1", 0)
    >>> [sock.getsockname()[0] for sock in sockets]
    ['127.0.0.1']
    >>> for sock in sockets:
    ...     sock.close()
    """
    try:
        found = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise ConfigError(
            "setting host", f"{host} is not an address or a known host name ({exc.strerror})"
        ) from None
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            if sockets:  # --port 0: the port the first address got, on every other one
                address = (address[0], sockets[0].getsockname()[1], *address[2:])
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            # As uvicorn and asyncio do: restart at once on a port with connections in
            # TIME_WAIT; and let "::" leave "0.0.0.0" to its own socket.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
                sock.listen(backlog)
            except OSError as exc:
                where = _address(address[0], address[1])
                if exc.errno == errno.EADDRINUSE:
                    raise ConfigError("setting port", f"{where} is already in use") from None
                name = "port" if exc.errno == errno.EACCES else "host"
                raise ConfigError(
                    f"setting {name}", f"cannot listen on {where}: {exc.strerror}"
                ) from None
            sock.set_inheritable(True)  # --workers N: each worker process accepts on it
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class _Server(uvicorn.Server):
    """uvicorn's server, printing the banner once it listens, and stopping with exit 0."""

    def __init__(self, config, state):
        super().__init__(config)
        self._state = state

    @contextlib.contextmanager
    def capture_signals(self):
        """uvicorn's own re-raises each caught signal after its graceful shutdown, so that
        a drained SIGTERM still ends the process as killed by SIGTERM (exit 143) and a
        drained Ctrl-C as a KeyboardInterrupt (exit 130). A drained stop is a clean one
        here: `run` returns 0, or 130 when a second Ctrl-C cut it short (`force_exit`)."""
        handled = (*HANDLED_SIGNALS, signal.SIGHUP)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets=None):
        await super().shutdown(sockets=sockets)
        if self.force_exit:
            # After a second Ctrl-C uvicorn skips the app's shutdown, so asyncio.run cancels
            # the lifespan task on its way out, and Starlette reports that as a failed
            # shutdown with a whole traceback. The requests in flight are cut here instead,
            # and the app's shutdown still runs (it only stops the --watch task).
            for task in self.server_state.tasks:
                task.cancel()
            await self.lifespan.shutdown()

    async def startup(self, sockets=None):
        await super().startup(sockets=sockets)
        if self.started and self._state is not None:
            host, port = self._listening()
            print(banner(self._state, host, port), flush=True)

    def _listening(self):
        for server in self.servers:
            for sock in server.sockets:
                return sock.getsockname()[:2]
        return self.config.host, self.config.port


class _QuietCancel(logging.Filter):
    """Drops uvicorn's "Exception in ASGI application" (or "in 'lifespan' protocol") with
    the stack of a CancelledError: uvicorn cancels the requests still running when
    `--graceful-timeout` ends (and logs "Cancel N running task(s)" first), and asyncio.run
    cancels what is left after a second Ctrl-C. A trace ending in asyncio.sleep says
    nothing a user can act on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError))


# On import, so that the worker processes, which import this module for `worker_app`,
# have it too.
logging.getLogger("uvicorn.error").addFilter(_QuietCancel())


def run(settings: Settings) -> int:
    """Bind the port, build the dataset, serve until stopped.

    Returns 0 after a stop that let the requests in flight finish (SIGTERM or Ctrl-C, each
    bounded by `--graceful-timeout`), 130 after a second Ctrl-C cut them short. A busy port
    or a bad setting, spec or fixture raises ConfigError before anything is served.
    """
    # Until uvicorn serves (and takes the signals over), a stop ends the start at once and
    # cleanly: the default action would kill this process alone, leaving the spec's
    # validator forked aside with the listening socket (exit 143).
    previous = {sig: signal.signal(sig, _stop_at_once) for sig in STOPS}
    sockets: list[socket.socket] = []
    try:
        sockets = listen(settings.host, settings.port)
        return _serve(settings, sockets)
    except Stopped:
        spec_module.stop_validation()
        store.stop_builds()
        return 0
    finally:
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# SIGTERM, and SIGHUP (the terminal that started it hung up), stop the server: drained
# while it serves (a reload is `--watch`'s, not a signal's), at once while it starts.
STOPS = (signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A stop that came before the server serves; like KeyboardInterrupt, no error."""


def _stop_at_once(signum, frame):
    raise Stopped(signum)


def _serve(settings: Settings, sockets: list[socket.socket]) -> int:
    state = state_module.load(settings, progress=progress_printer(), validate_aside=True)
    # Several workers with writes share them through --state-url, or they stop here.
    sessions.require_shared(state.spec.operations, settings.workers, settings.state_url)
    if settings.workers > 1 and settings.state_url:
        # Each worker opens the store itself, after the banner: a URL that cannot be used
        # stops the start here, in one line, not in every worker uvicorn starts again.
        sessions.open_sessions(settings.state_url, None).close()
    if settings.access_log:
        accesslog.configure(sys.stderr, settings.log_level, batched=not sys.stderr.isatty())
    common = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # mockserver's own access log replaces uvicorn's
        "log_config": {"version": 1, "disable_existing_loggers": False},
        "lifespan": "on",
        # uvicorn waits for the requests in flight without a bound unless given one.
        "timeout_graceful_shutdown": settings.graceful_timeout,
        **limits.uvicorn_options(settings),
    }
    if settings.workers == 1:
        app = serving_app(state)
        server = _Server(_limited(uvicorn.Config(app, **common), settings), state)
        server.run(sockets=sockets)
        return 130 if server.force_exit else 0
    # Several workers: each process loads the same dataset (from the cache the build above
    # wrote, or by generating the same bytes again) and serves the same answers.
    os.environ[SETTINGS_ENV] = settings.to_json()
    os.environ[SUPERVISOR_ENV] = str(os.getpid())  # the parent each worker dies with
    config = uvicorn.Config(
        "mockserver.http.server:worker_app", factory=True, workers=settings.workers, **common
    )
    _limited(config, settings)
    host, port = sockets[0].getsockname()[:2]
    print(banner(state, host, port), f"\n  workers:    {settings.workers}", flush=True)
    from uvicorn.supervisors import Multiprocess

    supervisor = _supervisor()
    # uvicorn.run() cannot report the port it bound (for --port 0), so the supervisor is
    # started as uvicorn.run() does it; its signature lost `target` in uvicorn 0.36.
    if "target" in inspect.signature(Multiprocess).parameters:
        supervisor(config, target=_Server(config, None).run, sockets=sockets).run()
    else:
        supervisor(config, sockets=sockets).run()
    return 0


def _supervisor():
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        """uvicorn's supervisor of the workers, where SIGHUP stops them all as SIGTERM
        does (uvicorn's own restarts them): one behaviour with one worker or many."""

        def handle_hup(self) -> None:
            self.handle_term()

    return Supervisor


def _limited(config: uvicorn.Config, settings: Settings) -> uvicorn.Config:
    """The connection limits, where mockserver.http.limits.LimitedProtocol reads them (uvicorn
    passes its Config to each protocol, and pickles it to each worker)."""
    config.limits = limits.Limits.from_settings(settings)
    return config


def worker_app():
    """The app factory each worker process calls.

    Workers only read the dataset cache: the parent wrote the entry before starting them, and
    N processes writing, removing or evicting entries at once would only race. Under
    `--watch` each worker loads an edit by itself, so its reloads read only too.
    """
    settings = Settings.from_json(os.environ[SETTINGS_ENV])
    _dies_with_parent()
    if settings.access_log:
        accesslog.configure(sys.stderr, settings.log_level, batched=not sys.stderr.isatty())
    load = functools.partial(state_module.load, cache_read_only=True)
    state = load(settings)
    app = ReloadingApp(state, load=load) if settings.watch else serving_app(state)
    return WorkerHeaderMiddleware(app)


def _dies_with_parent() -> None:
    """A worker stops (drained, as by SIGTERM) when its supervisor dies, even by SIGKILL:
    nothing goes on serving the port without it (prctl's parent-death signal, Linux). The
    supervisor names itself: a worker whose parent is another process was adopted, its
    supervisor already gone. (A parent of pid 1 proves nothing: `mockserver serve` is pid 1
    itself as a container's command.)"""
    parent = int(os.environ.get(SUPERVISOR_ENV) or os.getppid())
    if not processes.die_with_parent(signal.SIGTERM, parent):
        os.kill(os.getpid(), signal.SIGTERM)


class WorkerHeaderMiddleware:
    """With several workers, every answer names its process (`X-Mockserver-Worker: <pid>`),
    so a client or a test can tell which worker served it."""

    def __init__(self, app):
        self.app = app
        self.header = (b"x-mockserver-worker", str(os.getpid()).encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def tagged(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, tagged)


def serving_app(state):
    """The app uvicorn runs; with `--watch`, one that swaps in each good new version."""
    if not state.settings.watch:
        return create_app(state)
    # A reload builds a new app; the requests written down so far stay in the journal.
    journal = Journal(state.settings.journal) if state.settings.journal else None
    return ReloadingApp(state, build=functools.partial(create_app, journal=journal))
