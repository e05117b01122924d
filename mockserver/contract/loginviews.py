"""The login views a spec documents, recognised by their request and response schemas
(never by path or name): DRF's `obtain_auth_token` and simplejwt's token views. The
compatibility report counts them; mockserver/http/logins.py answers them.

>>> from types import SimpleNamespace as NS
>>> sent = {"properties": {"username": {"type": "string"}, "password": {"type": "string"}}}
>>> answered = {"properties": {"access": {"type": "string"}, "refresh": {"type": "string"}}}
>>> op = NS(method="POST", body={"application/json": sent},
...         responses={"200": {"content": {"application/json": {"schema": answered}}}})
>>> recognise(op)
Login(kind=<Kind.PAIR: 'pair'>, user_field='username', rotate=False)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    AUTH_TOKEN = "auth token"  # DRF's obtain_auth_token
    PAIR = "pair"  # simplejwt's TokenObtainPairView
    REFRESH = "refresh"  # TokenRefreshView
    VERIFY = "verify"  # TokenVerifyView


@dataclass(frozen=True)
class Login:
    """A login operation: which view, the field the user is named by, and whether the
    refresh view rotates refresh tokens."""

    kind: Kind
    user_field: str = ""
    rotate: bool = False


def recognise(op) -> Login | None:
    """The login view `op` documents, from its request and 200 response schemas; None
    for any other operation."""
    if op.method != "POST":
        return None
    sent = _properties(_request_schema(op), hidden="readOnly")
    answered = _properties(_response_schema(op), hidden="writeOnly") or set()
    if sent is None:
        return None
    if len(sent) == 2 and "password" in sent:
        user_field = next(name for name in sent if name != "password")
        if {"access", "refresh"} <= answered:
            return Login(Kind.PAIR, user_field)
        if "token" in answered and user_field == "username":
            return Login(Kind.AUTH_TOKEN, user_field)
    if sent == {"refresh"} and "access" in answered:
        return Login(Kind.REFRESH, rotate="refresh" in answered)
    if sent == {"token"} and not answered:
        return Login(Kind.VERIFY)
    return None


# -- the schemas -------------------------------------------------------------------------------


def _request_schema(op) -> dict | None:
    body = getattr(op, "body", None) or {}
    schema = body.get("application/json") or next(iter(body.values()), None)
    return schema if isinstance(schema, dict) else None


def _response_schema(op) -> dict | None:
    ok = (getattr(op, "responses", None) or {}).get("200")
    if not isinstance(ok, dict):
        return None
    content = ok.get("content") or {}
    media = content.get("application/json") or next(iter(content.values()), None)
    return media.get("schema") if isinstance(media, dict) else None


def _properties(schema: dict | None, hidden: str) -> set[str] | None:
    """The names of a schema's properties that travel in this direction (not `hidden`:
    readOnly ones are never sent, writeOnly ones never answered); None for no schema."""
    if not isinstance(schema, dict):
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return set()
    return {
        name
        for name, prop in properties.items()
        if not (isinstance(prop, dict) and prop.get(hidden))
    }
