"""paginate, window and their links: DRF's PageNumberPagination and LimitOffsetPagination."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest

from mockserver.engine import pagination
from mockserver.engine.handlers import list_records
from mockserver.engine.pagination import Page, links, paginate
from mockserver.errors import ApiError

PAGES = [
    # rows, page text, limit -> page number, rows of the page, number of pages
    pytest.param(10, None, 3, 1, [0, 1, 2], 4, id="no page is page 1"),
    pytest.param(10, "", 3, 1, [0, 1, 2], 4, id="empty page= is page 1"),
    pytest.param(10, "1", 3, 1, [0, 1, 2], 4, id="page 1"),
    pytest.param(10, "2", 3, 2, [3, 4, 5], 4, id="page 2"),
    pytest.param(10, "4", 3, 4, [9], 4, id="short last page"),
    pytest.param(10, "last", 3, 4, [9], 4, id="page=last"),
    pytest.param(9, "last", 3, 3, [6, 7, 8], 3, id="page=last full"),
    pytest.param(9, "3", 3, 3, [6, 7, 8], 3, id="exact multiple"),
    pytest.param(5, "1", 20, 1, [0, 1, 2, 3, 4], 1, id="one page"),
    pytest.param(100, "5", 20, 5, list(range(80, 100)), 5, id="page 5 of 5"),
    pytest.param(0, None, 20, 1, [], 1, id="count 0: page 1 is empty"),
    pytest.param(0, "1", 20, 1, [], 1, id="count 0: page=1"),
    pytest.param(0, "last", 20, 1, [], 1, id="count 0: page=last"),
    pytest.param(0, "", 20, 1, [], 1, id="count 0: page="),
]


@pytest.mark.parametrize(("count", "text", "limit", "number", "rows", "num_pages"), PAGES)
def test_paginate(count, text, limit, number, rows, num_pages):
    page = paginate(np.arange(count, dtype=np.int64), text, limit)
    assert (page.number, page.rows.tolist(), page.count, page.num_pages) == (
        number,
        rows,
        count,
        num_pages,
    )


INVALID = [
    pytest.param(10, "0", 3, id="page 0"),
    pytest.param(10, "-1", 3, id="page -1"),
    pytest.param(10, "1.5", 3, id="page 1.5"),
    pytest.param(10, "abc", 3, id="page abc"),
    pytest.param(10, "5", 3, id="past the end"),
    pytest.param(9, "4", 3, id="past an exact multiple"),
    pytest.param(10, "99999999999999999999999", 3, id="huge"),
    pytest.param(10, "LAST", 3, id="LAST is not last"),
    pytest.param(10, "1e1", 3, id="1e1"),
    pytest.param(0, "2", 20, id="page 2 of nothing"),
    pytest.param(0, "0", 20, id="page 0 of nothing"),
]


@pytest.mark.parametrize(("count", "text", "limit"), INVALID)
def test_invalid_page(count, text, limit):
    with pytest.raises(ApiError) as caught:
        paginate(np.arange(count, dtype=np.int64), text, limit)
    assert (caught.value.status, caught.value.body) == (404, {"detail": "Invalid page."})


LINKS = [
    # request URL, page number, pages -> next, previous
    pytest.param(
        "http://host/users/?limit=3&page=2&email_allowed=false",
        2,
        5,
        "http://host/users/?email_allowed=false&limit=3&page=3",
        "http://host/users/?email_allowed=false&limit=3",
        id="REAL_API example",
    ),
    pytest.param(
        "http://host/users/?page=2",
        2,
        3,
        "http://host/users/?page=3",
        "http://host/users/",
        id="previous page 1 drops page",
    ),
    pytest.param(
        "http://host/users/",
        1,
        3,
        "http://host/users/?page=2",
        None,
        id="first page",
    ),
    pytest.param("http://host/users/?limit=3", 1, 1, None, None, id="only page"),
    pytest.param(
        "http://host/users/?page=3",
        3,
        3,
        None,
        "http://host/users/?page=2",
        id="last page",
    ),
    pytest.param(
        "http://host/users/?page=last&limit=3",
        4,
        4,
        None,
        "http://host/users/?limit=3&page=3",
        id="page=last replaced",
    ),
    pytest.param(
        "http://host/users/?sort=gender,-id&page=2",
        2,
        3,
        "http://host/users/?page=3&sort=gender%2C-id",
        "http://host/users/?sort=gender%2C-id",
        id="comma as %2C",
    ),
    pytest.param(
        "http://host/users/?sort=gender%2C-id",
        1,
        2,
        "http://host/users/?page=2&sort=gender%2C-id",
        None,
        id="encoded comma stays %2C",
    ),
    pytest.param(
        "http://host/users/?first_name=Ay%C5%9Fe%20Nur",
        1,
        2,
        "http://host/users/?first_name=Ay%C5%9Fe+Nur&page=2",
        None,
        id="space as +",
    ),
    pytest.param(
        "http://host/users/?first_name=Ayse+Nur&page=2",
        2,
        3,
        "http://host/users/?first_name=Ayse+Nur&page=3",
        "http://host/users/?first_name=Ayse+Nur",
        id="plus stays +",
    ),
    pytest.param(
        "http://host/users/?email=&page=2",
        2,
        3,
        "http://host/users/?email=&page=3",
        "http://host/users/?email=",
        id="blank values kept",
    ),
    pytest.param(
        "http://host/users/?groups=2&groups=1&is_active=true",
        1,
        2,
        "http://host/users/?groups=2&groups=1&is_active=true&page=2",
        None,
        id="repeated values kept in order",
    ),
    pytest.param(
        "http://host/users/?modified_date__gt=2025-01-10T10:00:00%2B03:00",
        1,
        2,
        "http://host/users/?modified_date__gt=2025-01-10T10%3A00%3A00%2B03%3A00&page=2",
        None,
        id="plus sign and colons encoded",
    ),
    pytest.param(
        "http://127.0.0.1:8000/api/users/?limit=3&page=1",
        1,
        2,
        "http://127.0.0.1:8000/api/users/?limit=3&page=2",
        None,
        id="port and base path",
    ),
]


@pytest.mark.parametrize(("url", "number", "num_pages", "next_url", "previous"), LINKS)
def test_links(url, number, num_pages, next_url, previous):
    page = Page(np.arange(0, dtype=np.int64), number, num_pages * 3, num_pages)
    assert links(url, page) == (next_url, previous)


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_list_users_real_api_example(parse, served, records, strict):
    """The REAL_API example end to end through parse_query, the engine and the handler."""
    url = "http://host/users/?limit=3&page=2&email_allowed=false"
    body = json.loads(list_records(served(strict), parse(urlsplit(url).query, strict), url))
    matching = [r for r in records if r["email_allowed"] is False]
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == len(matching)
    assert body["next"] == "http://host/users/?email_allowed=false&limit=3&page=3"
    assert body["previous"] == "http://host/users/?email_allowed=false&limit=3"
    assert body["results"] == matching[3:6]


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lenient"])
def test_list_users_nothing_matches(parse, served, strict):
    url = "http://host/users/?username=nobody"
    body = json.loads(list_records(served(strict), parse(urlsplit(url).query, strict), url))
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    with pytest.raises(ApiError) as caught:
        list_records(served(strict), parse("username=nobody&page=2", strict), url + "&page=2")
    assert (caught.value.status, caught.value.body) == (404, {"detail": "Invalid page."})


@pytest.mark.parametrize(
    ("query", "status"),
    [
        pytest.param("page=0", 404, id="page 0"),
        pytest.param("page=-1", 404, id="page -1"),
        pytest.param("page=1.5", 404, id="page 1.5"),
        pytest.param("page=abc", 404, id="page abc"),
        pytest.param("page=99", 404, id="past the end"),
        pytest.param("page=", 200, id="empty page"),
        pytest.param("page=last", 200, id="last"),
    ],
)
def test_list_users_lenient_pages(parse, served, records, query, status):
    """Lenient mode: the page text reaches paginate untouched and fails there with 404."""
    url = f"http://host/users/?{query}&limit=100"
    parsed = parse(parse_qsl(urlsplit(url).query, keep_blank_values=True), False)
    try:
        body = json.loads(list_records(served(False), parsed, url))
    except ApiError as exc:
        assert (exc.status, exc.body) == (status, {"detail": "Invalid page."})
        return
    assert status == 200
    assert body["count"] == len(records)
    assert body["results"][0]["id"] == (1 if query == "page=" else 201)


# -- LimitOffsetPagination ----------------------------------------------------------------------

WINDOWS = [
    pytest.param(12, 0, 5, [0, 1, 2, 3, 4], id="first window"),
    pytest.param(12, 10, 5, [10, 11], id="the last, short"),
    pytest.param(12, 12, 5, [], id="at the end: empty"),
    pytest.param(12, 99, 5, [], id="past the end: empty, no error"),
    pytest.param(0, 0, 5, [], id="nothing at all"),
]


@pytest.mark.parametrize(("count", "offset", "limit", "rows"), WINDOWS)
def test_window(count, offset, limit, rows):
    assert pagination.window(np.arange(count), offset, limit).tolist() == rows


OFFSET_LINKS = [
    pytest.param("http://h/b/?limit=5", 12, 0, 5, "http://h/b/?limit=5&offset=5", None, id="first"),
    pytest.param(
        "http://h/b/?offset=5&limit=5&q=x",
        12,
        5,
        5,
        "http://h/b/?limit=5&offset=10&q=x",
        "http://h/b/?limit=5&q=x",
        id="second: previous drops the offset",
    ),
    pytest.param(
        "http://h/b/?offset=10",
        12,
        10,
        5,
        None,
        "http://h/b/?limit=5&offset=5",
        id="last: the default limit is written",
    ),
    pytest.param(
        "http://h/b/?offset=3&limit=5",
        12,
        3,
        5,
        "http://h/b/?limit=5&offset=8",
        "http://h/b/?limit=5",
        id="an offset below the limit",
    ),
    pytest.param("http://h/b/", 0, 0, 5, None, None, id="nothing"),
]


@pytest.mark.parametrize(("url", "count", "offset", "limit", "next_url", "previous"), OFFSET_LINKS)
def test_offset_links(url, count, offset, limit, next_url, previous):
    assert pagination.offset_links(url, count, offset, limit) == (next_url, previous)
