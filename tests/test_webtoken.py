"""The JWTs the mock issues, and their checks in simplejwt's order with its messages."""

from __future__ import annotations

import base64
import json

import pytest

from mockserver.http.webtoken import (
    EXPIRED,
    INVALID,
    NO_EXP,
    NO_ID,
    NO_TYPE,
    NO_USER,
    NOT_VALID,
    WRONG_TYPE,
    Refused,
    encode,
    issue_jwt,
    owner_of,
    secret_of,
)

SEED = 42
SECRET = secret_of(SEED)
NOW = 1_800_000_000
GOOD = {"token_type": "access", "exp": NOW + 60, "iat": NOW - 60, "jti": "j", "user_id": "4"}


def test_issued_jwts_are_simplejwt_access_tokens_the_same_for_the_same_seed():
    token = issue_jwt(4, SEED)
    header, payload, _ = token.split(".")
    decoded = [json.loads(base64.urlsafe_b64decode(part + "==")) for part in (header, payload)]
    assert decoded[0] == {"alg": "HS256", "typ": "JWT"}
    assert list(decoded[1]) == ["token_type", "exp", "iat", "jti", "user_id"]
    assert (decoded[1]["token_type"], decoded[1]["user_id"], len(decoded[1]["jti"])) == (
        "access",
        "4",
        32,
    )
    assert decoded[1]["exp"] > 4_000_000_000
    assert token == issue_jwt(4, SEED) != issue_jwt(4, SEED + 1)
    assert owner_of(token, SECRET) == 4


def _message(body: dict) -> str:
    return body["messages"][0]["message"] if "messages" in body else body["detail"]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        pytest.param("a.b", INVALID, id="two parts"),
        pytest.param("%%.%%.%%", INVALID, id="not base64"),
        pytest.param(encode(GOOD, b"other key"), INVALID, id="another signature"),
        pytest.param(encode({**GOOD, "exp": NOW - 1}, SECRET), EXPIRED, id="expired"),
        pytest.param(encode({**GOOD, "iat": NOW + 99}, SECRET), INVALID, id="issued later"),
        pytest.param(encode({**GOOD, "jti": 5}, SECRET), INVALID, id="jti no string"),
        pytest.param(encode({k: v for k, v in GOOD.items() if k != "exp"}, SECRET), NO_EXP,
                     id="no exp"),
        pytest.param(encode({k: v for k, v in GOOD.items() if k != "jti"}, SECRET), NO_ID,
                     id="no jti"),
        pytest.param(encode({k: v for k, v in GOOD.items() if k != "token_type"}, SECRET),
                     NO_TYPE, id="no type"),
        pytest.param(encode({**GOOD, "token_type": "refresh"}, SECRET), WRONG_TYPE,
                     id="a refresh token"),
        pytest.param(encode({k: v for k, v in GOOD.items() if k != "user_id"}, SECRET),
                     NO_USER, id="no user"),
    ],
)  # fmt: skip
def test_a_token_is_refused_with_simplejwt_s_message(token, message):
    with pytest.raises(Refused) as caught:
        owner_of(token, SECRET, now=NOW)
    assert _message(caught.value.body) == message
    if "messages" in caught.value.body:
        assert caught.value.body["detail"] == NOT_VALID


def test_a_good_token_names_its_owner():
    assert owner_of(encode(GOOD, SECRET), SECRET, now=NOW) == 4
