"""The JSON Web Tokens the mock issues and accepts, as simplejwt's AccessToken: HS256, signed
with a secret derived from the seed, so that the same seed issues the same tokens.

A frontend stores and decodes them as it would the real service's: three base64url parts,
a payload with simplejwt's claims (`token_type`, `exp`, `iat`, `jti`, `user_id`). The mock
cannot check the real service's tokens (it has not its SECRET_KEY): it accepts its own.

>>> token = issue_jwt(1, 42)
>>> owner_of(token, secret_of(42))
1
>>> issue_jwt(1, 42) == token != issue_jwt(1, 7)
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

import orjson

# rest_framework_simplejwt 5.5: authentication.JWTAuthentication, tokens.Token, backends.
BAD_HEADER = "Authorization header must contain two space-delimited values"
NOT_VALID = "Given token not valid for any token type"  # InvalidToken's detail
INVALID = "Token is invalid"  # any TokenBackendError: format, algorithm, signature
EXPIRED = "Token is expired"
NO_EXP = "Token has no 'exp' claim"
NO_ID = "Token has no id"
NO_TYPE = "Token has no type"
WRONG_TYPE = "Token has wrong type"
NO_USER = "Token contained no recognizable user identification"
USER_NOT_FOUND = "User not found"
USER_INACTIVE = "User is inactive"

ACCESS = "access"  # AccessToken.token_type
ISSUED_AT = 1_735_689_600  # 2025-01-01T00:00:00Z
EXPIRES_AT = 4_102_444_800  # 2100-01-01T00:00:00Z: a token that outlives any demo
_HEADER = {"alg": "HS256", "typ": "JWT"}  # PyJWT's header, its keys sorted


class Refused(Exception):
    """simplejwt's InvalidToken or AuthenticationFailed: `body` as DRF renders it."""

    def __init__(self, body: dict):
        super().__init__(body)
        self.body = body


def secret_of(seed: int) -> bytes:
    """The HS256 key of the mock's tokens for `seed` (the mock's SIGNING_KEY)."""
    return hashlib.sha256(f"mockserver jwt {seed}".encode()).hexdigest().encode()


def issue_jwt(owner: int | None, seed: int) -> str:
    """An access token for `owner` (user 1 where the spec has no user records), as
    `AccessToken.for_user` makes one: `user_id` a string, `jti` 32 hex characters."""
    user_id = str(owner if owner is not None else 1)
    payload = {
        "token_type": ACCESS,
        "exp": EXPIRES_AT,
        "iat": ISSUED_AT,
        "jti": hashlib.sha256(f"mockserver jti {seed} {user_id}".encode()).hexdigest()[:32],
        "user_id": user_id,
    }
    return encode(payload, secret_of(seed))


def encode(payload: dict, secret: bytes) -> str:
    """`payload` signed with HS256 as PyJWT's `jwt.encode` signs it."""
    signing = _b64(orjson.dumps(_HEADER)) + "." + _b64(orjson.dumps(payload))
    return signing + "." + _b64(_sign(secret, signing))


def owner_of(token: str, secret: bytes, now: float | None = None) -> int:
    """The `user_id` of a token the mock signed, checked in simplejwt's order: PyJWT's
    decode (format, algorithm, signature, then `exp`, `iat`, `nbf`), AccessToken.verify
    (`exp`, `jti`, `token_type`), then JWTAuthentication.get_user (`user_id`)."""
    payload = _claims(token, secret, time.time() if now is None else now)
    if "user_id" not in payload:
        raise Refused({"detail": NO_USER, "code": "token_not_valid"})
    try:
        return int(payload["user_id"])
    except (TypeError, ValueError):
        # Django raises ValueError for a non-integer primary key (a 500); the mock signs none.
        raise Refused({"detail": USER_NOT_FOUND, "code": "user_not_found"}) from None


def _claims(token: str, secret: bytes, now: float) -> dict:
    """The verified payload, or Refused with simplejwt's `messages` for AccessToken."""
    parts = token.split(".")
    try:
        if len(parts) != 3:
            raise ValueError
        header, payload = orjson.loads(_unb64(parts[0])), orjson.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, binascii.Error):
        raise _invalid(INVALID) from None
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise _invalid(INVALID)
    if not hmac.compare_digest(signature, _sign(secret, f"{parts[0]}.{parts[1]}")):
        raise _invalid(INVALID)
    if not isinstance(payload, dict):
        raise _invalid(INVALID)
    # PyJWT's _validate_claims, in its order: iat, nbf, exp, then sub and jti are strings.
    for claim in ("iat", "nbf", "exp"):
        if claim not in payload:
            continue
        try:
            moment = int(payload[claim])
        except (TypeError, ValueError, OverflowError):
            raise _invalid(INVALID) from None
        if claim == "exp" and moment <= now:
            raise _invalid(EXPIRED)
        if claim != "exp" and moment > now:
            raise _invalid(INVALID)  # ImmatureSignatureError
    if not isinstance(payload.get("sub", ""), str) or not isinstance(payload.get("jti", ""), str):
        raise _invalid(INVALID)
    if "exp" not in payload:
        raise _invalid(NO_EXP)
    if "jti" not in payload:
        raise _invalid(NO_ID)
    if "token_type" not in payload:
        raise _invalid(NO_TYPE)
    if payload["token_type"] != ACCESS:
        raise _invalid(WRONG_TYPE)
    return payload


def _invalid(message: str) -> Refused:
    """JWTAuthentication.get_validated_token: one message per AUTH_TOKEN_CLASSES entry."""
    return Refused(
        {
            "detail": NOT_VALID,
            "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": ACCESS, "message": message}],
        }
    )


def _sign(secret: bytes, signing: str) -> bytes:
    return hmac.new(secret, signing.encode("ascii", "replace"), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    data = text.encode("ascii")  # UnicodeEncodeError is a ValueError
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))
