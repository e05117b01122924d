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
issues itself (`mockserver/webtoken.py`):

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
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

from mockserver import webtoken
from mockserver.errors import ApiError

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
# django-oauth-toolkit's OAuth2Validator._set_oauth2_error_on_request: an unknown bearer
# token adds these to OAuth2Authentication's challenge.
OAUTH2_INVALID = (("error", "invalid_token"), ("error_description", "The access token is invalid."))
_OAUTH2_ERROR = "".join(f',{name}="{value}"' for name, value in OAUTH2_INVALID)
# DRF's realm for Basic, simplejwt's and django-oauth-toolkit's (`www_authenticate_realm`).
REALM = "api"
# drf-spectacular's description of a prefixed token (build_bearer_security_scheme_object).
_PREFIX = re.compile(r'required prefix "([^"]+)"')


class Kind(StrEnum):
    """The authentication class behind a security scheme."""

    TOKEN = "token"  # rest_framework TokenAuthentication (or a subclass, or knox)
    JWT = "jwt"  # rest_framework_simplejwt JWTAuthentication
    BASIC = "basic"  # rest_framework BasicAuthentication
    SESSION = "session"  # rest_framework SessionAuthentication: the session cookie
    API_KEY = "apikey"  # a custom authenticator reading a header or a query parameter
    OAUTH2 = "oauth2"  # django-oauth-toolkit OAuth2Authentication


@dataclass(frozen=True)
class Scheme:
    """One authenticator: what it reads (`place`: header, query or cookie; `field`: its
    name as the spec spells it) and, for Token and JWT, the keyword before the credential."""

    name: str  # the spec's name of the scheme
    kind: Kind
    keyword: str = ""
    place: str = "header"
    field: str = "Authorization"

    @property
    def header(self) -> bytes:
        """The header's name as ASGI gives it: lower-case (header names ignore case)."""
        return self.field.lower().encode("latin-1")

    @property
    def challenge(self) -> str | None:
        """`authenticate_header`: the `WWW-Authenticate` of a 401, or None (a 403)."""
        if self.kind == Kind.TOKEN:
            return self.keyword
        if self.kind == Kind.JWT:
            return f'{self.keyword} realm="{REALM}"'
        if self.kind == Kind.BASIC:
            return f'Basic realm="{REALM}"'
        if self.kind == Kind.OAUTH2:
            return f'Bearer realm="{REALM}"'
        return None

    def credential(self, key: str, jwt: str = "") -> str:
        """How a client sends `key` (or, to simplejwt, the `jwt` issued for it):

        >>> Scheme("basicAuth", Kind.BASIC).credential("k")
        'Authorization: Basic ZGVtbzpr'
        >>> Scheme("key", Kind.API_KEY, place="query", field="api_key").credential("k")
        '?api_key=k'
        """
        if self.kind == Kind.BASIC:
            encoded = base64.b64encode(f"{BASIC_USER}:{key}".encode()).decode()
            return f"Authorization: Basic {encoded}"
        if self.place == "query":
            return f"?{self.field}={key}"
        if self.place == "cookie":
            return f"Cookie: {self.field}={key}"
        if self.kind == Kind.OAUTH2:
            return f"{self.field}: Bearer {key}"
        if self.kind == Kind.JWT:
            return f"{self.field}: {self.keyword} {jwt or key}"
        return f"{self.field}: {self.keyword} {key}" if self.keyword else f"{self.field}: {key}"


# The username the banner offers for Basic; any non-empty one works (see _basic).
BASIC_USER = "demo"
TOKEN_SCHEME = Scheme("tokenAuth", Kind.TOKEN, "Token")


@dataclass(frozen=True)
class Security:
    """An operation's authenticators in DRF's order, and whether it is open to anonymous
    requests (bad credentials are refused all the same: DRF authenticates every request
    before the permissions are checked)."""

    schemes: tuple[Scheme, ...] = (TOKEN_SCHEME,)
    open: bool = False

    @property
    def challenge(self) -> str | None:
        """The first authenticator's challenge: the only one DRF ever sends."""
        return self.schemes[0].challenge if self.schemes else None

    @property
    def challenges(self) -> tuple[str, ...]:
        """Every `WWW-Authenticate` a 401 can carry (OAuth2's names a token it refused)."""
        first = self.challenge
        if first is None:
            return ()
        if self.schemes[0].kind == Kind.OAUTH2:
            return (first, first + _OAUTH2_ERROR)
        return (first,)

    @property
    def refuses(self) -> bool:
        """Whether a request can be refused: a closed operation, or an open one with an
        authenticator that raises on a bad credential (session and OAuth2 never do)."""
        return not self.open or any(s.kind not in (Kind.SESSION, Kind.OAUTH2) for s in self.schemes)


TOKEN_ONLY = Security()


def scheme_of(name: str, raw: dict) -> Scheme | None:
    """The authenticator drf-spectacular documents as `raw` (None: one the mock cannot run).

    >>> scheme_of("jwtAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}).kind
    <Kind.JWT: 'jwt'>
    >>> scheme_of("tokenAuth", {"type": "http", "scheme": "bearer"}).challenge
    'Bearer'
    """
    kind = raw.get("type")
    if kind == "http":
        scheme = str(raw.get("scheme", "")).lower()
        if scheme == "basic":
            return Scheme(name, Kind.BASIC)
        if scheme == "bearer":
            # build_bearer_security_scheme_object writes `http bearer` for any token class
            # whose prefix is "Bearer"; simplejwt's adds `bearerFormat: JWT`.
            jwt = str(raw.get("bearerFormat", "")).upper() == "JWT" or name == "jwtAuth"
            return Scheme(name, Kind.JWT if jwt else Kind.TOKEN, "Bearer")
        return None
    if kind in ("oauth2", "openIdConnect"):
        return Scheme(name, Kind.OAUTH2)
    if kind != "apiKey":
        return None
    place, field = raw.get("in"), str(raw.get("name", ""))
    if place == "cookie":
        return Scheme(name, Kind.SESSION, place="cookie", field=field)
    if place == "query":
        return Scheme(name, Kind.API_KEY, place="query", field=field)
    prefix = _PREFIX.search(str(raw.get("description", "")))
    if place == "header" and (field.lower() == "authorization" or prefix):
        # Any other prefix on Authorization is a header that drf-spectacular could not write
        # as `http bearer`: a TokenAuthentication keyword, or simplejwt's AUTH_HEADER_TYPES
        # ("JWT", a common choice), which it names `jwtAuth`.
        keyword = prefix.group(1) if prefix else "Token"
        jwt = name == "jwtAuth" or keyword == "JWT"
        return Scheme(name, Kind.JWT if jwt else Kind.TOKEN, keyword, field=field)
    return Scheme(name, Kind.API_KEY, field=field)


def security_of(requirements: list[dict] | None, schemes: Mapping[str, dict]) -> Security:
    """An operation's `security` (or the document's) as DRF runs it.

    >>> security_of([{"tokenAuth": []}, {}], {"tokenAuth": {"type": "http", "scheme": "basic"}})
    Security(schemes=(Scheme(name='tokenAuth', kind=<Kind.BASIC: 'basic'>, keyword='', \
place='header', field='Authorization'),), open=True)
    """
    found: dict[str, Scheme] = {}
    for alternative in requirements or ():
        for name in alternative:
            scheme = scheme_of(name, schemes.get(name) or {})
            if scheme is not None:
                found.setdefault(name, scheme)
    is_open = not requirements or any(not alternative for alternative in requirements)
    return Security(tuple(found.values()), is_open)


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

    >>> keys = Keys({"abc": 7}, lambda owner: True)
    >>> authenticate({b"authorization": b"  token   abc "}, b"", TOKEN_ONLY, keys)
    7
    """
    for scheme in security.schemes:
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
        challenge += _OAUTH2_ERROR
    return ApiError(401, body, {"WWW-Authenticate": challenge})


def _token(scheme: Scheme, headers, query, keys: Keys) -> int | None:
    """TokenAuthentication: its keyword matched case-insensitively, then the key."""
    parts = headers.get(scheme.header, b"").split()
    if not parts or parts[0].lower() != scheme.keyword.lower().encode():
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
