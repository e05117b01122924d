"""The HTTP pipeline's own answers: the last-resort 500, the stacks, OPTIONS names, and the
spec's security deciding how a request authenticates."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from helpers_api import AUTH, make_client, make_state, raw_get

from mockserver.contract import packaged
from mockserver.contract.resource import Paging
from mockserver.engine import handlers
from mockserver.http.app import SERVER_ERROR, create_app
from mockserver.http.server import banner


@pytest.mark.parametrize("validated", [False, True], ids=["default", "validate-responses"])
def test_an_unexpected_error_is_a_drf_500_not_a_broken_connection(monkeypatch, validated):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setitem(handlers._LISTS, Paging.PAGE, broken)
    app = create_app(make_state(size=5, validate_responses=validated, access_log=False))
    status, headers, body = raw_get(app, b"/users/", AUTH)
    assert (status, headers["content-type"], json.loads(body)) == (
        500,
        "application/json",
        {"detail": SERVER_ERROR},
    )


@pytest.mark.parametrize(
    ("target", "name"),
    [
        pytest.param(b"/users/", "User List", id="list"),
        pytest.param(b"/users/1/", "User Instance", id="detail"),
    ],
)
def test_options_names_the_view_as_drf_does(target, name):
    app = create_app(make_state(size=5, access_log=False))
    status, _, body = raw_get(app, target, AUTH, method="OPTIONS")
    assert status == 200 and json.loads(body)["name"] == name


def _users_spec_with(tmp_path, schemes: dict, security: list) -> str:
    """The Users contract, its authentication replaced: `schemes` and every `security`."""
    raw = yaml.safe_load(packaged.spec_path().read_text())
    raw["components"]["securitySchemes"] = schemes
    raw["security"] = security
    for item in raw["paths"].values():
        item["get"]["security"] = security
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return str(path)


JWT_AUTH = {"jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
BASIC_AUTH = {"basicAuth": {"type": "http", "scheme": "basic"}}


@pytest.mark.parametrize(
    ("schemes", "security", "headers", "status", "challenge"),
    [
        pytest.param(JWT_AUTH, [{"jwtAuth": []}], {}, 401, 'Bearer realm="api"', id="jwt, none"),
        pytest.param(JWT_AUTH, [{"jwtAuth": []}], "jwt", 200, None, id="jwt, the issued one"),
        pytest.param(JWT_AUTH, [{"jwtAuth": []}], AUTH, 401, 'Bearer realm="api"',
                     id="jwt, a Token header"),
        pytest.param(JWT_AUTH, [{"jwtAuth": []}, {}], {}, 200, None, id="jwt or anonymous"),
        pytest.param(BASIC_AUTH, [{"basicAuth": []}], "basic", 200, None, id="basic"),
        pytest.param(BASIC_AUTH, [{"basicAuth": []}], AUTH, 401, 'Basic realm="api"',
                     id="basic, a Token header"),
    ],
)  # fmt: skip
def test_the_spec_says_how_requests_authenticate(
    tmp_path, schemes, security, headers, status, challenge
):
    state = make_state(size=5, spec=_users_spec_with(tmp_path, schemes, security))
    if isinstance(headers, str):  # the header the banner's line for the scheme gives
        text = banner(state, "127.0.0.1", 8000)
        found = re.search(rf"^  {headers}Auth: +([\w-]+): (\S+ \S+)", text, re.M)
        headers = {found[1]: found[2]}
    answered, answer_headers, _ = raw_get(create_app(state), b"/users/", headers)
    assert (answered, answer_headers.get("www-authenticate")) == (status, challenge)


@pytest.mark.parametrize(
    ("target", "method", "status", "allow"),
    [
        pytest.param(b"/api/token/", "GET", 405, "POST, OPTIONS", id="a POST-only view"),
        pytest.param(b"/tags/", "POST", 405, "GET, HEAD, OPTIONS", id="a read-only list"),
        pytest.param(b"/products/", "GET", 200, "GET, POST, HEAD, OPTIONS", id="an answer too"),
        pytest.param(
            b"/products/1/",
            "PUT",
            400,
            "GET, PUT, PATCH, DELETE, HEAD, OPTIONS",
            id="a write refused: an empty body",
        ),
    ],
)
def test_allow_lists_the_view_s_documented_methods(target, method, status, allow):
    from helpers_drf import SERVICE_DIR

    state = make_state(spec=str(SERVICE_DIR / "openapi.yaml"), size=5, access_log=False)
    key = state.banner_token()
    answered, headers, _ = raw_get(
        create_app(state), target, {"Authorization": f"Token {key}"}, method=method
    )
    assert (answered, headers["allow"]) == (status, allow)


@pytest.mark.parametrize(
    ("strict", "headers", "status", "body"),
    [
        pytest.param(True, {}, 400, {"X-Key": ["This field is required."]}, id="strict, missing"),
        pytest.param(
            True,
            {"X-Key": "k", "Accept-Crs": "AAA"},
            400,
            {"Accept-Crs": ['"AAA" is not a valid choice.']},
            id="strict, outside its enum",
        ),
        pytest.param(True, {"X-Key": "k", "Accept-Crs": "EPSG:4326"}, 200, None, id="strict, ok"),
        pytest.param(False, {}, 200, None, id="lenient: the view reads them as it likes"),
    ],
)
def test_header_parameters_are_parsed_with_the_query(tmp_path, strict, headers, status, body):
    from test_spec import SMALL

    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    state = make_state(spec=str(path), size=3, access_log=False, lenient=not strict)
    jwt = re.search(r"^  jwtAuth: +Authorization: (\S+ \S+)", banner(state, "h", 1), re.M)[1]
    sent = {"Authorization": jwt, **headers}
    answered, _, content = raw_get(create_app(state), b"/things/a/", sent)
    assert answered == status
    assert body is None or json.loads(content) == body


def test_response_validation_takes_a_null_nested_serializer():
    """drf-spectacular's nullable nested serializer, `allOf: [Category], nullable: true`:
    Connexion's check of every answer takes the bundles whose category is null (it
    answered 500 for them), over the whole dataset."""
    from helpers_drf import SERVICE_DIR

    state = make_state(spec=str(SERVICE_DIR / "openapi.yaml"), size=60, validate_responses=True)
    client = make_client(state)
    headers = {"Authorization": f"Token {state.banner_token()}"}
    found = []
    for offset in range(0, 60, 20):
        answer = client.get(f"/bundles/?limit=20&offset={offset}", headers=headers)
        assert answer.status_code == 200, answer.text
        found += answer.json()["results"]
    assert len(found) == 60
    assert any(bundle["category"] is None for bundle in found)


def test_a_query_string_sent_again_is_parsed_once(monkeypatch):
    from mockserver.http import app as app_module

    calls = []
    parse = app_module.parse_query
    monkeypatch.setattr(
        app_module, "parse_query", lambda *args: calls.append(args[1]) or parse(*args)
    )
    app = create_app(make_state(size=20, access_log=False))
    target = b"/users/?is_active=true&sort=-date_joined&limit=5"
    first = raw_get(app, target, AUTH)
    assert [raw_get(app, target, AUTH) for _ in range(3)] == [first] * 3
    assert len(calls) == 1
    # A query the contract refuses raises every time: never kept.
    for _ in range(2):
        assert raw_get(app, b"/users/?limit=x", AUTH)[0] == 400
    assert len(calls) == 3


def test_in_a_session_that_wrote_only_an_empty_query_string_is_kept(monkeypatch):
    """A detail read after a write: an empty query string reads no record, so it is parsed
    once in any session; one that filters is parsed again each time (its relations are the
    session's)."""
    from helpers_drf import SERVICE_DIR

    from mockserver.http import app as app_module

    calls = []
    parse = app_module.parse_query
    monkeypatch.setattr(
        app_module, "parse_query", lambda *args: calls.append(args[1]) or parse(*args)
    )
    state = make_state(spec=str(SERVICE_DIR / "openapi.yaml"), size=20, access_log=False)
    client = make_client(state)
    headers = {"Authorization": f"Token {state.banner_token()}", "X-Mock-Session": "kept"}
    body = {"name": "Mug", "slug": "mug", "sku": "00000001-0000-4000-8000-000000000001"}
    body |= {"price": "3.50", "stock": 1, "is_available": True, "status": "active"}
    body |= {"category": 2, "tags": [2], "email": "a@example.com"}
    created = client.post("/products/", json=body, headers=headers)
    assert created.status_code == 201, created.text
    detail = f"/products/{created.json()['id']}/"
    answers = [client.get(detail, headers=headers) for _ in range(3)]
    assert [answer.json() for answer in answers] == [created.json()] * 3
    assert calls == [[]]
    for _ in range(2):
        assert client.get("/products/?category=2", headers=headers).status_code == 200
    assert calls == [[], [("category", "2")], [("category", "2")]]
