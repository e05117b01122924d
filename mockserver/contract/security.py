"""Security schemes as DRF runs them: each operation's authenticators, in the view's order.

An operation's `security` (drf-spectacular writes one alternative per authentication class,
in the view's order) becomes a `Security`: its `Scheme`s in that order, and whether an
empty alternative (`{}`: AllowAny, or IsAuthenticatedOrReadOnly on a read) makes it open.
What each scheme reads, how a client sends a key to it, and the `WWW-Authenticate` it
challenges with are data here; checking a request's credentials is mockserver/http/auth.py.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

# django-oauth-toolkit's OAuth2Validator._set_oauth2_error_on_request: an unknown bearer
# token adds these to OAuth2Authentication's challenge.
OAUTH2_INVALID = (("error", "invalid_token"), ("error_description", "The access token is invalid."))
OAUTH2_ERROR = "".join(f',{name}="{value}"' for name, value in OAUTH2_INVALID)
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
    # The header's name as ASGI gives it, lower-case (header names ignore case); the
    # keyword lower-cased (TokenAuthentication ignores its case). Set from the fields.
    header: bytes = dataclasses.field(default=b"", init=False, compare=False, repr=False)
    keyword_bytes: bytes = dataclasses.field(default=b"", init=False, compare=False, repr=False)

    def __post_init__(self):
        # Read on every request: made once. (The frozen dataclass compares and hashes by
        # its fields; these two follow from them.)
        object.__setattr__(self, "header", self.field.lower().encode("latin-1"))
        object.__setattr__(self, "keyword_bytes", self.keyword.lower().encode("latin-1"))

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
            return (first, first + OAUTH2_ERROR)
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
