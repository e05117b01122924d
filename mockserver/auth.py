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


def unauthorized(message: str) -> ApiError:
    return ApiError.detail(401, message, CHALLENGE)


def authenticate(header: bytes | None, tokens: dict[str, int], is_active) -> int:
    """The id of the user the header authenticates, or ApiError(401).

    >>> authenticate(b"  token   abc ", {"abc": 7}, lambda user: True)
    7
    """
    parts = (header or b"").split()
    if not parts or parts[0].lower() != b"token":
        raise unauthorized(NOT_PROVIDED)
    if len(parts) == 1:
        raise unauthorized(NO_CREDENTIALS)
    if len(parts) > 2:
        raise unauthorized(HAS_SPACES)
    try:
        key = parts[1].decode()
    except UnicodeDecodeError:
        raise unauthorized(BAD_CHARACTERS) from None
    user = tokens.get(key)
    if user is None:
        raise unauthorized(INVALID_TOKEN)
    if not is_active(user):
        raise unauthorized(INACTIVE)
    return user
