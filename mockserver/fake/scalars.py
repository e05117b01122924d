"""Scalar values for mockserver/fake/sample.py: numbers within their bounds, texts in the formats
DRF renders, names as mockserver/contract/conventions.py reads them, texts made from a `pattern`.

`Scalars` holds the draws (each a hash of the value's prefix and a path) and one method per
kind of number or text; sample.py's walk is a `Scalars`. The vocabularies are small, so that a value
made on the request path needs no Faker. A string whose name's text does not match its
`pattern` gets a text made from the pattern by rstr (a regular expression's strings drawn
with a `random.Random` of the value's hash, so the same in every process).

>>> scalars = Scalars(b"42/k|")
>>> scalars.string({"type": "string", "pattern": "^0x[a-f0-9]{8}$"}, "", "eth_address", None)
'0x58d4847b'
>>> scalars.string({"type": "string", "format": "uuid"}, "", "", None)
'cd8fd388-bccd-4bdb-a302-4269adabc106'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import random
import re
import string
from collections.abc import Callable

import rstr

from mockserver.contract import conventions
from mockserver.contract.timefmt import format_date, format_datetime, parse_datetime

_START = parse_datetime(conventions.START)
_END = parse_datetime(conventions.END)
_EPOCH_DAYS = (_START // 86_400_000_000, _END // 86_400_000_000)
# Scalars drawn from a pattern before its string is given up (then the record's check says so).
_PATTERN_TRIES = 4
# A pattern's `*`, `+` and `{n,}` repeat at most this many times more than their least:
# rstr's own bound is 100, which makes a `^\w+$` name a hundred characters long.
_MOST_REPEATS = 12
# What `.` and a negated class (`[^/]`) draw from: printable, without control characters.
_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " "


class Scalars:
    """The hashed draws of one value (`prefix` holds its seed and key) and its numbers and texts."""

    def __init__(self, prefix: bytes):
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

    # -- texts -----------------------------------------------------------------------------

    def string(self, node, path, name, floor) -> str:
        fmt = node.get("format")
        if fmt == "decimal" or conventions.is_decimal(node):
            return self.decimal(node, path)
        make = _FORMATS.get(fmt)
        text = make(self, path, name, floor) if make else self.named(node, path, name)
        text = self.fit(text, node, path)
        pattern = node.get("pattern")
        if isinstance(pattern, str) and not _matches(pattern, text):
            # The name's text does not fit the pattern (an `eth_address` of
            # `^0x[a-fA-F0-9]{40}$`): a text made from the pattern itself.
            for n in range(_PATTERN_TRIES):
                made = pattern_text(pattern, self.bits(f"{path}#re{n}"))
                if made is None:
                    break
                made = self.fit(made, node, path)
                if _matches(pattern, made):
                    return made
        return text

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
    "date-time": Scalars.datetime,
    "date": Scalars.date,
    "time": Scalars.time,
    "duration": Scalars.duration,
    "uuid": Scalars.uuid,
    "uri": Scalars.url,
    "url": Scalars.url,
    "iri": Scalars.url,
    "uri-reference": Scalars.url,
    "email": Scalars.email,
    "idn-email": Scalars.email,
    "ipv4": Scalars.ipv4,
    "ipv6": Scalars.ipv6,
    "hostname": Scalars.hostname,
    "idn-hostname": Scalars.hostname,
    "binary": Scalars.binary,
    "byte": Scalars.byte,
    "password": Scalars.password,
    "slug": Scalars.slug,
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


def _sentence(scalars: Scalars, path: str) -> str:
    """4 to 9 words, all drawn from one hash (two bytes a word)."""
    raw = hashlib.blake2b(scalars.prefix + path.encode(), digest_size=20).digest()
    count = 4 + raw[0] % 6
    words = [_WORDS[int.from_bytes(raw[2 + 2 * n : 4 + 2 * n]) % len(_WORDS)] for n in range(count)]
    return " ".join(words).capitalize() + "."


def _paragraph(scalars: Scalars, path: str) -> str:
    return " ".join(_sentence(scalars, f"{path}#s{n}") for n in range(2 + scalars.below(path, 3)))


def _catch_phrase(scalars: Scalars, path: str) -> str:
    return " ".join(
        scalars.word(f"{path}#{n}").capitalize() for n in range(2 + scalars.below(path, 2))
    )


_PROVIDERS: dict[str, Callable[[Scalars, str], str]] = {
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


class _Strings(rstr.Rstr):
    """rstr's strings of a regular expression, the same in every process.

    rstr draws a negated class (`[^/]`) and `\\W` from a `set` of characters, whose order
    changes with PYTHONHASHSEED: here they draw from a sorted list. Its repeats are
    bounded closer (`_MOST_REPEATS`). Both override rstr's Xeger methods of the same name,
    of rstr 3.2 (pinned below 4 in pyproject.toml).
    """

    def __init__(self, seed: int):
        nonword = "".join(sorted(set(_PRINTABLE) - set(string.ascii_letters + string.digits + "_")))
        super().__init__(random.Random(seed), printable=_PRINTABLE, whitespace=" ", nonword=nonword)

    def _handle_in(self, value):
        candidates = [c for state in value for c in self._handle_state(state)]
        if candidates and candidates[0] is False:  # `[^...]`
            excluded = set(candidates[1:])
            candidates = [c for c in _PRINTABLE if c not in excluded]
        return self._random.choice(candidates)

    def _handle_repeat(self, start_range: int, end_range: int, value) -> str:
        end_range = min(end_range, start_range + _MOST_REPEATS)
        times = self._random.randint(start_range, end_range)
        return "".join(self._handle_state(state) for _ in range(times) for state in value)


def pattern_text(pattern: str, seed: int) -> str | None:
    """A text that `pattern` matches, drawn by `seed`; None for a pattern Python's `re`
    cannot read (an ECMA-only construct such as `\\p{L}`).

    >>> pattern_text("^(assets|users)$", 7) in ("assets", "users")
    True
    >>> pattern_text("^[^/]+$", 3) == pattern_text("^[^/]+$", 3)
    True
    >>> pattern_text("\\p{L}+", 3) is None
    True
    """
    try:
        return _Strings(seed).xeger(pattern)
    except (re.error, KeyError, IndexError, ValueError, OverflowError, RecursionError):
        return None
