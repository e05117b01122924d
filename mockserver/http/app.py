"""The HTTP layer: DRF's request pipeline as ASGI middlewares, in one stack.

Order, as Django and DRF apply it: a missing trailing slash redirects (CommonMiddleware);
then content negotiation (a `?format=` or `.json` other than json is 404 in lenient mode,
a non-JSON `Accept` is 406), authentication (401), the method (405), the query (400), and
the handler (200 or 404). Errors become responses in `ApiMiddleware.__call__` only.

The default stack is plain ASGI: Connexion is not imported at all (its import was the
largest part of a start), and records are already validated once when the dataset is
built. With `validate_responses`, Connexion routes each read and checks every answer
against the spec; measured here, its per-request middleware alone cut throughput to about
1/8 of a bare Starlette endpoint, so only that stack has it.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import time
import warnings
from urllib.parse import quote

import orjson

from mockserver.contract.resource import Reply
from mockserver.contract.spec import Spec
from mockserver.engine import handlers, serializer, writes
from mockserver.engine.params import Query, allowed, parse_query
from mockserver.engine.sessions import open_sessions
from mockserver.engine.writes import Workspace
from mockserver.errors import ApiError, ConfigError
from mockserver.http import exchange as exchanges
from mockserver.http import logins, parsers
from mockserver.http.accesslog import AccessLogMiddleware
from mockserver.http.admission import admit
from mockserver.http.answer import send_json, write
from mockserver.http.cors import CorsMiddleware
from mockserver.http.docs import SpecDocsMiddleware
from mockserver.http.journal import BODY, Journal, MockEndpointsMiddleware, Secrets
from mockserver.http.metadata import metadata
from mockserver.http.negotiation import NegotiationMiddleware
from mockserver.state import State

SERVER_ERROR = "A server error occurred."  # DRF's APIException default detail
_log = logging.getLogger("mockserver")
_JSON_TYPE = (b"content-type", b"application/json")


# Parsed query strings kept per operation.
_PARSED_KEPT = 512
_WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE: a larger body is refused before it is read whole.
MAX_BODY_BYTES = 2_621_440
_TOO_BIG = "Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."
SESSION_HEADER = b"x-mock-session"


_STORES: dict[tuple, object] = {}


def sessions_of(state: State):
    """The store of the sessions' writes the settings name, opened once per process and
    records: a reload of the same spec keeps its writes (and its state file's saver).
    Change sets are kept apart by what the records depend on (spec, fixtures, seed, size):
    on one Redis, two specs never share them."""
    settings = state.settings
    digest = hashlib.sha256()
    for part in (*state.spec.digest_parts, *state.fixtures.digest_parts):
        digest.update(hashlib.sha256(part).digest())
    digest.update(f"{settings.seed}:{settings.size}".encode())
    key = (settings.state_url, settings.state_file, digest.hexdigest()[:16])
    found = _STORES.get(key)
    if found is None:
        found = open_sessions(*key)
        if settings.state_file:
            try:
                writes.check_state(state, found.dump(""))
            except ValueError as exc:
                found.close()
                raise ConfigError(settings.state_file, str(exc)) from None
        _STORES[key] = found
    return found


def _session(headers: dict[bytes, bytes]) -> str:
    """The session a request reads and writes: its `X-Mock-Session`, else the shared one."""
    return headers.get(SESSION_HEADER, b"").decode("latin-1")


def _check_path(params: dict[str, str], checks) -> None:
    for name, schema in checks:
        # A value its path parameter cannot be (`/posts/abc/` for an integer id) names
        # nothing: Django's `<int:...>` route does not match it, DRF's get_object()
        # is Http404 for it.
        if not allowed(schema, params[name]):
            raise ApiError.detail(404, handlers.NOT_FOUND)


async def read_body(receive, limit: int = MAX_BODY_BYTES, past: str = _TOO_BIG) -> bytes:
    """The request's body, read whole up to `limit` bytes: 413 `past` beyond it (by
    default Django's RequestDataTooBig, which refuses a body past 2.5 MB)."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            # The client is gone, or the server's body deadline cut it (limits.py): a part
            # of a body is never taken for the whole.
            raise ApiError.detail(408, "The request's body did not arrive in full.")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ApiError.detail(413, past)
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


class ApiMiddleware:
    """Answers every request for the spec's paths (and their slash-less forms)."""

    def __init__(
        self, app, state: State, delegate_reads: bool = False, workspace: Workspace | None = None
    ):
        self.app = app
        self.state = state
        # The sessions' records, and where their writes go (mockserver/engine/writes.py).
        self.workspace = workspace or Workspace(state, sessions_of(state))
        # In front of Connexion's routing (validated mode), GET goes on to be routed, answered
        # by the next ApiMiddleware and checked against the spec on its way out. HEAD is
        # answered here: its empty body is not the documented JSON.
        self.delegate_reads = delegate_reads
        self._route = state.route
        # Each read is answered by what it is (a list, a detail, a singleton, a nested list,
        # an action, a body from its schema), not by its name. Writes are 405 for now.
        # By the operation's identity: the route table holds each operation once, and an
        # id is the cheapest key on the way of every request.
        self._handlers = {
            id(op): (
                handler,
                served.rules if served is not None else state.rules,
                _path_checks(op, served),
                {},
            )
            for route in state.routes
            for op in route.operations.values()
            if (handler := handlers.for_operation(op, state)) is not None
            for served in [state.served.get(op.resource) if op.resource else None]
        }
        self._writers = {
            id(op): (writer, _path_checks(op, state.served.get(op.view.resource)))
            for route in state.routes
            for op in route.operations.values()
            if (writer := writes.for_write(op, state)) is not None
        }
        # A write answered from its schema: (its serializer's schema, a partial update).
        self._bodies: dict[int, tuple[dict | None, bool]] = {}
        # DRF's obtain_auth_token and simplejwt's views, by their schemas.
        self._logins = {
            id(op): login
            for route in state.routes
            for op in route.operations.values()
            if (login := logins.login_for(op, state)) is not None
        }

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        exchange = exchanges.of(scope, self.state)
        found = exchange.match
        if found is None:
            if not path.endswith("/") and self._route(path + "/") is not None:
                await self._redirect(scope, send)
            else:
                await self.app(scope, receive, send)
            return
        # Connexion's int path convertor fails on ids past Python's 4300-digit limit; such
        # ids cannot exist, so they are answered here. Connexion routes no format suffix.
        if (
            self.delegate_reads
            and scope["method"] == "GET"
            and found.suffix is None
            and all(len(value) <= 64 for value in found.params.values())
        ):
            await self.app(scope, receive, send)
            return
        try:
            if scope["method"] in _WRITE_METHODS:
                answered = await self._write(scope, receive, exchange)
            else:
                answered = self._answer(scope, exchange)
            allow = (b"allow", found.route.allow)
            if type(answered) is bytes:
                status, body, headers = 200, answered, [_JSON_TYPE, allow]
            else:
                status, body = answered.status, answered.body
                headers = [*answered.headers, allow]
        except ApiError as error:
            status, body = error.status, orjson.dumps(error.body)
            headers = [
                _JSON_TYPE,
                (b"allow", found.route.allow),
                *((k.lower().encode(), v.encode()) for k, v in error.headers.items()),
            ]
        head = scope["method"] == "HEAD"
        await write(send, status, body, headers, head=head, scope=scope)

    def _answer(self, scope, exchange):
        """The pipeline's stages after routing: admit (format, 406, 401), the method (405),
        parse (400), mock (200 or 404). Each stage raises ApiError to answer early."""
        owner = admit(self.state, exchange)
        method = scope["method"]
        read = exchange.read
        if method == "OPTIONS":
            return self._options(exchange, owner)
        bound = self._handlers.get(id(read)) if read is not None else None
        if method not in ("GET", "HEAD") or bound is None:
            raise ApiError.detail(405, f'Method "{method}" not allowed.')
        handler, rules, checks, parsed = bound
        data = self.workspace.records(_session(exchange.headers))
        # A query string sent again (a page polled, a list a frontend reloads) is parsed
        # once: the answer depends on the string alone while the records stay the
        # generated ones (a parse reads a relation's ids). An empty one reads no record,
        # so its parse holds in every session (a detail read after a write).
        kept = data is self.state.served or not exchange.query_string
        query = parsed.get(exchange.query_string) if kept else None
        if query is None:
            if data is not self.state.served and read.resource in data:
                rules = data.rules_of(read.resource)  # the session's relations
            query = parse_query(read, exchange.items, rules, exchange.headers)
            if not read.headers and kept:
                # Bounded; a query the contract refuses raises and is never kept.
                if len(parsed) >= _PARSED_KEPT:
                    parsed.clear()
                parsed[exchange.query_string] = query
        _check_path(exchange.match.params, checks)
        url = _request_url(scope, exchange.headers)
        return handler(query, url, exchange.match.params, data)

    def _options(self, exchange, owner) -> bytes:
        """DRF's SimpleMetadata: the view, and the writes this user may make there (a
        detail's PUT only when its record exists: get_object() raising Http404 drops it)."""
        headers = exchange.headers
        authenticated = owner is not None or any(
            name in headers for name in (b"authorization", b"cookie")
        )
        exists = True
        bound = self._handlers.get(id(exchange.read)) if exchange.read is not None else None
        if bound is not None and exchange.read.is_detail:
            try:
                data = self.workspace.records(_session(headers))
                bound[0](Query(), "", exchange.match.params, data)
            except ApiError:
                exists = False
        return orjson.dumps(
            metadata(self.state, exchange.match.route, authenticated, record_exists=exists)
        )

    async def _write(self, scope, receive, exchange):
        """A write: admit, the method (405), the path, then the view's own work, which
        reads the body when DRF's would (`request.data`: an update looks its record up
        first, so an unknown key is 404 before a body is parsed; a destroy never reads it).
        """
        method = scope["method"]
        op = exchange.match.route.operations.get(method)
        admit(self.state, exchange, op)
        if op is None:
            raise ApiError.detail(405, f'Method "{method}" not allowed.')
        if self.state.rules.strict and (exchange.items or op.required or op.headers):
            # Strict mode holds a write to its contract's query and header parameters as
            # it holds a read (400 naming each): DRF reads none of them as required, but
            # the contract does, and the view (`request.query_params["entity_id"]`) needs
            # them. Lenient mode lets the view go on, as the real service would. (A write
            # with no query to a view that requires none has nothing to check.)
            served = self.state.served.get(op.view.resource) if op.view.resource else None
            rules = served.rules if served is not None else self.state.rules
            parse_query(op, exchange.items, rules, exchange.headers)
        raw = await read_body(receive)
        scope[BODY] = raw  # for the journal's entry
        content_type = exchange.headers.get(b"content-type")
        media = content_type.decode("latin-1") if content_type is not None else None
        write = writes.Write(
            functools.partial(parsers.parse, media, raw),
            exchange.match.params,
            _session(exchange.headers),
            time.time_ns() // 1000,
            _request_url(scope, exchange.headers),
        )
        login = self._logins.get(id(op))
        if login is not None:
            status, body = login(*write.parsed())
            return handlers.Result(status, body, (_JSON_TYPE,))
        bound = self._writers.get(id(op))
        if bound is not None:
            writer, checks = bound
            _check_path(exchange.match.params, checks)
            return writer(write, self.workspace)
        # A write the mock does not model (an action, a view of its own): its serializer
        # checks the body as DRF's would, and the documented answer is generated.
        answer = self._handlers.get(id(op))
        if answer is None:
            raise ApiError.detail(405, f'Method "{method}" not allowed.')
        handler, _rules, checks, _parsed = answer
        _check_path(exchange.match.params, checks)
        body = self._bodies.get(id(op))
        if body is None:
            # Found once, at the operation's first write: a PATCH's full serializer is looked
            # for among every operation of the spec.
            spec = self.state.spec
            body = self._bodies[id(op)] = (
                writes.request_schema(op, spec),
                writes.partial_update(op),
            )
        schema, partial = body
        if schema is not None:
            data, form = write.parsed()
            serializer.validate(schema, data, partial=partial, form=form)
        url = _request_url(scope, exchange.headers)
        data = self.workspace.records(write.session)
        answer = handler(Query(), url, exchange.match.params, data)
        if isinstance(answer, handlers.Result) and answer.status == 204:
            # RFC 9110 (15.3.5): a 204 has no content, whatever schema the spec gives it.
            return handlers.Result(204, b"", ())
        return answer

    async def _redirect(self, scope, send):
        """Django's APPEND_SLASH: 301 to the path with its slash, query kept, an empty body
        typed as Django's HttpResponsePermanentRedirect types it."""
        location = _escape_path(scope.get("root_path", "") + scope["path"] + "/")
        if scope["query_string"]:
            location += "?" + scope["query_string"].decode("latin-1")
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"location", location.encode("latin-1", "replace")),
        ]
        await write(send, 301, b"", headers, scope=scope)


def _path_checks(op, served) -> tuple[tuple[str, dict], ...]:
    """The path parameters whose values an operation checks against their schema: those
    with any constraint, but a detail's integer key, which its lookup reads as Django's
    IntegerField does (a value that is no number is the same 404)."""
    checks = []
    for name, schema in op.path_params.items():
        if not schema or schema == {"type": "string"} or "{" + name + "}" not in op.path:
            continue  # nothing to check; or a parameter its path does not name
        keyed = (
            served is not None
            and name == op.view.lookup
            and op.view.reply == Reply.RECORD
            and served.resource.lookup_field == "id"
            and schema.get("type") == "integer"
            and set(schema) <= {"type", "description"}
        )
        if not keyed:
            checks.append((name, schema))
    return tuple(checks)


class ServerErrorMiddleware:
    """The last resort: an exception no stage expected is a 500 in DRF's shape, logged once.

    No input should get here; if one does, the client still gets JSON, not a broken
    connection. (Connexion's own ServerErrorMiddleware cannot answer with the Starlette
    this project runs: its handler returns a coroutine where Starlette wants a response.)
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            _log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            if started:
                raise
            await send_json(send, 500, {"detail": SERVER_ERROR})


class NotFoundMiddleware:
    """The end of the chain: any other path is 404 in DRF's shape."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await send_json(send, 404, {"detail": "Not found."})


def _request_url(scope, headers) -> str:
    """request.build_absolute_uri(): scheme, Host header, full path and query as sent."""
    host = headers.get(b"host", b"").decode("latin-1")
    if not _valid_host(host):
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    path = _escape_path(scope.get("root_path", "") + scope["path"])
    query = scope["query_string"].decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


def _escape_path(path: str) -> str:
    """Django's escape_uri_path; undecodable bytes of the request go back as they came.

    >>> _escape_path("/products/12/"), _escape_path("/caf\u00e9 s/")
    ('/products/12/', '/caf%C3%A9%20s/')
    """
    if _PLAIN_PATH.fullmatch(path):
        return path  # nothing to escape, as for nearly every path: quote() would cost more
    return quote(path, safe=_PATH_SAFE, errors="surrogateescape")


_PATH_SAFE = "/%:@!$&'()*+,;="
# What quote() leaves as it is: ASCII letters and digits, "_.-~", and the safe characters.
_PLAIN_PATH = re.compile(r"[\w.\-~/%:@!$&'()*+,;=]*", re.ASCII)


# django.http.request.host_validation_re, less the IPv6 form (it falls back like any other).
_HOST = re.compile(r"[a-z0-9.-]+(:[0-9]+)?", re.ASCII | re.IGNORECASE)


def _valid_host(host: str) -> bool:
    """Django's host validation; an invalid Host falls back to the server's address."""
    return _HOST.fullmatch(host) is not None


# -- assembling the ASGI app ----------------------------------------------------------------


def create_app(state: State, journal: Journal | None = None, sessions=None):
    """The served app: a plain ASGI stack; with `validate_responses`, a Connexion app that
    routes and checks each answer too.

    `journal`: where API requests are written down; a new one of `--journal` entries (none
    with `--journal 0`) unless given (a reload keeps the server's). `sessions`: where the
    sessions' writes live (mockserver/engine/sessions.py); opened from the settings
    unless given.
    """
    secrets = Secrets.of(state.spec.operations)
    if journal is None and state.settings.journal:
        journal = Journal(state.settings.journal, secrets)
    workspace = Workspace(state, sessions if sessions is not None else sessions_of(state))
    api = functools.partial(ApiMiddleware, state=state, workspace=workspace)
    # First, so that preflights skip authentication and every answer carries CORS headers.
    cors = functools.partial(CorsMiddleware, origins=state.settings.cors_origin)
    docs = functools.partial(SpecDocsMiddleware, state=state)
    # Server-wide latency and faults, then the request's own Prefer, in one step: both
    # answer with the spec's examples, inside response validation when it is on.
    negotiation = functools.partial(NegotiationMiddleware, state=state)
    access = functools.partial(AccessLogMiddleware, secrets=secrets)
    logs = [access] if state.settings.access_log else []  # outermost: every request
    # The pipeline, declared once: the edge (log, CORS, last-resort errors), then the mock
    # (server-wide faults, the request's Prefer, the API: route, admit, parse, mock, send),
    # the spec and Swagger UI, and DRF's 404 for anything else. With response validation,
    # Connexion routes each read first and checks what the mock answers on its way out.
    health = {
        "status": "ok",
        "resources": {path: len(served.dataset) for path, served in state.served.items()},
    }
    endpoints = functools.partial(
        MockEndpointsMiddleware,
        journal=journal,
        base_path=state.settings.base_path,
        health=health,
        workspace=workspace,
    )
    edge = [*logs, cors, ServerErrorMiddleware, endpoints]
    mock = [negotiation, api]
    if state.settings.validate_responses:
        return _validated_app(state, edge, mock, docs)
    # Connexion is not even imported: it is the biggest part of a start (see README,
    # "Contract tests in CI"), and without response validation the mock answers everything.
    return _stack([*edge, *mock, docs, NotFoundMiddleware], lifespan)


def _stack(middlewares, app):
    """`middlewares` around `app`, the first outermost."""
    for middleware in reversed(middlewares):
        app = middleware(app)
    app.middlewares = middlewares  # what the stack is made of, for tests and people
    return app


async def lifespan(scope, receive, send):
    """The innermost app: ASGI lifespan's startup and shutdown, acknowledged (the proxy's
    too)."""
    if scope["type"] != "lifespan":
        return
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _validated_app(state: State, edge, mock, docs):
    """Connexion routes each read first and checks what the mock answers on its way out."""
    # Connexion imports Starlette's test client, which warns at import that it prefers
    # another HTTP client, and jsonschema's deprecated RefResolver; the app uses neither.
    # The warnings are silenced for this import only: the filters of a host project (the
    # pytest plugin runs in one, maybe with warnings as errors) stay as they were.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*httpx.*starlette\.testclient.*")
        warnings.simplefilter("ignore", DeprecationWarning)
        import connexion
        from connexion.lifecycle import ConnexionResponse
        from connexion.middleware.context import ContextMiddleware
        from connexion.middleware.exceptions import ExceptionMiddleware
        from connexion.middleware.lifespan import LifespanMiddleware
        from connexion.middleware.response_validation import ResponseValidationMiddleware
        from connexion.middleware.routing import RoutingMiddleware
        from connexion.resolver import Resolver

    front = functools.partial(ApiMiddleware, state=state, delegate_reads=True)
    validation = [front, RoutingMiddleware, ResponseValidationMiddleware]
    tail = [NotFoundMiddleware, LifespanMiddleware, ContextMiddleware]
    middlewares = [*edge, ExceptionMiddleware, docs, *validation, *mock, *tail]
    app = connexion.AsyncApp(__name__, middlewares=middlewares)
    app.add_api(
        for_connexion(state.spec.raw, state.spec),
        base_path=state.settings.base_path or None,
        validate_responses=True,
        strict_validation=False,
        # Connexion wants a function per operationId; ApiMiddleware answers every request
        # before Connexion's own handler would run, so the contract names no Python code.
        resolver=Resolver(function_resolver=lambda operation_id: _answered_by_middleware),
    )

    def server_error(request, exc: Exception):
        """Connexion's ExceptionMiddleware catches first: an unexpected error is DRF's 500
        here too (a response that breaks the spec stays Connexion's 500)."""
        _log.error("unexpected error answering %s", request.url, exc_info=exc)
        body = orjson.dumps({"detail": SERVER_ERROR})
        return ConnexionResponse(status_code=500, body=body, content_type="application/json")

    app.add_error_handler(Exception, server_error)
    app.middlewares = middlewares
    return app


def for_connexion(node, spec: Spec):
    """The spec as Connexion's validator should read it, as DRF means it:

    - drf-spectacular writes a field that may be blank (`URLField(blank=True)`) as
      `oneOf: [{format: uri}, {maxLength: 0}]`. A validator that does not check the `uri`
      format (Connexion's) finds `""` valid under both, which `oneOf` forbids: read as
      `anyOf`, `""` is valid;
    - a nullable nested serializer is `allOf: [{$ref: ...}], nullable: true`, and Connexion
      honours `nullable` only beside a `type`, never inside `allOf`'s members: it reads
      `anyOf: [{allOf: [...]}, null]`.

    `spec` resolves the members' `$ref`s (the spec `node` is part of).

    >>> from pathlib import Path
    >>> doc = {"openapi": "3.0.3", "info": {"title": "Shop", "version": "1"}, "paths": {},
    ...        "components": {"schemas": {"G": {"type": "object"}}}}
    >>> spec = Spec(Path("shop.json"), orjson.dumps(doc))
    >>> blank = {"oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]}
    >>> for_connexion(blank, spec)["anyOf"][1]
    {'type': 'string', 'maxLength': 0}
    >>> g = {"allOf": [{"$ref": "#/components/schemas/G"}], "nullable": True}
    >>> for_connexion(g, spec)["anyOf"][1]
    {'type': 'object', 'nullable': True, 'enum': [None]}
    """
    if isinstance(node, list):
        return [for_connexion(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: for_connexion(value, spec) for key, value in node.items()}
    members = out.get("oneOf")
    if isinstance(members, list) and any(
        isinstance(m, dict) and m.get("maxLength") == 0 for m in members
    ):
        out["anyOf"] = out.pop("oneOf")
    members = out.get("allOf")
    if out.get("nullable") is True and "type" not in out and isinstance(members, list):
        kinds = {_type_of(spec.resolve_shallow(member)) for member in members}
        if len(kinds) == 1 and None not in kinds:
            # Either the members, or null (the members themselves refuse null).
            del out["allOf"], out["nullable"]
            null = {"type": kinds.pop(), "nullable": True, "enum": [None]}
            out["anyOf"] = [{"allOf": members}, null]
    return out


def _type_of(schema) -> str | None:
    """The `type` a schema declares, if any."""
    kind = schema.get("type") if isinstance(schema, dict) else None
    return kind if isinstance(kind, str) else None


def _answered_by_middleware(*args, **kwargs):
    """Never called: ApiMiddleware answers each operation before Connexion's handler."""
    raise RuntimeError("ApiMiddleware answers every operation")
