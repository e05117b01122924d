"""The stores of the sessions' change sets (engine/sessions.py, engine/sharedstore.py): this
process's memory with its state file, and a real Redis-compatible server that the suite starts
on a free port and stops by PID."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import orjson
import pytest
from helpers_api import ROOT, cli_env
from helpers_redis import RedisServer, free_port

from mockserver.engine.sessions import LocalSessions, StoreUnavailable, open_sessions, parse
from mockserver.engine.sharedstore import RedisSessions
from mockserver.errors import ConfigError
from mockserver.settings import Settings

P = "/products/"
RECORD = b'{"id":1001,"name":"Lamp"}'


def _fresh_redis(url: str) -> RedisSessions:
    """A store in a namespace of its own: tests on one server never see each other."""
    return RedisSessions(url, namespace=uuid.uuid4().hex)


@pytest.fixture
def opened(redis_url):
    """Opens stores on the suite's server (a fresh namespace unless one is given), and
    closes them after the test."""
    made: list[RedisSessions] = []

    def open_one(namespace: str = "") -> RedisSessions:
        made.append(RedisSessions(redis_url, namespace or uuid.uuid4().hex))
        return made[-1]

    yield open_one
    for store in made:
        store.close()


@pytest.fixture(params=["local", "redis"])
def store(request):
    if request.param == "local":
        made = LocalSessions()
    else:
        made = _fresh_redis(request.getfixturevalue("redis_url"))
    try:
        yield made
    finally:
        made.close()


# -- one table of behaviours, both stores ----------------------------------------------------


def test_an_unwritten_session_is_empty_at_version_0(store):
    assert store.version("") == 0
    assert store.read("") == {}
    assert store.dump("") == {"collections": {}}


def test_a_put_is_read_back_and_moves_the_version(store):
    store.put("", P, 1001, RECORD)
    store.put("", P, 3, None)
    assert store.read("") == {P: {1001: RECORD, 3: None}}
    assert store.version("") > 0


def test_every_change_gives_a_version_never_given_before(store):
    seen = [store.version("a")]
    store.put("a", P, 1, RECORD)
    seen.append(store.version("a"))
    store.put("a", P, 1, None)
    seen.append(store.version("a"))
    store.reset("a")
    assert store.version("a") == 0  # a reset session reads as the base again
    store.put("a", P, 2, RECORD)
    seen.append(store.version("a"))
    store.load("a", {"collections": {}})
    seen.append(store.version("a"))
    assert seen[0] == 0
    assert len(set(seen)) == len(seen), seen  # never reused, even across the reset


@pytest.mark.parametrize(
    ("steps", "floor", "expected"),
    [
        pytest.param([], 1000, 1001, id="first key: after the base's largest"),
        pytest.param([("next", 1000)], 1000, 1002, id="second key: after the first"),
        pytest.param([("next", 1000), ("delete", 1001)], 1000, 1002, id="a deleted key stays used"),
        pytest.param([("next", 10)], 1000, 1001, id="a larger floor wins (the base grew)"),
        pytest.param([("next", 1000), ("next", 1000)], 5, 1003, id="keys used win over the floor"),
        pytest.param([("put", 5000)], 1000, 5001, id="a key written counts as used"),
        pytest.param([("put", 7)], 1000, 1001, id="an update of a base record changes nothing"),
        pytest.param([("next", 1000), ("reset", 0)], 1000, 1001, id="a reset restarts it"),
        pytest.param([], 0, 1, id="an empty collection starts at 1"),
    ],
)
def test_next_key(store, steps, floor, expected):
    for action, value in steps:
        if action == "next":
            store.next_key("", P, value)
        elif action == "put":
            store.put("", P, value, RECORD)
        elif action == "delete":
            store.put("", P, value, None)
        else:
            store.reset("")
    assert store.next_key("", P, floor) == expected


# A put conditional on the version its write was validated against: (what happens before it,
# the version it expects, whether it is stored). `then` is the version after the steps;
# `before` the one before the last step.
@pytest.mark.parametrize(
    ("steps", "expected", "stored"),
    [
        pytest.param([], "zero", True, id="an unwritten session at 0: stored"),
        pytest.param(["put"], "then", True, id="the current version: stored"),
        pytest.param(["put", "put"], "before", False, id="another write since: refused"),
        pytest.param(["put"], "zero", False, id="0 after a write: refused"),
        pytest.param(["put", "reset"], "before", False, id="a reset since: refused"),
        pytest.param(["put", "load"], "before", False, id="a load since: refused"),
        pytest.param(["put", "reset"], "zero", True, id="0 after a reset: stored"),
        pytest.param(["put", "other"], "before", True, id="another session's write: stored"),
        pytest.param(["put", "put"], None, True, id="no version given: stored"),
    ],
)
def test_a_conditional_put_is_stored_only_at_its_version(store, steps, expected, stored):
    before = 0
    for step in steps:
        before = store.version("")
        if step == "put":
            store.put("", P, 7, RECORD)
        elif step == "other":
            store.put("other", P, 8, RECORD)
        elif step == "reset":
            store.reset("")
        else:
            store.load("", {"collections": {P: {"records": {"9": None}}}})
    version = {"zero": 0, "then": store.version(""), "before": before, None: None}[expected]
    state, changed = store.dump(""), store.version("")

    assert store.put("", P, 5000, b'{"id":5000}', expected=version) is stored
    if stored:
        assert store.read("")[P][5000] == b'{"id":5000}'
        assert store.version("") not in (0, changed)
    else:
        # Nothing written: not the record, not its key among those used, not the version.
        assert (store.dump(""), store.version("")) == (state, changed)
        assert store.read_since("", changed) == (changed, {})
        assert store.next_key("", P, 30) < 5000


def test_read_since_gives_what_changed_after_a_version(store):
    assert store.read_since("", 0) == (0, {})  # nothing written: nothing to apply
    store.put("", P, 1, RECORD)
    assert store.read_since("", 0) is None  # the log starts at the first put: read it whole
    first = store.version("")
    store.put("", P, 2, RECORD)
    store.put("", "/orders/", 9, RECORD)
    store.put("", P, 1, None)
    now = store.version("")
    assert store.read_since("", first) == (now, {P: {2: RECORD, 1: None}, "/orders/": {9: RECORD}})
    assert store.read_since("", now) == (now, {})
    assert store.read_since("other", 0) == (0, {})


def test_read_since_asks_for_a_whole_read_after_a_load_or_a_reset(store):
    store.put("", P, 1, RECORD)
    before = store.version("")
    store.load("", {"collections": {P: {"records": {"5": None}}}})
    loaded = store.version("")
    assert store.read_since("", before) is None
    assert store.read_since("", loaded) == (loaded, {})
    store.put("", P, 6, RECORD)
    assert store.read_since("", loaded) == (store.version(""), {P: {6: RECORD}})
    held = store.version("")
    store.reset("")
    assert store.read_since("", held) is None
    assert store.read_since("", 0) == (0, {})


def test_applying_read_since_keeps_a_copy_equal_to_read(store):
    chooser = random.Random(7)
    held, copy = 0, {}
    for _ in range(300):
        key = chooser.randint(1, 40)
        store.put(
            "", chooser.choice(["/a/", "/b/"]), key, chooser.choice([None, b'{"n":%d}' % key])
        )
        if chooser.random() < 0.3:
            answer = store.read_since("", held)
            if answer is None:
                held, copy = store.version(""), store.read("")
            else:
                held, changes = answer
                for path, changed in changes.items():
                    copy.setdefault(path, {}).update(changed)
            assert copy == store.read("")


def test_keys_are_counted_per_collection_and_session(store):
    assert store.next_key("", "/a/", 10) == 11
    assert store.next_key("", "/b/", 10) == 11
    assert store.next_key("s", "/a/", 10) == 11
    assert store.next_key("", "/a/", 10) == 12


@pytest.mark.parametrize("other", ["", "tab-2", "ci:job#3", "ünïcode session"])
def test_sessions_do_not_see_each_other(store, other):
    store.put("ci:job#7", P, 12, RECORD)
    store.next_key("ci:job#7", P, 100)
    assert store.read(other) == {}
    assert store.version(other) == 0
    assert store.next_key(other, P, 100) == 101
    assert store.read("ci:job#7") == {P: {12: RECORD}}


def test_dump_is_the_documented_shape(store):
    store.next_key("", P, 1000)
    store.put("", P, 1001, RECORD)
    store.put("", P, 3, None)
    store.next_key("", "/orders/", 50)
    assert store.dump("") == {
        "collections": {
            "/orders/": {"next": 52, "records": {}},
            P: {"next": 1002, "records": {"3": None, "1001": {"id": 1001, "name": "Lamp"}}},
        }
    }


def test_dump_then_load_round_trips(store):
    store.put("a", P, 1001, RECORD)
    store.put("a", P, 2, None)
    store.next_key("a", P, 1005)
    doc = store.dump("a")
    store.load("b", json.loads(json.dumps(doc)))  # through JSON, as PUT /__mock/state is
    assert store.dump("b") == doc
    assert store.read("b") == {P: {1001: orjson.dumps(orjson.loads(RECORD)), 2: None}}
    assert store.next_key("b", P, 1000) == 1007


def test_load_replaces_the_change_set(store):
    store.put("", P, 1, RECORD)
    before = store.version("")
    store.load("", {"collections": {"/orders/": {"next": 40, "records": {"39": {"id": 39}}}}})
    assert store.read("") == {"/orders/": {39: b'{"id":39}'}}
    assert store.version("") not in (0, before)
    assert store.next_key("", P, 1000) == 1001  # the old collection's keys went with it
    assert store.next_key("", "/orders/", 10) == 40


def test_a_loaded_record_above_next_is_never_handed_out(store):
    store.load("", {"collections": {P: {"next": 2, "records": {"1500": {"id": 1500}}}}})
    assert store.next_key("", P, 1000) == 1501


def test_a_bad_doc_changes_nothing(store):
    store.put("", P, 1, RECORD)
    version = store.version("")
    with pytest.raises(ValueError, match="not a record number"):
        store.load("", {"collections": {P: {"records": {"x": None}}}})
    assert store.read("") == {P: {1: RECORD}}
    assert store.version("") == version


def test_read_gives_a_copy(store):
    store.put("", P, 1, RECORD)
    taken = store.read("")
    taken[P][2] = None
    taken["/other/"] = {}
    assert store.read("") == {P: {1: RECORD}}


# -- the document's shape --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        pytest.param([], "expected an object with 'collections', got a list", id="a list"),
        pytest.param(
            {"collection": {}},
            "the document: unknown key 'collection' (expected 'collections')",
            id="a typo",
        ),
        pytest.param({}, "collections: expected an object, got null", id="no collections"),
        pytest.param({"collections": []}, "collections: expected an object, got a list", id="list"),
        pytest.param(
            {"collections": {"products": {}}},
            'collections["products"]: a collection is its list path, like /products/',
            id="not a path",
        ),
        pytest.param(
            {"collections": {P: []}},
            'collections["/products/"]: expected an object, got a list',
            id="collection not an object",
        ),
        pytest.param(
            {"collections": {P: {"rows": {}}}},
            "collections[\"/products/\"]: unknown key 'rows' (expected 'next', 'records')",
            id="unknown key in a collection",
        ),
        pytest.param(
            {"collections": {P: {"records": [1]}}},
            'collections["/products/"].records: expected an object, got a list',
            id="records a list",
        ),
        pytest.param(
            {"collections": {P: {"records": {"0": None}}}},
            'collections["/products/"].records: "0" is not a record number (1, 2, ...)',
            id="key 0",
        ),
        pytest.param(
            {"collections": {P: {"records": {"-3": None}}}},
            'collections["/products/"].records: "-3" is not a record number (1, 2, ...)',
            id="negative key",
        ),
        pytest.param(
            {"collections": {P: {"records": {"1": "Lamp"}}}},
            'collections["/products/"].records["1"]: expected a record (an object) or null, '
            "got a string",
            id="record not an object",
        ),
        pytest.param(
            {"collections": {P: {"next": "5", "records": {}}}},
            'collections["/products/"].next: expected a key (1, 2, ...), got a string',
            id="next a string",
        ),
        pytest.param(
            {"collections": {P: {"next": True, "records": {}}}},
            'collections["/products/"].next: expected a key (1, 2, ...), got a boolean',
            id="next a boolean",
        ),
        pytest.param(
            {"collections": {P: {"next": 0, "records": {}}}},
            'collections["/products/"].next: expected a key (1, 2, ...), got 0',
            id="next 0",
        ),
    ],
)
def test_a_bad_doc_is_refused_with_its_place(doc, reason):
    with pytest.raises(ValueError) as raised:
        parse(doc)
    assert str(raised.value) == reason
    assert "\n" not in str(raised.value)


def test_next_and_records_are_optional():
    assert parse({"collections": {P: {}}}) == ({P: {}}, {P: 0})


# -- Redis: shared by processes, and what happens when it goes away ---------------------------


def test_two_stores_on_one_server_share_at_once(opened):
    namespace = uuid.uuid4().hex
    one, two = opened(namespace), opened(namespace)
    one.put("tab", P, 1001, RECORD)
    assert two.read("tab") == {P: {1001: RECORD}}
    assert two.version("tab") == one.version("tab") > 0
    held = one.version("tab")
    two.put("tab", P, 5, None)
    assert one.read_since("tab", held) == (two.version("tab"), {P: {5: None}})
    assert two.next_key("tab", P, 1000) == 1002
    two.reset("tab")
    assert one.read("tab") == {}


def test_namespaces_keep_specs_apart(opened):
    one, two = opened(), opened()
    one.put("", P, 1, RECORD)
    assert two.read("") == {}
    assert two.version("") == 0


def test_the_version_stays_ahead_when_the_server_forgets_everything(opened):
    store = opened()
    store.put("", P, 1, RECORD)
    before = store.version("")
    store._client.delete(*store._client.keys(store.prefix + "*"))  # as FLUSHALL would
    store.put("", P, 1, RECORD)
    assert store.version("") > before  # a process's cache keyed by version is never stale
    assert store.read_since("", before) is None  # nor a change log read from before


_CLIENT = """
import json, sys, time
from mockserver.engine.sharedstore import RedisSessions
url, namespace, action, count, start = sys.argv[1:6]
store = RedisSessions(url, namespace)
time.sleep(max(0.0, float(start) - time.time()))  # all start together
keys = []
for _ in range(int(count)):
    key = store.next_key("burst", "/products/", 1000)
    if action == "put":
        store.put("burst", "/products/", key, json.dumps({"id": key}).encode())
    keys.append(key)
print(json.dumps(keys))
"""


def _clients(url: str, namespace: str, action: str, processes: int, count: int) -> list[int]:
    start = time.time() + 3  # every process imported and connected by then
    running = [
        subprocess.Popen(
            [sys.executable, "-c", _CLIENT, url, namespace, action, str(count), str(start)],
            cwd=ROOT,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    keys = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        keys += json.loads(out)
    return keys


@pytest.mark.slow
def test_many_processes_at_once_never_get_the_same_key(redis_url):
    namespace = uuid.uuid4().hex
    keys = _clients(redis_url, namespace, "next", processes=8, count=200)
    assert len(keys) == 1600
    assert len(set(keys)) == 1600
    assert min(keys) == 1001
    assert max(keys) == 2600  # no gap either: each call used exactly one key


@pytest.mark.slow
def test_many_processes_writing_at_once_lose_nothing(redis_url, opened):
    namespace = uuid.uuid4().hex
    keys = _clients(redis_url, namespace, "put", processes=4, count=100)
    records = opened(namespace).read("burst")[P]
    assert sorted(records) == sorted(keys) == list(range(1001, 1401))
    assert all(orjson.loads(records[key]) == {"id": key} for key in keys)


def test_a_store_gone_while_serving_is_a_503_and_comes_back(tmp_path):
    server = RedisServer(tmp_path / "one")
    store = RedisSessions(server.url, uuid.uuid4().hex)
    store.put("", P, 1, RECORD)
    server.stop()
    try:
        for call in (
            lambda: store.version(""),
            lambda: store.read(""),
            lambda: store.put("", P, 2, RECORD),
            lambda: store.next_key("", P, 10),
            lambda: store.dump(""),
            lambda: store.load("", {"collections": {}}),
            lambda: store.reset(""),
        ):
            with pytest.raises(StoreUnavailable) as raised:
                call()
            assert raised.value.status == 503
            assert raised.value.body == {"detail": "The state store is unavailable; retry shortly."}
            assert raised.value.headers == {"Retry-After": "1"}
        server = RedisServer(tmp_path / "two", port=server.port)  # back, empty
        assert store.read("") == {}
        store.put("", P, 2, RECORD)
        assert store.read("") == {P: {2: RECORD}}
    finally:
        server.stop()
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "redis://127.0.0.1:{free}/0",
            "setting state_url: redis://127.0.0.1:{free}/0 cannot be reached: ",
            id="nothing listens",
        ),
        pytest.param(
            "redis://:hunter2@127.0.0.1:{free}/0",
            "setting state_url: redis://***@127.0.0.1:{free}/0 cannot be reached: ",
            id="the password is not printed",
        ),
        pytest.param(
            "redis://127.0.0.1:{free}/0?socket_timeout=soon",
            "setting state_url: redis://127.0.0.1:{free}/0?socket_timeout=soon: Invalid value",
            id="an option redis-py cannot read",
        ),
    ],
)
def test_a_store_that_cannot_be_used_stops_the_start(url, message):
    free = free_port()
    with pytest.raises(ConfigError) as raised:
        open_sessions(url.format(free=free), None, namespace="x")
    assert str(raised.value).startswith(message.format(free=free))
    assert "hunter2" not in str(raised.value)
    assert "\n" not in str(raised.value)


def test_open_sessions_picks_the_store(redis_url, tmp_path):
    assert isinstance(open_sessions(None, None), LocalSessions)
    assert isinstance(open_sessions("", None), LocalSessions)
    shared = open_sessions(redis_url, None, namespace="n")
    shared.close()
    assert isinstance(shared, RedisSessions)
    assert shared.prefix == "mockserver:{n}:"
    with pytest.raises(ConfigError, match="not both"):
        open_sessions(redis_url, str(tmp_path / "state.json"))


# -- the state file --------------------------------------------------------------------------


def test_the_state_file_is_saved_and_loaded_at_the_next_start(tmp_path):
    path = tmp_path / "state.json"
    first = LocalSessions(str(path))
    assert first.read("") == {}  # a missing file is an empty state
    first.next_key("", P, 1000)
    first.put("", P, 1001, RECORD)
    first.put("", P, 4, None)
    first.put("other", P, 9, RECORD)  # only the default session is kept
    first.close()
    assert json.loads(path.read_bytes()) == {
        "collections": {
            P: {"next": 1002, "records": {"4": None, "1001": {"id": 1001, "name": "Lamp"}}}
        }
    }
    second = LocalSessions(str(path))
    assert second.read("") == {P: {1001: RECORD, 4: None}}
    assert second.version("") > 0
    assert second.next_key("", P, 1000) == 1002
    assert second.read("other") == {}
    second.close()


def test_a_reset_and_a_load_are_saved_too(tmp_path):
    path = tmp_path / "state.json"
    store = LocalSessions(str(path), save_interval=0.01)
    store.put("", P, 1, RECORD)
    store.reset("")
    store.close()
    assert json.loads(path.read_bytes()) == {"collections": {}}
    store = LocalSessions(str(path))
    store.load("", {"collections": {P: {"next": 8, "records": {}}}})
    store.close()
    assert json.loads(path.read_bytes()) == {"collections": {P: {"next": 8, "records": {}}}}


def test_a_burst_is_saved_a_few_times_not_once_per_write(tmp_path):
    path = tmp_path / "state.json"
    store = LocalSessions(str(path), save_interval=0.2)
    started = time.monotonic()
    for _ in range(2000):
        key = store.next_key("", P, 1000)
        store.put("", P, key, b'{"id":%d}' % key)
    elapsed = time.monotonic() - started
    store.close()
    saves = store._saver.saves
    assert 1 <= saves <= 2 + elapsed / 0.2, (saves, elapsed)
    assert len(json.loads(path.read_bytes())["collections"][P]["records"]) == 2000


def test_saving_waits_at_most_the_interval(tmp_path):
    path = tmp_path / "state.json"
    store = LocalSessions(str(path), save_interval=0.05)
    store.put("", P, 1, RECORD)
    deadline = time.monotonic() + 5
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        assert json.loads(path.read_bytes())["collections"][P]["records"] == {
            "1": {"id": 1001, "name": "Lamp"}
        }
    finally:
        store.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"{not json", "is not a mockserver state: not JSON (", id="not JSON"),
        pytest.param(b"", "is not a mockserver state: not JSON (", id="empty"),
        pytest.param(
            b'{"collections": {"/p/": {"records": {"a": 1}}}}',
            'is not a mockserver state: collections["/p/"].records: "a" is not a record number',
            id="wrong shape",
        ),
        pytest.param(
            b"[]",
            "is not a mockserver state: expected an object with 'collections', got a list",
            id="a list",
        ),
    ],
)
def test_a_damaged_state_file_stops_the_start_naming_it(tmp_path, content, message):
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        open_sessions(None, str(path))
    assert str(raised.value).startswith(f"{path}: {message}")
    assert "\n" not in str(raised.value)


def test_a_state_file_in_no_directory_stops_the_start(tmp_path):
    path = tmp_path / "missing" / "state.json"
    with pytest.raises(ConfigError, match="is no writable directory"):
        LocalSessions(str(path))


_WRITER = """
import signal, sys, time
from mockserver.engine.sessions import LocalSessions
path, interval, stop_after = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
# uvicorn turns SIGTERM into a normal exit; this does the same.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
store = LocalSessions(path, save_interval=interval)
key = 0
while True:
    key = store.next_key("", "/products/", 0)
    store.put("", "/products/", key, b'{"id":%d,"pad":"%s"}' % (key, b"x" * 200))
    if key == stop_after:
        print("written", flush=True)
        time.sleep(60)
"""


def _writer(path: Path, interval: float, stop_after: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(interval), str(stop_after)],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_the_state_file_is_whole_at_every_moment_and_after_kill_9(tmp_path):
    path = tmp_path / "state.json"
    process = _writer(path, interval=0.005)
    try:
        # The burst is read for 2.5 s from its first save: the writer's start (an import of
        # the package, slower on a busy machine) is not part of it.
        started = time.monotonic()
        while not path.exists() and time.monotonic() < started + 60:
            time.sleep(0.01)
        deadline = time.monotonic() + 2.5
        reads = set()
        while time.monotonic() < deadline:
            if path.exists():
                doc = json.loads(path.read_bytes())  # never a part of a document
                reads.add(len(parse(doc)[0][P]))
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    assert len(reads) > 3, reads  # saved again and again under the burst
    records, used = parse(json.loads(path.read_bytes()))
    written = len(records[P])
    assert sorted(records[P]) == list(range(1, written + 1))  # a whole save, as it was
    assert used[P] - written in (0, 1)  # a key may be handed out and its record not yet put
    restarted = LocalSessions(str(path))
    assert restarted.next_key("", P, 0) == used[P] + 1
    restarted.close()


@pytest.mark.slow
def test_a_sigterm_saves_what_the_interval_had_not_yet(tmp_path):
    path = tmp_path / "state.json"
    process = _writer(path, interval=30, stop_after=500)  # no save before the SIGTERM
    try:
        assert process.stdout.readline() == "written\n"
        assert not path.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
    records, used = parse(json.loads(path.read_bytes()))
    assert sorted(records[P]) == list(range(1, 501))
    assert used == {P: 500}


# -- settings and the start ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param(
            {"state_url": "localhost:6379"},
            "setting state_url: must be a URL like redis://localhost:6379/0",
            id="no scheme",
        ),
        pytest.param(
            {"state_url": "http://cache:6379/0"},
            "setting state_url: must be a URL like redis://localhost:6379/0",
            id="another scheme",
        ),
        pytest.param(
            {"state_url": "redis://cache:6379/zero"},
            "setting state_url: must be a URL like redis://localhost:6379/0",
            id="a database that is no number (redis-py would take 0)",
        ),
        pytest.param(
            {"state_url": "redis://cache:6379/0", "state_file": "state.json"},
            "setting state_file: give --state-file or --state-url, not both",
            id="both",
        ),
    ],
)
def test_settings_refuse(values, message):
    with pytest.raises(ConfigError) as raised:
        Settings(**values)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "url", ["redis://localhost:6379/0", "rediss://:pw@cache:6380/2", "unix:///run/redis.sock"]
)
def test_settings_accept(url):
    assert Settings(state_url=url).state_url == url


def test_flags_and_environment_reach_the_settings():
    from mockserver.cli import parser

    args = parser({"MOCKSERVER_STATE_FILE": "demo.json"}).parse_args(
        ["serve", "--state-url", "redis://h:1/0"]
    )
    assert (args.state_url, args.state_file) == ("redis://h:1/0", "demo.json")
