"""Sample values: one deterministic, valid and plausible JSON value for any OpenAPI schema.

`sample(schema, key, seed, resolve)` makes the value a DRF service could answer for an
OpenAPI 3.0 or 3.1 schema as drf-spectacular writes it: nested serializers (`$ref`,
`allOf: [Other]`), lists of them, `oneOf` with a discriminator (PolymorphicProxySerializer),
`BlankEnum` and `NullEnum`, `nullable` and 3.1's `[string, "null"]`, maps
(`additionalProperties`), every format as DRF renders it, and names read as
mockserver/contract/conventions.py reads them (`rating` is 1 to 5, `etag` 32 hex digits, an
`updated_at` after its object's `created_at`; mockserver/fake/scalars.py makes those values).
Write-only fields are left out, as DRF's `to_representation` leaves them out of every answer.

Every choice is a hash of (seed, key, the value's path), so the same arguments give the
same value in every process, and no module state is random. `resolve` follows a `$ref`
one level; schemas may be recursive (`Tag.children: [Tag]`), so a `$ref` met a third time
on the way down (counting the record's own, `Sampler.within`), or a value nested deeper
than MAX_DEPTH, gets the smallest valid value, and so do the values it holds: null if
nullable, an empty list, an object without its optional nested values (an optional
recursive one is left out rather than null). mockserver/fake/recursion.py turns a resolved
schema's cuts back into `$ref`s for this walk, and names a schema no value of which ends.

Published specs hold shapes that a plain walk (mockserver/fake/walk.py) gets wrong, so the
walk checks itself where they meet: a `oneOf` value must be valid under exactly one member
(GeoJSON's Polygon and MultiLineString have the same coordinates; a serializer's fields are
a subset of another's), so each member's value is checked against the whole `oneOf` and,
when it fails, drawn again or taken from the next member; a required property the schema
does not declare is still given. A schema no value satisfies (an `additionalProperties:
false` beside a `oneOf` of objects) raises `NoValue` inside the walk: a list leaves that
item out, an object that optional property, a nullable value is null. `Sampler.checked` is
the safety net around a whole value: checked against its schema, drawn again with other
keys, then its smallest value.

>>> value = sample({"type": "object", "required": ["id"], "properties": {
...     "id": {"type": "integer", "readOnly": True},
...     "password": {"type": "string", "writeOnly": True},
...     "score": {"type": "number", "format": "double"}}}, "users/1", 42)
>>> sorted(value), type(value["score"]).__name__
(['id', 'score'], 'float')
>>> value == sample({"type": "object", "required": ["id"], "properties": {
...     "id": {"type": "integer", "readOnly": True},
...     "password": {"type": "string", "writeOnly": True},
...     "score": {"type": "number", "format": "double"}}}, "users/1", 42)
True
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.contract.schema import Validator
from mockserver.fake.walk import MAX_DEPTH, SHARED, NoValue, Walk, as_mapping, required_names

# `Sampler.checked`: whole values drawn with other keys before the smallest value is taken.
REDRAWS = 3

Resolve = Callable[[dict], dict]


def sample(
    schema: dict, key: str, seed: int, resolve: Resolve | None = None, checked: bool = False
) -> object:
    """A value valid against `schema`, the same for the same (schema, key, seed).

    `resolve(node)` gives the target of a node holding a `$ref`, one level (the target may
    hold a `$ref` again): `Spec.resolve_shallow`, or `resolver(references(...))`. Without
    it, the schema must hold no `$ref`. `checked`: through `Sampler.checked`'s safety net
    (a value checked against the schema; a caller sampling one schema many times keeps a
    `Sampler`, which compiles the schema's validators once).

    >>> sample({"type": "string", "format": "time"}, "k", 1)
    '18:24:17'
    >>> unsatisfiable = {"type": "object", "required": ["a"], "additionalProperties": False}
    >>> sample({"type": "array", "items": unsatisfiable}, "k", 1, checked=True)
    []
    """
    sampler = Sampler(resolve)
    return sampler.checked(schema, key, seed) if checked else sampler.sample(schema, key, seed)


class Sampler:
    """`sample` with one resolver, remembering each schema node's merged form (`allOf`
    folded, `$ref`s followed) and validator, so that a collection's records do that work
    once."""

    def __init__(
        self, resolve: Resolve | None = None, max_depth: int = MAX_DEPTH, within: tuple = ()
    ):
        self.resolve = resolve or _no_refs
        self.max_depth = max_depth
        # The references every value is already inside: a field of a Tag record is inside
        # one Tag, so a Tag in it nests once more, not twice.
        self.within = tuple(within)
        self._flat: dict[int, tuple[dict, dict, tuple[str, ...]]] = {}
        self._validators: dict[int, tuple[dict, Validator]] = {}
        self._combined: dict[tuple[int, int], tuple[dict, dict, dict]] = {}

    def sample(
        self, schema: dict, key: str, seed: int, name: str = "", least: bool = False
    ) -> object:
        """The value of (schema, key, seed); `name` is the property holding it, read as
        conventions.py reads names. `least`: the smallest value (null when nullable, the
        fewest items, an object of its required properties only)."""
        try:
            return Walk(self, f"{seed}/{key}|".encode(), least).value(
                schema, "", 0, self.within, name, None
            )
        except NoValue:
            if least:
                return None
            return self.sample(schema, key, seed, name, least=True)

    def checked(
        self,
        schema: dict,
        key: str,
        seed: int,
        name: str = "",
        validator: Validator | None = None,
    ) -> object:
        """`sample`'s value if it is valid against `schema`; else one drawn with another key
        (REDRAWS times); else the smallest value, which the caller's own check judges.

        >>> ambiguous = {"type": "object", "required": ["n"], "properties": {"n": {"oneOf": [
        ...     {"type": "integer", "minimum": 1, "maximum": 9}, {"type": "number"}]}}}
        >>> Sampler().checked(ambiguous, "k", 3)
        {'n': 989.47}
        """
        validator = validator or self.validator(schema)
        for redraw in range(REDRAWS + 1):
            value = self.sample(schema, f"{key}#{redraw}" if redraw else key, seed, name)
            if validator.is_valid(value):
                return value
        return self.sample(schema, key, seed, name, least=True)

    def validator(self, node: dict) -> Validator:
        """The node's validator, compiled once (with the targets of the `$ref`s it holds)."""
        hit = self._validators.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1]
        validator = Validator(node, references(node, self.resolve) or None)
        self._validators[id(node)] = (node, validator)
        return validator

    def combined(self, node: dict, member: dict) -> dict:
        """A oneOf member with its oneOf's own keywords (`SHARED`) folded in, made once."""
        shared = {k: v for k, v in node.items() if k in SHARED}
        if not shared:
            return member
        hit = self._combined.get((id(node), id(member)))
        if hit is None or hit[0] is not node or hit[1] is not member:
            hit = (node, member, {"allOf": [shared, member]})
            self._combined[(id(node), id(member))] = hit
        return hit[2]

    def flat(self, node: dict) -> tuple[dict, tuple[str, ...]]:
        """The node with `$ref`s followed and `allOf` merged, and the refs followed."""
        hit = self._flat.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1], hit[2]
        refs: list[str] = []
        merged = node
        while isinstance(merged, dict) and "$ref" in merged:
            if merged["$ref"] in refs:  # `A: {$ref: A}`: no schema at all
                merged = {}
                break
            refs.append(merged["$ref"])
            merged = self.resolve(merged)
        if not isinstance(merged, dict):
            merged = {}
        if merged.get("allOf") and isinstance(merged["allOf"], list):
            out = {k: v for k, v in merged.items() if k != "allOf"}
            props: dict = {}
            required: list = []
            for member in merged["allOf"]:
                part, member_refs = self.flat(member) if isinstance(member, dict) else ({}, ())
                refs += member_refs
                props.update(as_mapping(part.get("properties")))
                required += [r for r in required_names(part.get("required")) if r not in required]
                for k, v in part.items():
                    if k not in ("properties", "required"):
                        out.setdefault(k, v)
            props.update(as_mapping(merged.get("properties")))
            required += [r for r in required_names(merged.get("required")) if r not in required]
            if props:
                out["properties"] = props
            if required:
                out["required"] = required
            merged = out
        self._flat[id(node)] = (node, merged, tuple(refs))
        return merged, tuple(refs)


def _no_refs(node: dict) -> dict:
    raise ValueError(f"no resolver for {node['$ref']!r}")


def references(schema: dict, resolve: Resolve) -> dict[str, dict]:
    """Every `$ref` reachable from `schema`, mapped to its target (one level): what
    `resolver` needs in another process, and `schema.Validator`'s `refs`.

    >>> tag = {"properties": {"children": {"type": "array", "items": {"$ref": "#/c/Tag"}}}}
    >>> references({"$ref": "#/c/Tag"}, lambda node: tag) == {"#/c/Tag": tag}
    True
    """
    found: dict[str, dict] = {}

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in found:
                found[ref] = target = resolve({"$ref": ref})
                walk(target)
            for k, v in node.items():
                if k != "$ref" and not k.startswith("x-"):
                    walk(v)

    walk(schema)
    return found


def resolver(refs: dict[str, dict]) -> Resolve:
    """A `resolve` from `references`' map (a plain dict pickles to a build's workers)."""
    return lambda node: refs[node["$ref"]]
