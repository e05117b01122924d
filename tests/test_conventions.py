"""DRF's naming conventions as mockserver.contract.conventions reads them: controls, filters,
fake values."""

from __future__ import annotations

import pytest

from mockserver.contract.conventions import (
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
        {"integer": {"min": 1, "max": 1000}},
        id="integer with a minimum only: the plausible range within it",
    ),
    pytest.param(
        "offset",
        {"type": "integer", "minimum": 5000},
        {"integer": {"min": 5000, "max": 6000}},
        id="integer with a minimum above the plausible range",
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
        {"sample": True},
        id="another pattern is no slug: sampled to match it",
    ),
    pytest.param(
        "eth_address",
        {"type": "string", "pattern": "^0x[a-fA-F0-9]{40}$"},
        {"sample": True},
        id="a pattern wins over the name (no street address)",
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
        "aliases",
        {"type": "array", "items": {"type": "string"}},
        {"sample": True},
        id="array of text",
    ),
    pytest.param(
        "ids", {"type": "array", "items": {"type": "integer"}}, {"shape": []}, id="array of ids"
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
        {"float": {"min": 1.5, "max": 9.5, "places": 3}},
        id="number with bounds",
    ),
    pytest.param(
        "weight",
        {"type": "number", "format": "double"},
        {"float": {"min": 0.0, "max": 100.0, "places": 2}},
        id="FloatField by name",
    ),
    pytest.param(
        "latitude",
        {"type": "number", "format": "double", "nullable": True},
        {"float": {"min": -90.0, "max": 90.0, "places": 6}, "null": 0.1},
        id="nullable FloatField",
    ),
    pytest.param(
        "total",
        {"type": "number"},
        {"float": {"min": 0.0, "max": 1000.0, "places": 2}},
        id="number without a format",
    ),
]

# drf-spectacular's column limits: SmallIntegerField, IntegerField, BigIntegerField.
SMALL, INT, BIG = (-(2**15), 2**15 - 1), (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)
PLAUSIBLE = [
    pytest.param("rating", {}, (1, 5), id="rating"),
    pytest.param("rating", {"minimum": SMALL[0], "maximum": SMALL[1]}, (1, 5), id="small int"),
    pytest.param("year", {"minimum": INT[0], "maximum": INT[1]}, (1990, 2025), id="year int32"),
    pytest.param("age", {"minimum": 0, "maximum": BIG[1]}, (18, 90), id="age positive big"),
    pytest.param("comment_count", {}, (0, 1000), id="a count"),
    pytest.param("num_views", {}, (0, 1000), id="num_ prefix"),
    pytest.param("port", {}, (1024, 65535), id="port"),
    pytest.param("percent_complete", {}, (0, 100), id="percent"),
    pytest.param("position", {}, (0, 100), id="position"),
    pytest.param("priority", {"minimum": 1, "maximum": 5}, (1, 5), id="bounds narrow it"),
    pytest.param("max_cart_items", {"minimum": 0, "maximum": BIG[1]}, (1, 1000), id="else"),
    pytest.param("year", {"minimum": 2030}, (2030, 3030), id="bounds exclude the range"),
    pytest.param("level", {"maximum": -5}, (-1005, -5), id="a negative maximum"),
    pytest.param(
        "rating", {"minimum": 0, "exclusiveMinimum": True, "maximum": 3}, (1, 3), id="3.0 excl"
    ),
    pytest.param("rating", {"exclusiveMaximum": 4}, (1, 3), id="3.1 exclusiveMaximum"),
]


@pytest.mark.parametrize(("name", "bounds", "expected"), PLAUSIBLE)
def test_faker_rule_integer_in_a_plausible_range(name, bounds, expected):
    rule = faker_rule(name, {"type": "integer", **bounds})
    assert rule == {"integer": {"min": expected[0], "max": expected[1]}}


CREATED = {"type": "string", "format": "date-time", "readOnly": True}
NESTED = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
TEXT_RULES = [
    pytest.param("at", {"type": "string", "format": "time"}, {"sample": True}, id="time"),
    pytest.param("took", {"type": "string", "format": "duration"}, {"sample": True}, id="dur"),
    pytest.param("raw", {"type": "string", "format": "byte"}, {"sample": True}, id="byte"),
    pytest.param(
        "host", {"type": "string", "format": "hostname"}, {"faker": "domain_name"}, id="hostname"
    ),
    pytest.param("ip6", {"type": "string", "format": "ipv6"}, {"faker": "ipv6"}, id="ipv6"),
    pytest.param(
        "upload",
        {"type": "string", "format": "binary"},
        {"template": "https://{faker:domain_name}/media/{faker:file_name}"},
        id="binary: a file's URL",
    ),
    pytest.param(
        "app_version",
        {"type": "string"},
        {"template": "{digits:#}.{digits:#}.{digits:#}"},
        id="version",
    ),
    pytest.param("etag", {"type": "string"}, {"template": "{hex:32}"}, id="etag"),
    pytest.param("api_key", {"type": "string"}, {"template": "{hex:32}{hex:8}"}, id="a key"),
    pytest.param("sha256", {"type": "string"}, {"template": "{hex:32}{hex:32}"}, id="sha256"),
    pytest.param("token", {"type": "string"}, {"template": "{hex:32}{hex:8}"}, id="token"),
    pytest.param("monkey", {"type": "string"}, {"faker": "sentence"}, id="key inside a word"),
    pytest.param(
        "avatar_url",
        {"type": "string"},
        {"template": "https://{faker:domain_name}/{faker:slug}"},
        id="a link by name",
    ),
    pytest.param("author", NESTED, {"sample": True}, id="nested serializer"),
    pytest.param("author", {"allOf": [NESTED]}, {"sample": True}, id="allOf-wrapped, resolved"),
    pytest.param(
        "author",
        {"allOf": [{"$ref": "#/components/schemas/User"}], "nullable": True},
        {"sample": True},
        id="allOf-wrapped reference",
    ),
    pytest.param(
        "author", {"$ref": "#/components/schemas/User"}, {"sample": True}, id="a reference"
    ),
    pytest.param(
        "items", {"type": "array", "items": NESTED}, {"sample": True}, id="array of objects"
    ),
    pytest.param(
        "pet",
        {"oneOf": [NESTED, {**NESTED, "properties": {"bark": {"type": "integer"}}}]},
        {"sample": True},
        id="oneOf objects",
    ),
    pytest.param(
        "scores",
        {"type": "object", "additionalProperties": {"type": "integer"}},
        {"sample": True},
        id="a typed map",
    ),
    pytest.param(
        "status",
        {"oneOf": [{"type": "string", "enum": ["a", "b"]}, {"enum": [""]}, {"enum": [None]}]},
        {"choice": ["a", "b", ""], "null": 0.1},
        id="oneOf of enums stays a choice",
    ),
    pytest.param(
        "roles",
        {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
        {"shape": []},
        id="array of an enum keeps its rule",
    ),
    pytest.param(
        "attributes",
        {"type": "object", "additionalProperties": {}},
        {"shape": {}},
        id="a JSON object with no properties keeps {}",
    ),
]


@pytest.mark.parametrize(("name", "prop", "expected"), TEXT_RULES)
def test_faker_rule_by_format_name_and_shape(name, prop, expected):
    assert faker_rule(name, prop) == expected


UPDATED = [
    pytest.param(
        "updated_at",
        {"created_at": CREATED, "updated_at": CREATED},
        {"datetime": {"after": ["created_at"], "days": 365, "end": "2025-12-31T23:59:59Z"}},
        id="updated after created",
    ),
    pytest.param(
        "modified",
        {"created": CREATED, "date_joined": CREATED, "modified": CREATED},
        {
            "datetime": {
                "after": ["created", "date_joined"],
                "days": 365,
                "end": "2025-12-31T23:59:59Z",
            }
        },
        id="after every creation moment",
    ),
    pytest.param(
        "updated_at",
        {"created_at": {**CREATED, "nullable": True}, "updated_at": CREATED},
        {"datetime": {"start": "2020-01-01T00:00:00Z", "end": "2025-12-31T23:59:59Z"}},
        id="a nullable creation is no floor",
    ),
    pytest.param(
        "created_at",
        {"created_at": CREATED, "updated_at": CREATED},
        {"datetime": {"start": "2020-01-01T00:00:00Z", "end": "2025-12-31T23:59:59Z"}},
        id="the creation itself",
    ),
]


@pytest.mark.parametrize(("name", "fields", "expected"), UPDATED)
def test_faker_rule_updated_comes_after_created(name, fields, expected):
    assert faker_rule(name, fields[name], None, fields) == expected


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
    pytest.param(
        "owner",
        {"$ref": "#/components/schemas/User"},
        {"ref": {"count": 3}},
        {"ref": {"count": 3}},
        id="the relation wins over a sample",
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


@pytest.mark.parametrize("name", ["id", "external_id", "uid"])
def test_a_text_key_is_a_uuid_s_text(name):
    assert faker_rule(name, {"type": "string"}) == {
        "template": "{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}"
    }
