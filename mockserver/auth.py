"""DRF's TokenAuthentication: the `Authorization: Token <key>` header, its exact 401s."""

from __future__ import annotations

from mockserver.errors import ApiError

# rest_framework.authentication.TokenAuthentication messages.
NOT_PROVIDED = "Authentication credentials were not provided."
NO_CREDENTIALS = "Invalid token header. No credentials provided."
HAS_SPACES = "Invalid token header. Token string should not contain spaces."
BAD_CHARACTERS = "Invalid token header. Token string should not contain invalid characters."
INVALID_TOKEN = "Invalid token."
INACTIVE = "User inactive or deleted."
CHALLENGE = {"WWW-Authenticate": "Token"}


def unauthorized(message: str, challenge: bool = True) -> ApiError:
    """401 with `WWW-Authenticate: Token`; without a challenge DRF answers 403 instead
    (APIView.permission_denied: no authenticator offers an `authenticate_header`)."""
    if not challenge:
        return ApiError.detail(403, message)
    return ApiError.detail(401, message, CHALLENGE)


def authenticate(
    header: bytes | None, tokens: dict, is_active, challenge: bool = True
) -> int | None:
    """The id of the record that owns the key (None: no owner), or ApiError(401).

    >>> authenticate(b"  token   abc ", {"abc": 7}, lambda user: True)
    7
    """
    parts = (header or b"").split()
    if not parts or parts[0].lower() != b"token":
        raise unauthorized(NOT_PROVIDED, challenge)
    if len(parts) == 1:
        raise unauthorized(NO_CREDENTIALS, challenge)
    if len(parts) > 2:
        raise unauthorized(HAS_SPACES, challenge)
    try:
        key = parts[1].decode()
    except UnicodeDecodeError:
        raise unauthorized(BAD_CHARACTERS, challenge) from None
    if key not in tokens:
        raise unauthorized(INVALID_TOKEN, challenge)
    user = tokens[key]
    if not is_active(user):
        raise unauthorized(INACTIVE, challenge)
    return user
