"""The login endpoints (mockserver/http/logins.py): recognised by their schemas, answering
as DRF's obtain_auth_token and simplejwt's views, with keys the mock then accepts."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers_api import CUSTOMER_KEY, INACTIVE_KEY, STAFF_KEY, make_state

from mockserver.contract.spec import Spec
from mockserver.errors import ApiError
from mockserver.http import logins, webtoken
from mockserver.http.logins import Kind, Login, login_for, recognise

NOW = 1_800_000_000
REALSPECS = Path(__file__).resolve().parent / "realspecs"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def string(**flags) -> dict:
    return {"type": "string", **flags}


def operation(sent: dict, answered: dict | None) -> SimpleNamespace:
    """A POST as drf-spectacular documents it: one schema for the three parsers' types."""
    request = {"type": "object", "properties": sent}
    body = {media: request for media in ("application/json", "multipart/form-data")}
    responses = {"200": {"description": ""}}
    if answered is not None:
        schema = {"type": "object", "properties": answered}
        responses["200"]["content"] = {"application/json": {"schema": schema}}
    return SimpleNamespace(method="POST", body=body, responses=responses)


W, R = string(writeOnly=True), string(readOnly=True)
AUTH_TOKEN = operation({"username": W, "password": W, "token": R}, {"username": W, "token": R})
PAIR = operation({"username": W, "password": W}, {"access": R, "refresh": R})
EMAIL_PAIR = operation({"email": W, "password": W}, {"access": R, "refresh": R})
REFRESH = operation({"refresh": W, "access": R}, {"refresh": W, "access": R})
ROTATE = operation({"refresh": string(), "access": R}, {"refresh": string(), "access": R})
VERIFY = operation({"token": W}, {"token": W})


@pytest.mark.parametrize(
    ("op", "login"),
    [
        pytest.param(AUTH_TOKEN, Login(Kind.AUTH_TOKEN, "username"), id="AuthToken"),
        pytest.param(PAIR, Login(Kind.PAIR, "username"), id="TokenObtainPair"),
        pytest.param(EMAIL_PAIR, Login(Kind.PAIR, "email"), id="TokenObtainPair by email"),
        pytest.param(REFRESH, Login(Kind.REFRESH), id="TokenRefresh"),
        pytest.param(ROTATE, Login(Kind.REFRESH, rotate=True), id="TokenRefresh rotating"),
        pytest.param(VERIFY, Login(Kind.VERIFY), id="TokenVerify"),
        pytest.param(operation({"token": W}, None), Login(Kind.VERIFY), id="verify, no content"),
        pytest.param(
            operation({"username": string(), "password": W}, {"username": string()}),
            None,
            id="a custom pair serializer documenting no tokens",
        ),
        pytest.param(operation({"name": string()}, {"token": R}), None, id="no password"),
        pytest.param(SimpleNamespace(**{**vars(PAIR), "method": "PUT"}), None, id="not a POST"),
        pytest.param(SimpleNamespace(method="POST", body={}, responses={}), None, id="no body"),
    ],
)
def test_recognise(op, login):
    assert recognise(op) == login


@pytest.mark.parametrize(
    ("file", "found"),
    [
        pytest.param(
            "coordnet.yaml",
            {
                "/api/auth/jwt/": Login(Kind.PAIR, "email"),
                "/api/auth/jwt/refresh/": Login(Kind.REFRESH),
                "/api/auth/jwt/verify/": Login(Kind.VERIFY),
                "/api/auth/token/": Login(Kind.AUTH_TOKEN, "username"),
            },
            id="coordnet: all four",
        ),
        pytest.param(
            "socialdistribution.yaml",
            {"/api/token/refresh/": Login(Kind.REFRESH, rotate=True)},
            id="socialdistribution: rotation; its own pair view documents no tokens",
        ),
        pytest.param(
            "../drfservice/openapi.yaml",
            {"/api/token/": Login(Kind.PAIR, "username")},
            id="the reference service",
        ),
    ],
)
def test_recognised_in_real_specs(file, found):
    spec = Spec.load(REALSPECS / file)
    assert {op.path: recognise(op) for op in spec.operations if recognise(op)} == found


@pytest.fixture(scope="module")
def users():
    """The Users API with its fixtures: admin (1, STAFF_KEY), inactive.user (2, INACTIVE_KEY),
    persona 4 (CUSTOMER_KEY)."""
    return make_state(size=20)


@pytest.fixture(scope="module")
def keyless():
    """A spec without user records: the reference service's, with one `--token` key."""
    spec = str(Path(__file__).resolve().parent / "drfservice" / "openapi.yaml")
    return make_state(spec=spec, size=3, token=("k" * 40,))


def view(op, state, now=NOW):
    counter = itertools.count(1)
    return login_for(op, state, clock=lambda: now, new_jti=lambda: f"{next(counter):032x}")


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def answer(call, *args):
    """(status, body, headers) of a view's answer or its ApiError."""
    try:
        status, body = call(*args)
    except ApiError as error:
        return error.status, error.body, error.headers
    return status, json.loads(body), {}


def test_none_for_other_operations(users, spec):
    assert all(login_for(op, users) is None for op in spec.operations)


def test_a_pair_for_the_admin(users):
    status, body = view(PAIR, users)({"username": "admin", "password": STAFF_KEY}, False)
    assert status == 200
    pair = json.loads(body)
    assert list(pair) == ["refresh", "access"]
    assert claims(pair["refresh"]) == {
        "token_type": "refresh",
        "exp": NOW + 86400,
        "iat": NOW,
        "jti": f"{1:032x}",
        "user_id": "1",
    }
    assert claims(pair["access"]) == {
        "token_type": "access",
        "exp": NOW + 300,
        "iat": NOW,
        "jti": f"{2:032x}",
        "user_id": "1",
    }
    assert list(claims(pair["access"])) == ["token_type", "exp", "iat", "jti", "user_id"]
    # The access token is one the mock's JWTAuthentication accepts, until it expires.
    secret = webtoken.secret_of(users.settings.seed)
    assert webtoken.owner_of(pair["access"], secret, now=NOW + 299) == 1
    with pytest.raises(webtoken.Refused):
        webtoken.owner_of(pair["access"], secret, now=NOW + 300)


NO_ACCOUNT = (401, {"detail": "No active account found with the given credentials"}, CHALLENGE)
REQUIRED = ["This field is required."]


@pytest.mark.parametrize(
    ("data", "form", "expected"),
    [
        pytest.param(
            {"username": "admin", "password": CUSTOMER_KEY},
            False,
            NO_ACCOUNT,
            id="another user's key",
        ),
        pytest.param({"username": "admin", "password": "nope"}, False, NO_ACCOUNT, id="no key"),
        pytest.param(
            {"username": "Admin", "password": STAFF_KEY},
            False,
            NO_ACCOUNT,
            id="names are case-sensitive",
        ),
        pytest.param(
            {"username": "inactive.user", "password": INACTIVE_KEY},
            False,
            NO_ACCOUNT,
            id="inactive",
        ),
        pytest.param(
            {}, False, (400, {"username": REQUIRED, "password": REQUIRED}, {}), id="missing"
        ),
        pytest.param(
            {"username": "", "password": " "},
            False,
            (
                400,
                {
                    "username": ["This field may not be blank."],
                    "password": ["This field may not be blank."],
                },
                {},
            ),
            id="blank",
        ),
        pytest.param(
            {"username": None, "password": None},
            False,
            (
                400,
                {
                    "username": ["This field may not be null."],
                    "password": ["This field may not be null."],
                },
                {},
            ),
            id="null",
        ),
        pytest.param(
            {"username": ["a"], "password": True},
            False,
            (400, {"username": ["Not a valid string."], "password": ["Not a valid string."]}, {}),
            id="not strings",
        ),
        pytest.param(
            {"username": "a\x00\ud800", "password": "x"},
            False,
            (
                400,
                {
                    "username": [
                        "Null characters are not allowed.",
                        "Surrogate characters are not allowed: U+D800.",
                    ]
                },
                {},
            ),
            id="both validators",
        ),
        pytest.param({"username": 5, "password": 1.5}, False, NO_ACCOUNT, id="numbers are strings"),
        pytest.param(
            None, False, (400, {"non_field_errors": ["No data provided"]}, {}), id="json null"
        ),
        pytest.param(
            [1],
            False,
            (400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}, {}),
            id="json list",
        ),
        pytest.param(
            "x",
            False,
            (400, {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}, {}),
            id="json string",
        ),
        pytest.param(
            {"password": [STAFF_KEY]}, True, (400, {"username": REQUIRED}, {}), id="form missing"
        ),
        pytest.param(
            {"username": ["x", "admin"], "password": [f" {STAFF_KEY} "]},
            True,
            (200, None, {}),
            id="form: the last value, trimmed",
        ),
        pytest.param(
            {"username": " admin ", "password": STAFF_KEY}, False, (200, None, {}), id="trimmed"
        ),
    ],
)
def test_pair_refusals(users, data, form, expected):
    status, body, headers = answer(view(PAIR, users), data, form)
    if expected[0] == 200:
        assert (status, list(body)) == (200, ["refresh", "access"])
    else:
        assert (status, body, headers) == expected


def test_a_pair_by_email(users):
    _, body = view(EMAIL_PAIR, users)(
        {"email": "deniz.kaya@example.com", "password": STAFF_KEY}, False
    )
    assert claims(json.loads(body)["access"])["user_id"] == "1"


UNABLE = (400, {"non_field_errors": ["Unable to log in with provided credentials."]}, {})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {"username": "admin", "password": STAFF_KEY},
            (200, {"token": STAFF_KEY}, {}),
            id="the user's token",
        ),
        pytest.param(
            {"username": " admin ", "password": STAFF_KEY},
            (200, {"token": STAFF_KEY}, {}),
            id="username trimmed",
        ),
        pytest.param(
            {"username": "admin", "password": f" {STAFF_KEY}"}, UNABLE, id="password not trimmed"
        ),
        pytest.param(
            {"username": "admin", "password": CUSTOMER_KEY}, UNABLE, id="another user's key"
        ),
        pytest.param(
            {"username": "inactive.user", "password": INACTIVE_KEY}, UNABLE, id="inactive"
        ),
        pytest.param({"password": "x"}, (400, {"username": REQUIRED}, {}), id="missing username"),
    ],
)
def test_obtain_auth_token(users, data, expected):
    assert answer(view(AUTH_TOKEN, users), data, False) == expected


def test_a_staff_token_key_is_owned_by_admin():
    state = make_state(size=20, token=("t" * 40,))
    answered = view(AUTH_TOKEN, state)({"username": "admin", "password": "t" * 40}, False)
    assert answered == (200, json.dumps({"token": STAFF_KEY}).replace(" ", "").encode())


def test_without_user_records_any_name_and_any_key(keyless):
    key = "k" * 40
    assert view(AUTH_TOKEN, keyless)({"username": "api", "password": key}, False) == (
        200,
        b'{"token":"' + key.encode() + b'"}',
    )
    _, body = view(PAIR, keyless)({"username": "api", "password": key}, False)
    assert claims(json.loads(body)["access"])["user_id"] == "1"
    assert answer(view(PAIR, keyless), {"username": "api", "password": "no"}, False) == NO_ACCOUNT


def tokens_for(state, user: str, key: str, now=NOW) -> dict:
    return json.loads(view(PAIR, state, now)({"username": user, "password": key}, False)[1])


def test_refresh(users):
    pair = tokens_for(users, "admin", STAFF_KEY)
    status, body = view(REFRESH, users, NOW + 60)({"refresh": pair["refresh"]}, False)
    assert (status, list(json.loads(body))) == (200, ["access"])
    # RefreshToken.access_token: exp from now, the refresh token's iat copied.
    assert claims(json.loads(body)["access"]) == {
        "token_type": "access",
        "exp": NOW + 60 + 300,
        "iat": NOW,
        "jti": f"{1:032x}",
        "user_id": "1",
    }


def test_refresh_rotating(users):
    pair = tokens_for(users, "admin", STAFF_KEY)
    _, body = view(ROTATE, users, NOW + 60)({"refresh": pair["refresh"]}, False)
    answered = json.loads(body)
    assert list(answered) == ["access", "refresh"]
    assert claims(answered["refresh"]) == {
        "token_type": "refresh",
        "exp": NOW + 60 + 86400,
        "iat": NOW + 60,
        "jti": f"{2:032x}",
        "user_id": "1",
    }


def invalid(message: str):
    return 401, {"detail": message, "code": "token_not_valid"}, CHALLENGE


def signed(users, **payload) -> str:
    return webtoken.encode(payload, webtoken.secret_of(users.settings.seed))


@pytest.mark.parametrize(
    ("make", "now", "expected"),
    [
        pytest.param(
            lambda u, p: p["access"], NOW, invalid("Token has wrong type"), id="an access token"
        ),
        pytest.param(lambda u, p: "abc", NOW, invalid("Token is invalid"), id="garbage"),
        pytest.param(
            lambda u, p: p["refresh"][:-2], NOW, invalid("Token is invalid"), id="bad signature"
        ),
        pytest.param(
            lambda u, p: p["refresh"], NOW + 86400, invalid("Token is expired"), id="expired"
        ),
        pytest.param(
            lambda u, p: signed(u, token_type="refresh", jti="x"),
            NOW,
            invalid("Token has no 'exp' claim"),
            id="no exp",
        ),
        pytest.param(
            lambda u, p: signed(u, token_type="refresh", exp=NOW + 9),
            NOW,
            invalid("Token has no id"),
            id="no jti",
        ),
        pytest.param(
            lambda u, p: signed(u, exp=NOW + 9, jti="x"),
            NOW,
            invalid("Token has no type"),
            id="no type",
        ),
        pytest.param(
            lambda u, p: signed(u, token_type="refresh", exp=NOW + 9, jti="x", user_id="2"),
            NOW,
            (401, {"detail": "No active account found for the given token."}, {}),
            id="inactive user",
        ),
        pytest.param(
            lambda u, p: "",
            NOW,
            (400, {"refresh": ["This field may not be blank."]}, {}),
            id="blank",
        ),
    ],
)
def test_refresh_refusals(users, make, now, expected):
    token = make(users, tokens_for(users, "admin", STAFF_KEY))
    assert answer(view(REFRESH, users, now), {"refresh": token}, False) == expected


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda p: p["access"], (200, {}, {}), id="an access token"),
        pytest.param(lambda p: p["refresh"], (200, {}, {}), id="a refresh token"),
        pytest.param(lambda p: p["access"] + "x", invalid("Token is invalid"), id="bad signature"),
        pytest.param(
            lambda p: None, (400, {"token": ["This field may not be null."]}, {}), id="null"
        ),
    ],
)
def test_verify(users, make, expected):
    token = make(tokens_for(users, "admin", STAFF_KEY))
    assert answer(view(VERIFY, users), {"token": token}, False) == expected


def test_verify_an_expired_token(users):
    access = tokens_for(users, "admin", STAFF_KEY)["access"]
    assert answer(view(VERIFY, users, NOW + 300), {"token": access}, False) == invalid(
        "Token is expired"
    )


def test_default_jtis_differ(users):
    answer_a = login_for(PAIR, users)({"username": "admin", "password": STAFF_KEY}, False)
    answer_b = login_for(PAIR, users)({"username": "admin", "password": STAFF_KEY}, False)
    assert answer_a != answer_b
    assert logins.ACCESS_LIFETIME == 300 and logins.REFRESH_LIFETIME == 86400


# -- the reference service ----------------------------------------------------------------------

SERVICE_KEY = "0123456789abcdef0123456789abcdef01234567"
MULTIPART = "multipart/form-data; boundary=XX"


def multipart(*parts: tuple[str, bytes, str]) -> bytes:
    return (
        b"".join(
            f'--XX\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()
            + value
            + b"\r\n"
            for name, value, extra in parts
        )
        + b"--XX--\r\n"
    )


GOOD = json.dumps({"username": "api", "password": SERVICE_KEY}).encode()
# (Content-Type, body): each sent to the service's /api/token/ and to the mock's view.
EXCHANGES = {
    "good": ("application/json", GOOD),
    "good, spaces trimmed": (
        "application/json",
        b'{"username":" api ","password":" %s "}' % SERVICE_KEY.encode(),
    ),
    "good form": (
        "application/x-www-form-urlencoded",
        b"username=x&username=api&password=" + SERVICE_KEY.encode(),
    ),
    "good multipart": (
        MULTIPART,
        multipart(("username", b"api", ""), ("password", SERVICE_KEY.encode(), "")),
    ),
    "wrong password": ("application/json", b'{"username":"api","password":"no"}'),
    "numbers": ("application/json", b'{"username":5,"password":1.5}'),
    "missing": ("application/json", b"{}"),
    "empty body": ("application/json", b""),
    "blank": ("application/json", b'{"username":"","password":" "}'),
    "nulls": ("application/json", b'{"username":null,"password":null}'),
    "types": ("application/json", b'{"username":["a"],"password":true}'),
    "nul and surrogate": ("application/json", b'{"username":"a\\u0000","password":"\\ud800"}'),
    "json null": ("application/json", b"null"),
    "json list": ("application/json", b"[1]"),
    "malformed": ("application/json", b'{"username":'),
    "NaN": ("application/json", b'{"username": NaN}'),
    "bad utf-8": ("application/json", b'{"username":"\xff"}'),
    "cut utf-8": ("application/json", b'{"a":"\xe2\x82'),
    "BOM": ("application/json", b"\xef\xbb\xbf{}"),
    "bz2 charset": ("application/json; charset=bz2_codec", b"{}"),
    "text/plain": ("text/plain", b"hello"),
    "no content type": (None, GOOD),
    "no content type, no body": (None, b""),
    "json suffix": ("application/vnd.api+json", b"{}"),
    "form blanks": ("application/x-www-form-urlencoded", b"username=&password"),
    "multipart file": (
        MULTIPART,
        multipart(("username", b"api", '; filename="a.txt"'), ("password", b"pw", "")),
    ),
    "multipart cut off": (
        MULTIPART,
        b'--XX\r\nContent-Disposition: form-data; name="username"\r\n\r\napi',
    ),
    "multipart garbage": (MULTIPART, b"garbage"),
    "multipart no boundary": ("multipart/form-data", b"--XX\r\n"),
}


@pytest.fixture(scope="module")
def reference():
    from helpers_drf import DrfService

    with DrfService({"/tags/": []}, SERVICE_KEY, password=SERVICE_KEY) as service:
        yield service


@pytest.fixture(scope="module")
def mock_of_reference():
    """The mock of the reference service's spec, its one key the service's user's password."""
    spec = str(Path(__file__).resolve().parent / "drfservice" / "openapi.yaml")
    return make_state(spec=spec, size=3, token=(SERVICE_KEY,))


@pytest.mark.slow
@pytest.mark.parametrize("name", EXCHANGES)
def test_the_reference_service_answers_alike(reference, mock_of_reference, name):
    import httpx

    from mockserver.http.parsers import parse

    state = mock_of_reference
    content_type, body = EXCHANGES[name]
    headers = {} if content_type is None else {"Content-Type": content_type}
    real = httpx.post(f"{reference.url}/api/token/", content=body, headers=headers)
    op = next(op for op in state.spec.operations if op.path == "/api/token/")
    ours = answer(lambda: login_for(op, state)(*parse(content_type, body)))
    theirs = real.json()
    if real.status_code == 200:  # signed with another secret: the claims are compared
        theirs, ours = _shape(theirs), _shape(ours[1])
        assert (real.status_code, theirs) == (200, ours)
        return
    challenge = real.headers.get("WWW-Authenticate")
    assert (real.status_code, theirs, challenge) == (
        ours[0],
        ours[1],
        ours[2].get("WWW-Authenticate"),
    )


def _shape(pair: dict) -> dict:
    """A pair's keys in order, and each token's claims (names in order, their types)."""
    return {
        key: [(claim, type(value).__name__) for claim, value in claims(token).items()]
        for key, token in pair.items()
    }
