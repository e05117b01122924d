"""Every setting and its default, read from CLI flags or MOCKSERVER_* environment variables."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from mockserver.errors import ConfigError

ENV_PREFIX = "MOCKSERVER_"
_ORIGIN = re.compile(r"https?://[^/?#\s]+")
_LATENCY = re.compile(r"(?:([0-9]{1,6})(?:-([0-9]{1,6}))?)?", re.ASCII)  # "", "200", "100-400"


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
    watch: bool = False  # reload the spec and the fixtures when they change on disk
    cors_origin: tuple[str, ...] = ()  # empty: any loopback origin (localhost, 127.0.0.1, [::1])
    latency: str = ""  # "200" or "100-400": ms to wait before each API answer, uniform
    error_rate: float = 0.0  # the share of API requests answered with a documented 503
    access_log: bool = True  # one line per request on stderr (`serve` prints it)

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
        for origin in self.cors_origin:
            # What a browser sends in `Origin`: no path, not even a trailing slash.
            if origin not in ("*", "null") and not _ORIGIN.fullmatch(origin):
                problems.append(
                    ("cors_origin", f"{origin!r} must be an origin like http://localhost:3000")
                )
        low, high = self.latency_range
        if _LATENCY.fullmatch(self.latency) is None or low > high:
            problems.append(("latency", "must be milliseconds like 200, or a range like 100-400"))
        if not 0.0 <= self.error_rate <= 1.0:
            problems.append(("error_rate", "must be from 0 to 1, like 0.05"))
        if problems:
            name, message = problems[0]
            raise ConfigError(f"setting {name}", message)

    @property
    def latency_range(self) -> tuple[int, int]:
        """`latency` as (low, high) ms: "200" is (200, 200), "100-400" is (100, 400)."""
        match = _LATENCY.fullmatch(self.latency)
        if match is None or not self.latency:
            return (0, 0)
        low = int(match[1])
        return (low, int(match[2]) if match[2] else low)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        for spec_field in fields(cls):
            if spec_field.type.startswith("tuple") and spec_field.name in data:
                data[spec_field.name] = tuple(data[spec_field.name])
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
            elif kind == "float":
                values[spec_field.name] = float(raw)
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
