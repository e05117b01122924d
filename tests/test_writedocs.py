"""What the served spec adds to writes (mockserver/http/writedocs.py): DRF's error answers
and the serializer's own checks, in the served copy only."""

from __future__ import annotations

import copy
import json

import jsonschema_rs
import pytest
from helpers_api import make_state

from mockserver.http.docs import with_drf_errors
from mockserver.http.fieldschemas import NO_NUL, NOT_BLANK, tighten
from mockserver.http.writedocs import INVALID_BODY, as_form, files_as_carried

TOKEN = [{"tokenAuth": []}]


def _first(prop: dict) -> dict:
    """The schema a served property widens (its first `anyOf` member, all the way in)."""
    while "anyOf" in prop:
        prop = prop["anyOf"][0]
    return prop


def _text(prop: dict) -> dict:
    """A CharField's text schema: the served JSON body's first member (numbers are the
    other: CharField reads `str(data)`)."""
    return prop["anyOf"][0] if "anyOf" in prop else prop


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, code: str = "200") -> dict:
    return {code: {"description": "", "content": {"application/json": {"schema": schema}}}}


def _body(schema: dict, required: bool = True) -> dict:
    media = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")
    return {"content": {m: {"schema": schema} for m in media}, "required": required}


ID = [{"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}]
PRODUCT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string", "maxLength": 80},
        "notes": {"type": "string"},
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "status": _ref("StatusEnum"),
        "category": {"type": "integer", "nullable": True},
        "tags": {"type": "array", "items": {"type": "integer"}},
        "created": {"type": "string", "format": "date-time", "readOnly": True},
    },
    "required": ["id", "name", "email", "created"],
}
CATEGORY = {
    "type": "object",
    "properties": {"id": {"type": "integer", "readOnly": True}, "name": {"type": "string"}},
    "required": ["id", "name"],
}


def shop(split: bool) -> dict:
    """A drf-spectacular schema of a ModelViewSet, its request components split or not."""
    request = "ProductRequest" if split else "Product"
    patched = "PatchedProductRequest" if split else "PatchedProduct"
    writable = {k: v for k, v in PRODUCT["properties"].items() if not v.get("readOnly")}
    schemas = {
        "Product": PRODUCT,
        "Category": CATEGORY,
        "Tag": CATEGORY,
        "StatusEnum": {"enum": ["draft", "live"], "type": "string"},
        patched: {"type": "object", "properties": writable if split else PRODUCT["properties"]},
    }
    if split:
        schemas["ProductRequest"] = {
            "type": "object",
            "properties": writable,
            "required": ["name", "email"],
        }
    page = {
        "type": "object",
        "properties": {"count": {"type": "integer"}, "results": {"type": "array", "items": {}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shop", "version": "1"},
        "paths": {
            "/products/": {
                "get": {
                    "operationId": "products_list",
                    "responses": _json(
                        {**page, "properties": {**page["properties"], "results": {
                            "type": "array", "items": _ref("Product")}}}
                    ),
                    "security": TOKEN,
                },
                "post": {
                    "operationId": "products_create",
                    "requestBody": _body(_ref(request)),
                    "responses": _json(_ref("Product"), "201"),
                    "security": TOKEN,
                },
            },
            "/products/{id}/": {
                "parameters": ID,
                "get": {
                    "operationId": "products_retrieve",
                    "responses": _json(_ref("Product")),
                    "security": TOKEN,
                },
                "put": {
                    "operationId": "products_update",
                    "requestBody": _body(_ref(request)),
                    "responses": _json(_ref("Product")),
                    "security": TOKEN,
                },
                "patch": {
                    "operationId": "products_partial_update",
                    "requestBody": _body(_ref(patched), required=False),
                    "responses": _json(_ref("Product")),
                    "security": TOKEN,
                },
                "delete": {
                    "operationId": "products_destroy",
                    "responses": {"204": {"description": "No response body"}},
                    "security": TOKEN,
                },
            },
            "/categories/": {
                "get": {
                    "operationId": "categories_list",
                    "responses": _json({"type": "array", "items": _ref("Category")}),
                    "security": TOKEN,
                },
            },
            "/tags/": {
                "get": {
                    "operationId": "tags_list",
                    "responses": _json({"type": "array", "items": _ref("Tag")}),
                    "security": TOKEN,
                },
            },
            "/login/": {
                "post": {
                    "operationId": "login",
                    "requestBody": _body({"type": "object", "properties": {
                        "username": {"type": "string"}}, "required": ["username"]}),
                    "responses": _json({"type": "object"}),
                },
            },
        },
        "components": {
            "schemas": schemas,
            "securitySchemes": {"tokenAuth": {"type": "apiKey", "in": "header",
                                              "name": "Authorization"}},
        },
    }  # fmt: skip


@pytest.fixture(scope="module", params=[True, False], ids=["split", "single"])
def served(request, tmp_path_factory):
    raw = shop(request.param)
    path = tmp_path_factory.mktemp("shop") / "openapi.json"
    path.write_text(json.dumps(raw))
    state = make_state(spec=str(path), size=7)
    counts = {p: len(s.dataset) for p, s in state.served.items()}
    return raw, with_drf_errors(state.spec, counts), state


BLANK = {"type": "string", "maxLength": 0}
DETAIL = {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}}

ANSWERS = [
    ("create", "/products/", "post", {"201", "400", "401", "404"} - {"404"} | {"406", "415"}),
    ("update", "/products/{id}/", "put", {"200", "400", "401", "404", "406", "415"}),
    ("partial update", "/products/{id}/", "patch", {"200", "400", "401", "404", "406", "415"}),
    ("delete", "/products/{id}/", "delete", {"204", "400", "401", "404", "406"}),
]


@pytest.mark.parametrize(
    ("path", "method", "codes"), [a[1:] for a in ANSWERS], ids=[a[0] for a in ANSWERS]
)
def test_each_write_documents_what_drf_answers(served, path, method, codes):
    _, document, _ = served
    responses = document["paths"][path][method]["responses"]
    assert set(responses) == codes
    assert responses["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"] == ["Token"]
    assert responses["406"]["content"]["application/json"]["schema"] == DETAIL
    if "400" in codes:
        assert responses["400"]["content"]["application/json"]["schema"] == INVALID_BODY
    if "415" in codes:
        assert responses["415"]["content"]["application/json"]["schema"] == DETAIL
    if "404" in codes:
        assert responses["404"]["content"]["application/json"]["schema"] == DETAIL


BODIES = [
    ("one field's messages", {"name": ["This field is required."]}, True),
    ("several, and the body's", {"email": ["Enter a valid email address."],
                                 "non_field_errors": ["Invalid data."]}, True),
    ("a nested serializer's", {"maker": {"name": ["This field may not be blank."]}}, True),
    ("a parse error", {"detail": "JSON parse error - Expecting value"}, True),
    # Found by Schemathesis on open-chat-studio's `messages` (ChatMessage, many=True).
    ("a list serializer's", {"messages": [{}, {"content": ["This field may not be blank."]}]},
     True),
    ("a list serializer's null item", {"messages": [["This field may not be null."]]}, True),
    ("a list of numbers", {"messages": [1]}, False),
    ("not a list of strings", {"name": "This field is required."}, False),
    ("a bare list", ["Invalid data."], False),
]  # fmt: skip


@pytest.mark.parametrize(("body", "valid"), [b[1:] for b in BODIES], ids=[b[0] for b in BODIES])
def test_the_400_schema_holds_drf_bodies_and_only_them(body, valid):

    assert jsonschema_rs.validator_for(INVALID_BODY).is_valid(body) is valid


def test_a_write_answered_from_its_schema_documents_its_serializer(served):
    # Its serializer reads the body as a performed write's does: 400 for a missing or
    # blank `username` (found by Schemathesis: an undocumented 400).
    _, document, _ = served
    responses = document["paths"]["/login/"]["post"]["responses"]
    assert set(responses) == {"200", "400", "406", "415"}
    assert responses["400"]["content"]["application/json"]["schema"] == INVALID_BODY
    props = _body_schema(document, "/login/", "post")["properties"]
    assert _text(props["username"]) == {"type": "string", "minLength": 1, "pattern": NOT_BLANK}


JWT = {"type": "object", "properties": {
    "username": {"type": "string", "writeOnly": True},
    "password": {"type": "string", "writeOnly": True},
    "access": {"type": "string", "readOnly": True},
    "refresh": {"type": "string", "readOnly": True},
}, "required": ["username", "password", "access", "refresh"]}  # fmt: skip


def test_simplejwt_login_documents_its_401_and_challenge(tmp_path):
    # TokenObtainPairView answers 401 with `Bearer realm="api"` for unknown credentials
    # though its operation needs none (found by Schemathesis: an undocumented 401).
    raw = shop(True)
    raw["paths"]["/login/"]["post"]["requestBody"] = _body(JWT)
    raw["paths"]["/login/"]["post"]["responses"] = _json(JWT)
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(raw))
    state = make_state(spec=str(path), size=3)
    document = with_drf_errors(state.spec, {})
    responses = document["paths"]["/login/"]["post"]["responses"]
    assert set(responses) == {"200", "400", "401", "406", "415"}
    challenge = responses["401"]["headers"]["WWW-Authenticate"]["schema"]["enum"]
    assert challenge == ['Bearer realm="api"']
    props = _body_schema(document, "/login/", "post", "multipart/form-data")["properties"]
    assert props["username"]["pattern"] == props["password"]["pattern"] == NOT_BLANK


def test_the_contract_itself_is_untouched(served):
    raw, _, state = served
    assert state.spec.raw == raw
    assert json.loads(json.dumps(state.spec.raw)) == raw


def _served_document(tmp_path, raw: dict) -> dict:
    """The /openapi.json the mock serves for the spec `raw` (size 3)."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(raw))
    return with_drf_errors(make_state(spec=str(path), size=3).spec, {})


def _body_schema(document, path, method, media="application/json") -> dict:
    return document["paths"][path][method]["requestBody"]["content"][media]["schema"]


@pytest.mark.parametrize("method", ["post", "put"])
def test_a_full_write_refuses_blank_and_nul_and_ids_that_do_not_exist(served, method):
    _, document, _ = served
    path = "/products/" if method == "post" else "/products/{id}/"
    for media in ("application/json", "multipart/form-data"):
        props = _body_schema(document, path, method, media)["properties"]
        assert _text(props["name"]) == {
            "type": "string", "maxLength": 80, "minLength": 1, "pattern": NOT_BLANK,
        }  # fmt: skip
        assert _text(props["notes"]) == {"type": "string", "pattern": NO_NUL}
        # JSON's numbers are text to a CharField (found by Schemathesis: `"description": 0`
        # was created as "0"); a form's parts are text already.
        assert ("anyOf" in props["notes"]) == (media == "application/json")
        # A format says enough of its text; a required one is not blank either.
        assert props["email"] == {
            "type": "string", "format": "email", "maxLength": 254, "minLength": 1,
        }  # fmt: skip
        # An optional choice's "" in a form is no value (Field.get_value).
        status = _ref("StatusEnum")
        assert props["status"] == (status if media == "application/json" else {
            "anyOf": [status, BLANK]})  # fmt: skip
        # A multipart part is text: "null" is no id (a form sends null as "").
        nullable = {"nullable": True} if media == "application/json" else {}
        category = {"type": "integer", **nullable, "minimum": 1, "maximum": 7}
        if media != "application/json":
            category = {"anyOf": [category, BLANK]}  # "" is null in a form
        assert props["category"] == category
        tags = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}}
        if media == "application/json":
            # Found by Schemathesis: `"tags": {}` was accepted, as ManyRelatedField
            # iterates an object's keys; a form's list is never one.
            tags = {"anyOf": [tags, {"type": "object", "maxProperties": 0}]}
        else:
            # ManyRelatedField.get_value: the key's values (getlist), so one id sent once
            # is a list of one.
            tags = {"anyOf": [tags, tags["items"]]}
        assert props["tags"] == tags
    # The answers' component is the contract's: only the request is checked more.
    assert document["components"]["schemas"]["Product"] == PRODUCT


def test_a_partial_update_refuses_a_blank_required_field_it_sends(served):
    _, document, _ = served
    props = _body_schema(document, "/products/{id}/", "patch")["properties"]
    name, notes = _text(props["name"]), _text(props["notes"])
    assert name["minLength"] == 1 and name["pattern"] == NOT_BLANK
    assert notes["pattern"] == NO_NUL and "minLength" not in notes
    assert "required" not in _body_schema(document, "/products/{id}/", "patch")


@pytest.mark.parametrize("media", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_a_partial_update_in_a_form_refuses_an_empty_required_field(served, media):
    """Found by Schemathesis: a PATCH form's `stock=` was documented as no value, but the
    field is required in the serializer, so Field.get_value hands "" to it and DRF refuses
    it ("A valid integer is required."); an optional field's "" is no value at all."""
    _, document, _ = served
    props = _body_schema(document, "/products/{id}/", "patch", media)["properties"]
    assert props["email"] == {"type": "string", "format": "email", "maxLength": 254,
                              "minLength": 1}  # fmt: skip
    assert props["category"]["anyOf"][1] == BLANK


def test_reads_are_documented_as_before(served):
    _, document, state = served
    get = document["paths"]["/products/"]["get"]
    assert set(get["responses"]) == {"200", "400", "401", "404", "406"}  # a page
    again = with_drf_errors(state.spec, {"/products/": 7, "/categories/": 7, "/tags/": 7})
    assert copy.deepcopy(again) == document


FORM_FIELDS = {
    "type": "object",
    "properties": {
        "on": {"type": "boolean"},
        "stock": {"type": "integer", "nullable": True},
        "note": {"type": "string", "nullable": True},
        "flag": {"type": "boolean", "nullable": True},
    },
    "required": ["on", "stock", "note"],
}
FORMS = [
    # Found by Schemathesis: a multipart PUT without a required boolean was accepted (DRF
    # reads a missing box as False), a null number sent as "null" was refused.
    ("json as written", "application/json", ["on", "stock", "note"], {"stock", "note", "flag"}),
    ("multipart", "multipart/form-data", ["stock", "note"], {"note", "flag"}),
    ("urlencoded", "application/x-www-form-urlencoded", ["stock", "note"], {"flag"}),
]


@pytest.mark.parametrize(
    ("media", "required", "nullable"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS]
)
def test_a_form_has_no_null_and_may_leave_a_boolean_out(tmp_path, media, required, nullable):
    raw = shop(True)
    raw["paths"]["/products/"]["post"]["requestBody"] = _body(FORM_FIELDS)
    document = _served_document(tmp_path, raw)
    schema = _body_schema(document, "/products/", "post", media)
    assert schema["required"] == required
    props = schema["properties"]
    widened = {name: _first(prop) for name, prop in props.items()}
    assert {name for name, prop in widened.items() if prop.get("nullable")} == nullable
    if media != "application/json":
        # "" is a form's null (found by Schemathesis: a multipart "" for a nullable date
        # was accepted, as DRF reads it).
        assert props["stock"] == {"anyOf": [{"type": "integer"}, BLANK]}


def test_a_read_only_field_is_no_part_of_a_request(served):
    # The serializer ignores one sent (found by Schemathesis: a read-only `created` sent
    # was accepted); the request's schema leaves it out, and out of `required`.
    _, document, _ = served
    for media in ("application/json", "multipart/form-data"):
        schema = _body_schema(document, "/products/", "post", media)
        assert not {"id", "created"} & set(schema["properties"])
        assert schema["required"] == ["name", "email"]


FLOATS = [
    # Found by Schemathesis: `"rating": false` was created, as DRF's float(False) is 0.0.
    ("json takes false and true", "application/json", {"enum": [False, True]}),
    ("a form's text does not", "multipart/form-data", None),
]


@pytest.mark.parametrize(("media", "booleans"), [f[1:] for f in FLOATS], ids=[f[0] for f in FLOATS])
def test_a_float_field_takes_booleans_in_json_within_its_bounds(tmp_path, media, booleans):
    raw = shop(True)
    rating = {"type": "number", "format": "double", "minimum": 0, "maximum": 5}
    raw["components"]["schemas"]["ProductRequest"]["properties"]["rating"] = rating
    document = _served_document(tmp_path, raw)
    prop = _body_schema(document, "/products/", "post", media)["properties"]["rating"]
    if booleans is None:
        assert prop == {"anyOf": [rating, BLANK]}  # optional: "" is no value
    else:
        assert prop == {"anyOf": [rating, booleans]}
    lowest = {"type": "number", "minimum": 1.5}
    assert tighten({"properties": {"r": lowest}}, set(), {}, {})["properties"]["r"] == lowest


DECIMAL_MEDIA = [
    # Found by Schemathesis: `"price": 0` was created, as DecimalField reads str(0).
    ("json takes a number with its digits", "application/json", True),
    ("a form's text is the pattern's", "multipart/form-data", False),
]


@pytest.mark.parametrize(
    ("media", "numbers"), [d[1:] for d in DECIMAL_MEDIA], ids=[d[0] for d in DECIMAL_MEDIA]
)
def test_a_decimal_field_takes_numbers_in_json(tmp_path, media, numbers):
    raw = shop(True)
    price = {"type": "string", "format": "decimal", "pattern": "^-?\\d{0,6}(?:\\.\\d{0,2})?$"}
    raw["components"]["schemas"]["ProductRequest"]["properties"]["price"] = price
    document = _served_document(tmp_path, raw)
    prop = _body_schema(document, "/products/", "post", media)["properties"]["price"]
    members = prop["anyOf"]
    assert members[0]["format"] == "decimal"
    number = {"type": "number", "minimum": -999999.99, "maximum": 999999.99, "multipleOf": 0.01}
    assert (members[1] == number) == numbers


def test_a_uuid_field_takes_integers_in_json_only():
    """Found by Schemathesis: `"sku": false` was created as UUID 0, as UUIDField reads an
    int (a bool is one) with `uuid.UUID(int=...)`."""
    site = {"properties": {"sku": {"type": "string", "format": "uuid"}}}
    assert tighten(site, set(), {}, {})["properties"]["sku"]["anyOf"][1:] == [
        {"type": "integer", "minimum": 0, "maximum": 2**128 - 1},
        {"enum": [False, True]},
    ]
    # A form's part is text: "0" is no UUID; an optional field's "" is no value (in JSON,
    # "" is no UUID: "Must be a valid UUID.").
    form = as_form(tighten(site, set(), {}, {}), multipart=True)
    uuid_text = {"type": "string", "format": "uuid", "minLength": 1}
    assert form["properties"]["sku"] == {"anyOf": [uuid_text, BLANK]}


FORM_BOOLEANS = [
    # Field.get_value: an optional field's "" in a form is no value at all, a required
    # one's is read, and refused (found by Schemathesis: coordnet's multipart
    # `is_public_writable=""` was accepted, as DRF accepts it).
    ("optional, empty", "on", "", True),
    ("optional, a word", "on", "T", True),
    ("optional, no word", "on", "maybe", False),
    ("required, empty", "must", "", False),
    ("required, a word", "must", "off", True),
]


@pytest.mark.parametrize(
    ("name", "value", "valid"), [b[1:] for b in FORM_BOOLEANS], ids=[b[0] for b in FORM_BOOLEANS]
)
def test_a_form_boolean_may_be_sent_empty_when_optional(name, value, valid):
    import jsonschema_rs

    body = {"properties": {"on": {"type": "boolean"}, "must": {"type": "boolean"}},
            "required": ["must"]}  # fmt: skip
    form = as_form(tighten(body, set(), {}, {}), multipart=True)
    assert jsonschema_rs.validator_for(form["properties"][name]).is_valid(value) is valid


NO_BODY = [
    # DRF reads an absent body as {} (found by Schemathesis: vulnerablecode's bulk_search,
    # whose hand-written spec says `required: true`, answered 200 without one; carbure's
    # certificate import, whose view's own schema requires a file and not the body, was
    # refused without one: "This field is required.").
    ("nothing required", {"properties": {"note": {"type": "string"}}}, True, False),
    ("nothing required, not said", {"properties": {"note": {"type": "string"}}}, False, False),
    ("a field required", FORM_FIELDS, True, True),
    ("a field required, not said", FORM_FIELDS, False, True),
    ("a list", {"type": "array", "items": {"type": "integer"}}, True, True),
    ("a list of objects, not said", {"type": "array", "items": FORM_FIELDS}, False, True),
    # django-allauth's provider signup, `allOf: [BaseSignup]`, requires no field (found by
    # Schemathesis on inventree: answered 200 without a body, as allauth reads one, ST201).
    ("composed, nothing required", {"allOf": [{"properties": {"email": {}}}]}, True, False),
    ("composed, a member requires a field", {"allOf": [{"properties": {"email": {}}},
     {"properties": {"password": {}}, "required": ["password"]}]}, True, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("schema", "said", "required"), [b[1:] for b in NO_BODY], ids=[b[0] for b in NO_BODY]
)
def test_a_body_is_required_where_its_serializer_refuses_none(tmp_path, schema, said, required):
    raw = shop(True)
    raw["paths"]["/products/"]["post"]["requestBody"] = _body(schema, said)
    document = _served_document(tmp_path, raw)
    assert document["paths"]["/products/"]["post"]["requestBody"]["required"] is required


FILE = {"type": "string", "format": "binary"}
UPLOAD = {"properties": {"doc": {**FILE, "nullable": True}, "n": {"type": "integer"}}}
FILES = {
    "multipart: a file part, never null": (
        UPLOAD, True, {**UPLOAD, "properties": {**UPLOAD["properties"], "doc": FILE}}),
    "JSON: an optional file is left out": (
        UPLOAD, False, {"properties": {"n": {"type": "integer"}}}),
    "JSON: a required file cannot come": ({**UPLOAD, "required": ["doc"]}, False, None),
    "multipart: a required list of files has one": (
        {"properties": {"docs": {"type": "array", "items": FILE}}, "required": ["docs"]}, True,
        {"properties": {"docs": {"type": "array", "items": FILE, "minItems": 1}},
         "required": ["docs"]}),
    "no file": (
        {"properties": {"n": {"type": "integer"}}}, False,
        {"properties": {"n": {"type": "integer"}}}),
}  # fmt: skip


@pytest.mark.parametrize(("schema", "multipart", "expected"), FILES.values(), ids=FILES)
def test_a_file_field_is_documented_where_a_body_can_carry_one(schema, multipart, expected):
    # FileField.to_internal_value reads an upload's name and size: JSON and an urlencoded
    # form carry none ("The submitted data was not a file. ...").
    assert files_as_carried(schema, multipart=multipart) == expected


def test_a_multipart_body_with_a_file_has_no_not():
    # Schemathesis cannot build a multipart body with a file part for a schema with a
    # `not` ("Unsupported type: 'Binary'": carbure's biomethane contract, whose JSONField
    # JSON refuses null); a form's parts are text, never JSON's null or number.
    text = {"type": "string", "maxLength": 99}
    body = {"properties": {"doc": FILE, "extra": {}, "note": text,
                           "tags": {"type": "array", "items": text}}}  # fmt: skip
    tight = tighten(body, set(), {}, {})
    assert "'not'" in str(tight)
    form = as_form(files_as_carried(tight, multipart=True), multipart=True)
    assert "'not'" not in str(form)
    assert form["properties"]["doc"] == FILE


FORM_LISTS = {
    "a required list has an item, or is one": (
        {"type": "array", "items": {"type": "integer"}}, True,
        {"anyOf": [{"type": "array", "items": {"type": "integer"}, "minItems": 1},
                   {"type": "integer"}]}),
    "an optional list may be empty": (
        {"type": "array", "items": {"$ref": "#/components/schemas/E"}}, False,
        {"type": "array", "items": {"$ref": "#/components/schemas/E"}}),
    "an optional text that refuses blank takes an empty value": (
        {"type": "string", "minLength": 1}, False,
        {"anyOf": [{"type": "string", "minLength": 1}, {"type": "string", "maxLength": 0}]}),
    "a required one does not": (
        {"type": "string", "minLength": 1}, True, {"type": "string", "minLength": 1}),
    "a list of lists only empty": (
        {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}, False,
        {"type": "array", "items": {"type": "array", "items": {"type": "integer"}},
         "maxItems": 0}),
    "a nullable text too short for null": (
        {"type": "string", "maxLength": 3, "nullable": True}, False,
        {"type": "string", "maxLength": 3}),
    "a nullable text that holds null": (
        {"type": "string", "maxLength": 4, "nullable": True}, False,
        {"type": "string", "maxLength": 4, "nullable": True}),
    # OpenAPI 3.1's null (found by Schemathesis: kpi's `/me/` PATCH, `last_login=null`
    # refused as DRF refuses it: "Datetime has wrong format.").
    "a 3.1 nullable date-time, no null": (
        {"type": ["string", "null"], "format": "date-time"}, False,
        {"anyOf": [{"type": "string", "format": "date-time"},
                   {"type": "string", "maxLength": 0}]}),
    "a 3.1 nullable text that holds null": (
        {"type": ["string", "null"], "maxLength": 9}, False,
        {"type": ["string", "null"], "maxLength": 9}),
}  # fmt: skip


@pytest.mark.parametrize(("prop", "required", "expected"), FORM_LISTS.values(), ids=FORM_LISTS)
def test_a_multipart_form_s_lists_and_nulls_as_drf_reads_them(prop, required, expected):
    # ListField.get_value: a form's values for the key are the items, each one text, and
    # no value is no list ("This field is required."); a multipart null is the text "null";
    # Field.get_value: an optional field's "" is no value.
    schema = {"properties": {"f": prop}, **({"required": ["f"]} if required else {})}
    assert as_form(schema, multipart=True)["properties"]["f"] == expected


def test_a_long_text_s_number_widening_is_undone_in_a_form():
    # A CharField with room for a float's text reads a JSON number (`anyOf: [text, int,
    # non-integer]`); a form's part is text already: the `not` goes (Schemathesis's
    # coverage phase cannot judge a `not` beside a file part).
    text = {"type": "string", "maxLength": 255}
    form = as_form(tighten({"properties": {"t": text}}, set(), {}, {}), multipart=True)
    assert form["properties"]["t"] == {**text, "pattern": NO_NUL}


def test_a_view_of_its_own_with_referenced_scalars_and_no_documented_success(tmp_path):
    # django-allauth's headless spec (kpi): `code: {$ref: Code}`, Code a string, is a
    # field like an inline one (a number is its text); a logout documents its 401 only,
    # and the mock's 200 is documented, without a body to hold it to.
    raw = shop(True)
    raw["components"]["schemas"]["Code"] = {"type": "string"}
    # ... and so are one with siblings (the mock marks a `password` write-only), and one in
    # an inline nested object (found by Schemathesis: kpi's reauthenticate `password: 0`
    # accepted and "" refused; provider/token's `token.client_id`).
    raw["components"]["schemas"]["Confirm"] = {
        "type": "object",
        "properties": {
            "code": _ref("Code"),
            "password": {**_ref("Code"), "description": "The password."},
            "token": {"type": "object", "properties": {"client_id": _ref("Code")},
                      "required": ["client_id"]},
        },
        "required": ["code", "password", "token"],
    }  # fmt: skip
    raw["paths"]["/confirm/"] = {
        "post": {
            "operationId": "confirm",
            "requestBody": _body(_ref("Confirm")),
            "responses": {"401": {"description": "Logged out."}},
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    props = _body_schema(document, "/confirm/", "post")["properties"]
    text = {"type": "string", "minLength": 1, "pattern": NOT_BLANK}
    assert props["code"] == {"anyOf": [text, {"type": "number"}]}
    assert _text(props["password"]) == {**text, "description": "The password.", "writeOnly": True}
    assert _text(props["token"]["properties"]["client_id"]) == text
    responses = document["paths"]["/confirm/"]["post"]["responses"]
    assert responses["200"] == {"description": "No response body documented."}


def test_a_required_list_of_lists_is_documented_in_json_only(tmp_path):
    # ListField.get_value reads a form's values for the key as text items: a list of
    # lists has no spelling there (carbure's approved_quotas: "Expected a list of items
    # but got type "str"."), so a form body that must hold one is never valid.
    raw = shop(True)
    quotas = {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}}
    body = {"type": "object", "properties": {"quotas": quotas}, "required": ["quotas"]}
    raw["paths"]["/quotas/"] = {
        "post": {
            "operationId": "quotas",
            "requestBody": _body(body),
            "responses": _json({"type": "object"}),
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    assert list(document["paths"]["/quotas/"]["post"]["requestBody"]["content"]) == [
        "application/json"
    ]


def test_a_form_leaves_out_the_nested_fields_it_cannot_spell(tmp_path):
    # parse_html_dict and parse_html_list read `line.part` and `lines[0]part` keys: a
    # nested serializer sent as one JSON part is no value (inventree's `duplicate`).
    raw = shop(True)
    raw["components"]["schemas"]["Line"] = {
        "type": "object",
        "properties": {"part": {"type": "integer"}},
    }
    body = {
        "type": "object",
        "properties": {
            "note": {"type": "string"},
            "line": {"allOf": [_ref("Line")]},
            "lines": {"type": "array", "items": _ref("Line")},
        },
    }
    raw["paths"]["/lines/"] = {
        "post": {
            "operationId": "lines",
            "requestBody": _body(body),
            "responses": _json({"type": "object"}),
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    for media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        assert list(_body_schema(document, "/lines/", "post", media)["properties"]) == ["note"]
    assert set(_body_schema(document, "/lines/", "post")["properties"]) == {"note", "line", "lines"}


CHOICES = [
    # Field.get_value: an optional ChoiceField's "" in a form is no value at all (found by
    # Schemathesis: carbure's annual declaration PATCH `status=` accepted, as DRF does).
    ("optional, empty", "status", "", True),
    ("optional, a choice", "status", "live", True),
    ("optional, no choice", "status", "gone", False),
    ("required, empty", "kind", "", False),
    ("described by allOf, empty", "phase", "", True),
    # A form has no null: multipart's "null" is text, no choice (found by Schemathesis:
    # carbure's injection site, `network_type=null` refused, as DRF refuses it).
    ("required and nullable, empty", "network", "", True),
    ("required and nullable, 'null'", "network", "null", False),
]


@pytest.mark.parametrize(
    ("name", "value", "valid"), [c[1:] for c in CHOICES], ids=[c[0] for c in CHOICES]
)
def test_a_form_s_choice_by_reference_is_empty_when_optional(name, value, valid):
    components = {"StatusEnum": {"type": "string", "enum": ["draft", "live"]}}
    body = {
        "properties": {
            "status": _ref("StatusEnum"),
            "kind": _ref("StatusEnum"),
            "phase": {"allOf": [_ref("StatusEnum")], "default": "draft"},
            "network": {"allOf": [_ref("StatusEnum")], "nullable": True},
        },
        "required": ["kind", "network"],
    }
    form = as_form(
        body, multipart=True, resolve=lambda node: components[node["$ref"].split("/")[-1]]
    )
    prop = {**form["properties"][name], "components": {"schemas": components}}
    assert jsonschema_rs.validator_for(prop).is_valid(value) is valid
    assert "nullable" not in json.dumps(prop)  # OpenAPI's null: a form has none


def test_a_list_of_objects_is_documented_in_json_only_its_items_tightened(tmp_path):
    # A serializer with many=True reads a form's `[0]field` keys only, and any other form as
    # the empty list (carbure's monthly reports: every form body answered 200).
    raw = shop(True)
    raw["paths"]["/products/"]["post"]["requestBody"] = _body(
        {"type": "array", "items": _ref("ProductRequest")}, required=False
    )
    document = _served_document(tmp_path, raw)
    body = document["paths"]["/products/"]["post"]["requestBody"]
    assert list(body["content"]) == ["application/json"]
    assert body["required"] is True
    items = body["content"]["application/json"]["schema"]["items"]
    assert _text(items["properties"]["name"])["pattern"] == NOT_BLANK


WRITE_400S = [
    # A view that declares its own 400 (kpi's `additionalProperties: [string]`) answers
    # DRF's all the same (found by Schemathesis: kpi's assets, a parse error's `detail`, a
    # ListField's errors by index).
    ("a field's messages", {"name": ["This field is required."]}),
    ("a parse error", {"detail": "JSON parse error - Expecting value: line 1 column 1 (char 0)"}),
    ("a list's errors by index", {"tags": {"0": ["Null characters are not allowed."]}}),
    ("a many=True body's errors", {"0": {"user": ["This field is required."]}}),
]


@pytest.mark.parametrize("body", [w[1] for w in WRITE_400S], ids=[w[0] for w in WRITE_400S])
def test_a_write_s_own_400_also_admits_drf_s(tmp_path, body):
    raw = shop(True)
    own = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
    raw["paths"]["/products/"]["post"]["responses"].update(_json(own, "400"))
    document = _served_document(tmp_path, raw)
    answer = document["paths"]["/products/"]["post"]["responses"]["400"]
    schema = answer["content"]["application/json"]["schema"]
    assert jsonschema_rs.validator_for(schema).is_valid(body)


def test_a_composed_body_is_documented_as_its_serializer_reads_it(tmp_path):
    # django-allauth's Login (`allOf` of the password and an `anyOf` of the identifiers)
    # and kpi's `oneOf` creates: the fields of every member, each alternative tried in
    # turn (found by Schemathesis: a blank password refused where the document allowed
    # it, a missing body accepted).
    raw = shop(True)
    raw["components"]["schemas"]["Password"] = {"type": "string"}
    raw["components"]["schemas"]["Login"] = {
        "allOf": [
            {"type": "object", "properties": {"password": _ref("Password")},
             "required": ["password"]},
            {"anyOf": [{"properties": {"username": {"type": "string"}}, "required": ["username"]},
                       {"properties": {"email": {"type": "string"}}, "required": ["email"]}]},
        ]
    }  # fmt: skip
    raw["paths"]["/login/"] = {
        "post": {
            "operationId": "login",
            "requestBody": {"content": {"application/json": {"schema": _ref("Login")}}},
            "responses": _json({"type": "object"}),
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    body = document["paths"]["/login/"]["post"]["requestBody"]
    assert body["required"] is True
    validator = jsonschema_rs.validator_for(body["content"]["application/json"]["schema"])
    for sent, valid in [
        ({"password": "p", "email": "e"}, True),
        ({"password": "", "email": "e"}, False),
        ({"password": "p"}, False),
        ({"username": "u", "password": "p"}, True),
    ]:
        assert validator.is_valid(sent) is valid, sent


WITHIN = [
    ("a collection's type with a point's coordinates",
     {"type": "GeometryCollection", "coordinates": [1, 2]}, False),
    ("a point", {"type": "Point", "coordinates": [1, 2]}, True),
    ("a collection", {"type": "GeometryCollection", "geometries": []}, True),
]  # fmt: skip


@pytest.mark.parametrize(("within", "valid"), [w[1:] for w in WITHIN], ids=[w[0] for w in WITHIN])
def test_a_composed_body_reads_the_served_components(within, valid):
    # Found by Schemathesis (objects-api POST /objects/search, ST202): the search body
    # (`allOf: [ObjectSearch, ...]`) was resolved from the spec, whose GeoJSONGeometry
    # members are not held to their discriminator's value: a collection's `type` with a
    # point's coordinates was documented valid (a Point, to JSON Schema's oneOf), and the
    # service refuses it, as the mock does.
    state = make_state(spec="tests/realspecs/objects-api.yaml", size=3)
    document = with_drf_errors(state.spec, {})
    body = document["paths"]["/objects/search"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    assert validator.is_valid({"geometry": {"within": within}}) is valid


def test_a_patch_that_requires_fields_requires_its_body(tmp_path):
    # django-allauth's PATCH of an email address (found by Schemathesis: kpi's, sent
    # without a body, refused: "This field is required.").
    raw = shop(True)
    primary = {"type": "object", "properties": {"email": {"type": "string"}},
               "required": ["email"]}  # fmt: skip
    raw["paths"]["/emails/"] = {
        "patch": {
            "operationId": "email",
            "requestBody": {"content": {"application/json": {"schema": primary}}},
            "responses": _json({"type": "object"}),
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    assert document["paths"]["/emails/"]["patch"]["requestBody"]["required"] is True


@pytest.mark.parametrize(
    ("field", "required"),
    [
        # eda-server's `inputs`: DictField.get_value reads `inputs.key` keys, where a
        # client's form spells `{}` as nothing ("This field is required.").
        pytest.param({"type": "object", "additionalProperties": True}, True, id="dict required"),
        pytest.param({"type": "object", "additionalProperties": {}}, False, id="dict optional"),
        # coordnet's `method_data`: JSONField.get_value parses the part as JSON text.
        pytest.param({"writeOnly": True}, True, id="json required"),
        pytest.param({"nullable": True}, False, id="json nullable optional"),
    ],
)
def test_a_form_leaves_out_dict_and_json_fields(tmp_path, field, required):
    raw = shop(True)
    body = {
        "type": "object",
        "properties": {"note": {"type": "string"}, "data": field},
        **({"required": ["data"]} if required else {}),
    }
    raw["paths"]["/data/"] = {
        "post": {
            "operationId": "data",
            "requestBody": _body(body),
            "responses": _json({"type": "object"}),
            "security": TOKEN,
        }
    }
    document = _served_document(tmp_path, raw)
    content = document["paths"]["/data/"]["post"]["requestBody"]["content"]
    if required:  # every form body is a 400: forms are not documented
        assert list(content) == ["application/json"]
    else:
        for media in ("multipart/form-data", "application/x-www-form-urlencoded"):
            assert list(content[media]["schema"]["properties"]) == ["note"]
    assert set(_body_schema(document, "/data/", "post")["properties"]) == {"note", "data"}


def test_a_write_s_header_parameters_that_openapi_ignores_are_not_served():
    # objects-api documents `Content-Type: application/json` as a required header
    # parameter of its writes; OpenAPI says such a definition "SHALL be ignored", as the
    # mock ignores it. Served, it made Schemathesis send other types as invalid, which DRF
    # reads as any body (found by Schemathesis: ST201).
    state = make_state(spec="tests/realspecs/objects-api.yaml", size=3)
    document = with_drf_errors(state.spec, {})
    names = [p["name"] for p in document["paths"]["/objects"]["post"]["parameters"]]
    assert names == ["Accept-Crs", "Content-Crs"]
    assert [
        p["name"] for p in document["paths"]["/objecttypes"]["post"].get("parameters", [])
    ] == []


def test_a_partial_update_s_nested_serializer_requires_nothing():
    # Field.validate_empty_values skips a missing field whenever the root serializer is
    # partial: socialdistribution's comment PATCH with an `author` lacking its required
    # `username` is a 200 (found by Schemathesis: ST201), and its POST a 400.
    state = make_state(spec="tests/realspecs/socialdistribution.yaml", size=3)
    document = with_drf_errors(state.spec, {})
    patched = _body_schema(document, "/posts/{post_id}/comments", "patch")["properties"]
    created = _body_schema(document, "/posts/{post_id}/comments", "post")["properties"]
    assert "required" not in patched["author"]
    assert created["author"]["required"] == ["username"]


def test_a_204_documented_with_content_is_served_without(tmp_path):
    # RFC 9110: a 204 has no content (found by Schemathesis: authentik's flow import,
    # documented 204 with a JSON body, answered 204 without one: ST109).
    raw = shop(True)
    raw["paths"]["/products/"]["post"]["responses"] = _json({"type": "object"}, "204")
    document = _served_document(tmp_path, raw)
    assert document["paths"]["/products/"]["post"]["responses"]["204"] == {"description": ""}


NULL_TEXTS = [
    # Found by Schemathesis (inventree's supplier part `link`, ST202): a multipart part
    # "null" for a nullable URL (`oneOf: [uri, blank]`), which URLField refuses.
    ("a nullable URL", {"oneOf": [{"type": "string", "pattern": "^https?://"},
                                  {"type": "string", "maxLength": 0}]}, False),
    ("a nullable text", {"type": "string"}, True),
]  # fmt: skip


@pytest.mark.parametrize(
    ("prop", "null"), [n[1:] for n in NULL_TEXTS], ids=[n[0] for n in NULL_TEXTS]
)
def test_a_multipart_null_is_documented_only_where_its_text_fits(prop, null):
    schema = {"type": "object", "properties": {"f": {**prop, "nullable": True}}}
    form = as_form(schema, multipart=True)
    assert jsonschema_rs.validator_for(form).is_valid({"f": "null"}) is null
    assert bool(form["properties"]["f"].get("nullable")) is null
