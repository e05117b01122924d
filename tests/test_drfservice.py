"""The reference DRF service (tests/drfservice) started for real: what DRF itself answers."""

from __future__ import annotations

import httpx
import pytest
from helpers_drf import DrfService

pytestmark = pytest.mark.slow

TOKEN = "0b6ea8b2b0a64bd4c1f8a4a1d1e2f3a4b5c6d7e8"

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
EXPORTS = {
    "/products/": PRODUCTS,  # before its targets on purpose: the loader orders them itself
    "/categories/": CATEGORIES,
    "/tags/": TAGS,
    "/settings/": [SETTINGS],
}


@pytest.fixture(scope="module")
def service():
    with DrfService(EXPORTS, TOKEN) as service:
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
