"""CORS (mockserver/http/cors.py): which origins, preflights without a token, headers on errors."""

from __future__ import annotations

import pytest
from helpers_api import AUTH, STAFF_KEY, make_client, make_state

from mockserver.cli import parser
from mockserver.errors import ConfigError
from mockserver.settings import Settings, env_defaults

PAGE = "http://localhost:5173"


def preflight(method: str = "GET", headers: str | None = "authorization", origin: str = PAGE):
    asked = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        asked["Access-Control-Request-Headers"] = headers
    return asked


def listed(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


@pytest.fixture(scope="module", params=[False, True], ids=["served", "validated"])
def client(request):
    """Both middleware stacks: the served one and the one with response validation."""
    return make_client(make_state(users=30, validate_responses=request.param))


@pytest.fixture(scope="module")
def restricted():
    return make_client(make_state(users=30, cors_origin=("https://app.example.com",)))


# -- preflight ------------------------------------------------------------------------------

LOOPBACK_ORIGINS = [
    ("localhost port", "http://localhost:5173"),
    ("localhost no port", "http://localhost"),
    ("localhost https", "https://localhost:8443"),
    ("localhost subdomain", "http://app.localhost:3000"),
    ("127.0.0.1", "http://127.0.0.1:3000"),
    ("127.0.0.0/8", "http://127.1.2.3:8080"),
    ("ipv6 loopback", "http://[::1]:4200"),
]


@pytest.mark.parametrize(
    ("path", "origin"),
    [(path, origin) for path in ("/users/", "/users/4/") for _, origin in LOOPBACK_ORIGINS],
    ids=[f"{path} {name}" for path in ("/users/", "/users/4/") for name, _ in LOOPBACK_ORIGINS],
)
def test_preflight_from_loopback_is_allowed_without_a_token(client, path, origin):
    response = client.options(path, headers=preflight(origin=origin))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert {"get", "head", "options"} <= listed(response.headers["access-control-allow-methods"])
    assert {"authorization", "content-type", "prefer"} <= listed(
        response.headers["access-control-allow-headers"]
    )
    assert "origin" in listed(response.headers["vary"])
    assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (None, {"authorization", "content-type", "prefer"}),
        ("authorization", {"authorization", "content-type", "prefer"}),
        ("Authorization, Prefer", {"authorization", "content-type", "prefer"}),
        ("authorization,x-request-id", {"authorization", "content-type", "prefer", "x-request-id"}),
    ],
    ids=["none asked", "token", "token and prefer", "a custom header is mirrored"],
)
def test_preflight_allows_the_frontend_headers(client, asked, expected):
    response = client.options("/users/", headers=preflight(headers=asked))
    assert response.status_code == 200
    assert expected <= listed(response.headers["access-control-allow-headers"])


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"], ids=str.lower)
def test_preflight_allows_every_method_so_the_page_can_read_405(client, method):
    response = client.options("/users/", headers=preflight(method=method))
    assert response.status_code == 200
    assert method.lower() in listed(response.headers["access-control-allow-methods"])


WRITES = [
    ("create", "POST", "/users/"),
    ("full update", "PUT", "/users/4/"),
    ("partial update", "PATCH", "/users/4/"),
    ("delete", "DELETE", "/users/4/"),
]


@pytest.mark.parametrize(
    "asked",
    [None, "content-type", "content-type,authorization,x-mock-session", "X-Mock-Session"],
    ids=["none asked", "json body", "body token and session", "session only"],
)
@pytest.mark.parametrize(
    ("method", "path"), [case[1:] for case in WRITES], ids=[case[0] for case in WRITES]
)
def test_a_write_preflight_allows_its_method_body_token_and_session(client, method, path, asked):
    """A page's JSON write with a token in its own session: every header it needs, asked or
    not, without a token on the preflight."""
    response = client.options(path, headers=preflight(method=method, headers=asked))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PAGE
    assert method.lower() in listed(response.headers["access-control-allow-methods"])
    allowed = listed(response.headers["access-control-allow-headers"])
    assert {"content-type", "authorization", "x-mock-session"} <= allowed
    assert "www-authenticate" not in response.headers


def test_the_headers_a_page_always_gets_in_order():
    response = make_client(make_state(users=5)).options("/users/", headers=preflight())
    assert response.headers["access-control-allow-headers"] == (
        "Authorization, Content-Type, X-Mock-Session, Prefer, Accept, Accept-Language, "
        "Content-Language, X-Requested-With"
    )


@pytest.mark.parametrize(
    "origin",
    [
        "http://example.com",
        "http://localhost.example.com:3000",
        "http://192.168.1.20:3000",
        "http://127.0.0.1.nip.io",
        "null",
    ],
    ids=["other host", "localhost prefix", "lan address", "127 prefix", "null"],
)
def test_preflight_from_another_origin_is_refused(client, origin):
    response = client.options("/users/", headers=preflight(origin=origin))
    assert response.status_code == 400
    assert response.text == "Disallowed CORS origin"
    assert "access-control-allow-origin" not in response.headers


def test_options_without_request_method_is_drf_metadata_and_needs_a_token(client):
    """Only a preflight skips authentication; a plain OPTIONS is DRF's metadata request."""
    anonymous = client.options("/users/", headers={"Origin": PAGE})
    assert anonymous.status_code == 401
    assert anonymous.headers["access-control-allow-origin"] == PAGE
    with_token = client.options("/users/", headers={"Origin": PAGE, **AUTH})
    assert with_token.status_code == 200
    assert with_token.json()["name"] == "User List"
    assert with_token.headers["access-control-allow-origin"] == PAGE


# -- actual requests: every answer carries the headers ------------------------------------

ANSWERS = [
    ("200 list", "GET", "/users/?limit=1", AUTH, 200),
    ("200 detail", "GET", "/users/4/", AUTH, 200),
    ("401 no token", "GET", "/users/", {}, 401),
    ("401 bad token", "GET", "/users/", {"Authorization": "Token nope"}, 401),
    ("400 bad limit", "GET", "/users/?limit=abc", AUTH, 400),
    ("400 unknown param", "GET", "/users/?colour=red", AUTH, 400),
    ("404 unknown id", "GET", "/users/999999/", AUTH, 404),
    ("404 invalid page", "GET", "/users/?page=999", AUTH, 404),
    ("404 unknown path", "GET", "/nothing/", {}, 404),
    ("405 post", "POST", "/users/", AUTH, 405),
    ("406 html", "GET", "/users/", {**AUTH, "Accept": "text/html"}, 406),
    ("301 no slash", "GET", "/users?limit=1", AUTH, 301),
    ("200 spec", "GET", "/openapi.json", {}, 200),
]


@pytest.mark.parametrize(
    ("method", "target", "headers", "status"),
    [case[1:] for case in ANSWERS],
    ids=[case[0] for case in ANSWERS],
)
def test_every_answer_carries_cors_headers_for_an_allowed_origin(
    client, method, target, headers, status
):
    response = client.request(method, target, headers={"Origin": PAGE, **headers})
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == PAGE
    assert "origin" in listed(response.headers["vary"])
    exposed = listed(response.headers["access-control-expose-headers"])
    assert {"www-authenticate", "allow", "location", "link"} <= exposed
    assert "access-control-allow-credentials" not in response.headers


def test_a_401_keeps_its_body_and_www_authenticate(client):
    response = client.get("/users/", headers={"Origin": PAGE})
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.headers["www-authenticate"] == "Token"
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("http://example.com", False), (None, False), ("http://[::1]:3000", True)],
    ids=["other origin", "no origin", "loopback"],
)
def test_simple_request_headers_depend_on_the_origin(client, origin, allowed):
    headers = {**AUTH, **({"Origin": origin} if origin else {})}
    response = client.get("/users/?limit=1", headers=headers)
    assert response.status_code == 200
    assert ("access-control-allow-origin" in response.headers) is allowed
    # The answer depends on Origin either way, so caches must key on it.
    assert "origin" in listed(response.headers["vary"])


# -- --cors-origin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://app.example.com", True),
        ("http://app.example.com", False),
        ("https://app.example.com:8443", False),
        ("http://localhost:5173", False),
    ],
    ids=["listed", "other scheme", "other port", "loopback no longer"],
)
def test_cors_origin_restricts_to_exactly_those(restricted, origin, allowed):
    response = restricted.options("/users/", headers=preflight(origin=origin))
    assert response.status_code == (200 if allowed else 400)
    simple = restricted.get("/users/", headers={"Origin": origin})
    assert simple.status_code == 401
    assert simple.headers.get("access-control-allow-origin") == (origin if allowed else None)


def test_cors_origin_star_allows_any_origin():
    client = make_client(make_state(users=10, cors_origin=("*",)))
    response = client.get(
        "/users/", headers={"Origin": "http://example.com", "Authorization": f"Token {STAFF_KEY}"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:3000/", "localhost:3000", "http://localhost:3000/app", ""],
    ids=["trailing slash", "no scheme", "path", "empty"],
)
def test_settings_reject_what_is_not_an_origin(origin):
    with pytest.raises(ConfigError, match="cors_origin"):
        Settings(cors_origin=(origin,))


def test_cli_flag_is_repeatable_and_env_splits_on_commas():
    args = parser({}).parse_args(
        ["serve", "--cors-origin", "http://localhost:3000", "--cors-origin", "https://a.test"]
    )
    assert args.cors_origin == ["http://localhost:3000", "https://a.test"]
    env = env_defaults({"MOCKSERVER_CORS_ORIGIN": "http://localhost:3000,https://a.test"})
    assert env == {"cors_origin": ("http://localhost:3000", "https://a.test")}
    assert Settings.from_json(Settings(**env).to_json()).cors_origin == env["cors_origin"]
