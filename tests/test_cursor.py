"""CursorPagination's pages and links, over rows ordered by a date-time, newest first."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from mockserver.contract.timefmt import parse_datetime
from mockserver.engine import cursor
from mockserver.errors import ApiError

URL = "http://testserver/reviews/"
# Seven rows; rows 2 and 3 share a moment, as nearly-unique timestamps may.
MOMENTS = [
    "2024-05-01 10:00:00+00:00",
    "2024-05-02 10:00:00+00:00",
    "2024-05-03 10:00:00+00:00",
    "2024-05-03 10:00:00+00:00",
    "2024-05-04 10:00:00+00:00",
    "2024-05-05 10:00:00+00:00",
    "2024-05-06 10:00:00+00:00",
]
KEYS = np.array([parse_datetime(m) for m in MOMENTS], dtype=np.int64)
NEWEST_FIRST = np.argsort(-KEYS, kind="stable")


def _page(encoded: str | None, size: int = 3) -> cursor.Page:
    def key(text: str) -> int:
        found = parse_datetime(text)
        if found is None:
            raise ValueError(text)
        return found

    return cursor.paginate(
        NEWEST_FIRST, True, KEYS, key, lambda row: MOMENTS[row], encoded, size, URL
    )


def _cursor_of(link: str | None) -> str | None:
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


def test_walking_next_shows_every_row_once_in_order():
    seen, encoded = [], None
    for _ in range(10):
        page = _page(encoded)
        seen += page.rows.tolist()
        encoded = _cursor_of(page.next)
        if encoded is None:
            break
    assert seen == NEWEST_FIRST.tolist()


def test_walking_previous_back_from_the_last_page():
    pages, encoded = [], None
    while True:
        page = _page(encoded)
        pages.append(page.rows.tolist())
        if page.next is None:
            break
        encoded = _cursor_of(page.next)
    back = _page(_cursor_of(_page(encoded).previous))
    assert back.rows.tolist() == pages[-2]


def test_first_page_has_no_previous():
    assert _page(None).previous is None


def test_characters_outside_base64_are_skipped_as_python_and_drf_do():
    assert _page("%%%").rows.tolist() == _page(None).rows.tolist()


def test_next_link_is_drf_encoding_of_the_position():
    page = _page(None)
    assert page.rows.tolist() == [6, 5, 4]
    assert cursor.decode(_cursor_of(page.next)) == cursor.Cursor(
        0, False, "2024-05-04 10:00:00+00:00"
    )


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("abc", id="base64 without its padding"),
        pytest.param("é", id="not ASCII"),
        pytest.param("bz0teA==", id="o=-x"),
        pytest.param("bz0tMQ==", id="o=-1"),
        pytest.param("cj14", id="r=x"),
    ],
)
def test_a_bad_cursor_is_404_invalid_cursor(encoded):
    with pytest.raises(ApiError) as caught:
        _page(encoded)
    assert (caught.value.status, caught.value.body) == (404, {"detail": "Invalid cursor"})


def test_an_offset_past_the_cutoff_is_the_cutoff():
    assert cursor.decode(cursor.encode(cursor.Cursor(5000, False, None))).offset == 1000
