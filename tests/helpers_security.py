"""The authenticators of the auth and security tests, as drf-spectacular's schemes make them."""

from __future__ import annotations

from mockserver.contract.security import Kind, Scheme

TOKEN = Scheme("tokenAuth", Kind.TOKEN, "Token")
JWT = Scheme("jwtAuth", Kind.JWT, "Bearer")
BASIC = Scheme("basicAuth", Kind.BASIC)
COOKIE = Scheme("cookieAuth", Kind.SESSION, place="cookie", field="sessionid")
API_KEY = Scheme("apiKeyAuth", Kind.API_KEY, field="X-API-Key")
QUERY_KEY = Scheme("queryAuth", Kind.API_KEY, place="query", field="api_key")
OAUTH2 = Scheme("oauth2", Kind.OAUTH2)
