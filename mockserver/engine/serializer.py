"""A write body validated as DRF's `Serializer.to_internal_value` validates it, with the
fields read from the request-body schema drf-spectacular wrote.

`validate` walks the writable properties in the schema's order (the serializer's
declaration order), runs each as the DRF field drf-spectacular documented it (CharField,
IntegerField, DecimalField, ChoiceField, PrimaryKeyRelatedField...), collects every bad
field at once with DRF's messages, and answers the good ones in representation form, as
DRF renders them after saving.

>>> schema = {"type": "object", "required": ["name", "stock"], "properties": {
...     "id": {"type": "integer", "readOnly": True},
...     "name": {"type": "string", "maxLength": 5},
...     "stock": {"type": "integer", "minimum": 0},
...     "price": {"type": "string", "format": "decimal",
...               "pattern": "^-?\\\\d{0,6}(?:\\\\.\\\\d{0,2})?$"}}}
>>> validate(schema, {"id": 9, "name": " Mug ", "stock": "12", "price": 3.5})
{'name': 'Mug', 'stock': 12, 'price': '3.50'}
>>> try:
...     validate(schema, {"name": "Teapots", "stock": -1, "price": "1.234"})
... except ApiError as error:
...     print(error.status, error.body)
400 {'name': ['Ensure this field has no more than 5 characters.'], \
'stock': ['Ensure this value is greater than or equal to 0.'], \
'price': ['Ensure that there are no more than 2 decimal places.']}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import functools
import json
import math
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from mockserver.contract.conventions import decimal_places
from mockserver.contract.schema import Validator, effective, members_of
from mockserver.engine import addresses
from mockserver.errors import ApiError

Check = Callable[[object], bool]


class _Empty:
    """DRF's `empty`: the body has no value for the field (None is a value: null)."""

    def __repr__(self) -> str:
        return "<empty>"


EMPTY = _Empty()


class _Skip(Exception):
    """DRF's SkipField: the field stays out of the validated data."""


class _Invalid(Exception):
    """DRF's ValidationError for one field: a list of messages, or errors nested in it."""

    def __init__(self, detail: list | dict):
        super().__init__(detail)
        self.detail = detail


# DRF 3.18's `default_error_messages` (fields.py, relations.py, serializers.py) and the
# Django validators' messages the fields run.
MESSAGES = {
    "required": "This field is required.",
    "null": "This field may not be null.",
    "blank": "This field may not be blank.",
    "string": "Not a valid string.",
    "max_length": "Ensure this field has no more than {} characters.",
    "min_length": "Ensure this field has at least {} characters.",
    "null_characters": "Null characters are not allowed.",
    "surrogates": "Surrogate characters are not allowed: U+{:X}.",
    "email": "Enter a valid email address.",
    "url": "Enter a valid URL.",
    "slug": 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
    "pattern": "Enter a valid value.",
    "ipv4": "Enter a valid IPv4 address.",
    "ipv6": "Enter a valid IPv6 address.",
    "integer": "A valid integer is required.",
    "number": "A valid number is required.",
    "too_long": "String value too large.",
    "overflow": "Integer value too large to convert to float",
    "max_value": "Ensure this value is less than or equal to {}.",
    "min_value": "Ensure this value is greater than or equal to {}.",
    "max_digits": "Ensure that there are no more than {} digits in total.",
    "max_decimal_places": "Ensure that there are no more than {} decimal places.",
    "max_whole_digits": "Ensure that there are no more than {} digits before the decimal point.",
    "boolean": "Must be a valid boolean.",
    "uuid": "Must be a valid UUID.",
    "date": "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
    "datetime": "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].",
    "datetime_range": "Datetime value out of range.",
    "time": "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]].",
    "choice": '"{}" is not a valid choice.',
    "not_a_list": 'Expected a list of items but got type "{}".',
    "empty_list": "This list may not be empty.",
    "min_items": "Ensure this field has at least {} elements.",
    "max_items": "Ensure this field has no more than {} elements.",
    "not_a_dict": 'Expected a dictionary of items but got type "{}".',
    "json": "Value must be valid JSON.",
    "invalid_data": "Invalid data. Expected a dictionary, but got {}.",
    "no_data": "No data provided",
    "does_not_exist": 'Invalid pk "{}" - object does not exist.',
    "incorrect_type": "Incorrect type. Expected pk value, received {}.",
    "pk_uuid": "“{}” is not a valid UUID.",  # Django's UUIDField.to_python, curly quotes
    "unique": "This field must be unique.",
    "unique_model": "{} with this {} already exists.",
    # FileField's.
    "file": "The submitted data was not a file. Check the encoding type on the form.",
    "file_no_name": "No filename could be determined.",
    "file_empty": "The submitted file is empty.",
    "file_max_length": "Ensure this filename has at most {} characters (it has {}).",
}
_SLUG = "^[-a-zA-Z0-9_]+$"  # the pattern drf-spectacular writes for DRF's SlugField
_NOT_BLANK = {"type": "string", "maxLength": 0}  # its `oneOf` member for allow_blank=True
# BooleanField.TRUE_VALUES / FALSE_VALUES; True is 1 and False is 0 and 0.0 in a set.
_TRUE = {"t", "y", "yes", "true", "on", "1", 1}
_FALSE = {"f", "n", "no", "false", "off", "0", 0}
_NULL = {"null", "", None}
_TRAILING_ZEROS = re.compile(r"\.0*\s*$")  # IntegerField.re_decimal: "1.0" is 1
_LONGEST = 1000  # MAX_STRING_LENGTH of DRF's number fields
_TIME = re.compile(
    r"(?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?$"
)
_DATE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


@dataclass
class Field:
    """One writable property as the DRF field that drf-spectacular documented."""

    name: str
    kind: str  # any, string, integer, float, decimal, boolean, uuid, date, datetime, time,
    # choice, relation, many (ManyRelatedField), list, dict, object, objects (many=True),
    # file (FileField: drf-spectacular's `format: binary`), one_of (one of several objects)
    required: bool = False
    allow_null: bool = False
    allow_blank: bool = False
    default: object = EMPTY
    schema: dict = field(default_factory=dict)  # the effective schema: bounds, format, pattern
    choices: dict[str, object] = field(default_factory=dict)
    child: Field | None = None
    fields: list[Field] = field(default_factory=list)
    digits: tuple[int | None, int | None] = (None, None)  # max_digits, decimal_places
    exists: Check | None = None
    taken: Check | None = None
    fits: Check | None = None  # one_of: whether a value is valid as the schema reads it
    unique_message: str = MESSAGES["unique"]


def validate(
    schema: dict,
    data: object,
    *,
    partial: bool = False,
    form: bool = False,
    relations: Mapping[str, Check] | None = None,
    unique: Mapping[str, Check] | None = None,
    model: str = "",
) -> dict:
    """The body's fields validated and in representation form, or ApiError(400) with
    DRF's `{field: [messages]}` for every bad field.

    `schema` is the request body's object schema, references resolved; `data` the parsed
    JSON, or with `form` the fields of a form as lists of values. `relations` says, per
    foreign key, whether a record with a key exists; `unique`, per unique field, whether a
    value is taken by another record (it gets the value in representation form).

    For PATCH pass the full component (`Product`, or `ProductRequest` where drf-spectacular
    splits them) with `partial=True`, not `PatchedProduct`: the Patched one lists nothing as
    required, and a required string or many-to-many is how a ModelSerializer's
    `allow_blank=False` / `allow_empty=False` shows in a schema.

    >>> validate({"type": "object", "properties": {"a": {"type": "integer"}}}, [1])
    Traceback (most recent call last):
    mockserver.errors.ApiError: (400, {'non_field_errors': \
['Invalid data. Expected a dictionary, but got list.']}, None)
    """
    items = _listed(schema)
    if items is not None:
        child = Field("", "object", True, fields=fields_of(items, {}, {}, ""))
        return validate_many(child, data, partial=partial, form=form)
    return Body(schema, relations or {}, unique or {}, model).validate(
        data, partial=partial, form=form
    )


class Body:
    """An object body's serializer, its fields made once (a write bound at start): the
    schema's fields, or the alternatives of a composed body (`composed`), which the view
    tries in turn: the first that validates is the one read; none, the first one's errors.
    `shapes`: the object schemas the alternatives are."""

    def __init__(
        self, schema: dict, relations: Mapping[str, Check], unique: Mapping[str, Check], model: str
    ):
        whole, branches = composed(schema)
        self.shapes = branches or [whole]
        self._fields = [fields_of(one, relations, unique, model) for one in self.shapes]

    def validate(self, data: object, *, partial: bool = False, form: bool = False) -> dict:
        refused = None
        for fields in self._fields:
            try:
                return validate_fields(fields, data, partial=partial, form=form)
            except ApiError as error:
                refused = refused or error
        raise refused


def composed(schema: dict) -> tuple[dict, list[dict]]:
    """A body schema composed of others (a hand-written spec's, as django-allauth's): its
    `allOf` members as one object (their fields and their required ones together), and
    the alternatives of a `oneOf` or `anyOf` in it, each merged with the rest, which the
    view tries in turn (the first that validates is the one read; none: the first's
    errors). No serializer documents itself so; a view that picks one by the body does.

    >>> whole, branches = composed({"allOf": [
    ...     {"properties": {"p": {"type": "string"}}, "required": ["p"]},
    ...     {"anyOf": [{"properties": {"u": {}}, "required": ["u"]},
    ...                {"properties": {"e": {}}, "required": ["e"]}]}]})
    >>> sorted(whole["properties"]), [b["required"] for b in branches]
    (['p'], [['p', 'u'], ['p', 'e']])
    """
    whole: dict = {"type": "object", "properties": {}, "required": []}
    alternatives: list[dict] = []
    for part in _parts(schema):
        if isinstance(part.get("oneOf") or part.get("anyOf"), list) and not alternatives:
            alternatives = [m for m in part.get("oneOf") or part["anyOf"] if isinstance(m, dict)]
        if isinstance(part.get("properties"), dict):
            whole["properties"].update(part["properties"])
        whole["required"] += [r for r in part.get("required") or () if r not in whole["required"]]
    if not schema.get("allOf") and not alternatives:
        return schema, []
    branches = []
    for alternative in alternatives:
        one, _ = composed(alternative)
        branches.append({
            "type": "object",
            "properties": {**whole["properties"], **(one.get("properties") or {})},
            "required": whole["required"] + [r for r in one.get("required") or ()
                                             if r not in whole["required"]],
        })  # fmt: skip
    return whole, branches


def _parts(schema: dict, depth: int = 0) -> list[dict]:
    """The schema and its `allOf` members, all the way in (bounded)."""
    if not isinstance(schema, dict) or depth > 8:
        return []
    found = [schema]
    for member in schema.get("allOf") or ():
        found += _parts(member, depth + 1)
    return found


def _listed(schema: dict) -> dict | None:
    """The item schema of a body that is a list of objects (a serializer with many=True,
    drf-spectacular's `type: array` body), else None."""
    whole = effective(schema)
    items = whole.get("items") if whole.get("type") == "array" else None
    if isinstance(items, dict) and isinstance(effective(items).get("properties"), dict):
        return effective(items)
    return None


def validate_many(child: Field, data: object, *, partial: bool = False, form: bool = False):
    """ListSerializer's validation of a whole body (`many=True`): a list of the child's
    objects, each one validated; a form's `[0]field` keys (html.parse_html_list, an empty
    list when there are none). A body that is no list is `non_field_errors`; bad items are
    each one's errors by its index (LIST_SERIALIZER_ERRORS_AS_DICT, DRF 3.18's default).

    >>> child = Field("", "object", True, fields=[Field("n", "integer", True)])
    >>> validate_many(child, [{"n": "1"}])
    [{'n': 1}]
    >>> for body in ({}, [{"n": 1}, {}]):
    ...     try:
    ...         validate_many(child, body)
    ...     except ApiError as error:
    ...         print(error.body)
    {'non_field_errors': ['Expected a list of items but got type "dict".']}
    {'1': {'n': ['This field is required.']}}
    """
    if data is None:
        # ListSerializer.errors turns the child's "null" into DRF's "No data provided".
        raise ApiError.invalid({"non_field_errors": [MESSAGES["no_data"]]})
    if form and isinstance(data, Mapping):
        data = _html_items(data)
    if not isinstance(data, list):
        detail = MESSAGES["not_a_list"].format(type(data).__name__)
        raise ApiError.invalid({"non_field_errors": [detail]})
    try:
        return _items_of(child, data, partial, form)
    except _Invalid as invalid:
        raise ApiError.invalid(invalid.detail) from None


def _html_items(data: Mapping) -> list:
    """html.parse_html_list(data, default=[]) of a whole form: `[0]name` keys make the
    first item (each value the key's last, as QueryDict.items() gives it), a bare `[1]` key
    an item that is its text.

    >>> _html_items({"[1]n": ["2"], "[0]n": ["0", "1"], "[0]m": ["x"], "note": ["y"]})
    [{'n': ['1'], 'm': ['x']}, {'n': ['2']}]
    """
    found: dict[int, object] = {}
    for key, values in data.items():
        match = _HTML_INDEX.match(key)
        if match is None or not values:
            continue
        index, name = int(match[1]), match[2]
        if not name:
            found[index] = values[-1]
        elif isinstance(found.get(index), dict):
            found[index][name] = [values[-1]]
        else:
            found[index] = {name: [values[-1]]}
    return [found[i] for i in sorted(found)]


_HTML_INDEX = re.compile(r"^\[([0-9]+)\](.*)$")  # DRF's, in its flags


def validate_fields(
    fields: list[Field], data: object, *, partial: bool = False, form: bool = False
) -> dict:
    """`validate` with the fields made once by `fields_of` (a write bound at start)."""
    if data is None:
        # Serializer.errors: "a more descriptive error" when the body is JSON null.
        raise ApiError.invalid({"non_field_errors": [MESSAGES["no_data"]]})
    try:
        return _serializer(fields, data, partial, form)
    except _Invalid as invalid:
        raise ApiError.invalid(invalid.detail) from None


def fields_of(
    schema: dict, relations: Mapping[str, Check], unique: Mapping[str, Check], model: str
) -> list[Field]:
    """The writable fields of an object schema, in its order (read-only ones left out)."""
    required = _required(schema)
    schema = effective(schema)
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    out = []
    for name, prop in props.items():
        if not isinstance(prop, dict) or prop.get("readOnly"):
            continue
        one = _field(name, prop, name in required, relations.get(name))
        if name in unique:
            one.taken = unique[name]
            if model:
                # Django's Field.error_messages["unique"], formatted with the verbose names
                # (get_unique_error_message): "order line with this sku already exists."
                words = name.replace("_", " ")
                one.unique_message = MESSAGES["unique_model"].format(_verbose(model), words)
        out.append(one)
    return out


def _required(schema: dict) -> set[str]:
    """An object schema's required fields, its `allOf` members' too: drf-spectacular writes
    a nested serializer with a description as `allOf: [Other]` (objects-api's `record`),
    whose fields are required as the component says.

    >>> sorted(_required({"allOf": [{"required": ["a"]}], "required": ["b"]}))
    ['a', 'b']
    """
    found = set(schema.get("required") or ()) if isinstance(schema.get("required"), list) else set()
    for member in members_of(schema, ("allOf",)):
        found |= _required(member)
    return found


def _verbose(model: str) -> str:
    """Django's default `verbose_name` of a model: `OrderLine` → `order line`.

    >>> _verbose("OrderLine"), _verbose("APIKey")
    ('order line', 'api key')
    """
    return re.sub(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))", r" \1", model).lower().strip()


def _field(name: str, prop: dict, required: bool, exists: Check | None) -> Field:
    allow_blank = None
    members = prop.get("oneOf")
    if isinstance(members, list) and len(members) == 2 and members[1] == _NOT_BLANK:
        # drf-spectacular wraps a blank-allowing string with a format or pattern so:
        # `oneOf: [{format: email, maxLength: 254}, {type: string, maxLength: 0}]`.
        outer = {k: v for k, v in prop.items() if k != "oneOf"}
        prop, allow_blank = {**outer, **members[0]}, True
    spec = effective(prop)
    enum = spec.get("enum") if isinstance(spec.get("enum"), list) else None
    one = Field(name, "any", required, schema=spec, exists=exists)
    alternatives = _alternatives(prop) if exists is None else None
    if alternatives is not None:
        one.kind, one.fits = "one_of", Validator(alternatives).is_valid
        one.allow_null = bool(spec.get("nullable"))
        if "default" in prop:
            one.default = prop["default"]
        return one
    one.allow_null = bool(spec.get("nullable")) or (enum is not None and None in enum)
    if "default" in prop:
        one.default = prop["default"]
    kind, fmt = spec.get("type"), spec.get("format")
    if "x-recursive" in prop:
        one.allow_null = True
    elif kind == "array":
        items = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        if exists is not None:
            # ManyRelatedField: a ModelSerializer's many-to-many is required exactly when
            # the model field is not blank, and then allow_empty is False too.
            one.kind = "many"
            one.child = _field("", items, True, exists)
            one.child.kind = "relation"
            one.schema = {**spec, "minItems": max(spec.get("minItems") or 0, int(required))}
        else:
            item_spec = effective(items)
            nested = isinstance(item_spec.get("properties"), dict)
            one.kind = "objects" if nested else "list"
            one.child = _field("", items, True, None)
            if not items:
                # ListField() without a child: _UnvalidatedField takes any item, null too
                # (drf-spectacular writes its items as `{}`).
                one.child.allow_null = one.child.allow_blank = True
    elif exists is not None:
        one.kind = "relation"
    elif enum is not None:
        one.kind = "choice"
        one.choices = {str(v): v for v in enum if v not in ("", None)}
        one.allow_blank = "" in enum
    elif kind == "object" or isinstance(spec.get("properties"), dict):
        if isinstance(spec.get("properties"), dict):
            one.kind = "object"
            one.fields = fields_of(prop, {}, {}, "")  # its allOf members' required too
        else:
            one.kind = "dict"
            extra = spec.get("additionalProperties")
            one.child = _field("", extra if isinstance(extra, dict) else {}, True, None)
            if not isinstance(extra, dict) or not extra:
                one.child.allow_null = one.child.allow_blank = True  # _UnvalidatedField
    elif kind in ("integer", "boolean"):
        one.kind = kind
    elif kind == "number":
        one.kind = "float"
    elif kind == "string":
        one.kind = {
            "decimal": "decimal",
            "uuid": "uuid",
            "date": "date",
            "date-time": "datetime",
            "time": "time",
            "binary": "file",
        }.get(fmt, "string")
        if one.kind == "decimal" and spec.get("pattern"):
            whole, places = decimal_places(spec)
            one.digits = (whole + places, places)
        if one.kind == "string":
            # A required CharField is a model field with blank=False; an optional one
            # blank=True (ModelSerializer's allow_blank), unless the schema says
            # `minLength` (drf-spectacular's COMPONENT_SPLIT_REQUEST writes 1 for it), or
            # has a format without the blank member drf-spectacular writes beside it for
            # allow_blank (above): an optional URLField(blank=False) refuses "".
            if allow_blank is None:
                allow_blank = (
                    not required and not (spec.get("minLength") or 0) and "format" not in spec
                )
            one.allow_blank = allow_blank
    return one


def _alternatives(prop: dict) -> dict | None:
    """The `oneOf` / `anyOf` of a field that is one of several objects, else None.

    A project's own field documented as alternatives (objects-api's GeometryField as
    `GeoJSONGeometry: oneOf: [Point, LineString, ...]`, a PolymorphicProxySerializer) takes
    a value its schema reads as valid: under exactly one `oneOf` member (the one its
    discriminator's mapping names), under one `anyOf` member at least. Folded into one
    object, the members' `coordinates` would be the last member's alone, refusing a Point
    and taking a MultiPolygon of text. drf-spectacular's own alternatives (a nullable
    choice's `[StatusEnum, BlankEnum, NullEnum]`, a blank URL's `[uri, maxLength: 0]`) are
    not objects, and stay the fields they are.

    >>> point = {"properties": {"c": {"type": "array", "maxItems": 2}}, "required": ["c"]}
    >>> sorted(_alternatives({"allOf": [{"oneOf": [point, {"type": "object"}]}]}))
    ['oneOf']
    >>> _alternatives({"oneOf": [{"type": "string", "enum": ["a"]}, {"enum": [None]}]})
    """
    node = prop
    for _ in range(8):  # `allOf: [Geometry]`: drf-spectacular's wrapping of a described ref
        members = node.get("oneOf") or node.get("anyOf")
        if isinstance(members, list):
            break
        wrapped = members_of(node, ("allOf",))
        if len(wrapped) != 1:
            return None
        node = wrapped[0]
    else:
        return None
    real = [effective(m) for m in members_of(node, ("oneOf", "anyOf"))]
    if len(real) < 2 or not all(
        m.get("type") == "object" or isinstance(m.get("properties"), dict) for m in real
    ):
        return None
    return node


# -- the serializer ----------------------------------------------------------------------------


def _serializer(fields: list[Field], data: object, partial: bool, form: bool) -> dict:
    """Serializer.to_internal_value: every field run, the errors gathered by field."""
    if not isinstance(data, Mapping):
        detail = MESSAGES["invalid_data"].format(type(data).__name__)
        raise _Invalid({"non_field_errors": [detail]})
    out, errors = {}, {}
    for one in fields:
        # JSON's get_value, in line: the call cost as much as the lookup, for every field.
        value = _value(one, data, partial, form) if form else data.get(one.name, EMPTY)
        if value is EMPTY and (partial or (not one.required and one.default is EMPTY)):
            # validate_empty_values' SkipField, without raising it: most fields of a
            # PATCH, and the optional ones a create leaves out, end here.
            continue
        try:
            out[one.name] = _run(one, value, partial, form)
        except _Invalid as invalid:
            errors[one.name] = invalid.detail
        except _Skip:
            pass
    if errors:
        raise _Invalid(errors)
    return out


def _value(one: Field, data: Mapping, partial: bool, form: bool):
    """Field.get_value: the field's primitive value, as DRF reads JSON or a form."""
    if not form:
        return data.get(one.name, EMPTY)
    present = one.name in data
    values = list(data.get(one.name) or [])
    if one.kind in ("many",):
        # ManyRelatedField.get_value: QueryDict.getlist, so absent is [] (unless partial).
        return EMPTY if not present and partial else values
    if one.kind in ("list", "objects"):
        if values and one.kind == "list":
            # ListField.get_value reads the key's values (getlist); a ListSerializer
            # (many=True) reads `name[0]field` keys only (parse_html_list), never them.
            return values
        prefix = one.name + "["
        if partial and not any(key.startswith(prefix) for key in data):
            return EMPTY
        return _html_list(data, one.name)
    if one.kind == "any":
        # JSONField.get_value marks a form's text as JSON to be parsed.
        return _JSONText(values[-1] if values else "") if present else EMPTY
    if one.kind in ("dict", "object", "one_of"):
        nested = {
            k[len(one.name) + 1 :]: v for k, v in data.items() if k.startswith(one.name + ".")
        }
        if nested:
            return nested
        return {} if present and one.kind == "dict" else EMPTY
    if not present:
        if partial:
            return EMPTY
        if one.kind == "boolean":
            # BooleanField.default_empty_html: an unchecked box is sent as nothing.
            if one.default is not EMPTY:
                return one.default
            return None if one.allow_null else False
        return EMPTY
    ret = values[-1] if values else []  # QueryDict[key]: the last value
    if ret == "" and one.allow_null:
        return "" if one.allow_blank else None
    if ret == "" and not one.required:
        return "" if one.allow_blank else EMPTY
    return ret


class _JSONText(str):
    """A form's text for a JSONField, parsed as JSON (DRF's `JSONString`)."""


def _html_list(data: Mapping, prefix: str):
    """html.parse_html_list for primitives: `tags[0]`, `tags[1]`... in index order."""
    found = {}
    pattern = re.compile(rf"^{re.escape(prefix)}\[([0-9]+)\]$")
    for key, values in data.items():
        match = pattern.match(key)
        if match and values:
            found[int(match[1])] = values[-1]
    return [found[i] for i in sorted(found)] if found else EMPTY


def _run(one: Field, data, partial: bool, form: bool = False):
    """Field.run_validation: empty values first, then the conversion, then validators."""
    # CharField.run_validation: "" and whitespace are blank before anything else.
    if one.kind == "string" and data is not EMPTY and str(data).strip() == "":
        if not one.allow_blank:
            raise _Invalid([MESSAGES["blank"]])
        return ""
    if one.kind == "relation" and data == "":
        data = None  # RelatedField.run_validation: "" is null for a relation
    if one.kind == "decimal" and data is not EMPTY and str(data).strip() == "" and one.allow_null:
        return None
    if data is EMPTY:
        if partial:
            raise _Skip
        if one.required:
            raise _Invalid([MESSAGES["required"]])
        if one.default is EMPTY:
            raise _Skip
        return one.default
    if data is None:
        if not one.allow_null:
            raise _Invalid([MESSAGES["null"]])
        return None
    if one.kind == "object":
        return _serializer(one.fields, data, partial, form)
    if one.kind == "dict" and form and isinstance(data, dict):
        data = {key: values[-1] for key, values in data.items() if values}  # QueryDict.dict()
    value = _CONVERT[one.kind](one, data, partial)
    errors = [message for check in _CHECKS.get(one.kind, ()) for message in check(one, value)]
    if errors:
        raise _Invalid(errors)
    return _REPRESENT.get(one.kind, _same)(one, value)


def _same(one: Field, value):
    return value


# -- conversions: to_internal_value ----------------------------------------------------------


def _fail(key: str, *args) -> _Invalid:
    return _Invalid([MESSAGES[key].format(*args)])


def _string(one: Field, data, partial):
    if isinstance(data, bool) or not isinstance(data, str | int | float):
        raise _fail("string")
    return str(data).strip()  # trim_whitespace


def _integer(one: Field, data, partial):
    if isinstance(data, str) and len(data) > _LONGEST:
        raise _fail("too_long")
    try:
        return int(_TRAILING_ZEROS.sub("", str(data)))
    except (ValueError, TypeError):
        raise _fail("integer") from None


def _float(one: Field, data, partial):
    if isinstance(data, str) and len(data) > _LONGEST:
        raise _fail("too_long")
    try:
        value = float(data)
    except (TypeError, ValueError):
        raise _fail("number") from None
    except OverflowError:
        raise _fail("overflow") from None
    if not math.isfinite(value):
        raise _fail("number")
    return value


def _decimal(one: Field, data, partial):
    text = str(data).strip()
    if len(text) > _LONGEST:
        raise _fail("too_long")
    try:
        value = decimal.Decimal(text)
    except decimal.DecimalException:
        raise _fail("number") from None
    if not value.is_finite():
        raise _fail("number")
    # DecimalField.validate_precision: digits in total, after the point, before it.
    digits, places = one.digits
    _sign, numerals, exponent = value.as_tuple()
    if exponent >= 0:
        total, after = len(numerals) + exponent, 0
    elif len(numerals) > -exponent:
        total, after = len(numerals), -exponent
    else:
        total, after = -exponent, -exponent
    if digits is not None and total > digits:
        raise _fail("max_digits", digits)
    if places is not None and after > places:
        raise _fail("max_decimal_places", places)
    if digits is not None and places is not None and total - after > digits - places:
        raise _fail("max_whole_digits", digits - places)
    return value


def _boolean(one: Field, data, partial):
    key = data.lower() if isinstance(data, str) else data
    try:
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        if key in _NULL and one.allow_null:
            return None
    except TypeError:  # a list or an object: unhashable
        pass
    raise _fail("boolean")


def _uuid(one: Field, data, partial):
    try:
        if isinstance(data, int):
            return uuid.UUID(int=data)
        if isinstance(data, str):
            return uuid.UUID(hex=data)
    except ValueError:
        pass
    raise _fail("uuid")


def _date(one: Field, data, partial):
    # django.utils.dateparse.parse_date: ISO 8601 as Python reads it, else YYYY-M-D.
    try:
        return dt.date.fromisoformat(data)
    except (ValueError, TypeError):
        pass
    try:
        match = _DATE.match(data)
        if match:
            return dt.date(*(int(v) for v in match.groups()))
    except (ValueError, TypeError):
        pass
    raise _fail("date")


def _datetime(one: Field, data, partial):
    parsed = None
    try:
        parsed = dt.datetime.fromisoformat(data)
    except (ValueError, TypeError):
        with contextlib.suppress(ValueError, TypeError):
            parsed = _parse_datetime(data)
    if parsed is None:
        raise _fail("datetime")
    # DateTimeField.enforce_timezone with USE_TZ and TIME_ZONE "UTC": aware, in UTC.
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise _fail("datetime_range") from None


def _parse_datetime(text: str) -> dt.datetime | None:
    match = _DATETIME.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    zone = parts.pop("tzinfo")
    micro = parts.pop("microsecond")
    numbers = {k: int(v) for k, v in parts.items() if v is not None}
    if micro:
        numbers["microsecond"] = int(micro.ljust(6, "0"))
    tz = None
    if zone == "Z":
        tz = dt.UTC
    elif zone:
        minutes = 60 * int(zone[1:3]) + (int(zone[-2:]) if len(zone) > 3 else 0)
        tz = dt.timezone(dt.timedelta(minutes=-minutes if zone[0] == "-" else minutes))
    return dt.datetime(**numbers, tzinfo=tz)


def _time(one: Field, data, partial):
    try:
        return dt.time.fromisoformat(data).replace(tzinfo=None)
    except (ValueError, TypeError):
        pass
    try:
        match = _TIME.match(data)
        if match:
            parts = match.groupdict()
            micro = parts.pop("microsecond")
            numbers = {k: int(v) for k, v in parts.items() if v is not None}
            if micro:
                numbers["microsecond"] = int(micro.ljust(6, "0"))
            return dt.time(**numbers)
    except (ValueError, TypeError):
        pass
    raise _fail("time")


def _choice(one: Field, data, partial):
    if data == "" and one.allow_blank:
        return ""
    try:
        return one.choices[str(data)]
    except KeyError:
        raise _fail("choice", data) from None


def _pk(one: Field, data):
    """PrimaryKeyRelatedField.to_internal_value: the key as the database reads it."""
    kind, fmt = one.schema.get("type"), one.schema.get("format")
    if isinstance(data, bool):
        raise _fail("incorrect_type", "bool")
    if data is None:  # only in a list: `pk IS NULL` finds nothing
        raise _fail("does_not_exist", data)
    if fmt == "uuid":
        try:
            key = str(uuid.UUID(int=data) if isinstance(data, int) else uuid.UUID(hex=data))
        except (AttributeError, ValueError, TypeError):
            raise _fail("pk_uuid", data) from None
    elif kind == "string":
        key = str(data)
    else:
        try:
            key = int(data)  # Django's IntegerField.get_prep_value: int(" 7 ") is 7
        except (TypeError, ValueError):
            raise _fail("incorrect_type", type(data).__name__) from None
    if one.exists is not None and not one.exists(key):
        raise _fail("does_not_exist", data)
    return key


def _file(one: Field, data, partial):
    """FileField.to_internal_value: an uploaded file (a multipart part with a filename,
    mockserver/http/parsers.py `Upload`), never text: JSON and a form's plain value carry
    none. Its name must be there, its content not empty (allow_empty_file=False), its
    name within `max_length` (drf-spectacular writes the model field's as maxLength)."""
    name, size = getattr(data, "filename", None), getattr(data, "size", None)
    if not isinstance(name, str) or not isinstance(size, int):
        raise _fail("file")
    if not name:
        raise _fail("file_no_name")
    if not size:
        raise _fail("file_empty")
    longest = one.schema.get("maxLength")
    if isinstance(longest, int) and len(name) > longest:
        raise _fail("file_max_length", longest, len(name))
    return name  # what the model keeps: the stored file's name


def _relation(one: Field, data, partial):
    return _pk(one, data)


def _many(one: Field, data, partial):
    if isinstance(data, str) or not hasattr(data, "__iter__"):
        raise _fail("not_a_list", type(data).__name__)
    keys = [_pk(one.child, item) for item in data]  # the first bad key is the error
    return list(dict.fromkeys(keys))  # a many-to-many set holds each record once


def _list(one: Field, data, partial):
    if isinstance(data, str | Mapping) or not hasattr(data, "__iter__"):
        raise _fail("not_a_list", type(data).__name__)
    out, errors = [], {}
    for index, item in enumerate(data):
        try:
            out.append(_run(one.child, item, False))
        except _Invalid as invalid:
            errors[str(index)] = invalid.detail  # DRF's int keys, as JSON renders them
    if errors:
        raise _Invalid(errors)
    return out


def _objects(one: Field, data, partial):
    """ListSerializer.to_internal_value (many=True nested serializers)."""
    if not isinstance(data, list):
        detail = MESSAGES["not_a_list"].format(type(data).__name__)
        raise _Invalid({"non_field_errors": [detail]})
    return _items_of(one.child, data, partial)


def _items_of(child: Field, data: list, partial: bool, form: bool = False) -> list:
    """ListSerializer's items: each one the child's, the errors by index (DRF 3.18's
    LIST_SERIALIZER_ERRORS_AS_DICT, True by default; its keys are text in JSON)."""
    out, errors = [], {}
    for index, item in enumerate(data):
        try:
            out.append(_run(child, item, partial, form))
        except _Invalid as invalid:
            errors[str(index)] = invalid.detail
    if errors:
        raise _Invalid(errors)
    return out


def _dict(one: Field, data, partial):
    if not isinstance(data, dict):
        raise _fail("not_a_dict", type(data).__name__)
    out, errors = {}, {}
    for key, value in data.items():
        try:
            out[str(key)] = _run(one.child, value, False)
        except _Invalid as invalid:
            errors[str(key)] = invalid.detail
    if errors:
        raise _Invalid(errors)
    return out


def _one_of(one: Field, data, partial):
    if not isinstance(data, Mapping):
        raise _fail("invalid_data", type(data).__name__)
    if one.fits is not None and not one.fits(data):
        raise _fail("pattern")  # Django's "Enter a valid value.": no member takes it
    return data


def _any(one: Field, data, partial):
    if isinstance(data, _JSONText):
        try:
            return json.loads(data)
        except ValueError:
            raise _fail("json") from None
    return data


_CONVERT = {
    "any": _any,
    "string": _string,
    "integer": _integer,
    "float": _float,
    "decimal": _decimal,
    "boolean": _boolean,
    "uuid": _uuid,
    "date": _date,
    "datetime": _datetime,
    "time": _time,
    "choice": _choice,
    "relation": _relation,
    "many": _many,
    "list": _list,
    "objects": _objects,
    "dict": _dict,
    "file": _file,
    "one_of": _one_of,
}


# -- validators, in the order a ModelSerializer's field runs them ------------------------------


def _unique(one: Field, value):
    # UniqueValidator, which ModelSerializer puts before the field's own validators.
    if one.taken is not None and one.taken(_REPRESENT.get(one.kind, _same)(one, value)):
        yield one.unique_message


_SURROGATE = re.compile("[\ud800-\udfff]")  # a lone surrogate, found at C speed


def _text(one: Field, value: str):
    spec = one.schema
    pattern = spec.get("pattern")
    if pattern and pattern != _SLUG and re.search(pattern, value) is None:
        yield MESSAGES["pattern"]  # a model field's RegexValidator: Django's message
    yield from _unique(one, value)
    if spec.get("maxLength") is not None and len(value) > spec["maxLength"]:
        yield MESSAGES["max_length"].format(spec["maxLength"])
    if spec.get("minLength") is not None and len(value) < spec["minLength"]:
        yield MESSAGES["min_length"].format(spec["minLength"])
    if "\x00" in value:
        yield MESSAGES["null_characters"]
    surrogate = _SURROGATE.search(value)
    if surrogate is not None:
        yield MESSAGES["surrogates"].format(ord(surrogate[0]))
    fmt = spec.get("format")
    if fmt == "email" and not addresses.is_email(value):
        yield MESSAGES["email"]
    elif fmt == "uri" and not addresses.is_url(value):
        yield MESSAGES["url"]
    elif fmt in ("ipv4", "ipv6") and not addresses.is_ip(value, fmt):
        yield MESSAGES[fmt]
    if pattern == _SLUG and re.search(pattern, value) is None:
        yield MESSAGES["slug"]


def _bounds(one: Field, value):
    yield from _unique(one, value)
    spec = one.schema
    if spec.get("maximum") is not None and value > spec["maximum"]:
        yield MESSAGES["max_value"].format(spec["maximum"])
    if spec.get("minimum") is not None and value < spec["minimum"]:
        yield MESSAGES["min_value"].format(spec["minimum"])


def _items(one: Field, value: list):
    least, most = one.schema.get("minItems"), one.schema.get("maxItems")
    if one.kind == "many":
        if least and not value:
            yield MESSAGES["empty_list"]  # ManyRelatedField(allow_empty=False)
        return
    if most is not None and len(value) > most:
        yield MESSAGES["max_items"].format(most)
    if least is not None and len(value) < least:
        yield MESSAGES["min_items"].format(least)


_CHECKS = {
    "string": (_text,),
    "integer": (_bounds,),
    "float": (_bounds,),
    "decimal": (_unique,),
    "uuid": (_unique,),
    "date": (_unique,),
    "datetime": (_unique,),
    "time": (_unique,),
    "choice": (_unique,),
    "relation": (_unique,),
    "many": (_items,),
    "list": (_items,),
}


# -- representation: what DRF renders once saved ---------------------------------------------


def _decimal_text(one: Field, value: decimal.Decimal) -> str:
    digits, places = one.digits
    if places is not None:
        exponent, context = _quantizing(digits, places)
        value = value.quantize(exponent, context=context)
    return f"{value:f}"


@functools.cache
def _quantizing(digits: int | None, places: int) -> tuple[decimal.Decimal, decimal.Context]:
    """DecimalField.quantize's exponent and context (the default one, `prec` its max_digits),
    made once per field's digits rather than for every value (a copy costs more than the
    quantize). A signal only sets the context's flags, which nothing reads.

    >>> exponent, context = _quantizing(5, 2)
    >>> decimal.Decimal("2.345").quantize(exponent, context=context), context.prec
    (Decimal('2.34'), 5)
    """
    context = decimal.getcontext().copy()
    if digits is not None:
        context.prec = digits
    return decimal.Decimal(".1") ** places, context


def _datetime_text(one: Field, value: dt.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_REPRESENT = {
    "decimal": _decimal_text,
    "uuid": lambda one, value: str(value),
    "date": lambda one, value: value.isoformat(),
    "datetime": _datetime_text,
    "time": lambda one, value: value.isoformat(),
}
