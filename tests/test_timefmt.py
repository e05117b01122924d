"""timefmt: date-times as UTC microseconds, rendered as DRF renders them and parsed as
django-filter parses them."""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime, timedelta

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateparse, timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mockserver.contract.timefmt import (
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
    to_days,
    to_micros,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The real service's settings; forms.DateTimeField reads them, dateparse does not.
if not settings.configured:
    settings.configure(USE_TZ=True, TIME_ZONE="UTC")


def micros(*parts) -> int:
    return (datetime(*parts, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)


def days(*parts) -> int:
    return (date(*parts) - date(1970, 1, 1)).days


FORMATTED = [
    pytest.param(micros(2023, 4, 18, 7, 40, 10), "2023-04-18T07:40:10Z", id="zero micros dropped"),
    pytest.param(
        micros(2023, 4, 18, 7, 40, 10, 621112), "2023-04-18T07:40:10.621112Z", id="micros kept"
    ),
    pytest.param(micros(2023, 4, 18, 7, 40, 10, 1), "2023-04-18T07:40:10.000001Z", id="1 micro"),
    pytest.param(
        micros(2023, 4, 18, 7, 40, 10, 500000), "2023-04-18T07:40:10.500000Z", id="six digits"
    ),
    pytest.param(0, "1970-01-01T00:00:00Z", id="epoch"),
    pytest.param(-1, "1969-12-31T23:59:59.999999Z", id="before the epoch"),
    pytest.param(micros(2024, 2, 29, 23, 59, 59), "2024-02-29T23:59:59Z", id="leap day"),
]


@pytest.mark.parametrize(("value", "text"), FORMATTED)
def test_format_datetime(value, text):
    assert format_datetime(value) == text


@pytest.mark.parametrize(("value", "text"), FORMATTED)
def test_format_then_parse_round_trips(value, text):
    assert parse_datetime(format_datetime(value)) == value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(0, "1970-01-01", id="epoch"),
        pytest.param(days(1998, 3, 9), "1998-03-09", id="1998-03-09"),
        pytest.param(-1, "1969-12-31", id="before the epoch"),
    ],
)
def test_format_date(value, text):
    assert format_date(value) == text
    assert parse_date(text) == value


TEN = micros(2025, 1, 10, 10)
PARSED = [
    pytest.param("2025-01-10T10:00:00Z", TEN, id="Z"),
    pytest.param("2025-01-10T13:00:00+03:00", TEN, id="+03:00"),
    pytest.param("2025-01-10T13:00:00+0300", TEN, id="+0300"),
    pytest.param("2025-01-10T13:00:00+03", TEN, id="+03"),
    pytest.param("2025-01-10T04:30:00-05:30", TEN, id="-05:30"),
    pytest.param("2025-01-10 10:00:00Z", TEN, id="space instead of T"),
    pytest.param("2025-01-10 10:00:00", TEN, id="space, no zone is UTC"),
    pytest.param("2025-01-10T10:00:00", TEN, id="no zone is UTC"),
    pytest.param("2025-01-10T10:00", TEN, id="no seconds"),
    pytest.param("2025-01-10T10:00:00 Z", TEN, id="space before zone"),
    pytest.param("2025-01-10", micros(2025, 1, 10), id="date only is midnight"),
    pytest.param("2025-01-10T10:00:00.5Z", TEN + 500_000, id=".5"),
    pytest.param("2025-01-10T10:00:00,25Z", TEN + 250_000, id="comma"),
    pytest.param("2025-01-10T10:00:00.1234567Z", TEN + 123_456, id="7 digits truncated"),
    pytest.param("2025-01-11T00:30:00+14:00", TEN + 30 * 60 * 10**6, id="+14:00"),
    pytest.param("20250110T100000", TEN, id="basic format"),
    pytest.param("2025-01-10T10", TEN, id="hour only"),
    pytest.param("2025-W02-5T10:00", TEN, id="ISO week date"),
    pytest.param("2025-01-10X10:00", TEN, id="any one character between date and time"),
    pytest.param("2025-1-10T10:00", TEN, id="one-digit month with a time"),
    pytest.param("2025-01-10T10:00:00.123456789", TEN + 123_456, id="9 digits truncated"),
    pytest.param("2025-01-10T11:00+00:60", TEN, id="offset minute 60 is an hour"),
    pytest.param("٢٠٢٥-٠١-١٠T١٠:٠٠", TEN, id="Arabic-Indic digits"),
    pytest.param("2025-01-10T10:00\n", TEN, id="trailing newline"),
    pytest.param(
        "9999-12-31T23:59:59-01:00",
        micros(9999, 12, 31, 23, 59, 59) + 3600 * 10**6,
        id="year 9999 with an offset",
    ),
    pytest.param("0001-01-01T00:00+01:00", micros(1, 1, 1) - 3600 * 10**6, id="year 1, offset"),
]


@pytest.mark.parametrize(("text", "value"), PARSED)
def test_parse_datetime(text, value):
    assert parse_datetime(text) == value


REJECTED_DATETIMES = [
    pytest.param("", id="empty"),
    pytest.param("yesterday", id="word"),
    pytest.param("2025-13-01", id="month 13"),
    pytest.param("2025-02-29", id="not a leap year"),
    pytest.param("2025-01-10T24:00:00Z", id="hour 24"),
    pytest.param("2025-01-10T10:60:00Z", id="minute 60"),
    pytest.param("2025-01-10T10:00:60Z", id="second 60"),
    pytest.param("2025/01/10", id="slashes"),
    pytest.param("2025-01-10T10:00:00+24:00", id="offset of a day"),
    pytest.param("2025-01-10T10:00:00 03:00", id="offset without sign"),
    pytest.param("2025-01-10T", id="T and nothing"),
    pytest.param("2025-01-10T10:00:00Zjunk", id="trailing junk"),
    pytest.param("10:00:00", id="time only"),
    pytest.param("2025-01-10T25:00", id="hour 25"),
    pytest.param("abc", id="letters"),
    pytest.param("2025-01-10T10:00-24:00", id="offset of minus a day"),
    pytest.param("2025-01-10T10:00+23:60", id="offset minute 60 makes a day"),
    pytest.param("٢٠٢٥-٠١-١٠", id="Arabic-Indic digits, date only"),
    pytest.param("2025-01-10\n", id="date only, trailing newline"),
    pytest.param("0000-01-01T00:00", id="year 0"),
    pytest.param("2025-1-5", id="one-digit month and day, no time"),
]


@pytest.mark.parametrize("text", REJECTED_DATETIMES)
def test_parse_datetime_rejects(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("1990-05-01", days(1990, 5, 1), id="YYYY-MM-DD"),
        pytest.param("05/01/1990", days(1990, 5, 1), id="MM/DD/YYYY is May 1"),
        pytest.param("5/1/1990", days(1990, 5, 1), id="M/D/YYYY"),
        pytest.param("02/29/2024", days(2024, 2, 29), id="leap day"),
    ],
)
def test_parse_date(text, value):
    assert parse_date(text) == value


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1990/01/05", id="YYYY/MM/DD"),
        pytest.param("1990-13-01", id="month 13"),
        pytest.param("13/01/1990", id="DD/MM/YYYY with day 13"),
        pytest.param("02/29/2023", id="not a leap year"),
        pytest.param("1990-05-01T00:00", id="date-time"),
        pytest.param("", id="empty"),
        pytest.param("May 1 1990", id="words"),
        pytest.param("05/01/90", id="two-digit year"),
    ],
)
def test_parse_date_rejects(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("moment", "value"),
    [
        pytest.param(datetime(2025, 1, 10, 10), TEN, id="naive is UTC"),
        pytest.param(datetime(2025, 1, 10, 10, tzinfo=UTC), TEN, id="UTC"),
        pytest.param(
            datetime(2025, 1, 10, 13, tzinfo=dt.timezone(timedelta(hours=3))), TEN, id="+03:00"
        ),
    ],
)
def test_to_micros(moment, value):
    assert to_micros(moment) == value


def test_to_days():
    assert to_days(date(1970, 1, 2)) == 1


# Each case is compared with Django 5.2 itself, accepted or not.
AGAINST_DJANGO = [
    *(pytest.param(p.values[0], id=f"parsed: {p.id}") for p in PARSED),
    *(pytest.param(p.values[0], id=f"rejected: {p.id}") for p in REJECTED_DATETIMES),
    *(pytest.param(p.values[1], id=f"formatted: {p.id}") for p in FORMATTED),
    pytest.param("2025-01-10T10:00:00+03:00:30", id="offset with seconds"),
    pytest.param("2025-01-10T10:00:00+03:00:30.5", id="offset with a fraction"),
    pytest.param("2025-01-10T10:00:00.123+0300", id="fraction then offset"),
    pytest.param("2025-01-10T10:00:00.1234567890123", id="13 fraction digits"),
    pytest.param("2025-01-10T10:00:00.123456789012+03", id="12 digits and an offset"),
    pytest.param("2025-01-10T10:00:00,5 +03", id="comma, space, offset"),
    pytest.param("2025-01-10T10:00:00z", id="lowercase z"),
    pytest.param("2025-01-10t10:00:00", id="lowercase t"),
    pytest.param("2025-01-10T10:00:00-0000", id="-0000"),
    pytest.param("2025-01-10T10:00+99:99", id="offset 99:99"),
    pytest.param("2025-01-10T1:0", id="one-digit hour and minute"),
    pytest.param("2025-01-10T10:00\n\n", id="two trailing newlines"),
    pytest.param("2025-01-10T10:00\r", id="trailing carriage return"),
    pytest.param("2025-01-10T10:00\u3000Z", id="ideographic space before Z"),
    pytest.param("２０２５-01-10T10:00", id="fullwidth digits"),
    pytest.param("2025-01-10T10:00:00\x00", id="NUL"),
    pytest.param("2025-W53-1T00:00", id="week 53 of a 52-week year"),
    pytest.param("2025-010T10:00", id="ordinal date"),
    pytest.param("2024-02-29T10:00", id="leap day"),
    pytest.param("0001-01-01T00:00", id="year 1"),
    pytest.param("0001-01-01T00:00-01:00", id="year 1, negative offset"),
    pytest.param("9999-12-31T23:59:59.999999+01:00", id="year 9999, positive offset"),
    pytest.param("+2025-01-10T10:00", id="signed year"),
    pytest.param("2025-01-10T10:00:00+03:00 ", id="trailing space"),
    pytest.param(" 2025-01-10T10:00", id="leading space"),
]


def django_micros(text: str) -> int | None:
    """What Django 5.2's parse_datetime makes of `text`, as UTC microseconds, None if rejected."""
    try:
        moment = dateparse.parse_datetime(text)
    except ValueError:  # Django's DateTimeField: "Enter a valid date/time."
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


@pytest.mark.parametrize("text", AGAINST_DJANGO)
def test_parse_datetime_matches_django(text):
    assert parse_datetime(text) == django_micros(text)


class IsoDateTimeField(forms.DateTimeField):
    """django-filter's field for IsoDateTimeFilter (django_filters/fields.py), which is not
    installed here: DateTimeField.to_python with ISO 8601 as its only input format."""

    input_formats = ("iso-8601",)

    def strptime(self, value, format):
        parsed = dateparse.parse_datetime(value)
        if parsed is None:
            raise ValueError
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


# An empty value is no filter at all (the callers skip it), not an invalid one.
@pytest.mark.parametrize("text", [p for p in AGAINST_DJANGO if p.values[0].strip()])
def test_parse_datetime_matches_the_filter_field(text):
    """The whole form path: the field strips the text, and naive values are UTC."""
    text = text.strip()  # as the callers do
    try:
        moment = IsoDateTimeField().to_python(text)
    except ValidationError:
        expected = None
    else:
        expected = (moment - EPOCH) // timedelta(microseconds=1)
    assert parse_datetime(text) == expected


def _mostly(
    usual: st.SearchStrategy[str], odd: st.SearchStrategy[str], weight: int = 9
) -> st.SearchStrategy[str]:
    """`usual` `weight` times for each `odd` one: most generated strings stay near-valid."""
    return st.sampled_from([usual] * weight + [odd]).flatmap(lambda strategy: strategy)


def _number(width: int, low: int, high: int, odd_high: int) -> st.SearchStrategy[str]:
    """A zero-padded number in range, or now and then one past it, unpadded or too wide."""
    return _mostly(
        st.integers(low, high).map(lambda n: str(n).zfill(width)),
        st.one_of(
            st.integers(0, odd_high).map(lambda n: str(n).zfill(width)),
            st.integers(0, 9).map(str),
            st.integers(0, 999).map(lambda n: str(n).zfill(width + 1)),
        ),
    )


def _join(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


def _choice(*options: str) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


_YEAR = _mostly(
    st.one_of(_choice("2025", "2024", "1970", "0001", "9999"), _number(4, 1, 9999, 9999)),
    _choice("0000", "202", "20250", "+2025", "-2025"),
)
_MONTH = _number(2, 1, 12, 99)
_DAY = _number(2, 1, 31, 99)
_DATE = st.one_of(
    _join(_YEAR, st.just("-"), _MONTH, st.just("-"), _DAY),
    _join(_YEAR, st.just("-"), _MONTH, st.just("-"), _DAY),
    _join(_YEAR, st.just("-"), _MONTH, st.just("-"), _DAY),
    _join(_YEAR, _MONTH, _DAY),  # basic format
    _join(_YEAR, _choice("-W"), _number(2, 1, 53, 99), _choice("-"), _number(1, 1, 7, 9)),
    _join(_YEAR, _choice("W"), _number(2, 1, 53, 99), _number(1, 1, 7, 9)),
    _join(_YEAR, _choice("-"), _number(3, 1, 366, 999)),  # ordinal date
)
_HOUR = _number(2, 0, 23, 99)
_SIXTY = _number(2, 0, 59, 99)
_FRACTION = _join(_choice(".", ","), st.integers(1, 14).map(lambda n: "123456789012345"[:n]))
_TIME = st.one_of(
    _HOUR,
    _join(_HOUR, st.just(":"), _SIXTY),
    _join(_HOUR, st.just(":"), _SIXTY),
    _join(_HOUR, st.just(":"), _SIXTY, st.just(":"), _SIXTY),
    _join(_HOUR, st.just(":"), _SIXTY, st.just(":"), _SIXTY, _FRACTION),
    _join(_HOUR, _SIXTY, _SIXTY, st.one_of(st.just(""), _FRACTION)),  # basic format
)
_ZONE = st.one_of(
    st.just(""),
    st.just(""),
    _choice("Z", "z", "+00:00", "-00:00", "-0000", "+24:00", "-24:00", "+23:59"),
    _join(_choice("+", "-"), _HOUR),
    _join(_choice("+", "-"), _HOUR, _SIXTY),
    _join(_choice("+", "-"), _HOUR, st.just(":"), _SIXTY),
    _join(_choice("+", "-"), _HOUR, st.just(":"), _SIXTY, st.just(":"), _SIXTY),
    _join(_choice("+", "-"), _HOUR, st.just(":"), _SIXTY, st.just(":"), _SIXTY, _FRACTION),
)
_DIGITS = {
    "ASCII": "0123456789",
    "Arabic-Indic": "٠١٢٣٤٥٦٧٨٩",
    "Devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
}
# Now and then every digit of the string is written in another script.
_SCRIPT = _mostly(
    st.just(_DIGITS["ASCII"]), st.sampled_from([_DIGITS[name] for name in sorted(_DIGITS)]), 3
)
_SHORT = _mostly(st.integers(0, 9).map(str), _number(2, 0, 59, 99), 1)  # one or two digits
# Shaped like Django's own pattern, which Python's fromisoformat does not always read.
_DJANGO_SHAPED = _join(
    _YEAR,
    st.just("-"),
    _SHORT,
    st.just("-"),
    _SHORT,
    _choice("T", " "),
    _SHORT,
    st.just(":"),
    _SHORT,
    st.one_of(st.just(""), _join(st.just(":"), _SHORT, st.one_of(st.just(""), _FRACTION))),
    _choice("", "", " ", "\n", "\u2003"),
    _ZONE,
    _choice("", "", "\n", "\n\n", "x"),
)
_DATETIMES = st.one_of(
    _join(
        _DATE,
        _mostly(_choice("T", " "), _choice("t", "", "_", "TT")),
        _TIME,
        _mostly(st.just(""), _choice(" ", "  ", "\t", "\n", "\u3000"), 4),
        _ZONE,
        _mostly(st.just(""), _choice("\n", "\n\n", "\r\n", " ", "x", "Z"), 4),
    ),
    _DJANGO_SHAPED,
    _join(_DATE, _mostly(st.just(""), _choice("\n", "T", " ", "Z", "+03:00"))),
).flatmap(
    lambda text: _SCRIPT.map(lambda digits: text.translate(str.maketrans("0123456789", digits)))
)


@hypothesis_settings(derandomize=True, database=None, max_examples=2000, deadline=None)
@given(_DATETIMES)
def test_parse_datetime_agrees_with_django_everywhere(text):
    assert parse_datetime(text) == django_micros(text)
