"""The login views a spec documents, recognised by their schemas alone
(mockserver/contract/loginviews.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mockserver.contract.loginviews import Kind, Login, recognise


def _props(*names: str, hidden: str = "") -> dict:
    return {
        "type": "object",
        "properties": {n: {"type": "string", **({hidden: True} if hidden else {})} for n in names},
    }


def _op(sent: dict | None, answered: dict | None, method: str = "POST"):
    body = {"application/json": sent} if sent is not None else {}
    content = {"application/json": {"schema": answered}} if answered is not None else {}
    return SimpleNamespace(method=method, body=body, responses={"200": {"content": content}})


@pytest.mark.parametrize(
    ("op", "expected"),
    [
        pytest.param(
            _op(_props("username", "password"), _props("token")),
            Login(Kind.AUTH_TOKEN, "username"),
            id="obtain_auth_token",
        ),
        pytest.param(
            _op(
                {"properties": {**_props("email", "password")["properties"],
                                **_props("access", "refresh", hidden="readOnly")["properties"]}},
                _props("access", "refresh"),
            ),
            Login(Kind.PAIR, "email"),
            id="a token pair by email, read-only fields not sent",
        ),
        pytest.param(
            _op(_props("refresh"), _props("access")),
            Login(Kind.REFRESH, rotate=False),
            id="a refresh",
        ),
        pytest.param(
            _op(_props("refresh"), _props("access", "refresh")),
            Login(Kind.REFRESH, rotate=True),
            id="a rotating refresh",
        ),
        pytest.param(_op(_props("token"), None), Login(Kind.VERIFY), id="a verify"),
        pytest.param(_op(_props("name", "sku"), _props("id")), None, id="a create"),
        pytest.param(
            _op(_props("username", "password"), _props("token"), method="PUT"),
            None,
            id="not a POST",
        ),
        pytest.param(_op(None, _props("token")), None, id="no request body"),
    ],
)  # fmt: skip
def test_recognise(op, expected):
    assert recognise(op) == expected
