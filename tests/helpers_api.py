"""Shared by the API, CLI, fixture and determinism tests: tokens, app builders, a raw ASGI call.

Importing the app pulls in `starlette.testclient` (Connexion imports it too), which warns
that `httpx` is deprecated in favour of `httpx2`; with pytest's warnings-as-errors that
warning would stop collection, so the imports below ignore exactly that one message.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import unquote_to_bytes

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient`", category=UserWarning
    )
    from starlette.testclient import TestClient

    from mockserver import state as state_module
    from mockserver.http.app import create_app
    from mockserver.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

STAFF_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # persona 1, active staff superuser
CUSTOMER_KEY = "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1"  # persona 4, Ayşe Yılmaz
INACTIVE_KEY = "6f1ed002ab5595859014ebf0951522d9c0c1c1f7"  # persona 2, inactive
AUTH = {"Authorization": f"Token {STAFF_KEY}"}
ALLOW = "GET, HEAD, OPTIONS"


def make_state(**settings):
    """A loaded State without an on-disk cache (unless the caller asks for one)."""
    return state_module.load(Settings(**{"cache_dir": "", **settings}))


def make_client(state) -> TestClient:
    return TestClient(create_app(state), follow_redirects=False)


def raw_get(app, target: bytes, headers: dict[str, str] | None = None, method: str = "GET"):
    """Send one request straight to the ASGI app, bytes as given (no client-side URL rules).

    `target` is the raw path and query, e.g. b"/users/?username=%ff%fe". Returns
    (status, headers as a dict of lower-case str, body bytes).
    """
    path_part, _, query = target.partition(b"?")
    raw_path = path_part
    path = unquote_to_bytes(path_part).decode("utf-8", "surrogateescape")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    start: dict = {}
    chunks: list[bytes] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            start["status"] = message["status"]
            start["headers"] = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    asyncio.run(app(scope, receive, send))
    return start["status"], start["headers"], b"".join(chunks)


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a CLI subprocess: a MOCKSERVER_* variable of the caller's shell
    must not change what the test sees."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    env.update(extra or {})
    return env


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    """`python -m mockserver ARGS` in the repository, as a user runs it."""
    full_env = cli_env(env)
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def assert_same_dataset(a, b) -> None:
    """Two datasets byte for byte: the records, the ids, the offsets and every column."""
    import numpy as np

    assert bytes(a.blob) == bytes(b.blob)
    assert np.array_equal(a.ids, b.ids)
    assert np.array_equal(a.offsets, b.offsets)
    assert a.columns.keys() == b.columns.keys()
    for name, column in a.columns.items():
        other = b.columns[name]
        assert (column.kind, column.choices) == (other.kind, other.choices), name
        assert column.values.dtype == other.values.dtype, name
        assert np.array_equal(column.values, other.values), name
        assert (column.null is None) == (other.null is None), name
        if column.null is not None:
            assert np.array_equal(column.null, other.null), name
