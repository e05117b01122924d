"""mockserver/http/faults.py: `--latency` and `--error-rate`, seeded, through the app."""

from __future__ import annotations

import pytest
from helpers_api import AUTH, make_client, make_state

from mockserver.cli import parser
from mockserver.contract.spec import Operation
from mockserver.errors import ConfigError
from mockserver.http import faults
from mockserver.settings import Settings, env_defaults

UNAVAILABLE = {"detail": "Service temporarily unavailable, try again later."}


@pytest.fixture
def slept(monkeypatch):
    """The durations (seconds) the app asked to sleep; no time passes."""
    calls: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        calls.append(seconds)

    monkeypatch.setattr(faults, "sleep", fake_sleep)
    return calls


def client_for(validated: bool = True, **settings):
    return make_client(make_state(users=20, validate_responses=validated, **settings))


# -- the plan --------------------------------------------------------------------------------


def test_same_seed_same_sequence():
    first = faults.Plan((100, 400), 0.3, seed=7)
    second = faults.Plan((100, 400), 0.3, seed=7)
    assert [first.draw() for _ in range(50)] == [second.draw() for _ in range(50)]


def test_other_seed_other_sequence():
    first = faults.Plan((100, 400), 0.3, seed=7)
    second = faults.Plan((100, 400), 0.3, seed=8)
    assert [first.draw() for _ in range(50)] != [second.draw() for _ in range(50)]


def test_the_nth_fault_does_not_depend_on_the_latency():
    """Three draws per request whatever is on: turning latency on keeps the faults in place."""
    without = faults.Plan((0, 0), 0.3, seed=7)
    with_latency = faults.Plan((100, 400), 0.3, seed=7)
    assert [without.draw().fault for _ in range(100)] == [
        with_latency.draw().fault for _ in range(100)
    ]


@pytest.mark.parametrize(
    ("latency", "low", "high"),
    [((200, 200), 200, 200), ((100, 400), 100, 400), ((0, 0), 0, 0)],
    ids=["fixed", "range", "none"],
)
def test_latency_stays_in_its_range(latency, low, high):
    plan = faults.Plan(latency, 0.0, seed=1)
    waits = [plan.draw().latency_ms for _ in range(500)]
    assert min(waits) >= low and max(waits) <= high
    if high > low:
        assert min(waits) < low + 30 and max(waits) > high - 30  # uniform over the range


@pytest.mark.parametrize(
    ("rate", "low", "high"),
    [(0.0, 0, 0), (1.0, 2000, 2000), (0.25, 400, 600)],
    ids=["never", "always", "a quarter"],
)
def test_error_rate_is_the_share_of_faults(rate, low, high):
    plan = faults.Plan((0, 0), rate, seed=3)
    count = sum(plan.draw().fault for _ in range(2000))
    assert low <= count <= high


def test_inactive_plan():
    assert not faults.Plan((0, 0), 0.0, seed=1).active
    assert faults.Plan((0, 0), 0.01, seed=1).active
    assert faults.Plan((5, 5), 0.0, seed=1).active


def test_fault_codes_are_the_mocks_own_5xx(spec):
    """The 503 is the mock's (mockserver/mock.yaml), never the contract's."""
    for operation in ("users_list", "users_retrieve"):
        op = spec.operation(operation)
        assert faults.fault_codes(op) == ["503"]
        assert "503" not in op.responses


def test_without_a_5xx_any_documented_error():
    responses = {"200": {}, "400": {}, "404": {}, "default": {}}
    op = Operation("/x/", "GET", "x", {}, {}, responses, responses, {})
    assert faults.fault_codes(op) == ["400", "404"]


# -- settings and flags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latency", "expected"),
    [("", (0, 0)), ("200", (200, 200)), ("100-400", (100, 400)), ("0-0", (0, 0))],
    ids=["off", "fixed", "range", "zero range"],
)
def test_latency_setting(latency, expected):
    assert Settings(latency=latency).latency_range == expected


@pytest.mark.parametrize(
    "latency", ["abc", "400-100", "100-", "-5", "1.5", " 200", "1000000"], ids=str
)
def test_bad_latency_is_a_config_error(latency):
    with pytest.raises(ConfigError, match="setting latency: must be milliseconds"):
        Settings(latency=latency)


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")], ids=str)
def test_bad_error_rate_is_a_config_error(rate):
    with pytest.raises(ConfigError, match="setting error_rate: must be from 0 to 1"):
        Settings(error_rate=rate)


def test_flags_and_environment():
    args = parser({}).parse_args(["serve", "--latency", "100-400", "--error-rate", "0.05"])
    assert (args.latency, args.error_rate) == ("100-400", 0.05)
    assert env_defaults({"MOCKSERVER_ERROR_RATE": "0.5", "MOCKSERVER_LATENCY": "20"}) == {
        "latency": "20",
        "error_rate": 0.5,
    }


def test_bad_error_rate_in_environment():
    with pytest.raises(ConfigError, match="MOCKSERVER_ERROR_RATE"):
        env_defaults({"MOCKSERVER_ERROR_RATE": "often"})


# -- through the app -------------------------------------------------------------------------


@pytest.mark.parametrize("validated", [True, False], ids=["validated", "served"])
def test_fixed_latency_before_every_api_answer(slept, validated):
    client = client_for(validated, latency="150")
    assert client.get("/users/?limit=1", headers=AUTH).status_code == 200
    assert client.get("/users/1/", headers=AUTH).status_code == 200
    assert client.get("/users/", headers={}).status_code == 401  # before the token check
    assert slept == [0.15, 0.15, 0.15]


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/nothing/"), ("GET", "/users"), ("OPTIONS", "/users/"), ("GET", "/ui/")],
    ids=["unknown path", "missing slash", "OPTIONS", "Swagger UI"],
)
def test_latency_only_for_api_operations(slept, method, url):
    client = client_for(latency="150")
    client.request(method, url, headers=AUTH)
    assert slept == []


def test_no_latency_no_sleep(slept):
    client = client_for()
    client.get("/users/", headers=AUTH)
    assert slept == []


@pytest.mark.parametrize("validated", [True, False], ids=["validated", "served"])
@pytest.mark.parametrize(
    ("url", "headers"),
    [("/users/", AUTH), ("/users/5/", AUTH), ("/users/?id=abc", AUTH), ("/users/", {})],
    ids=["list", "user", "bad filter", "no token"],
)
def test_error_rate_one_answers_the_documented_503(url, headers, validated):
    client = client_for(validated, error_rate=1.0)
    response = client.get(url, headers=headers)
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert response.headers["content-type"] == "application/json"


def test_head_fault_has_no_body():
    # Served mode: with validate_responses every HEAD is a 500 (see test_prefer.py).
    response = client_for(False, error_rate=1.0).head("/users/", headers=AUTH)
    assert (response.status_code, response.content) == (503, b"")
    body = b'{"detail":"Service temporarily unavailable, try again later."}'
    assert response.headers["content-length"] == str(len(body))


def run(seed: int, slept: list[float], requests: int = 40):
    client = client_for(False, seed=seed, latency="100-400", error_rate=0.3)
    statuses = [client.get("/users/?limit=1", headers=AUTH).status_code for _ in range(requests)]
    waits = list(slept)
    slept.clear()
    return statuses, waits


def test_a_run_repeats_with_the_same_seed(slept):
    first = run(11, slept)
    second = run(11, slept)
    assert first == second
    statuses, waits = first
    assert set(statuses) == {200, 503}
    assert all(0.1 <= wait <= 0.4 for wait in waits) and len(set(waits)) > 10


def test_another_seed_gives_another_run(slept):
    assert run(11, slept) != run(12, slept)


def test_the_nth_request_counts_only_api_requests(slept):
    """Requests that are not API operations do not shift the sequence."""
    plain = run(11, slept, requests=10)
    client = client_for(False, seed=11, latency="100-400", error_rate=0.3)
    statuses = []
    for _ in range(10):
        client.get("/nothing/", headers=AUTH)
        client.options("/users/", headers=AUTH)
        statuses.append(client.get("/users/?limit=1", headers=AUTH).status_code)
    assert (statuses, slept) == plain


def test_prefer_and_faults_combine(slept, monkeypatch):
    from mockserver.http import prefer

    asked: list[float] = []

    async def prefer_sleep(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(prefer, "sleep", prefer_sleep)
    client = client_for(latency="100")
    response = client.get("/users/", headers={**AUTH, "Prefer": "code=404, delay=50"})
    assert response.status_code == 404
    assert (slept, asked) == ([0.1], [0.05])
