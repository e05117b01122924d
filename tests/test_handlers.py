"""The generic handlers on the shop spec's datasets, called directly with parsed queries."""

from __future__ import annotations

import orjson
import pytest

from mockserver import state
from mockserver.contract.resource import Paging, Reply
from mockserver.engine import handlers, params
from mockserver.errors import ApiError
from mockserver.settings import Settings

SIZE = 30
BASE = "http://testserver"


@pytest.fixture(scope="module")
def shop() -> state.State:
    return state.load(
        Settings(spec="tests/drfservice/openapi.yaml", size=SIZE, cache_dir="", lenient=True)
    )


@pytest.fixture(scope="module")
def decoded(shop):
    """Every record of each resource, decoded, by resource path."""
    return {
        path: [orjson.loads(served.dataset.record(r)) for r in range(len(served.dataset))]
        for path, served in shop.served.items()
    }


@pytest.fixture(scope="module")
def call(shop):
    """`call(operation_id, query pairs, *args)`: parse as the server does, run the handler."""

    def run(operation_id: str, items=(), url: str = "", *values) -> bytes:
        op = shop.spec.operation(operation_id)
        served = shop.served[op.resource]
        query = params.parse_query(op, list(items), served.rules)
        handler = handlers.for_operation(op, shop)
        return handler(query, url, dict(zip(op.path_params, values, strict=True)), shop.served)

    return run


def _raw(shop, path: str, rows) -> list[bytes]:
    return [shop.served[path].dataset.record(r) for r in rows]


# -- list_records -----------------------------------------------------------------------------

PAGES = [
    pytest.param(
        [("page_size", "5"), ("page", "2")],
        "/products/?page_size=5&page=2",
        range(5, 10),
        "/products/?page=3&page_size=5",
        "/products/?page_size=5",
        id="page 2 of 5",
    ),
    pytest.param(
        [("page_size", "5")],
        "/products/?page_size=5",
        range(0, 5),
        "/products/?page=2&page_size=5",
        None,
        id="page 1",
    ),
    pytest.param(
        [("page_size", "7"), ("page", "last")],
        "/products/?page=last&page_size=7",
        range(28, 30),
        None,
        "/products/?page=4&page_size=7",
        id="the last page",
    ),
    pytest.param(
        [("page_size", "10"), ("page", "3")],
        "/products/?page=3&page_size=10",
        range(20, 30),
        None,
        "/products/?page=2&page_size=10",
        id="page 3 of 10, complete",
    ),
    pytest.param(
        [("page", "2")],
        "/products/?page=2",
        range(20, 30),
        None,
        "/products/",
        id="default page size 20",
    ),
    pytest.param(
        [("page_size", "1000")],
        "/products/?page_size=1000",
        range(0, 30),
        None,
        None,
        id="page size above the maximum is the maximum",
    ),
]


@pytest.mark.parametrize(("items", "target", "rows", "next_", "previous"), PAGES)
def test_list_records_envelope(shop, call, items, target, rows, next_, previous):
    body = call("products_list", items, BASE + target)
    expected = b"".join(
        (
            b'{"count":30,"next":',
            orjson.dumps(next_ and BASE + next_),
            b',"previous":',
            orjson.dumps(previous and BASE + previous),
            b',"results":[',
            b",".join(_raw(shop, "/products/", rows)),
            b"]}",
        )
    )
    assert body == expected


def test_list_records_links_sort_the_other_parameters(call):
    body = orjson.loads(
        call(
            "products_list",
            [("status", "active"), ("page_size", "2"), ("page", "2")],
            BASE + "/products/?status=active&page_size=2&page=2",
        )
    )
    assert body["next"] == BASE + "/products/?page=3&page_size=2&status=active"
    assert body["previous"] == BASE + "/products/?page_size=2&status=active"


def test_list_records_filtered(call, decoded):
    body = orjson.loads(
        call("products_list", [("status", "active"), ("page_size", "100")], BASE + "/products/")
    )
    expected = [r for r in decoded["/products/"] if r["status"] == "active"]
    assert expected, "the dataset has active products"
    assert body == {"count": len(expected), "next": None, "previous": None, "results": expected}


def test_list_records_nothing_matches(call):
    body = call("products_list", [("name", "no such product")], BASE + "/products/")
    assert body == b'{"count":0,"next":null,"previous":null,"results":[]}'


def test_list_records_ordered(call, decoded):
    body = orjson.loads(
        call("categories_list", [("ordering", "-created"), ("page_size", "3")], BASE + "/c/")
    )
    newest = sorted(decoded["/categories/"], key=lambda r: r["created"], reverse=True)[:3]
    assert [r["id"] for r in body["results"]] == [r["id"] for r in newest]


@pytest.mark.parametrize("page", ["4", "0", "x", "-1"])
def test_list_records_invalid_page(call, page):
    with pytest.raises(ApiError) as caught:
        call("products_list", [("page", page), ("page_size", "10")], BASE + "/products/")
    assert (caught.value.status, caught.value.body) == (404, {"detail": "Invalid page."})


# -- list_array -------------------------------------------------------------------------------


def test_list_array_is_a_plain_array(shop, call):
    body = call("tags_list", [], BASE + "/tags/")
    assert body == b"[" + b",".join(_raw(shop, "/tags/", range(SIZE))) + b"]"


def test_list_array_filtered_and_ordered(call, decoded):
    word = decoded["/tags/"][10]["name"].split()[1].upper()  # a word of tag 11, upper-cased
    body = orjson.loads(
        call("tags_list", [("name__icontains", word), ("ordering", "-name")], BASE + "/tags/")
    )
    matching = [r for r in decoded["/tags/"] if word in r["name"].upper()]
    assert body == _descending_name_then_id(matching)
    assert 0 < len(body) < SIZE


def _descending_name_then_id(records: list[dict]) -> list[dict]:
    """-name as the real service orders it: descending name, ties by ascending id."""
    names = sorted({r["name"] for r in records}, reverse=True)
    return [
        r for name in names for r in sorted(records, key=lambda r: r["id"]) if r["name"] == name
    ]


def test_list_array_ties_keep_ascending_id(call, decoded):
    body = orjson.loads(call("tags_list", [("ordering", "-name")], BASE + "/tags/"))
    assert body == _descending_name_then_id(decoded["/tags/"])
    names = [r["name"] for r in decoded["/tags/"]]
    assert len(set(names)) < len(names), "the dataset has two tags with one name"


def test_list_array_exact_filter(call, decoded):
    color = decoded["/tags/"][6]["color"]
    body = orjson.loads(call("tags_list", [("color", color)], BASE + "/tags/"))
    assert body == [r for r in decoded["/tags/"] if r["color"] == color]
    assert decoded["/tags/"][6] in body


def test_list_array_nothing_matches(call):
    assert call("tags_list", [("name", "no such tag")], BASE + "/tags/") == b"[]"


# -- retrieve_record --------------------------------------------------------------------------

NO_PRODUCT = {"detail": "No Product matches the given query."}
NO_CATEGORY = {"detail": "No Category matches the given query."}
NO_TAG = {"detail": "No Tag matches the given query."}
NOT_FOUND = {"detail": "Not found."}


@pytest.mark.parametrize("record_id", [1, 7, 30])
def test_retrieve_product_by_id(shop, call, record_id):
    body = call("products_retrieve", [], BASE, str(record_id))
    assert body == shop.served["/products/"].dataset.record(record_id - 1)


def test_retrieve_tag_by_id(shop, call):
    assert call("tags_retrieve", [], BASE, "12") == shop.served["/tags/"].dataset.record(11)


@pytest.mark.parametrize("row", [0, 1, 29])
def test_retrieve_category_by_slug(shop, call, decoded, row):
    slug = decoded["/categories/"][row]["slug"]
    body = call("categories_retrieve", [], BASE, slug)
    assert body == shop.served["/categories/"].dataset.record(row)


MISSING = [
    pytest.param("products_retrieve", "999", NO_PRODUCT, id="no product 999"),
    pytest.param("products_retrieve", "0", NO_PRODUCT, id="no product 0"),
    pytest.param("products_retrieve", "-1", NO_PRODUCT, id="no product -1"),
    pytest.param("products_retrieve", "9" * 30, NO_PRODUCT, id="beyond int64"),
    pytest.param("products_retrieve", "abc", NOT_FOUND, id="abc is no integer"),
    pytest.param("products_retrieve", "1.0", NOT_FOUND, id="1.0 is no integer"),
    pytest.param("products_retrieve", "", NOT_FOUND, id="empty"),
    pytest.param("tags_retrieve", "31", NO_TAG, id="no tag 31"),
    pytest.param("tags_retrieve", "x", NOT_FOUND, id="tag x"),
    pytest.param("categories_retrieve", "nope", NO_CATEGORY, id="no such slug"),
    pytest.param("categories_retrieve", "1", NO_CATEGORY, id="an id is no slug"),
]


@pytest.mark.parametrize(("operation_id", "value", "body"), MISSING)
def test_retrieve_not_found(call, operation_id, value, body):
    with pytest.raises(ApiError) as caught:
        call(operation_id, [], BASE, value)
    assert (caught.value.status, caught.value.body) == (404, body)


def test_retrieve_slug_is_case_sensitive(call, decoded):
    slug = decoded["/categories/"][3]["slug"]
    with pytest.raises(ApiError) as caught:
        call("categories_retrieve", [], BASE, slug.upper())
    assert (caught.value.status, caught.value.body) == (404, NO_CATEGORY)


def test_retrieve_reads_int_as_python_does(shop, call):
    """Django's AutoField lookup is `int(value)`: surrounding spaces and a sign are fine."""
    record = shop.served["/products/"].dataset.record(0)
    assert call("products_retrieve", [], BASE, " 1") == record
    assert call("products_retrieve", [], BASE, "+1") == record
    assert call("products_retrieve", [], BASE, "01") == record


def test_retrieve_non_ascii_digits_are_an_id(shop, call):
    """`int("١")` is 1 (Arabic-Indic one), so the real service answers product 1 for
    `/products/%D9%A1/` (the router's `[^/.]+` lets it through)."""
    assert call("products_retrieve", [], BASE, "١") == shop.served["/products/"].dataset.record(0)


def test_retrieve_applies_the_list_filters_in_lenient_mode(shop, decoded, call):
    product = decoded["/products/"][4]
    record = shop.served["/products/"].dataset.record(4)
    assert call("products_retrieve", [("status", product["status"])], BASE, "5") == record
    other = next(s for s in ("draft", "active", "retired") if s != product["status"])
    with pytest.raises(ApiError) as caught:
        call("products_retrieve", [("status", other)], BASE, "5")
    assert (caught.value.status, caught.value.body) == (404, NO_PRODUCT)


def test_retrieve_a_bad_filter_is_400_before_404(call):
    with pytest.raises(ApiError) as caught:
        call("products_retrieve", [("price__gte", "abc")], BASE, "999")
    assert (caught.value.status, caught.value.body) == (400, {"price__gte": ["Enter a number."]})


# -- singleton, for_operation, no_match -------------------------------------------------------


def test_singleton(shop, call):
    body = call("settings_retrieve", [], BASE + "/settings/")
    assert body == shop.served["/settings/"].dataset.record(0)
    assert list(orjson.loads(body)) == [
        "site_name",
        "currency",
        "maintenance",
        "max_cart_items",
        "support_email",
    ]
    assert len(shop.served["/settings/"].dataset) == 1


HANDLERS = [
    pytest.param("api_token_create", (Reply.SCHEMA, Paging.NONE), id="a write of its own"),
    pytest.param("bundles_list", (Reply.LIST, Paging.OFFSET), id="bundles_list"),
    pytest.param("bundles_retrieve", (Reply.RECORD, Paging.NONE), id="bundles_retrieve"),
    pytest.param("categories_list", (Reply.LIST, Paging.PAGE), id="categories_list"),
    pytest.param("categories_products_list", (Reply.LIST, Paging.PAGE), id="nested list"),
    pytest.param("categories_products_retrieve", (Reply.RECORD, Paging.NONE), id="nested detail"),
    pytest.param("categories_retrieve", (Reply.RECORD, Paging.NONE), id="categories_retrieve"),
    pytest.param("ping_retrieve", (Reply.EMPTY, Paging.NONE), id="no response body"),
    pytest.param("products_featured_list", (Reply.LIST, Paging.PAGE), id="list action"),
    pytest.param("products_list", (Reply.LIST, Paging.PAGE), id="products_list"),
    pytest.param("products_create", (Reply.CREATE, Paging.NONE), id="a create: writes.py"),
    pytest.param("products_update", (Reply.UPDATE, Paging.NONE), id="an update: writes.py"),
    pytest.param("products_partial_update", (Reply.UPDATE, Paging.NONE), id="a partial update"),
    pytest.param("products_destroy", (Reply.DESTROY, Paging.NONE), id="a destroy: writes.py"),
    pytest.param("products_retrieve", (Reply.RECORD, Paging.NONE), id="products_retrieve"),
    pytest.param("products_summary_retrieve", (Reply.SCHEMA, Paging.NONE), id="detail action"),
    pytest.param("reviews_list", (Reply.LIST, Paging.CURSOR), id="reviews_list"),
    pytest.param("reviews_retrieve", (Reply.RECORD, Paging.NONE), id="reviews_retrieve"),
    pytest.param("settings_retrieve", (Reply.ONE, Paging.NONE), id="settings_retrieve"),
    pytest.param("stats_retrieve", (Reply.SCHEMA, Paging.NONE), id="inline schema"),
    pytest.param("tags_list", (Reply.LIST, Paging.NONE), id="tags_list"),
    pytest.param("tags_popular_list", (Reply.LIST, Paging.NONE), id="plain list action"),
    pytest.param("tags_retrieve", (Reply.RECORD, Paging.NONE), id="tags_retrieve"),
]


@pytest.mark.parametrize(("operation_id", "served_as"), HANDLERS)
def test_for_operation(shop, operation_id, served_as):
    op = shop.spec.operation(operation_id)
    assert (op.view.reply, op.view.paging) == served_as
    writes = (Reply.CREATE, Reply.UPDATE, Reply.DESTROY)
    assert (handlers.for_operation(op, shop) is None) == (op.view.reply in writes)


def test_for_operation_covers_every_operation(shop):
    assert sorted(op.operation_id for op in shop.spec.operations) == sorted(
        p.values[0] for p in HANDLERS
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        pytest.param("/products/", "No Product matches the given query.", id="Product"),
        pytest.param("/categories/", "No Category matches the given query.", id="Category"),
        pytest.param("/tags/", "No Tag matches the given query.", id="Tag"),
        pytest.param("/settings/", "No SiteSettings matches the given query.", id="SiteSettings"),
    ],
)
def test_no_match(shop, path, message):
    assert handlers.no_match(shop.spec.resources[path]) == message


# -- answers beyond plain lists (tests/helpers_specs.py) --------------------------------------


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    from helpers_api import make_state
    from helpers_specs import blog_spec

    from mockserver.http.app import create_app

    loaded = make_state(
        spec=str(blog_spec(tmp_path_factory.mktemp("blog"))), size=12, access_log=False
    )
    token = loaded.banner_token()
    app = create_app(loaded)

    def get(target: str, headers=None):
        from helpers_api import raw_get

        status, answered, body = raw_get(
            app, target.encode(), {"Authorization": f"Token {token}", **(headers or {})}
        )
        return status, answered, body

    get.state = loaded
    return get


def _records(blog, path: str) -> list[dict]:
    dataset = blog.state.served[path].dataset
    return [orjson.loads(dataset.record(r)) for r in range(len(dataset))]


def test_a_fixed_sub_path_is_not_read_as_a_key(blog):
    status, _, body = blog("/users/me/")
    assert status == 200
    assert set(orjson.loads(body)) == {"id", "username"}


def test_a_detail_action_looks_its_record_up_first(blog):
    assert blog("/users/999/stats/")[::2] == (404, b'{"detail":"No User matches the given query."}')
    status, _, body = blog("/users/3/stats/")
    assert status == 200 and isinstance(orjson.loads(body)["posts"], int)


def test_a_generated_body_is_the_same_bytes_for_the_same_path(blog):
    first, again = blog("/users/3/stats/"), blog("/users/3/stats/")
    others = {blog(f"/users/{n}/stats/")[2] for n in range(4, 12)}
    assert first[0] == again[0] == 200
    assert first[2] == again[2]
    assert len(others - {first[2]}) >= 2  # another path, most likely another body
    assert blog("/version/")[2] == blog("/version/")[2]


def test_no_response_body_is_the_status_without_a_body(blog):
    status, headers, body = blog("/health/")
    assert (status, body, "content-type" in headers) == (200, b"", False)


def test_a_custom_envelope_keeps_results_and_fills_its_own_fields(blog):
    status, _, body = blog("/posts/")
    page = orjson.loads(body)
    assert status == 200
    assert list(page) == ["results", "pagination"]
    assert page["results"] == _records(blog, "/posts/")
    assert page["pagination"] == {"current": 1}  # the page's own figure, not a draw


def test_a_detail_by_slug_of_items_without_id(blog):
    post = _records(blog, "/posts/")[4]
    status, _, body = blog(f"/posts/{post['slug']}/")
    assert (status, orjson.loads(body)) == (200, post)


def test_a_detail_by_uuid_on_a_path_without_its_slash(blog):
    note = _records(blog, "/notes")[2]
    assert blog(f"/notes/{note['uuid']}")[::2] == (200, orjson.dumps(note))
    assert blog(f"/notes/{note['uuid'].upper()}")[0] == 200
    assert blog("/notes/not-a-uuid")[::2] == (404, b'{"detail":"Not found."}')


def test_nested_lists_split_the_records_among_the_parents(blog):
    posts = _records(blog, "/posts/")
    comments = _records(blog, "/posts/{slug}/comments/")
    seen = []
    for post in posts:
        status, _, body = blog(f"/posts/{post['slug']}/comments/")
        assert status == 200
        seen += orjson.loads(body)
    assert sorted(seen, key=orjson.dumps) == sorted(comments, key=orjson.dumps)
    # `/posts/{slug}/comments/` beside the detail `/posts/{slug}/`: a DRF router's detail
    # @action (drf-nested-routers would name it `{post_slug}`), whose get_object() is 404
    # for a post that does not exist (found by Schemathesis: objects-api's history of a
    # deleted object was 200, ST301).
    status, _, body = blog("/posts/no-such-post/comments/")
    assert (status, orjson.loads(body)) == (404, {"detail": "No Post matches the given query."})


def test_a_list_action_of_the_same_model_lists_the_collection(blog):
    status, _, body = blog("/posts/recent/")
    assert (status, orjson.loads(body)) == (200, _records(blog, "/posts/"))


def test_a_path_value_its_parameter_cannot_be_names_nothing(blog):
    """`/users/abc/stats/`: Django's `<int:...>` route, or get_object(), finds nothing."""
    assert blog("/users/abc/stats/")[::2] == (404, b'{"detail":"Not found."}')
    assert blog("/users/1.5/stats/")[::2] == (404, b'{"detail":"Not found."}')


OBJECTS_KEY = "0123456789abcdef0123456789abcdef01234567"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
PARENTS = [
    # Found by Schemathesis (objects-api, stateful: ST301): the history of a deleted object
    # was 200 and an empty list; ObjectViewSet.history is a detail @action (get_object()).
    ("a detail action's unknown parent", f"/objects/{UNKNOWN}/history", 404),
    # drf-nested-routers names the parent `{objecttype_uuid}` and filters the queryset by it.
    ("a nested router's unknown parent", f"/objecttypes/{UNKNOWN}/versions", 200),
]


@pytest.mark.parametrize(("path", "status"), [p[1:] for p in PARENTS], ids=[p[0] for p in PARENTS])
def test_a_detail_action_s_list_is_404_for_an_unknown_parent(path, status):
    from helpers_api import make_client, make_state

    client = make_client(
        make_state(spec="tests/realspecs/objects-api.yaml", size=3, token=(OBJECTS_KEY,))
    )
    auth = {"Authorization": f"Token {OBJECTS_KEY}", "Accept-Crs": "EPSG:4326"}
    assert client.get(path, headers=auth).status_code == status


def test_a_deleted_object_s_history_is_404():
    from helpers_api import make_client, make_state

    client = make_client(
        make_state(spec="tests/realspecs/objects-api.yaml", size=3, token=(OBJECTS_KEY,))
    )
    auth = {"Authorization": f"Token {OBJECTS_KEY}", "Accept-Crs": "EPSG:4326",
            "X-Mock-Session": "deleted"}  # fmt: skip
    uuid = client.get("/objects", headers=auth).json()["results"][0]["uuid"]
    assert client.get(f"/objects/{uuid}/history", headers=auth).status_code == 200
    assert client.delete(f"/objects/{uuid}", headers=auth).status_code == 204
    assert client.get(f"/objects/{uuid}/history", headers=auth).status_code == 404


def test_one_sampler_per_spec_shared_by_reads_and_writes(shop):
    """A sampler keeps each schema node's merged form and validator: the generated reads and
    the writes answered from a schema (mockserver/engine/writes.py) share one per spec."""
    sampler = handlers.sampler_of(shop)
    assert handlers.sampler_of(shop) is sampler
    other = state.load(Settings(cache_dir="", size=3))
    assert handlers.sampler_of(other) is not sampler
