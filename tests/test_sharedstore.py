"""The change sets in a shared Redis-compatible store (engine/sharedstore.py), as two
processes on one `--state-url` use them: a write validated against the session as one
process read it is stored only if no other process wrote in between, else validated again
(engine/writes.py), so that it is answered as if it had come after the other.

Two apps in this process stand for the two processes, each with its own store client on
one namespace of a real server (started on a free port, stopped by PID); the other's write
is made at the one moment a race leaves open: after this one's validation, before its put.
"""

from __future__ import annotations

import uuid

import pytest
from helpers_api import make_state
from helpers_writes import shop_spec
from starlette.testclient import TestClient

from mockserver.engine.sharedstore import RedisSessions
from mockserver.engine.writes import ATTEMPTS
from mockserver.http.app import create_app

TOKEN = "sharedstore-test-key"
P = "/products/"
RECORD = b'{"id":31,"name":"Lamp"}'
TAKEN = {"sku": ["product with this sku already exists."]}
GONE = {"detail": "No Product matches the given query."}
UNAVAILABLE = {"detail": "The state store is unavailable; retry shortly."}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    spec = shop_spec(tmp_path_factory.mktemp("sharedstore"))
    return make_state(spec=str(spec), size=20, token=[TOKEN], lenient=True, access_log=False)


class Interleaved:
    """A process's store at which the other process writes (`other()`) just before each of
    this one's next `times` conditional puts: after its validation, before its put."""

    def __init__(self, store: RedisSessions, other, times: int = 1):
        self._store, self._other, self._times = store, other, times
        self.refused = 0

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def put(self, session, collection, key, record, expected=None) -> bool:
        if expected is not None and self._times:
            self._times -= 1
            self._other()
        stored = self._store.put(session, collection, key, record, expected)
        self.refused += not stored
        return stored


@pytest.fixture
def pair(redis_url, shop):
    """Two clients, `this` and `other`, of two apps on one store (a namespace of their own);
    `interleave(request, times)` makes `other` send `request` just before each of this
    one's next `times` puts."""
    namespace = uuid.uuid4().hex
    stores = [RedisSessions(redis_url, namespace) for _ in range(2)]
    other = make_client_of(shop, stores[1])
    this_store = Interleaved(stores[0], lambda: None, times=0)
    this = make_client_of(shop, this_store)

    def interleave(request: tuple, times: int = 1) -> list:
        answers = []

        def send():
            method, path, body = request
            answers.append(other.request(method, path, json=body))

        this_store._other, this_store._times = send, times
        return answers

    yield this, other, interleave, this_store
    for store in stores:
        store.close()


def make_client_of(state, sessions):
    client = TestClient(create_app(state, sessions=sessions), follow_redirects=False)
    client.headers.update({"Authorization": f"Token {TOKEN}"})
    return client


def product(sku: str) -> dict:
    return {"name": "Lamp", "sku": sku, "price": "3.50", "category": 2}


def holding(client, path: str, name: str, value) -> list[int]:
    """The keys of the records of `path` whose `name` is `value`, read page by page (a
    filter by a deleted product is django-filter's 400, not an empty page)."""
    keys, page = [], 1
    while page:
        listed = client.get(path, params={"page": page}).json()
        keys += [record["id"] for record in listed["results"] if record[name] == value]
        page = page + 1 if listed["next"] else 0
    return keys


# (what the other process sends, what this one sends, this one's answer)
RACES = [
    pytest.param(
        ("POST", P, product("LAMP-1")),
        ("POST", P, product("LAMP-1")),
        (400, TAKEN),
        id="a create of the unique value the other just created: DRF's UniqueValidator 400",
    ),
    pytest.param(
        ("PATCH", f"{P}4/", {"sku": "LAMP-1"}),
        ("PATCH", f"{P}3/", {"sku": "LAMP-1"}),
        (400, TAKEN),
        id="an update to the unique value the other just took: 400",
    ),
    pytest.param(
        ("DELETE", f"{P}3/", None),
        ("PATCH", f"{P}3/", {"name": "Back"}),
        (404, GONE),
        id="an update of the record the other just deleted: 404, not brought back",
    ),
    pytest.param(
        ("DELETE", f"{P}3/", None),
        ("DELETE", f"{P}3/", None),
        (404, GONE),
        id="a delete of the record the other just deleted: 404",
    ),
    pytest.param(
        ("DELETE", f"{P}3/", None),
        ("POST", "/reviews/", {"product": 3, "stars": 4}),
        (400, {"product": ['Invalid pk "3" - object does not exist.']}),
        id="a relation to the record the other just deleted: 400, never left dangling",
    ),
]


@pytest.mark.parametrize(("theirs", "mine", "answer"), RACES)
def test_a_write_validated_before_the_other_s_is_answered_as_after_it(pair, theirs, mine, answer):
    this, other, interleave, store = pair
    sent = interleave(theirs)
    method, path, body = mine
    got = this.request(method, path, json=body)
    (first,) = sent
    assert first.status_code < 300, first.text  # the other's write was stored
    assert (got.status_code, got.json()) == answer
    assert store.refused == 1  # this one's first put, validated before it, was refused
    # Both processes read the other's write alone (a delete cascades to the reviews).
    deleted = theirs[0] == "DELETE"
    for client in (this, other):
        assert client.get(f"{P}3/").status_code == (404 if deleted else 200)
        sku = holding(client, P, "sku", "LAMP-1")
        assert sku == ([] if deleted else [first.json()["id"]])
        reviews = holding(client, "/reviews/", "product", 3)
        assert reviews == ([] if deleted else [5, 27, 31])


def test_a_write_racing_an_unrelated_one_is_stored_with_the_key_it_drew(pair):
    """The other's write moved the session, not what this one read: validated again, it is
    stored, with the key it drew before (none skipped, none given twice)."""
    this, other, interleave, store = pair
    sent = interleave(("POST", P, product("LAMP-2")))
    mine = this.post(P, json=product("LAMP-1"))
    (theirs,) = sent
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert store.refused == 1
    assert (mine.json()["id"], theirs.json()["id"]) == (31, 32)  # this one drew first
    assert other.post(P, json=product("LAMP-3")).json()["id"] == 33
    for client in (this, other):
        assert client.get(f"{P}31/").json() == mine.json()
        assert holding(client, P, "sku", "LAMP-1") == [31]


def test_a_session_the_others_never_stop_writing_is_a_503_not_a_write_unchecked(pair):
    this, other, interleave, store = pair
    theirs = interleave(("PATCH", f"{P}4/", {"stock": 1}), times=ATTEMPTS)
    refused = this.post(P, json=product("LAMP-1"))
    assert (refused.status_code, refused.json()) == (503, UNAVAILABLE)
    assert refused.headers["retry-after"] == "1"
    assert [answer.status_code for answer in theirs] == [200] * ATTEMPTS
    assert store.refused == ATTEMPTS
    assert holding(other, P, "sku", "LAMP-1") == []
    # Once the others pause, the same write is stored.
    assert this.post(P, json=product("LAMP-1")).status_code == 201


# -- the store alone: a put conditional on a version ------------------------------------------


def test_two_processes_one_put_validated_at_a_version_another_moved_is_refused(redis_url):
    namespace = uuid.uuid4().hex
    one, two = (RedisSessions(redis_url, namespace) for _ in range(2))
    try:
        read = one.version("s")  # what one validated against
        assert two.put("s", P, 31, RECORD, expected=read) is True  # two wrote first
        assert one.put("s", P, 32, b'{"id":32}', expected=read) is False
        assert two.read("s") == {P: {31: RECORD}}  # nothing of one's
        assert two.next_key("s", P, 20) == 32  # nor its key
        assert one.put("s", P, 32, b'{"id":32}', expected=one.version("s")) is True
        assert two.read("s") == {P: {31: RECORD, 32: b'{"id":32}'}}
    finally:
        one.close()
        two.close()
