"""The corpus of real drf-spectacular specs (tests/realspecs/, kept byte for byte with their
sources in SOURCES.md): each loads as it is, and every documented read answers a documented
status with a body valid against its schema, never a 5xx.

Requests go straight to the ASGI app; `tests/test_realspecs_http.py` runs the CLI and
schemathesis over real sockets.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest
from helpers_api import make_state, raw_get

from mockserver.contract.resource import Reply
from mockserver.contract.schema import Validator
from mockserver.engine.params import allowed
from mockserver.fake import sample
from mockserver.http.app import create_app

CORPUS = Path(__file__).parent / "realspecs"
SPECS = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".yaml", ".json"))
SIZE = 12


@pytest.fixture(scope="module", params=SPECS)
def served(request):
    state = make_state(spec=str(CORPUS / request.param), size=SIZE, access_log=False)
    return state, create_app(state)


def test_the_corpus_has_its_sources():
    sources = (CORPUS / "SOURCES.md").read_text()
    assert len(SPECS) >= 6
    for name in SPECS:
        assert f"`{name}`" in sources or name in sources


def _credential(state, op) -> dict[str, str]:
    """The headers (and query) that authenticate to `op` with the banner's key."""
    key = state.banner_token()
    if op.security.open or not op.security.schemes:
        return {}
    scheme = op.security.schemes[0]
    line = scheme.credential(key, state.banner_jwt(key) if hasattr(state, "banner_jwt") else "")
    if line.startswith("?"):
        return {"?": line[1:]}
    name, _, value = line.partition(": ")
    return {name: value}


def _key_of(state, resource_path: str, lookup: str | None) -> str:
    """The lookup value of the first record of a resource, as its detail's path takes it."""
    from mockserver.contract.resource import lookup_field

    served = state.served[resource_path]
    if not len(served.dataset):
        return "1"
    record = orjson.loads(served.dataset.record(0))
    field = lookup_field(lookup, served.resource.fields) if lookup else None
    if field is None or field not in record:
        return str(int(served.dataset.ids[0]))
    return str(record[field])


def _fill(state, op) -> str:
    """The operation's path with every parameter filled: keys of existing records where the
    parameter names one, else a value its schema allows."""
    view = op.view
    values: dict[str, str] = {}
    if view.scope is not None and view.scope.parent:
        parent = state.served[view.scope.parent].resource
        values[view.scope.param] = _key_of(state, view.scope.parent, parent.lookup)
    if view.lookup and view.resource:
        values[view.lookup] = _key_of(state, view.resource, view.lookup)
    for name, schema in op.path_params.items():
        if name not in values:
            values[name] = _example(schema)

    def hole(match: re.Match) -> str:
        return quote(values.get(match[1], "1"), safe="")

    return re.sub(r"\{(\w+)\}", hole, op.path)


def _example(schema: dict) -> str:
    """A value the path parameter's schema allows."""
    if schema.get("enum"):
        return str(schema["enum"][0])
    for text in ("1", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "x", "a-1"):
        if allowed(schema, text):
            return text
    return str(sample.sample(schema, "path", 1))


def test_every_read_answers_a_documented_status_and_body(served):
    """Documented by the served /openapi.json: the spec, with the answers DRF gives that it
    leaves out, and what the mock never serves (a password) said."""
    state, app = served
    document = orjson.loads(raw_get(app, b"/openapi.json")[2])
    problems = []
    for op in state.spec.operations:
        if op.method != "GET" or op.view.reply == Reply.NONE:
            continue
        headers = _credential(state, op)
        query = [headers.pop("?")] if "?" in headers else []
        # A parameter the contract requires gets a value its schema allows.
        for name, param in op.query.items():
            if param.required:
                schema = (param.schema.get("items") or {}) if param.repeated else param.schema
                query.append(f"{name}={quote(_example(schema))}")
        target = _fill(state, op) + (f"?{'&'.join(query)}" if query else "")
        status, _headers, body = raw_get(app, target.encode(), headers)
        where = f"GET {target} ({op.view.kind})"
        responses = _served(state.spec, document, document["paths"][op.path]["get"]["responses"])
        if str(status) not in responses:
            problems.append(f"{where}: {status} is not documented: {body[:200]!r}")
            continue
        media = responses[str(status)].get("content") or {}
        schema = next(
            (m.get("schema") for t, m in media.items() if "json" in t or t == "*/*"), None
        )
        if schema is None or not body:
            continue
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            problems.append(f"{where}: not JSON: {body[:200]!r}")
            continue
        errors = Validator(schema).errors(value)
        if errors:
            problems.append(f"{where}: {errors[:3]}")
    assert problems == []


def _served(spec, document: dict, schema: dict) -> dict:
    """`schema` resolved in the served document (its components as served), cycles cut."""
    raw, spec.raw = spec.raw, document
    try:
        return spec.resolve(schema)
    finally:
        spec.raw = raw
