"""The reference DRF service (tests/drfservice) started for real: what DRF itself answers."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from helpers_drf import DrfService

pytestmark = pytest.mark.slow

TOKEN = "0b6ea8b2b0a64bd4c1f8a4a1d1e2f3a4b5c6d7e8"
PASSWORD = "correct horse battery staple"

CATEGORIES = [
    {
        "id": 3,
        "name": "Books",
        "slug": "books",
        "description": "Printed and bound.",
        "created": "2024-01-05T09:30:00Z",
    },
    {
        "id": 7,
        "name": "Board games",
        "slug": "board-games",
        "description": "",
        "created": "2024-02-10T14:00:00.250000Z",
    },
]
TAGS = [
    {"id": 1, "name": "new", "color": "#1f77b4"},
    {"id": 2, "name": "sale", "color": "#ff7f0e"},
    {"id": 4, "name": "gift", "color": "#2ca02c"},
]


def product(id, name, price, category, tags, released, **extra):
    return {
        "id": id,
        "name": name,
        "slug": name.lower().replace(" ", "-"),
        "description": extra.get("description", ""),
        "sku": f"6f1c2a7e-8d4b-4c3a-9e21-00000000000{id}",
        "price": price,
        "stock": extra.get("stock", 10 * id),
        "is_available": extra.get("is_available", True),
        "status": extra.get("status", "active"),
        "category": category,
        "tags": tags,
        "email": f"seller{id}@shop.example",
        "website": extra.get("website", ""),
        "created": f"2024-03-0{id}T12:00:00Z",
        "released": released,
        "rating": extra.get("rating"),
        "updated": f"2024-04-0{id}T12:00:00Z",
    }


PRODUCTS = [
    product(1, "Atlas", "12.50", 3, [1, 2], "2024-03-15", description="Maps of the world."),
    product(2, "Chess set", "45.00", 7, [4], None, website="https://chess.example/set"),
    product(3, "Notebook", "7.99", 3, [], "2023-11-30", status="draft", is_available=False),
    product(5, "Puzzle", "19.99", 7, [1, 2, 4], "2024-01-01", stock=0),
    product(8, "Gift card", "30.00", None, [4], None, status="retired"),
]
SETTINGS = {
    "site_name": "Shop",
    "currency": "EUR",
    "maintenance": False,
    "max_cart_items": 50,
    "support_email": "help@shop.example",
}
# Only in a bundle's nested `category`: the loader makes the row from it.
TOYS = {
    "id": 9,
    "name": "Toys",
    "slug": "toys",
    "description": "",
    "created": "2024-04-01T00:00:00Z",
}
# Served by uuid, in this order (not the uuids' order): their place gives their hidden key.
BUNDLES = [
    {
        "uuid": "c3a1e9f0-5b6d-4e2a-8f10-000000000001",
        "name": "Starter kit",
        "description": "Maps and a notebook.",
        "category": CATEGORIES[0],
        "tags": [TAGS[0], TAGS[1]],
        "weight": 1.0,
        "rating": 4.5,
        "created": "2024-04-01T08:00:00Z",
    },
    {
        "uuid": "a7d2c4b8-1e3f-4a5b-9c6d-000000000002",
        "name": "Game night",
        "description": "Board games and toys.",
        "category": CATEGORIES[1],
        "tags": [TAGS[2]],
        "weight": 2.25,
        "rating": None,
        "created": "2024-04-02T08:00:00Z",
    },
    {
        "uuid": "e5f6a7b8-c9d0-4e1f-a2b3-000000000003",
        "name": "Toy box",
        "description": "",
        "category": TOYS,
        "tags": [],
        "weight": 0.5,
        "rating": 3.0,
        "created": "2024-04-03T08:00:00Z",
    },
    {
        "uuid": "b1b2b3b4-d5d6-4e7f-8a9b-000000000004",
        "name": "Mystery",
        "description": "",
        "category": None,
        "tags": [TAGS[0], TAGS[2]],
        "weight": 12.0,
        "rating": 0.0,
        "created": "2024-04-04T08:00:00Z",
    },
]
REVIEWS = [
    {
        "id": 1,
        "product": 1,
        "author": "ana",
        "score": 4,
        "body": "",
        "created": "2024-05-01T10:00:00Z",
    },
    {
        "id": 2,
        "product": 1,
        "author": "bo",
        "score": 5,
        "body": "Great.",
        "created": "2024-05-03T10:00:00Z",
    },
    {
        "id": 3,
        "product": 2,
        "author": "cy",
        "score": 2,
        "body": "",
        "created": "2024-05-02T10:00:00Z",
    },
    {
        "id": 4,
        "product": 5,
        "author": "di",
        "score": 3,
        "body": "A piece short.",
        "created": "2024-05-05T10:00:00Z",
    },
    {
        "id": 5,
        "product": 2,
        "author": "ed",
        "score": 1,
        "body": "",
        "created": "2024-05-04T10:00:00Z",
    },
]
NEWEST_FIRST = [REVIEWS[3], REVIEWS[4], REVIEWS[1], REVIEWS[2], REVIEWS[0]]
EXPORTS = {
    "/products/": PRODUCTS,  # before its targets on purpose: the loader orders them itself
    "/bundles/": BUNDLES,
    "/reviews/": REVIEWS,
    "/categories/": CATEGORIES,
    "/tags/": TAGS,
    "/settings/": [SETTINGS],
    # The same rows again, as the nested list and the list actions serve them: loaded once,
    # in the order of their own list.
    "/categories/{category_slug}/products/": [PRODUCTS[0], PRODUCTS[2]],
    "/products/featured/": [PRODUCTS[0], PRODUCTS[1], PRODUCTS[3]],
    "/tags/popular/": [TAGS[2], TAGS[0], TAGS[1]],
}


@pytest.fixture(scope="module")
def service():
    with DrfService(EXPORTS, TOKEN, PASSWORD) as service:
        yield service


@pytest.fixture(scope="module")
def client(service):
    with httpx.Client(base_url=service.url, headers=service.headers) as client:
        yield client


def ids(response) -> list[int]:
    return [record["id"] for record in response.json()["results"]]


def test_no_token_is_401_with_a_token_challenge(service):
    response = httpx.get(f"{service.url}/products/")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_wrong_token_is_401(service):
    response = httpx.get(f"{service.url}/products/", headers={"Authorization": "Token nope"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Invalid token."}


def test_the_records_come_back_as_loaded(client):
    """As served, so as loaded; a product's tags come in Tag's order (by id), as here."""
    response = client.get("/products/")
    assert response.status_code == 200
    assert response.json() == {"count": 5, "next": None, "previous": None, "results": PRODUCTS}
    assert client.get("/products/5/").json() == PRODUCTS[3]


def test_the_list_envelope_links_the_pages(client, service):
    first = client.get("/products/", params={"page_size": 2})
    assert first.status_code == 200
    assert first.json() == {
        "count": 5,
        "next": f"{service.url}/products/?page=2&page_size=2",
        "previous": None,
        "results": PRODUCTS[:2],
    }
    second = client.get("/products/", params={"page": 2, "page_size": 2})
    assert second.json()["next"] == f"{service.url}/products/?page=3&page_size=2"
    assert second.json()["previous"] == f"{service.url}/products/?page_size=2"
    assert ids(second) == [3, 5]


def test_a_price_filter(client):
    response = client.get("/products/", params={"price__gte": "19.99"})
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert ids(response) == [2, 5, 8]


def test_ordering_by_price_descending(client):
    response = client.get("/products/", params={"ordering": "-price"})
    assert response.status_code == 200
    assert ids(response) == [2, 8, 5, 1, 3]


def test_a_category_by_its_slug(client):
    response = client.get("/categories/board-games/")
    assert response.status_code == 200
    assert response.json() == CATEGORIES[1]
    missing = client.get("/categories/nothing/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No Category matches the given query."}


def test_tags_are_a_plain_array(client):
    response = client.get("/tags/")
    assert response.status_code == 200
    assert response.json() == TAGS


def test_the_settings_object(client):
    response = client.get("/settings/")
    assert response.status_code == 200
    assert response.json() == SETTINGS


def test_a_page_past_the_end_is_404(client):
    response = client.get("/products/", params={"page": 99})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_bad_number_is_400(client):
    response = client.get("/products/", params={"price__gte": "abc"})
    assert response.status_code == 400
    assert response.json() == {"price__gte": ["Enter a number."]}


def names(response) -> list[str]:
    return [record["name"] for record in response.json()["results"]]


def cursor(link: str) -> str:
    """The position a cursor link carries, decoded: CursorPagination's base64 query."""
    value = parse_qs(urlsplit(link).query)["cursor"][0]
    return base64.b64decode(value).decode("ascii")


def test_bundles_page_by_limit_and_offset(client, service):
    first = client.get("/bundles/", params={"limit": 2})
    assert first.status_code == 200
    assert first.json() == {
        "count": 4,
        "next": f"{service.url}/bundles/?limit=2&offset=2",
        "previous": None,
        "results": BUNDLES[:2],
    }
    last = client.get("/bundles/", params={"limit": 2, "offset": 2})
    assert last.json() == {
        "count": 4,
        "next": None,
        # An offset back at 0 is left out of the link (LimitOffsetPagination).
        "previous": f"{service.url}/bundles/?limit=2",
        "results": BUNDLES[2:],
    }
    middle = client.get("/bundles/", params={"limit": 1, "offset": 2})
    assert middle.json()["next"] == f"{service.url}/bundles/?limit=1&offset=3"
    assert middle.json()["previous"] == f"{service.url}/bundles/?limit=1&offset=1"
    # No limit: the default_limit of 10, so all four, in the order they were loaded.
    assert client.get("/bundles/").json()["results"] == BUNDLES


def test_floats_are_written_as_floats(client):
    """`1.0` stays `1.0` (a FloatField is a Python float); the body is DRF's compact JSON."""
    response = client.get(f"/bundles/{BUNDLES[0]['uuid']}/")
    assert response.status_code == 200
    assert response.text == json.dumps(BUNDLES[0], separators=(",", ":"), ensure_ascii=False)
    assert '"weight":1.0,"rating":4.5,' in response.text
    assert '"weight":12.0,"rating":0.0,' in client.get(f"/bundles/{BUNDLES[3]['uuid']}/").text


@pytest.mark.parametrize(
    ("lookup", "status", "body"),
    [
        pytest.param(BUNDLES[2]["uuid"], 200, BUNDLES[2], id="its uuid"),
        pytest.param(BUNDLES[2]["uuid"].upper(), 200, BUNDLES[2], id="upper case is the same"),
        pytest.param(
            "00000000-0000-4000-8000-000000000000",
            404,
            {"detail": "No Bundle matches the given query."},
            id="another uuid",
        ),
        # Not a uuid: the query raises a ValidationError, which DRF's get_object_or_404
        # turns into a bare Http404, so the message is DRF's generic one.
        pytest.param("abc", 404, {"detail": "Not found."}, id="no uuid"),
        pytest.param("1", 404, {"detail": "Not found."}, id="its key"),
    ],
)
def test_a_bundle_by_its_uuid(client, lookup, status, body):
    response = client.get(f"/bundles/{lookup}/")
    assert (response.status_code, response.json()) == (status, body)


def test_a_nested_object_is_the_related_row(client):
    """The loader made the category that only a bundle carried; the lists serve it too."""
    assert client.get("/categories/toys/").json() == TOYS
    assert [c["slug"] for c in client.get("/categories/").json()["results"]] == [
        "books",
        "board-games",
        "toys",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"category__slug": "books"}, ["Starter kit"], id="category__slug"),
        pytest.param({"category__slug": "toys"}, ["Toy box"], id="category__slug nested-only"),
        pytest.param({"category__slug": "Books"}, [], id="category__slug is case-sensitive"),
        pytest.param({"category__slug": ""}, [b["name"] for b in BUNDLES], id="empty: no filter"),
        pytest.param({"q": "toy"}, ["Game night", "Toy box"], id="q: name or description"),
        pytest.param({"q": "MAPS"}, ["Starter kit"], id="q ignores case"),
        pytest.param({"q": ""}, [b["name"] for b in BUNDLES], id="q empty: no filter"),
        pytest.param({"q": "toy", "category__slug": "toys"}, ["Toy box"], id="q and a slug"),
        pytest.param({"rating__isnull": "true"}, ["Game night"], id="nullable float isnull"),
        pytest.param({"rating__gte": "3"}, ["Starter kit", "Toy box"], id="float gte"),
        pytest.param({"weight__lte": "1"}, ["Starter kit", "Toy box"], id="float lte"),
        pytest.param(
            {"ordering": "-weight"},
            ["Mystery", "Game night", "Starter kit", "Toy box"],
            id="ordering by a float",
        ),
    ],
)
def test_the_bundles_filterset(client, query, expected):
    response = client.get("/bundles/", params=query)
    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)


def test_a_bad_float_filter_is_400(client):
    response = client.get("/bundles/", params={"weight__gte": "heavy"})
    assert (response.status_code, response.json()) == (400, {"weight__gte": ["Enter a number."]})


def test_reviews_page_behind_a_cursor(client, service):
    first = client.get("/reviews/", params={"page_size": 2})
    assert first.status_code == 200
    next_link = (
        f"{service.url}/reviews/?cursor=cD0yMDI0LTA1LTA0KzEwJTNBMDAlM0EwMCUyQjAwJTNBMDA%3D"
        "&page_size=2"
    )
    assert first.json() == {"next": next_link, "previous": None, "results": NEWEST_FIRST[:2]}
    # The cursor is the position of the page's last review: its `created`, as str() gives it.
    assert cursor(next_link) == "p=2024-05-04+10%3A00%3A00%2B00%3A00"

    second = client.get(next_link)
    assert second.status_code == 200
    body = second.json()
    assert body["results"] == NEWEST_FIRST[2:4]
    assert cursor(body["next"]) == "p=2024-05-02+10%3A00%3A00%2B00%3A00"
    # Back: reversed (`r=1`) from the page's first review.
    assert cursor(body["previous"]) == "r=1&p=2024-05-03+10%3A00%3A00%2B00%3A00"
    assert client.get(body["previous"]).json()["results"] == NEWEST_FIRST[:2]

    third = client.get(body["next"]).json()
    assert third["results"] == NEWEST_FIRST[4:]
    assert third["next"] is None


def test_reviews_without_a_page_size_and_a_bad_cursor(client):
    assert client.get("/reviews/").json() == {
        "next": None,
        "previous": None,
        "results": NEWEST_FIRST,
    }
    bad = client.get("/reviews/", params={"cursor": "nope"})
    assert (bad.status_code, bad.json()) == (404, {"detail": "Invalid cursor"})


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        pytest.param({}, {"detail": "Authentication credentials were not provided."}, id="none"),
        pytest.param(
            {"Authorization": "Bearer x"},
            {
                "detail": "Given token not valid for any token type",
                "code": "token_not_valid",
                "messages": [
                    {
                        "token_class": "AccessToken",
                        "token_type": "access",
                        "message": "Token is invalid",
                    }
                ],
            },
            id="a bad JWT",
        ),
        # TokenAuthentication's own answer, under JWTAuthentication's challenge.
        pytest.param({"Authorization": "Token nope"}, {"detail": "Invalid token."}, id="bad token"),
    ],
)
def test_reviews_challenge_a_bearer_jwt(service, headers, body):
    response = httpx.get(f"{service.url}/reviews/", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == body


def test_a_jwt_from_api_token_opens_the_reviews_only(service, client):
    wrong = httpx.post(f"{service.url}/api/token/", json={"username": "api", "password": "no"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert wrong.json() == {"detail": "No active account found with the given credentials"}

    pair = httpx.post(f"{service.url}/api/token/", json={"username": "api", "password": PASSWORD})
    assert pair.status_code == 200
    assert list(pair.json()) == ["refresh", "access"]
    bearer = {"Authorization": f"Bearer {pair.json()['access']}"}
    reviews = httpx.get(f"{service.url}/reviews/", headers=bearer)
    assert reviews.status_code == 200
    assert reviews.json()["results"] == NEWEST_FIRST
    assert httpx.get(f"{service.url}/reviews/4/", headers=bearer).json() == REVIEWS[3]
    # The API token still works there too.
    assert client.get("/reviews/4/").json() == REVIEWS[3]
    # Elsewhere only TokenAuthentication is asked: a Bearer header is no credential.
    products = httpx.get(f"{service.url}/products/", headers=bearer)
    assert products.status_code == 401
    assert products.headers["WWW-Authenticate"] == "Token"
    assert products.json() == {"detail": "Authentication credentials were not provided."}


def test_the_nested_route_is_scoped_by_the_parent_slug(client, service):
    books = client.get("/categories/books/products/")
    assert books.status_code == 200
    assert books.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [PRODUCTS[0], PRODUCTS[2]],
    }
    paged = client.get("/categories/books/products/", params={"page_size": 1})
    assert paged.json()["next"] == f"{service.url}/categories/books/products/?page=2&page_size=1"
    assert client.get("/categories/board-games/products/2/").json() == PRODUCTS[1]
    other = client.get("/categories/books/products/2/")
    assert (other.status_code, other.json()) == (
        404,
        {"detail": "No Product matches the given query."},
    )
    nothing = client.get("/categories/nothing/products/")
    assert (nothing.status_code, nothing.json()) == (
        200,
        {"count": 0, "next": None, "previous": None, "results": []},
    )
    assert client.get("/categories/books/products.json").json() == books.json()


def test_the_featured_action_is_a_filtered_page(client, service):
    response = client.get("/products/featured/")
    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [PRODUCTS[0], PRODUCTS[1], PRODUCTS[3]],
    }
    assert ids(client.get("/products/featured/", params={"price__gte": "19.99"})) == [2, 5]
    paged = client.get("/products/featured/", params={"page_size": 1})
    assert paged.json()["next"] == f"{service.url}/products/featured/?page=2&page_size=1"


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        pytest.param(
            "/products/1/summary/",
            200,
            {
                "id": 1,
                "name": "Atlas",
                "price": "12.50",
                "category": "books",
                "tag_count": 2,
                "review_count": 2,
                "average_score": 4.5,
            },
            id="with reviews",
        ),
        pytest.param(
            "/products/8/summary/",
            200,
            {
                "id": 8,
                "name": "Gift card",
                "price": "30.00",
                "category": None,
                "tag_count": 1,
                "review_count": 0,
                "average_score": None,
            },
            id="no category, no review",
        ),
        pytest.param(
            "/products/4/summary/",
            404,
            {"detail": "No Product matches the given query."},
            id="no such product",
        ),
    ],
)
def test_the_summary_action_has_its_own_serializer(client, path, status, body):
    response = client.get(path)
    assert (response.status_code, response.json()) == (status, body)


def test_tags_popular_is_not_a_tag_id(client):
    """Routed before `/tags/{id}/`: the tags of a product, by how many products have them."""
    response = client.get("/tags/popular/")
    assert response.status_code == 200
    assert response.json() == [TAGS[2], TAGS[0], TAGS[1]]
    assert client.get("/tags/3/").status_code == 404


def test_the_plain_api_views(client, service):
    stats = client.get("/stats/")
    assert (stats.status_code, stats.json()) == (
        200,
        {"products": 5, "categories": 3, "tags": 3, "bundles": 4, "reviews": 5},
    )
    assert httpx.get(f"{service.url}/stats/").status_code == 401
    ping = httpx.get(f"{service.url}/ping/")  # no credentials: open to anyone
    assert (ping.status_code, ping.json()) == (200, {"status": "ok"})


def test_an_export_of_an_unknown_path_is_refused():
    service = DrfService({"/nothing/": []}, TOKEN)
    with pytest.raises(RuntimeError, match="unknown path '/nothing/'"):
        service.__enter__()
