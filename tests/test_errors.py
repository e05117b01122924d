"""Errors as data: every error type survives pickling, as a pool worker's error must."""

from __future__ import annotations

import pickle

import pytest

from mockserver.errors import ApiError, ConfigError

ERRORS = [
    pytest.param(
        ConfigError("fixtures/personas.yaml", "record 6 (id 6), field 'email': bad"),
        "fixtures/personas.yaml: record 6 (id 6), field 'email': bad",
        {"source": "fixtures/personas.yaml", "message": "record 6 (id 6), field 'email': bad"},
        id="ConfigError: source and message",
    ),
    pytest.param(
        ApiError.detail(401, "Invalid token.", {"WWW-Authenticate": "Token"}),
        "(401, {'detail': 'Invalid token.'}, {'WWW-Authenticate': 'Token'})",
        {
            "status": 401,
            "body": {"detail": "Invalid token."},
            "headers": {"WWW-Authenticate": "Token"},
        },
        id="ApiError with headers",
    ),
    pytest.param(
        ApiError.invalid({"id": ["Enter a number."]}),
        "(400, {'id': ['Enter a number.']}, None)",
        {"status": 400, "body": {"id": ["Enter a number."]}, "headers": {}},
        id="ApiError without headers",
    ),
]


@pytest.mark.parametrize(("error", "text", "fields"), ERRORS)
def test_an_error_pickles_whole(error, text, fields):
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) == text
    assert {name: getattr(copy, name) for name in fields} == fields
    assert vars(copy) == vars(error)
