"""DRF's and django-filter's naming conventions: what an unannotated parameter or field means.

A drf-spectacular spec says what exists but not what it does. These rules read it the way
the service that generated it works, so that no annotation is needed:

- a query parameter named after a field filters on it (`exact`); `<field>__<lookup>` uses
  django-filter's lookup (`price__gte`, `name__icontains`, `id__in`, `created__date`);
- `page` is PageNumberPagination's page, `page_size` or `limit` its page size; `offset`
  LimitOffsetPagination's, `cursor` CursorPagination's;
- `ordering` is OrderingFilter's, `search` SearchFilter's (or any parameter whose
  description is the one those filters give it);
- a field's fake values follow its format and name (`email`, `uuid`, `date-time`, a decimal's
  pattern, `first_name`, `slug`, ...), within maxLength, minimum, maximum, enum and nullable.

An `x-filter`, `x-query` or `x-faker` annotation always wins over what is inferred here.
"""

from __future__ import annotations

import re
from enum import StrEnum

from mockserver.contract.schema import effective, json_types, members_of


class Lookup(StrEnum):
    """django-filter's lookups (Django's field lookups) the query engine implements, and the
    ones only the engine and annotations name."""

    EXACT = "exact"
    IEXACT = "iexact"
    CONTAINS = "contains"
    ICONTAINS = "icontains"
    STARTSWITH = "startswith"
    ISTARTSWITH = "istartswith"
    ENDSWITH = "endswith"
    IENDSWITH = "iendswith"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    ISNULL = "isnull"
    RANGE = "range"
    DATE = "date"
    # Named by the Users contract's annotations: a list field holding any of the ids, and a
    # comparison with a stored password hash.
    ANY = "any"
    HASHED = "hashed"
    # Across a relation (`category__slug`): the related records' lookup, or a nested
    # serializer's field's.
    RELATED = "related"
    NESTED = "nested"


class Control(StrEnum):
    """What a control parameter does: pagination, ordering, search; PREFER is the mock's
    own (`__code`, read by mockserver/http/prefer.py), CREDENTIAL an authenticator's."""

    PAGE = "page"
    LIMIT = "limit"
    OFFSET = "offset"
    CURSOR = "cursor"
    SORT = "sort"
    SEARCH = "search"
    PREFER = "prefer"
    CREDENTIAL = "credential"  # an apiKey scheme's query parameter: read by mockserver/http/auth.py


# The lookups a parameter's name may end in (`price__gte`), and those annotations name.
LOOKUPS = tuple(Lookup)[: list(Lookup).index(Lookup.ANY)]
ANNOTATION_LOOKUPS = (Lookup.ANY, Lookup.HASHED)
# The controls a spec's parameter may be (x-query).
CONTROLS = tuple(c for c in Control if c not in (Control.PREFER, Control.CREDENTIAL))
# The descriptions DRF's filters and paginators give their parameters (`get_schema_...`).
_DESCRIBED = {
    "Which field to use when ordering the results.": "sort",
    "A search term.": "search",
    "A page number within the paginated result set.": "page",
    "Number of results to return per page.": "limit",
    "The initial index from which to return the results.": "offset",
    "The pagination cursor value.": "cursor",
}
_NAMED = {
    "page": "page",
    "page_size": "limit",
    "limit": "limit",
    "offset": "offset",
    "cursor": "cursor",
    "ordering": "sort",
}
_NAMED["search"] = "search"


def control(name: str, description: str | None) -> str | None:
    """What a pagination, ordering or search parameter does, from its name or description.

    >>> control("page_size", None), control("sort", "Which field to use when ordering the results.")
    ('limit', 'sort')
    """
    return _DESCRIBED.get((description or "").strip()) or _NAMED.get(name)


def filter_of(name: str, fields) -> tuple[str, str] | None:
    """The (field, lookup) a parameter named after a field filters with, if it is one.

    >>> filter_of("price__gte", {"price": {}}), filter_of("name", {"name": {}})
    (('price', 'gte'), ('name', 'exact'))
    >>> filter_of("created__year", {"created": {}}) is None
    True
    """
    if name in fields:
        return name, "exact"
    field, _, lookup = name.rpartition("__")
    if field in fields and lookup in LOOKUPS:
        return field, lookup
    return None


def decimal_places(prop: dict) -> tuple[int, int]:
    """(digits before the point, places after it) of a DRF DecimalField, from its pattern.

    drf-spectacular writes `max_digits=8, decimal_places=2` as `^-?\\d{0,6}(?:\\.\\d{0,2})?$`.

    >>> decimal_places({"type": "string", "format": "decimal",
    ...                 "pattern": "^-?\\\\d{0,6}(?:\\\\.\\\\d{0,2})?$"})
    (6, 2)
    """
    pattern = prop.get("pattern") or ""
    whole = re.search(r"^\^-\?\\d\{0,(\d+)\}", pattern)
    places = re.search(r"\\\.\\d\{0,(\d+)\}", pattern)
    if whole is None and places is None:
        return 8, 2
    # `^-?0?(?:\.\d{0,2})?$`: max_digits == decimal_places, no digit before the point.
    return (int(whole[1]) if whole else 0), (int(places[1]) if places else 0)


def is_decimal(prop: dict) -> bool:
    """A DecimalField, which DRF renders as a string (COERCE_DECIMAL_TO_STRING)."""
    return prop.get("type") == "string" and prop.get("format") == "decimal"


def is_slug(prop: dict) -> bool:
    """A SlugField: drf-spectacular writes its pattern `^[-a-zA-Z0-9_]+$`."""
    pattern = prop.get("pattern")
    return isinstance(pattern, str) and _SLUG.fullmatch(pattern) is not None


def is_text(prop: dict) -> bool:
    """A text field that SearchFilter searches by default: a string without enum, and with no
    format, or an email, URI or slug (DRF's CharField, TextField, EmailField, URLField...)."""
    return (
        prop.get("type") == "string"
        and "enum" not in prop
        and prop.get("format") in (None, "email", "uri", "slug")
    )


# -- fake values -----------------------------------------------------------------------------

# Field names and the Faker provider that fits them, in the x-faker language.
# mockserver/fake/sample.py has a small vocabulary for each of these providers, for values
# made on the request path.
_BY_NAME = {
    "first_name": "first_name",
    "last_name": "last_name",
    "username": "user_name",
    "city": "city",
    "country": "country",
    "company": "company",
    "address": "street_address",
    "street": "street_name",
    "color": "hex_color",
    "colour": "hex_color",
    "currency": "currency_code",
    "language": "language_code",
    "title": "catch_phrase",
    "name": "catch_phrase",
    "site_name": "company",
    "description": "paragraph",
    "bio": "paragraph",
    "text": "paragraph",
    "body": "paragraph",
    "summary": "sentence",
    "comment": "sentence",
    "ip": "ipv4_public",
    "ip_address": "ipv4_public",
}
# Integers without bounds (or with only their column type's), by name: a plausible range.
_INTEGER_RANGES = {
    "rating": (1, 5),
    "stars": (1, 5),
    "year": (1990, 2025),
    "age": (18, 90),
    "count": (0, 1000),
    "stock": (0, 1000),
    "quantity": (0, 1000),
    "qty": (0, 1000),
    "port": (1024, 65535),
    "percent": (0, 100),
    "percentage": (0, 100),
    "order": (0, 100),
    "position": (0, 100),
    "priority": (0, 100),
    "rank": (0, 100),
    "sort_order": (0, 100),
}
_INTEGER_DEFAULT = (1, 1000)
# Floats (FloatField) by name: (low, high, places).
_NUMBER_RANGES = {
    "latitude": (-90.0, 90.0, 6),
    "lat": (-90.0, 90.0, 6),
    "longitude": (-180.0, 180.0, 6),
    "lng": (-180.0, 180.0, 6),
    "lon": (-180.0, 180.0, 6),
    "rating": (1.0, 5.0, 1),
    "percent": (0.0, 100.0, 2),
    "percentage": (0.0, 100.0, 2),
    "ratio": (0.0, 1.0, 3),
    "rate": (0.0, 1.0, 3),
    "probability": (0.0, 1.0, 3),
    "confidence": (0.0, 1.0, 3),
    "weight": (0.0, 100.0, 2),
    "score": (0.0, 100.0, 2),
}
_NUMBER_DEFAULT = (0.0, 1000.0, 2)
# Column types' limits (SmallIntegerField, IntegerField, BigIntegerField and their Positive
# forms): drf-spectacular writes them as minimum/maximum, but they bound nothing real.
_TYPE_LIMITS = {2**15 - 1, 2**31 - 1, 2**63 - 1, -(2**15), -(2**31), -(2**63)}
# Names of secrets and digests, and the hex length their kind has: a token's key is 40 (DRF's
# authtoken), a SHA-256 64, an MD5 (an ETag) 32.
_HEX_LENGTHS = {
    "md5": 32,
    "etag": 32,
    "sha1": 40,
    "sha": 64,
    "sha256": 64,
    "hash": 64,
    "checksum": 64,
    "digest": 64,
    "fingerprint": 40,
    "token": 40,
    "key": 40,
    "secret": 64,
    "signature": 64,
    "nonce": 32,
    "salt": 32,
}
_VERSION_NAMES = ("version", "release", "semver")
_URL_NAMES = ("url", "uri", "link", "website", "homepage", "avatar", "image", "photo", "icon")
_SLUG = re.compile(r"\^\[-a-zA-Z0-9_\]\+\$")
START, END = "2020-01-01T00:00:00Z", "2025-12-31T23:59:59Z"


def _words(name: str) -> list[str]:
    return name.lower().split("_")


def provider_of(name: str) -> str | None:
    """The Faker provider a text field's name asks for, if any.

    >>> provider_of("first_name"), provider_of("short_description"), provider_of("nickname")
    ('first_name', 'paragraph', None)
    """
    return _BY_NAME.get(name) or _BY_NAME.get(name.rpartition("_")[2])


def integer_range(name: str) -> tuple[int, int]:
    """A plausible range for an integer with no real bounds, by its name.

    >>> integer_range("rating"), integer_range("comment_count"), integer_range("percent_done")
    ((1, 5), (0, 1000), (0, 100))
    >>> integer_range("max_cart_items")
    (1, 1000)
    """
    words = _words(name)
    for word in (name.lower(), words[-1], words[0]):
        if word in _INTEGER_RANGES:
            return _INTEGER_RANGES[word]
    if "count" in words or name.lower().startswith("num_"):
        return _INTEGER_RANGES["count"]
    return _INTEGER_DEFAULT


def number_range(name: str) -> tuple[float, float, int]:
    """(low, high, places) of a plausible float by its name.

    >>> number_range("latitude"), number_range("price")
    ((-90.0, 90.0, 6), (0.0, 1000.0, 2))
    """
    words = _words(name)
    for word in (name.lower(), words[-1], words[0]):
        if word in _NUMBER_RANGES:
            return _NUMBER_RANGES[word]
    return _NUMBER_DEFAULT


def bounded_integer(name: str, prop: dict) -> tuple[int, int]:
    """The range of an integer field: its schema's bounds, narrowed to what its name makes
    plausible; a bound at the column type's limit counts as none.

    >>> bounded_integer("rating", {"type": "integer", "minimum": -32768, "maximum": 32767})
    (1, 5)
    >>> bounded_integer("rank", {"type": "integer", "minimum": 10, "maximum": 20})
    (10, 20)
    >>> bounded_integer("level", {"type": "integer", "maximum": -5})
    (-1005, -5)
    """
    low, high = _bound(prop, "minimum"), _bound(prop, "maximum")
    if prop.get("exclusiveMinimum") is True and low is not None:
        low += 1
    elif _number(prop.get("exclusiveMinimum")):
        low = prop["exclusiveMinimum"] + 1
    if prop.get("exclusiveMaximum") is True and high is not None:
        high -= 1
    elif _number(prop.get("exclusiveMaximum")):
        high = prop["exclusiveMaximum"] - 1
    low = None if low is None or low in _TYPE_LIMITS else int(-(-low // 1))
    high = None if high is None or high in _TYPE_LIMITS else int(high // 1)
    plausible_low, plausible_high = integer_range(name)
    start = plausible_low if low is None else max(low, plausible_low)
    stop = plausible_high if high is None else min(high, plausible_high)
    if start > stop:  # the bounds exclude the plausible range: stay by the nearest bound
        if low is not None and (high is None or low > plausible_high):
            start, stop = low, low + 1000
        else:
            start, stop = high - 1000, high
        if low is not None:
            start = max(start, low)
        if high is not None:
            stop = min(stop, high)
    return int(start), int(stop)


def bounded_number(name: str, prop: dict) -> tuple[float, float, int]:
    """(low, high, places) of a float field: its bounds, else what its name makes plausible.

    >>> bounded_number("score", {"type": "number", "minimum": 1.5, "maximum": 9.5})
    (1.5, 9.5, 2)
    """
    plausible_low, plausible_high, places = number_range(name)
    low, high = _bound(prop, "minimum"), _bound(prop, "maximum")
    if _number(prop.get("exclusiveMinimum")):
        low = prop["exclusiveMinimum"]
    if _number(prop.get("exclusiveMaximum")):
        high = prop["exclusiveMaximum"]
    if low is None and high is None:
        return plausible_low, plausible_high, places
    if low is None:
        low = min(plausible_low, high - 1000)
    if high is None:
        high = max(plausible_high, low + 1000) if low > plausible_low else plausible_high
    return float(low), float(high), places


def _bound(prop: dict, key: str):
    """A bound that is a number; anything else (`minimum: "0"`) bounds nothing."""
    return prop[key] if _number(prop.get(key)) else None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def hex_length(name: str) -> int | None:
    """The hex digits of a digest or secret named so (`etag`, `api_key`, `sha256`), else None.

    >>> hex_length("api_key"), hex_length("etag"), hex_length("monkey")
    (40, 32, None)
    """
    for word in reversed(_words(name)):
        if word in _HEX_LENGTHS:
            return _HEX_LENGTHS[word]
    return None


def is_version(name: str) -> bool:
    """A version string (`version`, `app_version`).

    >>> is_version("app_version"), is_version("conversion")
    (True, False)
    """
    return _words(name)[-1] in _VERSION_NAMES


def is_url(name: str) -> bool:
    """A link named so (`url`, `avatar_url`, `website`).

    >>> is_url("avatar_url"), is_url("curl_command")
    (True, False)
    """
    return any(word in _URL_NAMES for word in _words(name))


def is_created(name: str) -> bool:
    """A creation moment (`created`, `created_at`, `date_joined`), which comes first."""
    return name.startswith(("created", "date_created", "date_joined")) or name == "joined"


def is_updated(name: str) -> bool:
    """A later change's moment (`updated`, `modified_at`), which comes after the creation."""
    return name.startswith(("updated", "modified", "last_modified", "date_modified", "changed"))


def needs_sample(prop: dict) -> bool:
    """Whether a field's values are structured: a nested serializer (an object with
    properties, a `$ref`, an `allOf`/`oneOf`/`anyOf` of objects), a list of them or of
    plain values, a map with typed values, or values of more than one type.
    mockserver/fake/sample.py makes those whole.

    A list of integers (ids) or of an enum's values, and a JSON object with no properties,
    keep their own rules.

    >>> needs_sample({"type": "object", "properties": {"a": {"type": "string"}}})
    True
    >>> needs_sample({"type": "array", "items": {"type": "integer"}})
    False
    >>> needs_sample({"type": "object"})
    False
    >>> needs_sample({"oneOf": [{"type": "boolean"}, {"type": "string"}]})
    True
    """
    if "$ref" in prop or len(json_types(prop)) > 1:  # `oneOf: [boolean, object]`
        return True
    flat = effective(prop)
    kind = flat.get("type")
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        return effective(items).get("type") != "integer" and "enum" not in effective(items)
    if kind not in ("object", None) or "enum" in flat:
        return False
    extra = flat.get("additionalProperties")
    if flat.get("properties") or (isinstance(extra, dict) and extra):
        return True
    return any(m != {} for m in members_of(prop))


def _is_key_name(name: str) -> bool:
    """A field named as a key: `id`, `uid`, `uuid`, `pk` or `<something>_id`/`_uid`.

    >>> [_is_key_name(n) for n in ("id", "external_id", "uid", "paid", "name")]
    [True, True, True, False, False]
    """
    return name in ("id", "uid", "uuid", "pk") or name.endswith(("_id", "_uid", "_uuid"))


def faker_rule(
    name: str, prop: dict, relation: dict | None = None, fields: dict | None = None
) -> dict:
    """The x-faker rule a field gets when its spec gives none; `fields` are the schema's
    properties (an `updated_at` comes after its record's `created_at`).

    >>> faker_rule("id", {"type": "integer", "readOnly": True})
    {'sequence': True}
    >>> faker_rule("sku", {"type": "string", "format": "uuid"})
    {'template': '{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}'}
    >>> faker_rule("status", {"type": "string", "enum": ["draft", "active", None],
    ...                       "nullable": True})
    {'choice': ['draft', 'active'], 'null': 0.1}
    >>> faker_rule("author", {"type": "object", "properties": {"name": {"type": "string"}}})
    {'sample': True}
    >>> faker_rule("eth_address", {"type": "string", "pattern": "^0x[a-fA-F0-9]{40}$"})
    {'sample': True}
    """
    if relation is None and needs_sample(prop):
        return {"sample": True}  # sample.py draws null itself, for a nullable field
    flat = effective(prop)
    rule = _rule(name, flat, relation, fields or {})
    enum = flat.get("enum") if isinstance(flat.get("enum"), list) else ()
    nullable = flat.get("nullable") or None in enum  # NullEnum
    if nullable and "null" not in rule and name != "id":
        rule["null"] = 0.1
    return rule


def _rule(name: str, prop: dict, relation: dict | None, fields: dict) -> dict:
    kind, fmt = prop.get("type"), prop.get("format")
    if relation is not None:
        return dict(relation)
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return {"choice": [value for value in prop["enum"] if value is not None]}
    if kind == "integer":
        if name == "id":
            return {"sequence": True}
        low, high = bounded_integer(name, prop)
        return {"integer": {"min": low, "max": high}}
    if kind == "number":
        # DRF's FloatField: a float, which JSON writes with its fraction (`72617.0`).
        low, high, places = bounded_number(name, prop)
        return {"float": {"min": low, "max": high, "places": places}}
    if kind == "boolean":
        return {"bool": 0.5}
    if kind == "array":
        return {"shape": []}
    if kind == "object" or kind is None:
        return {"shape": {}}
    if is_decimal(prop):
        digits, places = decimal_places(prop)
        largest = 10**digits - 10**-places  # `max_digits=2, decimal_places=2`: 0.99
        return {"decimal": {"min": 0, "max": min(largest, 1000), "places": places}}
    if isinstance(prop.get("pattern"), str) and not is_slug(prop):
        # A `pattern` the name's rule may not match (an `eth_address` of 40 hex digits is no
        # street address): sample.py keeps the name's text when it matches, and otherwise
        # makes a text from the pattern itself.
        return {"sample": True}
    if fmt == "date-time":
        created = [
            other
            for other, sub in fields.items()
            if is_created(other)
            and other != name
            and effective(sub).get("format") == "date-time"
            and not effective(sub).get("nullable")
            and "x-faker" not in sub
        ]
        if is_updated(name) and created:
            return {"datetime": {"after": created, "days": 365, "end": END}}
        return {"datetime": {"start": START, "end": END}}
    if fmt == "date":
        return {"date": {"start": START[:10], "end": END[:10]}}
    if fmt == "uuid":
        return {"template": "{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"}
    if fmt is None and kind == "string" and _is_key_name(name) and "pattern" not in prop:
        # A text key (`id`, `external_id`, `uid`): a uuid's text, as such keys mostly are.
        return {"template": "{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"}
    if fmt == "email":
        return {"template": "{faker:user_name}{digits:###}@{faker:free_email_domain}"}
    if fmt in ("uri", "url", "iri"):
        return {"template": "https://{faker:domain_name}/{faker:slug}"}
    if fmt in ("ipv4", "ipv6"):
        return {"faker": fmt}
    if fmt in ("hostname", "idn-hostname"):
        return {"faker": "domain_name"}
    if fmt == "binary":  # a FileField renders its file's URL
        return {"template": "https://{faker:domain_name}/media/{faker:file_name}"}
    if fmt in ("time", "duration", "byte"):
        return {"sample": True}  # DRF's texts: `14:30:00`, `3 04:05:06`; base64
    if name == "slug" or is_slug(prop):
        # Slugs are often unique (a lookup field): the record number makes them so.
        return {"template": "{faker:slug}-{id}"}
    if "phone" in name:
        return {"template": "+1{digits:##########}"}
    if "email" in name:
        return {"template": "{faker:user_name}{digits:###}@{faker:free_email_domain}"}
    if is_version(name):
        return {"template": "{digits:#}.{digits:#}.{digits:#}"}
    width = hex_length(name)
    if width is not None:
        return {"template": _hex(width)}
    if is_url(name):
        return {"template": "https://{faker:domain_name}/{faker:slug}"}
    return {"faker": provider_of(name) or "sentence"}


def _hex(width: int) -> str:
    """A template of `width` hex digits (a placeholder holds at most 32).

    >>> _hex(40)
    '{hex:32}{hex:8}'
    """
    return "".join(f"{{hex:{min(32, width - at)}}}" for at in range(0, width, 32))
