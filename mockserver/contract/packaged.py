"""Where the spec and the default fixtures are: in the package once installed, else the repo."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # mockserver/, where the data is packaged
_REPO = _PACKAGE.parent


def _first_existing(*candidates: Path) -> Path:
    for path in candidates:
        if path.exists():
            return path
    return candidates[-1]


def spec_path() -> Path:
    """The hand-written spec: `mockserver/data/users.yaml` in a wheel, `openapi/` in a checkout."""
    return _first_existing(_REPO / "openapi" / "users.yaml", _PACKAGE / "data" / "users.yaml")


def fixtures_dir() -> Path:
    return _first_existing(_REPO / "fixtures", _PACKAGE / "data" / "fixtures")


def mock_path() -> Path:
    """The mock's own document (controls, extra responses, fixture schemas), in the package."""
    return _PACKAGE / "mock.yaml"
