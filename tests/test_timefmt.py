"""timefmt: date-times as UTC microseconds, rendered as DRF renders them and parsed as
django-filter parses them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mockserver.timefmt import (
    format_date,
    format_datetime,
    parse_date,
    parse_datetime,
    to_days,
    to_micros,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    pytest.param("2025-1-5", micros(2025, 1, 5), id="one-digit month and day"),
    pytest.param("2025-01-10T10:00:00.5Z", TEN + 500_000, id=".5"),
    pytest.param("2025-01-10T10:00:00,25Z", TEN + 250_000, id="comma"),
    pytest.param("2025-01-10T10:00:00.1234567Z", TEN + 123_456, id="7 digits truncated"),
    pytest.param("2025-01-11T00:30:00+14:00", TEN + 30 * 60 * 10**6, id="+14:00"),
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
    pytest.param("9999-12-31T23:59:59-01:00", id="beyond year 9999"),
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
            datetime(2025, 1, 10, 13, tzinfo=timezone(timedelta(hours=3))), TEN, id="+03:00"
        ),
    ],
)
def test_to_micros(moment, value):
    assert to_micros(moment) == value


def test_to_days():
    assert to_days(date(1970, 1, 2)) == 1
