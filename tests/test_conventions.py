"""DRF's naming conventions as mockserver.conventions reads them: controls, filters, fake values."""

from __future__ import annotations

import pytest

from mockserver.conventions import (
    ANNOTATION_LOOKUPS,
    LOOKUPS,
    control,
    decimal_places,
    faker_rule,
    filter_of,
    is_text,
)

# drf-spectacular's patterns: `^[-a-zA-Z0-9_]+$` for a SlugField, and for a DecimalField
# `^-?\d{0,<max_digits - decimal_places>}(?:\.\d{0,<decimal_places>})?$`.
SLUG_PATTERN = "^[-a-zA-Z0-9_]+$"
PRICE_PATTERN = r"^-?\d{0,6}(?:\.\d{0,2})?$"
UUID_TEMPLATE = "{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"
EMAIL_TEMPLATE = "{faker:user_name}{digits:###}@{faker:free_email_domain}"


# -- control ----------------------------------------------------------------------------------

CONTROLS = [
    pytest.param("page", None, "page", id="page by name"),
    pytest.param("page_size", None, "limit", id="page_size by name"),
    pytest.param("limit", None, "limit", id="limit by name"),
    pytest.param("ordering", None, "sort", id="ordering by name"),
    pytest.param("search", None, "search", id="search by name"),
    pytest.param(
        "sort", "Which field to use when ordering the results.", "sort", id="OrderingFilter text"
    ),
    pytest.param("q", "A search term.", "search", id="SearchFilter text"),
    pytest.param(
        "p", "A page number within the paginated result set.", "page", id="paginator page text"
    ),
    pytest.param(
        "size", "Number of results to return per page.", "limit", id="paginator page size text"
    ),
    pytest.param("q", "  A search term.\n", "search", id="description with spaces around"),
    pytest.param("ordering", "A search term.", "search", id="the description wins over the name"),
    pytest.param("page", "Which page of the catalogue.", "page", id="unknown text, known name"),
    pytest.param("sort", None, None, id="sort is no DRF name"),
    pytest.param("offset", None, "offset", id="LimitOffsetPagination's offset"),
    pytest.param("cursor", None, "cursor", id="CursorPagination's cursor"),
    pytest.param(
        "x",
        "The initial index from which to return the results.",
        "offset",
        id="offset by description",
    ),
    pytest.param("name", None, None, id="a field"),
    pytest.param("q", "A search term", None, id="the description without its full stop"),
    pytest.param("Page", None, None, id="names are case-sensitive"),
]


@pytest.mark.parametrize(("name", "description", "expected"), CONTROLS)
def test_control(name, description, expected):
    assert control(name, description) == expected


# -- filter_of --------------------------------------------------------------------------------

FIELDS = {"price": {}, "name": {}, "owner__name": {}, "created": {}}


def test_lookups_are_django_filters_in_order():
    assert LOOKUPS == (
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
    assert ANNOTATION_LOOKUPS == ("any", "hashed")


@pytest.mark.parametrize("lookup", LOOKUPS)
def test_filter_of_every_lookup(lookup):
    assert filter_of(f"price__{lookup}", FIELDS) == ("price", lookup)


FILTERS = [
    pytest.param("price", ("price", "exact"), id="a field is its exact filter"),
    pytest.param("owner__name", ("owner__name", "exact"), id="a field named with __"),
    pytest.param(
        "owner__name__icontains", ("owner__name", "icontains"), id="a field named with __, lookup"
    ),
    pytest.param("owner__name__in", ("owner__name", "in"), id="a field named with __, in"),
    pytest.param("owner__icontains", None, id="a prefix of a field named with __"),
    pytest.param("owner", None, id="the first part of a field named with __"),
    pytest.param("created__year", None, id="a lookup the engine does not implement"),
    pytest.param("name__regex", None, id="regex"),
    pytest.param("price__any", None, id="an annotation lookup is never inferred"),
    pytest.param("price__hashed", None, id="hashed is never inferred"),
    pytest.param("price__GTE", None, id="lookups are case-sensitive"),
    pytest.param("price__", None, id="an empty lookup"),
    pytest.param("__gte", None, id="an empty field"),
    pytest.param("price__gte__lt", None, id="two lookups"),
    pytest.param("colour", None, id="no such field"),
    pytest.param("colour__exact", None, id="no such field, with a lookup"),
]


@pytest.mark.parametrize(("name", "expected"), FILTERS)
def test_filter_of(name, expected):
    assert filter_of(name, FIELDS) == expected


def test_filter_of_prefers_a_field_named_like_a_lookup():
    fields = {"price": {}, "price__gte": {}}
    assert filter_of("price__gte", fields) == ("price__gte", "exact")
    assert filter_of("price__gte__lt", fields) == ("price__gte", "lt")


def test_filter_of_takes_any_mapping_of_names():
    assert filter_of("id__in", ("id", "name")) == ("id", "in")
    assert filter_of("id__in", {}) is None


# -- decimal_places ---------------------------------------------------------------------------

DECIMALS = [
    pytest.param(PRICE_PATTERN, (6, 2), id="max_digits=8, decimal_places=2"),
    pytest.param(r"^-?\d{0,8}(?:\.\d{0,4})?$", (8, 4), id="max_digits=12, decimal_places=4"),
    pytest.param(r"^-?\d{0,5}(?:\.\d{0,0})?$", (5, 0), id="max_digits=5, decimal_places=0"),
    pytest.param(r"^-?\d{0,14}(?:\.\d{0,6})?$", (14, 6), id="two-digit counts"),
    # drf-spectacular writes `^-?0?` when every digit is after the point.
    pytest.param(r"^-?0?(?:\.\d{0,2})?$", (0, 2), id="max_digits=2, decimal_places=2"),
    pytest.param(None, (8, 2), id="no pattern: the default"),
    pytest.param("^[a-z]+$", (8, 2), id="another pattern: the default"),
]


@pytest.mark.parametrize(("pattern", "expected"), DECIMALS)
def test_decimal_places(pattern, expected):
    prop = {"type": "string", "format": "decimal"}
    if pattern is not None:
        prop["pattern"] = pattern
    assert decimal_places(prop) == expected


# -- is_text ----------------------------------------------------------------------------------

TEXTS = [
    pytest.param({"type": "string"}, True, id="string"),
    pytest.param({"type": "string", "maxLength": 60}, True, id="CharField"),
    pytest.param({"type": "string", "format": "email"}, True, id="email"),
    pytest.param({"type": "string", "format": "uri"}, True, id="uri"),
    pytest.param({"type": "string", "format": "slug"}, True, id="slug"),
    pytest.param({"type": "string", "pattern": SLUG_PATTERN}, True, id="slug pattern"),
    pytest.param({"type": "string", "nullable": True}, True, id="nullable string"),
    pytest.param({"type": "string", "format": "uuid"}, False, id="uuid"),
    pytest.param({"type": "string", "format": "date-time"}, False, id="date-time"),
    pytest.param({"type": "string", "format": "date"}, False, id="date"),
    pytest.param({"type": "string", "format": "decimal"}, False, id="decimal"),
    pytest.param({"type": "string", "format": "binary"}, False, id="binary"),
    pytest.param({"type": "string", "format": "ipv4"}, False, id="ipv4"),
    pytest.param({"type": "string", "enum": ["a", "b"]}, False, id="enum"),
    pytest.param({"type": "integer"}, False, id="integer"),
    pytest.param({"type": "number"}, False, id="number"),
    pytest.param({"type": "boolean"}, False, id="boolean"),
    pytest.param({"type": "array", "items": {"type": "string"}}, False, id="array of strings"),
    pytest.param({"type": "object"}, False, id="object"),
    pytest.param({}, False, id="no type"),
]


@pytest.mark.parametrize(("prop", "expected"), TEXTS)
def test_is_text(prop, expected):
    assert is_text(prop) is expected


# -- faker_rule -------------------------------------------------------------------------------

RULES = [
    pytest.param("id", {"type": "integer", "readOnly": True}, {"sequence": True}, id="id"),
    pytest.param(
        "id", {"type": "integer", "nullable": True}, {"sequence": True}, id="id is never null"
    ),
    pytest.param(
        "rank",
        {"type": "integer", "minimum": 10, "maximum": 20},
        {"integer": {"min": 10, "max": 20}},
        id="integer with minimum and maximum",
    ),
    pytest.param(
        "stock",
        {"type": "integer", "minimum": 0, "maximum": 9223372036854775807, "format": "int64"},
        {"integer": {"min": 0, "max": 1000}},
        id="integer up to int64: a thousand steps",
    ),
    pytest.param(
        "offset",
        {"type": "integer", "minimum": -5},
        {"integer": {"min": -5, "max": 995}},
        id="integer with a minimum only",
    ),
    pytest.param(
        "count", {"type": "integer"}, {"integer": {"min": 0, "max": 1000}}, id="plain integer"
    ),
    pytest.param("is_available", {"type": "boolean"}, {"bool": 0.5}, id="boolean"),
    pytest.param(
        "maintenance",
        {"type": "boolean", "nullable": True},
        {"bool": 0.5, "null": 0.1},
        id="nullable boolean",
    ),
    pytest.param(
        "status",
        {"type": "string", "enum": ["draft", "active", "retired"]},
        {"choice": ["draft", "active", "retired"]},
        id="enum",
    ),
    pytest.param(
        "status",
        {"type": "string", "enum": ["draft", "active", None], "nullable": True},
        {"choice": ["draft", "active"], "null": 0.1},
        id="nullable enum",
    ),
    pytest.param(
        "level", {"type": "integer", "enum": [1, 2, 3]}, {"choice": [1, 2, 3]}, id="integer enum"
    ),
    pytest.param(
        "created",
        {"type": "string", "format": "date-time"},
        {"datetime": {"start": "2020-01-01T00:00:00Z", "end": "2025-12-31T23:59:59Z"}},
        id="date-time",
    ),
    pytest.param(
        "released",
        {"type": "string", "format": "date"},
        {"date": {"start": "2020-01-01", "end": "2025-12-31"}},
        id="date",
    ),
    pytest.param(
        "released",
        {"type": "string", "format": "date", "nullable": True},
        {"date": {"start": "2020-01-01", "end": "2025-12-31"}, "null": 0.1},
        id="nullable date",
    ),
    pytest.param(
        "sku", {"type": "string", "format": "uuid"}, {"template": UUID_TEMPLATE}, id="uuid"
    ),
    pytest.param(
        "support_email",
        {"type": "string", "format": "email", "maxLength": 254},
        {"template": EMAIL_TEMPLATE},
        id="email format",
    ),
    pytest.param(
        "contact_email", {"type": "string"}, {"template": EMAIL_TEMPLATE}, id="email by name"
    ),
    pytest.param(
        "website",
        {"type": "string", "format": "uri"},
        {"template": "https://{faker:domain_name}/{faker:slug}"},
        id="uri",
    ),
    pytest.param("slug", {"type": "string"}, {"template": "{faker:slug}-{id}"}, id="slug by name"),
    pytest.param(
        "handle",
        {"type": "string", "maxLength": 50, "pattern": SLUG_PATTERN},
        {"template": "{faker:slug}-{id}"},
        id="slug by drf-spectacular's pattern",
    ),
    pytest.param(
        "handle",
        {"type": "string", "pattern": "^[a-z]+$"},
        {"faker": "sentence"},
        id="another pattern is no slug",
    ),
    pytest.param("phone", {"type": "string"}, {"template": "+1{digits:##########}"}, id="phone"),
    pytest.param(
        "mobile_phone",
        {"type": "string"},
        {"template": "+1{digits:##########}"},
        id="a name containing phone",
    ),
    pytest.param("first_name", {"type": "string"}, {"faker": "first_name"}, id="first_name"),
    pytest.param("last_name", {"type": "string"}, {"faker": "last_name"}, id="last_name"),
    pytest.param("username", {"type": "string"}, {"faker": "user_name"}, id="username"),
    pytest.param("description", {"type": "string"}, {"faker": "paragraph"}, id="description"),
    pytest.param(
        "short_description",
        {"type": "string"},
        {"faker": "paragraph"},
        id="a name ending in a known one",
    ),
    pytest.param("name", {"type": "string"}, {"faker": "catch_phrase"}, id="name"),
    pytest.param("nickname", {"type": "string"}, {"faker": "sentence"}, id="an unknown name"),
    pytest.param("ip_address", {"type": "string", "format": "ipv4"}, {"faker": "ipv4"}, id="ipv4"),
    pytest.param("attributes", {"type": "object"}, {"shape": {}}, id="object"),
    pytest.param("anything", {}, {"shape": {}}, id="no type"),
    pytest.param(
        "aliases", {"type": "array", "items": {"type": "string"}}, {"shape": []}, id="array"
    ),
    pytest.param(
        "price",
        {"type": "string", "format": "decimal", "pattern": PRICE_PATTERN},
        {"decimal": {"min": 0, "max": 1000, "places": 2}},
        id="decimal with its pattern",
    ),
    pytest.param(
        "weight",
        {"type": "string", "format": "decimal", "pattern": r"^-?\d{0,2}(?:\.\d{0,3})?$"},
        {"decimal": {"min": 0, "max": 99.999, "places": 3}},
        id="decimal below a thousand",
    ),
    pytest.param(
        "ratio",
        {"type": "number", "minimum": 1.5, "maximum": 9.5},
        {"decimal": {"min": 1.5, "max": 9.5, "places": 2}},
        id="number",
    ),
]


@pytest.mark.parametrize(("name", "prop", "expected"), RULES)
def test_faker_rule(name, prop, expected):
    assert faker_rule(name, prop) == expected


def test_faker_rule_integer_with_a_negative_maximum_only_stays_in_range():
    rule = faker_rule("level", {"type": "integer", "maximum": -5})["integer"]
    assert rule["max"] == -5
    assert rule["min"] <= rule["max"]


def test_faker_rule_for_a_fraction_only_decimal_stays_below_one():
    """DecimalField(max_digits=2, decimal_places=2): values like 0.37, never 37."""
    pattern = r"^-?0?(?:\.\d{0,2})?$"
    rule = faker_rule("rate", {"type": "string", "format": "decimal", "pattern": pattern})
    assert rule["decimal"]["places"] == 2
    assert 0 <= rule["decimal"]["min"] <= rule["decimal"]["max"] < 1


RELATIONS = [
    pytest.param(
        "category",
        {"type": "integer", "nullable": True},
        {"ref": {"count": 30}},
        {"ref": {"count": 30}, "null": 0.1},
        id="nullable foreign key",
    ),
    pytest.param(
        "category", {"type": "integer"}, {"ref": {"count": 30}}, {"ref": {"count": 30}}, id="FK"
    ),
    pytest.param(
        "tags",
        {"type": "array", "items": {"type": "integer"}},
        {"refs": {"count": 12}},
        {"refs": {"count": 12}},
        id="many to many",
    ),
    pytest.param(
        "status",
        {"type": "string", "enum": ["a", "b"]},
        {"ref": {"count": 3}},
        {"ref": {"count": 3}},
        id="the relation wins over the field's kind",
    ),
]


@pytest.mark.parametrize(("name", "prop", "relation", "expected"), RELATIONS)
def test_faker_rule_with_a_relation(name, prop, relation, expected):
    given = {key: dict(value) for key, value in relation.items()}
    assert faker_rule(name, prop, relation) == expected
    assert relation == given, "the relation passed in is not modified"


def test_faker_rule_returns_a_new_dict_each_time():
    prop = {"type": "boolean", "nullable": True}
    first = faker_rule("flag", prop)
    first["bool"] = 0.9
    assert faker_rule("flag", prop) == {"bool": 0.5, "null": 0.1}
    assert prop == {"type": "boolean", "nullable": True}
