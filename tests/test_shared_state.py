"""Writes shared by real processes (issue 15, "how to test it honestly"): `mockserver serve`
with `--workers 2` and a second server on one real Redis-compatible store (`--state-url`),
many clients writing at once, sessions kept apart under parallel clients, `--state-file`
across SIGTERM and a restart, the start refused without a store, and a store that stops
while serving. Every server runs on a free port and is stopped by its PID; nothing needs
the internet."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from helpers_api import ROOT
from helpers_drf import SHOP_OVERLAY
from helpers_redis import RedisServer, free_port
from helpers_server import MockServer, run_bounded

SPEC = ROOT / "tests" / "drfservice" / "openapi.yaml"
TOKEN = "shared-state-token"
SIZE = 30  # records per collection: ids 1..30
PRODUCTS = "/products/"
UNAVAILABLE = {"detail": "The state store is unavailable; retry shortly."}


# -- servers -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def overlay(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("overlay") / "overlay.json"
    path.write_text(json.dumps(SHOP_OVERLAY))
    return path


def serve(overlay: Path, *args: str) -> MockServer:
    """A shop mock (not yet waited for): the same spec, overlay, seed and size every time, so
    that servers on one store share one namespace."""
    return MockServer(
        *("--spec", str(SPEC), "--overlay", str(overlay), "--size", str(SIZE), "--seed", "42"),
        *("--token", TOKEN, "--no-access-log", *args),
    )


def stopped(server: MockServer) -> int:
    """SIGTERM to the server's PID: its exit code (the pipes closed too)."""
    server.process.send_signal(signal.SIGTERM)
    try:
        return server.process.wait(timeout=20)
    finally:
        server.stop()  # kills it if SIGTERM did not end it, and closes its output


@pytest.fixture(scope="module")
def shop(overlay, redis_url):
    """Two servers on one store: `workers` (`--workers 2`) and `single`; their origins."""
    started = [
        serve(overlay, "--workers", "2", "--state-url", redis_url),
        serve(overlay, "--state-url", redis_url),
    ]
    try:
        workers, single = (server.wait() for server in started)
        yield workers.origin, single.origin
    finally:
        codes = [stopped(server) for server in started]
    assert codes == [0, 0], [server.output for server in started]
    for server in started:
        assert "Traceback" not in server.output, server.output


# -- a client ----------------------------------------------------------------------------------


_CLIENTS = threading.local()  # one httpx client a thread: building one costs ~10 ms


def call(method: str, url: str, session: str | None = None, body=None) -> httpx.Response:
    """One request on a new connection (so that the kernel may hand it to any worker)."""
    client = getattr(_CLIENTS, "client", None)
    if client is None:
        client = _CLIENTS.client = httpx.Client(timeout=20)
    headers = {"Authorization": f"Token {TOKEN}", "Connection": "close"}
    if session is not None:
        headers["X-Mock-Session"] = session
    return client.request(method, url, headers=headers, json=body)


def product(name: str) -> dict:
    """A valid new product: its sku (unique, by the overlay) drawn afresh."""
    return {
        "name": name,
        "slug": "shared-lamp",
        "sku": str(uuid.uuid4()),
        "price": "19.90",
        "stock": 5,
        "is_available": True,
        "status": "active",
        "email": "lamp@example.com",
    }


def created(origin: str, name: str, session: str | None = None) -> tuple[dict, str]:
    """POST a product: (its body, the worker that answered; "" for a single process)."""
    response = call("POST", origin + PRODUCTS, session, product(name))
    assert response.status_code == 201, response.text
    return response.json(), response.headers.get("x-mockserver-worker", "")


def count(origin: str, session: str | None = None) -> int:
    response = call("GET", origin + PRODUCTS, session)
    assert response.status_code == 200, response.text
    return response.json()["count"]


def reads(origin: str, record: dict) -> dict[str, str]:
    """Where a record must show: the list ordered by id descending (first), the list filtered
    by its name, and its detail."""
    return {
        "list": f"{origin}{PRODUCTS}?ordering=-id&page_size=1",
        "filter": f"{origin}{PRODUCTS}?name={record['name']}",
        "detail": f"{origin}{PRODUCTS}{record['id']}/",
    }


def cascaded(origin: str, key: int, session: str | None = None) -> dict:
    """What deleting product `key` adds to a change set besides it: its reviews, deleted with
    it (CASCADE, the default `on_delete`). Read where the product still exists."""
    response = call("GET", f"{origin}/reviews/?product={key}&page_size=100", session)
    assert response.status_code == 200, response.text
    ids = [review["id"] for review in response.json()["results"]]
    if not ids:
        return {}
    return {"/reviews/": {"next": max(ids) + 1, "records": {str(i): None for i in ids}}}


def shown(kind: str, response: httpx.Response) -> dict:
    """The record that a read of `kind` gives."""
    assert response.status_code == 200, response.text
    body = response.json()
    if kind == "detail":
        return body
    if kind == "filter":
        assert body["count"] == 1, body
    return body["results"][0]


# -- 1. two workers, 2. two servers ------------------------------------------------------------


@pytest.mark.slow
def test_a_write_on_one_worker_is_read_at_once_by_the_other(shop):
    """POST on one worker; at once, the other worker reads it in the list, a filter and the
    detail. Repeated until each worker has read the other's write."""
    workers, _ = shop
    session = f"workers-{uuid.uuid4().hex}"
    crossed: set[tuple[str, str, str]] = set()  # (kind, writer, reader)
    answered: set[str] = set()
    for attempt in range(60):
        record, writer = created(workers, f"Worker lamp {attempt}", session)
        answered.add(writer)
        for kind, url in reads(workers, record).items():
            for _ in range(40):  # new connections until the other worker answers
                response = call("GET", url, session)
                reader = response.headers["x-mockserver-worker"]
                assert shown(kind, response) == record, (kind, writer, reader)
                answered.add(reader)
                if reader != writer:
                    crossed.add((kind, writer, reader))
                    break
        if len(answered) == 2 and len(crossed) == 6:  # 3 reads x both directions
            break
    assert len(answered) == 2, f"only worker(s) {answered} answered"
    assert len(crossed) == 6, sorted(crossed)
    assert count(workers, session) == SIZE + attempt + 1


@pytest.mark.slow
def test_a_write_on_one_server_is_read_on_the_other(shop):
    """Two servers on one store, in the default session (no header): a create, an update and
    a delete on one are read on the other at once, and a unique field sees them."""
    one, two = shop
    before = count(two)
    record, _ = created(one, f"Server lamp {uuid.uuid4().hex}")
    for kind, url in reads(two, record).items():
        assert shown(kind, call("GET", url)) == record, kind
    assert count(two) == before + 1

    patched = call("PATCH", f"{two}{PRODUCTS}{record['id']}/", body={"stock": 9})
    assert patched.status_code == 200, patched.text
    assert call("GET", f"{one}{PRODUCTS}{record['id']}/").json() == patched.json()
    assert patched.json()["stock"] == 9

    # A unique field is checked against what the other server wrote (the overlay's sku).
    twin = {**product("Twin lamp"), "sku": record["sku"]}
    refused = call("POST", two + PRODUCTS, body=twin)
    assert (refused.status_code, refused.json()) == (
        400,
        {"sku": ["product with this sku already exists."]},
    )

    assert call("DELETE", f"{one}{PRODUCTS}{record['id']}/").status_code == 204
    assert call("GET", f"{two}{PRODUCTS}{record['id']}/").status_code == 404
    assert count(two) == before
    assert call("POST", two + PRODUCTS, body=twin).status_code == 201  # the sku is free again


# -- 3. many clients at once -------------------------------------------------------------------

THREADS, POSTS = 8, 25


@pytest.mark.slow
def test_many_clients_writing_at_once_lose_nothing(shop):
    """8 threads x 25 POSTs over both servers (and both workers of one): every POST a 201,
    every new key distinct and none lost."""
    session = f"burst-{uuid.uuid4().hex}"
    origins = list(shop)
    before = count(origins[0], session)

    def client(number: int) -> list[tuple[int, dict, str]]:
        answers = []
        for post in range(POSTS):
            origin = origins[(number + post) % 2]
            body = product(f"Burst lamp {number}-{post}")
            response = call("POST", origin + PRODUCTS, session, body)
            worker = origin + response.headers.get("x-mockserver-worker", "")
            answers.append((response.status_code, response.json(), worker))
        return answers

    with ThreadPoolExecutor(THREADS) as pool:
        answers = [a for batch in pool.map(client, range(THREADS)) for a in batch]

    assert [status for status, _, _ in answers] == [201] * THREADS * POSTS
    assert len({worker for _, _, worker in answers}) == 3  # both workers and the other server
    keys = sorted(body["id"] for _, body, _ in answers)
    # One key per create, after the base's largest, none twice and none skipped.
    assert keys == list(range(SIZE + 1, SIZE + 1 + THREADS * POSTS))
    for origin in origins:
        assert count(origin, session) == before + THREADS * POSTS
    listed = call("GET", f"{origins[1]}{PRODUCTS}?id__gt={SIZE}&page_size=100&ordering=id", session)
    bodies = {body["id"]: body for _, body, _ in answers}
    assert listed.json()["results"] == [bodies[key] for key in keys[:100]]


# -- 4. sessions apart, under parallel clients -------------------------------------------------

CLIENTS, CREATES = 6, 4


@pytest.mark.slow
def test_parallel_sessions_see_only_their_own_writes(shop):
    """Each client in its own session creates and deletes, at the same time as the others,
    over both servers; it reads only its own writes, and its change set is its own."""
    origins = list(shop)
    default_before = call("GET", f"{origins[0]}/__mock/state").json()
    sessions = [f"tab-{number}-{uuid.uuid4().hex[:8]}" for number in range(CLIENTS)]
    start = threading.Barrier(CLIENTS)

    def client(number: int) -> dict:
        session, origin = sessions[number], origins[number % 2]
        other = origins[(number + 1) % 2]
        start.wait()
        mine = [created(origin, f"{session} lamp {n}", session)[0] for n in range(CREATES)]
        gone_base = 1 + number  # a generated record, deleted in this session only
        for key in (mine[0]["id"], gone_base):
            response = call("DELETE", f"{other}{PRODUCTS}{key}/", session)
            assert response.status_code == 204, response.text
        listed = call("GET", f"{other}{PRODUCTS}?id__gt={SIZE}&page_size=100", session).json()
        assert listed["results"] == mine[1:], session  # its creates, not another's
        assert count(origin, session) == SIZE + CREATES - 2
        assert call("GET", f"{origin}{PRODUCTS}{gone_base}/", session).status_code == 404
        return {"mine": mine, "gone": gone_base}

    reviews = {key: cascaded(origins[0], key) for key in range(1, CLIENTS + 1)}
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = list(pool.map(client, range(CLIENTS)))

    for number, (session, result) in enumerate(zip(sessions, done, strict=True)):
        state = call("GET", f"{origins[number % 2]}/__mock/state", session)
        assert state.status_code == 200
        first, *kept = result["mine"]
        assert state.json() == {
            "collections": {
                PRODUCTS: {
                    "next": SIZE + 1 + CREATES,  # every session counts its own keys
                    "records": {
                        str(result["gone"]): None,
                        str(first["id"]): None,
                        **{str(record["id"]): record for record in kept},
                    },
                },
                **reviews[result["gone"]],
            }
        }
        # Another session still has the record this one deleted.
        neighbour = sessions[(number + 1) % CLIENTS]
        assert call("GET", f"{origins[0]}{PRODUCTS}{result['gone']}/", neighbour).status_code == 200

    # DELETE /__mock/state resets its session only; PUT loads a saved change set back.
    saved = [call("GET", f"{origins[0]}/__mock/state", s).json() for s in sessions]
    reset = call("DELETE", f"{origins[1]}/__mock/state", sessions[0])
    assert reset.status_code == 204
    assert call("GET", f"{origins[0]}/__mock/state", sessions[0]).json() == {"collections": {}}
    assert count(origins[0], sessions[0]) == SIZE
    for session, state in zip(sessions[1:], saved[1:], strict=True):
        assert call("GET", f"{origins[0]}/__mock/state", session).json() == state
    assert call("GET", f"{origins[0]}/__mock/state").json() == default_before

    loaded = httpx.put(
        f"{origins[0]}/__mock/state",
        headers={"X-Mock-Session": sessions[0], "Connection": "close"},
        content=json.dumps(saved[0]),
        timeout=20,
    )
    assert loaded.status_code == 204, loaded.text
    assert call("GET", f"{origins[1]}/__mock/state", sessions[0]).json() == saved[0]
    assert count(origins[1], sessions[0]) == SIZE + CREATES - 2
    again, _ = created(origins[1], "After the load", sessions[0])
    assert again["id"] == SIZE + 1 + CREATES  # the loaded sequence goes on


# -- 4b. racing writes, answered as if validated one after the other ---------------------------

RACERS, ROUNDS = 12, 3
TAKEN = {"sku": ["product with this sku already exists."]}


def raced(requests: list[tuple[str, str, dict | None]], session: str) -> list[httpx.Response]:
    """The requests sent at the same instant (a barrier), one thread and one new connection
    each, in their order over both servers and both workers of one."""
    start = threading.Barrier(len(requests))

    def send(request: tuple[str, str, dict | None]) -> httpx.Response:
        method, url, body = request
        start.wait()
        return call(method, url, session, body)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def holding(origin: str, sku: str, session: str) -> list[int]:
    """The keys of the records that hold `sku` (django-filter's exact lookup)."""
    response = call("GET", f"{origin}{PRODUCTS}?sku={sku}&page_size=100", session)
    assert response.status_code == 200, response.text
    return [record["id"] for record in response.json()["results"]]


def one_took_it(answers: list[httpx.Response], won: int, origins, sku: str, session: str):
    """One answer is `won` and every other the 400 of DRF's UniqueValidator; on every server
    only the winner's record holds `sku`."""
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [won] + [400] * (len(answers) - 1), statuses
    assert [a.json() for a in answers if a.status_code == 400] == [TAKEN] * (len(answers) - 1)
    (winner,) = [a.json() for a in answers if a.status_code == won]
    for origin in origins:
        assert holding(origin, sku, session) == [winner["id"]]


@pytest.mark.slow
def test_racing_creates_of_one_unique_value_make_one_record(shop):
    """12 clients POST the same new sku at the same instant over both servers: one 201, and
    every other answer is the 400 of DRF's UniqueValidator, as a database's unique index
    would have it; the list holds one record with that sku. Three rounds."""
    session = f"race-create-{uuid.uuid4().hex}"
    origins = list(shop)
    for round_ in range(ROUNDS):
        sku = str(uuid.uuid4())
        requests = [
            ("POST", origins[n % 2] + PRODUCTS, {**product(f"Racer {round_}-{n}"), "sku": sku})
            for n in range(RACERS)
        ]
        one_took_it(raced(requests, session), 201, origins, sku, session)


@pytest.mark.slow
def test_racing_updates_to_one_unique_value_leave_it_to_one_record(shop):
    """12 records PATCHed to the same new sku at the same instant: one 200, the others the
    UniqueValidator's 400, and only that record holds it."""
    session = f"race-patch-{uuid.uuid4().hex}"
    origins = list(shop)
    for round_ in range(ROUNDS):
        keys = [
            created(origins[0], f"Patched {round_}-{n}", session)[0]["id"] for n in range(RACERS)
        ]
        sku = str(uuid.uuid4())
        requests = [
            ("PATCH", f"{origins[n % 2]}{PRODUCTS}{key}/", {"sku": sku})
            for n, key in enumerate(keys)
        ]
        one_took_it(raced(requests, session), 200, origins, sku, session)


@pytest.mark.slow
def test_updates_racing_deletes_never_bring_a_record_back(shop):
    """Two DELETEs and ten PATCHes of one record at the same instant: one DELETE is a 204 and
    the other a 404, as DRF's destroy of a record already gone; each PATCH a 200 (before the
    delete) or a 404 (after it), and the record stays deleted."""
    session = f"race-delete-{uuid.uuid4().hex}"
    origins = list(shop)
    for round_ in range(ROUNDS):
        key = created(origins[0], f"Doomed {round_}", session)[0]["id"]
        url = f"{PRODUCTS}{key}/"
        requests = [("DELETE", origins[n] + url, None) for n in range(2)]
        requests += [("PATCH", origins[n % 2] + url, {"stock": n}) for n in range(2, RACERS)]
        answers = raced(requests, session)
        assert sorted(a.status_code for a in answers[:2]) == [204, 404], round_
        assert {a.status_code for a in answers[2:]} <= {200, 404}, round_
        for origin in origins:
            assert call("GET", f"{origin}{PRODUCTS}{key}/", session).status_code == 404
            listed = call("GET", f"{origin}{PRODUCTS}?id={key}", session).json()
            assert listed["count"] == 0, (round_, listed)


# -- 5. the state file -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_state_file_keeps_the_writes_across_sigterm_and_a_restart(overlay, tmp_path):
    path = tmp_path / "state.json"
    server = serve(overlay, "--state-file", str(path))
    try:
        origin = server.wait().origin
        first, _ = created(origin, "Kept lamp")
        last, _ = created(origin, "Deleted lamp")
        patched = call("PATCH", f"{origin}{PRODUCTS}{first['id']}/", body={"stock": 7})
        assert patched.status_code == 200
        assert call("DELETE", f"{origin}{PRODUCTS}{last['id']}/").status_code == 204
        reviews = cascaded(origin, 3)
        assert reviews, "product 3 has reviews, deleted with it"
        assert call("DELETE", f"{origin}{PRODUCTS}3/").status_code == 204
    finally:
        code = stopped(server)  # at once: the last save is the one at exit
    assert code == 0, server.output
    assert json.loads(path.read_bytes()) == {
        "collections": {
            PRODUCTS: {
                "next": SIZE + 3,
                "records": {"3": None, str(first["id"]): patched.json(), str(last["id"]): None},
            },
            **reviews,
        }
    }

    server = serve(overlay, "--state-file", str(path))
    try:
        origin = server.wait().origin
        assert call("GET", f"{origin}{PRODUCTS}{first['id']}/").json() == patched.json()
        assert call("GET", f"{origin}{PRODUCTS}{last['id']}/").status_code == 404
        assert call("GET", f"{origin}{PRODUCTS}3/").status_code == 404
        gone = call("GET", f"{origin}/reviews/?product=3")
        # django-filter's ModelChoiceFilter: the product is no longer one of the choices.
        choice = "Select a valid choice. That choice is not one of the available choices."
        assert (gone.status_code, gone.json()) == (400, {"product": [choice]}), gone.text
        for review in reviews["/reviews/"]["records"]:
            assert call("GET", f"{origin}/reviews/{review}/").status_code == 404
        assert count(origin) == SIZE  # one created and one generated record deleted
        following, _ = created(origin, "After the restart")
        assert following["id"] == last["id"] + 1  # a deleted key is never used again
    finally:
        assert stopped(server) == 0, server.output
    assert str(following["id"]) in json.loads(path.read_bytes())["collections"][PRODUCTS]["records"]


# -- 6. several workers and no store -----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "extra",
    [
        pytest.param([], id="no store"),
        pytest.param(["--state-file", "{tmp}/state.json"], id="a state file is no shared store"),
    ],
)
def test_several_workers_with_writes_and_no_store_stop_at_start(overlay, tmp_path, extra):
    command = [sys.executable, "-m", "mockserver", "serve", "--port", "0", "--workers", "2"]
    command += ["--spec", str(SPEC), "--overlay", str(overlay), "--size", "3"]
    command += ["--cache-dir", "", "--no-access-log"]
    command += [arg.format(tmp=tmp_path) for arg in extra]
    returncode, output = run_bounded(command, ROOT, timeout=120)
    assert returncode == 2, output
    # One line and nothing else: no banner, no worker started.
    assert output.splitlines() == [
        "mockserver: error: setting workers: 2 workers would each keep their own writes "
        "(POST /api/token/, POST /products/, PUT /products/{id}/ and 2 more): "
        "pass --state-url redis://HOST:6379/0 to share them"
    ]
    assert not (tmp_path / "state.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_store_that_cannot_be_reached_stops_the_start(overlay, workers):
    """Before the banner, in one line, with any number of workers: not a worker that fails
    and is started again, forever."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    command = [sys.executable, "-m", "mockserver", "serve", "--port", "0"]
    command += ["--workers", workers, "--state-url", url, "--spec", str(SPEC)]
    command += ["--overlay", str(overlay), "--size", "3", "--cache-dir", "", "--no-access-log"]
    returncode, output = run_bounded(command, ROOT, timeout=30)
    assert returncode == 2, output
    # One line and nothing else: no banner.
    assert output.startswith(f"mockserver: error: setting state_url: {url} cannot be reached: ")
    assert output.count("\n") == 1, output


# -- 7. the store stops while serving ----------------------------------------------------------


@pytest.mark.slow
def test_a_store_that_stops_while_serving_answers_503_then_serving_resumes(overlay, tmp_path):
    redis = RedisServer(tmp_path / "redis")
    server = serve(overlay, "--state-url", redis.url)
    try:
        origin = server.wait().origin
        record, _ = created(origin, "Before the stop")
        redis.stop()

        answers = {
            "POST": call("POST", origin + PRODUCTS, body=product("While stopped")),
            "PATCH": call("PATCH", f"{origin}{PRODUCTS}{record['id']}/", body={"stock": 1}),
            "PUT": call("PUT", f"{origin}{PRODUCTS}1/", body=product("Put while stopped")),
            "DELETE": call("DELETE", f"{origin}{PRODUCTS}2/"),
            "GET list": call("GET", f"{origin}{PRODUCTS}?ordering=-id"),
            "GET detail": call("GET", f"{origin}{PRODUCTS}1/"),
            "GET nested": call("GET", f"{origin}/categories/x/products/"),
            "GET state": call("GET", f"{origin}/__mock/state"),
            "PUT state": httpx.put(
                f"{origin}/__mock/state", content=b'{"collections": {}}', timeout=20
            ),
            "DELETE state": call("DELETE", f"{origin}/__mock/state"),
        }
        for name, response in answers.items():
            assert response.status_code == 503, (name, response.status_code, response.text)
            assert response.json() == UNAVAILABLE, name
            assert response.headers["content-type"] == "application/json", name
            assert response.headers["retry-after"] == "1", name
        health = call("GET", f"{origin}/__mock/health")
        assert health.status_code == 200  # the process itself is well

        redis = RedisServer(tmp_path / "redis-again", port=redis.port)  # back, and empty
        again, _ = created(origin, "After the stop")
        assert call("GET", f"{origin}{PRODUCTS}{again['id']}/").json() == again
        assert shown("list", call("GET", reads(origin, again)["list"])) == again
        assert call("GET", f"{origin}/__mock/state").status_code == 200

        # A store that hangs (stopped, its socket open): each request waits the client's
        # bounded timeout, then is a 503; the answers after it are not a late reply's.
        os.kill(redis.process.pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            hung = call("POST", origin + PRODUCTS, body=product("While hung"))
            waited = time.monotonic() - started
        finally:
            os.kill(redis.process.pid, signal.SIGCONT)
        assert (hung.status_code, hung.json()) == (503, UNAVAILABLE)
        assert 1.5 < waited < 10, waited
        after, _ = created(origin, "After the hang")
        assert call("GET", f"{origin}{PRODUCTS}{after['id']}/").json() == after
        listed = call("GET", f"{origin}{PRODUCTS}?id__gt={SIZE}&ordering=id").json()["results"]
        assert [record["name"] for record in listed] == [r["name"] for r in (again, after)]
    finally:
        code = stopped(server)
        redis.stop()
    assert code == 0, server.output
    assert "Traceback" not in server.output, server.output
