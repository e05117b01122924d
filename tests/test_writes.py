"""Writes as a ModelViewSet performs them, through the served app: create, update, partial
update, destroy, per session, seen by every read (mockserver/engine/writes.py)."""

from __future__ import annotations

import re

import orjson
import pytest
from helpers_api import make_client, make_state
from helpers_writes import shop_spec

from mockserver.engine.records import Records
from mockserver.engine.writes import Workspace

TOKEN = "write-test-key"
AUTH = {"Authorization": f"Token {TOKEN}"}
NEW = {"name": "Mug", "sku": "MUG-1", "price": "3.5", "category": 2, "tags": [3, 1]}
NOW = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    spec = shop_spec(tmp_path_factory.mktemp("writes"))
    return make_state(spec=str(spec), size=20, token=[TOKEN], lenient=True, access_log=False)


@pytest.fixture
def client(shop, request):
    """A client of its own session, reset after the test."""
    session = {"X-Mock-Session": request.node.name}
    client = make_client(shop)
    client.headers.update({**AUTH, **session})
    yield client
    client.delete("/__mock/state")


def _record(client, path: str) -> dict:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_create_is_201_with_the_next_key_and_every_read_sees_it(client):
    answer = client.post("/products/", json=NEW)
    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    assert "location" not in answer.headers  # no `url` field: DRF sets no Location
    body = answer.json()
    assert body["id"] == 31  # 30 generated products: the sequence goes on
    assert {k: body[k] for k in ("name", "sku", "price", "category", "tags")} == {
        "name": "Mug",
        "sku": "MUG-1",
        "price": "3.50",
        "category": 2,
        "tags": [3, 1],
    }
    assert body["weight"] is None and body["launched"] is None  # omitted, nullable
    assert NOW.match(body["created"]) and body["created"] == body["updated"]
    assert _record(client, "/products/31/") == body
    listed = client.get("/products/", params={"category": 2, "ordering": "-id"}).json()
    assert listed["results"][0] == body
    assert client.get("/products/").json()["count"] == 31


def test_a_deleted_key_is_never_given_again(client):
    first = client.post("/products/", json=NEW).json()["id"]
    assert client.delete(f"/products/{first}/").status_code == 204
    second = client.post("/products/", json={**NEW, "sku": "MUG-2"}).json()["id"]
    assert (first, second) == (31, 32)


def test_put_needs_every_required_field_and_patch_does_not(client):
    assert client.put("/products/3/", json={"name": "Cup"}).json() == {
        "sku": ["This field is required."],
        "price": ["This field is required."],
        "category": ["This field is required."],
    }
    before = _record(client, "/products/3/")
    patched = client.patch("/products/3/", json={"name": "Cup"})
    assert patched.status_code == 200
    after = patched.json()
    assert after == {**before, "name": "Cup", "updated": after["updated"]}
    # auto_now moves, auto_now_add keeps its value.
    assert NOW.match(after["updated"]) and after["created"] == before["created"]
    assert _record(client, "/products/3/") == after


def test_put_keeps_the_optional_fields_it_leaves_out(client):
    before = _record(client, "/products/4/")
    body = {"name": "Cup", "sku": "CUP-4", "price": "1.00", "category": 1}
    after = client.put("/products/4/", json=body).json()
    assert after["tags"] == before["tags"] and after["weight"] == before["weight"]
    assert (after["name"], after["price"]) == ("Cup", "1.00")


def test_delete_is_204_without_a_body_and_then_404(client):
    answer = client.delete("/products/5/")
    assert (answer.status_code, answer.content, answer.headers.get("content-type")) == (
        204,
        b"",
        None,
    )
    for method in ("get", "delete", "patch"):
        gone = getattr(client, method)("/products/5/")
        assert (gone.status_code, gone.json()) == (
            404,
            {"detail": "No Product matches the given query."},
        )


def test_deleting_a_product_deletes_its_reviews(client, shop):
    product = 1
    reviews = client.get("/reviews/", params={"product": product}).json()["results"]
    assert reviews, "the generated reviews point at product 1"
    assert client.delete(f"/products/{product}/").status_code == 204
    for review in reviews:
        assert client.get(f"/reviews/{review['id']}/").status_code == 404
    # django-filter's ModelChoiceFilter: the product itself is no choice any more.
    answer = client.get("/reviews/", params={"product": product})
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            {**NEW, "sku": "unique-taken"},
            {"sku": ["product with this sku already exists."]},
            id="a unique field taken",
        ),
        pytest.param(
            {**NEW, "category": 99, "tags": "1"},
            {
                "category": ['Invalid pk "99" - object does not exist.'],
                "tags": ['Expected a list of items but got type "str".'],
            },
            id="relations",
        ),
        pytest.param(
            {**NEW, "status": "gone", "price": "1.234", "contact": "nope", "name": ""},
            {
                "name": ["This field may not be blank."],
                "status": ['"gone" is not a valid choice.'],
                "price": ["Ensure that there are no more than 2 decimal places."],
                "contact": ["Enter a valid email address."],
            },
            id="every bad field at once, in serializer order",
        ),
    ],
)
def test_a_bad_create_is_400_in_drf_s_shape_and_writes_nothing(client, body, errors):
    client.patch("/products/7/", json={"sku": "unique-taken"})
    answer = client.post("/products/", json=body)
    assert (answer.status_code, answer.json()) == (400, errors)
    assert client.get("/products/").json()["count"] == 30


def test_sessions_never_see_each_other_s_writes(shop):
    one, two = make_client(shop), make_client(shop)
    one.headers.update({**AUTH, "X-Mock-Session": "one"})
    two.headers.update({**AUTH, "X-Mock-Session": "two"})
    try:
        assert one.post("/products/", json=NEW).status_code == 201
        assert two.get("/products/31/").status_code == 404
        assert two.post("/products/", json={**NEW, "name": "Two"}).json()["id"] == 31
        assert one.get("/products/31/").json()["name"] == "Mug"
        assert make_client(shop).get("/products/31/", headers=AUTH).status_code == 404
    finally:
        one.delete("/__mock/state")
        two.delete("/__mock/state")


def test_the_state_endpoint_reads_loads_and_resets_a_session(client):
    created = client.post("/products/", json=NEW).json()
    state = client.get("/__mock/state").json()
    assert state["collections"]["/products/"]["records"] == {"31": created}
    assert client.delete("/__mock/state").status_code == 204
    assert client.get("/products/31/").status_code == 404
    assert client.put("/__mock/state", json=state).status_code == 204
    assert client.get("/products/31/").json() == created


def test_a_state_with_a_record_its_collection_cannot_hold_is_refused(client):
    doc = {"collections": {"/products/": {"next": 32, "records": {"31": {"id": "x"}}}}}
    answer = client.put("/__mock/state", json=doc)
    assert answer.status_code == 400
    assert answer.json() == {"detail": '/products/ record 31: "category" is a required property'}
    assert client.get("/__mock/state").json() == {"collections": {}}


@pytest.mark.parametrize(
    ("headers", "content", "status", "body"),
    [
        pytest.param(
            {"content-type": "text/plain"},
            b"name=x",
            415,
            {"detail": 'Unsupported media type "text/plain" in request.'},
            id="another media type",
        ),
        pytest.param(
            {"content-type": "application/json"},
            b"[1]",
            400,
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
            id="not an object",
        ),
    ],
)
def test_bodies_no_parser_or_serializer_takes(client, headers, content, status, body):
    answer = client.post("/products/", content=content, headers=headers)
    assert (answer.status_code, answer.json()) == (status, body)


def test_a_form_create_is_parsed_as_drf_s_form_parser_does(client):
    form = {"name": "Form", "sku": "F-1", "price": "2", "category": "1", "tags": ["2", "4"]}
    answer = client.post("/products/", data=form)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["tags"], answer.json()["price"]) == ([2, 4], "2.00")


def test_an_unknown_key_is_404_before_the_body_is_read(client):
    answer = client.patch("/products/999/", content=b"x", headers={"content-type": "text/plain"})
    assert answer.status_code == 404


def test_a_write_needs_its_credentials(shop):
    answer = make_client(shop).post("/products/", json=NEW)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Authentication credentials were not provided."}


def test_the_journal_keeps_a_write_s_body_with_secrets_masked(client):
    client.delete("/__mock/requests")
    client.post("/products/", json={**NEW, "password": "s3cret"})
    entry = client.get("/__mock/requests", params={"method": "POST"}).json()["requests"][-1]
    assert entry["body"]["password"] == "********" and entry["body"]["name"] == "Mug"
    assert "s3cret" not in orjson.dumps(entry).decode()


def test_a_workspace_gives_the_generated_records_until_a_session_writes(shop):
    workspace = Workspace(shop, _Store())
    assert workspace.records("s") is shop.served
    workspace.store("s", "/products/", 31, b'{"id": 31}')
    view = workspace.records("s")
    assert isinstance(view, Records) and view.record("/products/", 31) == b'{"id": 31}'
    assert workspace.records("other") is shop.served


class _Store:
    """The least a store does (mockserver/engine/sessions.py has the real ones)."""

    shared = False

    def __init__(self):
        self.sets, self.versions = {}, {}

    def version(self, session):
        return self.versions.get(session, 0)

    def read(self, session):
        return {p: dict(r) for p, r in self.sets.get(session, {}).items()}

    def read_since(self, session, since):
        return None

    def put(self, session, path, key, record, expected=None):
        self.sets.setdefault(session, {}).setdefault(path, {})[key] = record
        self.versions[session] = self.version(session) + 1
        return True


def test_the_users_contract_stays_read_only():
    users = make_client(make_state(size=5, access_log=False))
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    for method in ("post", "put", "patch", "delete"):
        target = "/users/" if method == "post" else "/users/1/"
        answer = getattr(users, method)(target, headers={"Authorization": f"Token {key}"})
        assert (answer.status_code, answer.json()) == (
            405,
            {"detail": f'Method "{method.upper()}" not allowed.'},
        )


def test_a_blank_url_written_reads_back_under_response_validation():
    """drf-spectacular's `oneOf: [{format: uri}, {maxLength: 0}]` for a URLField that may
    be blank: `""` is DRF's value, and Connexion's check of every answer takes it."""
    from helpers_drf import SERVICE_DIR

    validated = make_state(spec=str(SERVICE_DIR / "openapi.yaml"), size=20, validate_responses=True)
    client = make_client(validated)
    client.headers.update({"Authorization": f"Token {validated.banner_token()}"})
    body = {"name": "Lamp", "slug": "lamp", "sku": "0b0e6bde-1111-4000-8000-000000000001",
            "price": "19.90", "stock": 5, "is_available": True, "status": "active",
            "email": "lamp@example.com", "website": ""}  # fmt: skip
    created = client.post("/products/", json=body)
    assert (created.status_code, created.json()["website"]) == (201, "")
    try:
        listed = client.get("/products/", params={"ordering": "-id", "page_size": 1})
        assert listed.status_code == 200, listed.text
        assert listed.json()["results"] == [created.json()]
    finally:
        client.delete("/__mock/state")


CORPUS = "tests/realspecs/"
KEY = "k" * 40


def _corpus_client(spec: str, size: int = 3):
    """A client of the mock serving one spec of the real-specs corpus, `KEY` accepted."""
    return make_client(make_state(spec=CORPUS + spec, size=size, access_log=False, token=(KEY,)))


CREATED = [
    # Found by Schemathesis (`make fuzz-writes`): objects-api's `uuid` (UUIDField,
    # default=uuid4) was created "", its routes have no trailing slash, and a version's
    # `url` was written before its `version` was drawn ("versionsNone/"); open-chat-studio's
    # participant `id` (a UUID) was given the key, an integer, and the create refused.
    ("a uuid left out is drawn, the url has no slash", "objects-api.yaml",
     {"Authorization": f"Token {KEY}"}, "/objecttypes", {"name": "a", "namePlural": "b"},
     r"^http://testserver/objecttypes/(?P<uuid>[0-9a-f-]{36})$"),
    ("a uuid id is drawn", "open-chat-studio.yaml", {"X-api-key": KEY},
     "/api/participants", {"identifier": "x", "data": []}, r"^(?P<id>[0-9a-f-]{36})$"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "headers", "path", "body", "pattern"),
    [c[1:] for c in CREATED],
    ids=[c[0] for c in CREATED],
)
def test_a_create_draws_what_its_model_would_and_links_its_detail(
    spec, headers, path, body, pattern
):
    client = _corpus_client(spec)
    created = client.post(path, json=body, headers={**headers, "X-Mock-Session": spec})
    # (open-chat-studio's create documents 200, its view's own answer: found by
    # Schemathesis, ST103.)
    assert created.status_code == (200 if spec == "open-chat-studio.yaml" else 201), created.text
    record = created.json()
    found = re.match(pattern, record.get("url") or record["id"])
    assert found, record
    assert all(record[name] == value for name, value in found.groupdict().items())


def test_a_nested_create_links_its_detail_with_the_value_drawn_for_it():
    client = _corpus_client("objects-api.yaml")
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "nested"}
    parent = client.post("/objecttypes", json={"name": "a", "namePlural": "b"}, headers=auth)
    versions = f"/objecttypes/{parent.json()['uuid']}/versions"
    version = client.post(versions, json={}, headers=auth).json()
    assert version["url"] == f"http://testserver{versions}/{version['version']}"


def test_a_nested_record_created_under_a_parent_is_that_parent_s_alone():
    """objects-api's versions name no parent (their model's foreign key is not rendered):
    a version created under the second of two new object types was listed under the
    first, and 404 under its own; creating parents also moved every generated version to
    another parent. Found by Schemathesis (`make fuzz-writes`)."""
    client = _corpus_client("objects-api.yaml", size=4)
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "parents"}
    generated = [t["uuid"] for t in client.get("/objecttypes", headers=auth).json()["results"]]
    before = {u: client.get(f"/objecttypes/{u}/versions", headers=auth).json() for u in generated}
    first, second = (
        client.post("/objecttypes", json={"name": "a", "namePlural": "b"}, headers=auth).json()
        for _ in range(2)
    )
    versions = f"/objecttypes/{second['uuid']}/versions"
    created = client.post(versions, json={}, headers=auth).json()
    listed = {u: client.get(f"/objecttypes/{u}/versions", headers=auth).json() for u in generated}
    assert listed == before
    assert client.get(versions, headers=auth).json()["results"] == [created]
    assert client.get(f"{versions}/{created['version']}", headers=auth).json() == created
    assert client.get(f"/objecttypes/{first['uuid']}/versions", headers=auth).json()["count"] == 0
    state = client.get("/__mock/state", headers=auth).json()["collections"]
    link = state["/objecttypes/{objecttype_uuid}/versions#parents"]["records"]
    assert list(link.values()) == [{"parent": 6}]  # the second new type: 4 generated, 5, 6
    # Saved and loaded as the records are: the link comes back with them.
    doc = client.get("/__mock/state", headers=auth).json()
    assert client.delete("/__mock/state", headers=auth).status_code == 204
    assert client.put("/__mock/state", json=doc, headers=auth).status_code == 204
    assert client.get(versions, headers=auth).json()["results"] == [created]
    doc["collections"]["/objecttypes/{objecttype_uuid}/versions#parents"]["records"]["9"] = {
        "parent": "6"
    }
    refused = client.put("/__mock/state", json=doc, headers=auth)
    assert refused.status_code == 400 and "#parents record 9 parent" in refused.json()["detail"]


def test_a_value_the_answer_renders_otherwise_is_drawn_for_it():
    # open-chat-studio's session create takes the experiment's id and answers the
    # experiment (found by Schemathesis: the create was refused, ST202).
    client = _corpus_client("open-chat-studio.yaml")
    body = {"experiment": "e3e70682-c209-1cac-a29f-6fbed82c07cd", "participant": "p"}
    created = client.post("/api/sessions/", json=body, headers={"X-api-key": KEY})
    assert created.status_code == 201, created.text
    assert [type(created.json()[name]) for name in body] == [dict, dict]


def test_a_json_field_holds_an_integer_past_64_bits():
    # Found by Schemathesis on objects-api's `jsonSchema` (a 500: orjson refuses it).
    client = _corpus_client("objects-api.yaml")
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "big"}
    parent = client.post("/objecttypes", json={"name": "a", "namePlural": "b"}, headers=auth)
    versions = f"/objecttypes/{parent.json()['uuid']}/versions"
    created = client.post(versions, json={"jsonSchema": {"n": -(2**70)}}, headers=auth)
    assert created.status_code == 201, created.text
    assert b'"jsonSchema":{"n":-1180591620717411303424}' in created.content


@pytest.mark.parametrize(
    ("url", "location"),
    [("\x1b", None), ("https://example.org/x", "https://example.org/x")],
    ids=["a control character: no Location", "a URL: Location"],
)
def test_a_created_url_goes_in_location_only_when_a_header_can_carry_it(url, location):
    # Found by Schemathesis on eda-server's project `url` (a CharField): "\x1b" went into
    # `Location`, and the server dropped the connection.
    client = _corpus_client("eda-server.json")
    auth = {"X-DAB-JW-TOKEN": KEY, "X-Mock-Session": "location"}
    created = client.post("/projects/", json={"name": "p", "organization_id": 1, "url": url},
                          headers=auth)  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.headers.get("location") == location


@pytest.fixture(scope="module")
def entity_shop(tmp_path_factory):
    """The shop whose product writes need `?entity_id=` (an integer), as carbure's views
    read `request.query_params["entity_id"]`; strict and lenient."""
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    entity = {"in": "query", "name": "entity_id", "required": True, "schema": {"type": "integer"}}
    raw["paths"]["/products/"]["post"]["parameters"] = [entity]
    raw["paths"]["/products/{id}/"]["delete"].setdefault("parameters", []).append(entity)
    path = tmp_path_factory.mktemp("entity") / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return {
        lenient: make_state(spec=str(path), size=20, token=[TOKEN], lenient=lenient)
        for lenient in (False, True)
    }


@pytest.mark.parametrize(
    ("method", "target", "strict", "lenient"),
    [
        pytest.param("POST", "/products/", (400, {"entity_id": ["This field is required."]}),
                     201, id="missing"),
        pytest.param("POST", "/products/?entity_id=x",
                     (400, {"entity_id": ["A valid integer is required."]}), 201, id="no integer"),
        pytest.param("POST", "/products/?entity_id=3&other=1", (400, {"other": [
            "Unknown query parameter; the spec does not declare it for this operation."]}),
            201, id="undeclared"),
        pytest.param("POST", "/products/?entity_id=3", (201, None), 201, id="valid"),
        pytest.param("DELETE", "/products/4/", (400, {"entity_id": ["This field is required."]}),
                     204, id="delete missing"),
        pytest.param("DELETE", "/products/4/?entity_id=3", (204, None), 204, id="delete valid"),
    ],
)  # fmt: skip
def test_strict_mode_checks_a_write_s_query_parameters_as_a_read_s(
    entity_shop, method, target, strict, lenient
):
    for is_lenient, expected in ((False, strict), (True, lenient)):
        client = make_client(entity_shop[is_lenient])
        headers = {**AUTH, "X-Mock-Session": f"entity-{method}-{target}-{is_lenient}"}
        answer = client.request(method, target, json=NEW, headers=headers)
        client.delete("/__mock/state", headers=headers)
        status = expected[0] if isinstance(expected, tuple) else expected
        assert answer.status_code == status, answer.text
        if isinstance(expected, tuple) and expected[1] is not None:
            assert answer.json() == expected[1]


def test_a_create_answers_its_own_serializer_s_shape_and_stores_the_record(tmp_path):
    # A view whose create serializer is not the read one (carbure's OperationInput beside
    # Operation) answers `serializer.data`: the fields it sent, the rest as generated. The
    # record itself is the collection's, read back whole; nothing is refused for the
    # difference (the mock once answered 400 "Enter a valid value." for it).
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    receipt = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "integer"}},
            "receipt": {"type": "string", "format": "uuid"},
            "count": {"type": "integer"},
        },
        "required": ["name", "receipt"],
    }
    raw["components"]["schemas"]["ProductReceipt"] = receipt
    created = raw["paths"]["/products/"]["post"]["responses"]["201"]
    created["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/ProductReceipt"
    }
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    client = make_client(make_state(spec=str(path), size=20, token=[TOKEN], lenient=True))
    client.headers.update({**AUTH, "X-Mock-Session": "receipt"})
    # A value JSON holds and orjson does not write (past 64 bits) is not echoed: a 500 once.
    answer = client.post("/products/", json={**NEW, "count": 2**70})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) <= {"name", "tags", "receipt", "count"} and body.get("count", 0) < 2**63
    assert (body["name"], body["tags"]) == ("Mug", [3, 1])
    assert re.fullmatch(r"[0-9a-f-]{36}", body["receipt"])
    listed = _record(client, "/products/?ordering=-id")["results"]
    stored = next(record for record in listed if record["sku"] == "MUG-1")
    assert (stored["name"], stored["sku"], stored["category"]) == ("Mug", "MUG-1", 2)


def test_a_create_documented_200_answers_200(tmp_path):
    # A POST on a list documented 200 is an APIView's own `post` (`Response(data)`), not
    # ModelViewSet.create's 201: the documented status is the answer's.
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    responses = raw["paths"]["/products/"]["post"]["responses"]
    responses["200"] = responses.pop("201")
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    client = make_client(make_state(spec=str(path), size=20, token=[TOKEN], lenient=True))
    answer = client.post("/products/", json=NEW, headers={**AUTH, "X-Mock-Session": "ok"})
    assert (answer.status_code, answer.json()["name"]) == (200, "Mug")


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"data": {"comment": ""}}, id="urlencoded"),
        pytest.param({"files": {"comment": (None, ""), "post": (None, "1")}}, id="multipart"),
    ],
)
def test_a_partial_update_s_form_refuses_a_blank_field_its_serializer_requires(form):
    # socialdistribution's comment PATCH has no PUT beside it: its full serializer is the
    # POST's of the same path. Field.get_value reads `required` from that serializer, so
    # a form's "" is a value there, refused blank (found by Schemathesis: the PATCH
    # answered 200 and kept the comment, ST201).
    client = _corpus_client("socialdistribution.yaml")
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "blank"}
    for path in ("/posts/1/comments", "/posts/1/comments/1"):
        answer = client.patch(path, headers=auth, **form)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {"comment": ["This field may not be blank."]}


PNG = b"\x89PNG\r\n\x1a\n"
PATCHED_FILES = [
    # inventree's shared components say `format: uri` for a FileField (the response's
    # direction), its `Patched<Name>` `format: binary`: a PATCH's upload was refused "Not a
    # valid string." (found by Schemathesis: ST202).
    ("an upload", {"files": {"image": ("image.png", PNG, "image/png")}}, 200, None),
    ("text is no file", {"data": {"image": "https://example.com/a.png"}}, 400,
     {"image": ["The submitted data was not a file. Check the encoding type on the form."]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("form", "status", "errors"), [p[1:] for p in PATCHED_FILES], ids=[p[0] for p in PATCHED_FILES]
)
def test_a_partial_update_reads_a_file_field_as_its_patched_body_writes_it(form, status, errors):
    client = _corpus_client("inventree.yaml")
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "file"}
    answer = client.patch("/api/part/thumbs/1/", headers=auth, **form)
    assert answer.status_code == status, answer.text
    if errors is not None:
        assert answer.json() == errors


def test_a_version_created_under_a_generated_parent_is_written_as_it_is_read():
    # Found by Schemathesis (objects-api, stateful: ST302): a version created under a
    # generated object type was read back (200) but its DELETE was 404, as a write scoped
    # its parent's children as if the session's records were the generated ones.
    client = _corpus_client("objects-api.yaml", size=20)
    auth = {"Authorization": f"Token {KEY}", "X-Mock-Session": "scoped"}
    versions = "/objecttypes/58088048-44e9-43a1-a8ba-c4c3ad0774a8/versions"
    created = client.post(versions, json={"status": "published"}, headers=auth)
    assert created.status_code == 201, created.text
    detail = f"{versions}/{created.json()['version']}"
    assert client.get(detail, headers=auth).json() == created.json()
    patched = client.patch(detail, json={"status": "draft"}, headers=auth)
    assert (patched.status_code, patched.json()["status"]) == (200, "draft")
    assert client.delete(detail, headers=auth).status_code == 204
    assert client.get(detail, headers=auth).status_code == 404


def test_a_patch_whose_body_requires_fields_is_no_partial_update(tmp_path):
    # django-allauth's PATCH of an email address requires `email` and `primary`; its PUT on
    # the same path takes another body (found by Schemathesis: kpi's `{"email": 0.0}` was
    # read partially with the PUT's schema, and accepted).
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    email = {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}
    primary = {
        "type": "object",
        "properties": {"email": {"type": "string"}, "primary": {"type": "boolean"}},
        "required": ["email", "primary"],
    }
    done = {"200": {"description": "", "content": {"application/json": {"schema": email}}}}
    raw["paths"]["/emails/"] = {
        method: {
            "operationId": f"email_{method}",
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": done,
            "security": [{"tokenAuth": []}],
        }
        for method, schema in (("put", email), ("patch", primary))
    }
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    client = make_client(make_state(spec=str(path), size=5, token=[TOKEN], lenient=True))
    client.headers.update(AUTH)
    answer = client.patch("/emails/", json={"email": "a@b.org"})
    assert (answer.status_code, answer.json()) == (400, {"primary": ["This field is required."]})
    assert client.patch("/emails/", json={"email": "a@b.org", "primary": True}).status_code == 200
    assert client.put("/emails/", json={"email": "a@b.org"}).status_code == 200


def test_a_create_whose_body_is_one_of_two_reads_either(tmp_path):
    # kpi's asset create documents `oneOf` a new asset and a clone: the view reads the
    # one the body is (found by Schemathesis: a create with no body was 201).
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    clone = {"type": "object", "properties": {"clone_from": {"type": "integer"}},
             "required": ["clone_from"]}  # fmt: skip
    one_of = {"oneOf": [{"$ref": "#/components/schemas/Product"}, clone]}
    for item in raw["paths"]["/products/"]["post"]["requestBody"]["content"].values():
        item["schema"] = one_of
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    client = make_client(make_state(spec=str(path), size=20, token=[TOKEN], lenient=True))
    client.headers.update({**AUTH, "X-Mock-Session": "one-of"})
    refused = client.post("/products/", json={})
    assert refused.status_code == 400 and "name" in refused.json(), refused.text
    assert client.post("/products/", json=NEW).status_code == 201
    assert client.post("/products/", json={"clone_from": 3}).status_code == 201


def test_a_204_documented_with_content_answers_none(tmp_path):
    # RFC 9110: a 204 has no content (found by Schemathesis: authentik's flow import,
    # documented 204 with a JSON body, sent one: the connection was aborted).
    import copy

    import yaml
    from helpers_writes import SHOP

    raw = copy.deepcopy(SHOP)
    result = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    raw["paths"]["/imports/"] = {
        "post": {
            "operationId": "imports",
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "204": {"description": "", "content": {"application/json": {"schema": result}}}
            },
            "security": [{"tokenAuth": []}],
        }
    }
    path = tmp_path / "shop.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    client = make_client(make_state(spec=str(path), size=5, token=[TOKEN], lenient=True))
    answer = client.post("/imports/", json={}, headers=AUTH)
    assert (answer.status_code, answer.content) == (204, b"")


GEOMETRIES = [
    # objects-api's GeometryField, documented as GeoJSONGeometry's oneOf with a discriminator
    # and no mapping: the `type` names the member (found by Schemathesis: an empty
    # MultiPolygon refused as valid under four members, ST202; a geometry of text items
    # accepted, ST201).
    ("an empty multipolygon", {"type": "MultiPolygon", "coordinates": []}, 200),
    ("a line, alike a multipoint", {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, 200),
    ("a polygon, alike a multilinestring", {"type": "Polygon", "coordinates": [[[1, 2]]]}, 200),
    ("a point", {"type": "Point", "coordinates": [1, 2]}, 200),
    ("a point of two", {"type": "Point", "coordinates": [[1, 2], [3, 4]]}, 400),
    ("text items", {"type": "MultiPolygon", "coordinates": [[[["1", "2"]]]]}, 400),
    ("a feature collection", {"type": "FeatureCollection", "coordinates": [1, 2]}, 400),
]  # fmt: skip


@pytest.mark.parametrize(
    ("geometry", "status"), [g[1:] for g in GEOMETRIES], ids=[g[0] for g in GEOMETRIES]
)
def test_a_geometry_is_read_as_the_member_its_type_names(geometry, status):
    client = _corpus_client("objects-api.yaml")
    headers = {"Authorization": f"Token {KEY}", "Content-Crs": "EPSG:4326", "X-Mock-Session": "g"}
    answer = client.post(
        "/objects/search", json={"geometry": {"within": geometry}}, headers=headers
    )
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json() == {"geometry": {"within": ["Enter a valid value."]}}
    served = client.get("/openapi.json").json()["components"]["schemas"]["GeoJSONGeometry"]
    assert served["discriminator"]["mapping"]["Point"] == "#/components/schemas/Point"
