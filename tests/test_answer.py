"""The one writer: status, headers, content-length, and no body for a HEAD."""

from __future__ import annotations

import asyncio

import pytest

from mockserver.http.answer import Answer, send_answer, send_json, write


def sent(coroutine_of) -> list[dict]:
    messages: list[dict] = []

    async def send(message):
        messages.append(message)

    asyncio.run(coroutine_of(send))
    return messages


@pytest.mark.parametrize(
    ("head", "body"),
    [pytest.param(False, b'{"a":1}', id="GET"), pytest.param(True, b"", id="HEAD")],
)
def test_write_sends_the_length_of_the_body_a_get_would_have(head, body):
    messages = sent(lambda send: write(send, 201, b'{"a":1}', [(b"x-a", b"1")], head=head))
    assert messages == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"x-a", b"1"), (b"content-length", b"7")],
        },
        {"type": "http.response.body", "body": body},
    ]


def test_an_answer_keeps_its_headers_before_the_extra_ones():
    answer = Answer(401, b"{}", ((b"www-authenticate", b"Token"),))
    messages = sent(lambda send: send_answer(send, answer, head=False, extra=[(b"allow", b"GET")]))
    assert messages[0]["headers"] == [
        (b"www-authenticate", b"Token"),
        (b"allow", b"GET"),
        (b"content-length", b"2"),
    ]


def test_json_is_compact_and_keeps_non_ascii_as_drf_renders_it():
    messages = sent(lambda send: send_json(send, 404, {"detail": "Bulunamadı."}))
    assert messages[0]["headers"][0] == (b"content-type", b"application/json")
    assert messages[1]["body"] == '{"detail":"Bulunamadı."}'.encode()
