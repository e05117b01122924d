"""Date-times as integer microseconds since the epoch, and their text forms.

Records keep date-times as UTC microseconds so they sort and compare as integers. Out, they
read as DRF renders them: `2023-04-18T07:40:10Z`, microseconds only when non-zero. In, they
accept what django-filter accepts on Django 5.2 (see `parse_datetime`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DATE = date(1970, 1, 1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_MICROS = 1_000_000


def format_datetime(micros: int) -> str:
    """DRF's text for `micros`.

    >>> format_datetime(1681803610000000)
    '2023-04-18T07:40:10Z'
    """
    # isoformat() leaves out a zero microsecond part, as DRF's output does.
    return (_EPOCH_NAIVE + timedelta(microseconds=micros)).isoformat() + "Z"


def format_date(days: int) -> str:
    return (EPOCH_DATE + timedelta(days=days)).isoformat()


def format_datetimes(micros: np.ndarray, null: np.ndarray) -> list[str | None]:
    """`format_datetime` over a column at once; None where `null`."""
    safe = np.where(null, 0, micros)
    moments = safe.astype("datetime64[us]")
    full = np.datetime_as_string(moments, unit="us")
    whole = np.datetime_as_string(moments, unit="s")
    text = np.char.add(np.where(safe % 1_000_000 == 0, whole, full), "Z").tolist()
    return _with_nulls(text, null)


def format_dates(days: np.ndarray, null: np.ndarray) -> list[str | None]:
    text = np.datetime_as_string(np.where(null, 0, days).astype("datetime64[D]")).tolist()
    return _with_nulls(text, null)


def _with_nulls(values: list, null: np.ndarray) -> list:
    for row in np.flatnonzero(null).tolist():
        values[row] = None
    return values


def to_micros(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # django: no zone means the server's zone, UTC
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * _MICROS + delta.microseconds


def to_days(day: date) -> int:
    return (day - EPOCH_DATE).days


# Django 5.2's `parse_datetime` (django/utils/dateparse.py), which django-filter's
# IsoDateTimeFilter reaches through DateTimeField.to_python (django/forms/fields.py) on the
# stripped text: Python's own `datetime.fromisoformat` first (so whatever the running Python
# reads: `20250110T000000`, `2025-01-10T10`, `2025-W02-5T10:00`, a date alone as midnight),
# and only if that raises ValueError, Django's `datetime_re`. The pattern is compiled without
# re.ASCII, so `\d` is any Unicode digit (int() reads them all), `\s` any Unicode space, and
# `$` also matches before a final newline. A ValueError while building the value (month 13,
# hour 24, an offset of 24 hours or more) is Django's "Enter a valid date/time."; nothing in
# either path raises OverflowError for a string. An aware value keeps its offset, so year 1
# or 9999 with an offset is accepted and lands just outside those years in UTC.
_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_datetime(text: str) -> int | None:
    """Microseconds for a date-time Django accepts, None for one it rejects.

    >>> parse_datetime("2025-01-10") == parse_datetime("2025-01-10T00:00:00Z")
    True
    >>> parse_datetime("2025-01-10T13+03") == parse_datetime("2025-01-10 10:00:00.000Z")
    True
    >>> parse_datetime("2025-01-10T10:00+24:00") is None
    True
    """
    try:
        moment = _parse_datetime(text)
    except ValueError:
        return None
    return None if moment is None else to_micros(moment)


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        match = _DATETIME.match(text)
        if not match:
            return None
    parts = match.groupdict()
    zone_text = parts.pop("tzinfo")
    if parts["microsecond"]:
        parts["microsecond"] = parts["microsecond"].ljust(6, "0")
    zone = None
    if zone_text == "Z":
        zone = UTC
    elif zone_text is not None:
        minutes = 60 * int(zone_text[1:3]) + (int(zone_text[-2:]) if len(zone_text) > 3 else 0)
        zone = timezone(timedelta(minutes=-minutes if zone_text[0] == "-" else minutes))
    return datetime(**{k: int(v) for k, v in parts.items() if v is not None}, tzinfo=zone)


def _pad_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{year}-{int(month):02d}-{int(day):02d}"


_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> int | None:
    """Days for `YYYY-MM-DD` or `MM/DD/YYYY` (Django's DATE_INPUT_FORMATS), else None.

    >>> parse_date("05/01/1990") == parse_date("1990-05-01")
    True
    """
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):  # strptime's %m and %d: 1 or 2 digits
            return to_days(date.fromisoformat(_pad_date(text)))
        match = _US_DATE.match(text)
        if match:
            month, day, year = (int(g) for g in match.groups())
            return to_days(date(year, month, day))
    except (ValueError, OverflowError):
        return None
    return None
