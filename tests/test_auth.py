"""authenticate: DRF's TokenAuthentication, every row of REAL_API.md's table."""

from __future__ import annotations

import pytest

from mockserver.auth import authenticate
from mockserver.errors import ApiError

STAFF = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # persona 1, active
CUSTOMER = "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1"  # persona 4, active
INACTIVE = "6f1ed002ab5595859014ebf0951522d9c0c1c1f7"  # persona 2, inactive

NOT_PROVIDED = "Authentication credentials were not provided."
NO_CREDENTIALS = "Invalid token header. No credentials provided."
HAS_SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."
INVALID_TOKEN = "Invalid token."
INACTIVE_USER = "User inactive or deleted."


@pytest.fixture(scope="module")
def is_active(dataset):
    def check(user_id: int) -> bool:
        row = dataset.row_of(user_id)
        return row is not None and bool(dataset.value("is_active", row))

    return check


REJECTED = [
    pytest.param(None, NOT_PROVIDED, id="missing"),
    pytest.param(b"", NOT_PROVIDED, id="empty"),
    pytest.param(b"   ", NOT_PROVIDED, id="spaces only"),
    pytest.param(b"Bearer x", NOT_PROVIDED, id="Bearer"),
    pytest.param(f"Bearer {STAFF}".encode(), NOT_PROVIDED, id="Bearer with a good key"),
    pytest.param(b"Basic dXNlcjpwYXNz", NOT_PROVIDED, id="Basic"),
    pytest.param(f"Token{STAFF}".encode(), NOT_PROVIDED, id="no space after Token"),
    pytest.param(STAFF.encode(), NOT_PROVIDED, id="key alone"),
    pytest.param(b"Token", NO_CREDENTIALS, id="Token alone"),
    pytest.param(b"Token   ", NO_CREDENTIALS, id="Token and spaces"),
    pytest.param(b"token", NO_CREDENTIALS, id="token alone lower-case"),
    pytest.param(b"Token a b", HAS_SPACES, id="Token a b"),
    pytest.param(f"Token {STAFF} extra".encode(), HAS_SPACES, id="key and extra word"),
    pytest.param(b"Token \xff\xfe", BAD_CHARACTERS, id="not UTF-8"),
    pytest.param(b"Token unknown", INVALID_TOKEN, id="unknown key"),
    pytest.param(b"Token " + b"0" * 40, INVALID_TOKEN, id="unknown 40-hex key"),
    pytest.param(f"Token {STAFF.upper()}".encode(), INVALID_TOKEN, id="key is case-sensitive"),
    pytest.param(f"Token {STAFF[:-1]}".encode(), INVALID_TOKEN, id="truncated key"),
    pytest.param(f"Token {INACTIVE}".encode(), INACTIVE_USER, id="inactive user"),
    pytest.param(f"token {INACTIVE}".encode(), INACTIVE_USER, id="inactive lower-case"),
]


@pytest.mark.parametrize(("header", "message"), REJECTED)
def test_rejected(fixtures, is_active, header, message):
    with pytest.raises(ApiError) as caught:
        authenticate(header, fixtures.tokens, is_active)
    error = caught.value
    assert (error.status, error.body, error.headers) == (
        401,
        {"detail": message},
        {"WWW-Authenticate": "Token"},
    )


ACCEPTED = [
    pytest.param(f"Token {STAFF}", 1, id="Token key"),
    pytest.param(f"token {STAFF}", 1, id="token lower-case"),
    pytest.param(f"TOKEN {STAFF}", 1, id="TOKEN upper-case"),
    pytest.param(f"  Token   {STAFF}  ", 1, id="extra whitespace"),
    pytest.param(f"Token\t{STAFF}", 1, id="tab"),
    pytest.param(f"Token {CUSTOMER}", 4, id="customer"),
]


@pytest.mark.parametrize(("header", "user"), ACCEPTED)
def test_accepted(fixtures, is_active, header, user):
    assert authenticate(header.encode(), fixtures.tokens, is_active) == user


def test_key_of_a_deleted_user(is_active):
    """A key whose user is not in the dataset: DRF's 'User inactive or deleted.'"""
    with pytest.raises(ApiError) as caught:
        authenticate(f"Token {STAFF}".encode(), {STAFF: 10**9}, is_active)
    assert caught.value.body == {"detail": INACTIVE_USER}


def test_fixture_tokens(fixtures):
    """The keys the brief documents, each 40 lower-case hex characters, owned by a persona."""
    assert fixtures.tokens == {STAFF: 1, CUSTOMER: 4, INACTIVE: 2}
