"""Latency and injected errors for the whole server, seeded so that a run can be repeated.

`--latency 100-400` waits a uniform 100 to 400 ms before each API answer; `--error-rate
0.05` answers 5% of API requests with a documented error instead. The n-th API request
(a GET or HEAD of an operation in the spec, counted from startup in each worker process)
gets the same wait and the same fault in every run with the same seed. The plan is drawn
by mockserver/http/negotiation.py, the one step that chooses an answer before the API's own.

>>> [Plan(latency=(100, 400), error_rate=0.0, seed=42).draw().latency_ms for _ in range(2)]
[292, 292]
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

from mockserver.contract.spec import Operation
from mockserver.http import examples


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
