"""Every setting and its default, read from CLI flags or MOCKSERVER_* environment variables."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from mockserver.errors import ConfigError

ENV_PREFIX = "MOCKSERVER_"
_ORIGIN = re.compile(r"https?://[^/?#\s]+")
_SIZE = re.compile(r"([0-9]{1,12}(?:\.[0-9]{1,3})?) ?([KMGT]?B)?", re.ASCII)
_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
# redis-py's URL schemes: TCP, TLS and a Unix socket.
_STATE_SCHEMES = ("redis", "rediss", "unix")
# A name as Django's ALLOWED_HOSTS holds one: a host, `.domain` for it and its subdomains,
# an address ([::1] bracketed), or `*`.
_ALLOWED_HOST = re.compile(r"\*|\.?[a-z0-9.-]+|\[[a-f0-9:.]+\]", re.ASCII | re.IGNORECASE)
_LATENCY = re.compile(r"(?:([0-9]{1,6})(?:-([0-9]{1,6}))?)?", re.ASCII)  # "", "200", "100-400"


# `verify` and `proxy`: the largest body they read from the service, once decoded.
DEFAULT_MAX_BODY = "16MB"


def parse_size(text: str) -> int | None:
    """A size like `500MB` or `16MB` in bytes (binary units); None when unreadable.

    >>> parse_size("16MB"), parse_size("1.5KB"), parse_size("0"), parse_size("lots")
    (16777216, 1536, 0, None)
    """
    match = _SIZE.fullmatch(text.strip().upper())
    if match is None:
        return None
    return int(float(match[1]) * _UNITS[match[2] or "B"])


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "mockserver")


# The most records per collection: a million users take 1.5 GB (README, "From 1,000 to
# 1,000,000 users"), so ten million is as much as a machine holds; more stops the start with
# one line instead of a MemoryError.
MAX_SIZE = 10_000_000


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int = 42
    size: int = 1000  # records per collection, unless the spec's x-resource says otherwise
    users: int | None = None  # the old name of `size`, kept as an alias
    fixtures: str = ""  # empty: the fixtures shipped with the package
    spec: str = ""  # empty: the spec shipped with the package
    overlay: str = ""  # an OpenAPI Overlay 1.0 file of annotations for the spec; empty: none
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
    journal: int = 1000  # API requests kept for GET /__mock/requests; 0: no journal at all
    # Where the writes of each session live (mockserver/engine/sessions.py): a Redis or
    # Valkey every process shares, or this process's memory, the default session kept in a
    # file when one is given.
    state_url: str = ""  # redis://host:6379/0; empty: this process's memory
    state_file: str = ""  # the default session's change set, loaded at start and kept saved
    cache_max: str = "2GB"  # the dataset cache's size cap; least recently used entries go
    graceful_timeout: float = 10.0  # seconds SIGTERM or Ctrl-C wait for requests in flight
    # Limits at the edge, against clients that hold or flood connections.
    max_url: int = 8192  # bytes of a request target; longer is 414
    max_header_bytes: int = 65536  # bytes of all request headers together; more is 431
    max_headers: int = 100  # request header lines; more is 431
    header_timeout: float = 10.0  # seconds to send a request's head; slower is dropped
    keepalive_timeout: float = 5.0  # seconds an idle kept-alive connection stays open
    max_concurrency: int = 1000  # requests in flight; more are 503 with Retry-After
    body_timeout: float = 30.0  # seconds to send a request's body after its head; 408
    max_pipeline: int = 32  # requests pipelined behind the one answered; more wait unread
    # Host names answered besides the loopback ones and --host (Django's ALLOWED_HOSTS:
    # `.example.com` for it and its subdomains, `*` for any); any other Host is 400.
    allowed_host: tuple[str, ...] = ()

    def __post_init__(self):
        size_name = "size"
        if self.users is not None:  # `--users N` is `--size N`; errors name what was given
            object.__setattr__(self, "size", self.users)
            object.__setattr__(self, "users", None)
            size_name = "users"
        problems = []
        if not 0 <= self.port <= 65535:
            problems.append(("port", "must be 0-65535"))
        if not 0 <= self.size <= MAX_SIZE:
            problems.append((size_name, f"must be from 0 to {MAX_SIZE:,}"))
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
        for name in self.allowed_host:
            if not _ALLOWED_HOST.fullmatch(name):
                problems.append(
                    ("allowed_host", f"{name!r} must be a host name like api.test, .test or *")
                )
        low, high = self.latency_range
        if _LATENCY.fullmatch(self.latency) is None or low > high:
            problems.append(("latency", "must be milliseconds like 200, or a range like 100-400"))
        if not 0.0 <= self.error_rate <= 1.0:
            problems.append(("error_rate", "must be from 0 to 1, like 0.05"))
        if self.cache_max_bytes is None:
            problems.append(("cache_max", "must be a size like 500MB or 2GB (0 for no cap)"))
        for name in ("graceful_timeout", "header_timeout", "keepalive_timeout", "body_timeout"):
            if not 0 < getattr(self, name) <= 3600:
                problems.append((name, "must be seconds, more than 0 and at most 3600"))
        if self.state_url and not _state_url_valid(self.state_url):
            problems.append(("state_url", "must be a URL like redis://localhost:6379/0"))
        if self.state_url and self.state_file:
            problems.append(("state_file", "give --state-file or --state-url, not both"))
        if self.journal < 0:
            problems.append(("journal", "must be 0 (off) or more"))
        for name in (
            "max_url",
            "max_header_bytes",
            "max_headers",
            "max_concurrency",
            "max_pipeline",
        ):
            if getattr(self, name) < 1:
                problems.append((name, "must be 1 or more"))
        # uvicorn's LOG_LEVELS, which it looks a name up in with a bare KeyError.
        levels = ("critical", "error", "warning", "info", "debug", "trace")
        if self.log_level.lower() not in levels:
            problems.append(("log_level", f"{self.log_level!r} is not one of {', '.join(levels)}"))
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

    @property
    def cache_max_bytes(self) -> int | None:
        """`cache_max` in bytes: "2GB" is 2 * 1024**3, "0" no cap; None when unreadable.

        >>> Settings(cache_max="500MB").cache_max_bytes
        524288000
        """
        return parse_size(self.cache_max)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Settings:
        data = json.loads(text)
        for spec_field in fields(cls):
            if spec_field.type.startswith("tuple") and spec_field.name in data:
                data[spec_field.name] = tuple(data[spec_field.name])
        return cls(**data)


def _state_url_valid(url: str) -> bool:
    """A URL redis-py reads as written: its scheme, and a database that is a number (redis-py
    takes `/zero` for database 0 without a word).

    >>> [_state_url_valid(u) for u in ("redis://h:6379/1", "redis://h/x", "h:6379")]
    [True, False, False]
    """
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return bool(parts.path)
    return parts.scheme in _STATE_SCHEMES and re.fullmatch(r"/?[0-9]*", parts.path) is not None


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
            if kind in ("int", "int | None"):
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
