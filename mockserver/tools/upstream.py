"""One exchange with the real service, bounded, for `verify` and `proxy`.

The service behind `--upstream` is not trusted to be well behaved: it may drip its body,
compress a gigabyte into a megabyte, or name another host in a link. So every exchange has:

- **a deadline** for the whole of it, the body included (`--timeout`): httpx's own timeouts
  bound each read, and a body sent one byte a second never trips them;
- **a cap on the body**, as decoded (`--max-body`): gzip and deflate are decoded here, a
  slice at a time with zlib's `max_length`, so a bomb costs at most the cap, never its
  expansion; another content coding is refused (`Accept-Encoding` asks for these two only);
- **an origin**: `same_origin` says whether a link stays on the service's scheme, host and
  port (RFC 6454 §4), the only place a token may go.

A broken exchange is an `Unanswered` naming what broke (`timeout`, `body`); the callers turn
it into a violation.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from dataclasses import dataclass

import httpx

from mockserver.settings import DEFAULT_MAX_BODY, parse_size

# The content codings decoded here (RFC 9110 §8.4.1): what `Accept-Encoding` offers.
ACCEPT_ENCODING = "gzip, deflate"
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_SLICE = 16384  # encoded bytes handed to zlib at a time
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds for a whole exchange, the body included
    max_body: int = parse_size(DEFAULT_MAX_BODY)  # bytes of a body once decoded


class Unanswered(Exception):
    """An exchange that gave no usable answer: `check` is `timeout` or `body`."""

    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check
        self.message = message


@dataclass
class Answer:
    """The service's answer, its body whole and decoded (the attributes of an httpx.Response
    that the checks read)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """The (scheme, host, port) of a URL, the port made explicit.

    >>> origin("http://Example.com/users/?page=2")
    ('http', 'example.com', 80)
    >>> origin("https://example.com:8443")
    ('https', 'example.com', 8443)
    """
    url = httpx.URL(url)
    return (url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme))


def same_origin(link: str | httpx.URL, upstream: str) -> bool:
    """Whether `link` is on the service's own origin (a token may be sent there).

    >>> same_origin("http://127.0.0.1:8080/users/?page=2", "http://127.0.0.1:8080/api")
    True
    >>> same_origin("http://evil.example/users/?page=2", "http://127.0.0.1:8080")
    False
    >>> same_origin("https://127.0.0.1:8080/", "http://127.0.0.1:8080")
    False
    """
    try:
        return origin(link) == origin(upstream)
    except (httpx.InvalidURL, TypeError):
        return False


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str | httpx.URL,
    limits: Limits,
    headers=None,
    content: bytes | None = None,
) -> Answer:
    """Send one request and read its whole answer within `limits`, or raise `Unanswered`.

    A connection that cannot be made is httpx's `ConnectError`, raised as it is.
    """
    request = client.build_request(method, url, headers=headers, content=content)
    request.headers["accept-encoding"] = ACCEPT_ENCODING
    try:
        async with asyncio.timeout(limits.timeout):
            response = await client.send(request, stream=True)
            try:
                body = await _body(response, limits.max_body)
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        raise Unanswered(
            "timeout", f"no whole answer within {limits.timeout:g} s (--timeout)"
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise Unanswered("body", f"the answer broke off: {exc or type(exc).__name__}") from None
    return Answer(response.status_code, response.headers, body)


async def _body(response: httpx.Response, cap: int) -> bytes:
    codings = [c.strip().lower() for c in response.headers.get("content-encoding", "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1 or (codings and codings[0] not in _WBITS):
        raise Unanswered("body", f"Content-Encoding {', '.join(codings)} is not one it asked for")
    decoder = zlib.decompressobj(_WBITS[codings[0]]) if codings else None
    parts: list[bytes] = []
    size = 0
    read = 0
    async for raw in response.aiter_raw():
        read += len(raw)
        if read > cap:  # bytes past the end of a gzip stream count too
            raise Unanswered("body", _too_large(cap))
        if decoder is None:
            size += len(raw)
            parts.append(raw)
            continue
        for start in range(0, len(raw), _SLICE):
            data = raw[start : start + _SLICE]
            while data:
                try:
                    piece = decoder.decompress(data, cap + 1 - size)
                except zlib.error as exc:
                    raise Unanswered("body", f"the {codings[0]} body is corrupt: {exc}") from None
                size += len(piece)
                if size > cap:
                    raise Unanswered("body", _too_large(cap))
                parts.append(piece)
                data = decoder.unconsumed_tail
    if size > cap:
        raise Unanswered("body", _too_large(cap))
    return b"".join(parts)


def _too_large(cap: int) -> str:
    return f"the body is past {cap:,} bytes decoded (--max-body)"
