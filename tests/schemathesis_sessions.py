"""Schemathesis hooks (`SCHEMATHESIS_HOOKS=schemathesis_sessions`): each test case in a
session of its own, each stateful scenario in one of its own.

The served /openapi.json describes the records as generated: a relation's filter takes the
ids the collection has, a unique field's values are free. A run that writes changes that:
a create adds an id past the documented maximum, a delete takes one inside it away, a
create takes a unique value. DRF then answers 400, as it should, to a request the document
calls valid. So every case of the examples, coverage and fuzzing phases reads and writes
its own session (`X-Mock-Session`), which starts from the generated records, and every
stateful scenario (create, read, update, delete linked) one of its own, shared by its
steps. Nothing a check looks at is changed: only where the writes go.
"""

from __future__ import annotations

import itertools
import sys

import schemathesis

HEADER = "X-Mock-Session"
_numbers = itertools.count(1)
_scenarios: dict[str, str] = {}


def _scenario() -> str | None:
    """The stateful scenario that makes the call (its state machine's `_scenario_id`), if
    any: the machine is the `self` of a frame up the stack."""
    frame = sys._getframe(2)
    while frame is not None:
        found = getattr(frame.f_locals.get("self"), "_scenario_id", None)
        if found is not None:
            return str(found)
        frame = frame.f_back
    return None


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    scenario = _scenario()
    if scenario is None:
        name = f"case-{next(_numbers)}"
    else:
        if scenario not in _scenarios:
            _scenarios[scenario] = f"scenario-{next(_numbers)}"
        name = _scenarios[scenario]
    case.headers = {**(case.headers or {}), HEADER: name}
