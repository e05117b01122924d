"""A write's request schema as DRF's serializer fields read a JSON body, for the served spec.

drf-spectacular writes each field's type; the field itself refuses more and takes more.
A CharField refuses a NUL, and "" or whitespace alone when required; a URLField is Django's
URLValidator, a DecimalField wants a digit, a relation an id that names a record. And from
JSON a CharField also reads a number as its text, a BooleanField its words and 1 and 0, a
FloatField false and true, a DecimalField a number, a UUIDField an integer. `tighten`
writes all of it into a schema (mockserver/http/writedocs.py serves it); `unwidened` and
`unboolean` undo the widening for a form, whose parts are only ever text.
"""

from __future__ import annotations

import decimal
import math
import re

from mockserver.contract.schema import effective

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
# cannot check as `ipaddress` does. The host's bound is a negative lookahead (no 254
# characters before the port, path, query or fragment): Hypothesis, which Schemathesis draws
# a pattern's values with, generates a positive lookahead's own text in front of the host
# (hypothesis/strategies/_internal/regex.py, `sre.ASSERT`) and throws away nearly all it
# drew, so two required URLs in one form failed Schemathesis's health check; a negative one
# it generates as nothing.
_URL_LABEL = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
_URL_IPV4 = (
    "(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
    "(?:\\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}"
)
_URL_USER = "(?:[-a-zA-Z0-9._~!$&'()*+,;=]|%[0-9a-fA-F]{2})"  # RFC 3986 userinfo, no `:`
_URL_CHAR = "(?:[-a-zA-Z0-9._~!$&'()*+,;=:@/]|%[0-9a-fA-F]{2})"  # pchar and `/`
_URL_HOST_AT_MOST_253 = "(?![^:/?#]{254})"
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


# How deep nested serializers are tightened (a recursive one stops there, as it is).
_NESTING = 4


def tighten(
    schema: dict, required: set[str], relations: dict[str, str], counts, resolve=None, depth=0
) -> dict:
    """A request schema with DRF's own checks written in; `schema` itself when none applies.

    A nested serializer (a property that is an object with properties, or an array of
    them; `resolve` gives a `$ref`'s target) is tightened as the body is, with no relation
    known; a ListField's text items as a required CharField child (`allow_blank=False`).

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
        if not isinstance(prop, dict):
            continue
        nested = _nested(prop, counts, resolve, depth)
        if nested is not None:
            properties[name] = nested
            continue
        if "$ref" in prop:
            continue
        listed = null_listed(prop)
        if listed is not None:
            # OpenAPI 3.1's null (`type: [string, "null"]`): the field as 3.0 writes it.
            inner = tighten({"properties": {name: listed}}, required, relations, counts,
                            resolve, depth)["properties"][name]  # fmt: skip
            if inner is not listed:
                properties[name] = relisted(inner)
            continue
        target = relations.get(name)
        if _has_url(prop):
            new = _url(prop)
        elif target is not None:
            new = _related(prop, counts.get(target, 0), name in required)
        elif prop.get("format") == "decimal":
            new = _decimal_number(_decimal(prop))
            if prop.get("nullable"):
                new = _blank_is_null(new)
        elif prop.get("type") == "boolean" and "enum" not in prop:
            new = _boolean(prop)
        elif prop.get("type") == "number" and "enum" not in prop:
            new = _float(prop)
        elif not _STRUCTURE & set(prop):
            # A JSONField (drf-spectacular writes `{}`, `nullable: true` for allow_null):
            # any value but null ("This field may not be null.").
            new = {**prop, "not": {"enum": [None]}}
        else:
            new = _text(prop, name in required)
            if new.get("format") == "uuid" and new.get("type") == "string":
                new = _uuid(new)
            elif new is not prop and new.get("pattern") in (NO_NUL, NOT_BLANK):
                new = _char_number(new)
            elif isinstance(new.get("pattern"), str) and new.get("type") == "string":
                # A RegexField, a SlugField, a model field's RegexValidator.
                blank = name not in required and not new.get("minLength")
                new = _patterned(new, blank)
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


def _nested(prop: dict, counts, resolve, depth: int) -> dict | None:
    """A nested serializer's schema (or a list of them, or a ListField of text) tightened;
    None when `prop` is none of these or nothing changes.

    >>> tags = _nested({"type": "array", "items": {"type": "string"}}, {}, None, 0)
    >>> tags["items"]["anyOf"][0]["pattern"] == NOT_BLANK
    True
    """
    if depth >= _NESTING or prop.get("readOnly"):
        return None
    wrapped = _wrapped(prop)
    if wrapped is not None:
        # drf-spectacular writes a nested serializer that has a description (or is
        # nullable) as `allOf: [$ref]` beside them (objects-api's `record`): the same field.
        outer = {k: v for k, v in prop.items() if k != "allOf"}
        inner = _nested(wrapped, counts, resolve, depth)
        return None if inner is None else {**inner, **outer}
    target = resolve(prop) if resolve is not None and "$ref" in prop else prop
    if not isinstance(target, dict):
        return None
    if isinstance(target.get("properties"), dict) and target.get("type", "object") == "object":
        if "x-recursive" in target:
            return None
        new = tighten(target, set(), {}, counts, resolve, depth + 1)
        if new is target:
            return None
        return {**new, **{k: v for k, v in prop.items() if k != "$ref"}} if "$ref" in prop else new
    extra = target.get("additionalProperties")
    if target.get("type") == "object" and isinstance(extra, dict) and "$ref" not in extra:
        # DictField(child=CharField()): each value is a required CharField's.
        if effective(extra).get("type") != "string" or "enum" in extra or "format" in extra:
            return None
        child = _text(extra, True)
        if child is extra:
            return None
        return {**target, "additionalProperties": _char_number(child)}
    if target.get("type") != "array" or not isinstance(target.get("items"), dict):
        return None
    items = target["items"]
    whole = resolve(items) if resolve is not None and "$ref" in items else items
    if not isinstance(whole, dict):
        return None
    if isinstance(whole.get("properties"), dict):
        child = _nested(items, counts, resolve, depth)
    elif whole is items and effective(items).get("type") == "string" and "$ref" not in items:
        # The child field as a top-level one: a CharField reads a number as its text, a
        # UUIDField an integer, a DateField (any other format) no number at all.
        child = _text(items, True)
        if child.get("format") == "uuid" and child.get("type") == "string":
            child = _uuid(child)
        elif child is not items and child.get("pattern") in (NO_NUL, NOT_BLANK):
            child = _char_number(child)
        elif child is items:
            child = None
    else:
        child = None
    if child is None:
        return None
    new = {**target, "items": child}
    return {**new, **{k: v for k, v in prop.items() if k != "$ref"}} if "$ref" in prop else new


def _wrapped(prop: dict) -> dict | None:
    """The one reference of an `allOf: [$ref]` with nothing else to it but annotations.

    >>> _wrapped({"allOf": [{"$ref": "#/c/R"}], "description": "d", "nullable": True})
    {'$ref': '#/c/R'}
    >>> _wrapped({"allOf": [{"$ref": "#/c/R"}], "properties": {}}) is None
    True
    """
    members = prop.get("allOf")
    if not isinstance(members, list) or len(members) != 1 or not isinstance(members[0], dict):
        return None
    if "$ref" not in members[0] or (_STRUCTURE - {"allOf", "nullable"}) & set(prop):
        return None
    return members[0]


# The keys that make a schema more than "any JSON value".
_STRUCTURE = frozenset(
    ("type", "oneOf", "anyOf", "allOf", "not", "enum", "$ref", "nullable", "properties", "items")
)


def _text(prop: dict, required: bool) -> dict:
    """A string property as CharField checks it: no NUL; when required, not blank (""
    and whitespace alone are "This field may not be blank.")."""
    whole = effective(prop)
    if whole.get("type") != "string" or "oneOf" in prop or "anyOf" in prop or "enum" in whole:
        return prop  # a URL that may be blank (`oneOf: [uri, maxLength: 0]`), a choice
    new = dict(prop)
    if (required or new.get("format") in _NEVER_BLANK) and not new.get("minLength"):
        new["minLength"] = 1
    if not {"format", "pattern"} & set(new):
        new["pattern"] = NOT_BLANK if required else NO_NUL
    return new if new != prop else prop


# The formats whose field is no CharField: "" is no date, time or UUID, required or not
# (DateField, DateTimeField, TimeField, UUIDField: "... has wrong format.", "Must be a
# valid UUID.").
_NEVER_BLANK = frozenset(("date", "date-time", "time", "uuid"))


def null_listed(prop: dict) -> dict | None:
    """A 3.1 `type: [X, "null"]` as 3.0's `type: X, nullable: true`, if `prop` is one.

    >>> null_listed({"type": ["string", "null"], "format": "date-time"})
    {'type': 'string', 'format': 'date-time', 'nullable': True}
    """
    kinds = prop.get("type")
    if not isinstance(kinds, list) or "null" not in kinds or len(kinds) != 2:
        return None
    return {**prop, "type": next(k for k in kinds if k != "null"), "nullable": True}


def relisted(node):
    """`null_listed` undone, all the way in: a `nullable` kept is 3.1's `null` again.

    >>> relisted({"anyOf": [{"type": "string", "nullable": True}, {"maxLength": 0}]})
    {'anyOf': [{'type': ['string', 'null']}, {'maxLength': 0}]}
    """
    if isinstance(node, list):
        return [relisted(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: relisted(value) if key in ("anyOf", "oneOf") else value
           for key, value in node.items() if key != "nullable"}  # fmt: skip
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


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


# A number's text as CharField writes it (`str(data)`): integers, and floats as Python's
# repr writes them, which a pattern may match all of, or none.
_INTEGER_TEXTS = ("0", "7", "42", "-1", "-98765", "12345678901234567890", "-1234567890123456")
_FLOAT_TEXTS = ("0.0", "-0.0", "1.5", "-2.25", "1e+16", "1.5e-07", "-1.7976931348623157e+308")


def _patterned(prop: dict, blank: bool) -> dict:
    """A CharField with a pattern (RegexField, SlugField, a RegexValidator), as it reads
    JSON: CharField.run_validation returns "" (and whitespace alone, once trimmed) before
    any validator runs, so a field that allows blank takes those whatever its pattern; and
    `str(data)` of a number is checked as text, so the numbers whose text the pattern
    matches are taken too: every number, or every integer, where the pattern matches all
    of them (a pattern that matches some, `^\\d{6}$`, is left as it is).

    >>> user = _patterned({"type": "string", "pattern": "^[\\w.@+-]+$"}, blank=False)
    >>> user["anyOf"][1]
    {'type': 'number'}
    >>> slug = _patterned({"type": "string", "pattern": _SLUG}, blank=True)
    >>> slug["anyOf"][1], re.search(slug["anyOf"][0]["pattern"], " ") is not None
    ({'type': 'integer'}, True)
    >>> _patterned({"type": "string", "pattern": "^0x[a-f0-9]{40}$"}, blank=False)
    {'type': 'string', 'pattern': '^0x[a-f0-9]{40}$'}
    """
    pattern = prop["pattern"]
    try:
        found = re.compile(pattern)
    except re.error:
        return prop
    integers = [found.search(text) is not None for text in _INTEGER_TEXTS]
    floats = [found.search(text) is not None for text in _FLOAT_TEXTS]
    new = prop
    if blank:
        new = {**prop, "pattern": f"(?:^[{_SPACE}]*$)|(?:{pattern})"}
    if all(integers) and (all(floats) or not any(floats)):
        return _char_number(new, integers=not any(floats))
    return new


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
        and members[0].get("type") == "string"
        and isinstance(members[0].get("pattern"), str)  # NO_NUL, NOT_BLANK, `_patterned`'s
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
    largest = _float_at_most(f"{'9' * whole or '0'}.{'9' * places}")
    number = {"type": "number", "minimum": -largest, "maximum": largest,
              "multipleOf": float(f"1e-{places}")}  # fmt: skip
    for bound in ("minimum", "maximum"):
        if isinstance(prop.get(bound), int | float):
            number[bound] = prop[bound]
    return {"anyOf": [prop, number]}


def _blank_is_null(prop: dict) -> dict:
    r"""A nullable DecimalField's text, blank too: DecimalField.validate_empty_values reads
    text that is blank once stripped as null (DRF 3.15+), where `_decimal` wants a digit.

    >>> tight = _decimal_number(_decimal({"type": "string", "format": "decimal",
    ...     "pattern": "^-?\\d{0,6}(?:\\.\\d{0,2})?$", "nullable": True}))
    >>> text = _blank_is_null(tight)["anyOf"][0]["pattern"]
    >>> [bool(re.fullmatch(text, t)) for t in ("", " \u3000", "1.5", "-", " 1")]
    [True, True, True, False, False]
    """
    members = prop.get("anyOf")
    text = members[0] if isinstance(members, list) else prop
    pattern = text.get("pattern")
    if not isinstance(pattern, str) or not pattern.startswith("^") or not pattern.endswith("$"):
        return prop
    # Blank is what strip() leaves nothing of (`_SPACE`).
    blank = {**text, "pattern": f"^(?:{pattern[1:-1]}|[{_SPACE}]*)$"}
    return {**prop, "anyOf": [blank, *members[1:]]} if isinstance(members, list) else blank


def _float_at_most(text: str) -> float:
    """The largest float not above the decimal `text`: a JSON number is a float, and the
    nearest float to 9999999999999.999999 is 1e13, a whole digit more than DecimalField
    takes ("Ensure that there are no more than 13 digits before the decimal point.").

    >>> _float_at_most("9999999999999.999999"), _float_at_most("999999.99")
    (9999999999999.998, 999999.99)
    """
    number = float(text)
    while decimal.Decimal(number) > decimal.Decimal(text):
        number = math.nextafter(number, -math.inf)
    return number


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
    return _unwiden(
        prop,
        lambda first, added: first.get("format") == "decimal" and added.get("type") == "number",
    )


def _unwiden(prop: dict, widened) -> dict | None:
    """The first of `prop`'s two `anyOf` members, when `widened(first, added)` says the
    second is the one a field's widening added; else None."""
    members = prop.get("anyOf")
    if (
        isinstance(members, list)
        and len(members) == 2
        and all(isinstance(member, dict) for member in members)
        and widened(*members)
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
    return _unwiden(
        prop,
        lambda _first, added: (
            list(added) == ["enum"]
            and bool(added["enum"])
            and all(isinstance(v, bool) for v in added["enum"])
        ),
    )


def _unmapped(prop: dict) -> dict | None:
    """The many relation `_related` widened with `{}`, if `prop` is one."""
    members = prop.get("anyOf")
    if isinstance(members, list) and len(members) == 2 and members[1] == _NO_KEYS:
        return members[0]
    return None


def unboolean(prop: dict) -> dict | None:
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


def unwidened(prop: dict) -> dict | None:
    """The schema `tighten` widened to what JSON may also send (a number for a CharField,
    a DecimalField or a FloatField; an integer for a UUIDField; `{}` for a many relation),
    if `prop` is one; a boolean's is `unboolean`'s.

    >>> unwidened(tighten({"properties": {"n": {"type": "number"}}}, set(), {}, {})
    ...           ["properties"]["n"])
    {'type': 'number'}
    >>> unwidened({"type": "string"}) is None
    True
    """
    return (
        _unfloat(prop)
        or _unmapped(prop)
        or _undecimal(prop)
        or _unuuid(prop)
        or _unchar(prop)
        or _unlisted(prop)
        or _unnull(prop)
    )


def _unlisted(prop: dict) -> dict | None:
    """A ListField whose text or UUID items `_nested` widened, with its items as they
    were: a form's values for the key are text already.

    >>> tags = _unlisted(_nested({"type": "array", "items": {"type": "string"}}, {}, None, 0))
    >>> tags["items"]["pattern"] == NOT_BLANK, "anyOf" in tags["items"]
    (True, False)
    """
    items = prop.get("items")
    if prop.get("type") != "array" or not isinstance(items, dict):
        return None
    text = _unchar(items) or _unuuid(items)
    return {**prop, "items": text} if text is not None else None


def is_json_field(prop: dict) -> bool:
    """Whether `prop` is a JSONField's schema: drf-spectacular's `{}` (any value), with
    `nullable` for allow_null, as `tighten` writes it or not.

    >>> is_json_field({"writeOnly": True, "not": {"enum": [None]}}), is_json_field({})
    (True, True)
    >>> is_json_field({"type": "object"})
    False
    """
    return not (_STRUCTURE - {"not", "nullable"}) & set(prop) and prop.get("not") in (
        None,
        {"enum": [None]},
    )


def _unnull(prop: dict) -> dict | None:
    """A JSONField's schema without the `not null` `tighten` wrote in, if `prop` is one: a
    form's part is text (a multipart "null" is the text, an urlencoded null is left out),
    never JSON's null; and Schemathesis cannot build a multipart body with a file part for
    a schema with a `not` ("Unsupported type: 'Binary'").

    >>> _unnull({"nullable": True, "not": {"enum": [None]}})
    {'nullable': True}
    """
    if prop.get("not") == {"enum": [None]} and not (_STRUCTURE - {"not", "nullable"}) & set(prop):
        return {k: v for k, v in prop.items() if k != "not"}
    return None
