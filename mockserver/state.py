"""Loading everything a server needs, once: spec, fixtures, dataset, tokens, rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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

    def read_operation(self, path: str) -> Operation | None:
        """The GET operation whose path template matches `path`, if any."""
        for route in self.routes:
            if route.pattern.match(path):
                return route.operations.get("GET")
        return None

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


def load(settings: Settings, progress: Callable[[int, int], None] | None = None) -> State:
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
        routes=compile_routes(spec, settings.base_path),
    )
    staff = state.staff_user()
    for key in settings.token:
        state.tokens[key] = staff
    return state


def compile_routes(spec: Spec, base_path: str) -> tuple[Route, ...]:
    """Path templates as regular expressions: `/users/{id}/` matches `/users/7/`."""
    grouped: dict[str, dict[str, Operation]] = {}
    for op in spec.operations:
        grouped.setdefault(op.path, {})[op.method] = op
    routes = []
    for path, operations in grouped.items():
        regex = re.escape(base_path + path)
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        routes.append(Route(re.compile(regex + r"\Z"), operations))
    return tuple(routes)
