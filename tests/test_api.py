"""The HTTP API end to end through the app's test client, with Connexion's response validation
on, so every answer below was also checked against openapi/users.yaml.

Expected statuses, bodies and headers are those of ../shared/reference/REAL_API.md, and the
strict-mode additions of the architecture brief.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import numpy as np
import orjson
import pytest
from helpers_api import (
    ALLOW,
    AUTH,
    CUSTOMER_KEY,
    INACTIVE_KEY,
    ROOT,
    STAFF_KEY,
    cli_env,
    make_client,
    make_state,
    raw_get,
)

from mockserver.engine import params
from mockserver.engine.store import Dataset

USERS = 200
NO_MATCH = {"detail": "No User matches the given query."}
NOT_FOUND = {"detail": "Not found."}
INVALID_PAGE = {"detail": "Invalid page."}
NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
PAGE_MESSAGE = 'Enter a page number from 1, or "last".'
DATETIME_FIELDS = ("date_joined", "last_login", "modified_date")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
DATE = re.compile(r"\d{4}-\d\d-\d\d")


@pytest.fixture(scope="module")
def client():
    return make_client(make_state(users=USERS, validate_responses=True))


@pytest.fixture(scope="module")
def lenient():
    return make_client(make_state(users=USERS, validate_responses=True, lenient=True))


def get(client, url, headers=None, **kwargs):
    return client.get(url, headers=AUTH if headers is None else headers, **kwargs)


def ids_of(response) -> list[int]:
    return [user["id"] for user in response.json()["results"]]


def all_users(client, url="/users/?limit=100") -> list[dict]:
    """Every record, following `next` until it is null."""
    users = []
    while url:
        body = get(client, url).json()
        users += body["results"]
        url = body["next"]
    return users


# -- authentication -------------------------------------------------------------------------

AUTH_CASES = [
    ("missing", None, NOT_PROVIDED),
    ("other scheme", "Bearer x", NOT_PROVIDED),
    ("keyword alone", "Token", {"detail": "Invalid token header. No credentials provided."}),
    (
        "two words",
        "Token a b",
        {"detail": "Invalid token header. Token string should not contain spaces."},
    ),
    ("unknown key", "Token " + "0" * 40, {"detail": "Invalid token."}),
    ("inactive user", "Token " + INACTIVE_KEY, {"detail": "User inactive or deleted."}),
]
# 401 comes before anything the request asks for: bad parameters, unknown ids, methods.
AUTH_TARGETS = [
    "/users/",
    "/users/?id=abc&limit=0&page=zz&nope=1",
    "/users/4/",
    "/users/999999/",
    "/users/abc/",
    "/users/4/?id=abc",
]


@pytest.mark.parametrize("target", AUTH_TARGETS)
@pytest.mark.parametrize(
    ("header", "body"),
    [(header, body) for _, header, body in AUTH_CASES],
    ids=[name for name, _, _ in AUTH_CASES],
)
def test_unauthenticated_requests_get_401_first(client, target, header, body):
    headers = {} if header is None else {"Authorization": header}
    response = client.get(target, headers=headers)
    assert response.status_code == 401
    assert response.json() == body
    assert response.headers["www-authenticate"] == "Token"
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_401_comes_before_405(client, method):
    response = client.request(method, "/users/")
    assert response.status_code == 401
    assert response.json() == NOT_PROVIDED
    assert response.headers["www-authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    [f"Token {STAFF_KEY}", f"token {STAFF_KEY}", f"  Token   {STAFF_KEY}  ", f"TOKEN {STAFF_KEY}"],
    ids=["Token", "lower case", "extra whitespace", "upper case"],
)
def test_token_keyword_is_case_insensitive_and_whitespace_split(client, header):
    response = client.get("/users/4/", headers={"Authorization": header})
    assert response.status_code == 200
    assert "www-authenticate" not in response.headers


def test_raw_header_with_surrounding_whitespace_authenticates(client):
    status, _, body = raw_get(
        client.app, b"/users/4/", {"Authorization": f"  Token   {STAFF_KEY}  "}
    )
    assert status == 200
    assert json.loads(body)["id"] == 4


def test_customer_key_authenticates(client):
    response = client.get("/users/", headers={"Authorization": f"Token {CUSTOMER_KEY}"})
    assert response.status_code == 200


# -- list envelope, pagination --------------------------------------------------------------


def test_list_envelope_keys_in_order(client):
    response = get(client, "/users/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == USERS
    assert body["previous"] is None
    assert body["next"] == "http://testserver/users/?page=2"


def test_default_page_size_is_20_and_ascending_id(client):
    assert ids_of(get(client, "/users/")) == list(range(1, 21))


def test_limit_100_is_the_largest_page(client):
    assert ids_of(get(client, "/users/?limit=100")) == list(range(1, 101))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=101", "Ensure this value is less than or equal to 100."),
        ("limit=0", "Ensure this value is greater than or equal to 1."),
        ("limit=-1", "Ensure this value is greater than or equal to 1."),
        ("limit=abc", params.VALID_INTEGER),
        ("limit=2.5", params.VALID_INTEGER),
    ],
    ids=["above max", "zero", "negative", "text", "decimal"],
)
def test_strict_limit_out_of_schema_is_400(client, query, message):
    response = get(client, f"/users/?{query}")
    assert response.status_code == 400
    assert response.json() == {"limit": [message]}


@pytest.mark.parametrize(
    ("query", "size"),
    [
        ("limit=101", 100),
        ("limit=100000", 100),
        ("limit=0", 20),
        ("limit=-1", 20),
        ("limit=abc", 20),
        ("limit=2.5", 20),
        ("limit=7", 7),
    ],
    ids=["101 clamped", "huge clamped", "zero", "negative", "text", "decimal", "seven"],
)
def test_lenient_limit_clamps_and_falls_back(lenient, query, size):
    response = get(lenient, f"/users/?{query}")
    assert response.status_code == 200
    assert ids_of(response) == list(range(1, size + 1))


def test_links_keep_other_parameters_sorted_and_drop_page_1(client):
    """REAL_API.md's own example."""
    body = get(client, "/users/?limit=3&page=2&email_allowed=false").json()
    assert body["next"] == "http://testserver/users/?email_allowed=false&limit=3&page=3"
    assert body["previous"] == "http://testserver/users/?email_allowed=false&limit=3"


def test_links_use_the_request_host(client):
    headers = {**AUTH, "Host": "api.example.com:8080"}
    body = get(client, "/users/?limit=3&page=2", headers=headers).json()
    assert body["next"] == "http://api.example.com:8080/users/?limit=3&page=3"
    assert body["previous"] == "http://api.example.com:8080/users/?limit=3"


def test_links_encode_commas_and_spaces(client):
    body = get(client, "/users/?sort=%20-id,gender&limit=5").json()
    assert body["next"] == "http://testserver/users/?limit=5&page=2&sort=+-id%2Cgender"


def test_page_last_is_the_last_page(client):
    response = get(client, "/users/?page=last")
    assert response.status_code == 200
    body = response.json()
    assert [u["id"] for u in body["results"]] == list(range(181, 201))
    assert body["next"] is None
    assert body["previous"] == "http://testserver/users/?page=9"


def test_page_2_previous_has_no_page(client):
    body = get(client, "/users/?page=2").json()
    assert body["previous"] == "http://testserver/users/"
    assert body["next"] == "http://testserver/users/?page=3"


@pytest.mark.parametrize("query", ["page=11", "page=99999999999999999999999", "limit=100&page=3"])
def test_page_past_the_last_is_404(client, query):
    response = get(client, f"/users/?{query}")
    assert response.status_code == 404
    assert response.json() == INVALID_PAGE


def test_no_match_is_an_empty_first_page(client):
    response = get(client, "/users/?username=nobody-has-this")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert get(client, "/users/?username=nobody-has-this&page=2").json() == INVALID_PAGE


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "abc", ""])
def test_lenient_schema_invalid_page(lenient, page):
    response = get(lenient, f"/users/?page={page}")
    if page == "":  # an empty page is page 1
        assert response.status_code == 200
        assert ids_of(response) == list(range(1, 21))
    else:
        assert response.status_code == 404
        assert response.json() == INVALID_PAGE


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "abc", ""])
def test_strict_schema_invalid_page_is_400(client, page):
    response = get(client, f"/users/?page={page}")
    assert response.status_code == 400
    assert response.json() == {"page": [PAGE_MESSAGE]}


def test_filter_errors_are_reported_together_before_page_errors(client):
    response = get(client, "/users/?id=abc&modified_date__gt=xyz&page=999")
    assert response.status_code == 400
    assert response.json() == {
        "id": ["Enter a number."],
        "modified_date__gt": ["Enter a valid date/time."],
    }


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("id=1&id=2", [2]),
        ("id=%201%20", [1]),
        ("limit=5&limit=7", list(range(1, 8))),
        ("id__gte=198", [198, 199, 200]),
        ("username=", list(range(1, 21))),
    ],
    ids=["last repeated value wins", "value stripped", "last limit wins", "range", "empty text"],
)
def test_query_parameters(client, query, ids):
    response = get(client, f"/users/?{query}")
    assert response.status_code == 200
    assert ids_of(response) == ids


def test_json_filter_matches_by_containment(client):
    everyone = all_users(client)
    expected = [u["id"] for u in everyone if u["attributes"].get("confirm") is True]
    response = get(client, "/users/?limit=100&attributes=%7B%22confirm%22%3Atrue%7D")
    assert response.status_code == 200
    assert response.json()["count"] == len(expected)
    assert ids_of(response) == expected[:100]


# -- strict vs lenient ----------------------------------------------------------------------

MODE_CASES = [
    ("unknown parameter", "foo=1", {"foo": [params.UNKNOWN_PARAMETER]}, 200),
    ("bad boolean", "is_active=yes", None, 200),
    ("unknown sort term", "sort=unknown", None, 200),
    ("page not a number", "page=abc", {"page": [PAGE_MESSAGE]}, 404),
]


@pytest.mark.parametrize(
    ("query", "strict_body", "lenient_status"),
    [case[1:] for case in MODE_CASES],
    ids=[case[0] for case in MODE_CASES],
)
def test_strict_and_lenient(client, lenient, query, strict_body, lenient_status):
    strict = get(client, f"/users/?{query}")
    assert strict.status_code == 400
    name = query.split("=")[0]
    assert list(strict.json()) == [name]
    if strict_body is not None:
        assert strict.json() == strict_body
    relaxed = get(lenient, f"/users/?{query}")
    assert relaxed.status_code == lenient_status
    if lenient_status == 200:  # silently ignored: the default list
        assert relaxed.json()["count"] == USERS
        assert ids_of(relaxed) == list(range(1, 21))
    else:
        assert relaxed.json() == INVALID_PAGE


# -- detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/users/999999/", 404, NO_MATCH),
        ("/users/-1/", 404, NO_MATCH),
        ("/users/0/", 404, NO_MATCH),
        ("/users/99999999999999999999999/", 404, NO_MATCH),
        ("/users/abc/", 404, NOT_FOUND),
        ("/users/1e9/", 404, NOT_FOUND),
        ("/users/%00/", 404, NOT_FOUND),
        ("/users/7.0/", 404, NOT_FOUND),
        ("/nope/", 404, NOT_FOUND),
    ],
    ids=[
        "missing id",
        "minus one",
        "zero",
        "huge",
        "text",
        "exponent",
        "null byte",
        "decimal",
        "unknown path",
    ],
)
def test_detail_errors(client, path, status, body):
    response = get(client, path)
    assert response.status_code == status
    assert response.json() == body
    assert response.headers["content-type"] == "application/json"


UNDECLARED = ["Unknown query parameter; the spec does not declare it for this operation."]


@pytest.mark.parametrize(
    ("path", "strict", "relaxed"),
    [
        ("/users/3/?id=4", (400, {"id": UNDECLARED}), (404, NO_MATCH)),
        ("/users/3/?id=abc", (400, {"id": UNDECLARED}), (400, {"id": ["Enter a number."]})),
        ("/users/4/?id=4&is_active=true", (400, {"id": UNDECLARED, "is_active": UNDECLARED}), None),
        (
            "/users/3/?page=abc&limit=0&sort=nope",
            (400, dict.fromkeys(["page", "limit", "sort"], UNDECLARED)),
            None,
        ),
        (
            "/users/4/?email=ayse.yilmaz@example.com&groups=",
            (400, {"email": UNDECLARED, "groups": UNDECLARED}),
            (400, {"groups": ["“” is not a valid value."]}),
        ),
    ],
    ids=["filter excludes", "bad filter", "filters match", "list controls", "several"],
)
def test_detail_query_is_outside_the_contract(client, lenient, path, strict, relaxed):
    """The contract's detail takes only the path id: strict names every query parameter;
    lenient filters as the real service does (REAL_API.md, "Detail"), and ignores the
    list's page, limit and sort. `None`: the user itself, 200."""
    response = get(client, path)
    assert (response.status_code, response.json()) == strict
    response = get(lenient, path)
    if relaxed is None:
        assert response.status_code == 200
        assert response.json()["id"] == int(path.split("/")[2])
    else:
        assert (response.status_code, response.json()) == relaxed


@pytest.mark.parametrize("path", ["/users/7/", "/users/00007/", "/users/7/?id=7&is_active="])
def test_detail_found(client, lenient, path):
    app = lenient if path.endswith("=") else client  # strict mode: an empty boolean is 400
    response = get(app, path)
    assert response.status_code == 200
    assert response.json()["id"] == 7


def test_detail_of_a_persona(client):
    response = get(client, "/users/4/")
    user = response.json()
    assert (user["first_name"], user["last_name"], user["pk"]) == ("Ayşe", "Yılmaz", 4)
    assert list(user) == sorted(user)  # fields in alphabetical order


# -- other methods, redirects, negotiation --------------------------------------------------


@pytest.mark.parametrize("path", ["/users/", "/users/7/"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(client, method, path):
    response = client.request(method, path, headers=AUTH)
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}
    assert response.headers["allow"] == ALLOW
    assert response.content == b'{"detail":"Method \\"%s\\" not allowed."}' % method.encode()


@pytest.mark.parametrize(
    "target", ["/users/", "/users/4/", "/users/?limit=abc", "/users/999999/", "/users/?page=99"]
)
def test_every_answer_carries_allow(client, target):
    assert get(client, target).headers["allow"] == ALLOW


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/users", "/users/"),
        ("/users?limit=2&x=1", "/users/?limit=2&x=1"),
        ("/users/7", "/users/7/"),
        ("/users/7?a=b&c=%2C", "/users/7/?a=b&c=%2C"),
    ],
)
def test_missing_slash_redirects_301_keeping_the_query(client, target, location):
    response = client.get(target, headers=AUTH)
    assert response.status_code == 301
    assert response.headers["location"] == location


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("text/html", 406),
        ("text/html, application/xhtml+xml", 406),
        ("text/html, application/json;q=0.9", 200),
        ("*/*", 200),
        ("application/*", 200),
        ("application/json", 200),
    ],
)
def test_accept_header(client, accept, status):
    response = get(client, "/users/4/", headers={**AUTH, "Accept": accept})
    assert response.status_code == status
    if status == 406:
        assert response.json() == {"detail": "Could not satisfy the request Accept header."}


@pytest.mark.parametrize("path", ["/users/", "/users/4/", "/users/?limit=3&page=2"])
def test_head_has_the_headers_of_get_and_no_body(client, path):
    full = get(client, path)
    response = client.head(path, headers=AUTH)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(full.content))
    assert response.headers["allow"] == ALLOW


def test_head_unauthenticated_is_401_without_body(client):
    response = client.head("/users/")
    assert response.status_code == 401
    assert response.content == b""
    assert response.headers["www-authenticate"] == "Token"


# -- JSON encoding and records --------------------------------------------------------------


def test_json_is_compact_utf8_and_typed_application_json(client):
    response = get(client, "/users/4/")
    assert response.headers["content-type"] == "application/json"
    body = response.content
    assert "Ayşe Yılmaz".encode() not in body  # the names are separate fields ...
    assert "Ayşe".encode() in body and "Yılmaz".encode() in body  # ... raw UTF-8
    assert b"\\u" not in body
    assert body == json.dumps(response.json(), separators=(",", ":"), ensure_ascii=False).encode()


def test_list_json_is_compact(client):
    response = get(client, "/users/?limit=100")
    assert response.content == orjson.dumps(response.json())


def test_records_have_the_real_shapes(client):
    users = all_users(client)
    assert [u["id"] for u in users] == list(range(1, USERS + 1))
    for user in users:
        assert "password" not in user
        assert user["pk"] == user["id"]
        for name in DATETIME_FIELDS:
            value = user[name]
            if value is None:
                continue
            assert DATETIME.fullmatch(value), (user["id"], name, value)
            assert not value.endswith(".000000Z"), (user["id"], name, value)
        if user["date_of_birth"] is not None:
            assert DATE.fullmatch(user["date_of_birth"])


def test_no_password_anywhere(client):
    body = get(client, "/users/?limit=100").content + get(client, "/users/1/").content
    assert b"password" not in body


def test_persona_datetime_without_microseconds(client):
    assert get(client, "/users/1/").json()["date_joined"] == "2019-03-04T08:00:00Z"


def test_list_and_detail_agree():
    """Every user of a 60-user dataset: its detail body is its object in the list."""
    client = make_client(make_state(users=60, validate_responses=True))
    list_bodies, url = [], "/users/?limit=100"
    users = []
    while url:
        response = get(client, url)
        list_bodies.append(response.content)
        users += response.json()["results"]
        url = response.json()["next"]
    assert [u["id"] for u in users] == list(range(1, 61))
    for user in users:
        detail = get(client, f"/users/{user['id']}/")
        assert detail.status_code == 200
        assert detail.json() == user
        assert any(detail.content in body for body in list_bodies)


# -- robustness: nasty inputs never give 500 ------------------------------------------------

NASTY = [
    ("odd encoding value", b"/users/?username=%ff%fe"),
    ("odd encoding limit", b"/users/?limit=%ff%fe"),
    ("odd encoding page", b"/users/?page=%ff%fe"),
    ("odd encoding date", b"/users/?modified_date__gt=%ff"),
    ("odd encoding name", b"/users/?%ff%fe=1"),
    ("long text value", b"/users/?username=" + b"x" * 100_000),
    ("long int value", b"/users/?id=" + b"9" * 100_000),
    ("long name", b"/users/?" + b"x" * 100_000 + b"=1"),
    ("long sort", b"/users/?sort=" + b"id," * 30_000 + b"id"),
    ("long json", b"/users/?attributes=" + b"%5B" * 50_000),
    ("repeated ids", b"/users/?id=1&id=2&id=abc"),
    ("repeated pages", b"/users/?page=1&page=2"),
    ("repeated groups", b"/users/?groups=1&groups=2&groups=1"),
    ("empty names", b"/users/?&&&=&="),
    ("empty limit", b"/users/?limit="),
    ("empty page", b"/users/?page="),
    ("empty boolean", b"/users/?is_active="),
    ("empty choice", b"/users/?gender="),
    ("empty groups", b"/users/?groups="),
    ("empty date", b"/users/?date_of_birth="),
    ("null in text", b"/users/?username=a%00b"),
    ("null in number", b"/users/?id=1%00"),
    ("null in date", b"/users/?date_joined=2020-01-01%00"),
    ("null page", b"/users/?page=%00"),
    ("null sort", b"/users/?sort=%00"),
    ("null json", b"/users/?attributes=%00"),
    ("unicode text", b"/users/?first_name=%C3%BC%F0%9F%98%80"),
    ("unicode digits", b"/users/?id=%D9%A3"),
    ("unicode page", b"/users/?page=%E2%91%A0"),
    ("huge int", b"/users/?id=99999999999999999999999"),
    ("huge negative", b"/users/?id__lt=-99999999999999999999999"),
    ("huge limit", b"/users/?limit=99999999999999999999999"),
    ("huge group", b"/users/?groups=99999999999999999999999"),
    ("exponent", b"/users/?id=1e999"),
    ("nan", b"/users/?id=NaN"),
    ("infinity", b"/users/?id=Infinity"),
    ("far date", b"/users/?date_of_birth=9999-12-31"),
    ("year zero", b"/users/?date_joined=0000-01-01T00:00:00Z"),
    ("json object", b"/users/?attributes=%7B%7D"),
    ("json nested", b"/users/?localized_attributes=%7B%22tr-tr%22%3A%7B%7D%7D"),
    ("json array", b"/users/?attributes=%5B%5D"),
    ("json deep", b"/users/?attributes_kwargs=" + b"%7B%22a%22%3A" * 2000 + b"1" + b"%7D" * 2000),
    ("path -1", b"/users/-1/"),
    ("path 0", b"/users/0/"),
    ("path 1e9", b"/users/1e9/"),
    ("path null", b"/users/%00/"),
    ("path 00007", b"/users/00007/"),
    ("path huge", b"/users/99999999999999999999999/"),
    ("path odd encoding", b"/users/%ff%fe/"),
    ("path unicode digit", b"/users/%D9%A3/"),
    ("path plus", b"/users/+7/"),
    ("path space", b"/users/%207/"),
    ("path long", b"/users/" + b"9" * 100_000 + b"/"),
    ("detail with nasty query", b"/users/7/?id=%ff&page=%00&limit=-1"),
]


@pytest.fixture(scope="module", params=["strict", "lenient"])
def any_mode(request, client, lenient):
    return client if request.param == "strict" else lenient


@pytest.mark.parametrize("target", [t for _, t in NASTY], ids=[name for name, _ in NASTY])
def test_nasty_inputs_never_give_500(any_mode, target):
    status, headers, body = raw_get(any_mode.app, target, AUTH)
    assert status < 500, body[:300]
    assert headers["content-type"] == "application/json"
    json.loads(body)  # always a JSON body


@pytest.mark.parametrize("digits", [23, 4301, 100_000])
def test_huge_integer_filter_matches_nothing(any_mode, digits):
    """Django 5 answers an out-of-range integer lookup with no rows (never an error)."""
    status, _, body = raw_get(any_mode.app, b"/users/?id=" + b"9" * digits, AUTH)
    assert status == 200, body[:200]
    assert json.loads(body) == {"count": 0, "next": None, "previous": None, "results": []}


@pytest.mark.parametrize("target", [t for _, t in NASTY[:12]], ids=[n for n, _ in NASTY[:12]])
def test_nasty_inputs_unauthenticated_are_401(client, target):
    status, headers, body = raw_get(client.app, target)
    assert status == 401
    assert headers["www-authenticate"] == "Token"
    assert json.loads(body) == NOT_PROVIDED


# -- response validation is really on -------------------------------------------------------


def _without_field(dataset: Dataset, row: int, field: str) -> Dataset:
    records = [dataset.record(r) for r in range(len(dataset))]
    doc = orjson.loads(records[row])
    del doc[field]
    records[row] = orjson.dumps(doc)
    offsets = np.zeros(len(records) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in records], out=offsets[1:])
    return Dataset(dataset.ids, b"".join(records), offsets, dataset.columns)


def _serving(state, dataset: Dataset):
    """`state` with `dataset` as the records of /users/."""
    served = dataclasses.replace(state.served["/users/"], dataset=dataset)
    return dataclasses.replace(state, served={**state.served, "/users/": served})


def test_response_validation_rejects_a_non_conforming_record():
    state = make_state(users=10, validate_responses=True)
    row = state.dataset.row_of(1)
    broken = _serving(state, _without_field(state.dataset, row, "email"))
    client = make_client(broken)
    detail = get(client, "/users/1/")
    assert detail.status_code != 200
    assert detail.status_code == 500
    listed = get(client, "/users/?limit=2")
    assert listed.status_code == 500
    assert get(client, "/users/2/").status_code == 200  # the other records still conform


def test_without_validation_the_broken_record_is_served():
    """The counterpart: the 500 above comes from validation, not from the broken bytes."""
    state = make_state(users=10, validate_responses=False)
    broken = _serving(state, _without_field(state.dataset, 0, "email"))
    response = get(make_client(broken), "/users/1/")
    assert response.status_code == 200
    assert "email" not in response.json()


# A request the server cannot finish would freeze this process (the work holds the GIL), so
# this one runs in a child process that the test can kill.
_EXPONENT_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from helpers_api import AUTH, make_client, make_state, raw_get
app = make_client(make_state(users=20, lenient=True)).app
status, _, body = raw_get(app, sys.argv[2].encode(), AUTH)
print(status, body.decode())
"""


def test_lenient_huge_exponent_answers_instead_of_hanging():
    """`id=1e999999999` is a whole number to django-filter's DecimalField; far beyond int64,
    it matches nothing. Turning it into a Python int would take forever."""
    query = "id=1e999999999"
    try:
        result = subprocess.run(
            [sys.executable, "-c", _EXPONENT_SCRIPT, str(ROOT / "tests"), f"/users/?{query}"],
            cwd=ROOT,
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"/users/?{query} got no answer within 30 s")
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.split(" ", 1)
    assert status == "200"
    assert json.loads(body) == {"count": 0, "next": None, "previous": None, "results": []}


# -- DRF's format override and suffixes (REAL_API.md, "Response format") ----------------------

NOBODY = {}  # no Authorization header: the format is checked before the token


@pytest.mark.parametrize(
    ("path", "headers", "status", "body"),
    [
        ("/users/?format=xml", AUTH, 404, NOT_FOUND),
        ("/users/?format=xml", NOBODY, 404, NOT_FOUND),
        ("/users/?format=api", AUTH, 404, NOT_FOUND),
        ("/users/?format=JSON", AUTH, 404, NOT_FOUND),
        ("/users/?format=xml&format=json", AUTH, 200, None),
        ("/users/?format=json&format=xml", AUTH, 404, NOT_FOUND),
        ("/users/?format=", AUTH, 200, None),
        ("/users/?format=json", NOBODY, 401, NOT_PROVIDED),
        (
            "/users/?format=json",
            {**AUTH, "Accept": "text/html"},
            406,
            {"detail": "Could not satisfy the request Accept header."},
        ),
        ("/users/3/?format=json", AUTH, 200, None),
        ("/users/3/?format=xml", NOBODY, 404, NOT_FOUND),
        ("/users.json", AUTH, 200, None),
        ("/users.json/", AUTH, 200, None),
        ("/users.xml", NOBODY, 404, NOT_FOUND),
        ("/users/3.json", AUTH, 200, None),
        ("/users/3.json/", AUTH, 200, None),
        ("/users/3.xml", NOBODY, 404, NOT_FOUND),
        ("/users/1.5/", NOBODY, 404, NOT_FOUND),
        ("/users/abc.json", AUTH, 404, NOT_FOUND),
        ("/users/999999.json", AUTH, 404, NO_MATCH),
    ],
)
def test_lenient_format_override(lenient, path, headers, status, body):
    response = lenient.get(path, headers=headers)
    assert response.status_code == status, response.text
    if body is not None:
        assert response.json() == body
    elif "/3" in path:
        assert response.json() == get(lenient, "/users/3/").json()
    else:
        assert response.json()["results"] == get(lenient, "/users/").json()["results"]


def test_lenient_links_keep_the_format_and_the_suffix(lenient):
    body = get(lenient, "/users/?format=json&limit=2").json()
    assert body["next"] == "http://testserver/users/?format=json&limit=2&page=2"
    body = get(lenient, "/users.json?limit=2&page=2").json()
    assert body["next"] == "http://testserver/users.json?limit=2&page=3"
    assert body["previous"] == "http://testserver/users.json?limit=2"


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/users/?format=json", 400, {"format": UNDECLARED}),
        ("/users/3/?format=json", 400, {"format": UNDECLARED}),
        ("/users.json", 404, NOT_FOUND),
        ("/users/3.json/", 404, NOT_FOUND),
    ],
)
def test_strict_has_no_format_override(client, path, status, body):
    """The contract documents neither `format` nor the suffixes (README, strict mode)."""
    response = get(client, path)
    assert (response.status_code, response.json()) == (status, body)
