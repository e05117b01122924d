"""JSON Schema validators for the spec's schemas, for records built once at startup."""

from __future__ import annotations

import jsonschema_rs
import numpy as np

# Null in an int64 column (ids, date-times, dates): the smallest int64, below every value.
NULL_INT = int(np.iinfo(np.int64).min)


def column_kind(prop: dict) -> str:
    """How a field is stored: int, bool, datetime, date, decimal, text, ids (an array of the
    items' enum), idlist (an array of other records' ids) or json (an object, or anything
    else)."""
    prop = effective(prop)
    kind, fmt = prop.get("type"), prop.get("format")
    if kind in ("integer", "boolean"):
        return "int" if kind == "integer" else "bool"
    if kind == "array":
        items = prop.get("items") or {}
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


def effective(prop: dict) -> dict:
    """A property with its `allOf` / `oneOf` / `anyOf` members folded in: the type and format
    of the first typed member, the members' enums joined (drf-spectacular writes a nullable
    choice as `oneOf: [StatusEnum, BlankEnum, NullEnum]`).

    >>> effective({"nullable": True, "oneOf": [{"type": "string", "enum": ["a"]},
    ...                                        {"enum": [None]}]})
    {'nullable': True, 'type': 'string', 'enum': ['a', None]}
    """
    members = [m for key in ("allOf", "oneOf", "anyOf") for m in prop.get(key) or ()]
    if not members:
        return prop
    out = {k: v for k, v in prop.items() if k not in ("allOf", "oneOf", "anyOf")}
    enum: list = []
    for member in members:
        member = effective(member)
        for key in ("type", "format"):
            if key in member and key not in out:
                out[key] = member[key]
        if "enum" in member:
            enum += [v for v in member["enum"] if v not in enum]
    if enum and "enum" not in out:
        out["enum"] = enum
    return out


def json_schema(node):
    """An OpenAPI 3.0 schema as plain JSON Schema: `nullable: true` becomes a `null` type.

    >>> json_schema({"type": "string", "nullable": True})
    {'type': ['string', 'null']}
    """
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if not k.startswith("x-") and k != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if node.get("nullable") and "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


class Validator:
    """Validates instances against one resolved OpenAPI schema, formats included."""

    def __init__(self, schema: dict):
        self._validator = jsonschema_rs.Draft4Validator(json_schema(schema), validate_formats=True)

    def errors(self, instance) -> list[tuple[str, str]]:
        """(field path, message) for each problem, the first field first."""
        found = [
            ("/".join(str(p) for p in err.instance_path), err.message)
            for err in self._validator.iter_errors(instance)
        ]
        return sorted(found)

    def is_valid(self, instance) -> bool:
        return self._validator.is_valid(instance)
