"""The login endpoints of DRF and simplejwt, answered as the real views answer them.

Recognised by their request and response schemas (drf-spectacular names them, but a
project may rename or split them: `TokenObtainPairRequest`, an `email` login), never by
path or name:

- DRF's `obtain_auth_token`: sends `username`, `password`; answers `token`;
- simplejwt's `TokenObtainPairView`: sends `<USERNAME_FIELD>` (`username`, `email`, ...)
  and `password`; answers `access` and `refresh`;
- simplejwt's `TokenRefreshView`: sends `refresh`; answers `access`, and `refresh` too
  when the schema says so (ROTATE_REFRESH_TOKENS, as drf-spectacular documents it);
- simplejwt's `TokenVerifyView`: sends `token`; answers nothing (`{}`).

A sliding-token view (`TokenObtainSlidingView`) has AuthToken's shape when its user field
is `username`: it is answered as `obtain_auth_token`.

**Who logs in, with what password.** The mock stores no password, so the password is a
key: a user logs in with any key the mock accepts for that user (the fixtures' tokens,
and `--token` keys, which belong to the staff persona), as Basic authentication already
does (mockserver/http/auth.py). With the fixtures, `admin` logs in with
`9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b`. The user is the record of the tokens' owner
collection (`x-fixtures: tokens: {owner: ...}`) whose user field (`username`, or the
field the login schema asks for, such as `email`) is exactly the name sent, as Django's
ModelBackend looks it up; an inactive user is refused as an unknown one (ModelBackend's
`user_can_authenticate`). A spec without user records (no `x-fixtures`) takes any
non-empty name with any key as the password: the reference service's user `api`, loaded
with its token as its password, logs in to the mock and to the service alike.

**What comes back is what the mock accepts.** `obtain_auth_token` answers the user's
token (the first key the user owns; without user records, the key sent); simplejwt's views
answer JWTs signed with the mock's secret (mockserver/http/webtoken.py), with simplejwt's
claims in its order (`token_type`, `exp`, `iat`, `jti`, `user_id`) and default lifetimes
(access 5 minutes, refresh 1 day), so `Authorization: Bearer <access>` works until it
expires, as on the real service.

>>> from types import SimpleNamespace as NS
>>> schema = {"properties": {"refresh": {"type": "string", "writeOnly": True},
...                          "access": {"type": "string", "readOnly": True}}}
>>> op = NS(method="POST", body={"application/json": schema},
...         responses={"200": {"content": {"application/json": {"schema": schema}}}})
>>> recognise(op)
Login(kind=<Kind.REFRESH: 'refresh'>, user_field='', rotate=False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable

import orjson

from mockserver.contract.loginviews import Kind, Login, recognise  # noqa: F401
from mockserver.errors import ApiError
from mockserver.http import webtoken

# rest_framework.fields.Field and CharField, rest_framework.serializers.Serializer.
REQUIRED = "This field is required."
NULL = "This field may not be null."
BLANK = "This field may not be blank."
NOT_STRING = "Not a valid string."
NULL_CHARACTERS = "Null characters are not allowed."
SURROGATE = "Surrogate characters are not allowed: U+{:X}."
NO_DATA = "No data provided"
NOT_A_DICT = "Invalid data. Expected a dictionary, but got {}."
# rest_framework.authtoken.serializers.AuthTokenSerializer.
UNABLE = "Unable to log in with provided credentials."
# rest_framework_simplejwt 5.5: serializers, views, tokens.
NO_ACCOUNT = "No active account found with the given credentials"
NO_ACCOUNT_FOR_TOKEN = "No active account found for the given token."
NO_EXP = "Token has no 'exp' claim"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}  # TokenViewBase.get_authenticate_header
REFRESH = "refresh"
ACCESS_LIFETIME = 5 * 60  # simplejwt's ACCESS_TOKEN_LIFETIME default
REFRESH_LIFETIME = 24 * 60 * 60  # REFRESH_TOKEN_LIFETIME default


Answer = Callable[[object, bool], tuple[int, bytes]]


def login_for(
    op, state, *, clock: Callable[[], float] = time.time, new_jti: Callable[[], str] | None = None
) -> Answer | None:
    """None when `op` is no login endpoint; else the view: (data, form) from
    mockserver/http/parsers.py to (status, JSON body), or ApiError as DRF answers.
    `clock` and `new_jti` (simplejwt's `uuid4().hex`) are the tests' to fix."""
    login = recognise(op)
    if login is None:
        return None
    users = _Users(state, login.user_field)
    tokens = _Tokens(webtoken.secret_of(state.settings.seed), clock, new_jti or _jti)
    if login.kind == Kind.AUTH_TOKEN:
        return lambda data, form: _auth_token(data, form, users)
    if login.kind == Kind.PAIR:
        return lambda data, form: _pair(data, form, login.user_field, users, tokens)
    if login.kind == Kind.REFRESH:
        return lambda data, form: _refresh(data, form, login.rotate, users, tokens)
    return lambda data, form: _verify(data, form, tokens)


# -- the views ---------------------------------------------------------------------------------


def _auth_token(data, form: bool, users: _Users) -> tuple[int, bytes]:
    """ObtainAuthToken.post: AuthTokenSerializer (the password not trimmed), then
    Token.objects.get_or_create(user)."""
    values = _validate(data, form, {"username": True, "password": False})
    found = users.authenticate(values["username"], values["password"])
    if found is None:
        raise ApiError.invalid({"non_field_errors": [UNABLE]})
    return 200, orjson.dumps({"token": users.token_of(*found)})


def _pair(data, form: bool, user_field: str, users: _Users, tokens: _Tokens):
    """TokenObtainPairView: TokenObtainSerializer's fields (both trimmed: PasswordField is
    a CharField), authenticate, then RefreshToken.for_user and its access_token."""
    values = _validate(data, form, {user_field: True, "password": True})
    found = users.authenticate(values[user_field], values["password"])
    if found is None:
        raise ApiError.detail(401, NO_ACCOUNT, CHALLENGE)
    refresh = tokens.for_user(found[0])
    return 200, orjson.dumps({"refresh": tokens.sign(refresh), "access": tokens.access(refresh)})


def _refresh(data, form: bool, rotate: bool, users: _Users, tokens: _Tokens):
    """TokenRefreshView: the refresh token checked as RefreshToken, its user active, a new
    access token (its `iat` the refresh token's); with rotation a new refresh token too."""
    values = _validate(data, form, {"refresh": True})
    refresh = tokens.check(values["refresh"], REFRESH)
    user_id = refresh.get("user_id")
    if user_id and not users.is_active(user_id):
        # simplejwt raises DoesNotExist (a 500) for a user that is gone; the mock signs
        # tokens for its own users only, so that is an inactive user here too.
        raise ApiError.detail(401, NO_ACCOUNT_FOR_TOKEN)
    body = {"access": tokens.access(refresh)}
    if rotate:
        now = tokens.now()
        refresh.update(jti=tokens.new_jti(), exp=now + REFRESH_LIFETIME, iat=now)
        body["refresh"] = tokens.sign(refresh)
    return 200, orjson.dumps(body)


def _verify(data, form: bool, tokens: _Tokens):
    """TokenVerifyView: UntypedToken (any type, `exp` and `jti` checked) answers `{}`."""
    values = _validate(data, form, {"token": True})
    tokens.check(values["token"], None)
    return 200, b"{}"


# -- serializer fields -------------------------------------------------------------------------


def _validate(data, form: bool, fields: dict[str, bool]) -> dict[str, str]:
    """Serializer.is_valid for CharFields (`fields`: name -> trim_whitespace), every bad
    field at once in field order; ApiError 400 in DRF's shape."""
    if data is None:
        # Serializer.errors: a lone "may not be null" for the whole body is "No data provided".
        raise ApiError.invalid({"non_field_errors": [NO_DATA]})
    if not isinstance(data, dict):
        raise ApiError.invalid({"non_field_errors": [NOT_A_DICT.format(type(data).__name__)]})
    values, errors = {}, {}
    for name, trim in fields.items():
        if form:  # Field.get_value on a QueryDict: the last value sent
            value = data[name][-1] if data.get(name) else _MISSING
        else:
            value = data.get(name, _MISSING)
        problems = _char_field(value, trim)
        if isinstance(problems, list):
            errors[name] = problems
        else:
            values[name] = problems
    if errors:
        raise ApiError.invalid(errors)
    return values


_MISSING = object()


def _char_field(value, trim: bool) -> str | list[str]:
    """CharField.run_validation (required, not null, not blank): the value, or its messages."""
    if value is _MISSING:
        return [REQUIRED]
    if value is None:
        return [NULL]
    if value == "" or (trim and str(value).strip() == ""):
        return [BLANK]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return [NOT_STRING]  # lists, objects, a multipart file
    text = str(value).strip() if trim else str(value)
    # Its validators, every one run: ProhibitNullCharacters, ProhibitSurrogateCharacters.
    problems = [NULL_CHARACTERS] if "\x00" in text else []
    surrogate = next((ch for ch in text if 0xD800 <= ord(ch) <= 0xDFFF), None)
    if surrogate is not None:
        problems.append(SURROGATE.format(ord(surrogate)))
    return problems or text


# -- users and their keys ----------------------------------------------------------------------


class _Users:
    """Who may log in: see the module's docstring."""

    def __init__(self, state, user_field: str):
        self.state = state
        self.user_field = user_field
        self.records = state.fixtures.owner is not None

    def authenticate(self, name: str, password: str) -> tuple[int | None, str] | None:
        """(user id, the key given as password) of an active user, else None
        (django.contrib.auth.authenticate with ModelBackend)."""
        tokens = self.state.tokens
        if password not in tokens:
            return None
        owner = tokens[password]
        if not self.records:
            return (owner, password) if name else None
        dataset = self.state.served[self.state.fixtures.owner].dataset
        if self.user_field not in dataset.columns:
            return None
        row = dataset.row_by(self.user_field, name)
        if row is None or int(dataset.ids[row]) != owner or not self.state.is_active(owner):
            return None
        return owner, password

    def token_of(self, owner: int | None, password: str) -> str:
        """The user's one DRF Token: the first key it owns (without user records, the key
        that was its password)."""
        if not self.records:
            return password
        return next(key for key, user in self.state.tokens.items() if user == owner)

    def is_active(self, user_id) -> bool:
        try:
            owner = int(user_id)
        except (TypeError, ValueError):
            return False
        return bool(self.state.is_active(owner))


# -- JSON Web Tokens ---------------------------------------------------------------------------


class _Tokens:
    """simplejwt's Token classes over the mock's signing secret."""

    def __init__(self, secret: bytes, clock: Callable[[], float], new_jti: Callable[[], str]):
        self.secret = secret
        self.clock = clock
        self.new_jti = new_jti

    def now(self) -> int:
        return int(self.clock())

    def for_user(self, owner: int | None) -> dict:
        """RefreshToken.for_user: its claims in simplejwt's order, `user_id` a string
        (user 1 without user records, as webtoken.issue_jwt)."""
        now = self.now()
        return {
            "token_type": REFRESH,
            "exp": now + REFRESH_LIFETIME,
            "iat": now,
            "jti": self.new_jti(),
            "user_id": str(owner if owner is not None else 1),
        }

    def access(self, refresh: dict) -> str:
        """RefreshToken.access_token: a new AccessToken (its type, `exp` from now, its own
        `jti`), then every other claim of the refresh token copied, `iat` included."""
        now = self.now()
        payload = {
            "token_type": webtoken.ACCESS,
            "exp": now + ACCESS_LIFETIME,
            "iat": now,
            "jti": self.new_jti(),
        }
        for claim, value in refresh.items():
            if claim not in ("token_type", "exp", "jti"):
                payload[claim] = value
        return self.sign(payload)

    def sign(self, payload: dict) -> str:
        return webtoken.encode(payload, self.secret)

    def check(self, token: str, token_type: str | None) -> dict:
        """Token(token): PyJWT's decode, then Token.verify (`exp`, `jti`, the type unless
        untyped); a TokenError is InvalidToken(message): 401 with `code`."""
        try:
            payload = self._decode(token)
        except _TokenError as error:
            raise ApiError(
                401, {"detail": error.message, "code": "token_not_valid"}, CHALLENGE
            ) from None
        problem = None
        if "exp" not in payload:
            problem = NO_EXP
        elif "jti" not in payload:
            problem = webtoken.NO_ID
        elif token_type is not None and "token_type" not in payload:
            problem = webtoken.NO_TYPE
        elif token_type is not None and payload["token_type"] != token_type:
            problem = webtoken.WRONG_TYPE
        if problem:
            raise ApiError(401, {"detail": problem, "code": "token_not_valid"}, CHALLENGE)
        return payload

    def _decode(self, token: str) -> dict:
        """jwt.decode with HS256 and the mock's secret, in PyJWT's order: format,
        algorithm, signature, then `iat`, `nbf`, `exp` (TokenBackend.decode's messages)."""
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            header = orjson.loads(_unb64(parts[0]))
            payload = orjson.loads(_unb64(parts[1]))
            signature = _unb64(parts[2])
        except (ValueError, binascii.Error):
            raise _TokenError(webtoken.INVALID) from None
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            raise _TokenError(webtoken.INVALID)
        expected = hmac.new(
            self.secret, f"{parts[0]}.{parts[1]}".encode("ascii", "replace"), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(signature, expected) or not isinstance(payload, dict):
            raise _TokenError(webtoken.INVALID)
        now = self.clock()
        for claim in ("iat", "nbf", "exp"):
            if claim not in payload:
                continue
            try:
                moment = int(payload[claim])
            except (TypeError, ValueError, OverflowError):
                raise _TokenError(webtoken.INVALID) from None
            if claim == "exp" and moment <= now:
                raise _TokenError(webtoken.EXPIRED)
            if claim != "exp" and moment > now:
                raise _TokenError(webtoken.INVALID)
        if not isinstance(payload.get("jti", ""), str):
            raise _TokenError(webtoken.INVALID)
        return payload


class _TokenError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _jti() -> str:
    return uuid.uuid4().hex


def _unb64(text: str) -> bytes:
    data = text.encode("ascii")  # UnicodeEncodeError is a ValueError
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
