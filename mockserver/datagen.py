"""Deterministic users from the spec's `x-faker` rules: record i depends only on seed and i.

Faker is asked once per seed for vocabularies (names, domains, addresses per locale); each
record then draws from them with its own `random.Random` seeded by (seed, i). That keeps
generation fast enough for a million users and makes `/users/7/` the same object in every
process, whatever `--users` is.

The rules, one per property under `x-faker` (plus `null: p` on any of them):

    sequence: true              the record number i          (id)
    same_as: id                 a copy of another field      (pk)
    bool: 0.9                   true with that probability; `when: {field: value}` else false
    choice: {a: 0.4, b: 0.6}    weighted; weights short of 1 leave room for `null`
    locale: {tr_TR: tr-tr}      a value per record locale (`x-faker-locales` on the schema)
    faker: last_name            a Faker provider of the record's locale, or
           {by: gender, male: first_name_male, default: first_name}
    template: "05{digits:###}"  text with {field}, {hex:N}, {digits:##}, {faker:provider};
                                `slug: true` folds field values to ascii lowercase
    datetime: {start, end} | {after: [fields], days: N}
    date: {start, end}
    object: true                each property by its own rule; `empty: p` gives {}
    shape: {...}                a fixed structure whose strings are templates; `empty: p`
    subset: {p, max}            up to max distinct ids from the items' enum, with probability p
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from bisect import bisect
from collections.abc import Callable
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from faker import Faker

from mockserver.errors import ConfigError
from mockserver.timefmt import parse_date, parse_datetime, to_days, to_micros

# Values each vocabulary holds; records draw from them by index.
VOCABULARY_SIZE = 1000
# A quarter of real date-times are whole seconds (`2023-04-18T07:40:10Z`).
WHOLE_SECOND_SHARE = 0.25
_DAY_MICROS = 86_400 * 1_000_000

Rule = Callable[[random.Random, dict, str, int], Any]
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_TURKISH = str.maketrans({"ı": "i", "İ": "i"})


def slug(text: str) -> str:
    """>>> slug("Ayşe Nur Yılmaz")
    'aysenuryilmaz'
    """
    folded = unicodedata.normalize("NFKD", text.translate(_TURKISH))
    return "".join(ch for ch in folded.lower() if ch in string.ascii_lowercase + string.digits)


class Generator:
    """Builds record i of a dataset from the User schema's rules and a seed."""

    def __init__(self, user_schema: dict, seed: int, source: str = "openapi/users.yaml"):
        self.seed = seed
        self.source = source
        locales = user_schema.get("x-faker-locales") or {"en_US": 1.0}
        self._locales = list(locales)
        self._locale_cum = list(accumulate(locales.values()))
        self._vocab: dict[tuple[str, str], list[str]] = {}
        self._fakers: dict[str, Faker] = {}
        self.rules: dict[str, Rule] = {}
        deps: dict[str, set[str]] = {}
        for name, prop in user_schema["properties"].items():
            rule_spec = prop.get("x-faker")
            if rule_spec is None:
                raise self._error(name, "has no x-faker rule")
            self.rules[name], deps[name] = self._compile(name, prop, rule_spec)
        self.order = _dependency_order(deps, self._error)
        self.fields = list(user_schema["properties"])

    def record(self, i: int, given: dict | None = None) -> dict:
        """Record i with typed values: date-times in microseconds, dates in days.

        `given` fixes some fields (a persona's); the others are still drawn, after them, so
        an email follows a given name and a last login follows a given join date.
        """
        rng = random.Random((self.seed << 48) + i)
        locale = self._locales[bisect(self._locale_cum, rng.random() * self._locale_cum[-1])]
        values: dict[str, Any] = {}
        for name in self.order:
            drawn = self.rules[name](rng, values, locale, i)
            values[name] = given[name] if given and name in given else drawn
        return {name: values[name] for name in self.fields}

    # -- compiling rules -------------------------------------------------------------------

    def _error(self, field: str, message: str) -> ConfigError:
        return ConfigError(self.source, f"components/schemas/User/{field}/x-faker {message}")

    def _compile(self, name: str, prop: dict, spec: Any) -> tuple[Rule, set[str]]:
        if not isinstance(spec, dict):
            raise self._error(name, "must be a mapping")
        null_share = float(spec.get("null", 0))
        kinds = [k for k in spec if k in _KINDS]
        if len(kinds) != 1:
            raise self._error(name, f"needs exactly one of {', '.join(_KINDS)}")
        rule, deps = getattr(self, f"_rule_{kinds[0]}")(name, prop, spec[kinds[0]], spec)
        if null_share:
            inner = rule

            def rule(rng, rec, loc, i, inner=inner):
                return None if rng.random() < null_share else inner(rng, rec, loc, i)

        return rule, deps

    def _rule_sequence(self, name, prop, arg, spec):
        return (lambda rng, rec, loc, i: i), set()

    def _rule_same_as(self, name, prop, arg, spec):
        return (lambda rng, rec, loc, i: rec[arg]), {arg}

    def _rule_bool(self, name, prop, arg, spec):
        share = float(arg)
        when = spec.get("when") or {}

        def rule(rng, rec, loc, i):
            draw = rng.random() < share
            return draw and all(rec[k] == v for k, v in when.items())

        return rule, set(when)

    def _rule_choice(self, name, prop, arg, spec):
        values = list(arg)
        weights = list(arg.values()) if isinstance(arg, dict) else [1.0] * len(values)
        cum = list(accumulate(weights))
        total = cum[-1]

        def rule(rng, rec, loc, i):
            return values[min(bisect(cum, rng.random() * total), len(values) - 1)]

        return rule, set()

    def _rule_locale(self, name, prop, arg, spec):
        missing = [loc for loc in self._locales if loc not in arg]
        if missing:
            raise self._error(name, f"has no value for locale {missing[0]}")
        return (lambda rng, rec, loc, i: arg[loc]), set()

    def _rule_faker(self, name, prop, arg, spec):
        if isinstance(arg, str):
            self._check_provider(name, arg)
            return (lambda rng, rec, loc, i: self._draw(rng, loc, arg)), set()
        by, default = arg.get("by"), arg.get("default")
        choices = {k: v for k, v in arg.items() if k not in ("by", "default")}
        for provider in [*choices.values(), default]:
            self._check_provider(name, provider)

        def rule(rng, rec, loc, i):
            return self._draw(rng, loc, choices.get(rec[by], default))

        return rule, {by}

    def _rule_template(self, name, prop, arg, spec):
        return self._template(name, str(arg), bool(spec.get("slug")))

    def _rule_datetime(self, name, prop, arg, spec):
        if "after" in arg:
            after, span = list(arg["after"]), int(arg.get("days", 30)) * _DAY_MICROS

            def base(rec):
                return max(rec[f] for f in after if rec[f] is not None)

            deps = set(after)
        else:
            start, end = (self._instant(name, arg[k]) for k in ("start", "end"))
            span, deps = end - start, set()

            def base(rec):
                return start

        def rule(rng, rec, loc, i):
            moment = base(rec) + rng.randrange(span)
            if rng.random() < WHOLE_SECOND_SHARE:
                moment -= moment % 1_000_000
            return moment

        return rule, deps

    def _rule_date(self, name, prop, arg, spec):
        start, end = (self._day(name, arg[k]) for k in ("start", "end"))
        return (lambda rng, rec, loc, i: start + rng.randrange(end - start + 1)), set()

    def _rule_object(self, name, prop, arg, spec):
        parts = {
            key: self._compile(f"{name}/{key}", sub, sub.get("x-faker"))
            for key, sub in prop.get("properties", {}).items()
        }
        empty = float(spec.get("empty", 0))

        def rule(rng, rec, loc, i):
            if rng.random() < empty:
                return {}
            return {key: part(rng, rec, loc, i) for key, (part, _) in parts.items()}

        return rule, set().union(*(d for _, d in parts.values()))

    def _rule_shape(self, name, prop, arg, spec):
        empty = float(spec.get("empty", 0))
        deps: set[str] = set()

        def build(node):
            if isinstance(node, dict):
                pairs = [(build(k), build(v)) for k, v in node.items()]
                return lambda *a: {k(*a): v(*a) for k, v in pairs}
            if isinstance(node, list):
                items = [build(v) for v in node]
                return lambda *a: [item(*a) for item in items]
            if isinstance(node, str):
                fill, used = self._template(name, node, False)
                deps.update(used)
                return fill
            return lambda *a: node

        make = build(arg)

        def rule(rng, rec, loc, i):
            return {} if empty and rng.random() < empty else make(rng, rec, loc, i)

        return rule, deps

    def _rule_subset(self, name, prop, arg, spec):
        ids = list((prop.get("items") or {}).get("enum") or [])
        if not ids:
            raise self._error(name, "subset needs items with an enum of ids")
        share, most = float(arg.get("p", 0.1)), int(arg.get("max", 1))

        def rule(rng, rec, loc, i):
            if rng.random() >= share:
                return []
            return sorted(rng.sample(ids, rng.randint(1, min(most, len(ids)))))

        return rule, set()

    # -- helpers ---------------------------------------------------------------------------

    def _template(self, name: str, text: str, slugged: bool) -> tuple[Rule, set[str]]:
        """Compile `{field}`, `{hex:N}`, `{digits:###}` and `{faker:provider}` placeholders."""
        pieces: list[Callable] = []
        deps: set[str] = set()
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            literal = text[pos : match.start()]
            pieces.append(lambda rng, rec, loc, lit=literal: lit)
            pieces.append(self._placeholder(name, match.group(1), slugged, deps))
            pos = match.end()
        tail = text[pos:]
        pieces.append(lambda rng, rec, loc: tail)

        def rule(rng, rec, loc, i=0):
            return "".join(piece(rng, rec, loc) for piece in pieces)

        return rule, deps

    def _placeholder(self, name: str, token: str, slugged: bool, deps: set[str]) -> Callable:
        kind, _, arg = token.partition(":")
        if kind == "hex" and arg.isdigit():
            bits = int(arg) * 4
            return lambda rng, rec, loc: f"{rng.getrandbits(bits):0{int(arg)}x}"
        if kind == "digits" and arg and set(arg) == {"#"}:
            width = len(arg)
            return lambda rng, rec, loc: f"{rng.randrange(10**width):0{width}d}"
        if kind == "faker" and arg:
            self._check_provider(name, arg)
            return lambda rng, rec, loc: self._draw(rng, loc, arg)
        if arg or not kind.isidentifier():
            raise self._error(name, f"has an unknown placeholder {{{token}}}")
        deps.add(kind)
        if slugged:
            return lambda rng, rec, loc: slug(str(rec[kind] or ""))
        return lambda rng, rec, loc: str(rec[kind] if rec[kind] is not None else "")

    def _faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            self._fakers[locale] = Faker(locale)
        return self._fakers[locale]

    def _check_provider(self, name: str, provider: str | None) -> None:
        if not provider or not callable(getattr(self._faker(self._locales[0]), provider, None)):
            raise self._error(name, f"names no Faker provider {provider!r}")

    def _draw(self, rng: random.Random, locale: str, provider: str) -> str:
        vocab = self._vocab.get((locale, provider))
        if vocab is None:
            vocab = self._vocabulary(locale, provider)
        return vocab[rng.randrange(len(vocab))]

    def _vocabulary(self, locale: str, provider: str) -> list[str]:
        fake = self._faker(locale)
        fake.seed_instance(f"{self.seed}:{locale}:{provider}")
        make = getattr(fake, provider)
        vocab = [str(make()) for _ in range(VOCABULARY_SIZE)]
        self._vocab[(locale, provider)] = vocab
        return vocab

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


_KINDS = (
    "sequence",
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
)


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


def typed(value: Any) -> Any:
    """Date and datetime objects in their integer form (used for hand-written values)."""
    if isinstance(value, datetime):
        return to_micros(value)
    if isinstance(value, date):
        return to_days(value)
    return value
