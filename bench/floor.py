"""Physical floor: a bare Starlette app replaying the mock's captured responses byte for byte.

The harness captures each benchmarked response from the running mock (capture_responses),
writes them to a JSON file (write_spec) and starts this app under uvicorn with
`--factory bench.floor:create_app` and FLOOR_RESPONSES=<that file>. Whatever the mock costs
beyond this app is the mock's own work: auth, lookup, filtering, serialisation.

An entry answers (method, target, Authorization), GET unless it names a `method`. An entry
whose `target` is null answers every target of its method: the write mix's floor, which
reads each request's whole body (as the mock must) and answers the fixed bytes of a typical
create, update or detail. With `by_session`, an entry also names the `X-Mock-Session` it
was captured on, so one floor replays the same target as two sessions answered it.
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
SESSION_HEADER = "x-mock-session"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def capture_responses(
    base_url: str,
    requests: list[tuple[str, str | None]],
    session: str | None = None,
) -> list[dict]:
    """GET each (target, authorization-or-None) from the mock; return JSON-ready entries.

    With `session`, each request names that `X-Mock-Session` and so does its entry."""
    from bench.servers import http_get  # harness side only; the floor process never calls it

    entries = []
    for target, authorization in requests:
        headers = {"Authorization": authorization} if authorization else {}
        if session is not None:
            headers["X-Mock-Session"] = session
        status, resp_headers, body = http_get(base_url + target, headers, timeout=30.0)
        entry = response_entry(target, authorization, status, resp_headers, body)
        if session is not None:
            entry["session"] = session
        entries.append(entry)
    return entries


def response_entry(
    target: str | None,
    authorization: str | None,
    status: int,
    headers: dict[str, str],
    body: bytes,
    method: str = "GET",
) -> dict:
    """One replayed answer as the spec file holds it (headers: lower-case names).

    >>> response_entry(None, "Token t", 201, {"content-type": "application/json", "vary": "x"},
    ...                b"{}", method="POST")["headers"]
    {'content-type': 'application/json'}
    """
    entry = {
        "target": target,
        "authorization": authorization,
        "status": status,
        "headers": {k: headers[k] for k in COPIED_HEADERS if k in headers},
        "body_b64": base64.b64encode(body).decode("ascii"),
    }
    if method != "GET":
        entry["method"] = method
    return entry


def write_spec(path: Path, entries: list[dict], by_session: bool = False) -> None:
    doc: dict = {"responses": entries}
    if by_session:
        doc["by_session"] = True
    path.write_text(json.dumps(doc, indent=1))


Key = tuple  # (method, target or None, authorization or None[, session or None])


def load_responses(spec: dict, by_session: bool = False) -> dict[Key, Response]:
    """Prebuild one Response per key; Starlette responses are reusable.

    The key is (method, target, authorization), with the session last when `by_session`
    (see the module docstring); a null target answers any target of that method.

    >>> table = load_responses({"responses": [
    ...     {"target": "/a/", "authorization": None, "status": 200, "headers": {},
    ...      "body_b64": "e30="},
    ...     {"target": None, "authorization": "Token t", "status": 201, "headers": {},
    ...      "body_b64": "e30=", "method": "POST", "session": "s"}]}, by_session=True)
    >>> sorted(table, key=str)
    [('GET', '/a/', None, None), ('POST', None, 'Token t', 's')]
    """
    table = {}
    for entry in spec["responses"]:
        body = base64.b64decode(entry["body_b64"])
        response = Response(body, status_code=entry["status"], headers=entry["headers"])
        key = (entry.get("method", "GET"), entry["target"], entry["authorization"])
        if by_session:
            key += (entry.get("session"),)
        table[key] = response
    return table


def build_app(table: dict[Key, Response], by_session: bool = False) -> Starlette:
    not_found = Response(b"not captured", status_code=404, media_type="text/plain")

    async def replay(request: Request) -> Response:
        method = request.method
        if method != "GET" and method != "HEAD":
            # Read the whole body, as any server that parses it must, before answering.
            await request.body()
        # Key on the raw target so the query string is matched exactly as wrk sends it.
        query = request.scope["query_string"].decode("latin-1")
        target = request.scope["path"] + ("?" + query if query else "")
        headers = request.headers
        auth = headers.get("authorization")
        if by_session:
            session = headers.get(SESSION_HEADER)
            return (
                table.get((method, target, auth, session))
                or table.get((method, None, auth, session))
                or not_found
            )
        return table.get((method, target, auth)) or table.get((method, None, auth)) or not_found

    return Starlette(routes=[Route("/{path:path}", replay, methods=list(METHODS))])


def create_app() -> Starlette:
    """uvicorn factory: read the spec named by $FLOOR_RESPONSES."""
    spec = json.loads(Path(os.environ[ENV_VAR]).read_text())
    by_session = bool(spec.get("by_session"))
    return build_app(load_responses(spec, by_session), by_session)
