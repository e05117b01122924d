"""The spec as served to people and tools: /openapi.yaml as written, /openapi.json, /ui/ errors.

`GET {base}/openapi.yaml` answers the hand-written file byte for byte (comments, key order
and all), `application/yaml` (RFC 9512). `GET {base}/openapi.json` is the same document as
JSON, with `servers` set to where this server answers (`[{"url": "/api/v1"}]` under
`--base-path /api/v1`, `[{"url": "/"}]` without), so Swagger UI's "Try it out" calls this
server. Neither needs a token. Swagger UI's scripts are Connexion's, under `{base}/ui/`;
its page and the document it shows are mockserver/ui.py's. A missing file under it is 404
`{"detail": "Not found."}` like any other unknown path.
"""

from __future__ import annotations

import orjson
from starlette.exceptions import HTTPException

from mockserver import examples, ui
from mockserver.examples import Answer
from mockserver.state import State

YAML_TYPE = b"application/yaml"
JSON_TYPE = b"application/json"
HTML_TYPE = b"text/html; charset=utf-8"


class SpecDocsMiddleware:
    """`SpecDocsMiddleware(app, state)`: serves the two spec files, passes the rest on."""

    def __init__(self, app, state: State):
        self.app = app
        base = state.settings.base_path
        self.yaml_path = base + "/openapi.yaml"
        self.json_path = base + "/openapi.json"
        self.ui_prefix = base + "/ui/"
        self.ui_pages = (self.ui_prefix, self.ui_prefix + "index.html")
        self.ui_document_path = self.ui_prefix + ui.DOCUMENT
        self.ui_page = ui.page(state)
        self.ui_document = ui.document(state.spec, base)
        self.text = state.spec.text
        document = {**state.spec.raw, "servers": [{"url": base or "/"}]}
        # YAML keys such as `200:` load as int; dates load as datetime.date.
        self.json = orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == self.yaml_path:
            await self._serve(scope, send, YAML_TYPE, self.text)
        elif path == self.json_path:
            await self._serve(scope, send, JSON_TYPE, self.json)
        elif path in self.ui_pages:
            await self._serve(scope, send, HTML_TYPE, self.ui_page)
        elif path == self.ui_document_path:
            await self._serve(scope, send, JSON_TYPE, self.ui_document)
        elif path.startswith(self.ui_prefix):
            await self._ui(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _serve(self, scope, send, media_type: bytes, body: bytes):
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _not_allowed(send, method)
            return
        answer = Answer(200, body, ((b"content-type", media_type),))
        await examples.send(send, answer, head=method == "HEAD")

    async def _ui(self, scope, receive, send):
        """Connexion's static files raise HTTPException for a missing file; answer it in DRF's
        shape (without this, the served stack, which has no ExceptionMiddleware, would 500)."""
        started = False

        async def watch(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except HTTPException as exc:
            if started:
                raise
            if exc.status_code == 405:
                await _not_allowed(send, scope["method"])
            else:
                body = orjson.dumps({"detail": "Not found."})
                await examples.send(send, Answer(404, body, _JSON), head=False)


_JSON = ((b"content-type", JSON_TYPE),)


async def _not_allowed(send, method: str) -> None:
    body = orjson.dumps({"detail": f'Method "{method}" not allowed.'})
    await examples.send(
        send, Answer(405, body, _JSON), head=False, extra=[(b"allow", b"GET, HEAD")]
    )
