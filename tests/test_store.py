"""Building the dataset: an invalid record blames its cause, in one process and in the pool.

The pool is used from `store.PARALLEL_THRESHOLD` users on; these tests lower the threshold
and the chunk size, so that a pool builds 20 users in chunks of 5 as it builds a million.
"""

from __future__ import annotations

import ctypes
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from mockserver import state
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract.schema import Validator
from mockserver.contract.spec import Spec
from mockserver.engine import store
from mockserver.errors import ConfigError

USERS = 20
_TEST_PROCESS = os.getpid()  # forked workers inherit the value, and have another pid
_BUILD_CHUNK = store._build_chunk
_PR_GET_PDEATHSIG = 2  # prctl(2): read the signal armed for the parent's death
_STARTED = Path()  # where `_chunk_stuck` says a worker began; each test sets its own


def _chunk_in_a_worker(plan, ids):
    """`_build_chunk`, asserting that a pool worker runs it, started as `build` starts them."""
    assert os.getpid() != _TEST_PROCESS, "a chunk was built in the test's own process"
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN, "the worker would take Ctrl-C"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN, "the worker would take SIGTERM"
    if sys.platform.startswith("linux"):
        armed = ctypes.c_int()
        ctypes.CDLL(None).prctl(_PR_GET_PDEATHSIG, ctypes.byref(armed))
        assert armed.value == signal.SIGKILL, "the worker would outlive its parent"
    return _BUILD_CHUNK(plan, ids)


def _chunk_never(plan, ids):
    raise AssertionError("a dataset the cache holds was built again")


def _chunk_or_stuck(plan, ids):
    """The first chunk as usual; any other never ends, like a big chunk still being built."""
    if ids[0] != 1:
        time.sleep(3600)
    return _BUILD_CHUNK(plan, ids)


def _chunk_stuck(plan, ids):
    """A chunk that never ends, once its worker has said so with a file in `_STARTED`."""
    (_STARTED / str(os.getpid())).touch()
    time.sleep(3600)


def _chunk_or_lost(plan, ids):
    """The first chunk's worker is killed (as the OOM killer would); any other never ends."""
    if ids[0] == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(3600)


@pytest.fixture(autouse=True)
def _no_worker_left():
    """Kill the workers a failed test left stuck: Python waits for a pool's work at exit."""
    yield
    for worker in multiprocessing.active_children():
        worker.kill()
        worker.join()


def _pool(monkeypatch, chunk=_chunk_in_a_worker, size: int = 5) -> None:
    """Build any number of users in a pool of two workers, whatever the machine has, in
    chunks of `size` users, each built by `chunk` (`_build_chunk` or a stand-in)."""
    monkeypatch.setattr(store, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(store, "CHUNK", size)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(store, "_build_chunk", chunk)


@pytest.fixture(params=["one process", "pool"])
def mode(request, monkeypatch) -> str:
    """Build in one process, or in a pool."""
    if request.param == "pool":
        _pool(monkeypatch)
    return request.param


def _load(tmp_path: Path, spec_edit: tuple[str, str] | None = None, personas: str = ""):
    """The spec (with one text replaced) and the shipped fixtures with `personas` appended."""
    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    with (directory / "personas.yaml").open("a", encoding="utf-8") as file:
        file.write(personas)
    text = packaged.spec_path().read_text(encoding="utf-8")
    if spec_edit:
        assert text.count(spec_edit[0]) == 1
        text = text.replace(*spec_edit)
    (tmp_path / "users.yaml").write_text(text, encoding="utf-8")
    spec = Spec.load(tmp_path / "users.yaml")
    return spec, fixtures_module.load(directory, spec), str(directory / "personas.yaml")


def _build(tmp_path: Path, **load):
    spec, fixtures, personas = _load(tmp_path, **load)
    return state.build_dataset(spec, fixtures, "/users/", 42, USERS, personas_source=personas)


NAMELESS_6 = '- id: 6\n  first_name: ""\n  last_name: ""\n'
EMAIL = '"{first_name}.{last_name}{digits:##}@{faker:free_email_domain}"'
BLAME = [
    pytest.param(
        {"personas": NAMELESS_6},
        "{tmp}/fixtures/personas.yaml: record 6 (id 6), field 'email': "
        '".96@yahoo.com" is not a "email"',
        id="persona's empty names make its email invalid -> the persona",
    ),
    pytest.param(
        {"personas": NAMELESS_6.replace("id: 6", "id: 900")},
        "{tmp}/fixtures/personas.yaml: record 6 (id 900), field 'email': "
        '".23@hotmail.com" is not a "email"',
        id="persona beyond --users -> its record number and its id",
    ),
    pytest.param(
        {"spec_edit": ('"05{digits:#########}"', '"5{digits:#########}"')},
        "{tmp}/users.yaml: components/schemas/User/phone/x-faker made user 1 invalid at "
        '\'phone\': "5806855483" does not match "^05[0-9]{{9}}$"',
        id="rule breaks every user -> the spec, also for a persona's id",
    ),
    pytest.param(
        {"spec_edit": (EMAIL, '"{first_name}.{last_name}{digits:##}"'), "personas": NAMELESS_6},
        "{tmp}/users.yaml: components/schemas/User/email/x-faker made user 6 invalid at "
        '\'email\': "arziye.cetin96" is not a "email"',
        id="rule breaks the user the persona replaces too -> the spec, not the persona",
    ),
]


@pytest.mark.parametrize(("load", "message"), BLAME)
def test_an_invalid_record_blames_its_cause_alike_in_one_process_and_the_pool(
    tmp_path, mode, load, message
):
    with pytest.raises(ConfigError) as caught:
        _build(tmp_path, **load)
    assert str(caught.value) == message.format(tmp=tmp_path)


def test_the_pool_builds_what_one_process_builds(tmp_path, monkeypatch):
    alone = _build(tmp_path / "alone")
    _pool(monkeypatch)
    pooled = _build(tmp_path / "pooled")
    assert (pooled.blob, pooled.ids.tolist()) == (alone.blob, alone.ids.tolist())
    assert multiprocessing.active_children() == []


GIVEN_UP = [
    pytest.param(
        _chunk_or_stuck, NAMELESS_6, ConfigError, id="a bad persona while a chunk is built"
    ),
    pytest.param(_chunk_or_lost, "", BrokenProcessPool, id="a worker killed, another busy"),
]


def _build_in_thread(tmp_path: Path, personas: str = "") -> Callable[[], list]:
    """Start a build in a thread; the function returned waits for it and gives what it raised.

    The wait is bounded but is no timing check: a build that waits for a chunk that never
    ends never ends either.
    """
    raised: list[BaseException] = []

    def run():
        try:
            _build(tmp_path, personas=personas)
        except BaseException as error:
            raised.append(error)

    builder = threading.Thread(target=run, daemon=True)
    builder.start()

    def outcome() -> list:
        builder.join(60)
        if builder.is_alive():
            pytest.fail("the build still waited for its workers after 60 s")
        return [type(error) for error in raised]

    return outcome


@pytest.mark.parametrize(("chunk", "personas", "raised"), GIVEN_UP)
def test_a_failed_pool_build_ends_its_workers_at_once(
    tmp_path, monkeypatch, chunk, personas, raised
):
    _pool(monkeypatch, chunk, size=10)  # persona 6 in the first chunk, 11-20 stuck
    assert _build_in_thread(tmp_path, personas)() == [raised]
    assert multiprocessing.active_children() == []


def test_stop_builds_gives_up_a_pool_build_under_way(tmp_path, monkeypatch):
    _pool(monkeypatch, _chunk_stuck)
    started = tmp_path / "started"
    started.mkdir()
    monkeypatch.setattr(sys.modules[__name__], "_STARTED", started)
    outcome = _build_in_thread(tmp_path)
    deadline = time.monotonic() + 60
    while len(list(started.iterdir())) < 2:  # both workers busy with a chunk
        assert time.monotonic() < deadline, "the pool's workers did not start within 60 s"
        time.sleep(0.05)
    store.stop_builds()
    assert outcome() == [BrokenProcessPool]
    assert multiprocessing.active_children() == []


# -- real-world shapes: nested serializers, floats, every format ----------------------------

BLOG_SPEC = r"""
openapi: 3.0.3
info: {title: Blog, version: 1.0.0}
paths:
  /posts/:
    get:
      operationId: posts_list
      parameters:
      - {in: query, name: score__gte, schema: {type: number}}
      - {in: query, name: ordering, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PaginatedPostList'}
          description: ''
components:
  schemas:
    PaginatedPostList:
      type: object
      required: [count, results]
      properties:
        count: {type: integer}
        next: {type: string, nullable: true, format: uri}
        previous: {type: string, nullable: true, format: uri}
        results: {type: array, items: {$ref: '#/components/schemas/Post'}}
    Author:
      type: object
      required: [id, username, email]
      properties:
        id: {type: integer, readOnly: true}
        username: {type: string, maxLength: 150, pattern: '^[\w.@+-]+$'}
        email: {type: string, format: email}
        password: {type: string, writeOnly: true}
        rating: {type: integer, minimum: -32768, maximum: 32767}
    Comment:
      type: object
      required: [id, body, created_at, updated_at]
      properties:
        id: {type: integer, readOnly: true}
        body: {type: string}
        created_at: {type: string, format: date-time, readOnly: true}
        updated_at: {type: string, format: date-time, readOnly: true}
        author: {allOf: [{$ref: '#/components/schemas/Author'}], nullable: true}
    Cat:
      type: object
      required: [pet_type, lives]
      properties:
        pet_type: {type: string}
        lives: {type: integer, maximum: 9, minimum: 1}
    Dog:
      type: object
      required: [pet_type, bark]
      properties: {pet_type: {type: string}, bark: {type: string, maxLength: 10}}
    KindEnum: {enum: [news, review], type: string}
    BlankEnum: {enum: ['']}
    NullEnum: {enum: [null]}
    Post:
      type: object
      required: [id, title, author, comments, score, created_at, updated_at, location]
      properties:
        id: {type: integer, readOnly: true}
        title: {type: string, maxLength: 80}
        author: {allOf: [{$ref: '#/components/schemas/Author'}], readOnly: true}
        comments: {type: array, items: {$ref: '#/components/schemas/Comment'}, readOnly: true}
        score: {type: number, format: double}
        weight: {type: number, format: float, nullable: true}
        location:
          type: object
          required: [lat, lng]
          properties:
            lat: {type: number, format: double}
            lng: {type: number, format: double}
        publish_at: {type: string, format: time}
        reading_time: {type: string, format: duration}
        app_version: {type: string}
        etag: {type: string}
        api_token: {type: string, maxLength: 40}
        server: {type: string, format: hostname}
        origin: {type: string, format: ipv6}
        attachment: {type: string, format: binary}
        created_at: {type: string, format: date-time, readOnly: true}
        updated_at: {type: string, format: date-time, readOnly: true}
        counters: {type: object, additionalProperties: {type: integer}}
        attributes: {type: object, additionalProperties: {}}
        kind:
          nullable: true
          oneOf:
          - {$ref: '#/components/schemas/KindEnum'}
          - {$ref: '#/components/schemas/BlankEnum'}
          - {$ref: '#/components/schemas/NullEnum'}
        pet:
          oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
          discriminator:
            propertyName: pet_type
            mapping: {cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog'}
        rating: {type: integer, minimum: -32768, maximum: 32767}
        year: {type: integer}
        aliases: {type: array, items: {type: string, maxLength: 20}}
"""

DRF_SERVICE = Path(__file__).parent / "drfservice" / "openapi.yaml"


def _spec_datasets(path: Path, size: int = 200) -> dict[str, store.Dataset]:
    spec = Spec.load(path)
    empty = fixtures_module.Fixtures(files={}, personas={}, tokens={}, digest_parts=())
    return {
        rpath: state.build_dataset(spec, empty, rpath, 42, size, cache_dir=None)
        for rpath in spec.resources
    }


@pytest.mark.parametrize("source", ["drfservice", "blog"])
def test_a_real_spec_builds_and_every_record_validates(tmp_path, source):
    """build validates each record against its schema and refuses the dataset otherwise;
    this checks it again here, independently, with the item schema as the spec gives it."""
    path = DRF_SERVICE
    if source == "blog":
        path = tmp_path / "openapi.yaml"
        path.write_text(BLOG_SPEC, encoding="utf-8")
    spec = Spec.load(path)
    for rpath, dataset in _spec_datasets(path).items():
        validator = Validator(spec.resources[rpath].schema)
        for row in range(len(dataset)):
            record = json.loads(dataset.record(row))
            assert validator.is_valid(record), (rpath, row, validator.errors(record))


def test_a_nested_and_float_record_reads_as_drf_writes_it(tmp_path):
    path = tmp_path / "openapi.yaml"
    path.write_text(BLOG_SPEC, encoding="utf-8")
    dataset = _spec_datasets(path)["/posts/"]
    records = [json.loads(dataset.record(row)) for row in range(len(dataset))]
    assert dataset.columns["score"].kind == "float"
    assert all(type(r["score"]) is float for r in records)
    assert any(r["weight"] is None for r in records)
    for record in records:
        assert set(record["author"]) == {"id", "username", "email", "rating"}  # no password
        assert 1 <= record["author"]["rating"] <= 5
        assert record["created_at"] <= record["updated_at"]
        assert record["pet"]["pet_type"] in ("cat", "dog")
        assert ("lives" in record["pet"]) == (record["pet"]["pet_type"] == "cat")
        assert re.fullmatch(r"\d\.\d{1,2}\.\d{1,2}", record["app_version"])
        assert re.fullmatch(r"[0-9a-f]{32}", record["etag"])
        assert re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{6})?", record["publish_at"])
        assert 1990 <= record["year"] <= 2025 and 1 <= record["rating"] <= 5
        for comment in record["comments"]:
            assert comment["created_at"] <= comment["updated_at"]
    assert b'"score":' in dataset.record(0) and b".0," in b"".join(
        dataset.record(r) for r in range(len(dataset))
    ), "some float is whole, and renders 12.0"


ID_SETS = [
    pytest.param(40, 1, id="40 choices: one uint64 a row"),
    pytest.param(64, 1, id="64 choices: one uint64 a row"),
    pytest.param(65, 2, id="65 choices: two words a row"),
    pytest.param(249, 4, id="249 choices (authentik's countries): four words a row"),
]


@pytest.mark.parametrize(("choices", "words"), ID_SETS)
def test_an_id_list_of_any_enum_filters_with_any(choices, words):
    """An array of an enum's ids is a bit set; past 64 choices a row of uint64 words, still
    read by the `any` lookup: a record in at least one of the wanted ids."""
    from mockserver.engine import query
    from mockserver.engine.params import Filter

    enum = [f"C{n:03d}" for n in range(choices)]
    prop = {"type": "array", "items": {"type": "string", "enum": enum}}
    plan = store.BuildPlan(
        schema={
            "type": "object",
            "properties": {
                "id": {"type": "integer", "x-faker": {"sequence": True}},
                "codes": {**prop, "x-faker": {"subset": {"p": 0.9, "max": 4}}},
            },
        },
        seed=7,
        personas={},
        source="spec.yaml",
        where="components/schemas/Place",
        salt="places",
    )
    dataset = store.build(plan, 300, "k")
    column = dataset.columns["codes"]
    assert column.values.shape == ((300,) if words == 1 else (300, words))
    records = [json.loads(dataset.record(row)) for row in range(len(dataset))]
    for wanted in ([enum[0]], [enum[-1], enum[choices // 2]], ["C999"]):
        rows = query.select(dataset, [Filter("codes", "any", wanted)])
        expected = [r for r, rec in enumerate(records) if set(rec["codes"]) & set(wanted)]
        assert rows.tolist() == expected
        assert wanted == ["C999"] or expected, "some record holds the wanted ids"


def test_an_id_list_past_64_choices_round_trips_the_cache(tmp_path, monkeypatch):
    enum = [f"C{n:03d}" for n in range(100)]
    plan = store.BuildPlan(
        schema={
            "type": "object",
            "properties": {
                "codes": {
                    "type": "array",
                    "items": {"type": "string", "enum": enum},
                    "x-faker": {"subset": {"p": 0.5, "max": 3}},
                }
            },
        },
        seed=7,
        personas={},
        source="spec.yaml",
    )
    built = store.build(plan, 50, "wide", cache_dir=tmp_path)
    monkeypatch.setattr(store, "_build_chunk", _chunk_never)  # the second comes from the cache
    loaded = store.build(plan, 50, "wide", cache_dir=tmp_path, read_only=True)
    assert loaded.columns["codes"].values.tolist() == built.columns["codes"].values.tolist()
    assert loaded.columns["codes"].values.shape == (50, 2)


@pytest.mark.parametrize(
    ("prop", "message"),
    [
        pytest.param(
            {"type": "integer", "minimum": 2**70, "x-faker": {"sample": True}},
            "components/schemas/T/n/x-faker failed: OverflowError: Python int too large to "
            "convert to C long",
            id="an integer column past 64 bits",
        ),
        pytest.param(
            {"type": "object", "x-faker": {"shape": {"big": 2**70}}},
            "components/schemas/T: record 1 is no JSON: TypeError: Integer exceeds 64-bit range",
            id="a JSON value past 64 bits",
        ),
    ],
)
def test_a_value_the_store_cannot_hold_is_one_config_error(prop, message):
    plan = store.BuildPlan(
        schema={"type": "object", "properties": {"n": prop}},
        seed=1,
        personas={},
        source="s.yaml",
        where="components/schemas/T",
    )
    with pytest.raises(ConfigError) as caught:
        store.build(plan, 3, "k")
    assert str(caught.value) == f"s.yaml: {message}"
