"""The real DRF Users service (tests/usersservice), loaded with the mock's export.

A few behaviours of shared/reference/REAL_API.md checked against the service itself, then
each mutant (USERSSERVICE_MUTANT) started on a copy of the same database: it must break
the one behaviour it names.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest
from helpers_users_drf import UsersService, mock_export

pytestmark = pytest.mark.slow

TOKEN = "3f9a1c0b7e2d4c6a8b5f0e1d2c3b4a5968778695"
SIZE = 60


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return mock_export(SIZE)


@pytest.fixture(scope="module")
def service(records):
    with UsersService(records, TOKEN) as running:
        yield running


def get(service: UsersService, path: str, **kwargs) -> httpx.Response:
    kwargs.setdefault("headers", service.headers)
    return httpx.get(f"{service.url}{path}", timeout=10, **kwargs)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def by_id(records: list[dict], id: int) -> dict:
    return next(record for record in records if record["id"] == id)


def test_list_envelope_and_count(service, records):
    response = get(service, "/users/")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == SIZE
    assert body["next"] == f"{service.url}/users/?page=2"
    assert body["previous"] is None
    assert body["results"] == records[:20]


def test_is_active_true_gives_only_active_users(service, records):
    body = get(service, "/users/?is_active=true&limit=100").json()
    active = [record for record in records if record["is_active"]]
    assert body["count"] == len(active) < SIZE
    assert body["results"] == active


def test_sort_descending_date_joined(service, records):
    body = get(service, "/users/?sort=-date_joined&limit=100").json()
    expected = sorted(records, key=lambda r: (-moment(r["date_joined"]).timestamp(), r["id"]))
    assert [r["id"] for r in body["results"]] == [r["id"] for r in expected]


def test_detail_equals_the_list_record(service, records):
    response = get(service, "/users/4/")
    assert response.status_code == 200
    assert response.json() == by_id(records, 4)


def test_unauthenticated_is_401_with_www_authenticate(service):
    missing = get(service, "/users/", headers={})
    assert (missing.status_code, missing.headers.get("WWW-Authenticate")) == (401, "Token")
    assert missing.json() == {"detail": "Authentication credentials were not provided."}
    unknown = get(service, "/users/4/", headers={"Authorization": "Token " + "0" * 40})
    assert (unknown.status_code, unknown.headers.get("WWW-Authenticate")) == (401, "Token")
    assert unknown.json() == {"detail": "Invalid token."}


def test_page_past_the_last_is_invalid_page(service):
    response = get(service, "/users/?page=999")
    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_filters_and_detail_errors(service):
    bad = get(service, "/users/?id=abc&modified_date__gt=x&page=999")
    assert (bad.status_code, bad.json()) == (
        400,
        {"id": ["Enter a number."], "modified_date__gt": ["Enter a valid date/time."]},
    )
    missing = get(service, "/users/3/?id=4")
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "No User matches the given query."},
    )


# One check per mutant: what the correct service answers is asserted above.
def filter_ignored(mutant, records):
    body = get(mutant, "/users/?is_active=false&limit=100").json()
    assert body["count"] == SIZE


def ordering_reversed(mutant, records):
    body = get(mutant, "/users/?sort=-date_joined&limit=100").json()
    joined = [moment(r["date_joined"]) for r in body["results"]]
    assert joined == sorted(joined)


def count_wrong(mutant, records):
    assert get(mutant, "/users/").json()["count"] == SIZE + 1


def next_drops_param(mutant, records):
    body = get(mutant, "/users/?email_allowed=false&limit=3").json()
    assert body["next"] == f"{mutant.url}/users/?limit=3&page=2"


def field_type(mutant, records):
    assert get(mutant, "/users/4/").json()["id"] == "4"


def not_found_body(mutant, records):
    response = get(mutant, f"/users/{SIZE + 1000}/")
    assert (response.status_code, response.json()) == (404, {"error": "not found"})


def no_www_authenticate(mutant, records):
    response = get(mutant, "/users/", headers={})
    assert (response.status_code, response.headers.get("WWW-Authenticate")) == (401, None)


def detail_differs(mutant, records):
    assert get(mutant, "/users/4/").json()["email"] == by_id(records, 4)["email"].upper()


def page_size_ignored(mutant, records):
    assert len(get(mutant, "/users/?limit=5").json()["results"]) == 20


MUTANTS = [
    filter_ignored,
    ordering_reversed,
    count_wrong,
    next_drops_param,
    field_type,
    not_found_body,
    no_www_authenticate,
    detail_differs,
    page_size_ignored,
]


@pytest.mark.parametrize("check", MUTANTS, ids=[check.__name__ for check in MUTANTS])
def test_mutant_breaks_its_behaviour(service, records, check):
    with UsersService(records, TOKEN, mutant=check.__name__, db=service.db) as mutant:
        check(mutant, records)
