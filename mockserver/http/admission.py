"""Admission: what DRF checks before a view answers, in its order, for every request.

A `.json` suffix or `?format=` other than json is 404 (lenient mode: strict mode routes no
suffix and refuses `format` as an unknown parameter), an `Accept` no JSON renderer meets is
406, and the view's authenticators decide 401 or 403 (mockserver/http/auth.py). The API step
and the `Prefer` step both admit a request before choosing its answer, so a client can
choose an answer only once it would have been let in.
"""

from __future__ import annotations

from mockserver.contract.security import TOKEN_ONLY
from mockserver.errors import ApiError
from mockserver.http.auth import authenticate
from mockserver.http.exchange import Exchange

NOT_FOUND = "Not found."
NOT_ACCEPTABLE = "Could not satisfy the request Accept header."
JSON_TYPES = (b"*/*", b"application/*", b"application/json")


def negotiate(accept: bytes | None) -> None:
    """DRF's DefaultContentNegotiation with only a JSON renderer.

    >>> negotiate(b"text/html, application/json;q=0.9") is None
    True
    """
    if not accept:
        return
    for item in accept.split(b","):
        media = item.split(b";")[0].strip().lower()
        if media in JSON_TYPES:
            return
    raise ApiError.detail(406, NOT_ACCEPTABLE)


def format_override(exchange: Exchange) -> None:
    """DRF's URL format override: a `.json` suffix, else the last `?format=` (QueryDict.get).

    Only a JSON renderer exists, so any other non-empty format is Http404, raised by
    `DefaultContentNegotiation.filter_renderers` before the Accept header and the token are
    looked at (REAL_API.md, "Response format"). `format=json` changes nothing.
    """
    suffix = exchange.match.suffix if exchange.match is not None else None
    if suffix is None:
        if b"format" not in exchange.query_string:
            return
        values = [v for k, v in exchange.items if k == "format"]
        suffix = values[-1] if values else None
    if suffix and suffix != "json":
        raise ApiError.detail(404, NOT_FOUND)


def admit(state, exchange: Exchange, op=None) -> int | None:
    """What comes before any answer the client can choose (Prefer): the format, 406, 401.
    `op`: the operation whose authenticators decide (a write's own), else the route's read.
    Returns the credential's owner (None: anonymous, or a key of no record).

    Strict mode has no format override: the contract documents neither `format` nor the
    suffixes, so `?format=` is an unknown parameter (400) and a suffix an unknown path.
    """
    if not state.rules.strict:
        format_override(exchange)
    negotiate(exchange.headers.get(b"accept"))
    # A method the path does not document is the same view's (DRF's dispatch authenticates
    # before http_method_not_allowed): its read's authenticators, else its first
    # operation's (simplejwt's POST-only views, which have none, answer 405 to anyone).
    op = op or exchange.read
    if op is None and exchange.match is not None:
        op = next(iter(exchange.match.route.operations.values()), None)
    security = op.security if op is not None else TOKEN_ONLY
    return authenticate(exchange.headers, exchange.query_string, security, state.keys)
