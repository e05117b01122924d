"""Shared fixtures: the spec, the default fixtures, and a small dataset built once per session."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

import pytest
from helpers_redis import RedisServer

from mockserver import state
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract.spec import Operation, Spec
from mockserver.engine import store
from mockserver.engine.params import Query, Rules, parse_query

SEED = 42
USERS = 300


@pytest.fixture(scope="session")
def spec() -> Spec:
    return Spec.load(packaged.spec_path())


@pytest.fixture(scope="session")
def fixtures(spec) -> fixtures_module.Fixtures:
    return fixtures_module.load(packaged.fixtures_dir(), spec)


@pytest.fixture(scope="session")
def dataset(spec, fixtures) -> store.Dataset:
    return state.build_dataset(spec, fixtures, "/users/", SEED, USERS, cache_dir=None)


@pytest.fixture(scope="session")
def records(dataset) -> list[dict]:
    """Every record as the API exports it, decoded with the standard library."""
    return [json.loads(dataset.record(row)) for row in range(len(dataset))]


@pytest.fixture(scope="session")
def list_op(spec) -> Operation:
    return spec.operation("users_list")


@pytest.fixture(scope="session")
def rules(spec):
    """`rules(strict)`: the server's Rules for a mode, with the spec's sortable fields."""

    def make(strict: bool) -> Rules:
        return Rules(strict=strict, sortable=spec.resources["/users/"].sortable)

    return make


@pytest.fixture(scope="session")
def served(spec, dataset, rules):
    """`served(strict)`: the session dataset as the server serves /users/ in a mode."""

    def make(strict: bool) -> state.Served:
        return state.Served(spec.resources["/users/"], dataset, rules(strict))

    return make


@pytest.fixture(scope="session")
def parse(list_op, rules):
    """`parse("a=1&b=2", strict)` or `parse([("a", "1")], strict)`: parse_query on /users/.

    A string is split as the app splits the query string (blank values kept).
    """

    def run(query: str | list[tuple[str, str]], strict: bool) -> Query:
        items = parse_qsl(query, keep_blank_values=True) if isinstance(query, str) else query
        return parse_query(list_op, items, rules(strict))

    return run


# Schemathesis hooks for the CLI runs (SCHEMATHESIS_HOOKS=schemathesis_sessions): importing
# the module registers its hooks in this process, where they would change every in-process
# schemathesis run after it; the doctest collection would import it.
collect_ignore = ["schemathesis_sessions.py"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A Redis-compatible server of the module's own (a free port, stopped by PID), for the
    shared store's tests: its URL."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        yield server.url
    finally:
        server.stop()
