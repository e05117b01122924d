"""DRF's answer to `OPTIONS`: SimpleMetadata's view name, description, media types and the
`actions` a client may take, each field described as `get_field_info` describes it.

DRF (rest_framework/metadata.py) answers an OPTIONS with the view's name and docstring, its
renderers and parsers, and, for each of `PUT` and `POST` the view allows and the user may
perform, the request serializer's fields: their type name (`"string"`, `"choice"`,
`"nested object"`...), whether they are required or read-only, their label and help text,
their bounds, a choice field's choices, a list's child and a nested serializer's children.

The spec holds the same facts, as drf-spectacular wrote them from that serializer: the
request body's schema (`ProductRequest` when COMPONENT_SPLIT_REQUEST splits it, else the
same `Product` with `readOnly` marks) and the response's schema for the read-only fields,
merged in the serializer's order (which is the order of both schemas' properties).

What a schema cannot say is chosen as a ModelSerializer would have it: a `SerializerMethodField`
is typed from its hint (DRF says "field"); a `RegexField` is a "string"; a label is the
field's name (`created_at` -> "Created at") unless drf-spectacular wrote a `title`.
"""

from __future__ import annotations

import re

from mockserver.contract.resource import OBJECT
from mockserver.contract.schema import effective, members_of

# The parsers DRF's defaults install (DEFAULT_PARSER_CLASSES), in their order; the mock
# renders JSON only, as the services it stands for are configured to.
RENDERS = ("application/json",)
PARSES = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")

# SimpleMetadata.label_lookup's names, by the OpenAPI `format` drf-spectacular writes for
# each field class (a string's format; `type: number` is a FloatField unless `decimal`).
_STRING_FORMATS = {
    "date-time": "datetime",
    "date": "date",
    "time": "time",
    "duration": "duration",
    "email": "email",
    "uri": "url",
    "url": "url",
    "binary": "file upload",
    "decimal": "decimal",
}
_SCALARS = {"boolean": "boolean", "integer": "integer", "number": "float", "string": "string"}
# drf-spectacular's pattern for a SlugField (django.core.validators.slug_re).
_SLUG_PATTERNS = ("^[-a-zA-Z0-9_]+$", r"^[-\w]+\Z", r"^[-\w]+$")
# A coerced DecimalField's pattern: `^-?\d{0,6}(?:\.\d{0,2})?$` is max_digits 8, 2 places.
_DECIMAL = re.compile(r"\^-\?(?:\\d\{0,(\d+)\}|0\?)\(\?:\\.\\d\{0,(\d+)\}\)\?\$")
# drf-spectacular's choice descriptions (ENUM_GENERATE_CHOICE_DESCRIPTION): "* `a` - Alpha".
_CHOICE_LINE = re.compile(r"^\* `(.*)` - (.*)$", re.MULTILINE)


def metadata(state, route, authenticated: bool, record_exists: bool = True) -> dict:
    """SimpleMetadata.determine_metadata for a request to `route` (state.Route).

    `authenticated`: whether the request's credentials were accepted. DRF checks each
    action's permissions with the request cloned to that method: an anonymous request
    to a view that lets anyone read (IsAuthenticatedOrReadOnly) gets no `actions`.
    `record_exists`: on a detail, whether the path names a record; DRF's `get_object()`
    raising Http404 drops the `PUT` action silently.
    """
    operations = route.operations
    read = operations.get("GET") or next(iter(operations.values()), None)
    found = {
        "name": view_name(state, read),
        "description": read.docstring if read is not None else "",
        "renders": list(RENDERS),
        "parses": list(PARSES),
    }
    allowed = route.allow.decode("latin-1").split(", ")
    actions = {}
    # DRF walks the set {"PUT", "POST"} & allowed_methods; a dict keeps it in its order
    # in CPython, which renders PUT first for a view that allows both.
    for method in ("PUT", "POST"):
        op = operations.get(method)
        if op is None or method not in allowed:
            continue
        if not (authenticated or op.security.open):
            continue  # check_permissions refused the cloned request
        if method == "PUT" and not record_exists:
            continue
        actions[method] = serializer_info(*_schemas(state, op, read))
    if actions:
        found["actions"] = actions
    return found


def view_name(state, op) -> str:
    """APIView.get_view_name: `ProductViewSet` -> "Product List" or "Product Instance"; a
    `SiteSettingsView` -> "Site Settings"."""
    served = state.served.get(op.resource) if op is not None and op.resource else None
    model = served.resource.model if served is not None else ""
    name = re.sub(r"((?<=[a-z])[A-Z]|(?<!\A)[A-Z](?=[a-z]))", r" \1", model).strip()
    if served is not None and served.resource.shape != OBJECT:
        name += " Instance" if op.is_detail else " List"
    return name


def _schemas(state, op, read) -> tuple[dict, dict, frozenset[str]]:
    """The request body's schema, the response's (for the read-only fields), and the fields
    that are relations (DRF's RelatedField: "field", never `choices`)."""
    body = op.body.get("application/json") or next(iter(op.body.values()), {})
    response = {}
    for code in ("201", "200"):
        content = (op.responses.get(code) or {}).get("content") or {}
        response = (content.get("application/json") or {}).get("schema") or {}
        if response:
            break
    served = state.served.get(op.resource or (read.resource if read else None) or "")
    if served is not None:
        if not response.get("properties"):
            response = served.resource.schema
        relations = frozenset(served.resource.relations)
    else:
        relations = frozenset()
    return body, response, relations


def serializer_info(request: dict, response: dict, relations=frozenset()) -> dict:
    """get_serializer_info: each field of the serializer, in its order, the read-only ones
    (absent from a split request schema) taken from the response's schema.

    >>> request = {"properties": {"name": {"type": "string", "maxLength": 8}},
    ...            "required": ["name"]}
    >>> response = {"properties": {"id": {"type": "integer", "readOnly": True},
    ...                            "name": {"type": "string", "maxLength": 8}}}
    >>> serializer_info(request, response)["id"]
    {'type': 'integer', 'required': False, 'read_only': True, 'label': 'ID'}
    >>> serializer_info(request, response)["name"]
    {'type': 'string', 'required': True, 'read_only': False, 'label': 'Name', 'max_length': 8}
    """
    request, response = _object(request), _object(response)
    written = request.get("properties") or {}
    shown = response.get("properties") or {}
    required = set(request.get("required") or ())
    info = {}
    for name in _serializer_order(list(written), list(shown)):
        if name in written and not written[name].get("readOnly"):
            prop, read_only = written[name], False
        else:
            prop, read_only = shown.get(name) or written[name], True
        if prop.get("writeOnly") and read_only:
            continue
        info[name] = field_info(
            prop,
            name,
            required=name in required and not read_only,
            read_only=read_only,
            relation=name in relations,
            shown=shown.get(name),
        )
    return info


def _object(schema: dict) -> dict:
    """A serializer's schema with its members folded in, their `required` lists too (a
    nested serializer is `allOf: [Maker]`).

    >>> _object({"allOf": [{"properties": {"a": {}}, "required": ["a"]}], "readOnly": True})
    {'readOnly': True, 'properties': {'a': {}}, 'required': ['a']}
    """
    found = effective(schema)
    required = [*(schema.get("required") or ())]
    for member in members_of(schema):
        required += [n for n in _object(member).get("required") or () if n not in required]
    if required:
        found["required"] = required
    return found


def _serializer_order(written: list[str], shown: list[str]) -> list[str]:
    """Both schemas' properties in one order: the response's, each field only the request
    has (a write-only one) placed before the next field both have.

    >>> _serializer_order(["name", "password", "email"], ["id", "name", "email", "joined"])
    ['id', 'name', 'password', 'email', 'joined']
    """
    order: list[str] = []
    pending = [name for name in written if name not in shown]
    for name in shown:
        if name in written:
            at = written.index(name)
            while pending and written.index(pending[0]) < at:
                order.append(pending.pop(0))
        order.append(name)
    return order + pending


def field_info(
    prop: dict,
    name: str | None,
    required: bool,
    read_only: bool,
    relation: bool = False,
    shown: dict | None = None,
) -> dict:
    """get_field_info for one property: its keys in DRF's order (type, required, read_only,
    label, help_text, min/max length, min/max value, digits, child or children, choices).

    >>> field_info({"type": "string", "format": "date-time", "readOnly": True}, "created_at",
    ...            required=False, read_only=True)
    {'type': 'datetime', 'required': False, 'read_only': True, 'label': 'Created at'}
    >>> status = {"enum": ["draft", "live"], "type": "string",
    ...           "description": "* `draft` - Draft\\n* `live` - Live now"}
    >>> field_info(status, "status", required=False, read_only=False)["choices"][1]
    {'value': 'live', 'display_name': 'Live now'}
    """
    whole = effective(prop)
    kind = _kind(prop, whole, name, relation)
    info: dict = {"type": kind, "required": required, "read_only": read_only}
    label = prop.get("title") or whole.get("title") or _label(name)
    if label:
        info["label"] = label
    help_text = _help_text(prop)
    if help_text:
        info["help_text"] = help_text
    bounded = _bounds(prop, kind)
    for key, source in (
        ("min_length", "minLength"),
        ("max_length", "maxLength"),
        ("min_value", "minimum"),
        ("max_value", "maximum"),
    ):
        if source in bounded:
            info[key] = bounded[source]
    if kind == "decimal":
        digits = _decimal_digits(prop)
        if digits is not None:
            info["max_digits"], info["decimal_places"] = digits
    if kind == "list" and isinstance(whole.get("items"), dict):
        info["child"] = field_info(whole["items"], None, required=True, read_only=False)
    elif kind == "nested object":
        if whole.get("properties"):
            later = _object(shown) if shown else {}
            mine = _object(prop)
            info["children"] = serializer_info(mine, later if later.get("properties") else mine)
        elif isinstance(whole.get("additionalProperties"), dict):
            # DictField: its child field.
            child = whole["additionalProperties"]
            info["child"] = field_info(child, None, required=True, read_only=False)
    if not read_only and not relation and kind in ("choice", "multiple choice"):
        source = prop if kind == "choice" else _schema(whole.get("items"))
        info["choices"] = [
            {"value": value, "display_name": display} for value, display in _choices(source)
        ]
    return info


def _schema(node) -> dict:
    """`node` if it is a schema (a dict), else the empty schema."""
    return node if isinstance(node, dict) else {}


def _kind(prop: dict, whole: dict, name: str | None, relation: bool) -> str:
    """SimpleMetadata.label_lookup's name for the field class drf-spectacular wrote `prop`
    from."""
    if relation:
        return "field"  # PrimaryKeyRelatedField, ManyRelatedField: RelatedField's "field"
    kind = whole.get("type")
    fmt = whole.get("format")
    if kind == "string" and fmt == "uri" and name == "url" and prop.get("readOnly"):
        return "field"  # HyperlinkedIdentityField, a RelatedField
    if kind == "array":
        # MultipleChoiceField writes an array of its choices; a ListField of a ChoiceField
        # (an ArrayField of choices) is written the same, and is taken as the former.
        # (An `items` that is no schema, `items: string`, is items of any kind.)
        items = whole.get("items")
        return "multiple choice" if _choice_values(_schema(items)) else "list"
    if _choice_values(prop):
        return "choice"
    if kind == "object" or whole.get("properties"):
        return "nested object"  # a nested serializer; a DictField
    if kind == "string":
        if fmt in _STRING_FORMATS:
            return _STRING_FORMATS[fmt]
        if whole.get("pattern") in _SLUG_PATTERNS:
            return "slug"
        return "string"  # CharField, UUIDField, IPAddressField, RegexField...
    if kind == "number" and fmt == "decimal":
        return "decimal"
    return _SCALARS.get(kind, "field")  # `{}`: JSONField, ReadOnlyField, a plain Field


def _label(name: str | None) -> str:
    """Field.bind's default label, `field_name.replace('_', ' ').capitalize()`; a model's
    primary key `id` is labelled by its verbose name, Django's "ID".

    >>> _label("created_at"), _label("id"), _label("SKU"), _label(None)
    ('Created at', 'ID', 'Sku', '')
    """
    if name is None:
        return ""
    if name == "id":
        return "ID"
    return name.replace("_", " ").capitalize()


def _help_text(prop: dict) -> str:
    """The model field's help_text, which drf-spectacular writes as `description`; the list
    of choices it appends to a choice field's (or its enum component's) is not part of it."""
    text = prop.get("description")
    if not isinstance(text, str):
        return ""
    return _CHOICE_LINE.sub("", text).strip()


def _bounds(prop: dict, kind: str) -> dict:
    """The length and value bounds of a field, from the first member that has them (a URL
    field `oneOf: [{format: uri, maxLength: 200}, {maxLength: 0}]` is one field: the blank
    member is allow_blank's, not a bound)."""
    found = {}
    for member in [prop, *(m for m in members_of(prop) if m.get("maxLength") != 0)]:
        for key in ("minLength", "maxLength", "minimum", "maximum"):
            if key in member and key not in found:
                found[key] = member[key]
    if kind not in ("string", "email", "url", "slug", "list") or found.get("minLength") == 1:
        # minLength 1 on a string is drf-spectacular's mark of allow_blank=False, not a
        # min_length; a number's bounds are values, not lengths.
        found.pop("minLength", None)
    if kind not in ("string", "email", "url", "slug", "list"):
        found.pop("maxLength", None)
    if kind not in ("integer", "float", "decimal"):
        found.pop("minimum", None)
        found.pop("maximum", None)
    if kind == "list":
        for key, source in (("minLength", "minItems"), ("maxLength", "maxItems")):
            found.pop(key, None)
            if source in prop:
                found[key] = prop[source]
    return found


def _decimal_digits(prop: dict) -> tuple[int, int] | None:
    """A coerced DecimalField's max_digits and decimal_places, read back from its pattern.

    >>> _decimal_digits({"pattern": "^-?\\\\d{0,6}(?:\\\\.\\\\d{0,2})?$"})
    (8, 2)
    """
    for member in [prop, *members_of(prop)]:
        found = _DECIMAL.fullmatch(str(member.get("pattern", "")))
        if found:
            whole, places = int(found[1] or 0), int(found[2])
            return whole + places, places
    return None


def _choice_values(prop: dict) -> list:
    """A choice field's values, without the `null` and `""` that drf-spectacular adds as
    NullEnum and BlankEnum members for allow_null and allow_blank."""
    values: list = []
    for member in [prop, *members_of(prop)]:
        enum = member.get("enum")
        if not isinstance(enum, list) or enum in ([None], [""]):
            continue
        values += [v for v in enum if v is not None and v not in values]
    return values


def _choices(prop: dict) -> list[tuple]:
    """(value, display name) of each choice: the names from drf-spectacular's description
    of the choices, else the value itself (as a ChoiceField of plain values shows it)."""
    names: dict[str, str] = {}
    for member in [prop, *members_of(prop)]:
        text = member.get("description")
        if isinstance(text, str):
            for value, display in _CHOICE_LINE.findall(text):
                names.setdefault(value, display)
    return [(v, names.get(str(v), str(v))) for v in _choice_values(prop)]
