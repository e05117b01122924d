"""The compatibility report: every operation with how it is served, every parameter as
modelled or accepted but not modelled, and the counts in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers_api import ROOT
from helpers_drf import SERVICE_DIR

from mockserver.contract import compatibility
from mockserver.contract.spec import Spec

SHOP = SERVICE_DIR / "openapi.yaml"


@pytest.fixture(scope="module")
def shop() -> Spec:
    return Spec.load(SHOP)


def test_every_operation_is_listed_once(shop):
    report = compatibility.report(shop)
    listed = [(o["method"], o["path"]) for o in report["operations"]]
    assert sorted(listed) == sorted((op.method, op.path) for op in shop.operations)
    assert sum(report["counts"].values()) == len(shop.operations) == 23


def test_the_counts_by_kind(shop):
    assert compatibility.counts(shop) == {
        "collection": 5,
        "detail": 6,
        "singleton": 1,
        "nested collection": 1,
        "action": 3,
        "generated from its schema": 1,
        "no response body": 1,
        "create": 1,
        "update": 2,
        "delete": 1,
        "login": 1,
    }


def test_the_summary_line(shop):
    assert compatibility.summary(shop) == (
        "23 operations: 5 collection, 6 detail, 1 singleton, 1 nested collection, 3 action, "
        "1 generated from its schema, 1 no response body, 1 create, 2 update, 1 delete, "
        "1 login; "
        "1 parameter accepted, not modelled"
    )


@pytest.mark.parametrize(
    ("path", "name", "expected"),
    [
        pytest.param(
            "/products/",
            "price__gte",
            {"name": "price__gte", "modelled": True, "field": "price", "lookup": "gte"},
            id="a field's lookup",
        ),
        pytest.param(
            "/bundles/",
            "offset",
            {"name": "offset", "modelled": True, "control": "offset"},
            id="a paginator's control",
        ),
        pytest.param(
            "/bundles/",
            "category__slug",
            {"name": "category__slug", "modelled": True, "field": "category", "lookup": "related"},
            id="a lookup across a nested serializer",
        ),
        pytest.param(
            "/bundles/", "q", {"name": "q", "modelled": False}, id="a custom filter method"
        ),
    ],
)
def test_each_parameter_says_what_it_does(shop, path, name, expected):
    entry = next(
        o
        for o in compatibility.report(shop)["operations"]
        if o["path"] == path and o["method"] == "GET"
    )
    assert next(p for p in entry["parameters"] if p["name"] == name) == expected


def test_a_nested_list_names_its_scope(shop):
    entry = compatibility.operation(shop.operation("categories_products_list"))
    assert (entry["served"], entry["resource"], entry["pagination"], entry["scope"]) == (
        "nested collection",
        "/products/",
        "page",
        {"parameter": "category_slug", "parent": "/categories/", "field": "category"},
    )


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_check_json_is_the_report():
    done = _check("--spec", str(SHOP), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["counts"]["nested collection"] == 1
    assert report["warnings"] == [
        f"{SHOP}: paths /bundles/ get parameter 'q': accepted, not modelled (no field is "
        "named 'q'; x-filter: {field, lookup} or x-query says what it does)"
    ]


def test_check_strict_fails_on_warnings():
    done = _check("--spec", str(SHOP), "--strict")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"mockserver: error: {SHOP}: 1 warning (check --strict)"


def test_check_strict_passes_a_spec_without_warnings():
    done = _check("--strict")
    assert done.returncode == 0, done.stderr
