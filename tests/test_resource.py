"""resource.discover: the resources of a drf-spectacular spec, and its x-resource errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockserver.contract import packaged
from mockserver.contract.resource import ARRAY, CURSOR, OBJECT, PAGE, Kind, Paging, Scope, _singular
from mockserver.contract.spec import Spec
from mockserver.errors import ConfigError

SHOP = Path("tests/drfservice/openapi.yaml")

PRODUCT_FIELDS = (
    "id",
    "name",
    "slug",
    "description",
    "sku",
    "price",
    "stock",
    "is_available",
    "status",
    "category",
    "tags",
    "email",
    "website",
    "created",
    "released",
    "rating",
    "updated",
)


@pytest.fixture(scope="module")
def shop() -> Spec:
    return Spec.load(SHOP)


# -- the shop spec ----------------------------------------------------------------------------


def test_shop_resources_in_the_spec_order(shop):
    assert list(shop.resources) == [
        "/bundles/",
        "/categories/",
        "/products/",
        "/reviews/",
        "/settings/",
        "/tags/",
    ]


SHAPES = [
    pytest.param("/bundles/", "bundles", "Bundle", PAGE, "uuid", "uuid", id="bundles by uuid"),
    pytest.param("/reviews/", "reviews", "Review", CURSOR, "id", "id", id="reviews by cursor"),
    pytest.param("/categories/", "categories", "Category", PAGE, "slug", "slug", id="categories"),
    pytest.param("/products/", "products", "Product", PAGE, "id", "id", id="products"),
    pytest.param("/settings/", "settings", "SiteSettings", OBJECT, "id", None, id="settings"),
    pytest.param("/tags/", "tags", "Tag", ARRAY, "id", "id", id="tags"),
]


@pytest.mark.parametrize(("path", "name", "model", "shape", "lookup", "lookup_field"), SHAPES)
def test_shop_resource_shape(shop, path, name, model, shape, lookup, lookup_field):
    resource = shop.resources[path]
    assert resource.path == path
    assert resource.name == name
    assert resource.model == model
    assert resource.shape == shape
    assert (resource.lookup, resource.lookup_field) == (lookup, lookup_field)
    assert resource.where == f"components/schemas/{model}"
    assert resource.size is None
    assert resource.example is None


def test_shop_item_schemas_are_resolved(shop):
    product = shop.resources["/products/"]
    assert tuple(product.fields) == PRODUCT_FIELDS
    # `status` is a $ref to StatusEnum in the spec; the resource holds it resolved.
    assert product.fields["status"]["enum"] == ["draft", "active", "retired"]
    assert "$ref" not in str(product.schema)


SORTABLE = [
    pytest.param(
        "/products/",
        (
            "id",
            "name",
            "slug",
            "description",
            "sku",
            "price",
            "stock",
            "is_available",
            "status",
            "category",
            "email",
            "website",
            "created",
            "released",
            "rating",
            "updated",
        ),
        id="products: every field but the tags list",
    ),
    pytest.param("/categories/", ("id", "name", "slug", "description", "created"), id="categories"),
    pytest.param("/tags/", ("id", "name", "color"), id="tags"),
    pytest.param(
        "/settings/",
        ("site_name", "currency", "maintenance", "max_cart_items", "support_email"),
        id="settings",
    ),
]


@pytest.mark.parametrize(("path", "expected"), SORTABLE)
def test_shop_sortable(shop, path, expected):
    assert shop.resources[path].sortable == expected


SEARCH = [
    pytest.param(
        "/products/",
        ("name", "slug", "description", "email", "website"),
        id="products: text, email and the oneOf website; not sku, status or price",
    ),
    pytest.param("/categories/", ("name", "slug", "description"), id="categories"),
    pytest.param("/tags/", ("name", "color"), id="tags"),
    pytest.param("/settings/", ("site_name", "currency", "support_email"), id="settings"),
]


@pytest.mark.parametrize(("path", "expected"), SEARCH)
def test_shop_search(shop, path, expected):
    assert shop.resources[path].search == expected


def test_shop_relations_are_inferred(shop):
    assert shop.resources["/products/"].relations == {
        "category": "/categories/",
        "tags": "/tags/",
    }
    assert shop.resources["/reviews/"].relations == {"product": "/products/"}
    for path in ("/bundles/", "/categories/", "/settings/", "/tags/"):
        assert shop.resources[path].relations == {}


def test_shop_operations_belong_to_their_resources(shop):
    assert {op.operation_id: (op.resource, op.view.kind) for op in shop.operations} == {
        "api_token_create": (None, Kind.LOGIN),
        "bundles_list": ("/bundles/", Kind.COLLECTION),
        "bundles_retrieve": ("/bundles/", Kind.DETAIL),
        "categories_list": ("/categories/", Kind.COLLECTION),
        "categories_products_list": ("/products/", Kind.NESTED),
        "categories_products_retrieve": ("/products/", Kind.DETAIL),
        "categories_retrieve": ("/categories/", Kind.DETAIL),
        "ping_retrieve": (None, Kind.EMPTY),
        "products_featured_list": ("/products/", Kind.ACTION),
        "products_list": ("/products/", Kind.COLLECTION),
        "products_create": ("/products/", Kind.CREATE),
        "products_update": ("/products/", Kind.UPDATE),
        "products_partial_update": ("/products/", Kind.UPDATE),
        "products_destroy": ("/products/", Kind.DESTROY),
        "products_retrieve": ("/products/", Kind.DETAIL),
        "products_summary_retrieve": ("/products/", Kind.ACTION),
        "reviews_list": ("/reviews/", Kind.COLLECTION),
        "reviews_retrieve": ("/reviews/", Kind.DETAIL),
        "settings_retrieve": ("/settings/", Kind.SINGLETON),
        "stats_retrieve": (None, Kind.GENERATED),
        "tags_list": ("/tags/", Kind.COLLECTION),
        "tags_popular_list": ("/tags/", Kind.ACTION),
        "tags_retrieve": ("/tags/", Kind.DETAIL),
    }


def test_a_nested_list_is_scoped_by_its_parent_key(shop):
    view = shop.operation("categories_products_list").view
    assert view.scope == Scope("category_slug", "/categories/", "category")


def test_users_spec_has_one_resource():
    spec = Spec.load(packaged.spec_path())
    assert list(spec.resources) == ["/users/"]
    users = spec.resources["/users/"]
    assert (users.name, users.model, users.shape) == ("users", "User", PAGE)
    assert (users.lookup, users.lookup_field) == ("id", "id")
    assert users.where == "components/schemas/User"


SINGULAR = [
    pytest.param("tags", "tag", id="tags"),
    pytest.param("categories", "category", id="categories"),
    pytest.param("boxes", "box", id="boxes"),
    pytest.param("matches", "match", id="matches"),
    pytest.param("wishes", "wish", id="wishes"),
    pytest.param("statuses", "status", id="statuses"),
    pytest.param("buses", "bus", id="buses"),
    pytest.param("addresses", "address", id="addresses"),
    pytest.param("classes", "class", id="classes"),
    pytest.param("status", "status", id="status stays"),
    pytest.param("virus", "virus", id="us stays"),
    pytest.param("address", "address", id="ss stays"),
    pytest.param("owner", "owner", id="already singular"),
]


@pytest.mark.parametrize(("plural", "singular"), SINGULAR)
def test_singular(plural, singular):
    assert _singular(plural) == singular


# -- small specs ------------------------------------------------------------------------------


def _list(item: str, x_resource=None, paginated: bool = True) -> dict:
    ref = {"$ref": f"#/components/schemas/{item}"}
    schema = (
        {
            "type": "object",
            "properties": {
                "count": {"type": "integer"},
                "next": {"type": "string", "nullable": True},
                "previous": {"type": "string", "nullable": True},
                "results": {"type": "array", "items": ref},
            },
        }
        if paginated
        else {"type": "array", "items": ref}
    )
    op = {
        "operationId": f"{item.lower()}_list",
        "responses": {
            "200": {"description": "", "content": {"application/json": {"schema": schema}}}
        },
    }
    if x_resource is not None:
        op["x-resource"] = x_resource
    return {"get": op}


def _document(thing: dict, x_resource=None, paginated: bool = True) -> dict:
    """A spec of /things/ (Thing), /owners/ (Owner, with a {pk} detail) and /config/."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things/": _list("Thing", x_resource, paginated),
            "/owners/": _list("Owner", paginated=False),
            "/owners/{pk}/": {
                "get": {
                    "operationId": "owners_retrieve",
                    "parameters": [
                        {
                            "in": "path",
                            "name": "pk",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Owner"}
                                }
                            },
                        }
                    },
                }
            },
            "/config/": {
                "get": {
                    "operationId": "config_retrieve",
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Config"}
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Thing": {"type": "object", "properties": thing},
                "Owner": {
                    "type": "object",
                    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                },
                "Config": {"type": "object", "properties": {"title": {"type": "string"}}},
            }
        },
    }


THING = {
    "id": {"type": "integer", "readOnly": True},
    "name": {"type": "string"},
    "code": {"type": "string", "format": "uuid"},
    "owner": {"type": "integer", "nullable": True},
    "owners": {"type": "array", "items": {"type": "integer"}},
    "extra": {"type": "object"},
}


def _load(tmp_path: Path, document: dict) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return Spec.load(path)


def test_small_spec_inferred(tmp_path):
    spec = _load(tmp_path, _document(THING))
    things = spec.resources["/things/"]
    assert (things.shape, things.model, things.name) == (PAGE, "Thing", "things")
    assert things.sortable == ("id", "name", "code", "owner")
    assert things.search == ("name",)
    assert things.relations == {"owner": "/owners/", "owners": "/owners/"}
    owners = spec.resources["/owners/"]
    assert (owners.shape, owners.lookup, owners.lookup_field) == (ARRAY, "pk", "id")
    config = spec.resources["/config/"]
    assert (config.shape, config.model, config.name) == (OBJECT, "Config", "config")


@pytest.mark.parametrize("paginated", [True, False], ids=["paginated", "array"])
def test_items_need_no_id(tmp_path, paginated):
    spec = _load(tmp_path, _document({"name": {"type": "string"}}, None, paginated))
    things = spec.resources["/things/"]
    assert (things.shape, things.lookup_field) == (PAGE if paginated else ARRAY, None)


def test_small_spec_owner_id_relates_to_owners(tmp_path):
    thing = {"id": {"type": "integer"}, "owner_id": {"type": "integer"}}
    spec = _load(tmp_path, _document(thing))
    assert spec.resources["/things/"].relations == {"owner_id": "/owners/"}


def test_small_spec_an_x_faker_field_is_no_inferred_relation(tmp_path):
    thing = {**THING, "owner": {"type": "integer", "x-faker": {"integer": {"min": 1, "max": 3}}}}
    spec = _load(tmp_path, _document(thing))
    assert spec.resources["/things/"].relations == {"owners": "/owners/"}


def test_small_spec_x_resource_wins(tmp_path):
    x_resource = {
        "size": 7,
        "sortable": ["name"],
        "search": ["name", "code"],
        "relations": {"owner": "/owners/"},
    }
    spec = _load(tmp_path, _document(THING, x_resource))
    things = spec.resources["/things/"]
    assert things.size == 7
    assert things.sortable == ("name",)
    assert things.search == ("name", "code")
    # An annotated relation is kept; the unannotated list of owners is still inferred.
    assert things.relations == {"owner": "/owners/", "owners": "/owners/"}


def test_small_spec_size_zero_is_allowed(tmp_path):
    spec = _load(tmp_path, _document(THING, {"size": 0}))
    assert spec.resources["/things/"].size == 0


def test_x_sortable_false_leaves_a_field_out(tmp_path):
    thing = {**THING, "name": {"type": "string", "x-sortable": False}}
    spec = _load(tmp_path, _document(thing))
    assert spec.resources["/things/"].sortable == ("id", "code", "owner")


PLACE = "paths /things/ get x-resource"

ERRORS = [
    pytest.param(
        THING, {"color": "red"}, True, f"{PLACE} has unknown keys ['color']", id="unknown key"
    ),
    pytest.param(
        THING,
        {"size": 3, "limit": 1, "colour": 2},
        True,
        f"{PLACE} has unknown keys ['colour', 'limit']",
        id="unknown keys, sorted",
    ),
    pytest.param(
        THING, [1, 2], True, f"{PLACE} has unknown keys ['(not a map)']", id="not a mapping"
    ),
    pytest.param(
        THING,
        {"sortable": ["id", "colour"]},
        True,
        f"{PLACE} sortable names unknown field 'colour'",
        id="unknown sortable field",
    ),
    pytest.param(
        THING,
        {"search": ["title"]},
        True,
        f"{PLACE} search names unknown field 'title'",
        id="unknown search field",
    ),
    pytest.param(
        THING,
        {"relations": {"owner": "/brands/"}},
        True,
        f"{PLACE} relations owner: '/brands/' is no collection",
        id="relation to an unknown collection",
    ),
    pytest.param(
        THING,
        {"relations": {"owner": "/config/"}},
        True,
        f"{PLACE} relations owner: '/config/' is no collection",
        id="relation to a singleton",
    ),
    pytest.param(
        THING,
        {"relations": {"maker": "/owners/"}},
        True,
        f"{PLACE} relations names unknown field 'maker'",
        id="relation of an unknown field",
    ),
    pytest.param(
        THING,
        {"size": -1},
        True,
        f"{PLACE} size must be a whole number from 0 to 10,000,000",
        id="negative size",
    ),
    pytest.param(
        THING,
        {"size": "ten"},
        True,
        f"{PLACE} size must be a whole number from 0 to 10,000,000",
        id="size as text",
    ),
    pytest.param(
        THING,
        {"size": 2.5},
        True,
        f"{PLACE} size must be a whole number from 0 to 10,000,000",
        id="size 2.5",
    ),
    pytest.param(
        THING,
        {"size": 100_000_000_000},
        True,
        f"{PLACE} size must be a whole number from 0 to 10,000,000",
        id="item 9: a size no memory holds",
    ),
    pytest.param(
        THING,
        {"size": True},
        True,
        f"{PLACE} size must be a whole number from 0 to 10,000,000",
        id="size true is no number",
    ),
]


@pytest.mark.parametrize(("thing", "x_resource", "paginated", "message"), ERRORS)
def test_small_spec_errors(tmp_path, thing, x_resource, paginated, message):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, _document(thing, x_resource, paginated))
    path = tmp_path / "spec.yaml"
    assert caught.value.source == str(path)
    assert caught.value.message == message
    assert str(caught.value) == f"{path}: {message}"


# -- what real services have beyond plain lists (tests/helpers_specs.py) ---------------------


@pytest.fixture(scope="module")
def blog(tmp_path_factory) -> Spec:
    from helpers_specs import blog_spec

    return Spec.load(blog_spec(tmp_path_factory.mktemp("blog")))


VIEWS = [
    pytest.param("users_list", Kind.COLLECTION, "/users/", Paging.PAGE, id="a page"),
    pytest.param("users_retrieve", Kind.DETAIL, "/users/", Paging.NONE, id="its detail"),
    pytest.param("users_me_retrieve", Kind.ACTION, None, Paging.NONE, id="a fixed sub-path"),
    pytest.param("users_stats_retrieve", Kind.ACTION, "/users/", Paging.NONE, id="detail action"),
    pytest.param("posts_list", Kind.COLLECTION, "/posts/", Paging.PAGE, id="custom envelope"),
    pytest.param(
        "posts_comments_list",
        Kind.NESTED,
        "/posts/{slug}/comments/",
        Paging.NONE,
        id="nested, records of its own",
    ),
    pytest.param("posts_retrieve", Kind.DETAIL, "/posts/", Paging.NONE, id="detail by slug"),
    pytest.param("posts_recent_list", Kind.ACTION, "/posts/", Paging.NONE, id="list action"),
    pytest.param("notes_list", Kind.COLLECTION, "/notes", Paging.NONE, id="no trailing slash"),
    pytest.param("notes_retrieve", Kind.DETAIL, "/notes", Paging.NONE, id="its detail, by uuid"),
    pytest.param("health_retrieve", Kind.EMPTY, None, Paging.NONE, id="no response body"),
    pytest.param("version_retrieve", Kind.GENERATED, None, Paging.NONE, id="inline schema"),
]


@pytest.mark.parametrize(("operation_id", "kind", "resource", "paging"), VIEWS)
def test_each_read_is_served_by_what_it_is(blog, operation_id, kind, resource, paging):
    view = blog.operation(operation_id).view
    assert (view.kind, view.resource, view.paging) == (kind, resource, paging)


def test_a_list_action_is_no_collection_of_its_own(blog):
    assert list(blog.resources) == ["/users/", "/posts/", "/posts/{slug}/comments/", "/notes"]


@pytest.mark.parametrize(
    ("path", "lookup", "lookup_field"),
    [
        pytest.param("/users/", "id", "id", id="id"),
        pytest.param("/posts/", "slug", "slug", id="slug, items without id"),
        pytest.param("/notes", "uuid", "uuid", id="uuid"),
        pytest.param("/posts/{slug}/comments/", "id", None, id="no detail: the record number"),
    ],
)
def test_the_lookup_field_is_what_the_path_names(blog, path, lookup, lookup_field):
    resource = blog.resources[path]
    assert (resource.lookup, resource.lookup_field) == (lookup, lookup_field)


def test_a_nested_list_without_a_parent_field_is_scoped_by_its_parent(blog):
    scope = blog.operation("posts_comments_list").view.scope
    assert scope == Scope("slug", "/posts/", None, detail=True)  # the detail's `{slug}`


def test_a_detail_action_names_its_lookup(blog):
    assert blog.operation("users_stats_retrieve").view.lookup == "id"


def test_write_only_fields_and_passwords_are_never_records_fields(tmp_path):
    thing = {
        **THING,
        "secret": {"type": "string", "writeOnly": True},
        "password": {"type": "string"},
    }
    spec = _load(tmp_path, _document(thing))
    assert "secret" not in spec.resources["/things/"].fields
    assert "password" not in spec.resources["/things/"].fields
