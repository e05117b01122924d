"""A connection's transport that sends an answer's head with its body, in one system call.

uvicorn's httptools protocol writes an answer's status line and headers, then its body, in
two `transport.write` calls: two sends, two TCP segments, and on loopback the receiving
side's work for each, for every answer. Measured on the write mix (`make bench`), one send
instead of two took the mock's CPU per request down by about a tenth. The protocol of
mockserver/http/limits.py writes through this transport.
"""

from __future__ import annotations


class CoalescingTransport:
    """A write is held until the next one, and both go out in one call (uvloop's writelines
    is one writev, no copy); or it goes out alone when the event loop next runs its
    callbacks (a head whose body is not written at once), or before the connection closes.
    Only one write is ever held, and only that long: a body is sent, and freed, as soon as
    it is written (holding whole bodies until the loop's next turn grew and trimmed the
    heap for each large one, which cost more than the second send). The bytes and their
    order are those written."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport, loop):
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data) -> None:
        held = self._held
        if held is None:
            self._held = data
            self._loop.call_soon(self._flush)
        else:
            self._held = None
            self._transport.writelines((held, data))

    def writelines(self, lines) -> None:
        self.write(b"".join(lines))

    def _flush(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def set_protocol(self, protocol) -> None:
        self._flush()
        self._transport.set_protocol(protocol)

    def is_closing(self) -> bool:
        # Asked after every answer: a method of its own costs less than `__getattr__`'s.
        return self._transport.is_closing()

    def get_write_buffer_size(self) -> int:
        held = len(self._held) if self._held is not None else 0
        return held + self._transport.get_write_buffer_size()

    def __getattr__(self, name):
        # Everything else (abort, get_extra_info, pause_reading...) is the
        # transport's own.
        return getattr(self._transport, name)
