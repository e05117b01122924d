"""Django 5.2's email, URL and IP validators, as DRF's EmailField, URLField and
IPAddressField call them (mockserver/engine/addresses.py). Each case is what Django's own
`validate_email`, `URLValidator()` and `validate_ipv46_address` decide."""

from __future__ import annotations

import pytest

from mockserver.engine.addresses import is_email, is_ip, is_url


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("lamp@example.com", True, id="plain"),
        pytest.param("a.b+c@sub.example.co.uk", True, id="dots and plus"),
        pytest.param('"quoted.local"@example.org', True, id="a quoted local part"),
        pytest.param('"quoted local"@example.org', False, id="a space even quoted"),
        pytest.param("a@[127.0.0.1]", True, id="an IPv4 literal"),
        pytest.param("a@localhost", True, id="the allowlisted domain"),
        pytest.param("nope", False, id="no at sign"),
        pytest.param("a@b", False, id="no dot in the domain"),
        pytest.param("a@-x.org", False, id="a label starting with a dash"),
        pytest.param("a b@example.com", False, id="a space"),
        pytest.param("a@example.com\n", False, id="a trailing newline"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_email(value, valid):
    assert is_email(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        pytest.param("https://example.com/lamp", True, id="https"),
        pytest.param("http://127.0.0.1:8000/x?y=1#z", True, id="an address and a port"),
        pytest.param("ftp://files.example.org/", True, id="ftp"),
        pytest.param("http://[::1]:8000/", True, id="an IPv6 literal"),
        pytest.param("example.com", False, id="no scheme"),
        pytest.param("mailto:a@b.org", False, id="another scheme"),
        pytest.param("http://", False, id="no host"),
        pytest.param("http://exa mple.com", False, id="a space"),
        pytest.param("http://[::z]/", False, id="a bad IPv6 literal"),
    ],
)
def test_is_url(value, valid):
    assert is_url(value) is valid


@pytest.mark.parametrize(
    ("value", "protocol", "valid"),
    [
        pytest.param("10.0.0.1", "ipv4", True, id="IPv4"),
        pytest.param("10.0.0.256", "ipv4", False, id="an octet too large"),
        pytest.param("::1", "ipv6", True, id="IPv6"),
        pytest.param("10.0.0.1", "ipv6", False, id="IPv4 where IPv6 is asked"),
        pytest.param("::ffff:10.0.0.1", "both", True, id="a mapped address, either"),
        pytest.param("x", "both", False, id="no address"),
    ],
)
def test_is_ip(value, protocol, valid):
    assert is_ip(value, protocol) is valid
