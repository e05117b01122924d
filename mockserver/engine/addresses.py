"""Django's checks of e-mail addresses, URLs and IP addresses, as DRF's EmailField,
URLField and IPAddressField run them (`django/core/validators.py`, Django 5.2).

Each check answers whether the text is valid; the caller owns the message. The patterns
follow Django's: a host is labels of letters (any script from U+00A1), digits and inner
hyphens, then a top-level label of two or more letters or an `xn--` punycode label.

>>> is_email("ana@example.com"), is_email("ana@localhost"), is_email("ana@example")
(True, True, False)
>>> is_url("https://example.com/a?b#c"), is_url("example.com"), is_url("ftp://10.0.0.1:21")
(True, False, True)
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_LETTERS = "a-z\u00a1-\uffff"  # Django's `ul`: a host label may be in any script
_HOSTNAME = rf"[{_LETTERS}0-9](?:[{_LETTERS}0-9-]{{0,61}}[{_LETTERS}0-9])?"
_DOMAIN = rf"(?:\.(?!-)[{_LETTERS}0-9-]{{1,63}}(?<!-))*"
_TLD = rf"\.(?!-)(?:[{_LETTERS}-]{{2,63}}|xn--[a-z0-9]{{1,59}})(?<!-)"

# RFC 5321's dot-atom or quoted-string local part, as Django's EmailValidator.user_regex.
_USER = re.compile(
    r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z"
    r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z)',
    re.IGNORECASE,
)
_EMAIL_DOMAIN = re.compile(rf"^{_HOSTNAME}{_DOMAIN}{_TLD}\Z", re.IGNORECASE)
_LITERAL = re.compile(r"\[([A-F0-9:.]+)\]\Z", re.IGNORECASE)  # SMTP 4.1.3: `[10.0.0.1]`

_IPV4 = (
    r"(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)"
    r"(?:\.(?:0|25[0-5]|2[0-4][0-9]|1[0-9]?[0-9]?|[1-9][0-9]?)){3}"
)
_URL = re.compile(
    r"^(?:[a-z0-9.+-]*)://"  # the scheme, checked against _SCHEMES before
    r"(?:[^\s:@/]+(?::[^\s:@/]*)?@)?"  # user:password@
    rf"(?:{_IPV4}|\[[0-9a-f:.]+\]|({_HOSTNAME}{_DOMAIN}{_TLD}\.?|localhost))"
    r"(?::[0-9]{1,5})?"  # port
    r"(?:[/?#][^\s]*)?"  # path, query, fragment
    r"\Z",
    re.IGNORECASE,
)
_SCHEMES = ("http", "https", "ftp", "ftps")
_MAX_URL = 2048  # Django's MAX_URL_LENGTH
_MAX_EMAIL = 320  # RFC 3696 section 3


def is_email(value: str) -> bool:
    """Django's EmailValidator: a local part, `@`, and a domain, `localhost` or `[an IP]`.

    >>> is_email('"a@b"@example.org'), is_email("a@[::1]"), is_email("a@-x.org")
    (True, True, False)
    """
    if not value or "@" not in value or len(value) > _MAX_EMAIL:
        return False
    user, domain = value.rsplit("@", 1)
    if not _USER.match(user):
        return False
    if domain == "localhost" or _EMAIL_DOMAIN.match(domain):
        return True
    literal = _LITERAL.match(domain)
    return literal is not None and is_ip(literal[1], "both")


def is_url(value: str) -> bool:
    """Django's URLValidator with its default schemes (http, https, ftp, ftps).

    >>> is_url("http://[::1]:8000/"), is_url("http://[::z]/"), is_url("mailto:a@b.org")
    (True, False, False)
    """
    if len(value) > _MAX_URL or any(c in value for c in "\t\r\n"):
        return False
    if value.split("://")[0].lower() not in _SCHEMES:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    if not _URL.match(value):
        return False
    bracketed = re.search(r"^\[(.+)\](?::[0-9]{1,5})?$", parts.netloc)
    if bracketed and not is_ip(bracketed[1], "ipv6"):
        return False
    # RFC 1034 section 3.1: a full host name has at most 253 characters.
    return parts.hostname is not None and len(parts.hostname) <= 253


def is_ip(value: str, protocol: str) -> bool:
    """An IPv4 (`ipv4`), IPv6 (`ipv6`) or either (`both`) address, as Django's
    validate_ipv4_address / validate_ipv6_address read them.

    >>> is_ip("10.0.0.1", "ipv4"), is_ip("10.0.0.1", "ipv6"), is_ip("::ffff:10.0.0.1", "both")
    (True, False, True)
    """
    kinds = {"ipv4": (ipaddress.IPv4Address,), "ipv6": (ipaddress.IPv6Address,)}
    for kind in kinds.get(protocol, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        if kind is ipaddress.IPv6Address and len(value) > 39:  # Django's longest IPv6 text
            continue
        try:
            kind(value)
        except ValueError:
            continue
        return True
    return False
