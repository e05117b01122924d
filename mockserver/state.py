"""Loading everything a server needs, once: spec, fixtures, each resource's records, tokens."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mockserver.contract import conventions, packaged
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract.fixtures import Fixtures
from mockserver.contract.resource import OBJECT, Resource
from mockserver.contract.schema import effective
from mockserver.contract.spec import Operation, Spec
from mockserver.engine import cache, store
from mockserver.engine.params import Rules
from mockserver.engine.records import Served, resource_rules
from mockserver.errors import ConfigError
from mockserver.fake import recursion
from mockserver.http import webtoken
from mockserver.http.auth import Keys
from mockserver.settings import Settings


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern
    operations: dict[str, Operation]  # by method
    # DRF's format suffix route (`/users.json`, `/users/3.json`), in lenient mode only.
    suffix: re.Pattern | None = None
    # The view's methods, as DRF's `Allow` lists them (APIView._allowed_methods, in
    # `http_method_names` order; HEAD where there is GET, OPTIONS always).
    allow: bytes = b"GET, HEAD, OPTIONS"
    # The template's first segment when it is fixed (`products` for `/products/{id}/`):
    # only a path of that first segment can match. None: a parameter, or unknown.
    first: str | None = None


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
    served: dict[str, Served]  # by resource path
    tokens: dict[str, int | None]  # key -> the id of the record that owns it, if any
    rules: Rules
    routes: tuple[Route, ...]
    # Each resource's build plan, by path: a write generates its new record's read-only
    # fields from it, as the record of that key would be generated.
    plans: dict[str, store.BuildPlan] = field(default_factory=dict, repr=False, compare=False)
    _active: dict[int, bool] = field(default_factory=dict, repr=False, compare=False)
    _keys: dict[str, Keys] = field(default_factory=dict, repr=False, compare=False)
    # The routes by the first segment of the paths they can match (`_candidates`).
    _firsts: dict[str | None, tuple[Route, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def dataset(self) -> store.Dataset:
        """The records tokens belong to (the personas'), else the first resource's."""
        owner = self.fixtures.owner or next(iter(self.served), None)
        if owner is None:
            return store.Dataset.empty()
        return self.served[owner].dataset

    def summary(self) -> str:
        """`1,000 users`, or `1,000 products, 20 categories and settings`."""
        parts = [served.count() for served in self.served.values()]
        if len(parts) < 2:
            return parts[0] if parts else "nothing"
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def is_active(self, owner: int | None) -> bool | None:
        """Whether a token's owner may authenticate (its `is_active`, where it has one), None
        when it has no record (simplejwt's "User not found"); records never change, so it
        is kept."""
        if owner is None or self.fixtures.owner is None:
            return True
        if owner not in self._active:
            dataset = self.served[self.fixtures.owner].dataset
            row = dataset.row_of(owner)
            active = None if row is None else True
            if active and "is_active" in dataset.columns:
                active = bool(dataset.value("is_active", row))
            self._active[owner] = active
        return self._active[owner]

    @property
    def keys(self) -> Keys:
        """What credentials are checked against: the keys, their owners, the JWT secret.
        Made once (read on every request; functools.cached_property would lock each time)."""
        found = self._keys.get("keys")
        if found is None:
            found = Keys(self.tokens, self.is_active, webtoken.secret_of(self.settings.seed))
            self._keys["keys"] = found
        return found

    def route(self, path: str) -> Match | None:
        """The route of `path`: its template first, then its format suffix form."""
        for route in self._candidates(path):
            found = route.pattern.match(path)
            if found:
                return Match(route, found.groupdict())
        for route in self.routes:
            found = route.suffix.match(path) if route.suffix else None
            if found:
                params = found.groupdict()
                return Match(route, params, params.pop("format"))
        return None

    def _candidates(self, path: str) -> tuple[Route, ...]:
        """The routes that may match `path`, in their order: those whose fixed first
        segment is the path's, and those that start with a parameter. A spec of many
        prefixes tries a few patterns a request, not all of them."""
        firsts = self._firsts
        if not firsts:
            made = {
                first: tuple(r for r in self.routes if r.first is None or r.first == first)
                for first in {route.first for route in self.routes}
            }
            firsts.update(made)  # whole, in one step: another thread may be routing
        if not path.startswith("/"):
            return self.routes
        return firsts.get(path[1:].partition("/")[0]) or firsts.get(None) or ()

    def staff_user(self) -> int | None:
        """The persona `--token` keys belong to: the first active staff superuser."""
        personas = self.fixtures.personas
        for record_id, persona in sorted(personas.items()):
            if (
                persona.get("is_staff")
                and persona.get("is_superuser")
                and persona.get("is_active", True)
            ):
                return record_id
        return min(personas) if personas else None

    def banner_token(self) -> str | None:
        """A key that works, for the startup banner: the staff persona's."""
        staff = self.staff_user()
        for key, owner in self.tokens.items():
            if owner == staff and self.is_active(owner):
                return key
        return next((k for k, u in self.tokens.items() if self.is_active(u)), None)

    def banner_jwt(self, key: str) -> str:
        """The JWT the mock issues to the owner of `key`: what a simplejwt spec's banner
        prints."""
        return webtoken.issue_jwt(self.tokens.get(key), self.settings.seed)


def derived_token(seed: int) -> str:
    """The key a spec without token fixtures accepts besides `--token`: 40 hex characters,
    the same for the same seed, so a demo's curl line keeps working.

    >>> len(derived_token(42)), derived_token(42) == derived_token(42) != derived_token(7)
    (40, True)
    """
    return hashlib.sha1(f"mockserver token {seed}".encode()).hexdigest()


def load(
    settings: Settings,
    progress: Callable[[int, int], None] | None = None,
    cache_read_only: bool = False,
    validate_aside: bool = False,
) -> State:
    """Everything a server needs; `cache_read_only` for the processes of `--workers N`,
    whose parent has already written the dataset cache. `validate_aside`: validate the spec
    in a forked process while the data is built (a server's first start, one thread yet:
    a cold start is shorter by the validator's import)."""
    spec = Spec.load(
        Path(settings.spec) if settings.spec else packaged.spec_path(),
        Path(settings.overlay) if settings.overlay else None,
        # Workers read the cache their parent wrote; they write nothing there.
        validated=(
            Path(settings.cache_dir) / "validated"
            if settings.cache_dir and not cache_read_only
            else None
        ),
        aside=validate_aside,
    )
    try:
        state = _load(settings, spec, progress, cache_read_only)
    except Exception:
        spec.wait_valid()  # an invalid spec is what to report, whatever failed after it
        raise
    spec.wait_valid()
    return state


def _load(settings: Settings, spec: Spec, progress, cache_read_only: bool) -> State:
    fixtures_dir = Path(settings.fixtures) if settings.fixtures else packaged.fixtures_dir()
    fixtures = fixtures_module.load(fixtures_dir, spec)
    sizes = sizes_of(spec, settings.size)
    datasets: dict[str, store.Dataset] = {}
    plans: dict[str, store.BuildPlan] = {}
    # Collections whose records others nest (a bundle's `category`) are built first.
    for path in build_order(spec):
        datasets[path] = build_dataset(
            spec,
            fixtures,
            path,
            settings.seed,
            sizes,
            personas_source=str(fixtures_dir / "personas.yaml"),
            cache_dir=Path(settings.cache_dir) if settings.cache_dir else None,
            progress=_named(progress, spec.resources[path].name),
            # One process may serve while the cache is written; several workers load from it.
            background_save=settings.workers == 1,
            cache_max=settings.cache_max_bytes or 0,
            read_only=cache_read_only,
            pools=datasets,
            plans=plans,
        )
    datasets = {path: datasets[path] for path in spec.resources}
    for path, dataset in datasets.items():
        problem = unique_problem(spec.resources[path], dataset)
        if problem:
            raise ConfigError(str(spec.path), problem)
    rules = Rules(
        strict=not settings.lenient,
        page_size=settings.page_size,
        max_page_size=settings.max_page_size,
    )
    served = {
        path: Served(resource, datasets[path], resource_rules(rules, resource, datasets))
        for path, resource in spec.resources.items()
    }
    tokens: dict[str, int | None] = dict(fixtures.tokens)
    if fixtures.owner is None:
        tokens.setdefault(derived_token(settings.seed), None)
    state = State(
        settings=settings,
        spec=spec,
        fixtures=fixtures,
        served=served,
        tokens=tokens,
        rules=rules,
        routes=compile_routes(spec, settings.base_path, suffixes=settings.lenient),
        plans=plans,
    )
    staff = state.staff_user()
    for key in settings.token:
        state.tokens[key] = staff
    return state


def _named(progress, name: str):
    """A progress callback that also names the resource being built."""
    if progress is None:
        return None
    return lambda done, total: progress(done, total, name)


def copies_of(spec: Spec, resource: Resource) -> dict[str, tuple[str, bool]]:
    """The nested serializers of `resource` that another collection's records fill: field ->
    (that collection's path, many). A nested object of a model no collection lists is made
    from its schema instead."""
    by_model = spec.collections_by_model
    found = {}
    for field_name, (model, many) in resource.nested_models.items():
        target = by_model.get(model)
        prop = resource.fields.get(field_name) or {}
        if target is not None and target != resource.path and "x-faker" not in prop:
            found[field_name] = (target, many)
    return found


def build_order(spec: Spec) -> list[str]:
    """The resources' paths, each after the collections it copies records of; a copy that
    would close a circle is made from its schema instead (`generation_schema` skips it)."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(path: str) -> None:
        if path in order or path in visiting:
            return
        visiting.add(path)
        for target, _many in copies_of(spec, spec.resources[path]).values():
            visit(target)
        visiting.discard(path)
        order.append(path)

    for path in spec.resources:
        visit(path)
    return order


def sizes_of(spec: Spec, size: int) -> dict[str, int]:
    """Records per resource: `size`, a collection's own `x-resource` size, 1 for a singleton."""
    return {
        path: (1 if r.shape == OBJECT else r.size if r.size is not None else size)
        for path, r in spec.resources.items()
    }


def build_dataset(
    spec: Spec,
    fixtures: Fixtures,
    path: str,
    seed: int,
    sizes: dict[str, int] | int,
    personas_source: str = "personas.yaml",
    pools: dict[str, store.Dataset] | None = None,
    plans: dict[str, store.BuildPlan] | None = None,
    **options,
) -> store.Dataset:
    """The records of the resource at `path`; `sizes` per resource, or one for all.
    `plans` keeps the build plan by path. `options` go to store.build (the cache,
    progress)."""
    if isinstance(sizes, int):
        sizes = sizes_of(spec, sizes)
    resource = spec.resources[path]
    personas = fixtures.personas if fixtures.personas_of == path else {}
    if resource.shape == OBJECT and resource.example is not None:
        personas = {1: fixtures_module.stored(resource.fields, resource.example)}
    copies = {
        name: (target, many)
        for name, (target, many) in copies_of(spec, resource).items()
        if pools is not None and target in pools
    }
    # A recursive schema gets its cut references back, so that records satisfy it whole.
    schema, refs = recursion.restored(
        generation_schema(resource, sizes, copies), spec.resolve_shallow
    )
    plan = store.BuildPlan(
        schema=schema,
        refs=refs,
        seed=seed,
        personas=personas,
        source=str(spec.path),
        personas_source=personas_source,
        where=resource.where,
        salt=resource.name,
        pools={target: pools[target] for target, _ in copies.values()},
    )
    if plans is not None:
        plans[path] = plan
    key = cache.key(spec, fixtures, seed, sizes[path], path, sizes)
    return store.build(plan, sizes[path], key, **options)


def generation_schema(
    resource: Resource, sizes: dict[str, int], copies: dict[str, tuple[str, bool]] | None = None
) -> dict:
    """The item schema with an x-faker rule on every property: the spec's, else the one
    DRF's conventions infer (a relation draws ids of the collection it points at, a nested
    serializer of a collection's model copies its records)."""
    properties = {}
    for name, prop in resource.fields.items():
        if name in (copies or {}):
            target, many = copies[name]
            rule = {"copy": {"pool": target, "many": many}}
            if effective(prop).get("nullable"):
                rule["null"] = 0.1
            prop = {**prop, "x-faker": rule}
        elif "x-faker" not in prop:
            relation = None
            if name in resource.relations:
                count = sizes[resource.relations[name]]
                many = effective(prop).get("type") == "array"
                relation = {"refs": {"count": count}} if many else {"ref": {"count": count}}
            rule = conventions.faker_rule(name, prop, relation, resource.fields)
            if name in resource.unique:
                rule = _unique_rule(name, prop, rule, resource.fields)
            if "{id}" in str(rule) and "id" not in resource.fields:
                rule = {"faker": "slug"}
            prop = {**prop, "x-faker": rule}
        properties[name] = prop
    return {**resource.schema, "properties": properties}


def _unique_rule(name: str, prop: dict, rule: dict, fields: dict) -> dict:
    """A rule whose values cannot repeat, for a field a model declares unique
    (`x-resource: {unique: [...]}`): the record number leads a text (a maxLength cut keeps
    it), an integer is the record number; a uuid or a choice keeps its rule (a uuid is
    drawn from 122 bits; a choice cannot be unique, and the build says so)."""
    kind = effective(prop)
    if kind.get("enum") or kind.get("format") in ("uuid", "email", "uri", "date", "date-time"):
        return rule
    if kind.get("type") == "integer":
        return {"sequence": True}
    if kind.get("type") == "string" and "id" in fields:
        return {"template": "{id}-{hex:8}"}
    return rule


def unique_problem(resource: Resource, dataset: store.Dataset) -> str | None:
    """The first field the records repeat though the model declares it unique."""
    for name in resource.unique:
        col = dataset.columns.get(name)
        if col is None or col.kind in ("json", "ids", "idlist"):
            continue
        values = col.values if col.null is None else col.values[~col.null]
        if len(np.unique(values)) != len(values):
            return f"{resource.where}/{name}/x-faker makes repeated values of a unique field"
    return None


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
    # Django tries URL patterns in order, and DRF's routers list a prefix's fixed routes
    # (the list, its @action routes) before the `{lookup}` ones, so `/users/me/` is never
    # read as the user "me": fixed segments before parameters, the file's order otherwise.
    for path, operations in sorted(grouped.items(), key=lambda item: _specificity(item[0])):
        lookup = "[^/.]+" if suffixes else "[^/]+"
        # A path key holding a query (`/api/cpes?cpe={cpe}`, as a view's own schema may
        # write it) routes on its path; the rest comes in the query string.
        path = path.partition("?")[0]
        # A path with a dot segment (coordnet's `/api/llm/.`, drf-spectacular's spelling of
        # `re_path(r"llm/.*")`) reaches the service as clients send it, without the dot
        # segments (RFC 3986 5.2.4: `/api/llm/`), where the same view answers.
        for sent in dict.fromkeys((path, without_dot_segments(path))):
            if sent != path and sent in grouped:
                continue  # a documented route of its own
            regex = re.compile(_template(base_path + sent, lookup) + r"\Z")
            suffix = None
            if suffixes:
                bare = _template(base_path + sent.rstrip("/"), lookup)
                suffix = re.compile(bare + r"\.(?P<format>[a-z0-9]+)/?\Z")
            routes.append(
                Route(regex, operations, suffix, allowed(operations), _first(base_path + sent))
            )
    return tuple(routes)


def _first(template: str) -> str | None:
    """A path template's first segment, when it holds no parameter.

    >>> _first("/products/{id}/"), _first("/"), _first("/{lang}/pages/"), _first("x/")
    ('products', '', None, None)
    """
    if not template.startswith("/"):
        return None
    first = template[1:].partition("/")[0]
    return None if "{" in first else first


def without_dot_segments(path: str) -> str:
    """A path as RFC 3986's remove_dot_segments leaves it (5.2.4), as clients send it.

    >>> without_dot_segments("/api/llm/."), without_dot_segments("/a/b/c/./../../g")
    ('/api/llm/', '/a/g')
    """
    segments = path.split("/")
    out: list[str] = []
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment in (".", ".."):
            if segment == ".." and len(out) > 1:
                out.pop()
            if last:
                out.append("")  # `/a/.` and `/a/b/..` end in a slash
            continue
        out.append(segment)
    return "/".join(out)


def allowed(operations) -> bytes:
    """`Allow` of a route with these methods documented.

    >>> allowed({"PATCH": None, "GET": None}), allowed({"POST": None})
    (b'GET, PATCH, HEAD, OPTIONS', b'POST, OPTIONS')
    """
    methods = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in operations]
    if "GET" in operations:
        methods.append("HEAD")
    return ", ".join([*methods, "OPTIONS"]).encode()


def _specificity(path: str) -> tuple[int, ...]:
    """A path's segments, 0 for fixed and 1 for a parameter: the sort key of the routes.

    >>> sorted(["/u/{id}/", "/u/me/", "/u/"], key=_specificity)
    ['/u/', '/u/me/', '/u/{id}/']
    """
    return tuple(1 if "{" in segment else 0 for segment in path.strip("/").split("/"))


def _template(path: str, value: str) -> str:
    """A path template as a regex: each `{name}` a named group of `value`."""
    return re.sub(r"\\\{(\w+)\\\}", rf"(?P<\1>{value})", re.escape(path))
