"""The spec as served to people and tools: /openapi.yaml as written, /openapi.json, /ui/ errors.

`GET {base}/openapi.yaml` answers the hand-written file byte for byte (comments, key order
and all), `application/yaml` (RFC 9512). `GET {base}/openapi.json` is the same document as
JSON, with `servers` set to where this server answers (`[{"url": "/api/v1"}]` under
`--base-path /api/v1`, `[{"url": "/"}]` without), so Swagger UI's "Try it out" calls this
server; and with the error answers DRF really gives where the spec leaves them out, as
drf-spectacular documents only the 200 (`with_drf_errors`). Neither needs a token.
Swagger UI's scripts and styles come from the swagger-ui-bundle package, under
`{base}/ui/`; its page and the document it shows are mockserver/http/ui.py's. A missing file
under it is 404 `{"detail": "Not found."}` like any other unknown path, and `{base}/ui`
redirects to it (307).
"""

from __future__ import annotations

import copy
import functools
import json
import mimetypes
import re
from pathlib import Path

import jsonschema_rs
import orjson

from mockserver.contract.references import followed
from mockserver.contract.resource import Paging
from mockserver.contract.schema import untagged
from mockserver.contract.spec import typed_choices
from mockserver.http import ui, writedocs
from mockserver.http.answer import Answer, send_answer, write
from mockserver.http.fieldschemas import NO_NUL
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
        counts = {path: len(served.dataset) for path, served in state.served.items()}
        document = with_drf_errors(state.spec, counts)
        document["servers"] = [{"url": base or "/"}]
        self.json = dumps(document)

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
            await self._asset(scope, send, path[len(self.ui_prefix) :])
        elif path == self.ui_prefix[:-1]:
            # Where Swagger UI's page is: Starlette's redirect_slashes answer, a 307.
            location = (scope.get("root_path", "") + self.ui_prefix).encode("latin-1", "replace")
            await write(send, 307, b"", [(b"location", location)])
        else:
            await self.app(scope, receive, send)

    async def _serve(self, scope, send, media_type: bytes, body: bytes):
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            await _not_allowed(send, method)
            return
        answer = Answer(200, body, ((b"content-type", media_type),))
        await send_answer(send, answer, head=method == "HEAD")

    async def _asset(self, scope, send, name: str):
        """One of Swagger UI's files (swagger-ui-bundle's), else 404 in DRF's shape."""
        method = scope["method"]
        asset = _asset(name)
        if asset is None:
            body = orjson.dumps({"detail": "Not found."})
            await send_answer(send, Answer(404, body, _JSON), head=False)
        elif method not in ("GET", "HEAD"):
            await _not_allowed(send, method)
        else:
            await send_answer(send, asset, head=method == "HEAD")


def _copied(raw: dict) -> dict:
    """A copy of the spec to serve, as the JSON it will be written as (a fifth of the time
    `copy.deepcopy` takes on authentik's 6 MB): YAML's `200:` keys are text at once, as
    `dumps` writes them, so an answer added as "400" never sits beside a `400:`. A number
    orjson cannot write (past 64 bits) is copied as it is.

    >>> _copied({"responses": {200: {"description": ""}}, "example": 2**70})["responses"]
    {200: {'description': ''}}
    >>> _copied({"responses": {200: {"description": ""}}})["responses"]
    {'200': {'description': ''}}
    """
    try:
        return orjson.loads(orjson.dumps(raw, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:
        return copy.deepcopy(raw)


def dumps(document: dict) -> bytes:
    """The served document as JSON. YAML keys such as `200:` load as int; dates load as
    datetime.date. A bound past 64 bits (a CharField's longest integer, a UUID's) is
    written exactly, which orjson cannot: the standard library then writes it.

    >>> dumps({200: {"maximum": 2**128 - 1}})
    b'{"200":{"maximum":340282366920938463463374607431768211455}}'
    """
    try:
        return orjson.dumps(document, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str)
        return text.encode()


@functools.lru_cache(maxsize=1)
def _bundle() -> dict[str, Path]:
    """The Swagger UI bundle's files by their names under it (`swagger-ui.css`)."""
    from swagger_ui_bundle import swagger_ui_path

    folder = Path(swagger_ui_path).resolve()
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}


@functools.lru_cache(maxsize=64)
def _asset(name: str) -> Answer | None:
    """A file of the Swagger UI bundle, read once; None for any other name. Looked up among
    the bundle's own names, never as a path: `..`, a NUL or a 300-character name is no
    file system question (each was a 500 when it was one).

    >>> [_asset(name) for name in ("../x", "\\x00", "a" * 300)]
    [None, None, None]
    """
    path = _bundle().get(name)
    if path is None:
        return None
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media.startswith("text/") or media == "application/javascript":
        media += "; charset=utf-8"
    return Answer(200, path.read_bytes(), ((b"content-type", media.encode()),))


_JSON = ((b"content-type", JSON_TYPE),)


def _no_nul(schema: dict) -> dict:
    """A free text schema that refuses NUL, as Django's CharField does."""
    if _free_text(schema):
        return {**schema, "pattern": NO_NUL}
    return schema


def _capped(schema: dict) -> dict:
    """A number filter's schema with django-filter's MaxValueValidator(1e50)."""
    if schema.get("type") in ("integer", "number") and "maximum" not in schema:
        return {**schema, "maximum": 1e50}
    return schema


def _drf_bounds(spec, op, raw_op: dict, counts: dict[str, int]) -> None:
    """Tighten an unannotated filter parameter's schema to what DRF accepts (in place)."""
    served = spec.resources.get(op.resource)
    if served is None:
        return
    for index, raw in enumerate(raw_op.get("parameters") or []):
        if "$ref" in raw or raw.get("in") != "query" or "x-filter" in raw:
            continue
        param = op.query.get(raw.get("name"))
        if param is None or "schema" not in raw:
            continue
        schema = dict(raw["schema"])
        target = served.relations.get(param.field or "")
        items = schema.get("items") or {} if schema.get("type") == "array" else schema
        if target is not None and param.lookup in ("exact", "any", "in") and _whole(items):
            # ModelChoiceField and ModelMultipleChoiceField: an id of the related collection.
            # drf-spectacular writes their ids as integers; a `number` is a NumberFilter on
            # the key's column, which takes any number and checks no record.
            ids = {"type": "integer", "minimum": 1, "maximum": max(counts.get(target, 0), 1)}
            schema = {**schema, "items": ids} if schema.get("type") == "array" else ids
        elif param.lookup == "range":
            schema = {**schema, "minItems": 2, "maxItems": 2}  # BaseRangeField
        elif param.control in (None, "search"):
            if schema.get("type") == "array":
                schema = {**schema, "items": _no_nul(schema.get("items") or {})}
            else:
                schema = _no_nul(schema)
        if param.number_cap:
            if schema.get("type") == "array":
                schema = {**schema, "items": _capped(schema.get("items") or {})}
            else:
                schema = _capped(schema)
        raw_op["parameters"][index] = {**raw, "schema": schema}


def _text_bounds(document: dict, op, parameters: list) -> None:
    """Each unannotated query parameter's schema as strict mode reads it (in place).

    Free text refuses NUL, as Django's CharField does. An array has at least one item, and
    its free text items at least one character: OpenAPI's `form` style writes an empty
    array, and an array of one empty string, as `name=`, which django-filter reads as one
    empty value that no multiple choice holds (ModelMultipleChoiceField: "“” is not a valid
    value."); but an `in` lookup's comma-separated value (BaseCSVField) reads `name=` as no
    filter and an empty part as an empty value. A boolean's choices written as strings are
    the booleans (`typed_choices`).
    """
    for index, raw in enumerate(parameters):
        param = followed(document, raw)
        if not isinstance(param, dict) or param.get("in") != "query":
            continue
        if "x-filter" in param or "x-query" in param or not isinstance(param.get("schema"), dict):
            continue
        known = op.query.get(param.get("name"))
        if known is None or known.control not in (None, "search") or known.json:
            continue
        schema = typed_choices(param["schema"])
        if schema.get("type") == "array" and known.lookup == "in" and not known.explode:
            # django-filter's BaseCSVField: `name=` is the empty list (no filter), an empty
            # part an empty value; neither is refused.
            schema = {**schema, "items": _no_nul(schema.get("items") or {})}
        elif schema.get("type") == "array":
            items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            if _free_text(items) and "minLength" not in items:
                items = {**items, "minLength": 1}
            least = max(schema.get("minItems", 1), 1)
            schema = {**schema, "minItems": least, "items": _no_nul(items)}
        else:
            schema = _no_nul(schema)
        if schema != param["schema"]:
            # This operation's own copy: a shared `$ref` parameter may be another view's
            # control elsewhere (an `ordering` no view of records reads).
            parameters[index] = {**param, "schema": schema}


def _free_text(schema: dict) -> bool:
    return schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema)


def _whole(schema: dict) -> bool:
    """Whether a parameter's schema is an integer, as drf-spectacular writes a model choice."""
    return schema.get("type") == "integer"


# The shapes of DRF's error bodies, added to a served document that lacks them.
_DETAIL = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
_INVALID = {
    "description": "DRF's validation errors: a list of messages per query parameter, or the "
    "search's own list.",
    "oneOf": [
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        {"type": "array", "items": {"type": "string"}},
    ],
}


def with_drf_errors(spec, counts: dict[str, int] | None = None) -> dict:
    """The spec as a dict, each GET operation given the error answers the mock (like DRF)
    gives and the spec does not document: 400 for the query, 401 (with its
    `WWW-Authenticate` challenge) or 403 for credentials, 404 for a path's record or value,
    a page or a cursor, 406 for `Accept`; and each write the mock performs its own
    (mockserver/http/writedocs.py: 400 for the body, 404, 415, the serializer's checks).
    Real behaviour in DRF's shapes, never a mock control. A spec that documents them all
    (the Users contract) is served as it is. A `password` property is write-only there:
    the mock never serves one.

    Where DRF checks a filter beyond what drf-spectacular writes, the parameter's schema
    says so too (`_drf_bounds`), so that a value the document allows is one the service
    accepts: a relation's id exists, a `range` has two values, text has no NUL, a number
    is at most 1e50.
    """
    document = _copied(spec.raw)
    _passwords_write_only(document)
    _path_params_of_the_template(document)
    _unreadable_dropped(document)
    _discriminated(document, document)
    for op in spec.operations:
        raw_op = document["paths"][op.path][op.method.lower()]
        # A write's query parameters are checked as a read's unmodelled ones (app.py).
        for listed in (document["paths"][op.path].get("parameters"), raw_op.get("parameters")):
            _text_bounds(document, op, listed if isinstance(listed, list) else [])
        _drf_bounds(spec, op, raw_op, counts or {})
        if op.method != "GET":
            continue
        responses = raw_op.setdefault("responses", {})
        added = {"400": ("The query is not valid.", _INVALID)}
        # A detail's missing record, a path value its parameter cannot be,
        # PageNumberPagination's "Invalid page." and CursorPagination's "Invalid cursor"
        # are all NotFound.
        if op.path_params or op.view.paging in (Paging.PAGE, Paging.CURSOR):
            added["404"] = ("Not found, or no such page.", _DETAIL)
        add_answers(spec, document, op, responses, added)
    shared = functools.partial(add_answers, spec, document)
    writedocs.document_writes(spec, document, counts or {}, shared)
    return document


def add_answers(spec, document, op, responses: dict, added: dict[str, tuple]) -> None:
    """Document the answers of `added` (code -> description and body schema) and those every
    operation has, 406 for `Accept` and 401 (with its `WWW-Authenticate` challenge) or 403
    for credentials, where `responses` does not; where it does, make the documented one
    admit DRF's body too (in place)."""
    ordered = {code: added[code] for code in ("400",) if code in added}
    ordered["406"] = ("Not acceptable.", _DETAIL)
    challenges = list(op.security.challenges)
    if op.security.refuses:
        code = "401" if challenges else "403"
        ordered[code] = ("No valid credentials.", _DETAIL)
    ordered.update(added)
    have = {str(code) for code in responses}
    for code, (description, schema) in ordered.items():
        if code in have:
            key = next(k for k in responses if str(k) == code)
            responses[key] = _admitting_drf(spec, document, responses[key], code, schema)
            continue
        response = {
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
        if code == "401":
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string", "enum": challenges}}
            }
        responses[code] = response
    return document


# Bodies the mock answers with, as DRF writes them: a parameter's messages, a detail. (The
# search's bare list for a NUL is lenient mode's only: strict mode names the parameter.)
_DRF_BODIES = {
    "400": ({"name": ["This field is required."]},),
    "default": ({"detail": "Not found."},),
}
# ... and a write's 400s besides: a body no parser reads (ParseError), a ListField's or a
# nested serializer's errors, a many=True body's errors by index.
_WRITE_400 = (
    {"name": ["This field is required."]},
    {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"},
    {"tags": {"0": ["A valid integer is required."]}},
    {"0": {"name": ["This field is required."]}},
)


def _admitting_drf(spec, document: dict, response, code: str, drf_schema: dict):
    """A documented error response that also admits the body the mock gives for it.

    The mock answers its errors as DRF does (JSON, DRF's shape); a spec may document another
    type (SCIM's `application/scim+json`) or another body (`{"message": ...}`) for the same
    code, which the service's own views give. The response then lists `application/json`
    too, and a JSON schema that refuses DRF's body becomes `anyOf` it and DRF's shape.
    """
    found = followed(document, response)
    if not isinstance(found, dict) or not isinstance(found.get("content"), dict):
        return response  # no body documented: nothing a client checks it against
    media = found["content"].get("application/json")
    if isinstance(media, dict):
        documented = media.get("schema")
        bodies = _WRITE_400 if drf_schema is writedocs.INVALID_BODY else None
        if not isinstance(documented, dict) or _admits(spec, documented, code, bodies):
            return response  # as written (a `$ref` stays one)
        changed = copy.deepcopy(found)
        changed["content"]["application/json"]["schema"] = {"anyOf": [documented, drf_schema]}
        return changed
    changed = copy.deepcopy(found)
    changed["content"]["application/json"] = {"schema": drf_schema}
    return changed


def _admits(spec, schema: dict, code: str, bodies=None) -> bool:
    """Whether a documented schema holds every body DRF gives for the code (`bodies`, when
    given: a write's 400s)."""
    try:
        validator = jsonschema_rs.validator_for(spec.resolve(schema))
    except (ValueError, jsonschema_rs.ValidationError):
        return True  # a schema no validator reads: left as the spec wrote it
    bodies = bodies or _DRF_BODIES.get(code, _DRF_BODIES["default"])
    return all(validator.is_valid(body) for body in bodies)


def _path_params_of_the_template(document: dict) -> None:
    """Each operation's `in: path` parameters only where its path has them (in place).

    A path parameter the template does not name (`client` on `/allauth/app/v1/config`,
    where the router has the value written in) can never be sent: OpenAPI says a path
    parameter's name MUST be a template expression of the path, and the service never reads
    it. A client told of it would expect a request with a value outside its schema to be
    refused, which no request can carry.
    """
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        named = set(re.findall(r"\{([^{}]+)\}", str(path)))
        for owner in [item, *(op for op in item.values() if isinstance(op, dict))]:
            listed = owner.get("parameters")
            if not isinstance(listed, list):
                continue
            owner["parameters"] = [
                raw for raw in listed if not _phantom(followed(document, raw), named)
            ]


def _phantom(param, named: set[str]) -> bool:
    return isinstance(param, dict) and param.get("in") == "path" and param.get("name") not in named


def _discriminated(node, root: dict | None = None) -> None:
    """Each `oneOf` member named in its discriminator's mapping held to its own value of the
    discriminating property (in place).

    drf-spectacular's PolymorphicProxySerializer writes `component: {type: string, default:
    ak-stage-captcha}`: a body of one member often fits others too, and a validator that
    reads `oneOf` as JSON Schema does (ignoring the discriminator) refuses what the service
    answers. The mapping says which member a value names; the document says so in each.
    """
    if isinstance(node, dict):
        choice, found = node.get("discriminator"), node.get("oneOf")
        if isinstance(choice, dict) and isinstance(found, list):
            name, mapping = choice.get("propertyName"), choice.get("mapping")
            named: dict[str, list] = {}
            for value, ref in (mapping or {}).items():
                named.setdefault(ref, []).append(value)
            resolve = functools.partial(followed, root) if root is not None else _unfollowed
            mapped = isinstance(mapping, dict) and len(mapping) == len(found)
            if isinstance(name, str) and mapped and untagged(found, name, resolve):
                # The tag is a field beside this one, which no member holds (authentik's
                # transactional `provider`, tagged by `provider_model`): one member at
                # least, as the mock reads it (mockserver/contract/schema.py). The
                # discriminator goes too: OpenAPI reads its property inside the value, and a
                # client that does so (Schemathesis) held a provider to the member that a
                # stray `provider_model` key of its own named, which the service ignores.
                node["anyOf"] = node.pop("oneOf")
                del node["discriminator"]
            elif isinstance(name, str) and isinstance(mapping, dict):
                node["oneOf"] = [
                    {"allOf": [m], "properties": {name: {"enum": named[m["$ref"]]}}}
                    if isinstance(m, dict) and m.get("$ref") in named
                    else m
                    for m in found
                ]
        for value in node.values():
            _discriminated(value, root)
    elif isinstance(node, list):
        for item in node:
            _discriminated(item, root)


def _unfollowed(node):
    return node  # no document to follow a reference in: untagged() takes it as tagged


def _unreadable_dropped(node) -> None:
    """What a client's validator cannot read, dropped (in place), in one walk; dropping
    either only loosens what the answers are held to:

    - a schema's `required` that is one name (`required: labels`, which JSON Schema
      refuses); a property named `required` (a schema, a dict) stays;
    - an array's `items` that is no schema (`items: string`, which OpenAPI and JSON Schema
      refuse, and at which Schemathesis stops), as the mock reads it: items of any kind
      (mockserver/engine/serializer.py); a property named `items` stays.

    >>> node = {"type": "array", "items": "string", "required": "a",
    ...         "properties": {"items": {}, "required": {}}}
    >>> _unreadable_dropped(node)
    >>> node
    {'type': 'array', 'properties': {'items': {}, 'required': {}}}
    """
    if isinstance(node, dict):
        if isinstance(node.get("required"), str):
            del node["required"]
        if "items" in node and not isinstance(node["items"], dict | bool):
            del node["items"]
        for value in node.values():
            _unreadable_dropped(value)
    elif isinstance(node, list):
        for item in node:
            _unreadable_dropped(item)


def _passwords_write_only(node) -> None:
    """Every `password` property marked write-only (in place): the mock accepts one in a
    request and never serves one, whatever the spec says of it."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and isinstance(props.get("password"), dict):
            props["password"] = {**props["password"], "writeOnly": True}
            props["password"].pop("readOnly", None)
        for value in node.values():
            _passwords_write_only(value)
    elif isinstance(node, list):
        for item in node:
            _passwords_write_only(item)


async def _not_allowed(send, method: str) -> None:
    body = orjson.dumps({"detail": f'Method "{method}" not allowed.'})
    await send_answer(send, Answer(405, body, _JSON), head=False, extra=[(b"allow", b"GET, HEAD")])
