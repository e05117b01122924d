"""OpenAPI Overlay 1.0 files: overlay.apply, its errors, and `--overlay` through the real CLI."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mockserver.contract import overlay
from mockserver.contract.yamlio import load_yaml
from mockserver.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SHOP = "tests/drfservice/openapi.yaml"
INFO = {"title": "Shop mock annotations", "version": "1"}
PRODUCTS_GET = "$.paths['/products/'].get"
PRICE_GT = "$.paths['/products/'].get.parameters[?name == 'price__gt']"


@pytest.fixture(scope="module")
def shop() -> dict:
    return load_yaml(ROOT / SHOP)


@pytest.fixture
def write(tmp_path):
    """`write(actions)` or `write(document=...)`: an overlay file in tmp_path, and its path."""

    def make(actions=None, document=None) -> Path:
        path = tmp_path / "overlay.yaml"
        if document is None:
            document = {"overlay": "1.0.0", "info": INFO, "actions": actions}
        text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return make


def _parameter(document: dict, name: str) -> dict | None:
    parameters = document["paths"]["/products/"]["get"]["parameters"]
    return next((p for p in parameters if p["name"] == name), None)


def _names(document: dict) -> list[str]:
    return [p["name"] for p in document["paths"]["/products/"]["get"]["parameters"]]


# -- apply ------------------------------------------------------------------------------------


def test_update_merges_objects_key_by_key(write, shop):
    path = write(
        [
            {
                "target": "$.info",
                "update": {"title": "Shop (mock)", "contact": {"name": "Team"}},
            },
            {"target": "$.info.contact", "update": {"email": "team@example.com"}},
        ]
    )
    result = overlay.apply(shop, path)
    assert result["info"] == {
        "title": "Shop (mock)",
        "version": "1.0.0",
        "description": (
            "A small shop: products read and written; categories, tags and settings read."
        ),
        "contact": {"name": "Team", "email": "team@example.com"},
    }


def test_update_merges_nested_objects(write, shop):
    target = "$.components.schemas.Product.properties"
    path = write([{"target": target, "update": {"name": {"x-faker": {"faker": "word"}}}}])
    result = overlay.apply(shop, path)
    assert result["components"]["schemas"]["Product"]["properties"]["name"] == {
        "type": "string",
        "maxLength": 80,
        "x-faker": {"faker": "word"},
    }
    # Every other property is untouched.
    before = dict(shop["components"]["schemas"]["Product"]["properties"])
    after = dict(result["components"]["schemas"]["Product"]["properties"])
    before.pop("name")
    after.pop("name")
    assert after == before


def test_update_appends_to_a_list_in_an_object(write, shop):
    path = write([{"target": PRODUCTS_GET, "update": {"tags": ["catalogue"]}}])
    result = overlay.apply(shop, path)
    assert result["paths"]["/products/"]["get"]["tags"] == ["products", "catalogue"]


def test_update_of_a_list_target_appends_the_value(write, shop):
    extra = {"in": "query", "name": "colour", "schema": {"type": "string"}}
    path = write([{"target": f"{PRODUCTS_GET}.parameters", "update": extra}])
    result = overlay.apply(shop, path)
    assert _names(result) == [*_names(shop), "colour"]
    assert result["paths"]["/products/"]["get"]["parameters"][-1] == extra


def test_update_of_a_list_target_with_a_list_appends_each_item(write, shop):
    path = write([{"target": "$.paths['/tags/'].get.tags", "update": ["labels", "colours"]}])
    result = overlay.apply(shop, path)
    assert result["paths"]["/tags/"]["get"]["tags"] == ["tags", "labels", "colours"]


def test_update_replaces_scalars(write, shop):
    path = write(
        [{"target": "$.components.schemas.Tag.properties.name", "update": {"maxLength": 9}}]
    )
    result = overlay.apply(shop, path)
    assert result["components"]["schemas"]["Tag"]["properties"]["name"] == {
        "type": "string",
        "maxLength": 9,
    }


def test_update_through_a_filter_target(write, shop):
    path = write([{"target": PRICE_GT, "update": {"x-filter": {"field": "price", "lookup": "gt"}}}])
    result = overlay.apply(shop, path)
    assert _parameter(result, "price__gt") == {
        "in": "query",
        "name": "price__gt",
        "schema": {"type": "number"},
        "x-filter": {"field": "price", "lookup": "gt"},
    }
    assert _parameter(result, "price__gte") == _parameter(shop, "price__gte")


def test_update_every_match_of_a_wildcard(write, shop):
    path = write([{"target": "$.paths.*.get", "update": {"x-mark": 1}}])
    result = overlay.apply(shop, path)
    marked = [p for p, item in result["paths"].items() if item.get("get", {}).get("x-mark") == 1]
    assert marked == [p for p, item in shop["paths"].items() if "get" in item]


def test_remove_deletes_a_key(write, shop):
    path = write([{"target": "$.paths['/settings/']", "remove": True}])
    result = overlay.apply(shop, path)
    assert list(result["paths"]) == [p for p in shop["paths"] if p != "/settings/"]


def test_remove_deletes_a_nested_key(write, shop):
    path = write([{"target": "$.components.schemas.Product.properties.website", "remove": True}])
    result = overlay.apply(shop, path)
    properties = result["components"]["schemas"]["Product"]["properties"]
    assert "website" not in properties
    assert len(properties) == len(shop["components"]["schemas"]["Product"]["properties"]) - 1


def test_remove_deletes_a_list_item_by_filter(write, shop):
    path = write([{"target": PRICE_GT, "remove": True}])
    result = overlay.apply(shop, path)
    assert _names(result) == [n for n in _names(shop) if n != "price__gt"]


def test_remove_deletes_a_list_item_by_index(write):
    path = write([{"target": "$.items[1]", "remove": True}])
    assert overlay.apply({"items": ["a", "b", "c"]}, path) == {"items": ["a", "c"]}


def test_remove_deletes_every_matched_list_item(write):
    document = {"items": [{"n": "a"}, {"n": "b"}, {"n": "c"}, {"n": "d"}, {"n": "e"}]}
    path = write([{"target": "$.items[?n != 'b']", "remove": True}])
    assert overlay.apply(document, path) == {"items": [{"n": "b"}]}


def test_remove_false_with_update_is_an_update(write):
    path = write([{"target": "$.a", "update": {"b": 2}, "remove": False}])
    assert overlay.apply({"a": {"b": 1}}, path) == {"a": {"b": 2}}


def test_actions_apply_in_order(write, shop):
    x_resource = f"{PRODUCTS_GET}.x-resource"
    path = write(
        [
            {"target": PRODUCTS_GET, "update": {"x-resource": {"size": 1, "search": ["name"]}}},
            {"target": x_resource, "update": {"size": 2}},
            {"target": f"{x_resource}.search", "remove": True},
            {"target": x_resource, "update": {"sortable": ["id"]}},
        ]
    )
    result = overlay.apply(shop, path)
    assert result["paths"]["/products/"]["get"]["x-resource"] == {"size": 2, "sortable": ["id"]}


def test_an_action_sees_what_an_earlier_one_removed(write, shop):
    path = write(
        [
            {"target": "$.paths['/tags/']", "remove": True},
            {"target": "$.paths['/tags/'].get", "update": {"x-resource": {"size": 3}}},
        ]
    )
    with pytest.raises(ConfigError) as caught:
        overlay.apply(shop, path)
    assert str(caught.value) == (
        f"{path}: actions[2] target \"$.paths['/tags/'].get\" selects nothing"
    )


def test_the_document_given_is_not_modified(write, shop):
    before = copy.deepcopy(shop)
    path = write(
        [
            {"target": "$.info", "update": {"title": "changed"}},
            {"target": PRICE_GT, "update": {"x-filter": {"field": "price", "lookup": "gt"}}},
            {"target": "$.paths['/products/'].get.tags", "update": ["more"]},
            {"target": "$.paths['/settings/']", "remove": True},
        ]
    )
    result = overlay.apply(shop, path)
    assert shop == before
    assert result != before
    assert result["info"]["title"] == "changed"


def test_update_values_are_copied(write):
    """Two targets updated from one action do not share the value (nor with the file's)."""
    path = write([{"target": "$.*", "update": {"x": {"list": [1]}}}])
    result = overlay.apply({"a": {}, "b": {}}, path)
    result["a"]["x"]["list"].append(2)
    assert result["b"] == {"x": {"list": [1]}}


# -- errors -----------------------------------------------------------------------------------

NOT_OVERLAY = "is not an OpenAPI Overlay 1.x document (`overlay: 1.0.0`)"
NO_ACTIONS = "actions: needs a list of at least one action"
ONE_OF = "needs exactly one of `update` or `remove: true`"

DOCUMENT_ERRORS = [
    pytest.param({"openapi": "3.0.3", "actions": []}, NOT_OVERLAY, id="an OpenAPI document"),
    pytest.param(
        {"overlay": "2.0.0", "info": INFO, "actions": [{"target": "$", "remove": True}]},
        NOT_OVERLAY,
        id="overlay 2.0.0",
    ),
    pytest.param("- overlay: 1.0.0\n", NOT_OVERLAY, id="a list"),
    pytest.param("", NOT_OVERLAY, id="an empty file"),
    pytest.param({"overlay": "1.0.0", "info": INFO}, NO_ACTIONS, id="no actions"),
    pytest.param({"overlay": "1.0.0", "info": INFO, "actions": []}, NO_ACTIONS, id="empty"),
    pytest.param(
        {"overlay": "1.0.0", "info": INFO, "actions": {"target": "$"}},
        NO_ACTIONS,
        id="actions as a mapping",
    ),
    pytest.param(
        "overlay: 1.0.0\nactions: [\n",
        # libyaml's wording (PyYAML's own parser says "expected the node content, ...").
        "is not valid YAML (line 3, column 1): did not find expected node content",
        id="broken YAML",
    ),
]


@pytest.mark.parametrize(("document", "message"), DOCUMENT_ERRORS)
def test_document_errors(write, document, message):
    path = write(document=document)
    with pytest.raises(ConfigError) as caught:
        overlay.apply({"openapi": "3.0.3"}, path)
    assert str(caught.value) == f"{path}: {message}"


def test_a_missing_overlay_file(tmp_path):
    path = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError) as caught:
        overlay.apply({}, path)
    assert str(caught.value) == f"{path}: cannot be read: No such file or directory"


GOOD = {"target": "$.info", "update": {"x-good": True}}

ACTION_ERRORS = [
    pytest.param([{"target": "$.info"}], f"actions[1]: {ONE_OF}", id="neither"),
    pytest.param(
        [{"target": "$.info", "remove": False}], f"actions[1]: {ONE_OF}", id="remove false only"
    ),
    pytest.param(
        [GOOD, {"target": "$.info", "update": {"a": 1}, "remove": True}],
        f"actions[2]: {ONE_OF}",
        id="both, second action",
    ),
    pytest.param([{"update": {"a": 1}}], "actions[1]: needs a `target`", id="no target"),
    pytest.param([GOOD, "$.info"], "actions[2]: needs a `target`", id="an action that is text"),
    pytest.param(
        [GOOD, GOOD, {"target": "$.paths['/nope/']", "remove": True}],
        "actions[3] target \"$.paths['/nope/']\" selects nothing",
        id="a target that selects nothing",
    ),
    pytest.param(
        [{"target": "$.components.schemas.Nope.properties", "update": {"a": {}}}],
        "actions[1] target '$.components.schemas.Nope.properties' selects nothing",
        id="an update target that selects nothing",
    ),
    pytest.param(
        [{"target": "$.paths[", "remove": True}],
        "actions[1] target: Parse error near the end of string!",
        id="unparsable: unclosed bracket",
    ),
    pytest.param(
        [GOOD, {"target": "$.items[?n ==]", "update": {}}],
        "actions[2] target: Parse error at 1:13 near token ] (])",
        id="unparsable: filter without a value",
    ),
    pytest.param(
        [{"target": "paths products", "remove": True}],
        "actions[1] target: Parse error at 1:6 near token products (ID)",
        id="unparsable: two words",
    ),
    pytest.param(
        [{"target": "$.info.title", "update": {"a": 1}}],
        "actions[1]: `update` must be a mapping for '$.info.title'",
        id="update of a scalar",
    ),
    pytest.param(
        [{"target": "$.info", "update": ["a"]}],
        "actions[1]: `update` must be a mapping for '$.info'",
        id="a list update of an object",
    ),
]


@pytest.mark.parametrize(("actions", "message"), ACTION_ERRORS)
def test_action_errors(write, shop, actions, message):
    path = write(actions)
    with pytest.raises(ConfigError) as caught:
        overlay.apply(shop, path)
    assert caught.value.source == str(path)
    assert caught.value.message == message


# -- through the CLI --------------------------------------------------------------------------

GOOD_OVERLAY = {
    "overlay": "1.0.0",
    "info": INFO,
    "actions": [
        {"target": PRODUCTS_GET, "update": {"x-resource": {"size": 12}}},
        {
            "target": "$.components.schemas.Product.properties.name",
            "update": {"x-faker": {"choice": ["Alpha", "Beta"]}},
        },
        {"target": PRICE_GT, "update": {"x-filter": {"field": "price", "lookup": "gt"}}},
    ],
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKSERVER_")}
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _overlay_file(tmp_path: Path, actions: list[dict]) -> Path:
    path = tmp_path / "mock-overlay.yaml"
    path.write_text(yaml.safe_dump({"overlay": "1.0.0", "info": INFO, "actions": actions}))
    return path


def test_check_with_a_good_overlay(tmp_path):
    path = _overlay_file(tmp_path, GOOD_OVERLAY["actions"])
    done = _cli("check", "--spec", SHOP, "--overlay", str(path))
    # The service's one custom filter method is reported, and the spec still starts.
    assert (done.returncode, done.stderr) == (
        0,
        f"mockserver: warning: {SHOP}: paths /bundles/ get parameter 'q': accepted, not "
        "modelled (no field is named 'q'; x-filter: {field, lookup} or x-query says what it "
        "does)\n",
    )
    assert done.stdout.endswith(
        f"ok: {SHOP} (/bundles/, /categories/, /products/, /reviews/, /settings/, /tags/) "
        "and 1 tokens are valid\n"
        "served: 23 operations: 5 collection, 6 detail, 1 singleton, 1 nested collection, "
        "3 action, 1 generated from its schema, 1 no response body, 1 create, 2 update, "
        "1 delete, 1 login; 1 parameter accepted, not modelled\n"
    )


CLI_ERRORS = [
    pytest.param(
        [{"target": PRODUCTS_GET, "update": {"x-resource": {"sortable": ["id", "colour"]}}}],
        "paths /products/ get x-resource sortable names unknown field 'colour'",
        id="x-resource with an unknown field",
    ),
    pytest.param(
        [{"target": PRICE_GT, "update": {"x-filter": {"field": "price", "lookup": "above"}}}],
        "paths /products/ get parameter 'price__gt': x-filter has unknown lookup 'above'",
        id="x-filter with an unknown lookup",
    ),
    pytest.param(
        [
            {
                "target": "$.components.schemas.Product.properties.name",
                "update": {"x-faker": {"fakr": "name"}},
            }
        ],
        "components/schemas/Product/name/x-faker needs exactly one of sequence, integer, "
        "decimal, ref, refs, same_as, bool, choice, locale, faker, template, datetime, date, "
        "object, shape, subset, float, sample, copy",
        id="x-faker with an unknown rule",
    ),
    pytest.param(
        [{"target": PRODUCTS_GET, "update": {"x-resource": {"relations": {"category": "/b/"}}}}],
        "paths /products/ get x-resource relations category: '/b/' is no collection",
        id="a relation to an unknown collection",
    ),
]


@pytest.mark.parametrize(("actions", "message"), CLI_ERRORS)
def test_check_reports_an_overlay_annotation_error(tmp_path, actions, message):
    path = _overlay_file(tmp_path, actions)
    done = _cli("check", "--spec", SHOP, "--overlay", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"mockserver: error: {SHOP}: {message}"]


def test_check_reports_a_bad_overlay_by_its_own_path(tmp_path):
    path = _overlay_file(tmp_path, [{"target": "$.paths['/nope/']", "remove": True}])
    done = _cli("check", "--spec", SHOP, "--overlay", str(path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"mockserver: error: {path}: actions[1] target \"$.paths['/nope/']\" selects nothing"
    ]


def test_export_follows_the_overlay_and_leaves_the_spec_alone(tmp_path):
    spec_bytes = (ROOT / SHOP).read_bytes()
    path = _overlay_file(tmp_path, GOOD_OVERLAY["actions"])
    args = ("--overlay", str(path), "--path", "/products/", "--size", "5", "--cache-dir", "")
    done = _cli("export", "--spec", SHOP, *args)
    assert (done.returncode, done.stderr) == (0, "")
    records = json.loads(done.stdout)
    assert [r["id"] for r in records] == list(range(1, 13))
    assert {r["name"] for r in records} == {"Alpha", "Beta"}
    # The collections it relates to keep --size.
    assert all(r["category"] is None or 1 <= r["category"] <= 5 for r in records)
    assert all(1 <= tag <= 5 for r in records for tag in r["tags"])
    assert (ROOT / SHOP).read_bytes() == spec_bytes
