"""The HTTP pipeline's own answers: the last-resort 500, the stacks, OPTIONS names."""

from __future__ import annotations

import json

import pytest
from helpers_api import AUTH, make_state, raw_get

from mockserver import handlers
from mockserver.app import SERVER_ERROR, create_app
from mockserver.resource import Paging


@pytest.mark.parametrize("validated", [False, True], ids=["default", "validate-responses"])
def test_an_unexpected_error_is_a_drf_500_not_a_broken_connection(monkeypatch, validated):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setitem(handlers._LISTS, Paging.PAGE, broken)
    app = create_app(make_state(size=5, validate_responses=validated, access_log=False))
    status, headers, body = raw_get(app, b"/users/", AUTH)
    assert (status, headers["content-type"], json.loads(body)) == (
        500,
        "application/json",
        {"detail": SERVER_ERROR},
    )


@pytest.mark.parametrize(
    ("target", "name"),
    [
        pytest.param(b"/users/", "User List", id="list"),
        pytest.param(b"/users/1/", "User Instance", id="detail"),
    ],
)
def test_options_names_the_view_as_drf_does(target, name):
    app = create_app(make_state(size=5, access_log=False))
    status, _, body = raw_get(app, target, AUTH, method="OPTIONS")
    assert status == 200 and json.loads(body)["name"] == name
