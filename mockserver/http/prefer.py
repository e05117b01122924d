"""Per-request control, Prism-style: `Prefer: code=404, example=NAME, delay=800` or `?__code=404`.

Read at the edge, before the API step (mockserver/http/negotiation.py): a request that asks for
a documented response gets that response's example; one that asks only for a delay waits,
then goes on to be answered as usual. Content negotiation (406) and the token (401) still
come first: a request that fails them goes on unchanged and gets its real error, with no
delay.

>>> parse_header(['code=404, Delay="100"; x=1', "code=500"])
{'code': '404', 'delay': '100'}
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from mockserver.contract.spec import PREFER, Operation
from mockserver.errors import ApiError
from mockserver.http import examples

PREFERENCES = ("code", "example", "delay")
MAX_DELAY_MS = 60_000
HEADER = "Prefer"


async def sleep(seconds: float) -> None:
    """The wait before a delayed answer; tests replace it to see the duration asked for."""
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Choice:
    """What a request prefers: a documented response (code and/or example) and a delay."""

    code: str | None = None
    example: str | None = None
    delay_ms: int = 0
    applied: str = ""  # the Preference-Applied header (RFC 7240, section 3): what was asked

    @property
    def forced(self) -> bool:
        return self.code is not None or self.example is not None


def parse_header(values: list[str]) -> dict[str, str | None]:
    """RFC 7240 preferences by lower-case name; the first of a repeated one counts.

    Parameters after `;` are ignored, and so are preferences this mock does not know,
    such as `return=minimal` (RFC 7240, section 2: a server ignores what it does not
    support).
    """
    preferences: dict[str, str | None] = {}
    for value in values:
        for item in value.split(","):
            token = item.split(";", 1)[0].strip()
            name, equals, raw = token.partition("=")
            name, raw = name.strip().lower(), raw.strip()
            if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                raw = raw[1:-1]
            if name in PREFERENCES and name not in preferences:
                preferences[name] = raw if equals else None
    return preferences


def requested(
    op: Operation, header_values: list[str], items: list[tuple[str, str]]
) -> dict[str, tuple[str, str | None]]:
    """Each preference asked for, with where it came from (`Prefer` or `__code`) and its value.

    The query parameters are the mock's own (mockserver/mock.yaml), `__<preference>`; one
    of them wins over the header, and its last value over earlier ones.
    """
    wanted = {name: (HEADER, raw) for name, raw in parse_header(header_values).items()}
    controls = {n: p.preference for n, p in op.query.items() if p.control == PREFER}
    for name, raw in items:
        if name in controls and controls[name] in PREFERENCES:
            wanted[controls[name]] = (name, raw)
    return wanted


def choose(op: Operation, wanted: dict[str, tuple[str, str | None]]) -> Choice:
    """Check the preferences against the spec; ApiError(400) lists what is allowed."""
    problems: dict[str, list[str]] = {}

    def shown(preference: str) -> tuple[str, str]:
        where, raw = wanted[preference]
        label = preference if where == HEADER else where
        return where, label if raw is None else f"{label}={raw}"

    documented = examples.codes(op)
    code = None
    if "code" in wanted:
        where, text = shown("code")
        raw = (wanted["code"][1] or "").strip()
        if raw in documented:
            code = raw
        else:
            what = "is not documented for this operation" if raw.isdigit() else "is not a status"
            problems.setdefault(where, []).append(
                f"{text} {what}; documented: {', '.join(documented)}."
            )
    example = None
    target = code if "code" in wanted else examples.success_code(op)
    if "example" in wanted and target is not None:
        where, text = shown("example")
        raw = wanted["example"][1] or ""
        available = examples.names(op, target)
        if raw in available:
            example = raw
        else:
            listed = ", ".join(available) if available else "none"
            hint = "" if "code" in wanted else " Add code= to pick another response's examples."
            problems.setdefault(where, []).append(
                f"{text} is not an example of the {target} response; examples: {listed}.{hint}"
            )
    delay = 0
    if "delay" in wanted:
        where, text = shown("delay")
        raw = (wanted["delay"][1] or "").strip()
        if raw.isascii() and raw.isdigit() and int(raw) <= MAX_DELAY_MS:
            delay = int(raw)
        else:
            problems.setdefault(where, []).append(
                f"{text} is not a whole number of milliseconds from 0 to {MAX_DELAY_MS}."
            )
    if code is not None and example is None and "example" not in wanted:
        try:
            examples.answer(op, code)
        except examples.NoExample:
            where, text = shown("code")
            problems.setdefault(where, []).append(f"{text}: the spec gives no example to send.")
    if problems:
        raise ApiError.invalid(problems)
    given = {"code": code, "example": example, "delay": delay}
    applied = ", ".join(f"{name}={given[name]}" for name in PREFERENCES if name in wanted)
    if example is not None and code is None:
        code = target
    return Choice(code=code, example=example, delay_ms=delay, applied=applied)
