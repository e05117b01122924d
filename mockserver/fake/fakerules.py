"""The `x-faker` language: how a field's values are made, one rule per property.

The rules, one per property under `x-faker` (plus `null: p` on any of them):

    sequence: true              the record number i          (id)
    same_as: id                 a copy of another field      (pk)
    bool: 0.9                   true with that probability; `when: {field: value}` else false
    choice: {a: 0.4, b: 0.6}    weighted
    locale: {tr_TR: tr-tr}      a value per record locale (`x-faker-locales` on the schema)
    faker: last_name            a Faker provider of the record's locale, or
           {by: gender, male: first_name_male, default: first_name}
    template: "05{digits:###}"  text with {field}, {hex:N}, {digits:##}, {faker:provider};
                                `slug: true` folds field values to ascii lowercase
    datetime: {start, end} | {after: [fields], days: N, end}
    date: {start, end}
    object: true                each property by its own rule; `empty: p` gives {}
    shape: {...}                a fixed structure whose strings are templates; `empty: p`
    subset: {p, max}            up to max distinct ids from the items' enum, with probability p
    integer: {min, max}         uniform, both included
    decimal: {min, max, places} uniform, in steps of 10**-places (a DecimalField's string;
                                on a `type: number` field, the float)
    float: {min, max, places}   uniform, in steps of 10**-places: a FloatField's number,
                                which JSON writes with its fraction (`72617.0`, `0.5`)
    sample: true                the whole value by mockserver/fake/sample.py from the field's
                                schema, per record (key `<salt>/<field>/<id>`): nested
                                serializers, lists of them, oneOf, maps, `time`, `duration`,
                                a string's `pattern`; it draws nulls itself where the schema
                                allows them, and each value is checked against the schema
    ref: {count: N}             an id of another collection, 1..N (a ForeignKey)
    refs: {count: N, p, max}    up to max distinct ids 1..N with probability p (ManyToMany)
    copy: {pool: /path/, many}  a record of that collection as its list serves it (a nested
                                serializer of its model); `many`: up to `max` (3) of them

A text field with `maxLength` is cut to it, trailing spaces dropped (conventions.py infers
rules that may run longer, such as a paragraph for `description`).

A rule that does not parse, names an unknown field, placeholder or Faker provider, or whose
fields depend on each other in a circle, stops the load with a ConfigError naming
`<schema>/<field>/x-faker` (exit code 2). `FakerRules` holds one method per rule kind;
`datagen.Generator` compiles a schema with them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from itertools import accumulate

import numpy as np
import orjson

from mockserver.contract.schema import NULL_INT, column_kind
from mockserver.contract.timefmt import parse_date, parse_datetime
from mockserver.fake.draws import Block, slug

# A quarter of real date-times are whole seconds (`2023-04-18T07:40:10Z`).
WHOLE_SECOND_SHARE = 0.25
_DAY_MICROS = 86_400 * 1_000_000
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")

Rule = Callable[[Block], np.ndarray]


class FakerRules:
    """One compiling method per rule kind: `_rule_<kind>(name, prop, arg, spec)` gives the
    rule and the fields it reads. Needs `draws`, `kinds`, `sampler`, `seed`, `salt` and
    `_error` from its subclass."""

    def _rule_sequence(self, name, prop, arg, spec):
        return (lambda block: block.ids.astype(np.int64)), set()

    def _rule_same_as(self, name, prop, arg, spec):
        return (lambda block: block.values[arg]), {arg}

    def _rule_bool(self, name, prop, arg, spec):
        share = float(arg)
        when = dict(spec.get("when") or {})

        def rule(block):
            drawn = self.draws.uniform(block, name) < share
            for other, value in when.items():
                drawn &= block.values[other] == stored(self.kinds[other], value)
            return drawn.astype(np.int8)

        return rule, set(when)

    def _rule_choice(self, name, prop, arg, spec):
        values = object_array(list(arg))
        weights = list(arg.values()) if isinstance(arg, dict) else [1.0] * len(values)
        cum = np.array(list(accumulate(weights)), dtype=float)

        def rule(block):
            picked = np.searchsorted(cum, self.draws.uniform(block, name) * cum[-1], side="right")
            return values[picked.clip(max=len(values) - 1)]

        return rule, set()

    def _rule_locale(self, name, prop, arg, spec):
        missing = [loc for loc in self.draws.locales if loc not in arg]
        if missing:
            raise self._error(name, f"has no value for locale {missing[0]}")
        values = object_array([arg[loc] for loc in self.draws.locales])
        return (lambda block: values[block.locale]), set()

    def _rule_faker(self, name, prop, arg, spec):
        if isinstance(arg, str):
            self._check_provider(name, arg)
            return (lambda block: self.draws.word(block, name, arg)), set()
        by, default = arg["by"], arg.get("default")
        choices = {k: v for k, v in arg.items() if k not in ("by", "default")}
        for provider in [*choices.values(), default]:
            self._check_provider(name, provider)

        def rule(block):
            column = self.draws.word(block, name, default)
            for value, provider in choices.items():
                chosen = block.values[by] == value
                column = np.where(chosen, self.draws.word(block, name, provider), column)
            return column

        return rule, {by}

    def _rule_template(self, name, prop, arg, spec):
        return self._template(name, str(arg), bool(spec.get("slug")))

    def _rule_datetime(self, name, prop, arg, spec):
        if "after" in arg:
            after, span = list(arg["after"]), int(arg.get("days", 30)) * _DAY_MICROS

            def base(block):
                # NULL_INT is the smallest int64, so a null never wins the maximum.
                return functools.reduce(np.maximum, [block.values[f] for f in after])

            deps = set(after)
        else:
            start, end = (self._instant(name, arg[k]) for k in ("start", "end"))
            span, deps = end - start, set()

            def base(block):
                return np.int64(start)

        # `end` caps an `after` date-time, so that no record logs in in the future.
        cap = self._instant(name, arg["end"]) if "after" in arg and "end" in arg else None

        def rule(block):
            moment = base(block) + (self.draws.uniform(block, name) * span).astype(np.int64)
            whole = self.draws.uniform(block, f"{name}/whole") < WHOLE_SECOND_SHARE
            moment = np.where(whole, moment - moment % 1_000_000, moment)
            floor = base(block)
            if cap is not None:
                moment = np.minimum(moment, np.maximum(cap, floor))
            return np.maximum(moment, floor)  # rounding never goes before the base

        return rule, deps

    def _rule_date(self, name, prop, arg, spec):
        start, end = (self._day(name, arg[k]) for k in ("start", "end"))

        def rule(block):
            return start + (self.draws.uniform(block, name) * (end - start + 1)).astype(np.int64)

        return rule, set()

    def _rule_copy(self, name, prop, arg, spec):
        """A nested serializer of a collection's model: records of that collection, as its
        list serves them, so a bundle's `category` is a category that exists."""
        pool = self.pools[arg["pool"]]
        many = bool(arg.get("many"))
        most = int(arg.get("max", 3))
        count = len(pool)

        def rule(block):
            if not count:
                return object_array([[] if many else None] * len(block))
            picks = (self.draws.bits(block, f"{name}/copy") % np.uint64(count)).astype(np.int64)
            if not many:
                return object_array([orjson.loads(pool.record(int(r))) for r in picks])
            sizes = (self.draws.bits(block, f"{name}/copies") % np.uint64(most + 1)).tolist()
            made = []
            for first, size in zip(picks.tolist(), sizes, strict=True):
                rows = sorted({(first + step * 7) % count for step in range(size)})
                made.append([orjson.loads(pool.record(r)) for r in rows])
            return object_array(made)

        return rule, set()

    def _rule_object(self, name, prop, arg, spec):
        parts = {
            key: self._compile(f"{name}/{key}", sub, sub.get("x-faker"))
            for key, sub in prop.get("properties", {}).items()
        }
        kinds = {key: column_kind(sub) for key, sub in prop.get("properties", {}).items()}
        empty = float(spec.get("empty", 0))

        def rule(block):
            columns = [
                [to_python(kinds[key], v) for v in part(block).tolist()]
                for key, (part, _) in parts.items()
            ]
            keys = list(parts)
            made = [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]
            if empty:
                for row in np.flatnonzero(self.draws.uniform(block, f"{name}/empty") < empty):
                    made[row] = {}
            return object_array(made)

        return rule, set().union(*(d for _, d in parts.values()))

    def _rule_shape(self, name, prop, arg, spec):
        empty = float(spec.get("empty", 0))
        deps: set[str] = set()
        strings: list[str] = []

        def collect(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    collect(key)
                    collect(value)
            elif isinstance(node, list):
                for item in node:
                    collect(item)
            elif isinstance(node, str):
                strings.append(node)

        collect(arg)
        templates = [self._template(f"{name}/{n}", text, False) for n, text in enumerate(strings)]
        for _, used in templates:
            deps.update(used)

        def fill(node, texts):
            if isinstance(node, dict):
                return {fill(k, texts): fill(v, texts) for k, v in node.items()}
            if isinstance(node, list):
                return [fill(item, texts) for item in node]
            if isinstance(node, str):
                return next(texts)
            return node

        def rule(block):
            if not templates:  # a constant: one shared object (records are only encoded)
                return object_array([arg] * len(block))
            hollow = np.zeros(len(block), dtype=bool)
            if empty:
                hollow = self.draws.uniform(block, f"{name}/empty") < empty
            filled = [rule_(block) for rule_, _ in templates]
            made = [
                {} if skip else fill(arg, iter(texts))
                for skip, texts in zip(hollow.tolist(), zip(*filled, strict=True), strict=True)
            ]
            return object_array(made)

        return rule, deps

    def _rule_integer(self, name, prop, arg, spec):
        low, high = int(arg["min"]), int(arg["max"])

        def rule(block):
            return low + (self.draws.uniform(block, name) * (high - low + 1)).astype(np.int64)

        return rule, set()

    def _rule_decimal(self, name, prop, arg, spec):
        """Stored scaled by 10**places, as schema.column_kind's `decimal` columns are; a
        float column (`type: number`) gets the number itself."""
        scale = 10 ** int(arg.get("places", 2))
        low, high = round(float(arg["min"]) * scale), round(float(arg["max"]) * scale)
        if column_kind(prop) == "float":
            return self._rule_float(name, prop, arg, spec)

        def rule(block):
            return low + (self.draws.uniform(block, name) * (high - low + 1)).astype(np.int64)

        return rule, set()

    def _rule_float(self, name, prop, arg, spec):
        """A float64 column; a step count divided by 10**places is the float nearest the
        decimal (7261700 / 100 is 72617.0), so JSON writes it with no noise digits."""
        scale = 10 ** int(arg.get("places", 2))
        low, high = round(float(arg["min"]) * scale), round(float(arg["max"]) * scale)

        def rule(block):
            steps = low + (self.draws.uniform(block, name) * (high - low + 1)).astype(np.int64)
            return np.minimum(steps, high) / scale

        return rule, set()

    def _rule_sample(self, name, prop, arg, spec):
        if arg is not True:
            raise ValueError("sample takes true")
        schema = {k: v for k, v in prop.items() if not k.startswith("x-")}
        kind = column_kind(prop)
        # Checked against the field's own schema, compiled once: a value of a shape the walk
        # did not foresee is drawn again, then the smallest (mockserver.fake.sample.Sampler).
        validator = self.sampler.validator(schema)
        field = name.rsplit("/", 1)[-1]  # `meta/tags` inside an `object` rule: `tags`

        def rule(block):
            made = [
                self.sampler.checked(schema, f"{self.salt}/{name}/{i}", self.seed, field, validator)
                for i in block.ids.tolist()
            ]
            return column_of(kind, made, prop)

        return rule, set()

    def _rule_ref(self, name, prop, arg, spec):
        count = int(arg["count"])
        if count < 1:  # an empty collection: nothing to point at
            return (lambda block: object_array([None] * len(block))), set()

        def rule(block):
            return 1 + (self.draws.uniform(block, name) * count).astype(np.int64)

        return rule, set()

    def _rule_refs(self, name, prop, arg, spec):
        count, share, most = int(arg["count"]), float(arg.get("p", 0.5)), int(arg.get("max", 3))
        most = min(most, count)

        def rule(block):
            made = [[] for _ in range(len(block))]
            if not most:
                return object_array(made)
            chosen = self.draws.uniform(block, name) < share
            sizes = 1 + (self.draws.uniform(block, f"{name}/size") * most).astype(int)
            # A few draws per wanted id, so that most rows find distinct ones.
            draws = np.stack(
                [
                    1 + (self.draws.uniform(block, f"{name}/{n}") * count).astype(np.int64)
                    for n in range(3 * most)
                ],
                axis=1,
            )
            for row in np.flatnonzero(chosen):
                picked = list(dict.fromkeys(draws[row].tolist()))[: sizes[row]]
                made[row] = sorted(picked)
            return object_array(made)

        return rule, set()

    def _rule_subset(self, name, prop, arg, spec):
        ids = list((prop.get("items") or {}).get("enum") or [])
        if not ids:
            raise self._error(name, "subset needs items with an enum of ids")
        share, most = float(arg.get("p", 0.1)), int(arg.get("max", 1))

        def rule(block):
            chosen = self.draws.uniform(block, name) < share
            sizes = 1 + (self.draws.uniform(block, f"{name}/size") * min(most, len(ids))).astype(
                int
            )
            # A random order of the ids per row: sort each row's hash draws.
            draws = np.stack([self.draws.bits(block, f"{name}/{i}") for i in ids], axis=1)
            ranks = np.argsort(draws, axis=1)
            made = [[] for _ in range(len(block))]
            for row in np.flatnonzero(chosen):
                made[row] = sorted(ids[j] for j in ranks[row, : sizes[row]])
            return object_array(made)

        return rule, set()

    # -- templates and vocabularies --------------------------------------------------------

    def _template(self, name: str, text: str, slugged: bool) -> tuple[Rule, set[str]]:
        """Compile `{field}`, `{hex:N}`, `{digits:###}` and `{faker:provider}` placeholders."""
        getters: list[Callable[[Block], list]] = []
        deps: set[str] = set()

        def hole(match: re.Match) -> str:
            path = f"{name}/{len(getters)}"
            getters.append(self._placeholder(name, path, match.group(1), slugged, deps))
            return "{}"

        # Literal braces cannot occur: every {...} is a placeholder.
        pattern = _PLACEHOLDER.sub(hole, text)

        def rule(block):
            parts = [get(block) for get in getters]
            if not parts:
                return object_array([pattern] * len(block))
            return object_array([pattern.format(*row) for row in zip(*parts, strict=True)])

        return rule, deps

    def _placeholder(self, name, path, token, slugged, deps) -> Callable[[Block], list]:
        kind, _, arg = token.partition(":")
        if kind == "hex" and arg.isdigit() and 0 < int(arg) <= 32:
            width = int(arg)

            def hex_digits(block):
                high = self.draws.bits(block, f"{path}/hi").tolist()
                low = self.draws.bits(block, f"{path}/lo").tolist()
                return [f"{(h << 64 | lo):032x}"[-width:] for h, lo in zip(high, low, strict=True)]

            return hex_digits
        if kind == "digits" and arg and set(arg) == {"#"} and len(arg) <= 18:
            width = len(arg)

            def digits(block):
                numbers = (self.draws.uniform(block, path) * 10**width).astype(np.int64).tolist()
                return [f"{n:0{width}d}" for n in numbers]

            return digits
        if kind == "faker" and arg:
            self._check_provider(name, arg)
            return lambda block: self.draws.word(block, path, arg).tolist()
        if arg or not kind.isidentifier():
            raise self._error(name, f"has an unknown placeholder {{{token}}}")
        deps.add(kind)
        if slugged:
            return lambda block: [slug(str(v or "")) for v in block.values[kind].tolist()]
        return lambda block: ["" if v is None else str(v) for v in block.values[kind].tolist()]

    def _check_provider(self, name: str, provider: str | None) -> None:
        if not provider or not self.draws.has_provider(provider):
            raise self._error(name, f"names no Faker provider {provider!r}")

    def _instant(self, name: str, text: str) -> int:
        value = parse_datetime(str(text))
        if value is None:
            raise self._error(name, f"has a bad date-time {text!r}")
        return value

    def _day(self, name: str, text: str) -> int:
        value = parse_date(str(text))
        if value is None:
            raise self._error(name, f"has a bad date {text!r}")
        return value


KINDS = (
    "sequence",
    "integer",
    "decimal",
    "ref",
    "refs",
    "same_as",
    "bool",
    "choice",
    "locale",
    "faker",
    "template",
    "datetime",
    "date",
    "object",
    "shape",
    "subset",
    "float",
    "sample",
    "copy",
)
NUMERIC = ("int", "datetime", "date", "decimal")


def object_array(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def stored(kind: str, value):
    """A Python value in its column representation."""
    if kind == "bool":
        return -1 if value is None else int(bool(value))
    if kind == "float":
        return np.nan if value is None else float(value)
    if kind in NUMERIC:
        return NULL_INT if value is None else int(value)
    return value


def to_python(kind: str, value):
    """A column element as a Python value (the inverse of `stored`)."""
    if kind == "bool":
        return None if value < 0 else bool(value)
    if kind == "float":
        return None if value != value else float(value)  # NaN is null
    if kind in NUMERIC:
        return None if value == NULL_INT else int(value)
    return value


def as_floats(column: np.ndarray) -> np.ndarray:
    """A float column from any rule's (a `choice` of numbers holds None for null)."""
    if column.dtype == object:
        return np.array([np.nan if v is None else float(v) for v in column], dtype=np.float64)
    return column.astype(np.float64)


def column_of(kind: str, values: list, prop: dict) -> np.ndarray:
    """JSON values (sample.py's) as a generated column of this kind.

    >>> column_of("date", ["1970-01-02", None], {}).tolist() == [1, NULL_INT]
    True
    """
    if kind == "bool":
        return np.array([stored(kind, v) for v in values], dtype=np.int8)
    if kind == "float":
        return np.array([stored(kind, v) for v in values], dtype=np.float64)
    if kind in ("datetime", "date"):
        parse = parse_datetime if kind == "datetime" else parse_date
        parsed = [NULL_INT if v is None else parse(v) for v in values]
        return np.array([NULL_INT if v is None else v for v in parsed], dtype=np.int64)
    if kind == "decimal":
        from mockserver.contract.conventions import decimal_places

        scale = 10 ** decimal_places(prop)[1]
        scaled = [NULL_INT if v is None else round(Decimal(v) * scale) for v in values]
        return np.array(scaled, dtype=np.int64)
    if kind == "int":
        return np.array([stored(kind, v) for v in values], dtype=np.int64)
    return object_array(values)
