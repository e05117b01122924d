"""The served spec and Swagger UI (mockserver/docs.py): /openapi.yaml, /openapi.json, /ui/."""

from __future__ import annotations

import json

import pytest
from helpers_api import make_client, make_state


@pytest.fixture(scope="module", params=[False, True], ids=["served", "validated"])
def state(request):
    return make_state(users=10, validate_responses=request.param)


@pytest.fixture(scope="module")
def client(state):
    return make_client(state)


def expected_json(state, servers) -> dict:
    """The hand-written spec as JSON (dates as ISO text), with `servers` replaced."""
    return {**json.loads(json.dumps(state.spec.raw, default=str)), "servers": servers}


def test_openapi_yaml_is_the_hand_written_file_byte_for_byte(state, client):
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    assert response.content == state.spec.text
    assert response.content == state.spec.path.read_bytes()
    assert response.headers["content-length"] == str(len(state.spec.text))


def test_openapi_json_is_the_spec_with_this_servers_url(state, client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected_json(state, [{"url": "/"}])


@pytest.mark.parametrize("path", ["/openapi.yaml", "/openapi.json"], ids=["yaml", "json"])
def test_head_gives_the_length_and_no_body(client, path):
    full = client.get(path)
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(full.content))


@pytest.mark.parametrize("path", ["/openapi.yaml", "/openapi.json"], ids=["yaml", "json"])
def test_spec_files_are_read_only(client, path):
    response = client.post(path)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Token nope"}],
    ids=["no token", "wrong token"],
)
@pytest.mark.parametrize(
    "path", ["/openapi.yaml", "/openapi.json", "/ui/", "/ui/swagger-ui-bundle.js"]
)
def test_spec_and_ui_need_no_token(client, path, headers):
    assert client.get(path, headers=headers).status_code == 200


def test_ui_page_loads_the_json_spec_and_keeps_the_authorization(client):
    page = client.get("/ui/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert 'url: "/openapi.json"' in page.text
    assert 'configUrl: "swagger-ui-config.json"' in page.text
    config = client.get("/ui/swagger-ui-config.json")
    assert config.json() == {"persistAuthorization": True}


def test_ui_without_slash_redirects(client):
    response = client.get("/ui")
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/ui/missing.js", 404, {"detail": "Not found."}),
        ("GET", "/ui/deeper/missing.css", 404, {"detail": "Not found."}),
        ("POST", "/ui/swagger-ui.css", 405, {"detail": 'Method "POST" not allowed.'}),
    ],
    ids=["missing file", "missing nested file", "post"],
)
def test_ui_errors_have_drf_shape(client, method, path, status, body):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json() == body


def test_security_scheme_tells_the_ui_user_to_type_token(state):
    scheme = state.spec.raw["components"]["securitySchemes"]["TokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token " in scheme["description"]
