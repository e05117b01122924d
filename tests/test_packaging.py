"""A built wheel carries the spec and the default fixtures, byte for byte (see resources.py)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers_api import ROOT


def _pip_wheel(out: Path, isolated: bool) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), "."]
    if not isolated:
        command.insert(5, "--no-build-isolation")
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    result = _pip_wheel(out, isolated=False)
    if result.returncode != 0 and "hatchling" in result.stdout + result.stderr:
        # The test venv has no hatchling: let pip fetch the build backend in isolation.
        result = _pip_wheel(out, isolated=True)
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("mockserver-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


@pytest.mark.slow
def test_wheel_carries_the_spec_byte_for_byte(wheel):
    packaged = wheel.read("mockserver/data/users.yaml")
    assert packaged == (ROOT / "openapi" / "users.yaml").read_bytes()


@pytest.mark.slow
def test_wheel_carries_the_mocks_own_document(wheel):
    """mockserver/mock.yaml: the controls, the 503 and the fixture schemas."""
    source = ROOT / "mockserver" / "mock.yaml"
    assert wheel.read("mockserver/mock.yaml") == source.read_bytes()


@pytest.mark.slow
def test_wheel_carries_every_fixture_byte_for_byte(wheel):
    sources = sorted((ROOT / "fixtures").glob("*.yaml"))
    assert {p.name for p in sources} >= {
        "groups.yaml",
        "permissions.yaml",
        "personas.yaml",
        "tokens.yaml",
    }
    for source in sources:
        assert wheel.read(f"mockserver/data/fixtures/{source.name}") == source.read_bytes()
    packaged = {
        name.rsplit("/", 1)[1]
        for name in wheel.namelist()
        if name.startswith("mockserver/data/fixtures/")
    }
    assert packaged == {p.name for p in sources}


@pytest.mark.slow
def test_wheel_carries_the_package_and_the_script(wheel):
    names = set(wheel.namelist())
    modules = {f"mockserver/{p.name}" for p in (ROOT / "mockserver").glob("*.py")}
    assert modules <= names
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "mockserver = mockserver.cli:main" in wheel.read(entry_points).decode()
