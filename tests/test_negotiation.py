"""Negotiation, the one step before the API's: the server's faults first, then Prefer."""

from __future__ import annotations

import json

from helpers_api import AUTH, make_state, raw_get

from mockserver.http import faults, prefer
from mockserver.http.app import create_app


def _app(**settings):
    return create_app(make_state(size=5, access_log=False, journal=0, **settings))


def test_a_fault_comes_before_authentication_and_carries_allow(monkeypatch):
    async def no_wait(seconds):
        return None

    monkeypatch.setattr(faults, "sleep", no_wait)
    status, headers, body = raw_get(_app(error_rate=1.0), b"/users/")  # no token at all
    assert status == 503
    assert headers["allow"] == "GET, HEAD, OPTIONS"
    assert json.loads(body) == {"detail": "Service temporarily unavailable, try again later."}


def test_prefer_comes_after_admission():
    status, _, body = raw_get(_app(), b"/users/?__code=404")  # no token: 401 first
    assert json.loads(body) == {"detail": "Authentication credentials were not provided."}
    assert status == 401
    status, headers, _ = raw_get(_app(), b"/users/?__code=404", AUTH)
    assert (status, headers["preference-applied"]) == (404, "code=404")


def test_a_delay_then_the_usual_answer(monkeypatch):
    waited = []

    async def record(seconds):
        waited.append(seconds)

    monkeypatch.setattr(prefer, "sleep", record)
    status, headers, body = raw_get(_app(), b"/users/?limit=1", {**AUTH, "Prefer": "delay=250"})
    assert (status, waited, headers["preference-applied"]) == (200, [0.25], "delay=250")
    assert json.loads(body)["count"] == 5


def test_nothing_to_negotiate_passes_untouched():
    status, headers, _ = raw_get(_app(), b"/users/?limit=1", AUTH)
    assert status == 200 and "preference-applied" not in headers
