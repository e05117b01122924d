"""DRF's PageNumberPagination and LimitOffsetPagination: which rows a page holds, and its
`next` / `previous` links (CursorPagination is mockserver/engine/cursor.py)."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from mockserver.errors import ApiError

INVALID_PAGE = "Invalid page."


@dataclass(frozen=True)
class Page:
    rows: np.ndarray
    number: int
    count: int
    num_pages: int


def paginate(rows: np.ndarray, page: str | None, limit: int) -> Page:
    """Django's Paginator with allow_empty_first_page: page 1 of nothing is an empty page.

    `page` is the raw text: empty means 1, `last` the last page; anything that is not a
    page number in range is 404 "Invalid page.".
    """
    count = len(rows)
    num_pages = max(1, math.ceil(count / limit))
    if not page:
        number = 1
    elif page == "last":
        number = num_pages
    else:
        try:
            number = int(page)
        except ValueError:
            raise ApiError.detail(404, INVALID_PAGE) from None
    if not 1 <= number <= num_pages:
        raise ApiError.detail(404, INVALID_PAGE)
    start = (number - 1) * limit
    return Page(rows[start : start + limit], number, count, num_pages)


def links(url: str, page: Page) -> tuple[str | None, str | None]:
    """next and previous: the request URL with `page` replaced, parameters sorted by name,
    and `page` removed when pointing at page 1 (DRF's replace/remove_query_param)."""
    next_url = None
    if page.number < page.num_pages:
        next_url = _with(url, (("page", str(page.number + 1)),))
    previous = None
    if page.number > 1:
        back = str(page.number - 1) if page.number > 2 else None
        previous = _with(url, (("page", back),))
    return next_url, previous


# -- LimitOffsetPagination ------------------------------------------------------------------


def window(rows: np.ndarray, offset: int, limit: int) -> np.ndarray:
    """LimitOffsetPagination.paginate_queryset: `limit` rows from `offset`; past the end is
    an empty page, never an error."""
    if not len(rows) or offset > len(rows):
        return rows[:0]
    return rows[offset : offset + limit]


def offset_links(url: str, count: int, offset: int, limit: int) -> tuple[str | None, str | None]:
    """LimitOffsetPagination's next and previous: both carry `limit`; `offset` moves by it,
    and is removed where the previous page starts at 0.

    >>> offset_links("http://h/p/?limit=5", 12, 5, 5)
    ('http://h/p/?limit=5&offset=10', 'http://h/p/?limit=5')
    >>> offset_links("http://h/p/", 3, 0, 20)
    (None, None)
    """
    next_url = None
    if offset + limit < count:
        next_url = _with(url, (("limit", str(limit)), ("offset", str(offset + limit))))
    previous = None
    if offset > 0:
        if offset - limit <= 0:
            previous = _with(url, (("limit", str(limit)), ("offset", None)))
        else:
            previous = _with(url, (("limit", str(limit)), ("offset", str(offset - limit))))
    return next_url, previous


@functools.lru_cache(maxsize=4096)  # a pure function of text; clients repeat their queries
def _with(url: str, changes: tuple[tuple[str, str | None], ...]) -> str:
    """DRF's replace_query_param / remove_query_param, applied in order: parameters sorted
    by name, each value given once (None removes it)."""
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = parse_qs(query, keep_blank_values=True)
    for name, value in changes:
        params.pop(name, None)
        if value is not None:
            params[name] = [value]
    return urlunsplit(
        (scheme, netloc, path, urlencode(sorted(params.items()), doseq=True), fragment)
    )
