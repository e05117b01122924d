"""Date-times as integer microseconds since the epoch, and their text forms.

Records keep date-times as UTC microseconds so they sort and compare as integers. Out, they
read as DRF renders them: `2023-04-18T07:40:10Z`, microseconds only when non-zero. In, they
accept what django-filter accepts (see `parse_datetime`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DATE = date(1970, 1, 1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_MICROS = 1_000_000


def format_datetime(micros: int) -> str:
    """>>> format_datetime(1681803610000000)
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


# Django's DateTimeField accepts ISO 8601 with `T` or a space, optional seconds and
# fractions, `Z` or an offset, or a date alone (midnight).
_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{1,2}(?::\d{1,2}(?:[.,]\d{1,6}\d*)?)?)"
    r"\s*(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)


def parse_datetime(text: str) -> int | None:
    """Microseconds for an accepted ISO form, None for anything else.

    >>> parse_datetime("2025-01-10") == parse_datetime("2025-01-10T00:00:00Z")
    True
    """
    match = _DATETIME.match(text)
    if not match:
        return None
    try:
        day = date.fromisoformat(_pad_date(match["date"]))
        if match["time"] is None:
            return to_micros(datetime(day.year, day.month, day.day, tzinfo=UTC))
        hms, _, fraction = match["time"].replace(",", ".").partition(".")
        parts = [int(p) for p in hms.split(":")] + [0]
        hour, minute, second = parts[0], parts[1], parts[2]
        micro = int((fraction + "000000")[:6]) if fraction else 0
        moment = datetime(day.year, day.month, day.day, hour, minute, second, micro)
        zone = match["zone"]
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
            if offset >= timedelta(hours=24):
                return None
            moment = moment.replace(tzinfo=UTC) - sign * offset
        return to_micros(moment)
    except (ValueError, OverflowError):
        return None


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
