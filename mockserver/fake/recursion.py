"""Recursive schemas made into records: their cuts turned back into references, and the
question whether any instance of them ends.

A resolved schema (mockserver.contract.spec.Spec.resolve) cuts a reference met inside
itself (`Tag.children: [Tag]`, `Tag.parent: Tag`) as `{"x-recursive": ref}`, which any value
satisfies. A record must satisfy the real schema, as the service's own serializer output
does and as Connexion's response validation checks it: so the generation schema gets its
`$ref`s back (`restored`), with the targets that mockserver.fake.sample follows one level
at a time and bounds (a nested Tag nests twice, then ends as its smallest value: null, an
empty list, its optional nested fields left out).

Some recursive schemas have no finite instance: a Tag whose `parent` is a required,
non-nullable Tag needs another Tag, and that one another. No record can end, and
`unending` names the field, for one error line instead of an invalid record.

>>> tag = {"type": "object", "required": ["parent"],
...        "properties": {"parent": {"$ref": "#/c/Tag"}}}
>>> schema, refs = restored({"properties": {"parent": {"x-recursive": "#/c/Tag"}}},
...                         lambda node: tag)
>>> schema, list(refs)
({'properties': {'parent': {'$ref': '#/c/Tag'}}}, ['#/c/Tag'])
>>> unending(schema, refs)
('parent', '#/c/Tag')
"""

from __future__ import annotations

import orjson

from mockserver.fake.sample import Resolve, references

_CUT = "x-recursive"  # the key of a cut reference, as Spec.resolve writes it


def restored(schema: dict, resolve: Resolve) -> tuple[dict, dict[str, dict]]:
    """`schema` with each cut reference a `$ref` again, and the targets of the `$ref`s it
    reaches (`sample.references`, for a build's workers and its validator); the schema
    itself and `{}` when nothing was cut, which is most schemas.

    >>> restored({"type": "string"}, None)
    ({'type': 'string'}, {})
    """
    out = _uncut(schema) if _has_cut(schema) else schema
    if out is schema:
        return schema, {}
    return out, references(out, resolve)


def _has_cut(schema: dict) -> bool:
    """Whether the schema holds a cut: a byte search in C, so that a spec of hundreds of
    resources walks only the few that do (authentik's 311 take 3 ms: its start time stays
    what it was). A schema orjson cannot write (an integer past 64 bits) is walked.

    >>> _has_cut({"maximum": 10**30, "items": {"x-recursive": "#/c/T"}})
    True
    """
    try:
        text = orjson.dumps(schema, option=orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):
        return True
    return f'"{_CUT}"'.encode() in text


def _uncut(node):
    """`node` with its cuts made references, copied only along the way to one (the same
    object when it holds none)."""
    if isinstance(node, list):
        items = [_uncut(item) for item in node]
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if not isinstance(node, dict):
        return node
    if isinstance(node.get(_CUT), str):
        return {"$ref": node[_CUT]}
    values = {key: _uncut(value) for key, value in node.items()}
    return node if all(values[k] is v for k, v in node.items()) else values


def unending(schema: dict, refs: dict[str, dict]) -> tuple[str, str] | None:
    """(a property, the reference it needs) of an object schema whose property has no
    finite value; None when every property has one.

    A value ends where the schema lets it stop: null where nullable, an empty list where no
    item is required, an object without its optional properties, one member of a oneOf
    that ends. The references that end are found as a least fixed point: none at first,
    then each whose target ends given those found, until no more are.

    >>> node = {"type": "object", "properties": {"next": {"$ref": "#/c/N"}}}
    >>> unending(node, {"#/c/N": {"properties": {"next": {"$ref": "#/c/N"}}}}) is None
    True
    """
    ends: set[str] = set()
    grown = True
    while grown:
        grown = False
        for ref, target in refs.items():
            if ref not in ends and _needs(target, ends) is None:
                ends.add(ref)
                grown = True
    properties = schema.get("properties")
    for name, prop in properties.items() if isinstance(properties, dict) else ():
        needed = _needs(prop, ends)
        if needed is not None:
            return name, needed
    return None


def _needs(node, ends: set[str]) -> str | None:
    """A reference, not among `ends`, that every value of `node` holds; None when a value
    of `node` can end."""
    if not isinstance(node, dict):
        return None
    kind = node.get("type")
    enum = node.get("enum")
    if (
        node.get("nullable") is True
        or kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or (isinstance(enum, list) and None in enum)
    ):
        return None
    ref = node.get("$ref")
    if isinstance(ref, str):
        return None if ref in ends else ref
    members = node.get("allOf")
    for member in members if isinstance(members, list) else ():
        needed = _needs(member, ends)
        if needed is not None:
            return needed
    for keyword in ("oneOf", "anyOf"):
        members = node.get(keyword)
        if isinstance(members, list) and members:
            needed = [_needs(member, ends) for member in members]
            if None not in needed:
                return needed[0]
    items = node.get("items")
    low = node.get("minItems")
    if isinstance(items, dict) and isinstance(low, int) and low > 0:
        needed = _needs(items, ends)
        if needed is not None:
            return needed
    properties = node.get("properties")
    required = node.get("required")
    if isinstance(properties, dict) and isinstance(required, list):
        for name in required:
            prop = properties.get(name) if isinstance(name, str) else None
            # A write-only field is never rendered (DRF's to_representation skips it).
            if isinstance(prop, dict) and not prop.get("writeOnly"):
                needed = _needs(prop, ends)
                if needed is not None:
                    return needed
    return None
