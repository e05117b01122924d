"""Loading everything a server needs, once: spec, fixtures, dataset, tokens, rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from mockserver import fixtures as fixtures_module
from mockserver import resources, store
from mockserver.fixtures import Fixtures
from mockserver.params import Rules
from mockserver.settings import Settings
from mockserver.spec import Operation, Spec


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern
    operations: dict[str, Operation]  # by method
    # DRF's format suffix route (`/users.json`, `/users/3.json`), in lenient mode only.
    suffix: re.Pattern | None = None


class Match(NamedTuple):
    """A path matched to its route: the path parameters and the format suffix, if any.

    A tuple, not a frozen dataclass: one is made per request, and this is cheaper to build.
    """

    route: Route
    params: dict[str, str]
    suffix: str | None = None


@dataclass(frozen=True)
class State:
    settings: Settings
    spec: Spec
    fixtures: Fixtures
    dataset: store.Dataset
    tokens: dict[str, int]
    rules: Rules
    routes: tuple[Route, ...]
    _active: dict[int, bool] = field(default_factory=dict, repr=False, compare=False)

    def is_active(self, user_id: int) -> bool:
        """Whether a token's owner may authenticate; records never change, so it is kept."""
        known = self._active.get(user_id)
        if known is None:
            row = self.dataset.row_of(user_id)
            known = self._active[user_id] = row is not None and bool(
                self.dataset.value("is_active", row)
            )
        return known

    def route(self, path: str) -> Match | None:
        """The route of `path`: its template first, then its format suffix form."""
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                return Match(route, found.groupdict())
        for route in self.routes:
            found = route.suffix.match(path) if route.suffix else None
            if found:
                params = found.groupdict()
                return Match(route, params, params.pop("format"))
        return None

    def read_operation(self, path: str) -> Operation | None:
        """The GET operation whose path template matches `path`, if any."""
        found = self.route(path)
        return found.route.operations.get("GET") if found else None

    def staff_user(self) -> int:
        """The persona `--token` keys belong to: the first active staff superuser."""
        for user_id, persona in sorted(self.fixtures.personas.items()):
            if (
                persona.get("is_staff")
                and persona.get("is_superuser")
                and persona.get("is_active", True)
            ):
                return user_id
        return min(self.fixtures.personas)

    def banner_token(self) -> str | None:
        """A key that works, for the startup banner: the staff persona's."""
        staff = self.staff_user()
        for key, user in self.tokens.items():
            if user == staff and self.is_active(user):
                return key
        return next((k for k, u in self.tokens.items() if self.is_active(u)), None)


def load(
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    cache_read_only: bool = False,
) -> State:
    """Everything a server needs; `cache_read_only` for the processes of `--workers N`,
    whose parent has already written the dataset cache."""
    spec = Spec.load(Path(settings.spec) if settings.spec else resources.spec_path())
    fixtures_dir = Path(settings.fixtures) if settings.fixtures else resources.fixtures_dir()
    fixtures = fixtures_module.load(fixtures_dir, spec)
    dataset = store.build(
        spec,
        fixtures,
        settings.seed,
        settings.users,
        cache_dir=Path(settings.cache_dir) if settings.cache_dir else None,
        progress=progress,
        # One process may serve while the cache is written; several workers load from it.
        background_save=settings.workers == 1,
        cache_max=settings.cache_max_bytes or 0,
        read_only=cache_read_only,
        personas_source=str(fixtures_dir / "personas.yaml"),
    )
    state = State(
        settings=settings,
        spec=spec,
        fixtures=fixtures,
        dataset=dataset,
        tokens=dict(fixtures.tokens),
        rules=Rules(
            strict=not settings.lenient,
            page_size=settings.page_size,
            max_page_size=settings.max_page_size,
            sortable=tuple(spec.sortable_fields),
        ),
        routes=compile_routes(spec, settings.base_path, suffixes=settings.lenient),
    )
    staff = state.staff_user()
    for key in settings.token:
        state.tokens[key] = staff
    return state


def compile_routes(spec: Spec, base_path: str, suffixes: bool = False) -> tuple[Route, ...]:
    """Path templates as regular expressions: `/users/{id}/` matches `/users/7/`.

    With `suffixes` (lenient mode: the real service's routes), a path parameter is DRF's
    `lookup_value_regex`, `[^/.]+`, and each route also gets the format suffix form that a
    DefaultRouter's `format_suffix_patterns` adds: `/users.json` and `/users/7.json`, with
    an optional trailing slash and a format `[a-z0-9]+`. So `/users/1.5/` is user 1 in
    format "5", which DRF answers 404 before authentication.
    """
    grouped: dict[str, dict[str, Operation]] = {}
    for op in spec.operations:
        grouped.setdefault(op.path, {})[op.method] = op
    routes = []
    for path, operations in grouped.items():
        lookup = "[^/.]+" if suffixes else "[^/]+"
        regex = re.compile(_template(base_path + path, lookup) + r"\Z")
        suffix = None
        if suffixes:
            bare = _template(base_path + path.rstrip("/"), lookup)
            suffix = re.compile(bare + r"\.(?P<format>[a-z0-9]+)/?\Z")
        routes.append(Route(regex, operations, suffix))
    return tuple(routes)


def _template(path: str, value: str) -> str:
    """A path template as a regex: each `{name}` a named group of `value`."""
    return re.sub(r"\\\{(\w+)\\\}", rf"(?P<\1>{value})", re.escape(path))
