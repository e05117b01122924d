"""pytest-benchmark micro-benchmarks of the query engine and serialization.

Not part of `make test` (pytest collects tests/ only); run with `make bench-micro`. They
time; they assert only that each call does its job, never how long it took.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract.spec import Spec
from mockserver.engine import handlers, query, store
from mockserver.engine.params import Rules, parse_query

USERS = 100_000


@pytest.fixture(scope="module")
def spec():
    return Spec.load(packaged.spec_path())


@pytest.fixture(scope="module")
def dataset(spec):
    fixtures = fixtures_module.load(packaged.fixtures_dir(), spec)
    return store.build(spec, fixtures, seed=42, users=USERS, cache_dir=Path(".cache/bench"))


@pytest.fixture(scope="module")
def rules(spec):
    return Rules(sortable=tuple(spec.sortable_fields))


def _query(spec, rules, text):
    items = [tuple(pair.split("=", 1)) for pair in text.split("&")]
    return parse_query(spec.operation("users_list"), items, rules)


@pytest.mark.parametrize(
    "text",
    [
        "limit=10",
        "is_active=true&sort=-date_joined&limit=20",
        "groups=1&groups=2&modified_date__gte=2024-01-01&limit=50",
        "email=deniz.kaya@example.com",
    ],
)
def test_list_page(benchmark, spec, rules, dataset, text):
    parsed = _query(spec, rules, text)
    body = benchmark(handlers.list_records, dataset, parsed, "http://127.0.0.1/users/?" + text)
    assert body.startswith(b'{"count":')


def test_detail(benchmark, spec, rules, dataset):
    parsed = _query(spec, rules, "limit=1")
    body = benchmark(
        handlers.retrieve_record, dataset, parsed, "http://127.0.0.1/users/76543/", "76543"
    )
    assert b'"id":76543' in body


def test_parse_query(benchmark, spec, rules):
    text = "is_active=true&sort=-date_joined,id&limit=20&modified_date__gt=2024-01-01T00:00:00Z"
    parsed = benchmark(_query, spec, rules, text)
    assert parsed.limit == 20


def test_select_two_filters(benchmark, spec, rules, dataset):
    parsed = _query(spec, rules, "is_active=true&gender=female")
    rows = benchmark(query.select, dataset, parsed.filters)
    assert 0 < len(rows) < len(dataset)


def test_serialize_100_records(benchmark, dataset):
    rows = list(range(100))
    joined = benchmark(lambda: b",".join(dataset.records(rows)))
    assert joined.count(b'"pk":') == 100
