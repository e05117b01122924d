"""parse_query: django-filter's parsing of the query string, in strict and lenient mode.

Lenient mode must answer exactly as ../shared/reference/REAL_API.md describes; strict
mode adds 400s where the real service silently ignores a value (see ARCH: "Modes").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from mockserver.engine.params import NULL_CHARACTERS, UNKNOWN_PARAMETER
from mockserver.errors import ApiError

STRICT, LENIENT = True, False
MODES = pytest.mark.parametrize("strict", [STRICT, LENIENT], ids=["strict", "lenient"])

BOOLEAN_PARAMS = (
    "is_active",
    "is_staff",
    "is_superuser",
    "is_anonymized",
    "email_allowed",
    "sms_allowed",
    "call_allowed",
)
DATETIME_PARAMS = {
    "date_joined": ("date_joined", "exact"),
    "last_login": ("last_login", "exact"),
    "modified_date": ("modified_date", "exact"),
    "modified_date__gt": ("modified_date", "gt"),
    "modified_date__gte": ("modified_date", "gte"),
    "modified_date__lt": ("modified_date", "lt"),
    "modified_date__lte": ("modified_date", "lte"),
}


class Prefix(str):
    """A message the mock words itself (strict mode's additions): only its start is pinned."""

    def __eq__(self, other):
        return isinstance(other, str) and other.startswith(str(self))

    __hash__ = str.__hash__

    def __repr__(self):
        return f"Prefix({str(self)!r})"


BAD_BOOLEAN = Prefix("Must be a valid boolean.")
BAD_PAGE = Prefix("Enter a page number")


def micros(*parts) -> int:
    """Microseconds since the epoch of a UTC wall time, computed without mockserver."""
    return (datetime(*parts, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )


def days(*parts) -> int:
    return (date(*parts) - date(1970, 1, 1)).days


def ok(*filters):
    return ("ok", sorted(filters, key=lambda f: f[:2]))


def bad(body: dict):
    return ("400", body)


def outcome(parse, query, strict):
    try:
        parsed = parse(query, strict)
    except ApiError as exc:
        assert exc.status == 400
        return ("400", exc.body)
    return ok(*((f.field, f.lookup, f.value) for f in parsed.filters))


# -- values accepted the same way in both modes ------------------------------------------------

ACCEPTED = [
    pytest.param("", ok(), id="no parameters"),
    pytest.param(
        "email=ayse.yilmaz@example.com",
        ok(("email", "exact", "ayse.yilmaz@example.com")),
        id="text exact",
    ),
    pytest.param("first_name=Ay%C5%9Fe", ok(("first_name", "exact", "Ayşe")), id="text utf-8"),
    pytest.param("email=+a@b.c+", ok(("email", "exact", "a@b.c")), id="text spaces stripped"),
    pytest.param("username=%09abc%0A", ok(("username", "exact", "abc")), id="text tab newline"),
    pytest.param(
        "last_name=A&last_name=B", ok(("last_name", "exact", "B")), id="repeated text last wins"
    ),
    pytest.param("phone=05320000000", ok(("phone", "exact", "05320000000")), id="phone"),
    pytest.param("language_code=tr-tr", ok(("language_code", "exact", "tr-tr")), id="language"),
    pytest.param("id=7", ok(("id", "exact", 7)), id="id"),
    pytest.param("id=-3", ok(("id", "exact", -3)), id="id negative"),
    pytest.param("id=%207%20", ok(("id", "exact", 7)), id="id spaces stripped"),
    pytest.param("id=1&id=2", ok(("id", "exact", 2)), id="repeated id last wins"),
    pytest.param("id__gt=10", ok(("id", "gt", 10)), id="id__gt"),
    pytest.param("id__gte=10", ok(("id", "gte", 10)), id="id__gte"),
    pytest.param("id__lt=10", ok(("id", "lt", 10)), id="id__lt"),
    pytest.param("id__lte=10", ok(("id", "lte", 10)), id="id__lte"),
    pytest.param("gender=male", ok(("gender", "exact", "male")), id="gender male"),
    pytest.param("gender=female", ok(("gender", "exact", "female")), id="gender female"),
    pytest.param("gender=%20male%20", ok(("gender", "exact", "male")), id="choice stripped"),
    pytest.param("user_type=guest", ok(("user_type", "exact", "guest")), id="user_type guest"),
    pytest.param(
        "user_type=registered", ok(("user_type", "exact", "registered")), id="user_type registered"
    ),
    pytest.param("groups=3", ok(("groups", "any", (3,))), id="one group"),
    pytest.param("groups=1&groups=2", ok(("groups", "any", (1, 2))), id="groups repeated"),
    pytest.param("groups=%201%20", ok(("groups", "any", (1,))), id="group id stripped"),
    pytest.param(
        "user_permissions=21&user_permissions=9",
        ok(("user_permissions", "any", (21, 9))),
        id="permissions repeated",
    ),
    pytest.param(
        'attributes={"confirm":true}',
        ok(("attributes", "contains", {"confirm": True})),
        id="attributes object",
    ),
    pytest.param(
        'localized_attributes={"tr-tr":{"display_name":"Ay%C5%9Fe%20Y%C4%B1lmaz"}}',
        ok(("localized_attributes", "contains", {"tr-tr": {"display_name": "Ayşe Yılmaz"}})),
        id="localized attributes nested",
    ),
    pytest.param("attributes_kwargs={}", ok(("attributes_kwargs", "contains", {})), id="json {}"),
    pytest.param("password=secret", ok(("password", "hashed", "secret")), id="password"),
    pytest.param(
        "is_active=true&gender=female&id__lte=100",
        ok(("is_active", "exact", True), ("gender", "exact", "female"), ("id", "lte", 100)),
        id="several filters",
    ),
    pytest.param(
        "is_active=true&is_active=false",
        ok(("is_active", "exact", False)),
        id="repeated boolean last wins",
    ),
    pytest.param(
        "modified_date__gt=2025-01-10T10:00:00Z",
        ok(("modified_date", "gt", micros(2025, 1, 10, 10))),
        id="date-time",
    ),
    pytest.param(
        "date_of_birth=05/01/1990",
        ok(("date_of_birth", "exact", days(1990, 5, 1))),
        id="date MM/DD/YYYY",
    ),
]


@MODES
@pytest.mark.parametrize(("query", "expected"), ACCEPTED)
def test_accepted(parse, strict, query, expected):
    assert outcome(parse, query, strict) == expected


# -- booleans ----------------------------------------------------------------------------------

BOOLEAN_TEXTS = [
    pytest.param("true", True, id="true"),
    pytest.param("True", True, id="True"),
    pytest.param("TRUE", True, id="TRUE"),
    pytest.param("1", True, id="1"),
    pytest.param("false", False, id="false"),
    pytest.param("False", False, id="False"),
    pytest.param("FALSE", False, id="FALSE"),
    pytest.param("fAlSe", False, id="fAlSe"),
    pytest.param("0", False, id="0"),
]


@MODES
@pytest.mark.parametrize("name", BOOLEAN_PARAMS)
@pytest.mark.parametrize(("text", "value"), BOOLEAN_TEXTS)
def test_boolean_values(parse, strict, name, text, value):
    assert outcome(parse, f"{name}={text}", strict) == ok((name, "exact", value))


BAD_BOOLEANS = ["yes", "no", "2", "-1", "t", "truee", "null", "on"]


@pytest.mark.parametrize("name", ["is_active", "call_allowed"])
@pytest.mark.parametrize("text", BAD_BOOLEANS)
def test_bad_boolean_lenient_is_no_filter(parse, name, text):
    """REAL_API: anything but true/1/false/0 means "no filter" (never 400)."""
    assert outcome(parse, f"{name}={text}", LENIENT) == ok()


@pytest.mark.parametrize("name", ["is_active", "call_allowed"])
@pytest.mark.parametrize("text", BAD_BOOLEANS)
def test_bad_boolean_strict_is_400(parse, name, text):
    assert outcome(parse, f"{name}={text}", STRICT) == bad({name: [BAD_BOOLEAN]})


# -- numbers -----------------------------------------------------------------------------------

NUMBERS = [
    # query, strict, lenient
    pytest.param(
        "id=abc", bad({"id": ["Enter a number."]}), bad({"id": ["Enter a number."]}), id="abc"
    ),
    pytest.param(
        "id__gt=1x",
        bad({"id__gt": ["Enter a number."]}),
        bad({"id__gt": ["Enter a number."]}),
        id="1x",
    ),
    pytest.param(
        "id=NaN", bad({"id": ["Enter a number."]}), bad({"id": ["Enter a number."]}), id="NaN"
    ),
    pytest.param(
        "id__lt=Infinity",
        bad({"id__lt": ["Enter a number."]}),
        bad({"id__lt": ["Enter a number."]}),
        id="Infinity",
    ),
    pytest.param(
        "id=1.5", bad({"id": ["Enter a whole number."]}), ok(("id", "exact", 1)), id="1.5"
    ),
    pytest.param(
        "id__lte=2.9",
        bad({"id__lte": ["Enter a whole number."]}),
        ok(("id", "lte", 2)),
        id="2.9 truncated",
    ),
    pytest.param(
        "id=-1.5", bad({"id": ["Enter a whole number."]}), ok(("id", "exact", -1)), id="-1.5"
    ),
    pytest.param(
        "id__gte=1e2", bad({"id__gte": ["Enter a whole number."]}), ok(("id", "gte", 100)), id="1e2"
    ),
    pytest.param("id=+5", ok(("id", "exact", 5)), ok(("id", "exact", 5)), id="+5"),
]


@MODES
@pytest.mark.parametrize(("query", "if_strict", "if_lenient"), NUMBERS)
def test_numbers(parse, strict, query, if_strict, if_lenient):
    assert outcome(parse, query, strict) == (if_strict if strict else if_lenient)


# -- date-times --------------------------------------------------------------------------------

TEN_UTC = micros(2025, 1, 10, 10)
DATETIMES = [
    pytest.param("2025-01-10T10:00:00Z", TEN_UTC, id="Z"),
    pytest.param("2025-01-10T13:00:00+03:00", TEN_UTC, id="+03:00"),
    pytest.param("2025-01-10T13:00:00+0300", TEN_UTC, id="+0300"),
    pytest.param("2025-01-10T13:00:00+03", TEN_UTC, id="+03"),
    pytest.param("2025-01-10T07:00:00-03:00", TEN_UTC, id="-03:00"),
    pytest.param("2025-01-10T10:00:00+00:00", TEN_UTC, id="+00:00"),
    pytest.param("2025-01-10 10:00:00Z", TEN_UTC, id="space instead of T"),
    pytest.param("2025-01-10 10:00:00", TEN_UTC, id="space no zone is UTC"),
    pytest.param("2025-01-10T10:00:00", TEN_UTC, id="no zone is UTC"),
    pytest.param("2025-01-10T10:00", TEN_UTC, id="no seconds"),
    pytest.param("2025-01-10", micros(2025, 1, 10), id="date only is midnight"),
    pytest.param("2025-01-10X10:00", TEN_UTC, id="any separator fromisoformat reads"),
    pytest.param("2025-01-10T10:00:00.5Z", TEN_UTC + 500_000, id="fraction .5"),
    pytest.param("2025-01-10T10:00:00.123456Z", TEN_UTC + 123_456, id="microseconds"),
    pytest.param("2025-01-10T10:00:00,25Z", TEN_UTC + 250_000, id="comma fraction"),
    pytest.param(" 2025-01-10T10:00:00Z ", TEN_UTC, id="spaces stripped"),
]


@MODES
@pytest.mark.parametrize("name", ["modified_date", "modified_date__gt"])
@pytest.mark.parametrize(("text", "value"), DATETIMES)
def test_datetime_forms(parse, strict, name, text, value):
    field, lookup = DATETIME_PARAMS[name]
    assert outcome(parse, [(name, text)], strict) == ok((field, lookup, value))


@MODES
@pytest.mark.parametrize("name", list(DATETIME_PARAMS))
def test_datetime_params(parse, strict, name):
    field, lookup = DATETIME_PARAMS[name]
    expected = ok((field, lookup, TEN_UTC))
    assert outcome(parse, [(name, "2025-01-10T13:00:00+03:00")], strict) == expected
    invalid = bad({name: ["Enter a valid date/time."]})
    assert outcome(parse, [(name, "2025-01-10T13:00:00+3")], strict) == invalid


BAD_DATETIMES = [
    pytest.param("yesterday", id="word"),
    pytest.param("2025-13-01", id="month 13"),
    pytest.param("2025-02-30", id="February 30"),
    pytest.param("2025-01-10T24:00:00Z", id="hour 24"),
    pytest.param("2025-01-10T10:60Z", id="minute 60"),
    pytest.param("2025/01/10", id="slashes"),
    pytest.param("10:00", id="time only"),
    pytest.param("2025-01-10T10:00:00+24:00", id="offset 24h"),
    pytest.param("2025-1-5", id="one-digit month without a time"),
    pytest.param("2025-01-10T10:00:00 03:00", id="unencoded plus became space"),
]


@MODES
@pytest.mark.parametrize("name", ["last_login", "modified_date__lte"])
@pytest.mark.parametrize("text", BAD_DATETIMES)
def test_bad_datetimes(parse, strict, name, text):
    assert outcome(parse, [(name, text)], strict) == bad({name: ["Enter a valid date/time."]})


# -- dates -------------------------------------------------------------------------------------

DATES = [
    pytest.param("1990-05-01", days(1990, 5, 1), id="YYYY-MM-DD"),
    pytest.param("05/01/1990", days(1990, 5, 1), id="MM/DD/YYYY is May 1"),
    pytest.param("5/1/1990", days(1990, 5, 1), id="M/D/YYYY"),
    pytest.param("1990-5-1", days(1990, 5, 1), id="YYYY-M-D (strptime %m and %d)"),
    pytest.param("12/31/1999", days(1999, 12, 31), id="December 31"),
    pytest.param(" 1990-05-01 ", days(1990, 5, 1), id="spaces stripped"),
]


@MODES
@pytest.mark.parametrize(("text", "value"), DATES)
def test_dates(parse, strict, text, value):
    expected = ok(("date_of_birth", "exact", value))
    assert outcome(parse, [("date_of_birth", text)], strict) == expected


@MODES
@pytest.mark.parametrize(
    "text",
    ["1990/01/05", "1990-13-01", "13/01/1990", "1990-02-30", "yesterday", "1990-05-01T00:00"],
)
def test_bad_dates(parse, strict, text):
    expected = bad({"date_of_birth": ["Enter a valid date."]})
    assert outcome(parse, [("date_of_birth", text)], strict) == expected


# -- choices and many-to-many ------------------------------------------------------------------


def choice(value) -> list[str]:
    return [f"Select a valid choice. {value} is not one of the available choices."]


CHOICE_ERRORS = [
    pytest.param(
        "gender=other",
        {"gender": ["Select a valid choice. other is not one of the available choices."]},
        id="gender other (REAL_API text)",
    ),
    pytest.param("gender=Male", {"gender": choice("Male")}, id="gender is case-sensitive"),
    pytest.param("user_type=admin", {"user_type": choice("admin")}, id="user_type admin"),
    pytest.param(
        "groups=99",
        {"groups": ["Select a valid choice. 99 is not one of the available choices."]},
        id="unknown group 99 (REAL_API text)",
    ),
    pytest.param("groups=abc", {"groups": ["“abc” is not a valid value."]}, id="group abc"),
    pytest.param("groups=1,2", {"groups": ["“1,2” is not a valid value."]}, id="group 1,2"),
    pytest.param("groups=", {"groups": ["“” is not a valid value."]}, id="groups empty"),
    pytest.param("groups=1.5", {"groups": ["“1.5” is not a valid value."]}, id="group 1.5"),
    pytest.param("groups=0", {"groups": choice(0)}, id="group 0"),
    pytest.param("groups=-1", {"groups": choice(-1)}, id="group -1"),
    pytest.param("groups=1&groups=99", {"groups": choice(99)}, id="one good one unknown"),
    pytest.param("groups=1&groups=", {"groups": ["“” is not a valid value."]}, id="one empty"),
    pytest.param(
        "groups=99&groups=abc",
        {"groups": ["“abc” is not a valid value."]},
        id="a malformed id is reported before an unknown one (Django's _check_values)",
    ),
    pytest.param("groups=01", {"groups": choice("01")}, id="01 is not the text of id 1"),
    pytest.param("user_permissions=1", {"user_permissions": choice(1)}, id="unknown permission"),
    pytest.param(
        "user_permissions=abc",
        {"user_permissions": ["“abc” is not a valid value."]},
        id="permission abc",
    ),
    pytest.param(
        "user_permissions=", {"user_permissions": ["“” is not a valid value."]}, id="perms empty"
    ),
]


@MODES
@pytest.mark.parametrize(("query", "body"), CHOICE_ERRORS)
def test_choice_errors(parse, strict, query, body):
    assert outcome(parse, query, strict) == bad(body)


# -- several errors at once, unknown parameters ------------------------------------------------

SEVERAL = [
    pytest.param(
        "id=abc&modified_date__gt=bad",
        {"id": ["Enter a number."], "modified_date__gt": ["Enter a valid date/time."]},
        {"id": ["Enter a number."], "modified_date__gt": ["Enter a valid date/time."]},
        id="REAL_API example",
    ),
    pytest.param(
        "id=abc&gender=other&groups=99&date_of_birth=1990/01/05&last_login=x",
        {
            "id": ["Enter a number."],
            "gender": choice("other"),
            "groups": choice(99),
            "date_of_birth": ["Enter a valid date."],
            "last_login": ["Enter a valid date/time."],
        },
        {
            "id": ["Enter a number."],
            "gender": choice("other"),
            "groups": choice(99),
            "date_of_birth": ["Enter a valid date."],
            "last_login": ["Enter a valid date/time."],
        },
        id="five bad filters",
    ),
    pytest.param(
        "id=abc&page=abc",
        {"id": ["Enter a number."], "page": [BAD_PAGE]},
        {"id": ["Enter a number."]},
        id="filter error before page error",
    ),
    pytest.param(
        "id=abc&is_active=maybe",
        {"id": ["Enter a number."], "is_active": [BAD_BOOLEAN]},
        {"id": ["Enter a number."]},
        id="bad boolean ignored in lenient",
    ),
    pytest.param(
        "id=abc&foo=1",
        {"id": ["Enter a number."], "foo": [UNKNOWN_PARAMETER]},
        {"id": ["Enter a number."]},
        id="unknown parameter with a bad filter",
    ),
]


@MODES
@pytest.mark.parametrize(("query", "if_strict", "if_lenient"), SEVERAL)
def test_several_errors_together(parse, strict, query, if_strict, if_lenient):
    assert outcome(parse, query, strict) == bad(if_strict if strict else if_lenient)


UNKNOWN = [
    pytest.param("foo=1", ok(), id="foo"),
    pytest.param("ordering=-id", ok(), id="DRF default ordering name"),
    pytest.param("IS_ACTIVE=true", ok(), id="names are case-sensitive"),
    pytest.param("id__in=1,2", ok(), id="undeclared lookup"),
    pytest.param("gender=male&foo=", ok(("gender", "exact", "male")), id="unknown blank"),
    pytest.param("%00x=1", ok(), id="a name starting with a null byte"),
]


@MODES
@pytest.mark.parametrize(("query", "if_lenient"), UNKNOWN)
def test_unknown_parameters(parse, strict, query, if_lenient):
    if strict:
        names = ("foo", "ordering", "IS_ACTIVE", "id__in", "\x00x")
        unknown = {name: [UNKNOWN_PARAMETER] for name in names}
        decoded = query.replace("%00", "\x00")
        expected = bad({k: v for k, v in unknown.items() if f"{k}=" in decoded})
    else:
        expected = if_lenient
    assert outcome(parse, query, strict) == expected


# -- empty values ------------------------------------------------------------------------------

# Parameter -> what strict mode answers to `name=` (None: no filter, as in lenient mode).
EMPTY = [
    *(pytest.param(n, None, id=n) for n in ("email", "username", "first_name", "last_name")),
    *(pytest.param(n, None, id=n) for n in ("phone", "language_code", "password")),
    *(
        pytest.param(n, ["Enter a number."], id=n)
        for n in ("id", "id__gt", "id__gte", "id__lt", "id__lte")
    ),
    *(pytest.param(n, [BAD_BOOLEAN], id=n) for n in BOOLEAN_PARAMS),
    *(pytest.param(n, ["Enter a valid date/time."], id=n) for n in DATETIME_PARAMS),
    pytest.param("date_of_birth", ["Enter a valid date."], id="date_of_birth"),
    pytest.param("gender", [Prefix("Select a valid choice.")], id="gender"),
    pytest.param("user_type", [Prefix("Select a valid choice.")], id="user_type"),
    *(
        pytest.param(n, ["Enter a valid JSON."], id=n)
        for n in (
            "attributes",
            "attributes_kwargs",
            "localized_attributes",
            "localized_attributes_kwargs",
        )
    ),
]


@MODES
@pytest.mark.parametrize("blank", ["", "   "], ids=["empty", "spaces"])
@pytest.mark.parametrize(("name", "strict_messages"), EMPTY)
def test_empty_value(parse, strict, blank, name, strict_messages):
    """REAL_API: an empty value means no filter (lenient); strict rejects typed params."""
    expected = bad({name: strict_messages}) if strict and strict_messages else ok()
    assert outcome(parse, [(name, blank)], strict) == expected


# -- JSON --------------------------------------------------------------------------------------

JSON_CASES = [
    pytest.param(
        'attributes={"confirm":true}',
        ok(("attributes", "contains", {"confirm": True})),
        ok(("attributes", "contains", {"confirm": True})),
        id="object",
    ),
    pytest.param(
        "attributes={bad",
        bad({"attributes": ["Enter a valid JSON."]}),
        bad({"attributes": ["Enter a valid JSON."]}),
        id="broken JSON",
    ),
    pytest.param(
        "attributes=[1]",
        bad({"attributes": [Prefix("Enter a JSON object.")]}),
        ok(("attributes", "contains", [1])),
        id="array",
    ),
    pytest.param(
        "attributes=1",
        bad({"attributes": [Prefix("Enter a JSON object.")]}),
        ok(("attributes", "contains", 1)),
        id="number",
    ),
]


@MODES
@pytest.mark.parametrize(("query", "if_strict", "if_lenient"), JSON_CASES)
def test_json(parse, strict, query, if_strict, if_lenient):
    assert outcome(parse, query, strict) == (if_strict if strict else if_lenient)


# -- page, limit, sort -------------------------------------------------------------------------


def control(page=None, limit=20, sort=()):
    return ("ok", page, limit, list(sort))


def control_outcome(parse, query, strict):
    try:
        parsed = parse(query, strict)
    except ApiError as exc:
        assert exc.status == 400
        return ("400", exc.body)
    assert parsed.filters == []
    return ("ok", parsed.page, parsed.limit, parsed.sort)


def rejects(name, message):
    return ("400", {name: [message]})


CONTROL = [
    # query, strict, lenient
    pytest.param("", control(), control(), id="defaults"),
    pytest.param("page=3", control("3"), control("3"), id="page 3"),
    pytest.param("page=last", control("last"), control("last"), id="page last"),
    pytest.param("page=%202%20", control("2"), control("2"), id="page stripped"),
    pytest.param("page=1&page=4", control("4"), control("4"), id="page repeated last wins"),
    pytest.param("page=", rejects("page", BAD_PAGE), control(""), id="page empty"),
    pytest.param("page=0", rejects("page", BAD_PAGE), control("0"), id="page 0"),
    pytest.param("page=-1", rejects("page", BAD_PAGE), control("-1"), id="page -1"),
    pytest.param("page=1.5", rejects("page", BAD_PAGE), control("1.5"), id="page 1.5"),
    pytest.param("page=abc", rejects("page", BAD_PAGE), control("abc"), id="page abc"),
    pytest.param("limit=50", control(limit=50), control(limit=50), id="limit 50"),
    pytest.param("limit=1", control(limit=1), control(limit=1), id="limit 1"),
    pytest.param("limit=100", control(limit=100), control(limit=100), id="limit 100"),
    pytest.param("limit=%2010%20", control(limit=10), control(limit=10), id="limit stripped"),
    pytest.param("limit=10&limit=30", control(limit=30), control(limit=30), id="limit last wins"),
    pytest.param("limit=0", rejects("limit", Prefix("")), control(), id="limit 0"),
    pytest.param("limit=-5", rejects("limit", Prefix("")), control(), id="limit negative"),
    pytest.param("limit=abc", rejects("limit", Prefix("")), control(), id="limit abc"),
    pytest.param("limit=2.5", rejects("limit", Prefix("")), control(), id="limit 2.5"),
    pytest.param("limit=", rejects("limit", Prefix("")), control(), id="limit empty"),
    pytest.param("limit=101", rejects("limit", Prefix("")), control(limit=100), id="limit 101"),
    pytest.param("limit=500", rejects("limit", Prefix("")), control(limit=100), id="limit 500"),
    pytest.param(
        "sort=gender,-id",
        control(sort=[("gender", False), ("id", True)]),
        control(sort=[("gender", False), ("id", True)]),
        id="sort two keys",
    ),
    pytest.param(
        "sort=%20gender%20,%20-id%20",
        control(sort=[("gender", False), ("id", True)]),
        control(sort=[("gender", False), ("id", True)]),
        id="sort terms stripped",
    ),
    pytest.param(
        "sort=-pk",
        control(sort=[("pk", True)]),
        control(sort=[("pk", True)]),
        id="pk is kept (the engine reads it as id)",
    ),
    pytest.param(
        "sort=id&sort=-email",
        control(sort=[("email", True)]),
        control(sort=[("email", True)]),
        id="sort repeated last wins",
    ),
    pytest.param("sort=nope", rejects("sort", Prefix("")), control(), id="unknown term"),
    pytest.param(
        "sort=nope,-id",
        rejects("sort", Prefix("")),
        control(sort=[("id", True)]),
        id="unknown term dropped",
    ),
    pytest.param("sort=groups", rejects("sort", Prefix("")), control(), id="array not sortable"),
    pytest.param("sort=attributes", rejects("sort", Prefix("")), control(), id="object field"),
    pytest.param("sort=password", rejects("sort", Prefix("")), control(), id="password"),
    pytest.param("sort=--id", rejects("sort", Prefix("")), control(), id="double minus"),
]


@MODES
@pytest.mark.parametrize(("query", "if_strict", "if_lenient"), CONTROL)
def test_page_limit_sort(parse, strict, query, if_strict, if_lenient):
    assert control_outcome(parse, query, strict) == (if_strict if strict else if_lenient)


@MODES
def test_every_declared_parameter_is_understood(parse, list_op, strict):
    """Each parameter of the spec parses with a typical value: none is left unhandled."""
    typical = {"groups": "1", "user_permissions": "9", "page": "1", "limit": "5", "sort": "id"}
    for name, param in list_op.query.items():
        kind = param.schema.get("type")
        fmt = param.schema.get("format")
        value = typical.get(name) or (
            "{}"
            if param.json
            else "1"
            if kind in ("integer", "boolean")
            else "2025-01-10"
            if fmt in ("date-time", "date")
            else param.schema["enum"][0]
            if "enum" in param.schema
            else "x"
        )
        parse([(name, value)], strict)


NULL_BYTES = [
    pytest.param("username=a%00b", {"username": [NULL_CHARACTERS]}, id="text: CharField's rule"),
    pytest.param(
        "date_joined=2025-01-01%00", {"date_joined": ["Enter a valid date/time."]}, id="date-time"
    ),
    pytest.param(
        "gender=male%00",
        {"gender": ["Select a valid choice. male\x00 is not one of the available choices."]},
        id="choice",
    ),
]


@MODES
@pytest.mark.parametrize(("query", "problems"), NULL_BYTES)
def test_null_bytes_get_the_message_of_the_field_type(parse, strict, query, problems):
    assert outcome(parse, query, strict) == bad(problems)


# -- a FloatField's filters (django-filter's NumberFilter: forms.DecimalField) -----------------


@pytest.fixture(scope="module")
def parse_readings(tmp_path_factory):
    """`parse_readings(query, strict)` on the FloatField collection of test_query."""
    from urllib.parse import parse_qsl

    from test_query import READINGS_SPEC

    from mockserver.contract.spec import Spec
    from mockserver.engine.params import Rules, parse_query

    path = tmp_path_factory.mktemp("readings") / "openapi.yaml"
    path.write_text(READINGS_SPEC, encoding="utf-8")
    spec = Spec.load(path)
    op = spec.operation("readings_list")
    sortable = spec.resources["/readings/"].sortable

    def run(query: str, strict: bool):
        return parse_query(op, parse_qsl(query), Rules(strict=strict, sortable=sortable))

    return run


NUMBER = "Enter a number."
CAP = "Ensure this value is less than or equal to 1e+50."
FLOATS = [
    pytest.param("score__gte=1.5", ok(("score", "gte", Decimal("1.5"))), id="a decimal text"),
    pytest.param("score=72617", ok(("score", "exact", Decimal("72617"))), id="a whole number"),
    pytest.param("score__lt=1e2", ok(("score", "lt", Decimal("1E+2"))), id="an exponent"),
    pytest.param("score__gt=%202.5%20", ok(("score", "gt", Decimal("2.5"))), id="spaces"),
    pytest.param("score__lte=-0.25", ok(("score", "lte", Decimal("-0.25"))), id="negative"),
    pytest.param(
        "score__in=1.5,2",
        ok(("score", "in", (Decimal("1.5"), Decimal("2")))),
        id="in",
    ),
    pytest.param(
        "score__range=1,2.5",
        ok(("score", "range", (Decimal("1"), Decimal("2.5")))),
        id="range",
    ),
    pytest.param("weight__isnull=true", ok(("weight", "isnull", True)), id="isnull"),
    pytest.param("score=abc", bad({"score": [NUMBER]}), id="garbage"),
    pytest.param("score__gte=1,5", bad({"score__gte": [NUMBER]}), id="a decimal comma"),
    pytest.param("score=NaN", bad({"score": [NUMBER]}), id="NaN"),
    pytest.param("score__lt=-Infinity", bad({"score__lt": [NUMBER]}), id="infinity"),
    pytest.param("score__gt=1e51", bad({"score__gt": [CAP]}), id="NumberFilter's cap"),
    pytest.param("score__in=1.5,x", bad({"score__in": [NUMBER]}), id="in with garbage"),
    pytest.param(
        "score__range=1", bad({"score__range": ["Range query expects two values."]}), id="range"
    ),
]


@MODES
@pytest.mark.parametrize(("query", "expected"), FLOATS)
def test_float_filters_read_a_decimal(parse_readings, strict, query, expected):
    assert outcome(parse_readings, query.replace("%20", " "), strict) == expected


@pytest.mark.parametrize(
    ("query", "sort"),
    [
        pytest.param("ordering=-score", [("score", True)], id="descending"),
        pytest.param("ordering=weight,-score", [("weight", False), ("score", True)], id="two"),
    ],
)
def test_floats_are_sortable(parse_readings, query, sort):
    assert parse_readings(query, STRICT).sort == sort


# -- parameters the engine does not model (a custom filter method, a view's own parameter) ----


def _unmodelled_op(schema: dict, number_cap: bool = False):
    """An operation whose only parameter `p` filters nothing the engine knows."""
    from mockserver.contract.spec import Operation, Param

    query = {"p": Param("p", schema, number_cap=number_cap)}
    return Operation("/x/", "GET", "x", {}, query, {}, {}, query)


UUID = {"type": "string", "format": "uuid"}
UNMODELLED = [
    pytest.param(UUID, False, "p=", {"p": ["Enter a valid UUID."]}, id="uuid: empty"),
    pytest.param(UUID, False, "p=nope", {"p": ["Enter a valid UUID."]}, id="uuid: not one"),
    pytest.param(UUID, False, "p=3fa85f64-5717-4562-b3fc-2c963f66afa6", None, id="uuid: one"),
    pytest.param(
        {"type": "string", "format": "date-time"},
        False,
        "p=",
        {"p": ["Enter a valid date/time."]},
        id="date-time: empty",
    ),
    pytest.param(
        {"type": "string", "format": "date-time"}, False, "p=2025-01-10T10:00Z", None, id="dt ok"
    ),
    pytest.param(
        {"type": "string", "format": "date"},
        False,
        "p=10/01/2025x",
        {"p": ["Enter a valid date."]},
        id="date: not one",
    ),
    pytest.param({"type": "string"}, False, "p=a%00b", {"p": [NULL_CHARACTERS]}, id="text: NUL"),
    pytest.param({"type": "string"}, False, "p=a b", None, id="text: any other"),
    pytest.param(
        {"type": "array", "items": {"type": "string"}},
        False,
        "p=a&p=%00",
        {"p": [NULL_CHARACTERS]},
        id="repeated text: NUL",
    ),
    pytest.param(
        {"type": "number"},
        True,
        "p=1.0000000000000003e%2B50",
        {"p": ["Ensure this value is less than or equal to 1e+50."]},
        id="NumberFilter: above 1e50",
    ),
    pytest.param({"type": "number"}, True, "p=1e50", None, id="NumberFilter: 1e50"),
    pytest.param({"type": "number"}, False, "p=1e60", None, id="number: no cap"),
]


@MODES
@pytest.mark.parametrize(("schema", "cap", "query", "problems"), UNMODELLED)
def test_unmodelled_parameters_refuse_what_their_schema_refuses(
    strict, schema, cap, query, problems
):
    """Strict mode: what the served document's schema refuses (mockserver/http/docs.py adds the
    NUL and 1e50 rules) is 400; lenient mode reads nothing of them, as they filter nothing."""
    from urllib.parse import parse_qsl

    from mockserver.engine.params import Rules, parse_query

    items = parse_qsl(query, keep_blank_values=True)
    try:
        parse_query(_unmodelled_op(schema, cap), items, Rules(strict=strict))
    except ApiError as error:
        assert (strict, error.status, error.body) == (True, 400, problems)
    else:
        assert not strict or problems is None


@pytest.mark.parametrize(
    ("strict", "items", "problems"),
    [
        pytest.param(True, [], {"entity_id": ["This field is required."]}, id="strict: missing"),
        pytest.param(True, [("entity_id", "3")], None, id="strict: given"),
        pytest.param(False, [], None, id="lenient: DRF reads none as required"),
    ],
)
def test_a_required_query_parameter(strict, items, problems):
    from mockserver.contract.spec import Operation, Param
    from mockserver.engine.params import Rules, parse_query

    op = Operation(
        path="/things/",
        method="GET",
        operation_id="things_list",
        path_params={},
        query={"entity_id": Param("entity_id", {"type": "integer"}, required=True)},
        responses={},
        answers={},
        lenient_query={"entity_id": Param("entity_id", {"type": "integer"}, required=True)},
        required=("entity_id",),
    )
    rules = Rules(strict=strict)
    if problems is None:
        parse_query(op, items, rules)
        return
    with pytest.raises(ApiError) as caught:
        parse_query(op, items, rules)
    assert (caught.value.status, caught.value.body) == (400, problems)


# -- a parameter read by its schema: items, empties, choices, lengths, headers ----------------

UUID_A = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
STRINGS = {"type": "array", "items": {"type": "string"}}
STATUSES = {"type": "array", "items": {"type": "string", "enum": ["consumed", "done"]}}
UUIDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}
BY_SCHEMA = [
    # (Param keywords, query, strict's problems, lenient's problems); None: accepted.
    pytest.param(
        {"schema": STATUSES, "field": "status", "lookup": "exact"},
        "p=consumed&p=done",
        None,
        None,
        id="choices: MultipleChoiceField",
    ),
    pytest.param(
        {"schema": STATUSES, "field": "status", "lookup": "exact"},
        "p=consumed&p=nope",
        ["Select a valid choice. nope is not one of the available choices."],
        ["Select a valid choice. nope is not one of the available choices."],
        id="choices: one outside",
    ),
    pytest.param(
        {"schema": UUIDS, "field": "stages", "lookup": "any"},
        f"p={UUID_A}",
        None,
        None,
        id="uuid keys: one",
    ),
    pytest.param(
        {"schema": UUIDS, "field": "stages", "lookup": "any"},
        "p=nope",
        ["“nope” is not a valid value."],
        ["“nope” is not a valid value."],
        id="uuid keys: no uuid",
    ),
    pytest.param(
        {"schema": STRINGS, "field": "managed", "lookup": "exact"},
        "p=a&p=%1c",
        None,
        None,
        id="text items: as sent, no strip",
    ),
    pytest.param(
        {"schema": STRINGS, "field": "managed", "lookup": "exact"},
        "p=",
        ["“” is not a valid value."],
        None,
        id="text items: empty",
    ),
    pytest.param(
        {"schema": STRINGS},
        "p=a&p=",
        ["“” is not a valid value."],
        None,
        id="unmodelled text items: empty",
    ),
    pytest.param(
        {"schema": {"type": "array", "items": {"type": "integer"}}, "explode": False},
        "p=1,2",
        None,
        None,
        id="explode false: one comma-separated value",
    ),
    pytest.param(
        {"schema": {"type": "array", "items": {"type": "integer"}}, "explode": False},
        "p=1,x",
        ["A valid integer is required."],
        None,
        id="explode false: an item outside",
    ),
    pytest.param(
        {"schema": {"type": "boolean"}, "allow_empty": True},
        "p=",
        None,
        None,
        id="allowEmptyValue",
    ),
    pytest.param(
        {"schema": {"type": "integer", "enum": [0, 1]}, "field": "status", "lookup": "exact"},
        "p=5",
        ["Select a valid choice. 5 is not one of the available choices."],
        ["Select a valid choice. 5 is not one of the available choices."],
        id="integer choices: ChoiceFilter",
    ),
    pytest.param(
        {"schema": {"type": "string", "minLength": 1}},
        "p=",
        ["This field may not be blank."],
        None,
        id="minLength: empty",
    ),
    pytest.param(
        {"schema": {"type": "string", "minLength": 1}, "field": "name", "lookup": "exact"},
        "p=",
        ["This field may not be blank."],
        None,
        id="minLength: empty filter",
    ),
    pytest.param(
        {"schema": {"type": "string", "maxLength": 2}},
        "p=abc",
        ["Ensure this field has no more than 2 characters."],
        None,
        id="maxLength",
    ),
    pytest.param(
        {"schema": {"type": "string", "format": "uri"}},
        "p=null",
        ["Enter a valid URL."],
        None,
        id="uri: no scheme",
    ),
    pytest.param(
        {"schema": {"type": "string", "format": "uri"}},
        "p=https://example.com/types/1",
        None,
        None,
        id="uri",
    ),
]


@MODES
@pytest.mark.parametrize(("keywords", "query", "strict_problems", "lenient_problems"), BY_SCHEMA)
def test_a_parameter_is_read_by_its_schema(
    strict, keywords, query, strict_problems, lenient_problems
):
    from urllib.parse import parse_qsl

    from mockserver.contract.spec import Operation, Param
    from mockserver.engine.params import Rules, parse_query

    params = {"p": Param("p", **keywords)}
    op = Operation("/x/", "GET", "x", {}, params, {}, {}, params)
    problems = strict_problems if strict else lenient_problems
    items = parse_qsl(query, keep_blank_values=True)
    try:
        parse_query(op, items, Rules(strict=strict))
    except ApiError as error:
        assert (error.status, error.body) == (400, {"p": problems})
    else:
        assert problems is None


HEADERS = [
    pytest.param({}, {"X-Key": ["This field is required."]}, id="a required one missing"),
    pytest.param({b"x-key": b"k", b"accept-crs": b"EPSG:4326"}, None, id="both as documented"),
    pytest.param(
        {b"x-key": b"k", b"accept-crs": b"AAA"},
        {"Accept-Crs": ['"AAA" is not a valid choice.']},
        id="outside its enum",
    ),
]


@MODES
@pytest.mark.parametrize(("headers", "problems"), HEADERS)
def test_header_parameters_are_checked_in_strict_mode_only(strict, headers, problems):
    from mockserver.contract.spec import Operation, Param
    from mockserver.engine.params import Rules, parse_query

    crs = {"type": "string", "enum": ["EPSG:4326"]}
    declared = {
        "x-key": Param("X-Key", {"type": "string"}, required=True),
        "accept-crs": Param("Accept-Crs", crs),
    }
    op = Operation("/x/", "GET", "x", {}, {}, {}, {}, {}, headers=declared)
    try:
        parse_query(op, [], Rules(strict=strict), headers)
    except ApiError as error:
        assert (strict, error.status, error.body) == (True, 400, problems)
    else:
        assert not strict or problems is None
