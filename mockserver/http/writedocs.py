"""What the served spec adds to the writes the mock performs: DRF's real answers and checks.

drf-spectacular documents a write's success only (201, 200, 204). DRF also answers 400 with
its validation errors (`{"name": ["This field is required."]}`, `{"non_field_errors": [...]}`,
or `{"detail": "JSON parse error - ..."}`), 401 or 403 without credentials, 404 for a
detail's missing record, 406 for `Accept` and 415 for a body type no parser reads. And its
serializers refuse what the request schema allows: a required CharField refuses "" and
whitespace alone (allow_blank=False after trim_whitespace), every CharField a NUL, a
relation an id that names no record (mockserver/http/fieldschemas.py writes those checks
in). The served copy of the document says all of it, so that a client (Schemathesis, a
generated SDK) holds the mock to what the service does; the contract file itself is
untouched.

Every write the spec documents is answered so: performed on a modelled resource (a list
for `POST`, a detail or singleton for `PUT`, `PATCH`, `DELETE`), a login view
(mockserver/http/logins.py, whose simplejwt views also answer 401), or answered from its
schema once its serializer has read the body (an action, a view of its own).
"""

from __future__ import annotations

import copy
import functools
import json
import re

import jsonschema_rs

from mockserver.contract.references import followed
from mockserver.contract.schema import effective
from mockserver.engine import writes
from mockserver.engine.serializer import composed
from mockserver.http import logins
from mockserver.http.fieldschemas import (
    NO_NUL,
    NOT_BLANK,
    is_json_field,
    null_listed,
    relisted,
    tighten,
    unboolean,
    unwidened,
)

WRITES = ("POST", "PUT", "PATCH", "DELETE")
_JWT_CHALLENGE = logins.CHALLENGE["WWW-Authenticate"]

_DETAIL = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
# DRF's ValidationError body for a serializer: each field's messages (a nested serializer's
# and a ListField's are objects of their own, a nested `many=True` serializer's a list of
# them, `{}` for each valid item and a list of messages for a null one:
# ListSerializer.to_internal_value), the object's own under
# `non_field_errors`; a body no parser reads is a ParseError's `detail`.
INVALID_BODY = {
    "description": "DRF's validation errors: a list of messages per field (an object for a "
    "nested serializer), `non_field_errors` for the body as a whole; or a parse error.",
    "anyOf": [
        {
            "type": "object",
            "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": {
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}},
                    {"type": "object"},
                    {
                        "type": "array",
                        "items": {
                            "anyOf": [
                                {"type": "object"},
                                {"type": "array", "items": {"type": "string"}},
                            ]
                        },
                    },
                ]
            },
        },
        _DETAIL,
    ],
}


def document_writes(spec, document: dict, counts: dict[str, int], added_for) -> None:
    """Give each write the mock performs DRF's error answers and request checks (in place).

    `added_for(op, responses)`: the answers reads and writes share (401 or 403, 406), as
    mockserver/http/docs.py writes them; this adds 400, 404 and 415 and the body's checks.
    """
    for op in spec.operations:
        if op.method not in WRITES:
            continue
        raw_op = document["paths"][op.path][op.method.lower()]
        _drop_ignored_headers(document, raw_op)
        responses = raw_op.setdefault("responses", {})
        for code, answer in list(responses.items()):
            answer = followed(document, answer)
            if str(code) == "204" and isinstance(answer, dict) and "content" in answer:
                # RFC 9110 (15.3.5): a 204 has no content; the mock sends none, as an
                # ASGI or WSGI server sends none for DRF's `Response(data, status=204)`.
                responses[code] = {k: v for k, v in answer.items() if k != "content"}
        added = {"400": ("The request body is not valid.", INVALID_BODY)}
        if op.method == "DELETE":
            # destroy() never reads the body: no 400 and no 415 are possible, but for
            # the query and header parameters strict mode checks (mockserver/http/app.py).
            added = {"400": ("The query is not valid.", INVALID_BODY)}
        elif op.body:
            added["415"] = ("Unsupported media type.", _DETAIL)
        if "{" in op.path:
            added["404"] = ("Not found.", _DETAIL)
        login = logins.recognise(op)
        if login is not None and login.kind != logins.Kind.AUTH_TOKEN and "401" not in responses:
            # simplejwt's views refuse credentials and tokens with 401 and their own
            # challenge (TokenViewBase.get_authenticate_header), whatever the view's
            # authentication; obtain_auth_token's is a 400 (non_field_errors).
            responses["401"] = {
                "description": "No active account with these credentials, or the token is "
                "not valid.",
                "content": {"application/json": {"schema": _DETAIL}},
                "headers": {"WWW-Authenticate": {"schema": {"type": "string",
                                                            "enum": [_JWT_CHALLENGE]}}},
            }  # fmt: skip
        if not any(re.fullmatch(r"[23]\d\d", str(code)) for code in responses):
            # A contract that documents no success (allauth's logout documents its 401
            # only) is answered with the view's 200 all the same: say so, with no body
            # to hold it to, as drf-spectacular writes a view it knows nothing of.
            responses[str(op.view.status)] = {"description": "No response body documented."}
        added_for(op, responses, added)
        if op.body:
            _body_checks(spec, document, op, raw_op, counts)


# OpenAPI 3 (Parameter Object): a header parameter named so "SHALL be ignored", as the
# mock ignores it (mockserver/contract/spec.py); a client that reads one all the same
# (objects-api's required `Content-Type: application/json` on its writes) sends a body
# with another type or none as invalid, which DRF reads as any body (no body is no parser
# at all, `request.data == {}`), with no 4xx of its own.
_IGNORED_HEADERS = ("accept", "content-type", "authorization")


def _drop_ignored_headers(document: dict, raw_op: dict) -> None:
    """`raw_op` without the header parameters OpenAPI says to ignore (a new list: the
    contract's own is untouched).

    >>> op = {"parameters": [{"in": "header", "name": "Content-Type"},
    ...                      {"in": "header", "name": "Content-Crs"}]}
    >>> _drop_ignored_headers({}, op); op
    {'parameters': [{'in': 'header', 'name': 'Content-Crs'}]}
    """
    params = raw_op.get("parameters")
    if not isinstance(params, list):
        return
    kept = [
        param
        for param in params
        if not (
            isinstance(one := followed(document, param), dict)
            and one.get("in") == "header"
            and str(one.get("name", "")).lower() in _IGNORED_HEADERS
        )
    ]
    if len(kept) != len(params):
        raw_op["parameters"] = kept


def _resource(spec, op):
    path = op.resource or next(
        (o.resource for o in spec.operations if o.method == "GET" and o.path == op.path), None
    )
    return spec.resources.get(path) if path else None


def _body_checks(spec, document: dict, op, raw_op: dict, counts: dict[str, int]) -> None:
    """Each media type's request schema, tightened to what the serializer accepts.

    The schema is written inline in the operation (a copy): the component it names may be
    the response's too (without COMPONENT_SPLIT_REQUEST), and the answers stay as they are.
    """
    content = (followed(document, raw_op.get("requestBody")) or {}).get("content")
    if not isinstance(content, dict):
        return
    resource = _resource(spec, op)
    relations = resource.relations if resource is not None else {}
    required = _required_of(spec, op)
    partial = writes.partial_update(op)
    changed_body = None
    unfit: list[str] = []  # media types that cannot carry a file the serializer requires
    for media, item in content.items():
        if not isinstance(item, dict) or not isinstance(item.get("schema"), dict):
            continue
        schema = followed(document, item["schema"])
        kind = media.split(";")[0].strip().lower()
        listed = _listed(document, schema)
        if listed is not None:
            # A serializer with many=True as the body (ListSerializer): a form spells its
            # items only as `[0]field` keys (html.parse_html_list), and reads any other
            # form as the empty list; JSON's items are the child's fields.
            if kind in _FORMS:
                unfit.append(media)
                continue
            items = tighten(listed, set(), {}, counts, lambda node: followed(document, node))
            if items is not listed:
                if changed_body is None:
                    changed_body = copy.deepcopy(followed(document, raw_op["requestBody"]))
                changed_body["content"][media]["schema"] = {**schema, "items": items}
            continue
        if isinstance(schema, dict) and _is_composed(schema):
            # A hand-written spec's composed body (django-allauth's `allOf`, a view's
            # `oneOf`): as the serializer reads it (mockserver/engine/serializer.py
            # `composed`), one object, or the alternatives the view tries in turn.
            whole, branches = composed(_composition(document, schema))
            options = [_checked(document, one, kind, required, relations, counts, partial)
                       for one in branches or [whole]]  # fmt: skip
            options = [one for one in options if one is not None]
            if not options:
                unfit.append(media)
                continue
            tightened = options[0] if len(options) == 1 else {"anyOf": options}
        elif isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
            tightened = _checked(document, schema, kind, required, relations, counts, partial)
            if tightened is None:
                unfit.append(media)
                continue
        else:
            continue
        if tightened is not schema:
            if changed_body is None:
                changed_body = copy.deepcopy(followed(document, raw_op["requestBody"]))
            changed_body["content"][media]["schema"] = tightened
    if unfit and len(unfit) < len(content):
        if changed_body is None:
            changed_body = copy.deepcopy(followed(document, raw_op["requestBody"]))
        for media in unfit:
            del changed_body["content"][media]
    body = changed_body or followed(document, raw_op["requestBody"])
    if (
        isinstance(body, dict)
        and body.get("required") is True
        and _nothing_required(document, content)
    ):
        # DRF has no "required body": an absent one is `request.data == {}`, which a
        # serializer with no required field takes (drf-spectacular writes `required` only
        # then; a hand-written spec may say it all the same).
        changed_body = changed_body or copy.deepcopy(body)
        changed_body["required"] = False
    elif (
        isinstance(body, dict)
        and body.get("required") is not True
        and not writes.partial_update(op)
        and _something_required(document, body.get("content"))
    ):
        # ... and an absent body is refused where the serializer requires a field ("This
        # field is required.") or is a list (ListSerializer: "Expected a list of items but
        # got type "dict"."): the body is required, though the spec does not say so (a
        # view's own `request=` schema, which drf-spectacular never marks required).
        changed_body = changed_body or copy.deepcopy(body)
        changed_body["required"] = True
    if changed_body is not None:
        raw_op["requestBody"] = changed_body


_PARTIAL_DEPTH = 4  # nested serializers written out without `required`, so deep


def _partial(schema: dict, resolve=lambda node: node, depth: int = 0) -> dict:
    """A partial update's request schema with no nested serializer requiring a field:
    Field.validate_empty_values skips a missing field whenever the *root* serializer is
    partial, at any depth (socialdistribution's PATCH of a comment with an `author`
    lacking its required `username` is a 200). `schema` itself when nothing is required.

    >>> author = {"type": "object", "properties": {"u": {"type": "string"}},
    ...           "required": ["u"]}
    >>> _partial({"properties": {"author": author}})["properties"]["author"]
    {'type': 'object', 'properties': {'u': {'type': 'string'}}}
    """
    if depth >= _PARTIAL_DEPTH or not isinstance(schema.get("properties"), dict):
        return schema
    properties = dict(schema["properties"])
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict):
            continue
        new = _partial_field(prop, resolve, depth)
        if new is not prop:
            properties[name] = new
    if properties == schema["properties"]:
        return schema
    return {**schema, "properties": properties}


def _partial_field(prop: dict, resolve, depth: int) -> dict:
    """One property of `_partial`: a nested serializer (a `$ref`, `allOf: [$ref]` or inline
    object, or a list of them) written inline without `required`; else `prop` itself."""
    target = resolve(prop) if "$ref" in prop else prop
    if not isinstance(target, dict):
        return prop
    members = target.get("allOf")
    if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict):
        inner = _partial_field(members[0], resolve, depth)
        if inner is members[0]:
            return prop
        return {**{k: v for k, v in target.items() if k != "allOf"}, "allOf": [inner]}
    if target.get("type") == "array" and isinstance(target.get("items"), dict):
        items = _partial_field(target["items"], resolve, depth)
        return prop if items is target["items"] else {**target, "items": items}
    if not isinstance(target.get("properties"), dict) or "x-recursive" in target:
        return prop
    inner = _partial(target, resolve, depth + 1)
    if "required" not in inner and inner is target:
        return prop
    out = {k: v for k, v in inner.items() if k != "required"}
    extra = {k: v for k, v in prop.items() if k != "$ref"} if "$ref" in prop else {}
    return {**out, **extra}


def _nothing_required(document: dict, content: dict) -> bool:
    """Whether every media type's body is an object whose serializer requires no field.

    >>> _nothing_required({}, {"application/json": {"schema": {"properties": {"a": {}}}}})
    True
    >>> _nothing_required({}, {"application/json": {"schema": {"type": "array"}}})
    False
    >>> signup = {"allOf": [{"properties": {"email": {}}}]}  # django-allauth's ProviderSignup
    >>> _nothing_required({}, {"application/json": {"schema": signup}})
    True
    >>> _nothing_required({}, {"application/json": {"schema": {"allOf": [{"properties": {
    ...     "email": {}}}, {"properties": {"password": {}}, "required": ["password"]}]}}})
    False
    """
    for item in content.values():
        schema = followed(document, item.get("schema")) if isinstance(item, dict) else None
        if isinstance(schema, dict) and _is_composed(schema):
            # As the serializer reads it: its members' fields as one, or alternatives.
            whole, branches = composed(_composition(document, schema))
            schema = whole if not branches else None
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            return False
        if schema.get("required") or effective(schema).get("type", "object") != "object":
            return False
    return True


def _composition(document: dict, node, depth: int = 0):
    """`node` with the references of its `allOf` / `oneOf` / `anyOf` members followed in
    the served document, its properties' references left to `tighten` (which follows them
    there too). The served components are the ones to read: there a discriminator's members
    are each held to their own value (docs.py `_discriminated`); the spec's, fully resolved,
    let objects-api's search take `within: {type: GeometryCollection, coordinates: [1, 2]}`
    as a Point (JSON Schema's `oneOf`), which the service refuses, as the mock does.

    >>> doc = {"c": {"A": {"properties": {"a": {"$ref": "#/c/B"}}}, "B": {"type": "string"}}}
    >>> _composition(doc, {"allOf": [{"$ref": "#/c/A"}]})
    {'allOf': [{'properties': {'a': {'$ref': '#/c/B'}}}]}
    """
    node = followed(document, node)
    if not isinstance(node, dict) or depth > _COMPOSITION_DEPTH:
        return node
    out = dict(node)
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(node.get(key), list):
            out[key] = [_composition(document, member, depth + 1) for member in node[key]]
    return out


_COMPOSITION_DEPTH = 8  # as deep as the serializer reads a composition (`_parts`)


def _is_composed(schema: dict) -> bool:
    """Whether a body schema is made of others, with no properties of its own."""
    return not isinstance(schema.get("properties"), dict) and any(
        isinstance(schema.get(key), list) for key in ("allOf", "oneOf", "anyOf")
    )


def _checked(document, schema, kind, required, relations, counts, partial) -> dict | None:
    """One media type's object schema as its serializer reads it: DRF's checks written
    in (a partial update's nested serializers require nothing: `_partial`), files where
    they can travel, a form's fields as a form spells them; None when the media type
    cannot carry a field the serializer requires."""
    resolve = functools.partial(followed, document)
    tightened = tighten(_scalars_inline(document, schema), required, relations, counts, resolve)
    if partial:
        tightened = _partial(tightened, resolve)
    tightened = files_as_carried(tightened, multipart=kind == _FORMS[1])
    if tightened is None:
        return None
    if kind in _FORMS:
        tightened = _formable(tightened, resolve)
        if tightened is None:
            return None  # a required field a form cannot spell
        tightened = as_form(
            tightened, multipart=kind == _FORMS[1], serializer=required, resolve=resolve
        )
    return tightened


def _something_required(document: dict, content) -> bool:
    """Whether every media type's body is a list of objects, or an object whose
    serializer requires a field: DRF refuses the `{}` an absent body is read as.

    >>> _something_required({}, {"application/json": {"schema": {"required": ["a"]}}})
    True
    >>> _something_required({}, {"application/json": {"schema": {"properties": {}}}})
    False
    """
    if not isinstance(content, dict) or not content:
        return False
    for item in content.values():
        schema = followed(document, item.get("schema")) if isinstance(item, dict) else None
        if not isinstance(schema, dict):
            return False
        if _listed(document, schema) is None and not _requires(schema):
            return False
    return True


def _requires(schema: dict) -> bool:
    """Whether an object schema (or each of its alternatives) requires a field."""
    members = schema.get("anyOf")
    if isinstance(members, list) and members and "properties" not in schema:
        return all(isinstance(m, dict) and _requires(m) for m in members)
    return bool(schema.get("required")) and effective(schema).get("type", "object") == "object"


def _listed(document: dict, schema) -> dict | None:
    """The item schema of a body that is a list of objects (`many=True`), else None."""
    whole = effective(schema) if isinstance(schema, dict) else {}
    items = followed(document, whole.get("items")) if whole.get("type") == "array" else None
    if isinstance(items, dict) and isinstance(effective(items).get("properties"), dict):
        return items
    return None


def _formable(schema: dict, resolve=lambda node: node) -> dict | None:
    """A form's request schema without the fields a form cannot spell as a client sends
    them; None when one of them is required (every such form body is a 400).

    DRF reads a nested serializer from `name.field` keys (parse_html_dict), a many=True
    one from `name[0]field` keys (parse_html_list), and a ListField's items as the key's
    text values: a nested object, a list of objects and a list of lists sent as one part
    (a client's JSON text) are no value at all, or text items. A DictField (an object
    with no properties) reads `name.key` keys too, where OpenAPI's form encoding spells
    an object's keys bare (`key=value`, or nothing for `{}`): "This field is required.".
    And a JSONField's part is JSON text (JSONField.get_value's JSONString, then
    `json.loads`): "" and a word are "Value must be valid JSON.", "5" and "[1]" are
    values, which no schema of a form's text says exactly.

    >>> nested = {"type": "object", "properties": {"a": {"type": "integer"}}}
    >>> _formable({"properties": {"n": nested, "m": {"type": "integer"}}})
    {'properties': {'m': {'type': 'integer'}}}
    >>> _formable({"properties": {"q": {"type": "array", "items": {"type": "array"}}},
    ...            "required": ["q"]}) is None
    True
    >>> _formable({"properties": {"d": {"type": "object", "additionalProperties": True},
    ...                           "j": {"writeOnly": True}, "m": {"type": "integer"}}})
    {'properties': {'m': {'type': 'integer'}}}
    """

    def seen(node) -> dict:
        """The node as a field's schema: its `$ref` (or `allOf: [$ref]`) followed."""
        node = resolve(node) if isinstance(node, dict) else {}
        members = node.get("allOf") if isinstance(node, dict) else None
        if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict):
            node = {**node, **(resolve(members[0]) or {})}
        return effective(node) if isinstance(node, dict) else {}

    properties = dict(schema["properties"])
    for name, prop in schema["properties"].items():
        whole = seen(prop)
        items = seen(whole.get("items")) if whole.get("type") == "array" else {}
        spelled = not (
            isinstance(whole.get("properties"), dict)
            or whole.get("type") == "object"
            or is_json_field(whole)
            or items.get("type") == "array"
            or isinstance(items.get("properties"), dict)
        )
        if spelled or (isinstance(prop, dict) and prop.get("readOnly")):
            continue
        if name in (schema.get("required") or ()):
            return None
        del properties[name]
    if properties == schema["properties"]:
        return schema
    return {**schema, "properties": properties}


def _scalars_inline(document: dict, schema: dict, depth: int = 0) -> dict:
    """`schema` with each property that names a scalar component (`code: {$ref: Code}`,
    Code a string; with siblings, `{$ref: Password, writeOnly: true}`) holding a copy of
    it, so that the field gets the checks an inline one gets, in inline nested objects
    too; a nested serializer's stays a `$ref`. `schema` itself when none does.

    >>> doc = {"c": {"Code": {"type": "string"}}}
    >>> _scalars_inline(doc, {"properties": {"code": {"$ref": "#/c/Code"}}})
    {'properties': {'code': {'type': 'string'}}}
    >>> _scalars_inline(doc, {"properties": {"t": {"properties": {"c": {"$ref": "#/c/Code",
    ...                                                               "title": "C"}}}}})
    {'properties': {'t': {'properties': {'c': {'type': 'string', 'title': 'C'}}}}}
    """
    properties = dict(schema["properties"])
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict):
            continue
        if isinstance(prop.get("properties"), dict) and "$ref" not in prop:
            if depth < _NESTING:
                inner = _scalars_inline(document, prop, depth + 1)
                if inner is not prop:
                    properties[name] = inner
            continue
        if not isinstance(prop.get("$ref"), str):
            continue
        target = followed(document, {"$ref": prop["$ref"]})
        if (
            isinstance(target, dict)
            and target.get("type") in ("string", "integer", "number", "boolean")
            and "enum" not in target  # a choice (a `StatusEnum`) has no more checks
            and "$ref" not in json.dumps(target)
        ):
            siblings = {k: v for k, v in prop.items() if k != "$ref"}
            properties[name] = {**copy.deepcopy(target), **siblings}
    if properties == schema["properties"]:
        return schema
    return {**schema, "properties": properties}


_NESTING = 4  # how deep inline nested objects are looked into, as fieldschemas.tighten


_FILE = {"type": "string", "format": "binary"}


def _is_file(prop) -> bool:
    """drf-spectacular's FileField (and ImageField): `format: binary`."""
    return isinstance(prop, dict) and effective(prop).get("format") == "binary"


def files_as_carried(schema: dict, *, multipart: bool) -> dict | None:
    """A request schema whose FileFields say what carries a file: a multipart part with a
    filename, nothing else. FileField.to_internal_value reads the upload's name and size,
    so JSON's and an urlencoded form's text is refused ("The submitted data was not a
    file. ..."): there such a field is left out, and a media type that cannot carry one the
    serializer requires is None (every such body is a 400). In multipart, a file part is
    exactly `format: binary` at the top of the property (so that a client sends it with a
    filename), never null ("null" is text), a list of them at least one when required
    (a form's missing list is "This field is required."). `schema` itself when it has no
    file.

    >>> body = {"properties": {"doc": {"type": "string", "format": "binary",
    ...                                "nullable": True}, "n": {"type": "integer"}}}
    >>> files_as_carried(body, multipart=True)["properties"]["doc"]
    {'type': 'string', 'format': 'binary'}
    >>> files_as_carried(body, multipart=False)["properties"]
    {'n': {'type': 'integer'}}
    >>> files_as_carried({**body, "required": ["doc"]}, multipart=False) is None
    True
    """
    properties = dict(schema["properties"])
    required = set(schema.get("required") or ())
    for name, prop in schema["properties"].items():
        whole = effective(prop) if isinstance(prop, dict) else {}
        listed = whole.get("type") == "array" and _is_file(whole.get("items"))
        if not (_is_file(prop) or listed):
            continue
        if not multipart:
            if name in required:
                return None
            del properties[name]
        elif listed:
            least = {"minItems": 1} if name in required else {}
            properties[name] = {"type": "array", "items": _FILE, **least}
        else:
            properties[name] = _FILE
    if properties == schema["properties"]:
        return schema
    return {**schema, "properties": properties}


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_BLANK = {"type": "string", "maxLength": 0}


def as_form(
    schema: dict,
    *,
    multipart: bool,
    serializer: set[str] = frozenset(),
    resolve=lambda node: node,
) -> dict:
    """A request schema as a form carries it to DRF's fields (`Field.get_value` on a
    QueryDict); `schema` itself when nothing differs.

    - A boolean may be left out: BooleanField's `default_empty_html` is False, as an
      unchecked box sends nothing (its `default` when it has one); an optional one may
      also be sent empty.
    - A form has no null: a multipart part is text, so `null` is the text "null", which
      only a CharField (as text) and a BooleanField (as None) read; an urlencoded body
      leaves a null out. A field is nullable in a form only where that stays true; an
      empty value is how a form sends null to the others ("" with allow_null is None),
      and an optional field's "" is no value at all: "" is accepted by both. A field the
      serializer requires (`serializer`: a PATCH's, which its `Patched...` schema does not
      list) is not optional: its "" is a value, refused as any other its field cannot read.
      A choice that names its component (`status: {$ref: StatusEnum}`, `resolve` follows
      it) is no different.

    >>> form = as_form({"properties": {"on": {"type": "boolean"},
    ...                                "n": {"type": "integer", "nullable": True},
    ...                                "s": {"type": "string", "nullable": True}},
    ...                 "required": ["on", "n"]}, multipart=True)
    >>> form["required"], form["properties"]["s"]["nullable"]
    (['n'], True)
    >>> form["properties"]["n"]
    {'anyOf': [{'type': 'integer'}, {'type': 'string', 'maxLength': 0}]}
    """
    properties = dict(schema["properties"])
    required = list(schema.get("required") or ())
    listed = set()  # OpenAPI 3.1's `type: [X, "null"]`, read as 3.0's `nullable` here
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict) or prop.get("readOnly"):
            continue
        if null_listed(prop) is not None:
            prop = null_listed(prop)
            listed.add(name)
        optional = name not in required and name not in serializer
        if _is_choice(prop, resolve):
            # A form has no null ("null" is no choice): "" is how it sends one.
            choice = {k: v for k, v in prop.items() if k != "nullable"}
            if optional or prop.get("nullable") is True:
                properties[name] = {"anyOf": [choice, _BLANK]}
            elif choice != prop:
                properties[name] = choice
            continue
        if "$ref" in prop:
            continue
        if _is_file(prop) or (prop.get("type") == "array" and _is_file(prop.get("items"))):
            continue  # a file part (files_as_carried), never text
        whole = effective(prop)
        kind = whole.get("type")
        if kind == "boolean" or unboolean(prop) is not None:
            required = [one for one in required if one != name]
            if name not in (schema.get("required") or ()) and name not in serializer:
                # Field.get_value: an optional field's "" is no value at all (a required
                # BooleanField's "" is "Must be a valid boolean.").
                properties[name] = {"anyOf": [prop, _BLANK]}
            continue
        narrow = unwidened(prop)
        if narrow is not None:
            # A form's part is text: "false" is no number (float("false") fails), a
            # decimal is its text, and a list is the key repeated, never an object.
            prop = narrow
            properties[name] = prop
            whole = effective(prop)
            kind = whole.get("type")
        text = (
            kind == "string"
            and not {"format", "enum"} & set(whole)
            and whole.get("pattern") in (None, NO_NUL, NOT_BLANK)
        )
        new = prop
        if kind == "array" and "anyOf" not in prop:
            items = whole.get("items") if isinstance(whole.get("items"), dict) else {}
            if effective(items).get("type") == "array" and name not in required:
                # ListField.get_value reads a form's values for the key as the items, each
                # one text: a list of lists has no spelling in a form but the empty one.
                new = {**prop, "maxItems": 0}
            elif name in required and (prop.get("minItems") or 0) < 1:
                # ... and no value for the key is no list at all: "This field is
                # required." (a partial update skips it: `required` is its body's own).
                new = {**prop, "minItems": 1}
            scalar_items = effective(items).get("type") in ("integer", "number", "string")
            if scalar_items and new.get("maxItems") != 0:
                # ... and one value for the key is a list of one item, as the key sent once.
                new = {"anyOf": [new, items]}
        # A nullable text field takes a multipart "null" as its text, where it fits.
        null_fits = text and (whole.get("maxLength") or 4) >= 4 >= (whole.get("minLength") or 0)
        null_fits = null_fits and _takes_null_text(prop)
        if prop.get("nullable") is True and not (multipart and null_fits):
            new = {k: v for k, v in new.items() if k != "nullable"}
        scalar = kind in ("integer", "number", "string") or "enum" in whole
        # A text field that may not be blank (drf-spectacular's minLength) takes a form's
        # "" all the same where it is optional or nullable: no value, or None.
        blank_refused = text and (whole.get("minLength") or 0) > 0
        if scalar and (not text or blank_refused) and (prop.get("nullable") is True or optional):
            # Field.get_value: "" is None for a nullable field, and no value at all for an
            # optional one; either way it is accepted.
            new = {"anyOf": [new, _BLANK]}
        if new is not prop:
            properties[name] = new
    for name in listed:
        if properties[name] is not schema["properties"][name]:
            properties[name] = relisted(properties[name])
    if properties == schema["properties"] and required == list(schema.get("required") or ()):
        return schema
    out = {**schema, "properties": properties, "required": required}
    if not required:
        del out["required"]
    return out


def _takes_null_text(prop: dict) -> bool:
    """Whether a text field's schema (nullable aside) holds the text "null", which
    Schemathesis sends in a multipart part for None; inventree's nullable URL (`oneOf: [uri
    pattern, blank]`, whose folded form has no pattern) does not: URLField refuses it.
    A schema that names another is taken to hold it.

    >>> _takes_null_text({"oneOf": [{"type": "string", "pattern": "^h"}, {"maxLength": 0}]})
    False
    >>> _takes_null_text({"type": "string", "nullable": True})
    True
    """
    if "$ref" in json.dumps(prop):
        return True
    plain = {k: v for k, v in prop.items() if k != "nullable"}
    return jsonschema_rs.validator_for(plain).is_valid("null")


def _is_choice(prop: dict, resolve) -> bool:
    """Whether a property names a choice component: `{$ref: StatusEnum}`, or `allOf` of
    that one (drf-spectacular's way to give it a description, a default or `nullable`).

    >>> _is_choice({"allOf": [{"$ref": "#/E"}]}, lambda node: {"type": "string", "enum": ["a"]})
    True
    """
    members = prop.get("allOf")
    if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict):
        prop = members[0]
    if not isinstance(prop.get("$ref"), str):
        return False
    target = resolve(prop)
    return (
        isinstance(target, dict)
        and isinstance(target.get("enum"), list)
        and target.get("type") in ("string", "integer", "number", None)
    )


def _required_of(spec, op) -> set[str]:
    """The serializer's required fields: the body's own; a PATCH's (a `Patched...` schema
    lists none) those of its full serializer (mockserver/engine/writes.py `full_write`),
    which a partial update refuses blank all the same when it is sent."""
    if not writes.partial_update(op):
        return set()  # a full write's, or a PATCH's own: its body says them
    full = writes.full_write(op, spec)
    if full is None:
        return set()
    body = full.body.get("application/json") or next(iter(full.body.values()))
    return set(body.get("required") or ())
