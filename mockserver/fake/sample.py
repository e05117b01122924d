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

Published specs hold shapes that a plain walk gets wrong, so the walk checks itself where
they meet: a `oneOf` value must be valid under exactly one member (GeoJSON's Polygon and
MultiLineString have the same coordinates; a serializer's fields are a subset of
another's), so each member's value is checked against the whole `oneOf` and, when it
fails, drawn again or taken from the next member; a required property the schema does not
declare is still given. A schema no value satisfies (an `additionalProperties: false`
beside a `oneOf` of objects) raises `NoValue` inside the walk: a list leaves that item
out, an object that optional property, a nullable value is null. `Sampler.checked` is the
safety net around a whole value: checked against its schema, drawn again with other keys,
then its smallest value.

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

import orjson

from mockserver.contract import conventions
from mockserver.contract.schema import Validator
from mockserver.contract.timefmt import parse_datetime
from mockserver.fake.scalars import Scalars

# Shares of nulls and blanks where a schema allows them (conventions.faker_rule's `null`).
NULL_SHARE = 0.1
BLANK_SHARE = 0.05
# Objects and lists nested below the top value before values become the smallest valid ones.
MAX_DEPTH = 4
# Past this, a required, non-nullable object that contains itself is given up as `{}`: no
# finite value is valid.
_GIVE_UP = MAX_DEPTH + 8
# `Sampler.checked`: whole values drawn with other keys before the smallest value is taken.
REDRAWS = 3
# Draws of a oneOf's first chosen member before the other members are tried (one each).
_MEMBER_DRAWS = 2
# A oneOf's or anyOf's own keywords that hold for whichever member is chosen
# (`additionalProperties: false` beside the members, properties shared by all).
_SHARED = ("properties", "required", "additionalProperties", "minProperties", "maxProperties")

Resolve = Callable[[dict], dict]


class NoValue(Exception):
    """The walk found no valid value for a node; its container leaves the node out."""


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
            return _Walk(self, f"{seed}/{key}|".encode(), least).value(
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
        """A oneOf member with its oneOf's own keywords (`_SHARED`) folded in, made once."""
        shared = {k: v for k, v in node.items() if k in _SHARED}
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
                props.update(_mapping(part.get("properties")))
                required += [r for r in _names(part.get("required")) if r not in required]
                for k, v in part.items():
                    if k not in ("properties", "required"):
                        out.setdefault(k, v)
            props.update(_mapping(merged.get("properties")))
            required += [r for r in _names(merged.get("required")) if r not in required]
            if props:
                out["properties"] = props
            if required:
                out["required"] = required
            merged = out
        self._flat[id(node)] = (node, merged, tuple(refs))
        return merged, tuple(refs)


def _no_refs(node: dict) -> dict:
    raise ValueError(f"no resolver for {node['$ref']!r}")


def _names(required) -> list[str]:
    """A `required` list's names; published specs also hold `required: labels`, which JSON
    Schema refuses (schema.Validator leaves it out, and so does the walk)."""
    return [r for r in required if isinstance(r, str)] if isinstance(required, list) else []


def _mapping(node) -> dict:
    return node if isinstance(node, dict) else {}


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


# -- the walk ------------------------------------------------------------------------------


class _Walk(Scalars):
    """One value's making: the hash prefix of (seed, key), the sampler, and whether the
    smallest value is wanted (`least`)."""

    def __init__(self, sampler: Sampler, prefix: bytes, least: bool = False):
        super().__init__(prefix)
        self.sampler = sampler
        self.least = least

    # -- any node --------------------------------------------------------------------------

    def value(self, node, path: str, depth: int, stack: tuple, name: str, floor):
        if not isinstance(node, dict):
            return None
        original = node
        node, refs = self.sampler.flat(node)
        stack = stack + refs
        # A schema nests once inside itself (a comment's parent comment), not deeper.
        bound = (
            self.least or depth > self.sampler.max_depth or any(stack.count(r) > 2 for r in refs)
        )
        if "const" in node:
            return node["const"]
        kind = node.get("type")
        if isinstance(kind, list):  # OpenAPI 3.1
            nullable = "null" in kind
            kinds = [k for k in kind if k != "null"]
            kind = self.pick(f"{path}#type", kinds) if kinds else None
        else:
            nullable = bool(node.get("nullable"))
        enum = node.get("enum")
        if isinstance(enum, list) and None in enum:
            nullable = True
        members = node.get("oneOf") or node.get("anyOf")
        if members and isinstance(members, list):
            return self.member(
                original, node, members, path, depth, stack, name, floor, nullable, bound
            )
        if nullable and (bound or self.uniform(f"{path}#null") < NULL_SHARE):
            return None
        if isinstance(enum, list):
            values = [v for v in enum if v is not None]
            return self.pick(path, values) if values else None
        try:
            return self.typed(node, kind, path, depth, stack, name, floor, bound)
        except NoValue:
            if nullable:
                return None
            raise

    def typed(self, node, kind, path, depth, stack, name, floor, bound):
        """A value of the node's type (or the type its keywords imply)."""
        if kind is None:
            if "properties" in node or "additionalProperties" in node:
                kind = "object"
            elif "items" in node:
                kind = "array"
            elif "format" in node or "pattern" in node or "maxLength" in node:
                kind = "string"
            else:
                kind = "object"  # any JSON (DRF's JSONField): a small map
        if kind == "object":
            return self.object(node, path, depth, stack, bound)
        if kind == "array":
            return self.array(node, path, depth, stack, name, bound)
        if kind == "string":
            return self.string(node, path, name, floor)
        if kind == "integer":
            return self.integer(node, path, name)
        if kind == "number":
            return self.number(node, path, name)
        if kind == "boolean":
            return self.uniform(path) < 0.5
        return None  # `type: "null"`

    def member(self, original, node, members, path, depth, stack, name, floor, nullable, bound):
        """`oneOf` / `anyOf`: one member by a draw; NullEnum and BlankEnum now and then.

        When two or more members could give the value (or the node adds keywords of its
        own), the value is checked against the whole node: a oneOf's value must be valid
        under exactly one member. A value that is not is drawn again, then taken from the
        other members in turn; with none valid, the node has no value (NoValue)."""
        real, blank = [], False
        for member in members:
            flat, _ = self.sampler.flat(member) if isinstance(member, dict) else ({}, ())
            enum = flat.get("enum")
            if enum == [None] or flat.get("type") == "null":
                nullable = True
            elif enum == [""]:
                blank = True
            elif isinstance(member, dict):
                real.append(member)
        # A oneOf member of any type (`oneOf: [{}, {type: null}]`) also takes null and "":
        # then neither is valid under exactly one member.
        loose = node.get("oneOf") is members and any(self.untyped(m) for m in real)

        def takes(value) -> bool:
            return not loose or self.sampler.validator(original).is_valid(value)

        drawn = bound or not real or self.uniform(f"{path}#null") < NULL_SHARE
        if nullable and drawn and takes(None):
            return None
        if blank and (not real or self.uniform(f"{path}#blank") < BLANK_SHARE) and takes(""):
            return ""
        if not real:
            return None
        first = self.below(f"{path}#of", len(real))
        order = real[first:] + real[:first]
        tries = [order[0]] * _MEMBER_DRAWS + order[1:]
        check = len(real) > 1 or any(k in node for k in _SHARED)
        for attempt, chosen in enumerate(tries):
            where = f"{path}#of{attempt}" if attempt else path
            target = self.sampler.combined(node, chosen)
            try:
                value = self.value(target, where, depth, stack, name, floor)
            except NoValue:
                continue
            value = self.tagged(node, real, chosen, value)
            if not check or self.sampler.validator(original).is_valid(value):
                return value
        if nullable and takes(None):
            return None
        if blank and takes(""):
            return ""
        raise NoValue

    def untyped(self, member) -> bool:
        """A schema of no type, enum or const: it takes any value, null among them."""
        flat, _ = self.sampler.flat(member)
        return not any(k in flat for k in ("type", "enum", "const", "oneOf", "anyOf"))

    def tagged(self, node, real, chosen, value):
        """The chosen member's name in the discriminator's property, as DRF's
        PolymorphicProxySerializer writes it."""
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, dict) or not isinstance(value, dict):
            return value
        _, refs = self.sampler.flat(chosen)
        ref = refs[0] if refs else None
        mapping = _mapping(discriminator.get("mapping"))
        # A mapping value is a reference or a schema's name (as schema.Validator reads it).
        tag = next((k for k, v in mapping.items() if ref and v in (ref, ref.rsplit("/")[-1])), None)
        if tag is None and ref is not None:
            tag = ref.rsplit("/", 1)[-1]  # OpenAPI's default: the schema's name
        if tag is None and len(mapping) == len(real):
            # A resolved schema has lost its refs; drf-spectacular writes the mapping
            # in the order of the members (PolymorphicProxySerializer's serializers).
            tag = list(mapping)[real.index(chosen)]
        if tag is not None and isinstance(discriminator.get("propertyName"), str):
            value[discriminator["propertyName"]] = tag
        return value

    # -- containers ------------------------------------------------------------------------

    def object(self, node, path, depth, stack, bound) -> dict:
        props = _mapping(node.get("properties"))
        required = _names(node.get("required"))
        made = self.fields(node, props, required, path, depth, stack, bound) if props else None
        if made is None:
            made = self.map(node, path, depth, stack, bound)
        # A required name the schema does not declare (allauth's AccountConfiguration
        # requires `authentication_method` and lists no such property) is still given.
        extra = node.get("additionalProperties", True)
        for missing in [n for n in required if n not in made and n not in props]:
            if extra is False:
                raise NoValue
            where = f"{path}/{missing}"
            if isinstance(extra, dict) and extra:
                made[missing] = self.value(extra, where, depth + 1, stack, missing, None)
            else:
                made[missing] = self.named({}, where, missing)
        return made

    def fields(self, node, props, required, path, depth, stack, bound) -> dict:
        """An object's declared properties: at the bound without its optional nested
        values; the smallest value (`least`) has its required properties only."""
        if depth >= _GIVE_UP:
            return {}
        names = [n for n, p in props.items() if not (isinstance(p, dict) and p.get("writeOnly"))]
        # Creation moments first, so that an `updated_at` can come after them.
        first = [n for n in names if conventions.is_created(n)]
        made: dict = {}
        floor = None
        # At the bound the required values are the smallest too (a Tag's `children: []`,
        # its `parent: null`), so that a recursive schema ends at the next level.
        below = depth + 1 if not bound else max(depth + 1, self.sampler.max_depth + 1)
        for prop_name in first + [n for n in names if n not in first]:
            sub = props[prop_name]
            optional = prop_name not in required
            if optional and (
                self.least or (bound and self.structured(sub)) or self.ending(sub, stack)
            ):
                continue  # at the bound an optional nested value is left out
            later = floor if conventions.is_updated(prop_name) else None
            try:
                made[prop_name] = self.value(
                    sub, f"{path}/{prop_name}", below, stack, prop_name, later
                )
            except NoValue:
                if optional:
                    continue
                raise
            if prop_name in first and isinstance(made[prop_name], str):
                moment = parse_datetime(made[prop_name])
                if moment is not None and (floor is None or moment > floor):
                    floor = moment
        return {n: made[n] for n in names if n in made}

    def ending(self, node, stack: tuple) -> bool:
        """Whether the node's value would be a recursive schema past its bound (a Tag a
        third time on the way down): an optional one is left out rather than made null,
        the shortest ending Connexion's response validation also takes."""
        if not isinstance(node, dict):
            return False
        _, refs = self.sampler.flat(node)
        return any((stack + refs).count(r) > 2 for r in refs)

    def structured(self, node) -> bool:
        if not isinstance(node, dict):
            return False
        flat, refs = self.sampler.flat(node)
        if refs:
            # A nested serializer left in as a reference (a recursive schema's): left out
            # at the bound even when nullable, since Connexion's response validation takes
            # no null for `allOf: [Tag], nullable: true` (its `nullable` holds only beside
            # a `type`).
            return True
        if flat.get("nullable"):
            return False
        kind = flat.get("type")
        if kind in ("object", "array"):
            return True
        return kind is None and any(k in flat for k in ("properties", "oneOf", "anyOf"))

    def map(self, node, path, depth, stack, bound) -> dict:
        """An object without properties: a few keys of `additionalProperties`' values."""
        extra = node.get("additionalProperties", True)
        least = node.get("minProperties") if isinstance(node.get("minProperties"), int) else 0
        if (bound and not least) or extra is False:
            return {}
        count = 1 + self.below(f"{path}#n", 3)
        if isinstance(node.get("maxProperties"), int):
            count = min(count, node["maxProperties"])
        count = max(count, least)
        keys = list(dict.fromkeys(self.word(f"{path}#k{n}") for n in range(count + 3)))
        out = {}
        for key in keys[:count]:
            if isinstance(extra, dict) and extra:
                try:
                    out[key] = self.value(extra, f"{path}/{key}", depth + 1, stack, key, None)
                except NoValue:
                    continue
            else:
                out[key] = self.word(f"{path}/{key}")
        if len(out) < least:
            raise NoValue
        return out

    def array(self, node, path, depth, stack, name, bound) -> list:
        low = node.get("minItems") if isinstance(node.get("minItems"), int) else 0
        high = node.get("maxItems") if isinstance(node.get("maxItems"), int) else None
        if bound:
            count = low
        else:
            start = max(low, 1)
            more = 2 if depth < 2 else 1  # lists inside lists stay short
            stop = start + more if high is None else min(start + more, high)
            start = min(start, stop)
            count = start + self.below(f"{path}#n", stop - start + 1)
        item_name = name[:-1] if name.endswith("s") else name
        items = node.get("items") or {}
        values = []
        for n in range(count):
            try:
                values.append(self.value(items, f"{path}/{n}", depth + 1, stack, item_name, None))
            except NoValue:
                continue  # an item no value satisfies is left out
        if node.get("uniqueItems"):
            unique = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS): v for v in values}
            values = list(unique.values())
        if len(values) < low:
            raise NoValue
        return values
