"""A hostile or broken upstream on 127.0.0.1, for the suites of `verify` and `proxy`.

`Hostile(behaviour)` serves every request with one bad behaviour (a foreign or a looping
`next`, an HTML body, truncated JSON, a trickled body, a gzip bomb, an echo of the raw
request target, a wrong Content-Type) from a plain threaded socket server, so that the
bytes on the wire are exactly the ones written here. It records each request's target and
headers, and stops when its `with` block ends.
"""

from __future__ import annotations

import json
import socketserver
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

EMPTY_PAGE = {"count": 0, "next": None, "previous": None, "results": []}


def gzip_bomb(decoded: int) -> bytes:
    """A gzip body (RFC 1952) of a JSON page whose one result is `decoded` bytes of "0",
    built in a fraction of a second: after a full flush a deflate stream holds no reference
    to what came before, so each MB of zeros compresses to the same bytes, made once."""
    head = b'{"count": 1, "next": null, "previous": null, "results": ["'
    tail = b'"]}'
    block = b"0" * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts = [compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)]
    same = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    parts += [same] * (decoded >> 20)
    parts.append(compressor.compress(tail) + compressor.flush())
    crc = zlib.crc32(head)
    for _ in range(decoded >> 20):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + (decoded >> 20 << 20) + len(tail)
    gzip_head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return gzip_head + b"".join(parts) + struct.pack("<II", crc, size & 0xFFFFFFFF)


def answer(status: int, body: bytes, content_type: str = "application/json", **headers) -> bytes:
    """The bytes of a whole HTTP/1.1 answer with a Content-Length."""
    head = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    head += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class Hostile:
    """A threaded HTTP/1.1 server whose `behaviour(server, target)` returns the answer's bytes,
    or writes them itself to `server.wfile` (a trickle) and returns None."""

    def __init__(self, behaviour: Callable[[Hostile, str], bytes | None]):
        self.behaviour = behaviour
        self.requests: list[tuple[str, dict[str, str]]] = []
        hostile = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    self.exchange()
                except OSError:  # the client went away: what a trickle waits for
                    return

            def exchange(self):
                while True:
                    line = self.rfile.readline(65536)
                    if not line:
                        return
                    target = line.split(b" ")[1].decode("latin-1")
                    headers = {}
                    for header in iter(lambda: self.rfile.readline(65536), b"\r\n"):
                        if not header:
                            return
                        name, _, value = header.decode("latin-1").partition(":")
                        headers[name.strip().lower()] = value.strip()
                    hostile.requests.append((target, headers))
                    data = hostile.behaviour(self, target)
                    if data is not None:
                        self.wfile.write(data)
                        self.wfile.flush()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Hostile:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def targets(self) -> list[str]:
        return [target for target, _ in self.requests]


def page(**fields) -> bytes:
    return answer(200, json.dumps({**EMPTY_PAGE, **fields}).encode())


def trickle(handler, every: float = 2.0) -> None:
    """A 200 whose JSON body comes one byte every `every` seconds, until the client leaves."""
    body = json.dumps(EMPTY_PAGE).encode()
    head = answer(200, body)[: -len(body)]
    handler.wfile.write(head)
    handler.wfile.flush()
    for byte in body:
        time.sleep(every)
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


def peak_rss(process: subprocess.Popen, until: threading.Event | None = None) -> int:
    """The peak resident set of a running process, in MB, from /proc (VmHWM), read until it
    exits (or `until` is set)."""
    peak = 0
    while process.poll() is None and not (until and until.is_set()):
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            break
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) // 1024)
        time.sleep(0.02)
    return peak
