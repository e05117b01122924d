"""Authentication as DRF runs it: the view's authenticators in order, each with its exact answers.

An operation's `security` (drf-spectacular writes one alternative per authentication class,
in the view's order) becomes a `Security`: its `Scheme`s in that order, and whether an
empty alternative (`{}`: AllowAny, or IsAuthenticatedOrReadOnly on a read) makes it open.
`authenticate` then does what `rest_framework.request.Request._authenticate` does: each
authenticator in turn; one that does not recognise the request passes (None), one that
recognises its own credential but finds it bad raises, and that ends it. Whatever fails,
the status comes from the FIRST authenticator (APIView.handle_exception): 401 with its
`WWW-Authenticate` when it has `authenticate_header`, else 403.

The credentials the mock accepts, for every scheme, are its keys (`--token`, the
fixtures' tokens, the key derived from the seed) and, as Bearer values, the JWTs it
issues itself (`mockserver/http/webtoken.py`):

| scheme (drf-spectacular)                 | send                                      |
| ---------------------------------------- | ----------------------------------------- |
| Token (`tokenAuth`, knox)                | `Authorization: Token <key>`              |
| simplejwt (`jwtAuth`, bearerFormat JWT)  | `Authorization: Bearer <jwt or key>`      |
| Basic (`basicAuth`)                      | `Authorization: Basic b64(<any name>:<key>)` |
| Session (`cookieAuth`)                   | `Cookie: sessionid=<key>`                 |
| a custom apiKey header or query param    | `X-API-Key: <key>`, `?api_key=<key>`      |
| OAuth2 / OpenID Connect (django-oauth-toolkit) | `Authorization: Bearer <key>`       |
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from mockserver.contract.security import OAUTH2_ERROR, Kind, Scheme, Security
from mockserver.errors import ApiError
from mockserver.http import webtoken

# rest_framework.authentication.TokenAuthentication and exceptions.NotAuthenticated.
NOT_PROVIDED = "Authentication credentials were not provided."
NO_CREDENTIALS = "Invalid token header. No credentials provided."
HAS_SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."
INVALID_TOKEN = "Invalid token."
INACTIVE = "User inactive or deleted."
CHALLENGE = {"WWW-Authenticate": "Token"}
# rest_framework.authentication.BasicAuthentication.
BASIC_NO_CREDENTIALS = "Invalid basic header. No credentials provided."
BASIC_HAS_SPACES = "Invalid basic header. Credentials string should not contain spaces."
BASIC_NOT_BASE64 = "Invalid basic header. Credentials not correctly base64 encoded."
BASIC_INVALID = "Invalid username/password."
# APIView.permission_denied when the view has no authenticator at all.
NO_PERMISSION = "You do not have permission to perform this action."
# A custom apiKey authenticator (a header other than Authorization, or a query parameter)
# has no DRF original. The mock's answers: no key, or an empty one, is no credential (the
# authenticator returns None, as DRF's own do for an absent header); an unknown key raises
# AuthenticationFailed("Invalid API key."); a key whose owner is inactive raises
# TokenAuthentication's "User inactive or deleted.". Such authenticators seldom define
# `authenticate_header`, so, first in the list, they answer 403.
INVALID_API_KEY = "Invalid API key."


@dataclass(frozen=True)
class Keys:
    """What credentials are checked against: the keys and their owners, whether an owner
    may log in (`is_active`: True, False, or None for no such record), and the secret the
    mock's JWTs are signed with."""

    tokens: Mapping[str, int | None]
    is_active: Callable[[int | None], bool | None]
    secret: bytes = b""


class _Pass(Exception):
    """An authenticator that does not recognise the request (its `authenticate` is None)."""


def authenticate(
    headers: Mapping[bytes, bytes], query: bytes, security: Security, keys: Keys
) -> int | None:
    """The owner of the credential that authenticates the request (None: anonymous, on an
    open operation), or the ApiError DRF answers.

    >>> from mockserver.contract.security import TOKEN_ONLY
    >>> keys = Keys({"abc": 7}, lambda owner: True)
    >>> authenticate({b"authorization": b"  token   abc "}, b"", TOKEN_ONLY, keys)
    7
    """
    for scheme in security.schemes:
        if scheme.place == "header" and scheme.header not in headers:
            continue  # no header of its own: the authenticator returns None (no raise)
        try:
            return _AUTHENTICATORS[scheme.kind](scheme, headers, query, keys)
        except _Pass:
            continue
        except _Failed as failed:
            raise _refusal(failed.body, security, headers, keys) from None
    if security.open:
        return None
    if not security.schemes:
        raise ApiError.detail(403, NO_PERMISSION)
    raise _refusal({"detail": NOT_PROVIDED}, security, headers, keys)


class _Failed(Exception):
    """AuthenticationFailed: `body` is its detail as DRF renders it."""

    def __init__(self, body: dict):
        super().__init__(body)
        self.body = body


def _fail(message: str) -> _Failed:
    return _Failed({"detail": message})


def _refusal(body: dict, security: Security, headers, keys: Keys) -> ApiError:
    """APIView.handle_exception: 401 with the first authenticator's challenge, else 403."""
    challenge = security.challenge
    if challenge is None:
        return ApiError(403, body)
    first = security.schemes[0]
    if first.kind == Kind.OAUTH2 and _oauth2_token(headers) not in (None, *keys.tokens):
        challenge += OAUTH2_ERROR
    return ApiError(401, body, {"WWW-Authenticate": challenge})


def _token(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """TokenAuthentication: its keyword matched case-insensitively, then the key."""
    parts = headers.get(scheme.header, b"").split()
    if not parts or parts[0].lower() != scheme.keyword_bytes:
        raise _Pass
    if len(parts) == 1:
        raise _fail(NO_CREDENTIALS)
    if len(parts) > 2:
        raise _fail(HAS_SPACES)
    try:
        key = parts[1].decode()
    except UnicodeDecodeError:
        raise _fail(BAD_CHARACTERS) from None
    if key not in keys.tokens:
        raise _fail(INVALID_TOKEN)
    owner = keys.tokens[key]
    if not keys.is_active(owner):
        raise _fail(INACTIVE)
    return owner


def _jwt(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """simplejwt's JWTAuthentication: its header type matched case-sensitively, exactly two
    values, then the token: a JWT the mock issued, or one of the mock's keys."""
    parts = headers.get(scheme.header, b"").split()
    if not parts or parts[0] != scheme.keyword.encode():
        raise _Pass
    if len(parts) != 2:
        raise _Failed({"detail": webtoken.BAD_HEADER, "code": "bad_authorization_header"})
    try:
        raw = parts[1].decode()
    except UnicodeDecodeError:
        raw = ""  # PyJWT cannot decode it either: "Token is invalid"
    if raw in keys.tokens:
        owner = keys.tokens[raw]
    else:
        try:
            owner = webtoken.owner_of(raw, keys.secret)
        except webtoken.Refused as refused:
            raise _Failed(refused.body) from None
    active = keys.is_active(owner)
    if active is None:
        raise _Failed({"detail": webtoken.USER_NOT_FOUND, "code": "user_not_found"})
    if not active:
        raise _Failed({"detail": webtoken.USER_INACTIVE, "code": "user_inactive"})
    return owner


def _basic(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """BasicAuthentication. The mock's users: any non-empty username, with a key as the
    password; the key's owner is the user. Django's ModelBackend refuses an inactive user
    before DRF looks at `is_active`, so that too is "Invalid username/password."."""
    parts = headers.get(b"authorization", b"").split()
    if not parts or parts[0].lower() != b"basic":
        raise _Pass
    if len(parts) == 1:
        raise _fail(BASIC_NO_CREDENTIALS)
    if len(parts) > 2:
        raise _fail(BASIC_HAS_SPACES)
    try:
        decoded = base64.b64decode(parts[1])  # not validating: DRF's call, as it is
        try:
            text = decoded.decode("utf-8")
        except UnicodeDecodeError:
            text = decoded.decode("latin-1")
        username, password = text.split(":", 1)
    except (ValueError, binascii.Error):
        raise _fail(BASIC_NOT_BASE64) from None
    owner = keys.tokens.get(password, _Pass)
    if not username or owner is _Pass or not keys.is_active(owner):
        raise _fail(BASIC_INVALID)
    return owner


def _session(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """SessionAuthentication: the session cookie's value is a key. An unknown session or an
    inactive user is anonymous, never an error (`if not user or not user.is_active: return
    None`). CSRF is checked only for unsafe methods, which the mock does not serve."""
    value = _cookies(headers.get(b"cookie", b"")).get(scheme.field)
    if value is None or value not in keys.tokens:
        raise _Pass
    owner = keys.tokens[value]
    if not keys.is_active(owner):
        raise _Pass
    return owner


def _api_key(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """A custom apiKey authenticator (see INVALID_API_KEY for the answers chosen)."""
    if scheme.place == "query":
        values = [v for k, v in parse_qsl(query.decode("utf-8", "replace")) if k == scheme.field]
        value = values[-1] if values else ""  # QueryDict.get: the last
    else:
        value = headers.get(scheme.header, b"").strip().decode("latin-1")
    if not value:
        raise _Pass
    if value not in keys.tokens:
        raise _fail(INVALID_API_KEY)
    owner = keys.tokens[value]
    if not keys.is_active(owner):
        raise _fail(INACTIVE)
    return owner


def _oauth2(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """django-oauth-toolkit's OAuth2Authentication never raises: a token it does not know
    is anonymous (and marks its challenge, see _refusal). It does not check `is_active`."""
    token = _oauth2_token(headers)
    if token is None or token not in keys.tokens:
        raise _Pass
    return keys.tokens[token]


def _oauth2_token(headers) -> str | None:
    """oauthlib's get_token_from_header: `Bearer <token>`, the keyword in any case."""
    parts = headers.get(b"authorization", b"").decode("latin-1").split()
    return parts[1] if len(parts) == 2 and parts[0].lower() == "bearer" else None


def _cookies(header: bytes) -> dict[str, str]:
    """django.http.cookie.parse_cookie, less the unquoting (keys need none)."""
    cookies = {}
    for chunk in header.decode("latin-1").split(";"):
        key, equals, value = chunk.partition("=")
        if not equals:
            key, value = "", key
        key, value = key.strip(), value.strip()
        if key or value:
            cookies[key] = value
    return cookies


_AUTHENTICATORS = {
    Kind.TOKEN: _token,
    Kind.JWT: _jwt,
    Kind.BASIC: _basic,
    Kind.SESSION: _session,
    Kind.API_KEY: _api_key,
    Kind.OAUTH2: _oauth2,
}
