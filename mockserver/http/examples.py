"""Documented responses as ready answers: a status, an example body, its headers.

Prefer (`code=`, `example=`) and the injected faults answer with these, so what they send
is what the spec shows: the named examples of the operation's responses, the contract's
and the mock's own 503 (`Operation.answers`).

>>> from mockserver.contract import packaged, spec
>>> op = spec.Spec.load(packaged.spec_path()).operation("users_retrieve")
>>> answer(op, "404", "no_match").body
b'{"detail":"No User matches the given query."}'
>>> codes(op)  # the contract's, and the mock's own 503
['200', '400', '401', '404', '406', '503']
"""

from __future__ import annotations

import orjson

from mockserver.contract.spec import Operation
from mockserver.http.answer import Answer


class NoExample(LookupError):
    """The response documents a body but gives no example of it."""


def codes(op: Operation) -> list[str]:
    """The statuses the operation documents (`default` and `4XX` ranges name none)."""
    return sorted(code for code in op.answers if code.isdigit() and len(code) == 3)


def success_code(op: Operation) -> str | None:
    """The response `example=` alone picks from: the first documented 2xx."""
    return next((code for code in codes(op) if code.startswith("2")), None)


def names(op: Operation, code: str) -> list[str]:
    """The response's named examples, in the spec's order."""
    media = _media(op.answers[code])
    if media is None:
        return []
    return [name for name, ex in (media[1].get("examples") or {}).items() if "value" in ex]


def answer(op: Operation, code: str, example: str | None = None) -> Answer:
    """The documented response `code`: the named example, else the first one.

    Raises KeyError for an unknown code or example name, NoExample when there is none.
    """
    response = op.answers[code]
    headers = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in _headers(response)
    ]
    media = _media(response)
    if media is None:  # a response without a body, such as a 204
        if example is not None:
            raise KeyError(example)
        return Answer(int(code), b"", tuple(headers))
    media_type, content = media
    named = (content.get("examples") or {}).items()
    examples = {name: ex["value"] for name, ex in named if "value" in ex}
    if example is not None:
        value = examples[example]
    elif examples:
        value = next(iter(examples.values()))
    elif "example" in content:
        value = content["example"]
    else:
        raise NoExample(code)
    headers.append((b"content-type", media_type.encode("latin-1")))
    return Answer(int(code), orjson.dumps(value), tuple(headers))


def _media(response: dict) -> tuple[str, dict] | None:
    content = response.get("content") or {}
    if not content:
        return None
    if "application/json" in content:
        return "application/json", content["application/json"]
    media_type = next(iter(content))
    return media_type, content[media_type]


def _headers(response: dict):
    """A value for each documented header: its example, default or first enum value.

    `WWW-Authenticate: {schema: {enum: [Token]}}` gives `Token`, as DRF's 401 sends.
    """
    for name, header in (response.get("headers") or {}).items():
        schema = header.get("schema") or {}
        candidates = (
            header.get("example"),
            schema.get("example"),
            schema.get("default"),
            *(schema.get("enum") or ()),
        )
        value = next((c for c in candidates if c is not None), None)
        if value is not None:
            yield name, value if isinstance(value, str) else orjson.dumps(value).decode()
