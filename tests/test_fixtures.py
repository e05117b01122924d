"""Broken fixture directories stop `check` and `serve` with exit 2 and a message naming the file,
the record and the field (never a traceback); the Python API raises ConfigError alike."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers_api import ROOT, Settings, cli_env, run_cli

from mockserver import state as state_module
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract.spec import Spec
from mockserver.errors import ConfigError


def _replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(directory: Path) -> None:
        path = directory / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} no longer contains {old!r}; update the test"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _remove(name: str) -> Callable[[Path], None]:
    return lambda directory: (directory / name).unlink()


# Persona 4 is the first with `is_active: true` followed by `is_staff: false`.
_PERSONA_4_ACTIVE = '  phone: "05320000000"\n  is_active: true\n'

BROKEN = [
    (
        "wrong type",
        _replace("personas.yaml", _PERSONA_4_ACTIVE, _PERSONA_4_ACTIVE.replace("true", '"yes"')),
        "personas.yaml",
        ["id 4", "is_active"],
    ),
    (
        "unknown field",
        _replace(
            "personas.yaml", "  username: guest.jane\n", "  username: guest.jane\n  nickname: J\n"
        ),
        "personas.yaml",
        ["id 5", "nickname"],
    ),
    (
        "broken YAML syntax",
        _replace("groups.yaml", "- {id: 3, name: Editors}", "- {id: 3, name: Editors"),
        "groups.yaml",
        ["YAML", "line "],
    ),
    (
        "token of 39 characters",
        _replace(
            "tokens.yaml",
            "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1",
            "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a",
        ),
        "tokens.yaml",
        ["record 2", "key"],
    ),
    (
        "token of a user who is not a persona",
        _replace("tokens.yaml", "  user: 4\n", "  user: 77\n"),
        "tokens.yaml",
        ["record 2", "user", "77"],
    ),
    (
        "group id not in the spec enum",
        _replace("groups.yaml", "- {id: 5, name: Beta testers}", "- {id: 6, name: Beta testers}"),
        "groups.yaml",
        ["id 6", "id"],
    ),
    (
        "group of the spec enum missing",
        _replace("groups.yaml", "- {id: 5, name: Beta testers}", ""),
        "groups.yaml",
        ["'id'", "[1, 2, 3, 4, 5]"],
    ),
    (
        "permission ids differ",
        _replace("permissions.yaml", "- {id: 24,", "- {id: 25,"),
        "permissions.yaml",
        ["id 25", "id"],
    ),
    ("missing file", _remove("permissions.yaml"), "permissions.yaml", ["missing"]),
    (
        "email that is not an email",
        _replace("personas.yaml", "email: jane.doe@example.com", "email: jane.doe-at-example"),
        "personas.yaml",
        ["id 5", "email"],
    ),
    (
        "date-time that does not parse",
        _replace("personas.yaml", '"2019-03-04T08:00:00Z"', '"2019-13-45T99:00:00Z"'),
        "personas.yaml",
        ["id 1", "date_joined"],
    ),
    (
        "date-time that is not a date",
        _replace("personas.yaml", '"2019-03-04T08:00:00Z"', '"yesterday"'),
        "personas.yaml",
        ["id 1", "date_joined"],
    ),
    (
        "not a list",
        lambda directory: (directory / "groups.yaml").write_text("id: 1\n"),
        "groups.yaml",
        ["list"],
    ),
    (
        "key listed twice",
        _replace(
            "tokens.yaml",
            "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1",
            "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        ),
        "tokens.yaml",
        ["record 2", "key"],
    ),
    (
        "persona id used twice",
        _replace("personas.yaml", "- id: 5\n", "- id: 4\n"),
        "personas.yaml",
        ["id 4", "id"],
    ),
]
CASES = [case[1:] for case in BROKEN]
IDS = [case[0] for case in BROKEN]
# Each command costs a Python start; these run through the CLI, every case through the API.
CLI_CASES = [
    "wrong type",
    "unknown field",
    "broken YAML syntax",
    "token of 39 characters",
    "token of a user who is not a persona",
    "group of the spec enum missing",
    "missing file",
    "email that is not an email",
    "date-time that does not parse",
]
CLI_BROKEN = [case for case in BROKEN if case[0] in CLI_CASES]


@pytest.fixture(scope="module")
def users_spec() -> Spec:
    return Spec.load(packaged.spec_path())


def _broken_copy(tmp_path: Path, breaks: Callable[[Path], None]) -> Path:
    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    breaks(directory)
    return directory


def _assert_names(message: str, directory: Path, file: str, words: list[str]) -> None:
    assert str(directory / file) in message, message
    for word in words:
        assert word in message, (word, message)


def test_the_shipped_fixtures_pass(tmp_path):
    directory = _broken_copy(tmp_path, lambda directory: None)
    result = run_cli("check", "--fixtures", str(directory))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("breaks", "file", "words"),
    [case[1:] for case in CLI_BROKEN],
    ids=[case[0] for case in CLI_BROKEN],
)
def test_check_and_serve_exit_2_naming_the_place(tmp_path, breaks, file, words):
    directory = _broken_copy(tmp_path, breaks)
    # Both commands at once: they fail while loading, before serve would listen.
    commands = {
        "check": ["check", "--fixtures", str(directory)],
        "serve": ["serve", "--fixtures", str(directory), "--port", "0", "--cache-dir", ""],
    }
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", "mockserver", *args],
            cwd=ROOT,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in running.items():
        try:
            results[name] = (*process.communicate(timeout=60), process.returncode)
        except subprocess.TimeoutExpired:
            process.kill()
            results[name] = (*process.communicate(), "did not stop")
    for name, (stdout, stderr, returncode) in results.items():
        assert returncode == 2, (name, stdout, stderr)
        assert "Traceback" not in stderr, stderr
        assert stderr.startswith("mockserver: error: "), stderr
        _assert_names(stderr, directory, file, words)
        assert "serving" not in stdout


@pytest.mark.parametrize(("breaks", "file", "words"), CASES, ids=IDS)
def test_python_api_raises_config_error(tmp_path, users_spec, breaks, file, words):
    directory = _broken_copy(tmp_path, breaks)
    with pytest.raises(ConfigError) as raised:
        fixtures_module.load(directory, users_spec)
    _assert_names(str(raised.value), directory, file, words)
    assert raised.value.exit_code == 2


@pytest.mark.parametrize(("breaks", "file", "words"), CASES[:3], ids=IDS[:3])
def test_state_load_raises_config_error(tmp_path, breaks, file, words):
    directory = _broken_copy(tmp_path, breaks)
    with pytest.raises(ConfigError) as raised:
        state_module.load(Settings(fixtures=str(directory), cache_dir="", users=10))
    _assert_names(str(raised.value), directory, file, words)
