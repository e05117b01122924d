"""Physical floor: a bare Starlette app replaying the mock's captured responses byte for byte.

The harness captures each benchmarked response from the running mock (capture_responses),
writes them to a JSON file (write_spec) and starts this app under uvicorn with
`--factory bench.floor:create_app` and FLOOR_RESPONSES=<that file>. Whatever the mock costs
beyond this app is the mock's own work: auth, lookup, filtering, serialisation.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ENV_VAR = "FLOOR_RESPONSES"
# Headers copied from the mock; uvicorn adds date/server, Starlette adds content-length.
COPIED_HEADERS = ("content-type", "www-authenticate")


def capture_responses(base_url: str, requests: list[tuple[str, str | None]]) -> list[dict]:
    """GET each (target, authorization-or-None) from the mock; return JSON-ready entries."""
    from bench.servers import http_get  # harness side only; the floor process never calls it

    entries = []
    for target, authorization in requests:
        headers = {"Authorization": authorization} if authorization else {}
        status, resp_headers, body = http_get(base_url + target, headers, timeout=30.0)
        entries.append(
            {
                "target": target,
                "authorization": authorization,
                "status": status,
                "headers": {k: resp_headers[k] for k in COPIED_HEADERS if k in resp_headers},
                "body_b64": base64.b64encode(body).decode("ascii"),
            }
        )
    return entries


def write_spec(path: Path, entries: list[dict]) -> None:
    path.write_text(json.dumps({"responses": entries}, indent=1))


def load_responses(spec: dict) -> dict[tuple[str, str | None], Response]:
    """Prebuild one Response per (target, authorization); Starlette responses are reusable."""
    table = {}
    for entry in spec["responses"]:
        body = base64.b64decode(entry["body_b64"])
        response = Response(body, status_code=entry["status"], headers=entry["headers"])
        table[(entry["target"], entry["authorization"])] = response
    return table


def build_app(table: dict[tuple[str, str | None], Response]) -> Starlette:
    not_found = Response(b"not captured", status_code=404, media_type="text/plain")

    async def replay(request: Request) -> Response:
        # Key on the raw target so the query string is matched exactly as wrk sends it.
        query = request.scope["query_string"].decode("latin-1")
        target = request.scope["path"] + ("?" + query if query else "")
        return table.get((target, request.headers.get("authorization")), not_found)

    return Starlette(routes=[Route("/{path:path}", replay)])


def create_app() -> Starlette:
    """uvicorn factory: read the spec named by $FLOOR_RESPONSES."""
    spec = json.loads(Path(os.environ[ENV_VAR]).read_text())
    return build_app(load_responses(spec))
