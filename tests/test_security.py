"""Security schemes as drf-spectacular writes them, read as DRF's authenticators."""

from __future__ import annotations

import pytest
from helpers_security import API_KEY, BASIC, COOKIE, JWT, OAUTH2, QUERY_KEY, TOKEN

from mockserver.contract.security import Kind, Scheme, scheme_of, security_of

# -- the spec's schemes, as drf-spectacular writes them ----------------------------------------

SPECTACULAR = [
    ("tokenAuth", {"type": "apiKey", "in": "header", "name": "Authorization",
     "description": 'Token-based authentication with required prefix "Token"'}, TOKEN, "Token"),
    ("tokenAuth", {"type": "http", "scheme": "bearer"},
     Scheme("tokenAuth", Kind.TOKEN, "Bearer"), "Bearer"),
    ("jwtAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}, JWT,
     'Bearer realm="api"'),
    ("jwtAuth", {"type": "apiKey", "in": "header", "name": "Authorization",
     "description": 'Token-based authentication with required prefix "JWT"'},
     Scheme("jwtAuth", Kind.JWT, "JWT"), 'JWT realm="api"'),
    ("knoxApiToken", {"type": "apiKey", "in": "header", "name": "Authorization",
     "description": 'Token-based authentication with required prefix "Token"'},
     Scheme("knoxApiToken", Kind.TOKEN, "Token"), "Token"),
    ("basicAuth", {"type": "http", "scheme": "basic"}, BASIC, 'Basic realm="api"'),
    ("cookieAuth", {"type": "apiKey", "in": "cookie", "name": "sessionid"}, COOKIE, None),
    ("apiKeyAuth", {"type": "apiKey", "in": "header", "name": "X-API-Key"}, API_KEY, None),
    ("queryAuth", {"type": "apiKey", "in": "query", "name": "api_key"}, QUERY_KEY, None),
    ("oauth2", {"type": "oauth2", "flows": {}}, OAUTH2, 'Bearer realm="api"'),
    ("digest", {"type": "http", "scheme": "digest"}, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "raw", "scheme", "challenge"),
    [pytest.param(*case, id=f"{case[0]} {case[1].get('scheme') or case[1].get('in')}")
     for case in SPECTACULAR],
)  # fmt: skip
def test_scheme_of_what_drf_spectacular_writes(name, raw, scheme, challenge):
    found = scheme_of(name, raw)
    assert found == scheme
    assert (found.challenge if found else None) == challenge


@pytest.mark.parametrize(
    ("requirements", "names", "is_open"),
    [
        pytest.param(None, [], True, id="none: open"),
        pytest.param([], [], True, id="empty list: open"),
        pytest.param([{"tokenAuth": []}, {"cookieAuth": []}], ["tokenAuth", "cookieAuth"], False,
                     id="two authenticators, in order"),
        pytest.param([{"cookieAuth": []}, {"tokenAuth": []}, {}], ["cookieAuth", "tokenAuth"],
                     True, id="AllowAny"),
        pytest.param([{"tokenAuth": [], "cookieAuth": []}], ["tokenAuth", "cookieAuth"], False,
                     id="both in one alternative"),
        pytest.param([{"missing": []}, {"tokenAuth": []}], ["tokenAuth"], False,
                     id="an undeclared scheme is skipped"),
    ],
)  # fmt: skip
def test_security_of_an_operation(requirements, names, is_open):
    schemes = {"tokenAuth": SPECTACULAR[0][1], "cookieAuth": SPECTACULAR[6][1]}
    found = security_of(requirements, schemes)
    assert ([s.name for s in found.schemes], found.open) == (names, is_open)
