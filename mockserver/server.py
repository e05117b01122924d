"""Running the app under uvicorn: the startup banner, workers, clean stops on SIGINT/SIGTERM."""

from __future__ import annotations

import inspect
import os
import shlex
import sys
import time

import uvicorn

from mockserver import accesslog, limits
from mockserver import state as state_module
from mockserver.app import create_app
from mockserver.reload import ReloadingApp
from mockserver.settings import Settings

SETTINGS_ENV = "MOCKSERVER_SETTINGS_JSON"


def progress_printer(stream=sys.stderr):
    """A progress line for big datasets; a bar on a terminal, a few plain lines elsewhere."""
    started = time.monotonic()
    shown = {"step": -1}

    def show(done: int, total: int) -> None:
        if total < 50_000:
            return
        fraction = done / total
        elapsed = time.monotonic() - started
        if stream.isatty():
            bar = "#" * int(fraction * 30)
            stream.write(
                f"\rgenerating {total:,} users [{bar:<30}] {fraction:4.0%} {elapsed:5.1f}s"
            )
            if done == total:
                stream.write("\n")
        else:
            step = int(fraction * 10)
            if step == shown["step"]:
                return
            shown["step"] = step
            stream.write(f"generating {total:,} users: {fraction:.0%} ({elapsed:.1f}s)\n")
        stream.flush()

    return show


def banner(state, host: str, port: int) -> str:
    base = f"http://{host}:{port}{state.settings.base_path}"
    token = state.banner_token()
    mode = "lenient" if state.settings.lenient else "strict"
    lines = [
        f"mockserver: serving {len(state.dataset):,} users (seed {state.settings.seed}, "
        f"{mode} mode) on {base}/users/",
        f"  Swagger UI: {base}/ui/",
    ]
    if token:
        lines.append(f"  token:      {token}")
        lines.append(
            "  try:        curl -H "
            + shlex.quote(f"Authorization: Token {token}")
            + " "
            + shlex.quote(f"{base}/users/?limit=2")
        )
    return "\n".join(lines)


class _Server(uvicorn.Server):
    """uvicorn's server, printing the banner once it listens."""

    def __init__(self, config, state):
        super().__init__(config)
        self._state = state

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


def run(settings: Settings) -> int:
    """Build the dataset (exits 2 on bad config before listening), then serve until stopped."""
    state = state_module.load(settings, progress=progress_printer())
    if settings.access_log:
        accesslog.configure(sys.stderr, settings.log_level, batched=not sys.stderr.isatty())
    common = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # mockserver's own access log replaces uvicorn's
        "log_config": {"version": 1, "disable_existing_loggers": False},
        "lifespan": "on",
        **limits.uvicorn_options(settings),
    }
    if settings.workers == 1:
        _Server(_limited(uvicorn.Config(serving_app(state), **common), settings), state).run()
        return 0
    # Several workers: each process loads the same dataset (from the cache the build above
    # wrote, or by generating the same bytes again) and serves the same answers.
    os.environ[SETTINGS_ENV] = settings.to_json()
    config = uvicorn.Config(
        "mockserver.server:worker_app", factory=True, workers=settings.workers, **common
    )
    _limited(config, settings)
    sock = config.bind_socket()
    host, port = sock.getsockname()[:2]
    print(banner(state, host, port), f"\n  workers:    {settings.workers}", flush=True)
    from uvicorn.supervisors import Multiprocess

    # uvicorn.run() cannot report the port it bound (for --port 0), so the supervisor is
    # started as uvicorn.run() does it; its signature lost `target` in uvicorn 0.36.
    if "target" in inspect.signature(Multiprocess).parameters:
        Multiprocess(config, target=_Server(config, None).run, sockets=[sock]).run()
    else:
        Multiprocess(config, sockets=[sock]).run()
    return 0


def _limited(config: uvicorn.Config, settings: Settings) -> uvicorn.Config:
    """The connection limits, where mockserver.limits.LimitedProtocol reads them (uvicorn
    passes its Config to each protocol, and pickles it to each worker)."""
    config.limits = limits.Limits.from_settings(settings)
    return config


def worker_app():
    """The app factory each worker process calls."""
    settings = Settings.from_json(os.environ[SETTINGS_ENV])
    if settings.access_log:
        accesslog.configure(sys.stderr, settings.log_level, batched=not sys.stderr.isatty())
    return WorkerHeaderMiddleware(serving_app(state_module.load(settings)))


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
    return ReloadingApp(state) if state.settings.watch else create_app(state)
