"""`make bench`'s writes (bench/writemix.py): what the write mix and the fill send, the
wrk script's verdicts, and the floor that reads a write's body and answers fixed bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import subprocess
import uuid

import pytest
from helpers_drf import SHOP_OVERLAY_FILE
from starlette.testclient import TestClient

from bench import floor, writemix, wrk

# The reference service's required product fields (tests/test_writes_differential.py).
REQUIRED = ("name", "slug", "sku", "price", "stock", "is_available", "status", "email")


def test_the_overlay_is_the_one_the_write_differential_uses():
    assert writemix.OVERLAY == SHOP_OVERLAY_FILE


@pytest.mark.parametrize(
    ("salt", "number", "expected"),
    [
        pytest.param(1, 1, "00000001-0000-4000-8000-000000000001", id="first of salt 1"),
        pytest.param(1001, 10_000, "000003e9-0000-4000-8000-000000002710", id="the fill's"),
        pytest.param(0, 2**48 - 1, "00000000-0000-4000-8000-ffffffffffff", id="largest"),
    ],
)
def test_a_sku_is_a_version_4_uuid_of_salt_and_number(salt, number, expected):
    assert writemix.sku(salt, number) == expected
    assert uuid.UUID(expected).version == 4


def test_every_create_of_a_fill_has_its_own_sku_and_a_valid_body():
    plan = writemix.fill_plan(seed=3, writes=10_000, salt=7)
    creates = [json.loads(body) for method, _path, body in plan if method == "POST"]
    assert len(creates) == 5_000
    assert len({body["sku"] for body in creates}) == 5_000
    for body in creates[:50]:
        assert set(REQUIRED) <= set(body)
        assert re.fullmatch(r"\d+\.\d\d", body["price"])
        assert 1 <= body["category"] <= writemix.SIZE
        assert all(1 <= tag <= writemix.SIZE for tag in body["tags"])


@pytest.mark.parametrize(
    ("writes", "creates", "updates"),
    [
        pytest.param(10_000, 5_000, 5_000, id="even"),
        pytest.param(7, 4, 3, id="odd: one more create"),
        pytest.param(1, 1, 0, id="one: a create"),
        pytest.param(0, 0, 0, id="none"),
    ],
)
def test_a_fill_creates_first_then_updates_what_exists(writes, creates, updates):
    plan = writemix.fill_plan(seed=1, writes=writes, salt=2)
    methods = [method for method, _path, _body in plan]
    assert methods == ["POST"] * creates + ["PATCH"] * updates
    for _method, path, body in plan[creates:]:
        key = int(re.fullmatch(r"/products/(\d+)/", path).group(1))
        assert 1 <= key <= writemix.SIZE + creates
        assert set(json.loads(body)) == {"price", "stock"}


def test_a_fill_is_seeded():
    assert writemix.fill_plan(1, 100, 2) == writemix.fill_plan(1, 100, 2)
    assert writemix.fill_plan(1, 100, 2) != writemix.fill_plan(2, 100, 2)


@pytest.mark.parametrize("seed", [1, 2, 42])
def test_the_mix_sends_as_many_creates_as_updates_as_reads(seed):
    kinds = writemix.cycle(seed, 300)
    assert {kind: kinds.count(kind) for kind in set(kinds)} == {
        "POST": 100,
        "PATCH": 100,
        "GET": 100,
    }


@pytest.mark.parametrize(
    ("statuses", "count"),
    [
        pytest.param({200: 10, 201: 5}, 0, id="creates and reads"),
        pytest.param({200: 10, 201: 5, 400: 1}, 1, id="a refused body"),
        pytest.param({404: 2, 500: 3}, 5, id="unknown key and server errors"),
        pytest.param({}, 0, id="nothing"),
    ],
)
def test_statuses_the_mix_does_not_ask_for_are_errors(statuses, count):
    assert writemix.unexpected(statuses) == count


def test_the_script_prints_the_statuses_the_harness_reads():
    script = writemix.lua_script(["GET"], "t", "s", 1, 1)
    assert 'io.write(string.format("mix-status %d %d\\n", status, count))' in script
    lines = "\n".join(f"mix-status {s} {n}" for s, n in {201: 4, 200: 8, 404: 1}.items())
    found = wrk.statuses_of("Requests/sec: 1\n" + lines + "\n", writemix.TAG)
    assert found == {201: 4, 200: 8, 404: 1}


def test_the_script_creates_updates_and_reads_in_its_session():
    script = writemix.lua_script(["POST", "PATCH", "GET"], "t0k3n", "s 1", salt=9, first_id=1)
    assert '"X-Mock-Session"] = "s 1"' in script
    assert 'send["Content-Type"] = "application/json"' in script
    assert '"Authorization"] = "Token t0k3n"' in script
    template = re.search(r'local template = "(.*)"\n', script).group(1).replace('\\"', '"')
    # The Lua format filled as the script fills it (%d, %s) is the fill's create body.
    made = 12
    filled = template % (
        made,
        made,
        writemix.sku(9, made),
        writemix.price(made),
        made % 1000,
        made % writemix.SIZE + 1,
        made % writemix.SIZE + 1,
        (made * 7) % writemix.SIZE + 1,
    )
    assert json.loads(filled) == writemix.create_body(9, made)


def test_the_script_is_valid_lua(tmp_path):
    """wrk's own Lua compiles it (`make test` installs luajit with wrk)."""
    path = tmp_path / "mix.lua"
    path.write_text(writemix.lua_script(writemix.cycle(1), "t", "s", 1, 1))
    subprocess.run(["luajit", "-bl", str(path)], check=True, capture_output=True)


@pytest.fixture
def write_floor():
    created = b'{"id":1001,"name":"x"}'
    entries = [
        floor.response_entry(
            None, "Token t", 201, {"content-type": "application/json"}, created, "POST"
        ),
        floor.response_entry(
            None, "Token t", 200, {"content-type": "application/json"}, b"{}", "PATCH"
        ),
        floor.response_entry(
            "/p/?a=1", "Token t", 200, {"content-type": "application/json"}, b"[1]"
        ),
    ]
    for entry in entries:
        entry["session"] = "s"
    app = floor.build_app(floor.load_responses({"responses": entries}, True), True)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "target", "session", "status", "body"),
    [
        pytest.param("POST", "/products/", "s", 201, b'{"id":1001,"name":"x"}', id="any create"),
        pytest.param("PATCH", "/products/7/", "s", 200, b"{}", id="any update"),
        pytest.param("GET", "/p/?a=1", "s", 200, b"[1]", id="the captured read"),
        pytest.param("GET", "/p/?a=2", "s", 404, b"not captured", id="another read"),
        pytest.param("POST", "/products/", "other", 404, b"not captured", id="another session"),
        pytest.param("DELETE", "/products/7/", "s", 404, b"not captured", id="not captured"),
    ],
)
def test_the_floor_answers_writes_of_any_target_after_reading_the_body(
    write_floor, method, target, session, status, body
):
    headers = {"Authorization": "Token t", "X-Mock-Session": session}
    sent = json.dumps({"name": "n" * 100_000}) if method in ("POST", "PATCH") else None
    response = write_floor.request(method, target, headers=headers, content=sent)
    assert (response.status_code, response.content) == (status, body)


def test_the_floor_reads_the_whole_body_before_answering():
    received: list[bytes] = []
    table = floor.load_responses(
        {"responses": [floor.response_entry(None, None, 201, {}, b"ok", "POST")]}
    )
    app = floor.build_app(table)

    async def run():
        chunks = [b"a" * 10, b"b" * 10, b""]

        async def receive():
            chunk = chunks.pop(0)
            received.append(chunk)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        sent = []

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/x/",
            "raw_path": b"/x/",
            "query_string": b"",
            "headers": [],
            "http_version": "1.1",
            "scheme": "http",
            "root_path": "",
            "server": ("t", 80),
            "client": ("c", 1),
        }
        await app(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    assert received == [b"a" * 10, b"b" * 10, b""]
    assert sent[0]["status"] == 201


def test_the_plain_floor_still_replays_gets_by_target_and_token():
    entry = floor.response_entry("/users/?limit=10", "Token t", 200, {}, b"[]")
    assert "method" not in entry and "session" not in entry
    app = floor.build_app(floor.load_responses({"responses": [entry]}))
    with TestClient(app) as client:
        assert client.get("/users/?limit=10", headers={"Authorization": "Token t"}).content == b"[]"
        assert client.get("/users/?limit=10").status_code == 404
        assert (
            client.post("/users/?limit=10", headers={"Authorization": "Token t"}).status_code == 404
        )
    assert base64.b64decode(entry["body_b64"]) == b"[]"
