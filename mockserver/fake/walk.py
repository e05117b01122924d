"""One value's walk down a schema: the choices made for a node, its members, objects, maps
and lists, each a hash of (seed, key, the value's path).

mockserver/fake/sample.py is the entry (`sample`, `Sampler`): it folds a node's `allOf` and
`$ref`s once (`Sampler.flat`), compiles its validators and catches `NoValue`; a `Walk`
makes one value from there, with the numbers and texts of mockserver/fake/scalars.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from mockserver.contract import conventions
from mockserver.contract.timefmt import parse_datetime
from mockserver.fake.scalars import Scalars

if TYPE_CHECKING:
    from mockserver.fake.sample import Sampler

# Shares of nulls and blanks where a schema allows them (conventions.faker_rule's `null`).
NULL_SHARE = 0.1
BLANK_SHARE = 0.05
# Objects and lists nested below the top value before values become the smallest valid ones.
MAX_DEPTH = 4
# Past this, a required, non-nullable object that contains itself is given up as `{}`: no
# finite value is valid.
_GIVE_UP = MAX_DEPTH + 8
# Draws of a oneOf's first chosen member before the other members are tried (one each).
_MEMBER_DRAWS = 2
# A oneOf's or anyOf's own keywords that hold for whichever member is chosen
# (`additionalProperties: false` beside the members, properties shared by all).
SHARED = ("properties", "required", "additionalProperties", "minProperties", "maxProperties")


class NoValue(Exception):
    """The walk found no valid value for a node; its container leaves the node out."""


def required_names(required) -> list[str]:
    """A `required` list's names; published specs also hold `required: labels`, which JSON
    Schema refuses (schema.Validator leaves it out, and so does the walk)."""
    return [r for r in required if isinstance(r, str)] if isinstance(required, list) else []


def as_mapping(node) -> dict:
    return node if isinstance(node, dict) else {}


class Walk(Scalars):
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
        check = len(real) > 1 or any(k in node for k in SHARED)
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
        mapping = as_mapping(discriminator.get("mapping"))
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
        props = as_mapping(node.get("properties"))
        required = required_names(node.get("required"))
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
