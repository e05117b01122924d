"""Negotiation: the one step that may choose an answer before the API step gives its own.

A read (GET or HEAD of an operation) meets, in order:

1. the server's own plan (`--latency`, `--error-rate`, mockserver/http/faults.py): a seeded wait,
   and sometimes one of the operation's documented errors instead of its answer. It comes
   before authentication: an overloaded service fails anonymous requests too;
2. the request's own preferences (`Prefer: code=404, example=NAME, delay=800`, or
   `?__code=404`, mockserver/http/prefer.py), once the request is admitted (format, 406, 401):
   a documented answer's example, or a wait before the usual answer.

Everything else goes on to the API step. The request is routed and its query parsed once,
in its Exchange (mockserver/http/exchange.py), which this step and the API's share; every answer
sent here carries the route's `Allow`, as the API's do. Prism's `negotiateResponse` is the
model: one function decides, from the spec and the request, which answer goes out.
"""

from __future__ import annotations

import orjson

from mockserver.errors import ApiError
from mockserver.http import examples, faults, prefer
from mockserver.http import exchange as exchanges
from mockserver.http.admission import admit
from mockserver.http.answer import Answer, send_answer

_JSON = (b"content-type", b"application/json")


class NegotiationMiddleware:
    """Faults, then preferences, for the API's reads; every other request passes untouched."""

    def __init__(self, app, state):
        self.app = app
        self.state = state
        settings = state.settings
        self.plan = faults.Plan(settings.latency_range, settings.error_rate, settings.seed)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        query = scope["query_string"]
        preferring = (
            b"__" in query or b"%5f" in query.lower() or b"prefer" in exchanges.headers_of(scope)
        )
        if not self.plan.active and not preferring:
            await self.app(scope, receive, send)  # the hot path: nothing to negotiate
            return
        exchange = exchanges.of(scope, self.state)
        op = exchange.read
        if op is None:
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        allow = [(b"allow", exchange.match.route.allow)]
        if self.plan.active:
            draw = self.plan.draw()  # before any await: requests numbered in arrival order
            if draw.latency_ms:
                await faults.sleep(draw.latency_ms / 1000)
            codes = faults.fault_codes(op) if draw.fault else []
            if codes:
                answer = examples.answer(op, codes[int(draw.pick * len(codes))])
                await send_answer(send, answer, head=head, extra=allow, scope=scope)
                return
        said = [v.decode("latin-1") for name, v in scope["headers"] if name == b"prefer"]
        wanted = prefer.requested(op, said, exchange.items) if preferring else {}
        if not wanted:
            await self.app(scope, receive, send)
            return
        try:
            admit(self.state, exchange)
        except ApiError:
            await self.app(scope, receive, send)  # the API step answers 406 or 401 itself
            return
        try:
            choice = prefer.choose(op, wanted)
        except ApiError as error:
            refused = Answer(error.status, orjson.dumps(error.body), (_JSON,))
            await send_answer(send, refused, head=head, extra=allow, scope=scope)
            return
        if choice.delay_ms:
            await prefer.sleep(choice.delay_ms / 1000)
        applied = (b"preference-applied", choice.applied.encode("latin-1", "replace"))
        if choice.forced:
            answer = examples.answer(op, choice.code, choice.example)
            await send_answer(send, answer, head=head, extra=[*allow, applied], scope=scope)
            return

        async def send_applied(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), applied]}
            await send(message)

        await self.app(scope, receive, send_applied)
