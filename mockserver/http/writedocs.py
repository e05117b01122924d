"""What the served spec adds to the writes the mock performs: DRF's real answers and checks.

drf-spectacular documents a write's success only (201, 200, 204). DRF also answers 400 with
its validation errors (`{"name": ["This field is required."]}`, `{"non_field_errors": [...]}`,
or `{"detail": "JSON parse error - ..."}`), 401 or 403 without credentials, 404 for a
detail's missing record, 406 for `Accept` and 415 for a body type no parser reads. And its
serializers refuse what the request schema allows: a required CharField refuses "" and
whitespace alone (allow_blank=False after trim_whitespace), every CharField a NUL, a
relation an id that names no record. The served copy of the document says all of it, so
that a client (Schemathesis, a generated SDK) holds the mock to what the service does; the
contract file itself is untouched.

Every write the spec documents is answered so: performed on a modelled resource (a list
for `POST`, a detail or singleton for `PUT`, `PATCH`, `DELETE`), a login view
(mockserver/http/logins.py, whose simplejwt views also answer 401), or answered from its
schema once its serializer has read the body (an action, a view of its own).
"""

from __future__ import annotations

import copy
import json
import re

from mockserver.contract.schema import effective
from mockserver.http import logins

WRITES = ("POST", "PUT", "PATCH", "DELETE")
_JWT_CHALLENGE = logins.CHALLENGE["WWW-Authenticate"]

# Python's str.isspace() characters, which CharField's strip() removes (JSON Schema's `\s`
# is ECMA-262's, which differs: it has U+FEFF and lacks U+001C-U+001F and U+0085).
_SPACE = (
    "\\t\\n\\u000b\\f\\r \\u001c-\\u001f\\u0085\\u00a0\\u1680"
    "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# Django's CharField refuses a NUL character (ProhibitNullCharactersValidator).
NO_NUL = "^[^\\x00]*$"
# ... and a required one something besides whitespace.
NOT_BLANK = f"^[^\\x00]*[^\\x00{_SPACE}][^\\x00]*$"

# URLField's URLValidator (mockserver/engine/addresses.py `is_url`) as one pattern, for a
# request's `format: uri`, which says both less (any scheme, a one-letter top-level label)
# and more: the record's URL is served under the same `format: uri`, RFC 3986's syntax,
# and the mock stores no record its response schema refuses (mockserver/engine/writes.py).
# So the pattern is the URLs both hold: Django's schemes (http, https, ftp, ftps) and host
# names in any case, RFC 3986's characters (ASCII, `%` and two hex digits), a host of at
# most 253 characters (RFC 1034). An internationalized host or path, which URLField takes
# and `format: uri` does not, is left out; so is a bracketed IPv6 host, which a pattern
# cannot check as `ipaddress` does.
_URL_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_URL_IPV4 = (
    "(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
    "(?:\\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}"
)
_URL_USER = "(?:[-a-zA-Z0-9._~!$&'()*+,;=]|%[0-9a-fA-F]{2})"  # RFC 3986 userinfo, no `:`
_URL_CHAR = "(?:[-a-zA-Z0-9._~!$&'()*+,;=:@/]|%[0-9a-fA-F]{2})"  # pchar and `/`
_URL_HOST_AT_MOST_253 = "(?=[^:/?#]{1,253}(?:[:/?#]|$))"
URL = (
    "^(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp][Ss]?)://"
    f"(?:{_URL_USER}+(?::{_URL_USER}*)?@)?"
    f"{_URL_HOST_AT_MOST_253}"
    f"(?:{_URL_IPV4}|{_URL_LABEL}(?:\\.{_URL_LABEL})*"
    "\\.(?:[a-zA-Z][a-zA-Z-]{0,61}[a-zA-Z]|[Xx][Nn]--[a-zA-Z0-9]{1,59})"
    "\\.?|[Ll][Oo][Cc][Aa][Ll][Hh][Oo][Ss][Tt])"
    f"(?::[0-9]{{1,5}})?(?:/{_URL_CHAR}*)?(?:\\?(?:{_URL_CHAR}|\\?)*)?"
    f"(?:#(?:{_URL_CHAR}|\\?)*)?(?!\\n)$"
)
_MAX_URL = 2048  # Django's URLValidator.max_length
# A URL no longer than this has no host past 253 characters: its pattern leaves out the
# lookahead that says so, which makes generating values from it a hundred times slower.
_SHORT_URL = len("http://") + 253

_DETAIL = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string"}},
}
# DRF's ValidationError body for a serializer: each field's messages (a nested serializer's
# and a ListField's are objects of their own), the object's own under `non_field_errors`;
# a body no parser reads is a ParseError's `detail`.
INVALID_BODY = {
    "description": "DRF's validation errors: a list of messages per field (an object for a "
    "nested serializer), `non_field_errors` for the body as a whole; or a parse error.",
    "anyOf": [
        {
            "type": "object",
            "properties": {"non_field_errors": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": {
                "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
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
        responses = raw_op.setdefault("responses", {})
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
    content = (_shallow(document, raw_op.get("requestBody")) or {}).get("content")
    if not isinstance(content, dict):
        return
    resource = _resource(spec, op)
    relations = resource.relations if resource is not None else {}
    required = _required_of(spec, op)
    changed_body = None
    unfit: list[str] = []  # media types that cannot carry a file the serializer requires
    for media, item in content.items():
        if not isinstance(item, dict) or not isinstance(item.get("schema"), dict):
            continue
        schema = _shallow(document, item["schema"])
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            continue
        tightened = tighten(_scalars_inline(document, schema), required, relations, counts)
        kind = media.split(";")[0].strip().lower()
        tightened = files_as_carried(tightened, multipart=kind == _FORMS[1])
        if tightened is None:
            unfit.append(media)
            continue
        if kind in _FORMS:
            tightened = _formable(tightened, lambda node: _shallow(document, node))
            if tightened is None:
                unfit.append(media)  # a required field a form cannot spell
                continue
        if kind in _FORMS:
            tightened = as_form(tightened, multipart=kind == _FORMS[1], serializer=required)
        if tightened is not schema:
            if changed_body is None:
                changed_body = copy.deepcopy(_shallow(document, raw_op["requestBody"]))
            changed_body["content"][media]["schema"] = tightened
    if unfit and len(unfit) < len(content):
        if changed_body is None:
            changed_body = copy.deepcopy(_shallow(document, raw_op["requestBody"]))
        for media in unfit:
            del changed_body["content"][media]
    if changed_body is not None:
        raw_op["requestBody"] = changed_body


def _formable(schema: dict, resolve=lambda node: node) -> dict | None:
    """A form's request schema without the fields a form cannot spell as a client sends
    them; None when one of them is required (every such form body is a 400).

    DRF reads a nested serializer from `name.field` keys (parse_html_dict), a many=True
    one from `name[0]field` keys (parse_html_list), and a ListField's items as the key's
    text values: a nested object, a list of objects and a list of lists sent as one part
    (a client's JSON text) are no value at all, or text items.

    >>> nested = {"type": "object", "properties": {"a": {"type": "integer"}}}
    >>> _formable({"properties": {"n": nested, "m": {"type": "integer"}}})
    {'properties': {'m': {'type': 'integer'}}}
    >>> _formable({"properties": {"q": {"type": "array", "items": {"type": "array"}}},
    ...            "required": ["q"]}) is None
    True
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


def _scalars_inline(document: dict, schema: dict) -> dict:
    """`schema` with each property that names a scalar component (`code: {$ref: Code}`,
    Code a string) holding a copy of it, so that the field gets the checks an inline one
    gets; a nested serializer's stays a `$ref`. `schema` itself when none does.

    >>> doc = {"c": {"Code": {"type": "string"}}}
    >>> _scalars_inline(doc, {"properties": {"code": {"$ref": "#/c/Code"}}})
    {'properties': {'code': {'type': 'string'}}}
    """
    properties = dict(schema["properties"])
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict) or set(prop) != {"$ref"}:
            continue
        target = _shallow(document, prop)
        if (
            isinstance(target, dict)
            and target.get("type") in ("string", "integer", "number", "boolean")
            and "enum" not in target  # a choice (a `StatusEnum`) has no more checks
            and "$ref" not in json.dumps(target)
        ):
            properties[name] = copy.deepcopy(target)
    if properties == schema["properties"]:
        return schema
    return {**schema, "properties": properties}


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


def as_form(schema: dict, *, multipart: bool, serializer: set[str] = frozenset()) -> dict:
    """A request schema as a form carries it to DRF's fields (`Field.get_value` on a
    QueryDict); `schema` itself when nothing differs.

    - A boolean may be left out: BooleanField's `default_empty_html` is False, as an
      unchecked box sends nothing (its `default` when it has one).
    - A form has no null: a multipart part is text, so `null` is the text "null", which
      only a CharField (as text) and a BooleanField (as None) read; an urlencoded body
      leaves a null out. A field is nullable in a form only where that stays true; an
      empty value is how a form sends null to the others ("" with allow_null is None),
      and an optional field's "" is no value at all: "" is accepted by both. A field the
      serializer requires (`serializer`: a PATCH's, which its `Patched...` schema does not
      list) is not optional: its "" is a value, refused as any other its field cannot read.

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
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict) or "$ref" in prop or prop.get("readOnly"):
            continue
        if _is_file(prop) or (prop.get("type") == "array" and _is_file(prop.get("items"))):
            continue  # a file part (files_as_carried), never text
        whole = effective(prop)
        kind = whole.get("type")
        if kind == "boolean" or _unboolean(prop) is not None:
            required = [one for one in required if one != name]
            continue
        narrow = (
            _unfloat(prop) or _unmapped(prop) or _undecimal(prop) or _unuuid(prop) or _unchar(prop)
        )
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
        if prop.get("nullable") is True and not (multipart and null_fits):
            new = {k: v for k, v in new.items() if k != "nullable"}
        scalar = kind in ("integer", "number", "string") or "enum" in whole
        optional = name not in required and name not in serializer
        # A text field that may not be blank (drf-spectacular's minLength) takes a form's
        # "" all the same where it is optional or nullable: no value, or None.
        blank_refused = text and (whole.get("minLength") or 0) > 0
        if scalar and (not text or blank_refused) and (prop.get("nullable") is True or optional):
            # Field.get_value: "" is None for a nullable field, and no value at all for an
            # optional one; either way it is accepted.
            new = {"anyOf": [new, _BLANK]}
        if new is not prop:
            properties[name] = new
    if properties == schema["properties"] and required == list(schema.get("required") or ()):
        return schema
    out = {**schema, "properties": properties, "required": required}
    if not required:
        del out["required"]
    return out


def _required_of(spec, op) -> set[str]:
    """The serializer's required fields: the body's own; a PATCH's (a `Patched...` schema
    lists none) those of the PUT or POST of the same serializer, which a partial update
    refuses blank all the same when it is sent."""
    if op.method != "PATCH":
        return set()
    for method in ("PUT", "POST"):
        for other in spec.operations:
            if other.method != method or not other.body:
                continue
            if other.path == op.path or (
                method == "POST"
                and _resource(spec, other) is not None
                and _resource(spec, other) is _resource(spec, op)
            ):
                body = other.body.get("application/json") or next(iter(other.body.values()))
                return set(body.get("required") or ())
    return set()


def tighten(schema: dict, required: set[str], relations: dict[str, str], counts) -> dict:
    """A request schema with DRF's own checks written in; `schema` itself when none applies.

    >>> tight = tighten({"properties": {"name": {"type": "string"},
    ...                                 "bio": {"type": "string"}}, "required": ["name"]},
    ...                 set(), {}, {})
    >>> name, bio = (tight["properties"][k]["anyOf"][0] for k in ("name", "bio"))
    >>> name["minLength"], bio["pattern"]
    (1, '^[^\\\\x00]*$')
    """
    required = required | set(schema.get("required") or ())
    properties = dict(schema["properties"])
    for name, prop in schema["properties"].items():
        if isinstance(prop, dict) and prop.get("readOnly"):
            # The serializer ignores a read-only field sent, as any unknown key: neither is
            # refused, so the request's schema has no such property (a client tool reads a
            # read-only one as one a request may not send).
            del properties[name]
            continue
        if not isinstance(prop, dict) or "$ref" in prop:
            continue
        target = relations.get(name)
        if _has_url(prop):
            new = _url(prop)
        elif target is not None:
            new = _related(prop, counts.get(target, 0), name in required)
        elif prop.get("format") == "decimal":
            new = _decimal_number(_decimal(prop))
        elif prop.get("type") == "boolean" and "enum" not in prop:
            new = _boolean(prop)
        elif prop.get("type") == "number" and "enum" not in prop:
            new = _float(prop)
        else:
            new = _text(prop, name in required)
            if new.get("format") == "uuid" and new.get("type") == "string":
                new = _uuid(new)
            elif new is not prop and new.get("pattern") in (NO_NUL, NOT_BLANK):
                new = _char_number(new)
            elif new.get("pattern") == _SLUG and new.get("type") == "string":
                # SlugField: an integer's text is a slug ("-5" too); a float's may not be.
                new = _char_number(new, integers=True)
        if new is not prop:
            properties[name] = new
    if properties == schema["properties"]:
        return schema
    out = {**schema, "properties": properties}
    if "required" in schema:
        out["required"] = [name for name in schema["required"] if name in properties]
        if not out["required"]:
            del out["required"]
    return out


def _text(prop: dict, required: bool) -> dict:
    """A string property as CharField checks it: no NUL; when required, not blank (""
    and whitespace alone are "This field may not be blank.")."""
    whole = effective(prop)
    if whole.get("type") != "string" or "oneOf" in prop or "anyOf" in prop or "enum" in whole:
        return prop  # a URL that may be blank (`oneOf: [uri, maxLength: 0]`), a choice
    new = dict(prop)
    if required and not new.get("minLength"):
        new["minLength"] = 1
    if not {"format", "pattern"} & set(new):
        new["pattern"] = NOT_BLANK if required else NO_NUL
    return new if new != prop else prop


# The longest text of a float's repr ("-2.2250738585072014e-308").
_FLOAT_TEXT = 24
# Integer bounds are written up to 300 digits (Python writes no int past 4300 digits).
_LONGEST_BOUND = 300


_SLUG = "^[-a-zA-Z0-9_]+$"  # drf-spectacular's SlugField pattern


def _char_number(prop: dict, integers: bool = False) -> dict:
    """A CharField as it reads JSON: a number too, as its text (`str(data)`; a bool is
    refused), which its `max_length` then counts.

    With no `max_length`, any number is written. With one, the integers that fit (exact
    bounds, however long: mockserver/http/docs.py `dumps` writes them), and any other
    number when there is room for every float's text.

    >>> _char_number({"type": "string", "pattern": "^[^\\x00]*$"})["anyOf"][1]
    {'type': 'number'}
    >>> _char_number({"type": "string", "maxLength": 3, "pattern": "^[^\\x00]*$"})["anyOf"][1]
    {'type': 'integer', 'minimum': -99, 'maximum': 999}
    """
    if (prop.get("minLength") or 0) > 1:
        return prop  # "5" may be too short: left out
    longest = prop.get("maxLength")
    if longest is None or longest > _LONGEST_BOUND:
        # (An integer past 300 digits, which a long max_length refuses, is not said.)
        number = {"type": "integer" if integers else "number"}
    elif longest >= 1:
        number = {"type": "integer", "minimum": -(10 ** (longest - 1) - 1),
                  "maximum": 10**longest - 1}  # fmt: skip
        if longest >= _FLOAT_TEXT and not integers:
            number = {"anyOf": [number, {"type": "number", "not": {"type": "integer"}}]}
    else:
        return prop
    return {"anyOf": [prop, number]}


def _unchar(prop: dict) -> dict | None:
    """The text schema `_char_number` widened, if `prop` is one.

    >>> text = {"type": "string", "maxLength": 255, "pattern": NO_NUL}
    >>> _unchar(_char_number(text)) == text
    True
    """
    members = prop.get("anyOf")
    if (
        isinstance(members, list)
        and len(members) == 2
        and isinstance(members[0], dict)
        and members[0].get("pattern") in (NO_NUL, NOT_BLANK, _SLUG)
        and isinstance(members[1], dict)
        # an integer or any number; with room for a float's text, the integers that fit
        # or a number that is no integer (`anyOf`)
        and (members[1].get("type") in ("number", "integer") or "anyOf" in members[1])
    ):
        return members[0]
    return None


def _has_url(prop) -> bool:
    if not isinstance(prop, dict):
        return False
    return prop.get("format") == "uri" or any(
        isinstance(m, dict) and m.get("format") == "uri"
        for m in (prop.get("oneOf") or prop.get("anyOf") or ())
    )


def _url(prop: dict) -> dict:
    """A URLField as URLValidator reads it: `format: uri` written as its pattern (in each
    member of a `oneOf`, as drf-spectacular writes a URL that may be blank).

    >>> _url({"type": "string", "format": "uri", "maxLength": 1000}) == {
    ...     "type": "string", "maxLength": 1000, "pattern": URL}
    True
    >>> _url({"type": "string", "format": "uri", "maxLength": 200})["pattern"] == URL
    False
    >>> _url({"oneOf": [{"type": "string", "format": "uri"}, {"maxLength": 0}]})["oneOf"][1]
    {'maxLength': 0}
    """
    if prop.get("format") != "uri":
        key = "oneOf" if "oneOf" in prop else "anyOf"
        members = prop.get(key) or ()
        return {**prop, key: [_url(m) if _has_url(m) else m for m in members]}
    new = {k: v for k, v in prop.items() if k != "format"}
    new["maxLength"] = min(new.get("maxLength", _MAX_URL), _MAX_URL)
    short = new["maxLength"] <= _SHORT_URL
    new["pattern"] = URL.replace(_URL_HOST_AT_MOST_253, "") if short else URL
    return new


# drf-spectacular's DecimalField patterns: `max_digits - decimal_places` digits before the
# point, `decimal_places` after it (`^-?\d{0,6}(?:\.\d{0,2})?$`); none before it when the
# two are equal (`^-?0?(?:\.\d{0,2})?$`); none after it for no places (`^-?\d{0,6}$`).
_DECIMAL = re.compile(r"\^-\?(?:\\d\{0,(\d+)\}|(0)\?)(?:\(\?:\\\.\\d\{0,(\d+)\}\)\?)?\$")


def _decimal(prop: dict) -> dict:
    r"""A DecimalField's pattern with a digit in it: the pattern drf-spectacular writes
    matches "", "-" and ".", which `Decimal()` refuses ("A valid number is required.").

    >>> _decimal({"type": "string", "format": "decimal",
    ...           "pattern": "^-?\\d{0,6}(?:\\.\\d{0,2})?$"})["pattern"]
    '^-?(?:\\d{1,6}(?:\\.\\d{0,2})?|\\.\\d{1,2})$'
    >>> [_decimal({"pattern": p})["pattern"] for p in ("^-?\\d{0,6}$", "^-?0?(?:\\.\\d{0,2})?$")]
    ['^-?\\d{1,6}$', '^-?(?:0(?:\\.\\d{0,2})?|\\.\\d{1,2})$']
    """
    found = _DECIMAL.fullmatch(str(prop.get("pattern") or ""))
    if found is None:
        return prop
    whole, zero, places = found.groups()
    if zero:
        before = "0"
    elif whole == "0":
        before = None
    else:
        before = f"\\d{{1,{whole}}}"
    options = []
    if before is not None:
        options.append(before + (f"(?:\\.\\d{{0,{places}}})?" if places else ""))
    if places and places != "0":
        options.append(f"\\.\\d{{1,{places}}}")
    if not options:
        return prop
    body = options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"
    return {**prop, "pattern": f"^-?{body}$"}


def _decimal_number(prop: dict) -> dict:
    """A DecimalField as it reads JSON: a number too (`smart_str(data)`), with its digits:
    below 10 ** (max_digits - decimal_places), a multiple of 10 ** -decimal_places.

    >>> _decimal_number({"type": "string", "pattern": "^-?(?:\\d{1,6}(?:\\.\\d{0,2})?"
    ...                  "|\\.\\d{1,2})$"})["anyOf"][1]
    {'type': 'number', 'minimum': -999999.99, 'maximum': 999999.99, 'multipleOf': 0.01}
    """
    found = _DECIMAL_TIGHT.fullmatch(str(prop.get("pattern") or ""))
    if found is None:
        return prop
    whole = int(found["whole"] or 0) if found["zero"] is None else 0
    places = int(found["places"] or 0)
    if places == 0:
        return prop  # 5.0 reads "5.0", one place too many: only an integer, left out
    largest = float(f"{'9' * whole or '0'}.{'9' * places}")
    number = {"type": "number", "minimum": -largest, "maximum": largest,
              "multipleOf": float(f"1e-{places}")}  # fmt: skip
    for bound in ("minimum", "maximum"):
        if isinstance(prop.get(bound), int | float):
            number[bound] = prop[bound]
    return {"anyOf": [prop, number]}


# `_decimal`'s patterns: `^-?(?:\d{1,W}(?:\.\d{0,P})?|\.\d{1,P})$`, `^-?(?:0(?:...`.
_DECIMAL_TIGHT = re.compile(
    r"\^-\?(?:\(\?:)?(?:\\d\{1,(?P<whole>\d+)\}|(?P<zero>0))"
    r"(?:\(\?:\\\.\\d\{0,(?P<places>\d+)\}\)\?)?.*"
)


# UUIDField.to_internal_value: an int is `uuid.UUID(int=data)`, and a bool is an int.
_UUID_INTEGERS = ({"type": "integer", "minimum": 0, "maximum": 2**128 - 1}, {"enum": [False, True]})


def _uuid(prop: dict) -> dict:
    """A UUIDField as it reads JSON: its text, or an integer below 2 ** 128 (false and true
    are 0 and 1) as the UUID of that number.

    >>> _uuid({"type": "string", "format": "uuid"})["anyOf"][2]
    {'enum': [False, True]}
    """
    return {"anyOf": [prop, *_UUID_INTEGERS]}


def _unuuid(prop: dict) -> dict | None:
    """The UUID schema `_uuid` widened, if `prop` is one."""
    members = prop.get("anyOf")
    if isinstance(members, list) and len(members) == 3 and tuple(members[1:]) == _UUID_INTEGERS:
        return members[0]
    return None


def _undecimal(prop: dict) -> dict | None:
    """The decimal schema `_decimal_number` widened, if `prop` is one."""
    members = prop.get("anyOf")
    if (
        isinstance(members, list)
        and len(members) == 2
        and isinstance(members[0], dict)
        and members[0].get("format") == "decimal"
        and isinstance(members[1], dict)
        and members[1].get("type") == "number"
    ):
        return members[0]
    return None


# BooleanField's TRUE_VALUES and FALSE_VALUES as text, in any case (DRF lowers a string
# before it looks it up), and 1 and 0 (1.0 and 0.0 are the same numbers).
_BOOLEAN_TEXT = (
    "^(?:[Tt]|[Yy]|[Yy][Ee][Ss]|[Tt][Rr][Uu][Ee]|[Oo][Nn]|1"
    "|[Ff]|[Nn]|[Nn][Oo]|[Ff][Aa][Ll][Ss][Ee]|[Oo][Ff][Ff]|0)$"
)
_BOOLEAN_NULL = {"enum": ["null", ""]}  # BooleanField.NULL_VALUES with allow_null


def _boolean(prop: dict) -> dict:
    """A BooleanField as it reads JSON too: its true and false words, 1 and 0."""
    members = [prop, {"enum": [0, 1]}, {"type": "string", "pattern": _BOOLEAN_TEXT}]
    if prop.get("nullable") is True:
        members.append(_BOOLEAN_NULL)
    return {"anyOf": members}


def _float(prop: dict) -> dict:
    """A FloatField as it reads JSON: `float(data)` takes false and true too, as 0.0 and
    1.0, within its bounds (DRF's FloatField.to_internal_value).

    >>> _float({"type": "number", "minimum": 0, "maximum": 5})["anyOf"][1]
    {'enum': [False, True]}
    >>> _float({"type": "number", "minimum": 2})
    {'type': 'number', 'minimum': 2}
    """
    low, high = prop.get("minimum"), prop.get("maximum")
    members = [
        value
        for value in (False, True)
        if (low is None or (value > low if prop.get("exclusiveMinimum") is True else value >= low))
        and (
            high is None
            or (value < high if prop.get("exclusiveMaximum") is True else value <= high)
        )
    ]
    return {"anyOf": [prop, {"enum": members}]} if members else prop


def _unfloat(prop: dict) -> dict | None:
    """The number schema `_float` widened, if `prop` is one."""
    members = prop.get("anyOf")
    if (
        isinstance(members, list)
        and len(members) == 2
        and isinstance(members[1], dict)
        and list(members[1]) == ["enum"]
        and members[1]["enum"]
        and all(isinstance(v, bool) for v in members[1]["enum"])
    ):
        return members[0]
    return None


def _unmapped(prop: dict) -> dict | None:
    """The many relation `_related` widened with `{}`, if `prop` is one."""
    members = prop.get("anyOf")
    if isinstance(members, list) and len(members) == 2 and members[1] == _NO_KEYS:
        return members[0]
    return None


def _unboolean(prop: dict) -> dict | None:
    """The boolean schema `_boolean` widened, if `prop` is one."""
    members = prop.get("anyOf")
    if isinstance(members, list) and len(members) >= 3 and members[1] == {"enum": [0, 1]}:
        return members[0]
    return None


_NO_KEYS = {"type": "object", "maxProperties": 0}


def _related(prop: dict, count: int, required: bool = False) -> dict:
    """A relation's key (PrimaryKeyRelatedField, ManyRelatedField) as an id of a record the
    collection has: "Invalid pk "99" - object does not exist." otherwise. An optional
    ManyRelatedField also takes `{}`: it iterates what it is given, an object's keys too
    (a required one refuses it: "This list may not be empty.").

    >>> _related({"type": "array", "items": {"type": "integer"}}, 3)["anyOf"][1]
    {'type': 'object', 'maxProperties': 0}
    """
    ids = {"type": "integer", "minimum": 1, "maximum": max(count, 1)}
    whole = effective(prop)
    if (
        whole.get("type") == "array"
        and effective(whole.get("items") or {}).get("type") == "integer"
    ):
        many = {**prop, "items": {**(prop.get("items") or {}), **ids}}
        return many if required else {"anyOf": [many, _NO_KEYS]}
    if whole.get("type") == "integer" and "oneOf" not in prop and "anyOf" not in prop:
        return {**prop, **ids}
    return prop


def _shallow(document: dict, node):
    """A `$ref`'s local target, else `node`."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        if node["$ref"] in seen:
            return None
        seen.add(node["$ref"])
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        node = target
    return node
