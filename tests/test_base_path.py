"""`--base-path /api/v1`: the API, Swagger UI and the spec all move under the prefix."""

from __future__ import annotations

import pytest
from helpers_api import AUTH, make_client, make_state

from mockserver.errors import ConfigError
from mockserver.settings import Settings

BASE = "/api/v1"
PAGE = "http://localhost:3000"


@pytest.fixture(scope="module", params=[False, True], ids=["served", "validated"])
def state(request):
    return make_state(users=30, base_path=BASE, validate_responses=request.param)


@pytest.fixture(scope="module")
def client(state):
    return make_client(state)


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        (f"{BASE}/users/", AUTH, 200),
        (f"{BASE}/users/4/", AUTH, 200),
        (f"{BASE}/users/", {}, 401),
        (f"{BASE}/ui/", {}, 200),
        (f"{BASE}/ui/swagger-ui.css", {}, 200),
        (f"{BASE}/openapi.yaml", {}, 200),
        (f"{BASE}/openapi.json", {}, 200),
        ("/users/", AUTH, 404),
        ("/users/4/", AUTH, 404),
        ("/ui/", {}, 404),
        ("/openapi.yaml", {}, 404),
        ("/openapi.json", {}, 404),
        ("/api/users/", AUTH, 404),
    ],
    ids=[
        "list",
        "detail",
        "401",
        "ui",
        "ui asset",
        "yaml",
        "json",
        "bare list",
        "bare detail",
        "bare ui",
        "bare yaml",
        "bare json",
        "partial prefix",
    ],
)
def test_everything_answers_under_the_prefix_only(client, path, headers, status):
    response = client.get(path, headers=headers)
    assert response.status_code == status
    if status == 404:
        assert response.json() == {"detail": "Not found."}


def test_pagination_links_carry_the_prefix(client):
    body = client.get(f"{BASE}/users/?limit=2&page=2", headers=AUTH).json()
    assert body["next"] == f"http://testserver{BASE}/users/?limit=2&page=3"
    assert body["previous"] == f"http://testserver{BASE}/users/?limit=2"


def test_missing_slash_redirects_within_the_prefix(client):
    response = client.get(f"{BASE}/users?limit=2", headers=AUTH)
    assert response.status_code == 301
    assert response.headers["location"] == f"{BASE}/users/?limit=2"
    ui = client.get(f"{BASE}/ui")
    assert ui.status_code == 307
    assert ui.headers["location"] == f"{BASE}/ui/"


def test_spec_under_the_prefix(state, client):
    assert client.get(f"{BASE}/openapi.yaml").content == state.spec.text
    assert client.get(f"{BASE}/openapi.json").json()["servers"] == [{"url": BASE}]
    page = client.get(f"{BASE}/ui/").text
    assert '"url":"openapi.json"' in page  # relative: {BASE}/ui/openapi.json
    shown = client.get(f"{BASE}/ui/openapi.json").json()
    assert shown["servers"] == [{"url": BASE}]


def test_cors_applies_under_the_prefix(client):
    preflight = client.options(
        f"{BASE}/users/",
        headers={"Origin": PAGE, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PAGE
    denied = client.get(f"{BASE}/users/", headers={"Origin": PAGE})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == PAGE


@pytest.mark.parametrize(
    "base_path", ["api/v1", "/api/v1/", "/"], ids=["no leading slash", "trailing slash", "root"]
)
def test_base_path_must_look_like_a_prefix(base_path):
    with pytest.raises(ConfigError, match="base_path"):
        Settings(base_path=base_path)
