"""Latency and injected errors for the whole server, seeded so that a run can be repeated.

`--latency 100-400` waits a uniform 100 to 400 ms before each API answer; `--error-rate
0.05` answers 5% of API requests with a documented error instead. The n-th API request
(a GET or HEAD of an operation in the spec, counted from startup in each worker process)
gets the same wait and the same fault in every run with the same seed.

>>> [Plan(latency=(100, 400), error_rate=0.0, seed=42).draw().latency_ms for _ in range(2)]
[292, 292]
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from mockserver import examples
from mockserver import exchange as exchanges
from mockserver.answer import send_answer
from mockserver.spec import Operation


async def sleep(seconds: float) -> None:
    """The wait before an answer; tests replace it to see the duration asked for."""
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Draw:
    latency_ms: int
    fault: bool
    pick: float  # in [0, 1): which of the operation's fault responses


class Plan:
    """The seeded sequence of waits and faults; three draws per request, whatever is on."""

    def __init__(self, latency: tuple[int, int], error_rate: float, seed: int):
        self.low, self.high = latency
        self.error_rate = error_rate
        self.active = self.high > 0 or error_rate > 0
        self._random = random.Random(seed)

    def draw(self) -> Draw:
        wait, fail, pick = self._random.random(), self._random.random(), self._random.random()
        return Draw(
            latency_ms=round(self.low + (self.high - self.low) * wait),
            fault=fail < self.error_rate,
            pick=pick,
        )


def fault_codes(op: Operation) -> list[str]:
    """The 5xx answers (the mock's 503); without any, every documented error."""
    documented = examples.codes(op)
    server = [code for code in documented if code.startswith("5")]
    return server or [code for code in documented if code[0] in "45"]


class FaultMiddleware:
    """Delays, and sometimes fails, the API's GET and HEAD requests; others pass untouched.

    It stands before the token check: a real overloaded service fails anonymous requests
    too. `headers` go on every injected error (the API's `Allow`).
    """

    def __init__(self, app, state, headers: dict[str, str] | None = None):
        self.app = app
        self.state = state
        settings = state.settings
        self.plan = Plan(settings.latency_range, settings.error_rate, settings.seed)
        self._extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]

    async def __call__(self, scope, receive, send):
        if not self.plan.active or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        reads = scope["method"] in ("GET", "HEAD")
        op = exchanges.of(scope, self.state).read if reads else None
        if op is None:
            await self.app(scope, receive, send)
            return
        draw = self.plan.draw()  # before any await: requests are numbered in arrival order
        if draw.latency_ms:
            await sleep(draw.latency_ms / 1000)
        codes = fault_codes(op) if draw.fault else []
        if not codes:
            await self.app(scope, receive, send)
            return
        answer = examples.answer(op, codes[int(draw.pick * len(codes))])
        await send_answer(
            send, answer, head=scope["method"] == "HEAD", extra=self._extra, scope=scope
        )
