"""Everything a server needs, loaded once: routes in Django's order, collections built before
those that copy their records, records that nest other collections' records."""

from __future__ import annotations

import orjson
import pytest
from helpers_api import make_state
from helpers_drf import SERVICE_DIR

from mockserver import state
from mockserver.contract.spec import Spec

SHOP = SERVICE_DIR / "openapi.yaml"


@pytest.fixture(scope="module")
def shop():
    return make_state(spec=str(SHOP), size=15, access_log=False)


def test_fixed_routes_come_before_parameters(shop):
    order = [route.pattern.pattern for route in shop.routes]
    assert order.index(r"/tags/popular/\Z") < order.index(r"/tags/(?P<id>[^/]+)/\Z")
    assert order.index(r"/products/featured/\Z") < order.index(r"/products/(?P<id>[^/]+)/\Z")
    assert shop.route("/tags/popular/").route.operations["GET"].operation_id == "tags_popular_list"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param("/products/", "/products/", id="a collection"),
        pytest.param("/products/7/", "/products/{id}/", id="a detail"),
        pytest.param("/products/featured/", "/products/featured/", id="a fixed route first"),
        pytest.param("/products/7/x/", None, id="no such route under a known prefix"),
        pytest.param("/nothing/", None, id="no such prefix"),
        pytest.param("/", None, id="the root, not documented"),
        pytest.param("products/", None, id="no leading slash"),
    ],
)
def test_a_path_is_routed_among_the_routes_of_its_first_segment(shop, path, expected):
    found = shop.route(path)
    assert (found.route.operations["GET"].path if found else None) == expected
    every = next((r for r in shop.routes if r.pattern.match(path)), None)
    assert (found.route if found else None) is every  # the same as trying every route


@pytest.mark.parametrize(
    ("paths", "path", "expected"),
    [
        pytest.param(["/{lang}/pages/", "/en/pages/"], "/en/pages/", "/en/pages/",
                     id="a fixed route before a parameter, under any prefix"),
        pytest.param(["/{lang}/pages/"], "/fr/pages/", "/{lang}/pages/",
                     id="a parameter first: any first segment"),
        pytest.param(["/", "/{lang}/"], "/", "/", id="the root"),
        pytest.param(["/{lang}/", "/about/"], "/about/", "/about/", id="fixed before a parameter"),
    ],
)  # fmt: skip
def test_a_route_that_starts_with_a_parameter_is_tried_for_every_path(
    tmp_path, paths, path, expected
):
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Pages", "version": "1"},
        "paths": {p: {"get": {"responses": {"200": {"description": "ok"}}}} for p in paths},
    }
    spec = tmp_path / "pages.json"
    spec.write_bytes(orjson.dumps(doc))
    pages = make_state(spec=str(spec), size=1, access_log=False)
    assert pages.route(path).route.operations["GET"].path == expected


@pytest.mark.parametrize(
    ("operations", "allow"),
    [
        pytest.param({"GET": None}, b"GET, HEAD, OPTIONS", id="a read"),
        pytest.param({"POST": None}, b"POST, OPTIONS", id="a write only"),
        pytest.param(
            {"DELETE": None, "PUT": None, "GET": None, "PATCH": None},
            b"GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
            id="a detail, in DRF's order",
        ),
    ],
)
def test_allowed(operations, allow):
    assert state.allowed(operations) == allow


def test_collections_nested_by_others_are_built_first():
    spec = Spec.load(SHOP)
    order = state.build_order(spec)
    assert order.index("/categories/") < order.index("/bundles/")
    assert order.index("/tags/") < order.index("/bundles/")
    assert state.copies_of(spec, spec.resources["/bundles/"]) == {
        "category": ("/categories/", False),
        "tags": ("/tags/", True),
    }


def test_a_nested_serializer_holds_records_of_its_collection(shop):
    categories = [
        orjson.loads(record) for record in shop.served["/categories/"].dataset.records(range(15))
    ]
    tags = [orjson.loads(record) for record in shop.served["/tags/"].dataset.records(range(15))]
    dataset = shop.served["/bundles/"].dataset
    bundles = [orjson.loads(record) for record in dataset.records(range(len(dataset)))]
    assert all(b["category"] is None or b["category"] in categories for b in bundles)
    assert all(tag in tags for b in bundles for tag in b["tags"])
    assert any(b["category"] for b in bundles) and any(b["tags"] for b in bundles)


def test_a_unique_field_s_generated_values_never_repeat(tmp_path):
    from helpers_writes import shop_spec

    from mockserver.settings import Settings

    loaded = state.load(Settings(spec=str(shop_spec(tmp_path)), size=500, cache_dir=""))
    skus = [orjson.loads(r)["sku"] for r in loaded.served["/products/"].dataset.records(range(30))]
    assert len(set(skus)) == len(skus) == 30


def test_a_unique_field_its_rule_repeats_stops_the_load(tmp_path):
    import copy

    import yaml
    from helpers_writes import SHOP

    from mockserver.errors import ConfigError
    from mockserver.settings import Settings

    spec = copy.deepcopy(SHOP)
    spec["components"]["schemas"]["Product"]["properties"]["sku"]["x-faker"] = {
        "choice": {"A": 0.5, "B": 0.5}
    }
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        state.load(Settings(spec=str(path), size=20, cache_dir=""))
    assert str(caught.value) == (
        f"{path}: components/schemas/Product/sku/x-faker makes repeated values of a unique field"
    )


DOT_SEGMENTS = [
    # coordnet's `re_path(r"llm/.*")`, which drf-spectacular writes `/api/llm/.`: clients
    # send `/api/llm/` (RFC 3986 remove_dot_segments), where Django routes it to the same
    # view (found by Schemathesis: the mock answered 404, ST103). No body: the view's
    # serializer answers 400, its fields required.
    ("/api/llm/", 400),
    ("/api/llm/.", 400),
    ("/api/llm/x", 404),
]


@pytest.mark.parametrize(("path", "status"), DOT_SEGMENTS, ids=[d[0] for d in DOT_SEGMENTS])
def test_a_path_with_a_dot_segment_is_routed_as_clients_send_it(path, status):
    from helpers_api import create_app, raw_get

    key = "k" * 40
    spec = "tests/realspecs/coordnet.yaml"
    app = create_app(make_state(spec=spec, size=3, access_log=False, token=(key,)))
    answer = raw_get(app, path.encode(), {"Authorization": f"Token {key}"}, method="POST")
    assert answer[0] == status, answer
