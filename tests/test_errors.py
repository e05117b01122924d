"""Errors as data: every error type survives pickling, as a pool worker's error must, and a
build error reaches the user as one line and exit code 2, whichever process found it."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from helpers_api import run_cli

from mockserver.contract import packaged
from mockserver.engine import store
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


# -- as the user sees them ------------------------------------------------------------------


@pytest.fixture
def nameless_persona(tmp_path) -> Path:
    """The shipped fixtures plus persona 6 with empty names: its generated email is invalid."""
    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    with (directory / "personas.yaml").open("a", encoding="utf-8") as file:
        file.write('- id: 6\n  first_name: ""\n  last_name: ""\n')
    return directory


@pytest.mark.parametrize(
    ("command", "users"),
    [
        pytest.param("export", store.PARALLEL_THRESHOLD - 1, id="export, one process"),
        pytest.param("serve", store.PARALLEL_THRESHOLD - 1, id="serve, one process"),
        pytest.param("export", 60_000, id="export, pool", marks=pytest.mark.slow),
        pytest.param("serve", 60_000, id="serve, pool", marks=pytest.mark.slow),
    ],
)
def test_a_build_error_is_one_line_and_exit_2_in_one_process_and_in_the_pool(
    nameless_persona, command, users
):
    options = ["--port", "0"] if command == "serve" else ["-o", os.devnull]
    result = run_cli(
        command,
        *options,
        "--users",
        str(users),
        "--fixtures",
        str(nameless_persona),
        "--cache-dir",
        "",
    )
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert stderr == (
        f"mockserver: error: {nameless_persona}/personas.yaml: record 6 (id 6), field 'email': "
        '".96@yahoo.com" is not a "email"\n'
    )
