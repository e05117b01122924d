"""mockserver.engine.serializer: write bodies validated as DRF's serializers do it.

Two kinds of tests: tables of exact answers for the schemas drf-spectacular writes, and a
differential against real DRF (tests/helpers_serializer_drf.py, in its own process): the
same bodies given to DRF's serializers and to `validate` with drf-spectacular's schema of
those serializers must give the same errors, or the same fields in representation form.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.engine.serializer import validate
from mockserver.errors import ApiError
from mockserver.http.parsers import Upload

HERE = Path(__file__).parent
DROP = object()  # a key taken out of the base body

# -- tables of exact answers -------------------------------------------------------------------

PRODUCT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "maxLength": 8},
        "description": {"type": "string"},
        "price": {"type": "string", "format": "decimal", "pattern": r"^-?\d{0,4}(?:\.\d{0,2})?$"},
        "stock": {"type": "integer", "minimum": 0, "maximum": 100},
        "weight": {"type": "number", "format": "double", "nullable": True},
        "is_available": {"type": "boolean"},
        "status": {"enum": ["draft", "active"], "type": "string"},
        "grade": {
            "nullable": True,
            "oneOf": [{"enum": ["a", "b"]}, {"enum": [""]}, {"enum": [None]}],
        },
        "category": {"type": "integer", "nullable": True},
        "tags": {"type": "array", "items": {"type": "integer"}},
        "sku": {"type": "string", "format": "uuid"},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "website": {
            "oneOf": [{"type": "string", "format": "uri"}, {"type": "string", "maxLength": 0}]
        },
        "created": {"type": "string", "format": "date-time"},
        "released": {"type": "string", "format": "date", "nullable": True},
        "opens": {"type": "string", "format": "time"},
        "extra": {},
        "rank": {"type": "integer", "default": 5},
        "secret": {"type": "string", "writeOnly": True},
    },
    "required": ["id", "name", "price", "stock", "status", "tags"],
}
RELATIONS = {"category": lambda key: key in (1, 2), "tags": lambda key: key in (1, 2, 3)}
BASE = {"name": "Mug", "price": "3", "stock": 1, "status": "draft", "tags": [1]}
BASE_OUT = {"name": "Mug", "price": "3.00", "stock": 1, "status": "draft", "tags": [1], "rank": 5}


def _body(changes: dict) -> dict:
    body = {**BASE, **changes}
    return {k: v for k, v in body.items() if v is not DROP}


VALID = {
    "the base body, and the default": ({}, {}),
    "read-only and unknown keys ignored": ({"id": 9, "colour": "red"}, {}),
    "trimmed text": ({"name": "  Mug  "}, {"name": "Mug"}),
    "a number as text": ({"name": 12}, {"name": "12"}),
    "an optional text may be blank": ({"description": ""}, {"description": ""}),
    "whitespace is blank": ({"description": "   "}, {"description": ""}),
    "integer from text and from 12.0": ({"stock": "12"}, {"stock": 12}),
    "integer 12.0": ({"stock": 12.0}, {"stock": 12}),
    "integer text 7.000": ({"stock": "7.000"}, {"stock": 7}),
    "decimal from a float": ({"price": 12.5}, {"price": "12.50"}),
    "decimal from text with spaces": ({"price": " -1.5 "}, {"price": "-1.50"}),
    "float from text": ({"weight": "1e2"}, {"weight": 100.0}),
    "null where nullable": ({"weight": None, "released": None}, {"weight": None, "released": None}),
    "boolean from yes, on, 0": ({"is_available": "Yes"}, {"is_available": True}),
    "boolean from 0": ({"is_available": 0}, {"is_available": False}),
    "blank and null choice": ({"grade": ""}, {"grade": ""}),
    "null choice": ({"grade": None}, {"grade": None}),
    "relation as text": ({"category": "2"}, {"category": 2}),
    "relation blank is null": ({"category": ""}, {"category": None}),
    "uuid upper-case and without hyphens": (
        {"sku": "12345678123456781234567812345678"},
        {"sku": "12345678-1234-5678-1234-567812345678"},
    ),
    "email": ({"email": "ana@example.com"}, {"email": "ana@example.com"}),
    "url blank allowed": ({"website": ""}, {"website": ""}),
    "url": ({"website": "https://example.com/a"}, {"website": "https://example.com/a"}),
    "date-time naive is UTC": (
        {"created": "2024-05-01 10:00"},
        {"created": "2024-05-01T10:00:00Z"},
    ),
    "date-time offset to UTC": (
        {"created": "2024-05-01T12:00:00.5+02:00"},
        {"created": "2024-05-01T10:00:00.500000Z"},
    ),
    "date-time from a date": ({"created": "2024-05-01"}, {"created": "2024-05-01T00:00:00Z"}),
    "date": ({"released": "2024-5-1"}, {"released": "2024-05-01"}),
    "time": ({"opens": "9:30"}, {"opens": "09:30:00"}),
    "any JSON": ({"extra": [1, {"a": None}]}, {"extra": [1, {"a": None}]}),
    "write-only accepted": ({"secret": "s"}, {"secret": "s"}),
    "a given default kept": ({"rank": "7"}, {"rank": 7}),
    "many-to-many deduplicated": ({"tags": [2, "1", 2]}, {"tags": [2, 1]}),
}


@pytest.mark.parametrize(("changes", "expected"), VALID.values(), ids=VALID.keys())
def test_valid_bodies_in_representation_form(changes, expected):
    assert validate(PRODUCT, _body(changes), relations=RELATIONS) == {**BASE_OUT, **expected}


INVALID = {
    "required": ({"name": DROP}, {"name": ["This field is required."]}),
    "null": ({"name": None}, {"name": ["This field may not be null."]}),
    "blank": ({"name": " "}, {"name": ["This field may not be blank."]}),
    "too long": ({"name": "x" * 9}, {"name": ["Ensure this field has no more than 8 characters."]}),
    "not a string": ({"name": True}, {"name": ["Not a valid string."]}),
    "null character": (
        {"description": "a\x00"},
        {"description": ["Null characters are not allowed."]},
    ),
    # drf-spectacular writes an allow_blank string with a format as `oneOf: [{format},
    # {maxLength: 0}]` (`website`): a bare format is allow_blank=False, optional or not
    # (found by Schemathesis on socialdistribution's `url`, `format: uri`).
    "optional email blank": ({"email": ""}, {"email": ["This field may not be blank."]}),
    "integer": ({"stock": "1.5"}, {"stock": ["A valid integer is required."]}),
    "minimum": ({"stock": -1}, {"stock": ["Ensure this value is greater than or equal to 0."]}),
    "maximum": ({"stock": 101}, {"stock": ["Ensure this value is less than or equal to 100."]}),
    "float": ({"weight": "x"}, {"weight": ["A valid number is required."]}),
    "float not finite": ({"weight": "nan"}, {"weight": ["A valid number is required."]}),
    "decimal": ({"price": "1,5"}, {"price": ["A valid number is required."]}),
    "decimal digits": (
        {"price": "12345.67"},
        {"price": ["Ensure that there are no more than 6 digits in total."]},
    ),
    "decimal places": (
        {"price": "1.234"},
        {"price": ["Ensure that there are no more than 2 decimal places."]},
    ),
    "decimal whole digits": (
        {"price": "12345"},
        {"price": ["Ensure that there are no more than 4 digits before the decimal point."]},
    ),
    "boolean": ({"is_available": "maybe"}, {"is_available": ["Must be a valid boolean."]}),
    "boolean null": ({"is_available": None}, {"is_available": ["This field may not be null."]}),
    "choice": ({"status": "gone"}, {"status": ['"gone" is not a valid choice.']}),
    "choice blank": ({"status": ""}, {"status": ['"" is not a valid choice.']}),
    "choice number": ({"status": 1}, {"status": ['"1" is not a valid choice.']}),
    "relation missing": (
        {"category": 99},
        {"category": ['Invalid pk "99" - object does not exist.']},
    ),
    "relation type": (
        {"category": "x"},
        {"category": ["Incorrect type. Expected pk value, received str."]},
    ),
    "relation bool": (
        {"category": True},
        {"category": ["Incorrect type. Expected pk value, received bool."]},
    ),
    "list not a list": ({"tags": "1"}, {"tags": ['Expected a list of items but got type "str".']}),
    "list empty": ({"tags": []}, {"tags": ["This list may not be empty."]}),
    "list bad key": ({"tags": [1, 9]}, {"tags": ['Invalid pk "9" - object does not exist.']}),
    "uuid": ({"sku": "nope"}, {"sku": ["Must be a valid UUID."]}),
    "email": ({"email": "ana@"}, {"email": ["Enter a valid email address."]}),
    "url": ({"website": "example.com"}, {"website": ["Enter a valid URL."]}),
    "date-time": (
        {"created": "01/05/2024"},
        {
            "created": [
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            ]
        },
    ),
    "date": (
        {"released": "2024-02-30"},
        {"released": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
    ),
    "time": (
        {"opens": "25:00"},
        {
            "opens": [
                "Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."
            ]
        },
    ),
    "every bad field at once, in schema order": (
        {"stock": "x", "name": DROP, "status": DROP},
        {
            "name": ["This field is required."],
            "stock": ["A valid integer is required."],
            "status": ["This field is required."],
        },
    ),
}


@pytest.mark.parametrize(("changes", "expected"), INVALID.values(), ids=INVALID.keys())
def test_invalid_bodies_answer_drf_messages(changes, expected):
    with pytest.raises(ApiError) as caught:
        validate(PRODUCT, _body(changes), relations=RELATIONS)
    assert (caught.value.status, caught.value.body) == (400, expected)


NOT_OBJECTS = {
    "a list": ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    "a string": ("x", {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}),
    "a number": (1, {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}),
    "null": (None, {"non_field_errors": ["No data provided"]}),
}


@pytest.mark.parametrize(("body", "expected"), NOT_OBJECTS.values(), ids=NOT_OBJECTS.keys())
def test_a_body_that_is_no_object(body, expected):
    with pytest.raises(ApiError) as caught:
        validate(PRODUCT, body)
    assert caught.value.body == expected


# A hand-written spec's composed body (django-allauth's Login, kpi's oneOf creates): found by
# Schemathesis, every such body was accepted, an empty one too.
_PASSWORD = {"properties": {"password": {"type": "string"}}, "required": ["password"]}
LOGIN = {"allOf": [_PASSWORD, {"anyOf": [
    {"properties": {"username": {"type": "string"}}, "required": ["username"]},
    {"properties": {"email": {"type": "string", "format": "email"}}, "required": ["email"]},
]}]}  # fmt: skip
SIGNUP = {"allOf": [{"properties": {"email": {"type": "string"}}, "required": ["email"]},
                    _PASSWORD]}  # fmt: skip
CREATE = {"oneOf": [{"properties": {"name": {"type": "string"}}, "required": ["name"]},
                    {"properties": {"clone_from": {"type": "string"}},
                     "required": ["clone_from"]}]}  # fmt: skip
COMPOSED = {
    "allOf: every member's field": (SIGNUP, {"email": "a", "password": "p"}, None),
    "allOf: a member's required": (SIGNUP, {"email": "a"},
                                   {"password": ["This field is required."]}),
    "allOf: no body": (SIGNUP, {}, {"email": ["This field is required."],
                                    "password": ["This field is required."]}),
    "anyOf: the first that validates": (LOGIN, {"password": "p", "email": "a@b.org"}, None),
    "anyOf: none, the first's errors": (LOGIN, {"password": "p"},
                                        {"username": ["This field is required."]}),
    "anyOf: the shared field checked": (LOGIN, {"username": "u", "password": ""},
                                        {"password": ["This field may not be blank."]}),
    "oneOf: either": (CREATE, {"clone_from": "x"}, None),
    "oneOf: neither": (CREATE, {"asset_type": "x"}, {"name": ["This field is required."]}),
}  # fmt: skip


@pytest.mark.parametrize(("schema", "body", "errors"), COMPOSED.values(), ids=COMPOSED.keys())
def test_a_composed_body_is_read_as_its_members_say(schema, body, errors):
    if errors is None:
        validate(schema, body)
        return
    with pytest.raises(ApiError) as caught:
        validate(schema, body)
    assert caught.value.body == errors


PARTIAL = {
    "only what is given, no default": ({"stock": "4"}, {"stock": 4}),
    "nothing": ({}, {}),
    "a bad field still fails": ({"name": ""}, ApiError),
}


@pytest.mark.parametrize(("body", "expected"), PARTIAL.values(), ids=PARTIAL.keys())
def test_partial_updates_skip_omitted_fields(body, expected):
    if expected is ApiError:
        with pytest.raises(ApiError):
            validate(PRODUCT, body, partial=True, relations=RELATIONS)
    else:
        assert validate(PRODUCT, body, partial=True, relations=RELATIONS) == expected


UNIQUE = {
    "taken, with the model's message": (
        "TAKEN",
        "OrderLine",
        {"sku": ["order line with this sku already exists."]},
    ),
    "taken, trimmed first": (
        " TAKEN ",
        "OrderLine",
        {"sku": ["order line with this sku already exists."]},
    ),
    "taken, no model": ("TAKEN", "", {"sku": ["This field must be unique."]}),
    "taken and too long: both": (
        "TAKENTAKENTAKEN",
        "Product",
        {
            "sku": [
                "product with this sku already exists.",
                "Ensure this field has no more than 12 characters.",
            ]
        },
    ),
    "free": ("NEW", "Product", None),
}


@pytest.mark.parametrize(("sku", "model", "expected"), UNIQUE.values(), ids=UNIQUE.keys())
def test_unique_fields_as_drf_unique_validator(sku, model, expected):
    schema = {"type": "object", "properties": {"sku": {"type": "string", "maxLength": 12}}}
    unique = {"sku": lambda value: value.startswith("TAKEN")}
    if expected is None:
        assert validate(schema, {"sku": sku}, unique=unique, model=model) == {"sku": sku}
        return
    with pytest.raises(ApiError) as caught:
        validate(schema, {"sku": sku}, unique=unique, model=model)
    assert caught.value.body == expected


FORMS = {
    "texts converted": (
        {"name": ["Mug"], "price": ["2"], "stock": ["3"], "status": ["draft"], "tags": ["1", "2"]},
        {**BASE_OUT, "price": "2.00", "stock": 3, "tags": [1, 2], "is_available": False},
    ),
    "the last of repeated values": (
        {"name": ["A", "B"], "price": ["2"], "stock": ["3"], "status": ["draft"], "tags": ["1"]},
        {**BASE_OUT, "name": "B", "price": "2.00", "stock": 3, "is_available": False},
    ),
    "an empty optional value is left out": (
        {**{k: [str(v)] for k, v in BASE.items() if k != "tags"}, "tags": ["1"], "weight": [""]},
        {**BASE_OUT, "price": "3.00", "is_available": False, "weight": None},
    ),
    "JSON in a form field": (
        {
            **{k: [str(v)] for k, v in BASE.items() if k != "tags"},
            "tags": ["1"],
            "extra": ['{"a":1}'],
        },
        {**BASE_OUT, "is_available": False, "extra": {"a": 1}},
    ),
}


@pytest.mark.parametrize(("body", "expected"), FORMS.values(), ids=FORMS.keys())
def test_form_bodies_as_drf_html_input(body, expected):
    assert validate(PRODUCT, body, form=True, relations=RELATIONS) == expected


# -- the differential against real DRF ---------------------------------------------------------

LINE = {
    "name": "Mug",
    "slug": "mug",
    "sku": "NEW1",
    "code": "12345678-1234-5678-1234-567812345678",
    "price": "12.5",
    "stock": 3,
    "is_available": True,
    "status": "draft",
    "priority": 1,
    "email": "a@example.com",
    "rating": 4.5,
    "created": "2024-05-01T10:00:00Z",
    "maker": 1,
    "labels": [1],
}
LINE_CASES = {
    "valid": {},
    "empty body": None,
    "every optional field": {
        "description": "  text ",
        "ratio": ".5",
        "rank": "-3",
        "featured": "off",
        "grade": "b",
        "category": 2,
        "tags": [3, 1],
        "website": "http://example.com",
        "weight": 1,
        "released": "2024-01-31",
        "opens": "23:59:59.5",
        "extra": {"k": [1, 2]},
    },
    "nulls where nullable": {"ratio": None, "grade": None, "category": None, "weight": None},
    "nulls where not": {"name": None, "price": None, "stock": None, "maker": None, "labels": None},
    "blanks": {
        "name": "",
        "slug": " ",
        "description": "",
        "grade": "",
        "website": "",
        "status": "",
        "category": "",
        "maker": "",
        "ratio": "",
    },
    "too long": {"name": "x" * 11, "sku": "y" * 13, "slug": "s" * 21},
    "slug": {"slug": "no spaces"},
    "unique sku": {"sku": "TAKEN"},
    "unique sku and too long": {"sku": "TAKEN" * 3},
    "uuid": {"code": "xyz"},
    "uuid from an int": {"code": 5},
    "decimals": {"price": "12345", "ratio": "1.5"},
    "decimal places": {"price": "1.234", "ratio": "0.0001"},
    "decimal digits": {"price": "99999.1"},
    "decimal junk": {"price": "abc", "ratio": "NaN"},
    "decimal exponent": {"price": "1e3"},
    "integers": {"stock": "-1", "rank": "1.5", "priority": 3},
    "integer as text and float": {"stock": "12", "rank": 4.0, "priority": "2"},
    "integer junk": {"stock": [], "rank": True},
    "floats": {"rating": "6", "weight": "x"},
    "float bounds": {"rating": -0.5},
    "booleans": {"is_available": "nope", "featured": None},
    "booleans from text": {"is_available": "T", "featured": "no"},
    "choices": {"status": "gone", "grade": "c", "priority": "x"},
    "relations": {"maker": 99, "category": "x", "labels": [1, 99]},
    "relation types": {"maker": True, "category": [1], "labels": "1"},
    "relation list empty": {"labels": []},
    "relation list of junk": {"labels": ["a"]},
    "email and url": {"email": "not-an-email", "website": "ftp:/x"},
    "email forms": {"email": "a@localhost", "website": "http://[::1]:80/x"},
    "dates": {"created": "2024-13-01T00:00", "released": "01/02/2024", "opens": "noon"},
    "dates accepted": {"created": "2024-05-01T10:00:00+05:30", "released": "2024-1-2"},
    "date-time naive and with a comma": {"created": "2024-05-01 10:00:00,25"},
    "texts from numbers": {"name": 12, "description": 1.5},
    "texts from junk": {"name": ["a"], "description": {}},
    "json": {"extra": "text"},
}
EXTRAS_CASES = {
    "valid": {"numbers": [1, "2"]},
    "list missing": {},
    "list junk": {"numbers": "1"},
    "list items": {"numbers": [1, -1, "x"]},
    "list too long": {"numbers": [1, 2, 3, 4]},
    "list too short": {"numbers": []},
    "list of texts": {"numbers": [0], "words": [" a ", "", None]},
    "dict": {"numbers": [0], "mapping": {"a": "1", "b": "x"}},
    "dict junk": {"numbers": [0], "mapping": [1]},
    "nested": {"numbers": [0], "address": {"street": "Long street", "zip": "x"}},
    "nested ok": {"numbers": [0], "address": {"street": " Elm ", "zip": "12"}},
    "nested junk": {"numbers": [0], "address": "x"},
    "nested null": {"numbers": [0], "address": None},
    "nested many": {"numbers": [0], "addresses": [{"street": "Elm", "zip": 1}, {"zip": "x"}, 3]},
    "nested many ok": {"numbers": [0], "addresses": [{"street": "Elm", "zip": "1"}]},
    "defaults overridden": {"numbers": [0], "flag": "false", "level": "9", "note": None},
    "write-only": {"numbers": [0], "secret": "s"},
    # ListField() without a child (`items: {}`): any item, null too (found by Schemathesis:
    # authentik's `bcc_addresses: [null]` refused).
    "list of anything": {"numbers": [0], "anything": [None, "", 1, {"a": [2]}]},
}
FORM_CASES = {
    "form valid": (
        "OrderLine",
        {**{k: [str(v)] for k, v in LINE.items() if k != "labels"}, "labels": ["1", "2"]},
        False,
    ),
    "form empties": (
        "OrderLine",
        {
            **{k: [str(v)] for k, v in LINE.items() if k != "labels"},
            "ratio": [""],
            "weight": [""],
            "grade": [""],
            "description": [""],
            "category": [""],
            "released": [""],
        },
        False,
    ),
    "form missing boolean and list": (
        "OrderLine",
        {k: [str(v)] for k, v in LINE.items() if k not in ("labels", "is_available")},
        False,
    ),
    "form required empties": ("OrderLine", {"name": [""], "stock": [""], "maker": [""]}, False),
    "form partial": ("OrderLine", {"stock": ["5"], "featured": ["on"]}, True),
    "form list by index": ("Extras", {"numbers[0]": ["4"], "numbers[1]": ["5"]}, False),
    "form list repeated": ("Extras", {"numbers": ["4", "x"], "words": ["a", "b"]}, False),
    "form json": (
        "Extras",
        {"numbers": ["1"], "flag": [""], "level": [""], "note": [""]},
        False,
    ),
}
# A serializer with many=True as the whole body (ListSerializer): found by Schemathesis,
# carbure's monthly reports (`[]` refused, no body accepted).
MANY_CASES = {
    "many valid": ([{"numbers": [1]}, {"numbers": ["2"], "words": ["a"]}], False),
    "many empty": ([], False),
    "many item errors": ([{"numbers": [1]}, {}, {"numbers": "x"}], False),
    "many items not objects": ([None, 5, "x", [1]], False),
    "many an object": ({"numbers": [1]}, False),
    "many text": ("abc", False),
    "many null": (None, False),
    "form many": ({"[0]numbers": ["1"], "[1]numbers": ["2"], "[1]flag": ["false"]}, True),
    "form many item errors": ({"[0]numbers": ["x"], "[2]level": ["1"]}, True),
    "form many no index": ({"numbers": ["1"], "note": ["x"]}, True),
    "form many bare index": ({"[0]": ["x"]}, True),
}
PARTIAL_CASES = {
    "partial": {"stock": "7", "labels": []},
    "partial nothing": {},
    "partial blank": {"name": "", "description": ""},
}


def _line(changes):
    if changes is None:
        return {}
    body = {**LINE, **changes}
    return {k: v for k, v in body.items() if v is not DROP}


def _cases() -> dict[str, dict]:
    cases = {}
    for name, changes in LINE_CASES.items():
        cases[name] = {
            "serializer": "OrderLine",
            "body": _line(changes),
            "form": False,
            "partial": False,
        }
    for name, body in EXTRAS_CASES.items():
        cases["extras " + name] = {
            "serializer": "Extras",
            "body": body,
            "form": False,
            "partial": False,
        }
    for name, body in PARTIAL_CASES.items():
        cases[name] = {"serializer": "OrderLine", "body": body, "form": False, "partial": True}
    for name, (serializer, body, partial) in FORM_CASES.items():
        cases[name] = {"serializer": serializer, "body": body, "form": True, "partial": partial}
    for name, (body, form) in MANY_CASES.items():
        cases[name] = {"serializer": "Extras", "body": body, "form": form, "partial": False,
                       "many": True}  # fmt: skip
    return cases


CASES = _cases()


def _resolve(node, schemas: dict):
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(schemas[node["$ref"].rsplit("/", 1)[1]], schemas)
        return {k: _resolve(v, schemas) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, schemas) for v in node]
    return node


# Where the schema cannot say what DRF knows; each must fail (strict xfail) until handled.
KNOWN_DIFFERENCES = {
    # CharField(required=False, allow_null=True) without allow_blank: an optional string is
    # read as a model field with blank=True, so a form's "" stays "" where DRF gives None.
    "shared-form json": "an optional nullable string's allow_blank is not in the schema",
}


@pytest.fixture(scope="module", params=[False, True], ids=["shared", "split"])
def drf(request) -> dict:
    """DRF's answers to every case, and drf-spectacular's schemas, from one process: with
    one component per serializer (the default) or COMPONENT_SPLIT_REQUEST's `*Request` and
    `Patched*Request` components (which say `minLength: 1` for a string that is not blank)."""
    names = list(CASES)
    split = ["--split"] if request.param else []
    done = subprocess.run(
        [sys.executable, str(HERE / "helpers_serializer_drf.py"), *split],
        input=json.dumps([CASES[n] for n in names]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = json.loads(done.stdout)
    schemas = out["schemas"]
    suffix = "Request" if request.param else ""
    named = {name: name + suffix for name in ("OrderLine", "Extras")}
    return {
        "answers": dict(zip(names, out["answers"], strict=True)),
        "schemas": {name: _resolve(schemas[real], schemas) for name, real in named.items()},
    }


def _mock(case: dict, schemas: dict) -> dict:
    relations = {
        "maker": lambda key: key in (1, 2),
        "category": lambda key: key in (1, 2),
        "tags": lambda key: key in (1, 2, 3),
        "labels": lambda key: key in (1, 2, 3),
    }
    try:
        schema = schemas[case["serializer"]]
        data = validate(
            # PATCH too is validated with the full component: `Patched*` has no `required`,
            # from which the blank and allow_empty rules of a ModelSerializer are read.
            {"type": "array", "items": schema} if case.get("many") else schema,
            case["body"],
            partial=case["partial"],
            form=case["form"],
            relations=relations if case["serializer"] == "OrderLine" else {},
            unique={"sku": lambda value: value == "TAKEN"},
            model=case["serializer"],
        )
    except ApiError as error:
        return {"errors": error.body}
    return {"data": data}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    list(CASES),
)
def test_the_same_answer_as_drf(drf, name, request):
    mode = request.node.callspec.id.split("-")[0]
    if f"{mode}-{name}" in KNOWN_DIFFERENCES:
        request.applymarker(
            pytest.mark.xfail(reason=KNOWN_DIFFERENCES[f"{mode}-{name}"], strict=True)
        )
    assert _mock(CASES[name], drf["schemas"]) == drf["answers"][name]


UPLOAD_BODY = {
    "type": "object",
    "properties": {
        "doc": {"type": "string", "format": "binary", "maxLength": 8},
        "note": {"type": "string"},
    },
    "required": ["doc"],
}
NOT_A_FILE = "The submitted data was not a file. Check the encoding type on the form."
UPLOADS = {
    "an upload": ({"doc": [Upload("a.csv", "text/csv", b"x")]}, True, {"doc": "a.csv"}),
    "the upload after a plain value": (
        {"doc": ["text", Upload("a.csv", "text/csv", b"x")]}, True, {"doc": "a.csv"}),
    "a plain form value": ({"doc": ["a.csv"]}, True, {"doc": [NOT_A_FILE]}),
    "JSON text": ({"doc": "a.csv"}, False, {"doc": [NOT_A_FILE]}),
    "an empty file": ({"doc": [Upload("a.csv", "", b"")]}, True,
                      {"doc": ["The submitted file is empty."]}),
    "a name past max_length": (
        {"doc": [Upload("long-name.csv", "", b"x")]}, True,
        {"doc": ["Ensure this filename has at most 8 characters (it has 13)."]}),
    "none": ({"note": ["n"]}, True, {"doc": ["This field is required."]}),
}  # fmt: skip


@pytest.mark.parametrize(("body", "form", "expected"), UPLOADS.values(), ids=UPLOADS.keys())
def test_a_file_field_takes_an_upload_only_as_drf_file_field(body, form, expected):
    # FileField.to_internal_value: the upload's name and size, nothing else.
    if set(expected) == {"doc"} and isinstance(expected["doc"], str):
        assert validate(UPLOAD_BODY, body, form=form) == expected
        return
    with pytest.raises(ApiError) as caught:
        validate(UPLOAD_BODY, body, form=form)
    assert caught.value.body == expected


def test_a_form_s_many_nested_serializer_reads_indexed_keys_only():
    # ListSerializer.get_value: parse_html_list(prefix="lines") reads `lines[0]part` keys
    # only; the key's own values (a client's JSON text) are no value at all.
    body = {
        "type": "object",
        "properties": {
            "lines": {
                "type": "array",
                "items": {"type": "object", "properties": {"part": {"type": "integer"}}},
            }
        },
        "required": ["lines"],
    }
    with pytest.raises(ApiError) as caught:
        validate(body, {"lines": ['[{"part": 1}]']}, form=True)
    assert caught.value.body == {"lines": ["This field is required."]}


RECORD = {"type": "object", "properties": {"typeVersion": {"type": "integer"},
                                           "data": {"type": "object"}},
          "required": ["typeVersion"]}  # fmt: skip
NESTED_REQUIRED = [
    # objects-api's `record`: `allOf: [ObjectRecord]` with a description (found by
    # Schemathesis: a record without its required typeVersion was created, ST201).
    ("allOf-wrapped, missing", {"allOf": [RECORD], "description": "State"}, {"data": {}},
     {"record": {"typeVersion": ["This field is required."]}}),
    ("allOf-wrapped, given", {"allOf": [RECORD]}, {"typeVersion": 1}, None),
    ("inline, missing", RECORD, {}, {"record": {"typeVersion": ["This field is required."]}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("prop", "record", "errors"),
    [n[1:] for n in NESTED_REQUIRED],
    ids=[n[0] for n in NESTED_REQUIRED],
)
def test_a_nested_serializer_s_required_fields_are_its_component_s(prop, record, errors):
    schema = {"type": "object", "properties": {"record": prop}, "required": ["record"]}
    try:
        validate(schema, {"record": record})
        found = None
    except ApiError as error:
        found = error.body
    assert found == errors


def _geometry(kind: str, coordinates: dict) -> dict:
    """objects-api's members: `allOf: [Geometry, {coordinates}]`, `type` an enum of all."""
    tag = {
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "Feature"]}
        },
    }
    own = {
        "type": "object",
        "required": ["coordinates"],
        "properties": {"coordinates": coordinates},
    }
    return {"type": "object", "description": kind, "allOf": [tag, own]}


POINT2D = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
MEMBERS = [
    _geometry("Point", POINT2D),
    _geometry("MultiPoint", {"type": "array", "items": POINT2D}),
    _geometry("LineString", {"type": "array", "items": POINT2D, "minItems": 2}),
]
# As the loaded spec has it: the mapping OpenAPI implies (contract.schema.implicit_mappings).
NAMES = {"Point": "#/s/Point", "MultiPoint": "#/s/MultiPoint", "LineString": "#/s/LineString"}
GEOMETRY = {
    "type": "object",
    "discriminator": {"propertyName": "type", "mapping": NAMES},
    "oneOf": MEMBERS,
}
ONE_OF = [
    # objects-api's GeoJSONGeometry (found by Schemathesis: a Point was refused with the
    # last member's `coordinates`, ST202; a MultiPolygon of text accepted, ST201).
    ("a point", GEOMETRY, {"type": "Point", "coordinates": [1, 2.5]}, None),
    ("one point of a multipoint", GEOMETRY, {"type": "MultiPoint", "coordinates": [[1, 2]]},
     None),
    ("an empty multipoint", GEOMETRY, {"type": "MultiPoint", "coordinates": []}, None),
    ("a line: its tag says which of two alike members", GEOMETRY,
     {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, None),
    ("under no member", GEOMETRY, {"type": "Point", "coordinates": [["1", "2"]]},
     ["Enter a valid value."]),
    ("under another member than its tag's", GEOMETRY,
     {"type": "Point", "coordinates": [[1, 2], [3, 4]]}, ["Enter a valid value."]),
    ("a tag no member has", GEOMETRY, {"type": "Feature", "coordinates": [1, 2]},
     ["Enter a valid value."]),
    ("no discriminator: under two members, oneOf wants one", {"oneOf": MEMBERS},
     {"type": "Point", "coordinates": [[1, 2], [3, 4]]}, ["Enter a valid value."]),
    ("no discriminator: under one", {"oneOf": MEMBERS},
     {"type": "Point", "coordinates": [[1, 2]]}, None),
    ("no object", GEOMETRY, "POINT (1 2)", ["Invalid data. Expected a dictionary, but got str."]),
    ("null, nullable", GEOMETRY, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("alternatives", "value", "errors"), [n[1:] for n in ONE_OF], ids=[n[0] for n in ONE_OF]
)
def test_a_field_of_alternative_objects_takes_a_value_its_schema_reads_as_valid(
    alternatives, value, errors
):
    prop = {"allOf": [alternatives], "nullable": True, "description": "Where it is"}
    schema = {"type": "object", "properties": {"geometry": prop}}
    try:
        found, answer = None, validate(schema, {"geometry": value})
    except ApiError as error:
        found, answer = error.body, None
    assert found == (None if errors is None else {"geometry": errors})
    assert answer in (None, {"geometry": value})


def test_drf_spectacular_s_own_alternatives_stay_the_fields_they_are():
    # A nullable choice (`[StatusEnum, BlankEnum, NullEnum]`) is a ChoiceField still.
    grade = {"nullable": True, "oneOf": [{"enum": ["a", "b"]}, {"enum": [""]}, {"enum": [None]}]}
    with pytest.raises(ApiError) as caught:
        validate({"type": "object", "properties": {"grade": grade}}, {"grade": "c"})
    assert caught.value.body == {"grade": ['"c" is not a valid choice.']}
