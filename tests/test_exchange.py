"""A request is routed once and its query parsed once, whatever steps read them."""

from __future__ import annotations

import json

import pytest
from helpers_api import AUTH, make_state, raw_get

from mockserver.http import exchange
from mockserver.http.app import create_app
from mockserver.http.negotiation import NegotiationMiddleware
from mockserver.state import State


@pytest.fixture
def counted(monkeypatch):
    """Counts of State.route and of query parses, for the requests made after it."""
    counts = {"route": 0, "parse": 0}
    route, parse = State.route, exchange.parse_qsl

    def counting_route(self, path):
        counts["route"] += 1
        return route(self, path)

    def counting_parse(*args, **kwargs):
        counts["parse"] += 1
        return parse(*args, **kwargs)

    monkeypatch.setattr(State, "route", counting_route)
    monkeypatch.setattr(exchange, "parse_qsl", counting_parse)
    return counts


@pytest.mark.parametrize(
    ("target", "headers", "status"),
    [
        pytest.param(b"/users/?limit=2&__delay=1", AUTH, 200, id="Prefer passes on"),
        pytest.param(b"/users/?limit=2", {**AUTH, "Prefer": "code=404"}, 404, id="Prefer answers"),
        pytest.param(b"/users/?limit=2", AUTH, 200, id="faults pass on, the API answers"),
        pytest.param(b"/users/?limit=2", {"Prefer": "code=404"}, 401, id="admission refuses"),
    ],
)
def test_one_route_and_one_parse_with_prefer_and_faults_on(counted, target, headers, status):
    # A latency of 0-1 ms makes the fault step route every read, without failing any.
    app = create_app(make_state(size=5, access_log=False, latency="0-1", journal=0))
    step = next(m for m in app.middlewares if getattr(m, "func", None) is NegotiationMiddleware)
    assert step.keywords["state"].settings.latency_range == (0, 1)
    counted.update(route=0, parse=0)
    got, _, body = raw_get(app, target, headers)
    assert got == status, body
    assert counted == {"route": 1, "parse": 1}


def test_the_exchange_is_kept_in_the_scope():
    state = make_state(size=5, access_log=False)
    scope = {"path": "/users/3/", "headers": [(b"accept", b"*/*")], "query_string": b"x=1"}
    found = exchange.of(scope, state)
    assert scope[exchange.KEY] is found
    assert (found.read.operation_id, found.match.params, found.items) == (
        "users_retrieve",
        {"id": "3"},
        [("x", "1")],
    )
    assert json.dumps(found.items)
