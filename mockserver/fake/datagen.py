"""The `x-faker` rule compiler: a schema's rules as column functions over blocks of ids.

`Generator` compiles each property's rule (the language is mockserver/fake/fakerules.py), orders
them by what they read, and draws columns for any block of ids from mockserver/fake/draws.py,
where every random value is a hash of (seed, resource, field, draw number, i). So
`/users/7/` is the same object in every process and whatever `--size` is, and a million
records take seconds, not minutes. A field without a rule gets the one DRF's conventions
infer (mockserver/contract/conventions.py) before it is compiled.

Columns come out in the store's representation (mockserver.contract.schema.column_kind): int64 for
integers, date-times (microseconds) and dates (days) with NULL_INT for null; float64 for
numbers with NaN for null; int8 1/0/-1 for booleans; object arrays for text, lists and
objects, with None for null.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mockserver.contract.schema import NULL_INT, column_kind
from mockserver.errors import ConfigError
from mockserver.fake.draws import Block, Draws
from mockserver.fake.fakerules import (
    KINDS,
    NUMERIC,
    FakerRules,
    Rule,
    as_floats,
    object_array,
    stored,
    to_python,
)
from mockserver.fake.recursion import unending
from mockserver.fake.sample import Sampler, resolver


class Generator(FakerRules):
    """Builds the records of given ids from a schema's rules, a seed and a salt.

    The salt (the resource's name) keeps two collections with a `name` field from drawing
    the same names; `where` is the schema's place in the spec, for errors; `refs` holds the
    targets of `$ref`s left in the schema (mockserver.fake.sample.references), for `sample`.
    """

    def __init__(
        self,
        schema: dict,
        seed: int,
        source: str = "openapi/users.yaml",
        where: str = "components/schemas/User",
        salt: str = "",
        refs: dict[str, dict] | None = None,
        pools: dict | None = None,
    ):
        self.seed = seed
        self.pools = pools or {}  # collections' datasets, by path, for `copy` rules
        self.source = source
        self.where = where
        self.salt = salt
        self.fields = list(schema["properties"])
        self.kinds = {name: column_kind(prop) for name, prop in schema["properties"].items()}
        self.draws = Draws(seed, salt, schema.get("x-faker-locales") or {"en_US": 1.0})
        # A record of a component is one value of it: a recursive one nests inside it.
        within = ("#/" + where,) if refs and where.startswith("components/schemas/") else ()
        self.sampler = Sampler(resolver(refs) if refs else None, within=within)
        if refs:
            self._check_ends(schema, refs)
        self.rules: dict[str, Rule] = {}
        deps: dict[str, set[str]] = {}
        for name, prop in schema["properties"].items():
            if prop.get("x-faker") is None:
                raise self._error(name, "has no x-faker rule")
            self.rules[name], deps[name] = self._compile(name, prop, prop["x-faker"])
        self.order = _dependency_order(deps, self._error)
        self.deps = deps

    def _check_ends(self, schema: dict, refs: dict[str, dict]) -> None:
        """Raise ConfigError when a field's schema has no finite value (a required,
        non-nullable `parent: Tag` of a Tag): no record could be valid."""
        found = unending(schema, refs)
        if found is None:
            return
        name, ref = found
        own = self.where.rsplit("/", 1)[-1] if self.where.startswith("components/") else ""
        needed = ref.rsplit("/", 1)[-1]
        what = f"another {needed}" if needed == own else _a(needed)
        raise ConfigError(
            self.source,
            f"{self.where}/{name}: {_a(own or 'record')} always needs {what}: no record can end",
        )

    # -- generating ------------------------------------------------------------------------

    def columns(self, ids: Sequence[int], given: dict[int, dict] | None = None, only=None) -> dict:
        """One column per field for these ids. `given` fixes fields of some ids (personas);
        the fields that depend on them are drawn after, so an email follows a given name.
        `only`: these fields alone (and what they read), the same values as in a whole
        record: a write's new record needs few of them."""
        block = self.draws.block(ids)
        fixed = [(row, given[int(i)]) for row, i in enumerate(ids) if given and int(i) in given]
        for name in self.order if only is None else self._needed(only):
            try:
                column = self.rules[name](block)
            except ConfigError:
                raise
            except Exception as exc:  # a schema's shape no rule foresaw: the spec's to fix
                raise self._error(name, f"failed: {one_line(exc)}") from None
            overrides = [(row, values[name]) for row, values in fixed if name in values]
            if overrides:
                column = column.copy()  # a rule may hand back another field's array
                for row, value in overrides:
                    column[row] = stored(self.kinds[name], value)
            block.values[name] = column
        return {name: block.values[name] for name in (self.fields if only is None else only)}

    def _needed(self, fields) -> list[str]:
        """`fields` and every field their rules read, in the order they are drawn."""
        wanted: set[str] = set()
        stack = list(fields)
        while stack:
            name = stack.pop()
            if name not in wanted and name in self.rules:
                wanted.add(name)
                stack.extend(self.deps.get(name, ()))
        return [name for name in self.order if name in wanted]

    def record(self, i: int, given: dict | None = None) -> dict:
        """User i as Python values: date-times in microseconds, dates in days, None for null."""
        cols = self.columns([i], {i: given} if given else None)
        return {name: to_python(self.kinds[name], cols[name][0]) for name in self.fields}

    # -- compiling rules -------------------------------------------------------------------

    def _error(self, name: str, message: str) -> ConfigError:
        return ConfigError(self.source, f"{self.where}/{name}/x-faker {message}")

    def _compile(self, name: str, prop: dict, spec: Any) -> tuple[Rule, set[str]]:
        if not isinstance(spec, dict):
            raise self._error(name, "must be a mapping")
        kinds = [k for k in spec if k in KINDS]
        if len(kinds) != 1:
            raise self._error(name, f"needs exactly one of {', '.join(KINDS)}")
        try:
            rule, deps = getattr(self, f"_rule_{kinds[0]}")(name, prop, spec[kinds[0]], spec)
        except ConfigError:
            raise
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise self._error(name, f"is malformed: {exc}") from None
        except Exception as exc:  # RecursionError, a regex the validator refuses...
            raise self._error(name, f"cannot be compiled: {one_line(exc)}") from None
        if isinstance(prop.get("maxLength"), int) and column_kind(prop) == "text":
            rule = _cut(rule, prop["maxLength"])
        if column_kind(prop) == "float":  # an integer or choice rule on a FloatField
            rule = _floats(rule)
        # YAML reads an unquoted `null:` key as None.
        null_share = float(spec.get("null", spec.get(None)) or 0)
        if not null_share:
            return rule, deps
        kind = column_kind(prop)
        empty = {"bool": -1, "float": np.nan}.get(kind, NULL_INT if kind in NUMERIC else None)

        def nullable(block: Block) -> np.ndarray:
            column = rule(block)
            missing = self.draws.uniform(block, f"{name}/null") < null_share
            if column.dtype == object:
                column = column.copy()
                column[missing] = None
                return column
            return np.where(missing, column.dtype.type(empty), column)

        return nullable, deps


def _a(name: str) -> str:
    """A name with its indefinite article.

    >>> _a("Tag"), _a("Item")
    ('a Tag', 'an Item')
    """
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def one_line(exc: Exception) -> str:
    """An exception as one line of an error message.

    >>> one_line(ValueError("bad value\\n  in two lines"))
    'ValueError: bad value in two lines'
    """
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _cut(rule: Rule, length: int) -> Rule:
    """A text rule whose values are at most `length` characters, without trailing spaces."""

    def cut(block: Block) -> np.ndarray:
        column = rule(block)
        values = [v if v is None or len(v) <= length else v[:length].rstrip() for v in column]
        return object_array(values)

    return cut


def _floats(rule: Rule) -> Rule:
    """A rule whose values are float64 (NaN for null), as the store keeps a number."""

    def floats(block: Block) -> np.ndarray:
        column = rule(block)
        return column if column.dtype == np.float64 else as_floats(column)

    return floats


def _dependency_order(deps: dict[str, set[str]], error) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise error(name, f"depends on itself through {' -> '.join((*trail, name))}")
        if name not in deps:
            raise error(trail[-1], f"refers to unknown field {name!r}")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, (*trail, name))
        state[name] = 2
        order.append(name)

    for name in deps:
        visit(name, ())
    return order
