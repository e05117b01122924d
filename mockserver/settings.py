"""Every setting and its default, read from CLI flags or MOCKSERVER_* environment variables."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mockserver.errors import ConfigError

ENV_PREFIX = "MOCKSERVER_"


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "mockserver")


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 42
    users: int = 1000
    fixtures: str = ""  # empty: the fixtures shipped with the package
    spec: str = ""  # empty: the spec shipped with the package
    token: tuple[str, ...] = ()  # extra keys, owned by the staff persona
    lenient: bool = False
    page_size: int = 20
    max_page_size: int = 100
    workers: int = 1
    cache_dir: str = field(default_factory=default_cache_dir)  # empty: no dataset cache
    validate_responses: bool = False  # run Connexion's response validation on every answer
    base_path: str = ""
    log_level: str = "info"

    def __post_init__(self):
        problems = []
        if not 0 <= self.port <= 65535:
            problems.append(("port", "must be 0-65535"))
        if self.users < 0:
            problems.append(("users", "must be 0 or more"))
        if self.page_size < 1:
            problems.append(("page_size", "must be 1 or more"))
        if self.max_page_size < self.page_size:
            problems.append(("max_page_size", "must be at least page_size"))
        if self.workers < 1:
            problems.append(("workers", "must be 1 or more"))
        if self.base_path and (not self.base_path.startswith("/") or self.base_path.endswith("/")):
            problems.append(("base_path", "must start with / and not end with / (like /api/v1)"))
        for key in self.token:
            if not key or any(ch.isspace() for ch in key):
                problems.append(("token", f"{key!r} must be one word"))
        if problems:
            name, message = problems[0]
            raise ConfigError(f"setting {name}", message)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        data["token"] = tuple(data.get("token", ()))
        return cls(**data)


def env_defaults(environ: dict[str, str] | None = None) -> dict:
    """Settings given as MOCKSERVER_<NAME> variables, converted to their field types."""
    environ = os.environ if environ is None else environ
    values = {}
    for spec_field in fields(Settings):
        raw = environ.get(ENV_PREFIX + spec_field.name.upper())
        if raw is None:
            continue
        kind = spec_field.type
        try:
            if kind == "int":
                values[spec_field.name] = int(raw)
            elif kind == "bool":
                values[spec_field.name] = _flag(raw)
            elif kind.startswith("tuple"):
                values[spec_field.name] = tuple(part for part in raw.replace(",", " ").split())
            else:
                values[spec_field.name] = raw
        except ValueError:
            raise ConfigError(
                f"environment {ENV_PREFIX}{spec_field.name.upper()}",
                f"{raw!r} is not a valid {kind}",
            ) from None
    return values


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(raw)
