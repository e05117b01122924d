"""CORS for browsers: loopback origins by default, `--cors-origin` to name them exactly.

It sits first in the middleware list, so every answer passes through it: a preflight is
answered here, before authentication (a browser never sends credentials on a preflight,
https://fetch.spec.whatwg.org/#cors-preflight-fetch), and the 401, 400, 404, 405 and 406
answers carry the headers too, so a page can read their JSON `detail`.

Starlette's CORSMiddleware does the work; this module only chooses its options and makes
the preflight list the headers a frontend sends (Authorization, Content-Type, Prefer,
X-Mock-Session) even when the browser asks for others as well. A write from a page is a
"non-simple" request (a JSON body, a token, a session header: the Fetch standard's
CORS-unsafe request headers), so its preflight must allow all three, or the browser never
sends it.
"""

from __future__ import annotations

from starlette.middleware.cors import ALL_METHODS, CORSMiddleware
from starlette.responses import Response

from mockserver.http import exchange as exchanges

# Any port of localhost (and its subdomains, RFC 6761), 127.0.0.0/8 and [::1].
LOOPBACK = r"https?://(([a-z0-9-]+\.)*localhost|127(\.\d{1,3}){3}|\[::1\])(:\d{1,5})?"

# What a page may send: the token, a body type, the session its writes go to, Prism-style
# `Prefer`, and the usual extras.
ALLOW_HEADERS = (
    "Authorization",
    "Content-Type",
    "X-Mock-Session",
    "Prefer",
    "Accept",
    "Accept-Language",
    "Content-Language",
    "X-Requested-With",
)

# What a page's script may read besides the CORS-safelisted response headers.
EXPOSE_HEADERS = (
    "WWW-Authenticate",  # 401: which scheme to use (Token)
    "Allow",
    "Location",  # 301 to the path with its trailing slash; a 201's new record
    "Link",
    "Content-Length",
    "Preference-Applied",  # Prefer: code=..., example=..., delay=...
    "Retry-After",
)

# Every method: a write the route allows (POST, PUT, PATCH, DELETE) reaches the API, and one
# it does not reaches it too and reads DRF's 405 with its `Allow`, instead of the browser's
# opaque preflight failure.
ALLOW_METHODS = ALL_METHODS
_VARY = (b"vary", b"Origin")


class CorsMiddleware(CORSMiddleware):
    """`CorsMiddleware(app, origins=())`: loopback when `origins` is empty, else exactly them."""

    def __init__(self, app, origins: tuple[str, ...] = ()):
        super().__init__(
            app,
            allow_origins=tuple(origin.lower() for origin in origins),
            allow_origin_regex=None if origins else LOOPBACK,
            allow_methods=ALLOW_METHODS,
            allow_headers=["*"],
            expose_headers=EXPOSE_HEADERS,
            allow_private_network=True,
        )

    async def __call__(self, scope, receive, send):
        # Most requests (curl, CI, server-side code) send no Origin: they only need the
        # `Vary: Origin` Starlette adds, without its per-request header parsing.
        if scope["type"] == "http" and b"origin" not in exchanges.headers_of(scope):

            async def send_with_vary(message):
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), _VARY]}
                await send(message)

            await self.app(scope, receive, send_with_vary)
            return
        await super().__call__(scope, receive, send)

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        asked = request_headers.get("access-control-request-headers", "")
        names = [*ALLOW_HEADERS]
        known = {name.lower() for name in names}
        for name in (part.strip() for part in asked.split(",")):
            if name and name.lower() not in known:
                names.append(name)
                known.add(name.lower())
        response.headers["Access-Control-Allow-Headers"] = ", ".join(names)
        return response
