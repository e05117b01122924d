"""An answer's head sent with its body (mockserver/http/transport.py), on a recording
transport and a real event loop."""

from __future__ import annotations

import asyncio

import pytest

from mockserver.http.transport import CoalescingTransport


class _Recorded:
    """A transport that notes what is done to it, in order."""

    def __init__(self):
        self.calls: list[tuple] = []

    def write(self, data):
        self.calls.append(("write", bytes(data)))

    def writelines(self, lines):
        self.calls.append(("writelines", tuple(bytes(line) for line in lines)))

    def close(self):
        self.calls.append(("close",))

    def is_closing(self):
        return False

    def get_write_buffer_size(self):
        return 0


@pytest.mark.parametrize(
    ("name", "steps", "expected"),
    [
        (
            "a head and its body: one send",
            [["head;", "body"]],
            [("writelines", (b"head;", b"body"))],
        ),
        (
            "a head alone: sent on the loop's next turn",
            [["head;"], []],
            [("write", b"head;")],
        ),
        (
            "a streamed answer: the head with the first part, the last part on the next turn",
            [["head;", "part 1;", "part 2"], ["part 3"]],
            [
                ("writelines", (b"head;", b"part 1;")),
                ("write", b"part 2"),
                ("write", b"part 3"),
            ],
        ),
        (
            "closed after its body: sent, then closed",
            [["head;", "body", "close"]],
            [("writelines", (b"head;", b"body")), ("close",)],
        ),
        (
            "closed with a head held: the head sent, then closed",
            [["head;", "close"]],
            [("write", b"head;"), ("close",)],
        ),
        ("closed with nothing held: closed", [["close"]], [("close",)]),
    ],
)
def test_a_head_goes_out_with_the_body_that_follows_it(name, steps, expected):
    loop = asyncio.new_event_loop()
    raw = _Recorded()
    transport = CoalescingTransport(raw, loop)

    async def run():
        for turn in steps:
            for step in turn:
                if step == "close":
                    transport.close()
                else:
                    transport.write(step.encode())
            await asyncio.sleep(0)  # the next turn: what was held is written

    try:
        loop.run_until_complete(run())
    finally:
        loop.close()
    assert raw.calls == expected


def test_a_held_head_counts_as_buffered_and_the_rest_is_the_transport_s():
    loop = asyncio.new_event_loop()
    raw = _Recorded()
    transport = CoalescingTransport(raw, loop)
    try:
        transport.write(b"head;")
        assert (transport.get_write_buffer_size(), raw.calls) == (5, [])
        assert transport.is_closing() is False
    finally:
        loop.close()


def test_the_served_protocol_sends_an_answer_in_one_call():
    """mockserver/http/limits.py's protocol, as uvicorn runs it, on a recording transport:
    the answer to one request is one call (uvicorn's own protocol makes two)."""
    import uvicorn
    from uvicorn.server import ServerState

    from mockserver.http.limits import LimitedProtocol

    async def app(scope, receive, send):
        headers = [(b"content-type", b"application/json"), (b"content-length", b"2")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    class Socket(_Recorded):
        def get_extra_info(self, name, default=None):
            return None

        def pause_reading(self):
            pass

        def resume_reading(self):
            pass

    loop = asyncio.new_event_loop()
    config = uvicorn.Config(app, http=LimitedProtocol, access_log=False)
    config.load()
    protocol = LimitedProtocol(config, ServerState(), {}, loop)
    raw = Socket()
    try:
        protocol.connection_made(raw)
        protocol.data_received(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        loop.run_until_complete(asyncio.sleep(0.01))
        protocol.connection_lost(None)
    finally:
        loop.close()
    sent = [call for call in raw.calls if call[0] != "close"]  # (closed as it is lost)
    [(call, (head, body))] = sent
    assert call == "writelines"
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n")
    assert body == b"{}"
