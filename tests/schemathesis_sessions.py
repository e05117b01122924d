"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=schemathesis_sessions`): each test case in a
session of its own, each stateful scenario in one of its own.

The served /openapi.json describes the records as generated: a relation's filter takes the
ids the collection has, a unique field's values are free. A run that writes changes that:
a create adds an id past the documented maximum, a delete takes one inside it away, a
create takes a unique value. DRF then answers 400, as it should, to a request the document
calls valid. So every case of the examples, coverage and fuzzing phases reads and writes
its own session (`X-Mock-Session`), which starts from the generated records, and every
stateful scenario (create, read, update, delete linked) one of its own, shared by its
steps. Nothing a check looks at is changed: only where the writes go.

A unique field (`MOCK_UNIQUE=sku,...`, the names an `x-resource` `unique` annotation gives)
is what no JSON Schema says: a stateful scenario may draw the same UUID for two records,
which DRF refuses ("product with this sku already exists."), as it should. So within a
scenario a UUID already sent for a unique field is replaced by a fresh one: the data
respects the constraint the document cannot write; the checks stay as they are.

Two verdicts of the `negative_data_rejection` check (ST201) rest on what a form is not to
DRF, and are withdrawn (`filter_failure`) only where DRF reads the request sent as a valid
one; the request is still sent and every other check still runs on its answer:
- a form body that is no object: schemathesis sends it as one multipart part without
  headers, or as urlencoded text. Django's MultiPartParser skips a part without a
  Content-Disposition (`MultiPartParser._parse`), and QueryDict reads text without `=` as
  a key without a value that no field has: DRF reads the empty form, as if nothing was
  sent. Withdrawn where the empty form is valid to the documented schema.
- a form body with a file part: schemathesis's own judge of a form as sent
  (`_form_body_is_valid_as_sent`: the text "0" is an integer's, as every form's part is
  text) gives up when a file part's value (`Binary`) reaches its validator ("Unsupported
  type: 'Binary'"), so "0" for an integer next to a file counted as negative. The judge
  is asked again with the file parts as the text any string schema holds.

And an ST202 ("schema-valid request rejected") whose request holds a query value its own
parameter's schema refuses is withdrawn: the request was no valid one. The stateful phase
fills a parameter from a linked response by name, unchecked (a user's UUID into an
integer `user__id`), and DRF's filter rightly answers 400 ("A valid integer is required.").

The session header goes on the prepared request (a `requests` auth callable), never into
the case: schemathesis revalidates a case whose headers a hook changed, and a negative
case ("Missing `Authorization`") whose other headers are valid is relabelled positive,
which turns off the header's exclusion: the credentials given with `-H` then went back on
a request meant to lack them, and DRF rightly answered 200 where the check wanted 401.

A case meant to lack a cookie (eda-server's logout, whose only authenticator is
SessionAuthentication: "Missing `sessionid` at cookie") leaves out the cookie parameter,
but schemathesis excludes only headers, so the session cookie given with `-H 'Cookie: ...'`
still went out, and DRF rightly logged the session out (204) where the check wanted a
refusal. The prepared request's `Cookie` header loses exactly the cookies the case says
are missing, so the request is the one the case describes.

DRF's `obtain_auth_token` (AuthTokenSerializer) answers 400 "Unable to log in with provided
credentials." to a username and password that no user has, as it should; a schema cannot
say which users exist, so a drawn login is no login the service must accept. A positive
case of that view (sends `username` and `password`, answers a `token`) is given the
password of a user (`MOCK_LOGIN_PASSWORD`, and `MOCK_LOGIN_USERNAME` where the spec has
user records), so that the check holds the view to what it owes a known user: 200 and its
token. Negative cases keep what they were drawn with.

An ST201 whose body is invalid only for an integer past the 64-bit range, under `format:
int64` with no `maximum` or `minimum`, is withdrawn too. drf-spectacular writes that format
for an IntegerField only with a bound past 32 bits, and writes the bound beside it
(`_map_serializer_field`: maximum/minimum, then int64); an int64 with neither is a project's
own declaration over an IntegerField with no max_value (authentik's facts.BigIntegerField,
`build_basic_type(OpenApiTypes.INT64)`), which DRF reads with `int()`, of any size: DRF
answers 2xx to 2**63, as the mock does (authentik POST /endpoints/agents/connectors/
check_in/ hardware.memory_bytes).

An ST201 whose body is refused only for text past its `maxLength` by the whitespace around
it, and valid once that text is stripped, is withdrawn: DRF's CharField strips (its
trim_whitespace) before MaxLengthValidator counts, and answers 2xx, as the mock does. A
choice is read as sent (ChoiceField does not strip), so a refusal of `enum` stands.

Schemathesis's judge of a form as sent reads each part's text as text, or as JSON (`"5"` an
integer's). DRF's IntegerField also reads `"5.0"` as 5 (`re_decimal` strips a point and
zeros: inventree's `location=2211347085635922.0` in a form is the location 2211347085635922),
so a float with no fraction, which schemathesis sends as such text, counted as negative
where DRF reads an integer. The judge is given that reading too (`_drf_form_readings`).

Schemathesis's workers are threads, and Hypothesis describes a filter's lambda by parsing its
source (`ast.parse`, hypothesis/internal/lambda_sources.py) in whichever worker builds the
strategy. CPython 3.11 keeps the AST constructor's recursion depth in the interpreter's
module state, which threads share (cpython gh-106905): two workers parsing at once leave it
unbalanced, and one of them fails with "SystemError: AST constructor recursion depth
mismatch", a Runtime Error of the run that no request caused (objects-api's coverage phase).
So `ast.parse` takes a lock in this process: one parse at a time, as with a single worker;
nothing generated, sent or checked changes.
"""

from __future__ import annotations

import ast
import contextlib
import itertools
import json
import os
import re
import sys
import threading
import uuid

import schemathesis
from schemathesis.core.jsonschema import make_validator
from schemathesis.core.mutations import OperatorKind
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.converter import to_json_schema
from schemathesis.transport.serialization import Binary

HEADER = "X-Mock-Session"
_numbers = itertools.count(1)
_scenarios: dict[str, str] = {}
_sent: dict[str, set[str]] = {}  # per scenario, the unique values already sent
UNIQUE = tuple(name for name in os.environ.get("MOCK_UNIQUE", "").split(",") if name)
LOGIN = {
    name: os.environ[f"MOCK_LOGIN_{name.upper()}"]
    for name in ("username", "password")
    if os.environ.get(f"MOCK_LOGIN_{name.upper()}")
}


def serialized(parse, lock=None):
    """`parse` (ast.parse) made to run in one thread at a time (module docstring, gh-106905).

    >>> serialized(ast.parse)("x = 1").body[0].targets[0].id
    'x'
    """
    lock = lock or threading.Lock()

    def parse_alone(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    parse_alone.serializes = parse
    return parse_alone


if getattr(ast.parse, "serializes", None) is None:
    ast.parse = serialized(ast.parse)


def unique_in_scenario(sent: set[str], body, names=UNIQUE, fresh=None):
    """`body` with each unique field's UUID that `sent` holds (sent, or read in an answer,
    before in the scenario) replaced by a fresh one; every value is then added to `sent`.

    >>> sent = set()
    >>> unique_in_scenario(sent, {"sku": "e3e70682-c209-1cac-a29f-6fbed82c07cd"}, ("sku",))
    {'sku': 'e3e70682-c209-1cac-a29f-6fbed82c07cd'}
    >>> unique_in_scenario(sent, {"sku": "e3e70682-c209-1cac-a29f-6fbed82c07cd"}, ("sku",),
    ...                    fresh=lambda: "00000000-0000-4000-8000-000000000001")
    {'sku': '00000000-0000-4000-8000-000000000001'}
    """
    if not isinstance(body, dict):
        return body
    for name in names:
        value = body.get(name)
        if not isinstance(value, str):
            continue
        try:
            uuid.UUID(value)
        except ValueError:
            continue
        if value in sent:
            value = (fresh or _fresh)()
            body = {**body, name: value}
        sent.add(value)
    return body


def seen_in(body, names=UNIQUE) -> set[str]:
    """Every value of a unique field anywhere in a response body.

    >>> sorted(seen_in({"results": [{"sku": "a"}, {"sku": "b", "x": {"sku": 1}}]}, ("sku",)))
    ['a', 'b']
    """
    found: set[str] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(v for k, v in node.items() if k in names and isinstance(v, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _fresh() -> str:
    return str(uuid.UUID(int=next(_numbers) << 64 | 0xC0FFEE, version=4))


def _scenario() -> str | None:
    """The stateful scenario that makes the call (its state machine's `_scenario_id`), if
    any: the machine is the `self` of a frame up the stack."""
    frame = sys._getframe(2)
    while frame is not None:
        found = getattr(frame.f_locals.get("self"), "_scenario_id", None)
        if found is not None:
            return str(found)
        frame = frame.f_back
    return None


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    scenario = _scenario()
    if scenario is None:
        name = f"case-{next(_numbers)}"
    else:
        if scenario not in _scenarios:
            _scenarios[scenario] = f"scenario-{next(_numbers)}"
        name = _scenarios[scenario]
        body = unique_in_scenario(_sent.setdefault(scenario, set()), case.body)
        if body is not case.body:  # a changed case is revalidated (above): only when it is
            case.body = body
    if LOGIN and isinstance(case.body, dict) and is_token_login(case) and not _negative(case):
        case.body = {**case.body, **LOGIN}
    kwargs["auth"] = Session(name, missing_cookies(case))


def _negative(case) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and meta.generation.mode.is_negative


def is_token_login(case) -> bool:
    """Whether the case's operation is DRF's `obtain_auth_token` as drf-spectacular
    documents it: a POST sending `username` and `password`, answering a `token`."""
    operation = getattr(case, "operation", None)
    if operation is None or str(getattr(case, "method", "")).upper() != "POST":
        return False
    document, raw = operation.schema.raw_schema, operation.definition.raw
    body = (raw.get("requestBody") or {}).get("content") or {}
    answer = ((raw.get("responses") or {}).get("200") or {}).get("content") or {}
    sent = _properties(document, body, hidden="readOnly")
    return sent == {"username", "password"} and "token" in _properties(document, answer)


def _properties(document: dict, content: dict, hidden: str = "") -> set[str]:
    """The property names of a content's first schema (a top-level `$ref` followed),
    without the `hidden` ones (`readOnly`: what a request does not send).

    >>> document = {"c": {"T": {"properties": {"token": {"readOnly": True}, "u": {}}}}}
    >>> sorted(_properties(document, {"a/json": {"schema": {"$ref": "#/c/T"}}}, "readOnly"))
    ['u']
    """
    for media in content.values():
        schema = (media or {}).get("schema") if isinstance(media, dict) else None
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#/"):
            schema = document
            for part in ref[2:].split("/"):
                schema = schema.get(part, {}) if isinstance(schema, dict) else {}
        props = schema.get("properties") if isinstance(schema, dict) else None
        return {
            name
            for name, prop in (props if isinstance(props, dict) else {}).items()
            if not (hidden and isinstance(prop, dict) and prop.get(hidden))
        }
    return set()


def missing_cookies(case) -> frozenset[str]:
    """The cookies a negative case says it lacks: the one a coverage case leaves out, or
    those a fuzzing mutation took out of the required ones (as schemathesis's own
    `get_exclude_headers` reads a case for headers)."""
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_negative:
        return frozenset()
    data = meta.phase.data
    if getattr(data, "parameter_location", None) != ParameterLocation.COOKIE:
        return frozenset()
    if getattr(data, "scenario", None) == CoverageScenario.MISSING_PARAMETER:
        return frozenset([data.parameter] if data.parameter else [])
    sent = case.cookies or {}
    missing: set[str] = set()
    for mutation in getattr(data, "mutations", ()) or ():
        if mutation.path:
            continue
        if mutation.operator == OperatorKind.REMOVE_REQUIRED_PROPERTY and mutation.parameter:
            missing.add(mutation.parameter)
        elif (
            mutation.operator == OperatorKind.NEGATE_CONSTRAINTS and "required" in mutation.keywords
        ):
            names = [mutation.parameter] if mutation.parameter else mutation.original_value
            missing.update(n for n in names or () if isinstance(n, str) and n not in sent)
    return frozenset(missing)


def without_cookies(header: str, names: frozenset[str]) -> str:
    """A `Cookie` header without the named cookies.

    >>> without_cookies("sessionid=k; csrftoken=t", frozenset({"sessionid"}))
    'csrftoken=t'
    """
    kept = [part.strip() for part in header.split(";") if part.strip()]
    return "; ".join(p for p in kept if p.split("=", 1)[0].strip() not in names)


class Session:
    """A `requests` auth callable that puts the session header on the prepared request,
    after schemathesis has chosen the case's headers and excluded the missing ones, and
    takes out of its `Cookie` header the cookies the case lacks.

    >>> import requests
    >>> Session("case-1")(requests.Request("GET", "http://x/").prepare()).headers[HEADER]
    'case-1'
    >>> sent = requests.Request("GET", "http://x/", headers={"Cookie": "sessionid=k"})
    >>> "Cookie" in Session("case-2", frozenset({"sessionid"}))(sent.prepare()).headers
    False
    """

    def __init__(self, name: str, missing: frozenset[str] = frozenset()):
        self.name = name
        self.missing = missing

    def __call__(self, request):
        request.headers[HEADER] = self.name
        if self.missing and "Cookie" in request.headers:
            kept = without_cookies(request.headers["Cookie"], self.missing)
            if kept:
                request.headers["Cookie"] = kept
            else:
                del request.headers["Cookie"]
        return request


@schemathesis.hook
def after_call(context, case, response) -> None:
    scenario = _scenario()
    if scenario is None or not UNIQUE:
        return
    try:
        body = response.json()
    except Exception:  # no JSON answer: nothing to remember
        return
    _sent.setdefault(scenario, set()).update(seen_in(body))


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
# IntegerField.to_internal_value: `int(re_decimal.sub("", str(data)))`, `\.0*\s*$` taken off.
_INTEGRAL_TEXT = re.compile(r"\s*([-+]?\d+)\.0*\s*")
_schemathesis_readings = openapi_checks._form_text_readings


def _drf_form_readings(text: str) -> list:
    """The ways schemathesis reads a form's part, and DRF's reading of `"5.0"` as 5 (above).

    >>> _drf_form_readings("5.0"), _drf_form_readings(" -7. "), _drf_form_readings("5.5")
    (['5.0', 5.0, 5], [' -7. ', -7], ['5.5', 5.5])
    """
    readings = _schemathesis_readings(text)
    integral = _INTEGRAL_TEXT.fullmatch(text)
    return [*readings, int(integral[1])] if integral else readings


openapi_checks._form_text_readings = _drf_form_readings


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Every failure, but an ST201 on a form that DRF reads as a valid one (above)."""
    if failure.code == "ST202":
        return not _refused_query_value(case)
    if failure.code == "ST201" and (
        _only_past_an_unbounded_int64(case) or _only_too_long_by_whitespace(case)
    ):
        return False
    media = (case.media_type or "").split(";")[0].strip().lower()
    if failure.code != "ST201" or media not in _FORMS:
        return True
    if not isinstance(case.body, dict):
        return not _empty_form_is_valid(case)
    if not any(_has_file(value) for value in case.body.values()):
        return True  # schemathesis judged the form as sent already
    sent = _AsSent(case, {name: _unfiled(value) for name, value in case.body.items()})
    return not openapi_checks._body_negation_becomes_valid_after_serialization(response, sent)


def _negative_in_body_alone(case) -> bool:
    meta = getattr(case, "meta", None)
    components = getattr(meta, "components", None) or {}
    others = [where for where in components if where != ParameterLocation.BODY]
    return not any(meta.is_negative_at(where) for where in others)


# What a CharField's length is held to once `str.strip()` has taken surrounding whitespace
# off (trim_whitespace=True): a `maxLength`, alone or in a JSON CharField's `anyOf` of text
# and numbers. A choice (`enum`) is read as sent, and stays refused.
_LENGTH_KINDS = ("MaxLength", "AnyOf")


def _only_too_long_by_whitespace(case) -> bool:
    """Whether a negative body is refused only for text that is too long with the
    whitespace around it, and valid once each such text is stripped: DRF's CharField
    strips before its MaxLengthValidator runs (inventree's observability `traceid`, a
    leading "\x1f" past its 128 characters, was rightly answered 201)."""
    body = case.operation.get_body_for_media_type(case.media_type or "")
    if body is None or not isinstance(case.body, dict) or not _negative_in_body_alone(case):
        return False
    try:
        validator = make_validator(
            body.optimized_schema, case.operation.schema.adapter.jsonschema_validator_cls
        )
        errors = list(validator.iter_errors(case.body))
        names = {tuple(error.instance_path)[:1] for error in errors}
        if not errors or any(type(e.kind).__name__ not in _LENGTH_KINDS for e in errors):
            return False
        stripped = dict(case.body)
        for (name,) in (n for n in names if n):
            value = case.body.get(name)
            if not isinstance(value, str) or value.strip() == value:
                return False
            stripped[name] = value.strip()
        return bool(names) and () not in names and validator.is_valid(stripped)
    except Exception:  # a schema the validator cannot read: the verdict stands
        return False


_INT64 = range(-(2**63), 2**63)


def _unbounded_int64(schema) -> bool:
    return (
        schema.get("format") == "int64"
        and schema.get("type") == "integer"
        and not {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"} & set(schema)
    )


def without_int64_range(schema):
    """`schema` with `format: int64` taken off each integer that has no bound (above).

    >>> without_int64_range({"properties": {"m": {"type": "integer", "format": "int64"},
    ...     "n": {"type": "integer", "format": "int64", "maximum": 5}}})["properties"]
    {'m': {'type': 'integer'}, 'n': {'type': 'integer', 'format': 'int64', 'maximum': 5}}
    """
    if isinstance(schema, list):
        return [without_int64_range(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if _unbounded_int64(schema):
        schema = {k: v for k, v in schema.items() if k != "format"}
    return {k: without_int64_range(v) for k, v in schema.items()}


def _past_int64(value) -> bool:
    """Whether an integer past the 64-bit range is anywhere in `value`."""
    if isinstance(value, dict):
        return any(_past_int64(item) for item in value.values())
    if isinstance(value, list):
        return any(_past_int64(item) for item in value)
    return isinstance(value, int) and not isinstance(value, bool) and value not in _INT64


def _only_past_an_unbounded_int64(case) -> bool:
    """Whether a negative case is negative in its body alone, holds an integer past the
    64-bit range, and is valid once unbounded int64s take any integer (above)."""
    if not _negative_in_body_alone(case) or not _past_int64(case.body):
        return False
    body = case.operation.get_body_for_media_type(case.media_type)
    if body is None:
        return False
    adapter = case.operation.schema.adapter
    try:
        # As schemathesis reads the body's schema (nullable, bundled references), but from
        # before its converter gives each int64 the format's range as maximum and minimum.
        schema = to_json_schema(
            without_int64_range(body.raw_schema),
            nullable_keyword=adapter.nullable_keyword,
            update_quantifiers=False,
            name_to_uri=body.name_to_uri,
            merge_ref_siblings=adapter.ref_siblings,
        )
        return make_validator(schema, adapter.jsonschema_validator_cls).is_valid(case.body)
    except Exception:  # a schema the validator cannot read: the verdict stands
        return False


def _refused_query_value(case) -> bool:
    """Whether a query value is one its parameter's schema refuses, read as sent (text, or
    the JSON it spells: "5" is an integer on the wire)."""
    query = case.query if isinstance(case.query, dict) else {}
    try:
        container = case.operation.get_parameter_set(ParameterLocation.QUERY)
        properties = container.schema.get("properties") or {}
        validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    except Exception:  # no parameters to read: the verdict stands
        return False
    for name, value in query.items():
        if name not in properties:
            continue
        try:
            validator = make_validator(properties[name], validator_cls)
        except Exception:
            continue
        readings = [value]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # no JSON: its text only
                readings.append(json.loads(value))
        if not any(validator.is_valid(reading) for reading in readings):
            return True
    return False


def _empty_form_is_valid(case) -> bool:
    body = case.operation.get_body_for_media_type(case.media_type)
    if body is None:
        return False
    validator_cls = case.operation.schema.adapter.jsonschema_validator_cls
    try:
        return make_validator(body.optimized_schema, validator_cls).is_valid({})
    except Exception:  # a schema the validator cannot read: the verdict stands
        return False


def _has_file(value) -> bool:
    return isinstance(value, Binary) or (
        isinstance(value, list) and any(isinstance(item, Binary) for item in value)
    )


def _unfiled(value):
    """A file part's value as the text a `format: binary` string schema holds.

    >>> _unfiled([Binary(b"PNG"), "x"]), _unfiled(0)
    (['', 'x'], 0)
    """
    if isinstance(value, Binary):
        return ""
    if isinstance(value, list):
        return [_unfiled(item) for item in value]
    return value


class _AsSent:
    """A case seen with another body: what schemathesis's judge reads of it."""

    def __init__(self, case, body):
        self._case, self.body = case, body

    def __getattr__(self, name):
        return getattr(self._case, name)
