"""The served stack's front door: the `Host` it answers for, and no WebSocket.

**Host.** `/ui/` lists the working keys and `/__mock/requests` what was asked. A page on
`http://evil.test:8000` whose name is re-pointed at 127.0.0.1 (DNS rebinding) is, for the
browser, the same origin as itself, so it could read both; only the `Host` it sends,
`evil.test:8000`, gives it away. As Django's `ALLOWED_HOSTS` does (request.get_host(),
with DEBUG's default `['.localhost', '127.0.0.1', '[::1]']`), a request is answered only
when its Host names:

- `localhost` or a subdomain of it, or any IP address (an address cannot be rebound: a
  page that names one was loaded from it);
- the `--host` the server listens on;
- an `--allowed-host` (`api.test`, `.test` for it and its subdomains, `*` for any).

Anything else is 400 `{"detail": "Invalid HTTP_HOST header: 'evil.test:8000'. You may need
to add 'evil.test' to --allowed-host."}`: Django's DisallowedHost message, which Django logs
and answers with its plain HTML "Bad Request (400)" page; here it is the answer, in DRF's
shape like every other. The port is not checked, as Django does not (a port forwarded by
Docker or SSH changes it; the name alone defeats rebinding). A request with no Host (HTTP
1.0) is answered, as Django falls back to the server's own name.

**WebSocket.** The mock serves no WebSocket; uvicorn handed an upgrade to the app as a
`websocket` scope, which no stage answered (uvicorn then wrote a 500). It is 404 `{"detail":
"Not found."}`, as Django's URL resolver has no route for it.

Both are answered where the request's head is read, by `mockserver serve`'s protocol
(mockserver/http/limits.py), with `Connection: close` like its other refusals: no ASGI
layer runs for them, and none costs every answered request a call more. The in-process apps
of the tests and the pytest plugin's clients send `Host: testserver` and are not checked.
"""

from __future__ import annotations

import ipaddress
import logging

_log = logging.getLogger("mockserver")
_LOOPBACK = ("localhost", ".localhost")
_KEPT = 64  # Host values remembered as good: the check then costs one set lookup


def split_host(host: str) -> tuple[str, str]:
    """Django's split_domain_port: (name in lower case, port); ('', '') when invalid.

    >>> [split_host(h) for h in ("API.test:8000", "[::1]:80", "a b", "x.test.")]
    [('api.test', '8000'), ('[::1]', '80'), ('', ''), ('x.test', '')]
    """
    host = host.lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        if rest and not rest.startswith(":"):
            return "", ""
        return name + "]", rest[1:]
    name, _, port = host.partition(":")
    if not name or not all(c.isalnum() or c in ".-" for c in name) or not name.isascii():
        return "", ""
    if port and not port.isdigit():
        return "", ""
    return name.removesuffix("."), port


def allowed(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether a Host name is one the server answers for (Django's validate_host, and any
    IP address).

    >>> patterns = ("localhost", ".localhost", "mock.test", ".corp")
    >>> [allowed(n, patterns) for n in ("app.localhost", "10.0.0.7", "[::1]", "corp", "evil.test")]
    [True, True, True, True, False]
    """
    if _address(name):
        return True
    for pattern in patterns:
        if pattern == "*" or pattern == name:
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


def _address(name: str) -> bool:
    try:
        ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    return True


def patterns(host: str = "127.0.0.1", extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The Host names a server bound to `host` answers for, with `--allowed-host`'s.

    >>> patterns("0.0.0.0", ("API.test",))
    ('localhost', '.localhost', '0.0.0.0', 'api.test')
    """
    return (*_LOOPBACK, host.lower(), *(p.lower() for p in extra))


class Hosts:
    """`Hosts(patterns)`: which `Host` values a server answers, remembered as found (a
    client sends the same one on every request), and what a refused one is told."""

    def __init__(self, names: tuple[str, ...]):
        self.patterns = names
        self.good: set[bytes] = set()

    def answers(self, host: bytes) -> bool:
        """Whether a request with this Host is answered.

        >>> hosts = Hosts(patterns())
        >>> [hosts.answers(h) for h in (b"localhost:8000", b"10.0.0.7", b"evil.test", b"a b")]
        [True, True, False, False]
        """
        if host in self.good:
            return True
        name, _ = split_host(host.decode("latin-1"))
        if not name or not allowed(name, self.patterns):
            return False
        if len(self.good) < _KEPT:
            self.good.add(host)
        return True

    @staticmethod
    def refusal(host: bytes) -> str:
        """Django's DisallowedHost message for a Host it does not answer, logged too.

        >>> for sentence in Hosts.refusal(b"evil.test:8000").split(". "):
        ...     print(sentence)
        Invalid HTTP_HOST header: 'evil.test:8000'
        You may need to add 'evil.test' to --allowed-host.
        """
        text = host.decode("latin-1")
        name, _ = split_host(text)
        detail = f"Invalid HTTP_HOST header: {text!r}."
        if name:
            detail += f" You may need to add {name!r} to --allowed-host."
        else:
            detail += " The domain name provided is not valid according to RFC 1034/1035."
        _log.warning("%s", detail)
        return detail
