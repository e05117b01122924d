"""authenticate: DRF's authenticators in a view's order, each scheme's exact answers; checked
case by case against real DRF, simplejwt and drf-spectacular (tests/helpers_auth_drf.py)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers_security import API_KEY, BASIC, COOKIE, JWT, OAUTH2, QUERY_KEY, TOKEN

from mockserver.contract.security import TOKEN_ONLY, Kind, Security, scheme_of, security_of
from mockserver.errors import ApiError
from mockserver.http.auth import Keys, authenticate
from mockserver.http.webtoken import encode, issue_jwt, secret_of

STAFF = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # persona 1, active
CUSTOMER = "3b5d5c3712955042212e7d2ba5a8e0e4e5a4b2a1"  # persona 4, active
INACTIVE = "6f1ed002ab5595859014ebf0951522d9c0c1c1f7"  # persona 2, inactive

NOT_PROVIDED = "Authentication credentials were not provided."
NO_CREDENTIALS = "Invalid token header. No credentials provided."
HAS_SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."
INVALID_TOKEN = "Invalid token."
INACTIVE_USER = "User inactive or deleted."
BASIC_INVALID = "Invalid username/password."
BASIC_NOT_BASE64 = "Invalid basic header. Credentials not correctly base64 encoded."
JWT_BAD_HEADER = {
    "detail": "Authorization header must contain two space-delimited values",
    "code": "bad_authorization_header",
}

SEED = 42
SECRET = secret_of(SEED)
ACTIVE = {1: True, 4: True, 2: False}
KEYS = Keys({STAFF: 1, CUSTOMER: 4, INACTIVE: 2}, ACTIVE.get, SECRET)


def jwt(secret: bytes = SECRET, **claims) -> str:
    """A token signed as the mock signs them, its claims changed (None: left out)."""
    payload = {"token_type": "access", "exp": 4102444800, "iat": 1735689600, "jti": "ab"}
    payload["user_id"] = "1"
    payload.update(claims)
    return encode({k: v for k, v in payload.items() if v is not None}, secret)


def invalid_jwt(message: str) -> dict:
    return {
        "detail": "Given token not valid for any token type",
        "code": "token_not_valid",
        "messages": [{"token_class": "AccessToken", "token_type": "access", "message": message}],
    }


def basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def answer(security: Security, headers: dict[str, str], query: str = ""):
    """(status, body, WWW-Authenticate) as the mock answers; a success is DRF's view's 200."""
    raw = {k.lower().encode(): v.encode("latin-1") for k, v in headers.items()}
    try:
        owner = authenticate(raw, query.encode(), security, KEYS)
    except ApiError as error:
        return error.status, error.body, error.headers.get("WWW-Authenticate")
    return 200, {"user": owner}, None


# -- TokenAuthentication: every row of REAL_API.md's table ----------------------------------

TOKEN_REJECTED = [
    pytest.param(None, NOT_PROVIDED, id="missing"),
    pytest.param("", NOT_PROVIDED, id="empty"),
    pytest.param("   ", NOT_PROVIDED, id="spaces only"),
    pytest.param("Bearer x", NOT_PROVIDED, id="Bearer"),
    pytest.param(f"Bearer {STAFF}", NOT_PROVIDED, id="Bearer with a good key"),
    pytest.param("Basic dXNlcjpwYXNz", NOT_PROVIDED, id="Basic"),
    pytest.param(f"Token{STAFF}", NOT_PROVIDED, id="no space after Token"),
    pytest.param(STAFF, NOT_PROVIDED, id="key alone"),
    pytest.param("Token", NO_CREDENTIALS, id="Token alone"),
    pytest.param("Token   ", NO_CREDENTIALS, id="Token and spaces"),
    pytest.param("token", NO_CREDENTIALS, id="token alone lower-case"),
    pytest.param("Token a b", HAS_SPACES, id="Token a b"),
    pytest.param(f"Token {STAFF} extra", HAS_SPACES, id="key and extra word"),
    pytest.param("Token \xff\xfe", BAD_CHARACTERS, id="not UTF-8"),
    pytest.param("Token unknown", INVALID_TOKEN, id="unknown key"),
    pytest.param("Token " + "0" * 40, INVALID_TOKEN, id="unknown 40-hex key"),
    pytest.param(f"Token {STAFF.upper()}", INVALID_TOKEN, id="key is case-sensitive"),
    pytest.param(f"Token {STAFF[:-1]}", INVALID_TOKEN, id="truncated key"),
    pytest.param(f"Token {INACTIVE}", INACTIVE_USER, id="inactive user"),
    pytest.param(f"token {INACTIVE}", INACTIVE_USER, id="inactive lower-case"),
]


@pytest.mark.parametrize(("header", "message"), TOKEN_REJECTED)
def test_token_rejected(header, message):
    headers = {} if header is None else {"Authorization": header}
    assert answer(TOKEN_ONLY, headers) == (401, {"detail": message}, "Token")


@pytest.mark.parametrize(
    ("header", "user"),
    [
        pytest.param(f"Token {STAFF}", 1, id="Token key"),
        pytest.param(f"token {STAFF}", 1, id="token lower-case"),
        pytest.param(f"TOKEN {STAFF}", 1, id="TOKEN upper-case"),
        pytest.param(f"  Token   {STAFF}  ", 1, id="extra whitespace"),
        pytest.param(f"Token\t{STAFF}", 1, id="tab"),
        pytest.param(f"Token {CUSTOMER}", 4, id="customer"),
    ],
)
def test_token_accepted(header, user):
    assert answer(TOKEN_ONLY, {"Authorization": header}) == (200, {"user": user}, None)


def test_key_of_a_deleted_user():
    """A key whose user is not in the dataset: DRF's 'User inactive or deleted.'"""
    keys = Keys({STAFF: 10**9}, ACTIVE.get)
    with pytest.raises(ApiError) as caught:
        authenticate({b"authorization": f"Token {STAFF}".encode()}, b"", TOKEN_ONLY, keys)
    assert caught.value.body == {"detail": INACTIVE_USER}


def test_fixture_tokens(fixtures):
    """The keys the brief documents, each 40 lower-case hex characters, owned by a persona."""
    assert fixtures.tokens == {STAFF: 1, CUSTOMER: 4, INACTIVE: 2}


# -- every scheme, and the order of a view's authenticators ----------------------------------

B401 = 'Bearer realm="api"'
CASES = [
    # simplejwt: its header type is matched case-sensitively; the mock's keys work too.
    (JWT, {"Authorization": f"Bearer {issue_jwt(4, SEED)}"}, 200, {"user": 4}, None, "jwt"),
    (JWT, {"Authorization": f"Bearer {STAFF}"}, 200, {"user": 1}, None, "key as Bearer"),
    (JWT, {"Authorization": f"Bearer {INACTIVE}"}, 401,
     {"detail": "User is inactive", "code": "user_inactive"}, B401, "inactive key as Bearer"),
    (JWT, {"Authorization": f"bearer {STAFF}"}, 401, {"detail": NOT_PROVIDED}, B401,
     "bearer lower-case is not simplejwt's"),
    (JWT, {"Authorization": "Bearer"}, 401, JWT_BAD_HEADER, B401, "Bearer alone"),
    (JWT, {"Authorization": "Bearer a b"}, 401, JWT_BAD_HEADER, B401, "Bearer a b"),
    (JWT, {"Authorization": "Bearer nonsense"}, 401, invalid_jwt("Token is invalid"), B401,
     "neither a JWT nor a key"),
    (JWT, {"Authorization": f"Bearer {jwt(exp=1)}"}, 401, invalid_jwt("Token is expired"),
     B401, "expired"),
    (JWT, {"Authorization": f"Bearer {jwt(b'another secret')}"}, 401,
     invalid_jwt("Token is invalid"), B401, "signed by another"),
    (JWT, {"Authorization": f"Bearer {jwt(token_type='refresh')}"}, 401,
     invalid_jwt("Token has wrong type"), B401, "a refresh token"),
    (JWT, {"Authorization": f"Bearer {jwt(user_id='99')}"}, 401,
     {"detail": "User not found", "code": "user_not_found"}, B401, "unknown user"),
    # Basic: any user name, a key as the password.
    (BASIC, {"Authorization": basic(f"demo:{STAFF}".encode())}, 200, {"user": 1}, None, "basic"),
    (BASIC, {"Authorization": basic(f"anyone:{CUSTOMER}".encode())}, 200, {"user": 4}, None,
     "basic, another name"),
    (BASIC, {"Authorization": basic(f":{STAFF}".encode())}, 401, {"detail": BASIC_INVALID},
     'Basic realm="api"', "basic without a name"),
    (BASIC, {"Authorization": basic(b"demo:wrong")}, 401, {"detail": BASIC_INVALID},
     'Basic realm="api"', "basic, not a key"),
    (BASIC, {"Authorization": basic(f"demo:{INACTIVE}".encode())}, 401,
     {"detail": BASIC_INVALID}, 'Basic realm="api"', "basic, inactive"),
    (BASIC, {"Authorization": "Basic abc"}, 401, {"detail": BASIC_NOT_BASE64},
     'Basic realm="api"', "basic, bad padding"),
    # Session: the cookie's value is a key; anything else is anonymous, and 403.
    (COOKIE, {"Cookie": f"csrftoken=x; sessionid={STAFF}"}, 200, {"user": 1}, None, "cookie"),
    (COOKIE, {"Cookie": f"sessionid={INACTIVE}"}, 403, {"detail": NOT_PROVIDED}, None,
     "cookie, inactive"),
    (COOKIE, {"Authorization": f"Token {STAFF}"}, 403, {"detail": NOT_PROVIDED}, None,
     "cookie scheme ignores a token"),
    # A custom apiKey: a header or a query parameter.
    (API_KEY, {"X-Api-Key": STAFF}, 200, {"user": 1}, None, "api key header"),
    (API_KEY, {"X-API-Key": "nope"}, 403, {"detail": "Invalid API key."}, None, "bad api key"),
    (API_KEY, {"X-API-Key": INACTIVE}, 403, {"detail": INACTIVE_USER}, None, "inactive key"),
    (API_KEY, {"X-API-Key": " "}, 403, {"detail": NOT_PROVIDED}, None, "blank api key"),
    # OAuth2 (django-oauth-toolkit): never raises; its challenge names a refused token.
    (OAUTH2, {"Authorization": f"bearer {STAFF}"}, 200, {"user": 1}, None, "oauth2"),
    (OAUTH2, {"Authorization": f"Bearer {INACTIVE}"}, 200, {"user": 2}, None,
     "oauth2 does not check is_active"),
    (OAUTH2, {}, 401, {"detail": NOT_PROVIDED}, B401, "oauth2, nothing"),
    (OAUTH2, {"Authorization": "Bearer nope"}, 401, {"detail": NOT_PROVIDED},
     B401 + ',error="invalid_token",error_description="The access token is invalid."',
     "oauth2, unknown token"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scheme", "headers", "status", "body", "challenge"),
    [pytest.param(*case[:5], id=case[5]) for case in CASES],
)
def test_each_scheme(scheme, headers, status, body, challenge):
    assert answer(Security((scheme,)), headers) == (status, body, challenge)


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        pytest.param(f"api_key={STAFF}", 200, {"user": 1}, id="key"),
        pytest.param(f"api_key=x&api_key={CUSTOMER}", 200, {"user": 4}, id="the last one"),
        pytest.param(f"api_key={STAFF}&api_key=x", 403, {"detail": "Invalid API key."}, id="bad"),
        pytest.param("api_key=", 403, {"detail": NOT_PROVIDED}, id="empty"),
        pytest.param(f"API_KEY={STAFF}", 403, {"detail": NOT_PROVIDED}, id="name is exact"),
    ],
)
def test_an_api_key_in_the_query(query, status, body):
    assert answer(Security((QUERY_KEY,)), {}, query) == (status, body, None)


ORDER = [
    # The first authenticator that recognises its credential decides; the first one's
    # challenge is the only one sent, whichever raised.
    ((COOKIE, TOKEN), {"Authorization": "Token nope"}, 403, {"detail": INVALID_TOKEN}, None,
     "session first: a bad token is 403"),
    ((TOKEN, COOKIE), {"Cookie": f"sessionid={CUSTOMER}"}, 200, {"user": 4}, None,
     "token first, a session"),
    ((TOKEN, JWT), {"Authorization": "Bearer nonsense"}, 401, invalid_jwt("Token is invalid"),
     "Token", "jwt raises under Token's challenge"),
    ((JWT, TOKEN), {"Authorization": f"Token {STAFF}"}, 200, {"user": 1}, None,
     "jwt passes a Token on"),
    ((JWT, TOKEN), {}, 401, {"detail": NOT_PROVIDED}, B401, "jwt first, nothing"),
    ((API_KEY, TOKEN), {"X-API-Key": "nope", "Authorization": f"Token {STAFF}"}, 403,
     {"detail": "Invalid API key."}, None, "a bad key stops before a good token"),
    ((TOKEN, BASIC), {"Authorization": basic(b"demo:x")}, 401, {"detail": BASIC_INVALID},
     "Token", "basic under Token's challenge"),
    ((), {}, 403, {"detail": "You do not have permission to perform this action."}, None,
     "no authenticator at all"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schemes", "headers", "status", "body", "challenge"),
    [pytest.param(*case[:5], id=case[5]) for case in ORDER],
)
def test_the_order_of_authenticators(schemes, headers, status, body, challenge):
    assert answer(Security(schemes), headers) == (status, body, challenge)


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        pytest.param({}, 200, {"user": None}, id="anonymous"),
        pytest.param({"Authorization": f"Token {CUSTOMER}"}, 200, {"user": 4}, id="a key"),
        pytest.param({"Authorization": "Token nope"}, 401, {"detail": INVALID_TOKEN}, id="bad"),
    ],
)
def test_an_open_operation_still_refuses_bad_credentials(headers, status, body):
    """DRF authenticates before the permissions: AllowAny does not excuse a bad token."""
    expected = (status, body, "Token" if status == 401 else None)
    assert answer(Security((TOKEN, COOKIE), open=True), headers) == expected


# -- against real DRF, simplejwt and drf-spectacular -----------------------------------------

DIFFERENTIAL = {
    "nothing": {},
    "empty Authorization": {"Authorization": ""},
    "Token key": {"Authorization": f"Token {STAFF}"},
    "token lower-case": {"Authorization": f"token {CUSTOMER}"},
    "Token alone": {"Authorization": "Token"},
    "Token a b": {"Authorization": "Token a b"},
    "Token not UTF-8": {"Authorization": "Token \xff\xfe"},
    "Token unknown": {"Authorization": "Token nope"},
    "Token inactive": {"Authorization": f"Token {INACTIVE}"},
    "Bearer jwt": {"Authorization": f"Bearer {issue_jwt(1, SEED)}"},
    "Bearer jwt of the customer": {"Authorization": f"Bearer {issue_jwt(4, SEED)}"},
    "bearer lower-case jwt": {"Authorization": f"bearer {issue_jwt(1, SEED)}"},
    "Bearer alone": {"Authorization": "Bearer"},
    "Bearer a b": {"Authorization": "Bearer a b"},
    "Bearer nonsense": {"Authorization": "Bearer nonsense"},
    "Bearer not UTF-8": {"Authorization": "Bearer \xff"},
    "Bearer jwt inactive": {"Authorization": f"Bearer {issue_jwt(2, SEED)}"},
    "Bearer jwt unknown user": {"Authorization": f"Bearer {jwt(user_id='99')}"},
    "Bearer expired": {"Authorization": f"Bearer {jwt(exp=1)}"},
    "Bearer refresh": {"Authorization": f"Bearer {jwt(token_type='refresh')}"},
    "Bearer no jti": {"Authorization": f"Bearer {jwt(jti=None)}"},
    "Bearer jti not a string": {"Authorization": f"Bearer {jwt(jti=5)}"},
    "Bearer no exp": {"Authorization": f"Bearer {jwt(exp=None)}"},
    "Bearer exp not a number": {"Authorization": f"Bearer {jwt(exp='soon')}"},
    "Bearer no type": {"Authorization": f"Bearer {jwt(token_type=None)}"},
    "Bearer no user_id": {"Authorization": f"Bearer {jwt(user_id=None)}"},
    "Bearer issued in the future": {"Authorization": f"Bearer {jwt(iat=4102444000)}"},
    "Bearer future and expired": {"Authorization": f"Bearer {jwt(iat=4102444000, exp=1)}"},
    "Bearer other secret": {"Authorization": f"Bearer {jwt(b'another secret')}"},
    "Bearer two dots": {"Authorization": "Bearer a.b"},
    "Basic": {"Authorization": basic(f"admin:{STAFF}".encode())},
    "basic lower-case": {"Authorization": "basic " + basic(f"ayse:{CUSTOMER}".encode())[6:]},
    "Basic alone": {"Authorization": "Basic"},
    "Basic a b": {"Authorization": "Basic a b"},
    "Basic bad padding": {"Authorization": "Basic abc"},
    "Basic not base64": {"Authorization": "Basic !!!!"},
    "Basic no colon": {"Authorization": basic(b"admin")},
    "Basic wrong password": {"Authorization": basic(b"admin:wrong")},
    "Basic inactive": {"Authorization": basic(f"sleepy:{INACTIVE}".encode())},
    "Basic latin-1": {"Authorization": basic(b"adm\xe9:x")},
    "session": {"Cookie": f"sessionid={STAFF}"},
    "session among cookies": {"Cookie": f"a=b; sessionid={CUSTOMER}; c=d"},
    "session inactive": {"Cookie": f"sessionid={INACTIVE}"},
    "session unknown": {"Cookie": "sessionid=" + "0" * 40},
    "session and a bad token": {"Cookie": f"sessionid={STAFF}", "Authorization": "Token nope"},
    "session and a good token": {"Cookie": "sessionid=x", "Authorization": f"Token {CUSTOMER}"},
    "X-API-Key": {"X-API-Key": CUSTOMER},
    "X-API-Key unknown": {"X-API-Key": "nope"},
    "X-API-Key inactive": {"X-API-Key": INACTIVE},
    "X-API-Key empty": {"X-API-Key": ""},
    "X-API-Key and a good token": {"X-API-Key": "nope", "Authorization": f"Token {STAFF}"},
}


@pytest.fixture(scope="module")
def real():
    """Each DIFFERENTIAL case sent to each view of tests/helpers_auth_drf.py."""
    from helpers_auth_drf import VIEWS

    cases = [[view, headers] for view in VIEWS for headers in DIFFERENTIAL.values()]
    script = Path(__file__).with_name("helpers_auth_drf.py")
    done = subprocess.run(
        [sys.executable, str(script)],
        input=json.dumps({"secret": SECRET.decode(), "cases": cases}),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    answers = iter(result["answers"])
    return result["schema"], {
        (view, name): tuple(next(answers)) for view in VIEWS for name in DIFFERENTIAL
    }


@pytest.mark.parametrize("name", list(DIFFERENTIAL))
def test_answers_as_real_drf_and_simplejwt(real, name):
    """Every view (its security as drf-spectacular wrote it) answers `name` as DRF does."""
    schema, answers = real
    schemes = schema["components"]["securitySchemes"]
    differences = {}
    for (view, case), expected in answers.items():
        if case != name:
            continue
        security = security_of(schema["paths"][f"/v/{view}/"]["get"].get("security"), schemes)
        got = answer(security, DIFFERENTIAL[name])
        if got != expected:
            differences[view] = {"mock": got, "drf": expected}
    assert differences == {}


def test_drf_spectacular_names_the_schemes_the_mock_runs(real):
    schema, _ = real
    schemes = schema["components"]["securitySchemes"]
    kinds = {name: scheme_of(name, raw).kind for name, raw in schemes.items()}
    assert kinds == {
        "apiKeyAuth": Kind.API_KEY,
        "basicAuth": Kind.BASIC,
        "bearerAuth": Kind.TOKEN,
        "cookieAuth": Kind.SESSION,
        "jwtAuth": Kind.JWT,
        "tokenAuth": Kind.TOKEN,
    }
