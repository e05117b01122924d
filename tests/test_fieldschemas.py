"""A write's request schema as DRF's serializer fields read it
(mockserver/http/fieldschemas.py): CharField's blanks and NULs, URLValidator's URLs, a
DecimalField's digits, and what JSON may also send (numbers as text, a boolean's words)."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
from django.core.validators import URLValidator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mockserver.engine import addresses, serializer
from mockserver.errors import ApiError
from mockserver.http.fieldschemas import NOT_BLANK, URL, _url, tighten, unboolean, unwidened

BLANK = {"type": "string", "maxLength": 0}


def _text(prop: dict) -> dict:
    """A CharField's text schema: the JSON body's first member (numbers are the other:
    CharField reads `str(data)`)."""
    return prop["anyOf"][0] if "anyOf" in prop else prop


def test_a_spectacular_min_length_is_kept():
    schema = {"properties": {"name": {"type": "string", "minLength": 1}}, "required": ["name"]}
    tight = tighten(schema, set(), {}, {})
    name = {"type": "string", "minLength": 1, "pattern": NOT_BLANK}
    assert _text(tight["properties"]["name"]) == name
    nothing = {"properties": {"n": {"type": "integer"}, "s": {"enum": ["a"]}}}
    assert tighten(nothing, set(), {}, {}) is nothing


SPACES = [
    ("empty", "", False),
    ("spaces", "   ", False),
    ("python-only whitespace", "\x1c\x85", False),
    ("ideographic space", "\u3000", False),
    ("a letter", "a", True),
    ("padded", "  a  ", True),
    ("zero width no-break space is no whitespace to Python", "\ufeff", True),
    ("NUL", "a\x00", False),
]


@pytest.mark.parametrize(("value", "valid"), [s[1:] for s in SPACES], ids=[s[0] for s in SPACES])
def test_not_blank_is_what_charfield_strips(value, valid):
    assert (re.search(NOT_BLANK, value) is not None) is valid
    assert (value.strip() != "" and "\x00" not in value) is valid


PRICE = {"type": "string", "format": "decimal", "pattern": r"^-?\d{0,6}(?:\.\d{0,2})?$"}
DECIMALS = [
    # drf-spectacular's pattern matches these, DecimalField refuses them ("A valid number
    # is required."; found by Schemathesis: "." refused in a schema-valid body).
    ("no digit", ".", False),
    ("empty", "", False),
    ("a sign", "-", False),
    ("a sign and a point", "-.", False),
    ("whole", "12", True),
    ("a trailing point", "12.", True),
    ("places only", "-.5", True),
    ("the largest", "123456.78", True),
    ("too many places", "1.234", False),
]


@pytest.mark.parametrize(("text", "valid"), [d[1:] for d in DECIMALS], ids=[d[0] for d in DECIMALS])
def test_a_decimal_has_a_digit(text, valid):
    tight = tighten({"properties": {"price": PRICE}, "required": ["price"]}, set(), {}, {})
    text_member = tight["properties"]["price"]["anyOf"][0]  # the other: JSON numbers
    assert (re.search(text_member["pattern"], text) is not None) is valid


BOUNDS = [
    # A bound written as a float rounds to the nearest one: inventree's max_digits=19,
    # decimal_places=6 bound 9999999999999.999999 was 1e13, 14 whole digits, which DRF
    # refuses (found by Schemathesis: ST202, "no more than 13 digits before the point").
    ("inventree's price", r"^-?\d{0,13}(?:\.\d{0,6})?$", 9999999999999.998,
     "9999999999999.998000"),
    ("exact as a float", r"^-?\d{0,3}(?:\.\d{0,1})?$", 999.9, "999.9"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "largest", "stored"), [b[1:] for b in BOUNDS], ids=[b[0] for b in BOUNDS]
)
def test_a_decimal_s_json_numbers_are_bounded_by_floats_it_takes(pattern, largest, stored):
    prop = {"type": "string", "format": "decimal", "pattern": pattern}
    number = tighten({"properties": {"p": prop}}, set(), {}, {})["properties"]["p"]["anyOf"][1]
    assert (number["minimum"], number["maximum"]) == (-largest, largest)
    schema = {"type": "object", "properties": {"p": prop}}
    assert serializer.validate(schema, {"p": largest}) == {"p": stored}


NULLABLE_DECIMALS = [
    # DecimalField.validate_empty_values: text blank once stripped is null where the field
    # allows null (found by Schemathesis: inventree's `price: ""` refused by the served
    # document, ST202, where DRF stores null).
    ("empty", "", True),
    ("what strip() takes away", " \t\u3000\x1c", True),
    ("a sign", "-", False),
    ("a number", "-1.5", True),
    ("no digit", ".", False),
]


@pytest.mark.parametrize(
    ("text", "valid"), [d[1:] for d in NULLABLE_DECIMALS], ids=[d[0] for d in NULLABLE_DECIMALS]
)
def test_a_nullable_decimal_takes_blank_text_as_null(text, valid):
    price = {**PRICE, "nullable": True}
    tight = tighten({"properties": {"price": price}}, set(), {}, {})["properties"]["price"]
    assert jsonschema_rs.validator_for(tight).is_valid(text) is valid
    assert jsonschema_rs.validator_for(unwidened(tight)).is_valid(text) is valid  # a form's


BOOLEANS = [
    # BooleanField's words in any case, 1 and 0 (found by Schemathesis: 0 for a boolean was
    # accepted, as DRF reads it); nothing else.
    ("true", True, True),
    ("0", 0, True),
    ("1.0", 1.0, True),
    ("yes", "yes", True),
    ("OFF", "OFF", True),
    ("2", 2, False),
    ("maybe", "maybe", False),
    ("null", None, False),
    ("text null", "null", False),
]


@pytest.mark.parametrize(
    ("value", "valid"), [b[1:] for b in BOOLEANS], ids=[b[0] for b in BOOLEANS]
)
def test_a_boolean_takes_drf_words_and_numbers(value, valid):
    import jsonschema_rs

    tight = tighten({"properties": {"on": {"type": "boolean"}}}, set(), {}, {})
    assert jsonschema_rs.validator_for(tight["properties"]["on"]).is_valid(value) is valid


# What the mock takes for a URLField: URLValidator's URL (a CharField: no NUL either) that
# the record's response schema holds, `format: uri` (mockserver/engine/writes.py).
_URI = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)


def _taken(text: str) -> bool:
    return addresses.is_url(text) and "\x00" not in text and _URI.is_valid(text)


_SHORT = _url({"type": "string", "format": "uri", "maxLength": 200})["pattern"]


@hypothesis_settings(derandomize=True, database=None, max_examples=300, deadline=None,
                     suppress_health_check=list(HealthCheck))  # fmt: skip
@given(st.one_of(st.from_regex(_SHORT), st.from_regex(URL)))
def test_every_url_the_served_pattern_allows_is_one_urlfield_accepts(text):
    """Found by Schemathesis: a `format: uri` value with a one-letter top-level label
    ("https://0.a") was refused, "Enter a valid URL.", as Django's URLValidator does."""
    assert _taken(text), text
    URLValidator()(text)


# Schemathesis's health check on kpi's POST /api/v2/imports/ (a form with two required URLs):
# Hypothesis wrote the host's bound, a positive lookahead, as text in front of the host and
# filtered out nearly every pair it drew (Failed Health Check: filter_too_much).
@hypothesis_settings(derandomize=True, database=None, max_examples=50, deadline=None)
@given(st.tuples(st.from_regex(URL), st.from_regex(URL)))
def test_two_urls_are_drawn_from_the_pattern_without_filtering_most_out(pair):
    assert all(re.search(URL, text) for text in pair)


URLS = [
    ("one-letter top level", "https://example.a", False),
    ("other scheme", "mailto:a@example.org", False),
    ("no scheme", "example.org", False),
    ("newline at the end", "http://example.org\n", False),
    ("nul in the path", "http://example.org/\x00", False),
    ("a host part NFKC reads as a slash", "http://example.org\uff0fa", False),
    ("host past 253", "http://" + "a" * 250 + ".org", False),
    # URLValidator takes these; the response's `format: uri` does not hold them.
    ("internationalized host", "http://b\u00fccher.example/", False),
    ("space in the query", "http://example.org/?a b", False),
    ("plain", "http://example.org/a?b#c", True),
    ("upper case", "HTTPS://EXAMPLE.ORG", True),
    ("user, ipv4 and port", "ftp://u:p@10.0.0.1:21/x", True),
    ("localhost", "http://localhost:8000/", True),
    ("punycode", "http://xn--bcher-kva.xn--p1ai", True),
    ("escapes and sub-delims", "http://example.org/%41;b=c?d=e&f#g?h", True),
]


def test_a_blank_or_url_field_gets_the_pattern_in_its_url_member():
    site = {"oneOf": [{"type": "string", "format": "uri", "maxLength": 200}, BLANK]}
    tight = tighten({"properties": {"site": site}}, set(), {}, {})["properties"]["site"]
    short = _url({"type": "string", "format": "uri", "maxLength": 200})
    assert tight == {"oneOf": [short, BLANK]}
    assert short == {"type": "string", "maxLength": 200, "pattern": short["pattern"]}


@pytest.mark.parametrize(("text", "valid"), [u[1:] for u in URLS], ids=[u[0] for u in URLS])
def test_the_url_pattern_is_urlvalidators(text, valid):
    assert (re.search(URL, text) is not None) == valid == _taken(text)


def test_the_url_pattern_compiles_for_rust_clients():
    """Found by Schemathesis: a pattern jsonschema_rs cannot compile is dropped, and a
    value it does not check is sent as valid."""
    check = jsonschema_rs.validator_for({"type": "string", "pattern": URL})
    assert (check.is_valid("http://example.org"), check.is_valid("0")) == (True, False)


CHAR_NUMBERS = [
    ("no bound: any number", {}, {"type": "number"}),
    ("room for any float's text", {"maxLength": 30}, {"anyOf": [
        {"type": "integer", "minimum": -(10**29 - 1), "maximum": 10**30 - 1},
        {"type": "number", "not": {"type": "integer"}}]}),
    # Found starting carbure: 10 ** 10000 is no JSON Python writes.
    ("a very long bound: any number", {"maxLength": 10000}, {"type": "number"}),
    ("a short bound: integers that fit", {"maxLength": 3},
     {"type": "integer", "minimum": -99, "maximum": 999}),
    # Found by Schemathesis: 10 ** 15 was a slug of 16 characters, within max_length 80.
    ("a slug: integers only", {"maxLength": 80, "pattern": "^[-a-zA-Z0-9_]+$"},
     {"type": "integer", "minimum": -(10**79 - 1), "maximum": 10**80 - 1}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("bound", "number"), [c[1:] for c in CHAR_NUMBERS], ids=[c[0] for c in CHAR_NUMBERS]
)
def test_a_char_field_takes_numbers_as_their_text_in_json(bound, number):
    schema = {"properties": {"note": {"type": "string", **bound}}}
    assert tighten(schema, set(), {}, {})["properties"]["note"]["anyOf"][1] == number


WIDENED = [
    ("a FloatField's booleans", {"type": "number", "maximum": 5}),
    ("a DecimalField's numbers", {"type": "string", "format": "decimal",
                                  "pattern": "^-?\\d{0,6}(?:\\.\\d{0,2})?$"}),
    ("a nullable DecimalField's numbers", {**PRICE, "nullable": True}),
    ("a UUIDField's integers", {"type": "string", "format": "uuid"}),
    ("a CharField's numbers", {"type": "string"}),
    ("a BooleanField's words", {"type": "boolean"}),
]  # fmt: skip


@pytest.mark.parametrize("prop", [w[1] for w in WIDENED], ids=[w[0] for w in WIDENED])
def test_a_form_reads_the_schema_before_json_widened_it(prop):
    """A form's part is only ever text: `as_form` (mockserver/http/writedocs.py) takes back
    what `tighten` added for JSON, and only that."""
    tight = tighten({"properties": {"f": prop}}, set(), {}, {})["properties"]["f"]
    narrow = unboolean if prop["type"] == "boolean" else unwidened
    assert narrow(tight) == tight["anyOf"][0]
    assert (unwidened(prop), unboolean(prop), unwidened(tight["anyOf"][0])) == (None,) * 3


NEVER_BLANK = [
    # "" is no date, time or UUID, required or not; an optional CharField's "" is a value
    # (found by Schemathesis: kpi's `/me/` PATCH, `"last_login": ""` refused as DRF
    # refuses it, where OpenAPI 3.1's `type: [string, "null"]` had been left as written).
    ("date-time", {"type": "string", "format": "date-time"}, False),
    ("3.1 nullable date-time", {"type": ["string", "null"], "format": "date-time"}, False),
    ("3.1 nullable date-time, null", {"type": ["string", "null"], "format": "date-time"}, None),
    ("date", {"type": "string", "format": "date"}, False),
    ("uuid", {"type": "string", "format": "uuid"}, False),
    ("text", {"type": "string"}, True),
    ("3.1 nullable text, NUL", {"type": ["string", "null"]}, "\x00"),
]


@pytest.mark.parametrize(
    ("prop", "valid"), [n[1:] for n in NEVER_BLANK], ids=[n[0] for n in NEVER_BLANK]
)
def test_an_optional_field_takes_blank_only_where_its_field_does(prop, valid):
    tight = tighten({"properties": {"f": prop}}, set(), {}, {})["properties"]["f"]
    if valid is None:
        assert jsonschema_rs.validator_for(tight).is_valid(None)
    elif isinstance(valid, str):
        assert not jsonschema_rs.validator_for(tight).is_valid("a\x00")
    else:
        assert jsonschema_rs.validator_for(tight).is_valid("") is valid


LISTS = [
    # A ListField's items, each a field of its own: as JSON widened them, then in a form.
    ("text", {"type": "string"}, 0, True, False),
    ("uuids", {"type": "string", "format": "uuid"}, 0, True, False),
    ("dates", {"type": "string", "format": "date"}, 0, False, False),
]


@pytest.mark.parametrize(
    ("items", "number", "in_json", "in_form"), [x[1:] for x in LISTS], ids=[x[0] for x in LISTS]
)
def test_a_list_s_items_take_numbers_as_their_field_does(items, number, in_json, in_form):
    tight = tighten({"properties": {"f": {"type": "array", "items": items}}}, set(), {}, {})
    prop = tight["properties"]["f"]
    form = unwidened(prop) or prop
    assert jsonschema_rs.validator_for(prop).is_valid([number]) is in_json
    assert jsonschema_rs.validator_for(form).is_valid([number]) is in_form


TEXT = {"type": "string", "pattern": NOT_BLANK, "minLength": 1}
FORM_UNDONE = [
    # A form's part is text, never JSON's number or null; and Schemathesis cannot build a
    # multipart body with a file part for a schema with a `not` (carbure's biomethane
    # contract: "Unsupported type: 'Binary'").
    ("a long CharField's numbers, a float's text among them",
     {"type": "string", "maxLength": 255},
     {"type": "string", "maxLength": 255, "pattern": "^[^\\x00]*$"}),
    ("a ListField's text items' numbers",
     {"type": "array", "items": {"type": "string", "maxLength": 255}},
     {"type": "array", "items": {**TEXT, "maxLength": 255}}),
    ("a JSONField's not null", {}, {}),
    ("nothing on a number", {"type": "integer"}, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("prop", "form"), [f[1:] for f in FORM_UNDONE], ids=[f[0] for f in FORM_UNDONE]
)
def test_a_form_s_schema_has_no_not(prop, form):
    tight = tighten({"properties": {"f": prop}}, set(), {}, {})["properties"]["f"]
    assert unwidened(tight) == form
    if form is not None:
        assert "not" in str(tight) and "not" not in str(form)


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_MESSAGE = {
    "type": "object",
    "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
    "required": ["role", "content"],
}
NESTED = [
    # A nested serializer's fields and a ListField's items are DRF fields too (found by
    # Schemathesis: open-chat-studio's `messages[].content` 0 accepted, "" refused;
    # `tags: [""]` refused).
    ("nested text as a number", {"messages": [{"role": "a", "content": 0}]}, True),
    ("nested blank", {"messages": [{"role": "a", "content": ""}]}, False),
    ("nested required", {"messages": [{"content": "x"}]}, False),
    ("list item blank", {"tags": [""]}, False),
    ("list item number", {"tags": ["a", 0]}, True),
    ("list item boolean", {"tags": [True]}, False),
    # ListField(child=DateField()) reads no number as a date (found by Schemathesis:
    # carbure's `date_from: [0]` documented as valid, refused as DRF refuses it).
    ("date item", {"dates": ["2024-01-31"]}, True),
    ("date item number", {"dates": [0]}, False),
    ("uuid item integer", {"ids": [0]}, True),
    ("uuid item float", {"ids": [0.5]}, False),
    # DictField(child=CharField()): objects-api's `labels` (found by Schemathesis: a
    # number accepted, as DRF reads it).
    ("dict value number", {"labels": {"a": 0}}, True),
    ("dict value blank", {"labels": {"a": ""}}, False),
    ("dict value null", {"labels": {"a": None}}, False),
    # JSONField: `{}`, any value but null (found by Schemathesis: open-chat-studio's
    # `state: null` refused, as DRF refuses it).
    ("any value", {"state": [1, {"a": None}]}, True),
    ("any value but null", {"state": None}, False),
    ("nullable any value", {"extra": None}, True),
    # A nested serializer with a description, `allOf: [$ref]` (found by Schemathesis:
    # objects-api's `record.references[].url` with a one-letter TLD, which URLValidator
    # refuses, documented as valid: ST202).
    ("described nested url", {"record": {"references": [{"url": "https://a.a"}]}}, False),
    ("described nested url, valid", {"record": {"references": [{"url": "https://a.io"}]}}, True),
]


@pytest.mark.parametrize(("body", "valid"), [n[1:] for n in NESTED], ids=[n[0] for n in NESTED])
def test_nested_serializers_and_list_items_are_tightened_too(body, valid):
    import jsonschema_rs

    schema = {
        "type": "object",
        "properties": {
            "messages": {"type": "array", "items": _ref("Message")},
            "tags": {"type": "array", "items": {"type": "string"}},
            "dates": {"type": "array", "items": {"type": "string", "format": "date"}},
            "ids": {"type": "array", "items": {"type": "string", "format": "uuid"}},
            "state": {"title": "State"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "extra": {"nullable": True},
            "record": {"allOf": [_ref("Record")], "description": "State", "nullable": True},
        },
    }
    references = {"type": "array", "items": _ref("Reference")}
    components = {
        "Message": _MESSAGE,
        "Record": {"type": "object", "properties": {"references": references}},
        "Reference": {"type": "object", "properties": {"url": {"type": "string", "format": "uri"}}},
    }
    tight = tighten(schema, set(), {}, {}, lambda node: components[node["$ref"].split("/")[-1]])
    assert jsonschema_rs.validator_for(tight).is_valid(body) is valid


USERNAME = {"type": "string", "pattern": "^[\\w.@+-]+$", "maxLength": 150}
PATH = {"type": "string", "pattern": "^\\/[a-zA-Z0-9_\\-\\/]*$"}
PATTERNED = [
    # Found by Schemathesis (socialdistribution's signup, ST201): str(0) is "0", which
    # UnicodeUsernameValidator takes.
    ("a username's integer", USERNAME, True, 0, True),
    ("a username's float", USERNAME, True, -1.5e-07, True),
    ("a username's blank", USERNAME, True, "", False),
    ("a username's boolean", USERNAME, True, True, False),
    # coordnet's profile card `url` (ST201): CharField.run_validation returns "" before
    # its validators run, when the field allows blank.
    ("an optional path's blank", PATH, False, "", True),
    ("an optional path's whitespace", PATH, False, " \t", True),
    ("an optional path's text", PATH, False, "/a/b", True),
    ("an optional path's other text", PATH, False, "a", False),
    ("a path's number: no text of one matches", PATH, False, 5, False),
    ("a required path's blank", PATH, True, "", False),
    ("a slug's integer", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, True, -5, True),
    ("a slug's float", {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"}, True, 1.5, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("prop", "required", "value", "valid"),
    [p[1:] for p in PATTERNED],
    ids=[p[0] for p in PATTERNED],
)
def test_a_patterned_char_field_is_documented_as_its_serializer_reads_it(
    prop, required, value, valid
):
    body = {"properties": {"f": prop}, **({"required": ["f"]} if required else {})}
    served = tighten(body, set(), {}, {})
    assert jsonschema_rs.validator_for(served).is_valid({"f": value}) is valid
    try:
        serializer.validate(body, {"f": value})
        accepted = True
    except ApiError:
        accepted = False
    assert accepted is valid
