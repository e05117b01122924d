"""DRF's CursorPagination over ordered rows: its pages, and its opaque, stable links.

A cursor is DRF's: base64 (RFC 4648) of a query string with `o` (an offset), `r` (reverse)
and `p` (the position: `str()` of the first ordering field of the record at the page's
edge, as the model instance gives it). A page holds the records after (or, reversed,
before) that position, skipping `o` of them; `next` and `previous` are built by DRF's own
rules (`get_next_link`, `get_previous_link`), so a client walking the links sees every
record once, and the mock's links are the real service's, byte for byte.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

import numpy as np

from mockserver.engine.pagination import _with
from mockserver.errors import ApiError

INVALID_CURSOR = "Invalid cursor"  # CursorPagination.invalid_cursor_message: no full stop
OFFSET_CUTOFF = 1000  # CursorPagination.offset_cutoff


class Cursor(NamedTuple):
    offset: int
    reverse: bool
    position: str | None


def decode(encoded: str | None) -> Cursor | None:
    """CursorPagination.decode_cursor: anything that does not decode is 404 "Invalid cursor".

    >>> decode(encode(Cursor(3, True, "2024-05-04 10:00:00+00:00")))
    Cursor(offset=3, reverse=True, position='2024-05-04 10:00:00+00:00')
    >>> decode(None) is None
    True
    """
    if encoded is None:
        return None
    try:
        text = base64.b64decode(encoded.encode("ascii")).decode("ascii")
        tokens = parse_qs(text, keep_blank_values=True)
        offset = int(tokens.get("o", ["0"])[0])  # DRF's _positive_int: not below 0
        if offset < 0:
            raise ValueError(offset)
        reverse = bool(int(tokens.get("r", ["0"])[0]))
    except (ValueError, UnicodeError, binascii.Error):
        raise ApiError.detail(404, INVALID_CURSOR) from None
    return Cursor(min(offset, OFFSET_CUTOFF), reverse, tokens.get("p", [None])[0])


def encode(cursor: Cursor) -> str:
    """CursorPagination.encode_cursor's value: `o`, `r` and `p` only where they say
    something."""
    tokens = {}
    if cursor.offset != 0:
        tokens["o"] = str(cursor.offset)
    if cursor.reverse:
        tokens["r"] = "1"
    if cursor.position is not None:
        tokens["p"] = cursor.position
    return base64.b64encode(urlencode(tokens, doseq=True).encode("ascii")).decode("ascii")


class Page(NamedTuple):
    rows: np.ndarray
    next: str | None
    previous: str | None


def paginate(
    ordered: np.ndarray,
    descending: bool,
    keys: np.ndarray,
    position_key: Callable[[str], object],
    position_of: Callable[[int], str],
    encoded: str | None,
    size: int,
    url: str,
) -> Page:
    """CursorPagination.paginate_queryset and its links.

    `ordered`: the rows in the list's ordering; `descending`: whether its first term is;
    `keys[row]`: that term's value, comparable with `position_key(text)`, the value a
    cursor's position text stands for; `position_of(row)`: the position text of a row.
    """
    cursor = decode(encoded)
    offset, reverse, current = cursor if cursor is not None else (0, False, None)
    rows = ordered[::-1] if reverse else ordered
    if current is not None:
        try:
            key = position_key(current)
        except ValueError:
            raise ApiError.detail(404, INVALID_CURSOR) from None
        column = keys[rows]
        # (cursor reversed) XOR (ordering descending): the rows before the position.
        rows = rows[column < key] if reverse != descending else rows[column > key]
    results = rows[offset : offset + size + 1]
    page = results[:size]
    following = position_of(int(results[-1])) if len(results) > len(page) else None
    if reverse:
        page = page[::-1]
        has_next, has_previous = (current is not None or offset > 0), following is not None
        next_position, previous_position = current, following
    else:
        has_next, has_previous = following is not None, (current is not None or offset > 0)
        next_position, previous_position = following, current
    state = _State(page, cursor, size, has_next, has_previous, next_position, previous_position)
    next_cursor = _next(state, position_of) if has_next else None
    previous = _previous(state, position_of) if has_previous else None
    return Page(
        page,
        _link(url, next_cursor) if next_cursor else None,
        _link(url, previous) if previous else None,
    )


class _State(NamedTuple):
    page: np.ndarray
    cursor: Cursor | None
    size: int
    has_next: bool
    has_previous: bool
    next_position: str | None
    previous_position: str | None


def _next(s: _State, position_of) -> Cursor:
    """CursorPagination.get_next_link's cursor: from the page's end, forwards."""
    return _edge(s, position_of, forward=True)


def _previous(s: _State, position_of) -> Cursor:
    """CursorPagination.get_previous_link's cursor: from the page's start, backwards."""
    return _edge(s, position_of, forward=False)


def _edge(s: _State, position_of, forward: bool) -> Cursor:
    """DRF's two link rules, one the other's mirror: the position of the last row (first,
    backwards) that differs from the one after it, and how many rows share it; a page whose
    rows all share one position moves by an offset instead."""
    page = [int(r) for r in s.page]
    rows = list(reversed(page)) if forward else page
    # Leaving a cursor that went the other way: the page's own edge is the marker.
    turning = s.cursor is not None and s.cursor.reverse == forward and s.cursor.offset != 0
    own, other = (
        (s.next_position, s.previous_position)
        if forward
        else (s.previous_position, s.next_position)
    )
    ahead = s.has_previous if forward else s.has_next  # the way back has a page
    compare = position_of(rows[0]) if page and turning else own
    offset, unique, position = 0, False, None
    for row in rows:
        position = position_of(row)
        if position != compare:
            unique = True
            break
        compare = position
        offset += 1  # noqa: SIM113 (DRF's loop, kept in its shape to be checked against it)
    if page and not unique:
        if not ahead:
            offset, position = s.size, None
        elif s.cursor.reverse == forward:
            offset, position = 0, other
        else:
            offset, position = s.cursor.offset + s.size, other
    if not page:
        position = own
    return Cursor(offset, not forward, position)


def _link(url: str, cursor: Cursor) -> str:
    return _with(url, (("cursor", encode(cursor)),))
