"""Placeholder: values from a schema (replaced by the full generator)."""

from __future__ import annotations


def sample(schema, key, seed, resolve, depth=0):
    schema = resolve(schema) if isinstance(schema, dict) else {}
    if depth > 4:
        return None
    kind = schema.get("type")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "array":
        return [sample(schema.get("items") or {}, key, seed, resolve, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        return "text"
    props = schema.get("properties") or {}
    return {k: sample(v, key, seed, resolve, depth + 1) for k, v in props.items()}
