"""JSON Schema validators for the spec's schemas, for records built once at startup."""

from __future__ import annotations

import re
import uuid

import jsonschema_rs
import numpy as np

# Null in an int64 column (ids, date-times, dates): the smallest int64, below every value.
NULL_INT = int(np.iinfo(np.int64).min)


def column_kind(prop: dict) -> str:
    """How a field is stored: int, bool, float (a `number`: DRF's FloatField), datetime,
    date, decimal, text, ids (an array of the items' enum), idlist (an array of other
    records' ids) or json (an object, values of more than one type, or anything else)."""
    if len(json_types(prop)) > 1:  # `oneOf: [integer, string]`: values of either type, kept whole
        return "json"
    prop = effective(prop)
    kind, fmt = prop.get("type"), prop.get("format")
    if isinstance(kind, list):  # OpenAPI 3.1: `[number, "null"]`
        kind = next((k for k in kind if k != "null"), None)
    if kind in ("integer", "boolean"):
        return "int" if kind == "integer" else "bool"
    if kind == "number":
        return "float"
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if "enum" in items:
            return "ids"
        return "idlist" if items.get("type") == "integer" else "json"
    if kind != "string":
        return "json"
    if fmt == "decimal":
        return "decimal"
    if fmt in ("date-time", "date"):
        return "datetime" if fmt == "date-time" else "date"
    return "text"


def json_types(prop: dict) -> set[str]:
    """The JSON types other than null that a property's own type or its oneOf / anyOf
    members name (a member without a type, as BlankEnum, names none).

    >>> sorted(json_types({"oneOf": [{"type": "integer"}, {"type": "string"}, {"enum": [None]}]}))
    ['integer', 'string']
    >>> sorted(json_types({"type": ["number", "null"]}))
    ['number']
    """
    kinds = prop.get("type")
    found = {k for k in (kinds if isinstance(kinds, list) else [kinds]) if isinstance(k, str)}
    for member in members_of(prop, ("oneOf", "anyOf")):
        found |= json_types(effective(member))
    return found - {"null"}


def members_of(prop: dict, keys=("allOf", "oneOf", "anyOf")) -> list[dict]:
    """The member schemas under these keywords; what is no schema (`anyOf: string`, as a
    published spec may hold) is left out, as schema.Validator leaves it out.

    >>> members_of({"oneOf": [{"type": "integer"}, "x"], "anyOf": "string"})
    [{'type': 'integer'}]
    """
    found = []
    for key in keys:
        listed = prop.get(key)
        if isinstance(listed, list):
            found += [m for m in listed if isinstance(m, dict)]
    return found


def effective(prop: dict) -> dict:
    """A property with its `allOf` / `oneOf` / `anyOf` members folded in: the type, format,
    items and additionalProperties of the first member having them, the members' enums and
    properties joined (drf-spectacular writes a nullable choice as `oneOf: [StatusEnum,
    BlankEnum, NullEnum]`, a nested serializer as `allOf: [Other]`).

    >>> effective({"nullable": True, "oneOf": [{"type": "string", "enum": ["a"]},
    ...                                        {"enum": [None]}]})
    {'nullable': True, 'type': 'string', 'enum': ['a', None]}
    """
    if isinstance(prop.get("type"), list):
        # OpenAPI 3.1's `type: [array, "null"]` is 3.0's `type: array, nullable: true`.
        kinds = [k for k in prop["type"] if k != "null"]
        nullable = len(kinds) < len(prop["type"])
        prop = {**prop, "type": kinds[0] if kinds else "null"}
        if nullable:
            prop["nullable"] = True
    members = members_of(prop)
    if not members:
        return prop
    out = {k: v for k, v in prop.items() if k not in ("allOf", "oneOf", "anyOf")}
    enum: list = []
    for member in members:
        member = effective(member)
        for key in ("type", "format", "items", "additionalProperties"):
            if key in member and key not in out:
                out[key] = member[key]
        if isinstance(member.get("properties"), dict) and member["properties"]:
            mine = out.get("properties") if isinstance(out.get("properties"), dict) else {}
            out["properties"] = {**mine, **member["properties"]}
        if isinstance(member.get("enum"), list):
            enum += [v for v in member["enum"] if v not in enum]
    if enum and "enum" not in out:
        out["enum"] = enum
    return out


def json_schema(node):
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable: true` becomes a `null` type,
    a oneOf with a discriminator's mapping an anyOf of members tagged (`_discriminated`).

    >>> json_schema({"type": "string", "nullable": True})
    {'type': ['string', 'null']}
    """
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if not k.startswith("x-") and k != "nullable"}
    tagged = _discriminated(node)
    if tagged is not None:
        del out["oneOf"]
        out.setdefault("allOf", []).append({"anyOf": tagged})
    named = _type_names(out.get("type"))
    if isinstance(out.get("type"), list) and named is not None:  # `[array, "null", "null"]`
        out["type"] = named
    if isinstance(out.get("required"), list) and isinstance(node.get("properties"), dict):
        # A response never renders a write-only field (DRF's to_representation skips them),
        # though a schema shared with requests lists it as required.
        props = node["properties"]
        out["required"] = [
            n for n in out["required"] if not (isinstance(n, str) and _write_only(props.get(n)))
        ]
        if not out["required"]:
            del out["required"]
    if not node.get("nullable"):
        return out
    if "type" in out:
        if named is not None:  # else no type: schema.Validator leaves the keyword out
            out["type"] = list(dict.fromkeys([*named, "null"]))
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    elif isinstance(out.get("enum"), list):
        if None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    elif any(key in out for key in ("allOf", "oneOf", "anyOf", "$ref")):
        # drf-spectacular's nullable nested serializer: `allOf: [Other], nullable: true`.
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _write_only(prop) -> bool:
    return isinstance(prop, dict) and bool(prop.get("writeOnly"))


def _type_names(kind) -> list[str] | None:
    """A `type` as a list of names once each; None when it holds anything but names."""
    kinds = kind if isinstance(kind, list) else [kind]
    if not all(isinstance(k, str) for k in kinds):
        return None
    return list(dict.fromkeys(kinds))


def _discriminated(node: dict) -> list | None:
    """A `oneOf` with a discriminator's mapping as OpenAPI reads it: the member the value's
    tag names is the one it must be valid under, though it may be valid under others too.
    (JSON Schema's `oneOf` wants exactly one, which drf-spectacular's
    PolymorphicProxySerializer members rarely are: authentik's 30 challenges differ only in
    their `component` tag.) None without a mapping of a tag for each member: the tags would
    then be the members' schema names, which a resolved spec has lost, and the schema would
    read differently resolved or not.

    >>> cat, dog = {"$ref": "#/c/Cat"}, {"type": "object"}
    >>> tagged = _discriminated({"oneOf": [cat, dog], "discriminator": {
    ...     "propertyName": "kind", "mapping": {"cat": "#/c/Cat", "dog": "#/c/Dog"}}})
    >>> [member["allOf"][0]["properties"]["kind"]["enum"] for member in tagged]
    [['cat'], ['dog']]
    """
    members, discriminator = node.get("oneOf"), node.get("discriminator")
    if not isinstance(members, list) or not isinstance(discriminator, dict):
        return None
    name, mapping = discriminator.get("propertyName"), discriminator.get("mapping")
    if not isinstance(name, str) or not isinstance(mapping, dict) or len(mapping) != len(members):
        return None
    if untagged(members, name):
        # The tag is a field beside this one (authentik's PolymorphicProxySerializer with
        # `resource_type_field_name="provider_model"` over a DictField `provider`), which
        # no member holds: the value is valid under one member at least.
        return [json_schema(member) for member in members]
    tagged = []
    for n, member in enumerate(members):
        ref = member.get("$ref") if isinstance(member, dict) else None
        # A mapping value is a reference or a schema's name. A resolved member has lost its
        # reference: drf-spectacular writes the mapping in the order of the members
        # (mockserver.fake.sample tags its values so too).
        tags = [
            t
            for t, v in mapping.items()
            if isinstance(ref, str) and v in (ref, ref.rsplit("/", 1)[-1])
        ]
        match = {"properties": {name: {"enum": tags or [list(mapping)[n]]}}, "required": [name]}
        tagged.append({"allOf": [match, json_schema(member)]})
    return tagged


def untagged(members: list, name: str, resolve=lambda node: node) -> bool:
    """Whether no member of a discriminated `oneOf` has the discriminator's property
    (`resolve` follows a reference; one it cannot follow is taken to have it).

    >>> untagged([{"properties": {"a": {}}}, {"allOf": [{"properties": {"b": {}}}]}], "kind")
    True
    >>> untagged([{"properties": {"a": {}}}, {"allOf": [{"$ref": "#/c/Geometry"}]}], "kind")
    False
    >>> untagged([{"properties": {"kind": {}}}], "kind")
    False
    """
    return not any(_holds(member, name, resolve, 0) for member in members)


def _holds(node, name: str, resolve, depth: int) -> bool:
    if isinstance(node, dict) and "$ref" in node:
        node = resolve(node)
    if not isinstance(node, dict) or "$ref" in node or depth > 8:
        return True
    if name in (node.get("properties") or {}):
        return True
    return any(
        _holds(part, name, resolve, depth + 1)
        for key in ("allOf", "oneOf", "anyOf")
        for part in node.get(key) or ()
    )


def implicit_mappings(node) -> None:
    """Each discriminator without a `mapping` whose `oneOf` / `anyOf` members are all
    references given the mapping OpenAPI implies (in place): the value naming a member is
    its schema's name (OpenAPI 3.0.3, Discriminator Object: "the inline or referenced
    schema name ... can be used as the value"). Written out before anything resolves the
    document, the names survive resolution, and every reader (the served document, the
    validators, the data generator, the serializer) tells the members apart by their tag,
    as the service does: objects-api's GeoJSON geometry is read by its `type`, and a
    Polygon and a MultiLineString share one schema otherwise.

    >>> node = {"oneOf": [{"$ref": "#/c/s/Point"}, {"$ref": "#/c/s/Line"}],
    ...         "discriminator": {"propertyName": "type"}}
    >>> implicit_mappings(node)
    >>> node["discriminator"]["mapping"]
    {'Point': '#/c/s/Point', 'Line': '#/c/s/Line'}
    """
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        choice = node.get("discriminator")
        members = node.get("oneOf") or node.get("anyOf")
        if isinstance(choice, dict) and "mapping" not in choice and isinstance(members, list):
            refs = [m.get("$ref") if isinstance(m, dict) else None for m in members]
            names = [r.rsplit("/", 1)[-1] for r in refs if isinstance(r, str)]
            if members and len(names) == len(members) == len(set(names)):
                choice["mapping"] = dict(zip(names, refs, strict=True))
        stack.extend(node.values())


# DRF's TimeField renders `value.isoformat()`: `14:30:00`, `14:30:00.250000`, an offset only
# for an aware time. JSON Schema's `time` (RFC 3339 full-time) would want the offset always.
_TIME = re.compile(r"\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)?")
FORMATS = {
    "time": lambda text: _TIME.fullmatch(text) is not None,
    # Draft 4 has no `uuid` format, so a validator of that draft passes any text as one; a
    # UUIDField takes what `uuid.UUID(hex=...)` reads (DRF's UUIDField.to_internal_value):
    # dashes or none, braces, a `urn:uuid:` prefix.
    "uuid": lambda text: _is_uuid(text),
}


def _is_uuid(text: str) -> bool:
    """Whether DRF's UUIDField takes `text`.

    >>> [_is_uuid(t) for t in ("e3e70682-c209-4cac-a29f-6fbed82c07cd", "E3E70682C2094CAC"
    ...     "A29F6FBED82C07CD", "", "x")]
    [True, True, False, False]
    """
    try:
        uuid.UUID(hex=text)
    except ValueError:
        return False
    return True


def with_refs(schema: dict, refs: dict[str, dict] | None) -> dict:
    """A JSON Schema document holding `schema` and the targets of the `$ref`s it uses, each
    at its pointer (`#/components/schemas/Tag`), so that a recursive schema validates.

    >>> with_refs({"$ref": "#/c/T"}, {"#/c/T": {"type": "integer"}})
    {'$ref': '#/c/T', 'c': {'T': {'type': 'integer'}}}
    """
    root = json_schema(schema)
    for ref, target in (refs or {}).items():
        parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[2:].split("/")]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = json_schema(target)
    return root


def _well_formed(node, mapping: bool = False):
    """`node` without the keywords whose values JSON Schema refuses: a subschema that is
    no object (`items: string`), a type that is no type name. `mapping`: a map of names to
    schemas (`properties`), whose keys are no keywords.

    >>> _well_formed({"type": "array", "items": "string", "properties": {"type": {"type": "x"}}})
    {'type': 'array', 'properties': {'type': {}}}
    """
    if isinstance(node, list):
        return [_well_formed(item) for item in node]
    if not isinstance(node, dict):
        return node
    if mapping:
        return {key: _well_formed(value) for key, value in node.items()}
    out = {}
    for key, value in node.items():
        if key in _SUBSCHEMA and not isinstance(value, dict):
            continue
        kinds = value if isinstance(value, list) else [value]
        if key == "type" and not all(isinstance(t, str) and t in _TYPES for t in kinds):
            continue
        out[key] = _well_formed(value, key in _MAPS)
    return out


_MAPS = {"properties", "patternProperties", "definitions", "$defs", "components", "schemas"}
_MOST_REPAIRS = 100


def _drop(document: dict, path: list) -> bool:
    """Remove the node at `path` from `document`; False when the path is the root."""
    if not path:
        return False
    node = document
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return True


_SUBSCHEMA = {"items", "additionalProperties", "not"}
_TYPES = {"array", "boolean", "integer", "null", "number", "object", "string"}


class Validator:
    """Validates instances against one resolved OpenAPI schema, formats included; `refs`
    gives the targets of `$ref`s left in it (see mockserver.fake.sample.references)."""

    def __init__(self, schema: dict, refs: dict[str, dict] | None = None):
        document = with_refs(schema, refs)
        try:
            self._validator = jsonschema_rs.Draft4Validator(
                document, validate_formats=True, formats=FORMATS
            )
        except (jsonschema_rs.ValidationError, ValueError):
            # A schema JSON Schema itself refuses (`items: string`, `required: labels`, as
            # published specs hold): its instances are checked against its well-formed
            # parts only, each refused part taken out where the meta-schema points.
            document = _well_formed(document)
            for _ in range(_MOST_REPAIRS):
                try:
                    self._validator = jsonschema_rs.Draft4Validator(
                        document, validate_formats=True, formats=FORMATS
                    )
                    break
                except jsonschema_rs.ValidationError as error:
                    if not _drop(document, list(error.instance_path)):
                        document = {}
            else:
                self._validator = jsonschema_rs.Draft4Validator({})

    def errors(self, instance) -> list[tuple[str, str]]:
        """(field path, message) for each problem, the first field first."""
        found = [
            ("/".join(str(p) for p in err.instance_path), err.message)
            for err in self._validator.iter_errors(instance)
        ]
        return sorted(found)

    def is_valid(self, instance) -> bool:
        return self._validator.is_valid(instance)
