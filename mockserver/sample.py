"""Sample values: one deterministic, valid and plausible JSON value for any OpenAPI schema.

`sample(schema, key, seed, resolve)` makes the value a DRF service could answer for an
OpenAPI 3.0 or 3.1 schema as drf-spectacular writes it: nested serializers (`$ref`,
`allOf: [Other]`), lists of them, `oneOf` with a discriminator (PolymorphicProxySerializer),
`BlankEnum` and `NullEnum`, `nullable` and 3.1's `[string, "null"]`, maps
(`additionalProperties`), every format as DRF renders it, and names read as
mockserver/conventions.py reads them (`rating` is 1 to 5, `etag` 32 hex digits, an
`updated_at` after its object's `created_at`). Write-only fields are left out, as DRF's
`to_representation` leaves them out of every answer.

Every choice is a hash of (seed, key, the value's path), so the same arguments give the
same value in every process, and no module state is random. `resolve` follows a `$ref`
one level; schemas may be recursive (`Tag.children: [Tag]`), so a `$ref` met a third time
on the way down, or a value nested deeper than MAX_DEPTH, gets the smallest valid value:
null if nullable, an empty list, an object without its optional nested values.

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

import base64
import functools
import hashlib
import re
from collections.abc import Callable

import orjson

from mockserver import conventions
from mockserver.timefmt import format_date, format_datetime, parse_datetime

# Shares of nulls and blanks where a schema allows them (conventions.faker_rule's `null`).
NULL_SHARE = 0.1
BLANK_SHARE = 0.05
# Objects and lists nested below the top value before values become the smallest valid ones.
MAX_DEPTH = 4
# Past this, a required, non-nullable object that contains itself is given up as `{}`: no
# finite value is valid.
_GIVE_UP = MAX_DEPTH + 8

_START = parse_datetime(conventions.START)
_END = parse_datetime(conventions.END)
_DAY_MICROS = 86_400 * 1_000_000
_EPOCH_DAYS = (_START // _DAY_MICROS, _END // _DAY_MICROS)

Resolve = Callable[[dict], dict]


def sample(schema: dict, key: str, seed: int, resolve: Resolve | None = None) -> object:
    """A value valid against `schema`, the same for the same (schema, key, seed).

    `resolve(node)` gives the target of a node holding a `$ref`, one level (the target may
    hold a `$ref` again): `Spec.resolve_shallow`, or `resolver(references(...))`. Without
    it, the schema must hold no `$ref`.

    >>> sample({"type": "string", "format": "time"}, "k", 1)
    '18:24:17'
    """
    return Sampler(resolve).sample(schema, key, seed)


class Sampler:
    """`sample` with one resolver, remembering each schema node's merged form (`allOf`
    folded, `$ref`s followed), so that a collection's records do that work once."""

    def __init__(self, resolve: Resolve | None = None, max_depth: int = MAX_DEPTH):
        self.resolve = resolve or _no_refs
        self.max_depth = max_depth
        self._flat: dict[int, tuple[dict, dict, tuple[str, ...]]] = {}

    def sample(self, schema: dict, key: str, seed: int) -> object:
        return _Walk(self, f"{seed}/{key}|".encode()).value(schema, "", 0, (), "", None)

    def flat(self, node: dict) -> tuple[dict, tuple[str, ...]]:
        """The node with `$ref`s followed and `allOf` merged, and the refs followed."""
        hit = self._flat.get(id(node))
        if hit is not None and hit[0] is node:
            return hit[1], hit[2]
        refs: list[str] = []
        merged = node
        while isinstance(merged, dict) and "$ref" in merged:
            refs.append(merged["$ref"])
            merged = self.resolve(merged)
        if not isinstance(merged, dict):
            merged = {}
        if merged.get("allOf"):
            out = {k: v for k, v in merged.items() if k != "allOf"}
            props: dict = {}
            required: list = []
            for member in merged["allOf"]:
                part, member_refs = self.flat(member)
                refs += member_refs
                props.update(part.get("properties") or {})
                required += [r for r in part.get("required") or () if r not in required]
                for k, v in part.items():
                    if k not in ("properties", "required"):
                        out.setdefault(k, v)
            props.update(merged.get("properties") or {})
            required += [r for r in merged.get("required") or () if r not in required]
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


# -- the walk ------------------------------------------------------------------------------


class _Walk:
    """One value's making: the hash prefix of (seed, key) and the sampler."""

    def __init__(self, sampler: Sampler, prefix: bytes):
        self.sampler = sampler
        self.prefix = prefix

    def bits(self, path: str) -> int:
        digest = hashlib.blake2b(self.prefix + path.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little")

    def uniform(self, path: str) -> float:
        return (self.bits(path) >> 11) * 2.0**-53

    def below(self, path: str, count: int) -> int:
        return self.bits(path) % count if count > 0 else 0

    def pick(self, path: str, items):
        return items[self.below(path, len(items))]

    # -- any node --------------------------------------------------------------------------

    def value(self, node, path: str, depth: int, stack: tuple, name: str, floor):
        if not isinstance(node, dict):
            return None
        node, refs = self.sampler.flat(node)
        stack = stack + refs
        # A schema nests once inside itself (a comment's parent comment), not deeper.
        bound = depth > self.sampler.max_depth or any(stack.count(r) > 2 for r in refs)
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
        if enum is not None and None in enum:
            nullable = True
        members = node.get("oneOf") or node.get("anyOf")
        if members:
            return self.member(node, members, path, depth, stack, name, floor, nullable, bound)
        if nullable and (bound or self.uniform(f"{path}#null") < NULL_SHARE):
            return None
        if enum is not None:
            values = [v for v in enum if v is not None]
            return self.pick(path, values) if values else None
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

    def member(self, node, members, path, depth, stack, name, floor, nullable, bound):
        """`oneOf` / `anyOf`: one member by a draw; NullEnum and BlankEnum now and then."""
        real, blank = [], False
        for member in members:
            flat, _ = self.sampler.flat(member)
            enum = flat.get("enum")
            if enum == [None] or flat.get("type") == "null":
                nullable = True
            elif enum == [""]:
                blank = True
            else:
                real.append(member)
        if nullable and (bound or not real or self.uniform(f"{path}#null") < NULL_SHARE):
            return None
        if blank and (not real or self.uniform(f"{path}#blank") < BLANK_SHARE):
            return ""
        if not real:
            return None
        chosen = self.pick(f"{path}#of", real)
        value = self.value(chosen, path, depth, stack, name, floor)
        discriminator = node.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(value, dict):
            _, refs = self.sampler.flat(chosen)
            ref = refs[0] if refs else None
            mapping = discriminator.get("mapping") or {}
            tag = next((k for k, v in mapping.items() if v == ref), None)
            if tag is None and ref is not None:
                tag = ref.rsplit("/", 1)[-1]  # OpenAPI's default: the schema's name
            if tag is None and len(mapping) == len(real):
                # A resolved schema has lost its refs; drf-spectacular writes the mapping
                # in the order of the members (PolymorphicProxySerializer's serializers).
                tag = list(mapping)[real.index(chosen)]
            if tag is not None:
                value[discriminator["propertyName"]] = tag
        return value

    # -- containers ------------------------------------------------------------------------

    def object(self, node, path, depth, stack, bound) -> dict:
        props = node.get("properties") or {}
        if not props:
            return self.map(node, path, depth, stack, bound)
        required = node.get("required") or ()
        if depth >= _GIVE_UP:
            return {}
        names = [n for n, p in props.items() if not (isinstance(p, dict) and p.get("writeOnly"))]
        # Creation moments first, so that an `updated_at` can come after them.
        first = [n for n in names if conventions.is_created(n)]
        made: dict = {}
        floor = None
        for prop_name in first + [n for n in names if n not in first]:
            sub = props[prop_name]
            if bound and prop_name not in required and self.structured(sub):
                continue  # at the bound an optional nested value is left out
            later = floor if conventions.is_updated(prop_name) else None
            made[prop_name] = self.value(
                sub, f"{path}/{prop_name}", depth + 1, stack, prop_name, later
            )
            if prop_name in first and isinstance(made[prop_name], str):
                moment = parse_datetime(made[prop_name])
                if moment is not None and (floor is None or moment > floor):
                    floor = moment
        return {n: made[n] for n in names if n in made}

    def structured(self, node) -> bool:
        flat, _ = self.sampler.flat(node)
        if flat.get("nullable"):
            return False
        kind = flat.get("type")
        if kind in ("object", "array"):
            return True
        return kind is None and any(k in flat for k in ("properties", "oneOf", "anyOf"))

    def map(self, node, path, depth, stack, bound) -> dict:
        """An object without properties: a few keys of `additionalProperties`' values."""
        extra = node.get("additionalProperties", True)
        if bound or extra is False:
            return {}
        count = 1 + self.below(f"{path}#n", 3)
        if isinstance(node.get("maxProperties"), int):
            count = min(count, node["maxProperties"])
        count = max(count, node.get("minProperties") or 0)
        keys = list(dict.fromkeys(self.word(f"{path}#k{n}") for n in range(count + 3)))
        out = {}
        for key in keys[:count]:
            if isinstance(extra, dict) and extra:
                out[key] = self.value(extra, f"{path}/{key}", depth + 1, stack, key, None)
            else:
                out[key] = self.word(f"{path}/{key}")
        return out

    def array(self, node, path, depth, stack, name, bound) -> list:
        low = node.get("minItems") or 0
        high = node.get("maxItems")
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
        values = [
            self.value(items, f"{path}/{n}", depth + 1, stack, item_name, None)
            for n in range(count)
        ]
        if node.get("uniqueItems"):
            unique = {orjson.dumps(v, option=orjson.OPT_SORT_KEYS): v for v in values}
            values = list(unique.values())
        return values

    # -- numbers ---------------------------------------------------------------------------

    def integer(self, node, path, name) -> int:
        low, high = conventions.bounded_integer(name, node)
        step = node.get("multipleOf")
        if isinstance(step, int) and step > 0:
            first, last = -(-low // step), high // step
            if first <= last:
                return (first + self.below(path, last - first + 1)) * step
        return low + self.below(path, high - low + 1)

    def number(self, node, path, name) -> float:
        """A float, which JSON writes with its fraction (`12.0`), as DRF's FloatField."""
        low, high, places = conventions.bounded_number(name, node)
        scale = 10**places
        first, last = round(low * scale), round(high * scale)
        # 3.0's `exclusiveMinimum: true` beside `minimum`, or 3.1's number: one step inside.
        if node.get("exclusiveMinimum") not in (None, False):
            first += 1
        if node.get("exclusiveMaximum") not in (None, False):
            last -= 1
        step = node.get("multipleOf")
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            lowest, highest = -(-low // step), high // step
            if lowest <= highest:
                return float((lowest + self.below(path, int(highest - lowest) + 1)) * step)
        if last < first:
            last = first
        return float(round((first + self.below(path, last - first + 1)) / scale, places))

    # -- text ------------------------------------------------------------------------------

    def string(self, node, path, name, floor) -> str:
        fmt = node.get("format")
        if fmt == "decimal" or conventions.is_decimal(node):
            return self.decimal(node, path)
        make = _FORMATS.get(fmt)
        text = make(self, path, name, floor) if make else self.named(node, path, name)
        pattern = node.get("pattern")
        if pattern and not _matches(pattern, text):
            text = next((t for t in self.candidates(path) if _matches(pattern, t)), text)
        return self.fit(text, node, path)

    def fit(self, text: str, node, path) -> str:
        """Within minLength and maxLength (cut at a word where it can be)."""
        most, least = node.get("maxLength"), node.get("minLength") or 0
        if isinstance(most, int) and len(text) > most:
            cut = text[:most]
            if text[most] != " " and " " in cut:  # not in the middle of a word
                cut = cut[: cut.rfind(" ")]
            cut = cut.rstrip()
            text = cut if len(cut) >= max(least, 1) else text[:most]
        while len(text) < least:
            text += self.word(f"{path}#pad{len(text)}")
        return text[:most] if isinstance(most, int) else text

    def candidates(self, path) -> list[str]:
        """Texts of other shapes, for a pattern the name's text does not match."""
        number = self.below(f"{path}#c", 10**6)
        word = self.word(f"{path}#cw")
        return [
            f"{word}-{number}",
            word,
            str(number),
            word.upper(),
            f"{self.hex(path, 8)}",
            f"{word}_{number}",
        ]

    def decimal(self, node, path) -> str:
        """DRF's DecimalField text (COERCE_DECIMAL_TO_STRING): within its digits."""
        digits, places = conventions.decimal_places(node)
        largest = 10**digits - 10**-places
        low = float(node.get("minimum", 0))
        high = min(float(node.get("maximum", largest)), largest, max(low, 0) + 1000)
        scale = 10**places
        scaled = round(low * scale) + self.below(path, max(round((high - low) * scale), 0) + 1)
        sign, whole = ("-" if scaled < 0 else ""), abs(scaled)
        if not places:
            return f"{sign}{whole}"
        return f"{sign}{whole // scale}.{whole % scale:0{places}d}"

    def named(self, node, path, name) -> str:
        """Text by the field's name, as conventions.faker_rule reads it."""
        if name == "slug" or conventions.is_slug(node):
            return f"{self.word(path)}-{self.word(f'{path}#2')}-{self.below(f'{path}#n', 1000)}"
        if "phone" in name:
            return f"+1{self.below(path, 10**10):010d}"
        if "email" in name:
            return self.email(path, name, None)
        if conventions.is_version(name):
            return (
                f"{self.below(path, 5)}.{self.below(f'{path}#2', 20)}.{self.below(f'{path}#3', 30)}"
            )
        width = conventions.hex_length(name)
        if width is not None:
            return self.hex(path, width)
        if conventions.is_url(name):
            return self.url(path, name, None)
        provider = conventions.provider_of(name) or "sentence"
        return _PROVIDERS.get(provider, _sentence)(self, path)

    def word(self, path) -> str:
        return self.pick(path, _WORDS)

    def hex(self, path, width: int) -> str:
        out = ""
        while len(out) < width:
            out += f"{self.bits(f'{path}#h{len(out)}'):016x}"
        return out[:width]

    def email(self, path, name, floor) -> str:
        user = f"{self.pick(f'{path}#f', _FIRST)}.{self.pick(f'{path}#l', _LAST)}".lower()
        return f"{user}{self.below(f'{path}#n', 100)}@{self.pick(f'{path}#d', _DOMAINS)}"

    def url(self, path, name, floor) -> str:
        return (
            f"https://{self.pick(f'{path}#d', _DOMAINS)}/{self.word(path)}-{self.word(f'{path}#2')}"
        )

    def datetime(self, path, name, floor) -> str:
        start = _START if floor is None else min(floor, _END)
        moment = start + int(self.uniform(path) * (_END - start))
        if self.uniform(f"{path}#whole") < 0.25:  # a quarter of real moments are whole seconds
            moment -= moment % 1_000_000
        return format_datetime(max(moment, start))

    def date(self, path, name, floor) -> str:
        first, last = _EPOCH_DAYS
        return format_date(first + self.below(path, last - first + 1))

    def time(self, path, name, floor) -> str:
        """DRF's TimeField: `value.isoformat()`, microseconds only when there are some."""
        seconds = self.below(path, 86_400)
        text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if self.uniform(f"{path}#us") < 0.2:
            text += f".{self.below(f'{path}#u', 999_999) + 1:06d}"
        return text

    def duration(self, path, name, floor) -> str:
        """Django's duration_string, which DRF's DurationField renders: `[D ]HH:MM:SS[.u]`."""
        days = self.below(f"{path}#d", 8) if self.uniform(f"{path}#has") < 0.5 else 0
        seconds = self.below(path, 86_400)
        text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if days:
            text = f"{days} {text}"
        if self.uniform(f"{path}#us") < 0.2:
            text += f".{self.below(f'{path}#u', 999_999) + 1:06d}"
        return text

    def uuid(self, path, name, floor) -> str:
        h = self.hex(path, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def ipv4(self, path, name, floor) -> str:
        first = self.pick(f"{path}#a", _PUBLIC_FIRST_OCTETS)
        rest = [self.below(f"{path}#{n}", 254) + 1 for n in range(3)]
        return ".".join(map(str, [first, *rest]))

    def ipv6(self, path, name, floor) -> str:
        """In 2001:db8::/32, the documentation prefix (RFC 3849)."""
        groups = [f"{self.below(f'{path}#{n}', 0x10000):x}" for n in range(6)]
        return ":".join(["2001", "db8", *groups])

    def hostname(self, path, name, floor) -> str:
        return f"{self.word(path)}.{self.pick(f'{path}#d', _DOMAINS)}"

    def binary(self, path, name, floor) -> str:
        """A FileField renders its file's URL."""
        ext = self.pick(f"{path}#e", ("pdf", "png", "jpg", "csv", "txt"))
        return f"https://{self.pick(f'{path}#d', _DOMAINS)}/media/{self.word(path)}.{ext}"

    def byte(self, path, name, floor) -> str:
        raw = bytes.fromhex(self.hex(path, 2 * (12 + self.below(f"{path}#n", 13))))
        return base64.b64encode(raw).decode()

    def password(self, path, name, floor) -> str:
        return self.hex(path, 16)

    def slug(self, path, name, floor) -> str:
        return f"{self.word(path)}-{self.word(f'{path}#2')}"

    def text(self, path, name, floor) -> str:
        return self.named({}, path, name)


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _matches(pattern: str, text: str) -> bool:
    """JSON Schema's `pattern`: found anywhere in the text (not anchored)."""
    compiled = _pattern(pattern)
    return compiled is None or compiled.search(text) is not None


_FORMATS = {
    "date-time": _Walk.datetime,
    "date": _Walk.date,
    "time": _Walk.time,
    "duration": _Walk.duration,
    "uuid": _Walk.uuid,
    "uri": _Walk.url,
    "url": _Walk.url,
    "iri": _Walk.url,
    "uri-reference": _Walk.url,
    "email": _Walk.email,
    "idn-email": _Walk.email,
    "ipv4": _Walk.ipv4,
    "ipv6": _Walk.ipv6,
    "hostname": _Walk.hostname,
    "idn-hostname": _Walk.hostname,
    "binary": _Walk.binary,
    "byte": _Walk.byte,
    "password": _Walk.password,
    "slug": _Walk.slug,
}

# -- vocabularies: small, so that a value on the request path needs no Faker ----------------


def _vocabulary(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_WORDS = _vocabulary(
    "alpha amber anchor apex arrow aspen atlas aurora basil beacon birch blaze bloom bolt "
    "breeze brook cedar chalk cobalt comet coral crest delta drift ember falcon fern flint "
    "forge frost garnet glade granite harbor hazel heron indigo iris ivory jade juniper "
    "kestrel lagoon lark linen lotus lumen maple marble meadow mesa mint nova oak onyx opal "
    "orbit pearl pine pixel prairie quartz raven reef ridge river sable sage scarlet "
    "sierra slate solar sparrow spruce stone summit tide timber topaz tundra umber vale "
    "velvet violet willow zephyr"
)
_FIRST = _vocabulary(
    "Ada Alan Amara Ben Carla Chen Diego Elena Farah Grace Hugo Ines Jonas Kemal Lena Luis "
    "Maya Noah Olga Priya Rafael Sara Tomas Yusuf Zoe"
)
_LAST = _vocabulary(
    "Adams Baker Costa Dubois Evans Fischer Garcia Hansen Ito Jensen Kaya Larsen Martin "
    "Nguyen Okafor Patel Quinn Rossi Silva Tanaka Novak Weber Yilmaz Zimmer"
)
_CITIES = _vocabulary(
    "Lisbon Oslo Austin Kyoto Porto Denver Lyon Ghent Leeds Bergen Tampere Graz Turin Cork "
    "Malmo Utrecht"
)
_COUNTRIES = _vocabulary(
    "Portugal Norway Japan France Belgium Finland Austria Italy Ireland Sweden Germany "
    "Canada Brazil Kenya Chile Spain"
)
_CURRENCIES = _vocabulary("USD EUR GBP JPY CHF SEK NOK CAD AUD BRL")
_LANGUAGES = _vocabulary("en de fr es it pt nl sv no fi ja tr")
_DOMAINS = ("example.com", "example.org", "example.net")  # reserved for examples (RFC 2606)
_PUBLIC_FIRST_OCTETS = (23, 34, 52, 64, 81, 93, 104, 142, 151, 185, 203, 212)
_COMPANY_SUFFIXES = ("Ltd", "Inc", "Group", "Labs", "and Sons", "GmbH")


def _sentence(walk: _Walk, path: str) -> str:
    """4 to 9 words, all drawn from one hash (two bytes a word)."""
    raw = hashlib.blake2b(walk.prefix + path.encode(), digest_size=20).digest()
    count = 4 + raw[0] % 6
    words = [_WORDS[int.from_bytes(raw[2 + 2 * n : 4 + 2 * n]) % len(_WORDS)] for n in range(count)]
    return " ".join(words).capitalize() + "."


def _paragraph(walk: _Walk, path: str) -> str:
    return " ".join(_sentence(walk, f"{path}#s{n}") for n in range(2 + walk.below(path, 3)))


def _catch_phrase(walk: _Walk, path: str) -> str:
    return " ".join(walk.word(f"{path}#{n}").capitalize() for n in range(2 + walk.below(path, 2)))


_PROVIDERS: dict[str, Callable[[_Walk, str], str]] = {
    "first_name": lambda w, p: w.pick(p, _FIRST),
    "last_name": lambda w, p: w.pick(p, _LAST),
    "user_name": lambda w, p: (
        f"{w.pick(p, _FIRST).lower()}{w.pick(f'{p}#l', _LAST).lower()}{w.below(f'{p}#n', 100)}"
    ),
    "city": lambda w, p: w.pick(p, _CITIES),
    "country": lambda w, p: w.pick(p, _COUNTRIES),
    "company": lambda w, p: f"{w.pick(p, _LAST)} {w.pick(f'{p}#s', _COMPANY_SUFFIXES)}",
    "street_address": lambda w, p: f"{1 + w.below(f'{p}#n', 999)} {w.word(p).capitalize()} Street",
    "street_name": lambda w, p: f"{w.word(p).capitalize()} Street",
    "hex_color": lambda w, p: f"#{w.hex(p, 6)}",
    "currency_code": lambda w, p: w.pick(p, _CURRENCIES),
    "language_code": lambda w, p: w.pick(p, _LANGUAGES),
    "catch_phrase": _catch_phrase,
    "paragraph": _paragraph,
    "sentence": _sentence,
    "ipv4_public": lambda w, p: w.ipv4(p, "", None),
}
