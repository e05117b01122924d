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

# django-filter's lookups (Django's field lookups) the query engine implements.
LOOKUPS = (
    "exact",
    "iexact",
    "contains",
    "icontains",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "isnull",
    "range",
    "date",
)
# Lookups the Users contract's annotations name beyond those: a list field holding any of
# the ids, and a comparison with a stored password hash.
ANNOTATION_LOOKUPS = ("any", "hashed")
# What each control parameter does: pagination, ordering, search.
CONTROLS = ("page", "limit", "offset", "cursor", "sort", "search")
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
_SLUG = re.compile(r"\^\[-a-zA-Z0-9_\]\+\$")
START, END = "2020-01-01T00:00:00Z", "2025-12-31T23:59:59Z"


def faker_rule(name: str, prop: dict, relation: dict | None = None) -> dict:
    """The x-faker rule a field gets when its spec gives none.

    >>> faker_rule("id", {"type": "integer", "readOnly": True})
    {'sequence': True}
    >>> faker_rule("sku", {"type": "string", "format": "uuid"})
    {'template': '{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}'}
    >>> faker_rule("status", {"type": "string", "enum": ["draft", "active", None],
    ...                       "nullable": True})
    {'choice': ['draft', 'active'], 'null': 0.1}
    """
    rule = _rule(name, prop, relation)
    if prop.get("nullable") and "null" not in rule and name != "id":
        rule["null"] = 0.1
    return rule


def _rule(name: str, prop: dict, relation: dict | None) -> dict:
    kind, fmt = prop.get("type"), prop.get("format")
    if relation is not None:
        return dict(relation)
    if "enum" in prop:
        return {"choice": [value for value in prop["enum"] if value is not None]}
    if kind == "integer":
        if name == "id":
            return {"sequence": True}
        low, high = prop.get("minimum"), prop.get("maximum")
        if low is None:
            low = 0 if high is None or high >= 0 else high - 1000
        high = low + 1000 if high is None else min(high, low + 1000)
        return {"integer": {"min": int(low), "max": int(high)}}
    if kind == "number":
        low = float(prop.get("minimum", 0))
        return {"decimal": {"min": low, "max": float(prop.get("maximum", low + 1000)), "places": 2}}
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
    if fmt == "date-time":
        return {"datetime": {"start": START, "end": END}}
    if fmt == "date":
        return {"date": {"start": START[:10], "end": END[:10]}}
    if fmt == "uuid":
        return {"template": "{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"}
    if fmt == "email":
        return {"template": "{faker:user_name}{digits:###}@{faker:free_email_domain}"}
    if fmt == "uri":
        return {"template": "https://{faker:domain_name}/{faker:slug}"}
    if fmt in ("ipv4", "ipv6"):
        return {"faker": fmt}
    if name == "slug" or _SLUG.fullmatch(prop.get("pattern") or ""):
        # Slugs are often unique (a lookup field): the record number makes them so.
        return {"template": "{faker:slug}-{id}"}
    if "phone" in name:
        return {"template": "+1{digits:##########}"}
    if "email" in name:
        return {"template": "{faker:user_name}{digits:###}@{faker:free_email_domain}"}
    provider = _BY_NAME.get(name) or _BY_NAME.get(name.rpartition("_")[2])
    return {"faker": provider or "sentence"}
