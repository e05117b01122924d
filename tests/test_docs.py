"""The served spec and Swagger UI (mockserver/http/docs.py): /openapi.yaml, /openapi.json, /ui/."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import yaml
from helpers_api import make_client, make_state


@pytest.fixture(scope="module", params=[False, True], ids=["served", "validated"])
def state(request):
    return make_state(users=10, validate_responses=request.param)


@pytest.fixture(scope="module")
def client(state):
    return make_client(state)


def expected_json(state, servers) -> dict:
    """The hand-written spec as JSON (dates as ISO text), with `servers` replaced."""
    return {**json.loads(json.dumps(state.spec.raw, default=str)), "servers": servers}


def test_openapi_yaml_is_the_hand_written_file_byte_for_byte(state, client):
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/yaml"
    assert response.content == state.spec.text
    assert response.content == state.spec.path.read_bytes()
    assert response.headers["content-length"] == str(len(state.spec.text))


def test_openapi_json_is_the_spec_with_this_servers_url(state, client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected_json(state, [{"url": "/"}])


@pytest.mark.parametrize("path", ["/openapi.yaml", "/openapi.json"], ids=["yaml", "json"])
def test_head_gives_the_length_and_no_body(client, path):
    full = client.get(path)
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(full.content))


@pytest.mark.parametrize("path", ["/openapi.yaml", "/openapi.json"], ids=["yaml", "json"])
def test_spec_files_are_read_only(client, path):
    response = client.post(path)
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Token nope"}],
    ids=["no token", "wrong token"],
)
@pytest.mark.parametrize(
    "path", ["/openapi.yaml", "/openapi.json", "/ui/", "/ui/swagger-ui-bundle.js"]
)
def test_spec_and_ui_need_no_token(client, path, headers):
    assert client.get(path, headers=headers).status_code == 200


def test_ui_page_loads_the_mocks_document_and_keeps_the_authorization(client):
    page = client.get("/ui/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '"url":"openapi.json"' in page.text
    assert '"persistAuthorization":true' in page.text
    assert client.get("/ui/index.html").content == page.content


def test_ui_page_shows_every_key_with_its_note_and_the_contract_none(state, client):
    """Where a person authorizing looks: above the operations, each key with its note."""
    page = client.get("/ui/").text
    notes = state.fixtures.token_notes
    assert set(state.fixtures.tokens) == set(notes)
    for key, note in notes.items():
        assert f"<code>Token {key}</code> {html.escape(note)}</li>" in page
        assert f'data-key="Token {key}"' in page
    contract = client.get("/openapi.yaml").text + client.get("/openapi.json").text
    assert not [key for key in state.tokens if key in contract]
    how = '{"scheme":"TokenAuth","how":"apikey","prefix":"Token "}'
    assert f"const how = {how};" in page
    assert "ui.preauthorizeApiKey(how.scheme, value)" in page


@pytest.mark.parametrize(
    ("schemes", "how", "shown"),
    [
        pytest.param(
            {"jwtAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            {"scheme": "jwtAuth", "how": "apikey", "prefix": ""},
            "jwt",
            id="simplejwt: the JWT the mock issues",
        ),
        pytest.param(
            {"basicAuth": {"type": "http", "scheme": "basic"}},
            {"scheme": "basicAuth", "how": "basic", "prefix": ""},
            "demo:",
            id="Basic: any name, the key as password",
        ),
        pytest.param(
            {"key": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            {"scheme": "key", "how": "apikey", "prefix": ""},
            "",
            id="a custom header: the key",
        ),
    ],
)
def test_the_use_buttons_fill_each_scheme(tmp_path, schemes, how, shown):
    import yaml

    from mockserver.contract import packaged
    from mockserver.http import ui

    raw = yaml.safe_load(packaged.spec_path().read_text())
    raw["components"]["securitySchemes"] = schemes
    raw["security"] = [{name: []} for name in schemes]
    for item in raw["paths"].values():
        item["get"]["security"] = raw["security"]
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    state = make_state(spec=str(path), size=5)
    assert ui.authorizer(state) == how
    key = state.banner_token()
    page = make_client(state).get("/ui/").text
    expected = {"jwt": state.banner_jwt(key), "demo:": f"demo:{key}", "": key}[shown]
    assert f'data-key="{expected}"' in page


def test_a_token_flag_key_is_shown_too():
    state = make_state(users=5, token=("f" * 40,))
    page = make_client(state).get("/ui/").text
    assert f"<code>Token {'f' * 40}</code> added with --token, owned by user 1</li>" in page


def test_ui_document_is_the_contract_plus_the_mocks_controls(state, client):
    shown = client.get("/ui/openapi.json")
    assert shown.headers["content-type"] == "application/json"
    document = shown.json()
    contract = client.get("/openapi.json").json()
    assert document["servers"] == contract["servers"] == [{"url": "/"}]
    assert document["components"] == contract["components"]
    for path, item in contract["paths"].items():
        added = document["paths"][path]["get"]
        names = [p.get("name") for p in added["parameters"]]
        assert names == [p.get("name") for p in item["get"]["parameters"]] + [
            "Prefer",
            "__code",
            "__example",
            "__delay",
        ]
        assert set(added["responses"]) == set(item["get"]["responses"]) | {"503"}
        controls = [p for p in added["parameters"] if p.get("name") in ("Prefer", "__code")]
        assert all(p["description"].startswith("Mock control") for p in controls)


@pytest.mark.parametrize("path", ["/openapi.yaml", "/openapi.json"], ids=["yaml", "json"])
def test_the_served_contract_has_no_mock_control(client, path):
    """What clients generate from holds only the real API: no `__` parameter, no Prefer,
    no 503, no operationId that names Python code."""
    text = client.get(path).text
    document = json.loads(text) if path.endswith("json") else yaml.safe_load(text)
    operations = [op for item in document["paths"].values() for op in item.values()]
    declared = [p for op in operations for p in op.get("parameters", []) if "name" in p]
    declared += list(document["components"].get("parameters", {}).values())
    names = [p["name"] for p in declared]
    assert len(names) == 39  # the list's 38 documented filters and the detail's path id
    assert not [name for name in names if name.startswith("__")]
    assert not [p for p in declared if p["in"] == "header"]
    assert "Prefer" not in text
    assert not [op for op in operations if "503" in {str(c) for c in op["responses"]}]
    assert [op["operationId"] for op in operations] == ["users_list", "users_retrieve"]
    assert "__code" not in text and "__example" not in text and "__delay" not in text
    assert "mockserver.engine.handlers" not in text


def test_ui_without_slash_redirects(client):
    response = client.get("/ui")
    assert response.status_code == 307
    assert response.headers["location"] == "/ui/"


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/ui/missing.js", 404, {"detail": "Not found."}),
        ("GET", "/ui/deeper/missing.css", 404, {"detail": "Not found."}),
        ("POST", "/ui/swagger-ui.css", 405, {"detail": 'Method "POST" not allowed.'}),
    ],
    ids=["missing file", "missing nested file", "post"],
)
def test_ui_errors_have_drf_shape(client, method, path, status, body):
    response = client.request(method, path)
    assert response.status_code == status
    assert response.json() == body


def test_security_scheme_tells_the_ui_user_to_type_token(state):
    scheme = state.spec.raw["components"]["securitySchemes"]["TokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token " in scheme["description"]


@pytest.fixture(scope="module")
def drf_documents():
    """The served /openapi.json of the reference service's spec and of eda-server's."""
    from helpers_drf import SERVICE_DIR

    from mockserver.http.docs import with_drf_errors

    specs = {
        "drfservice": SERVICE_DIR / "openapi.yaml",
        "eda": Path(__file__).parent / "realspecs" / "eda-server.json",
    }
    documents = {}
    for name, path in specs.items():
        loaded = make_state(spec=str(path), size=5, access_log=False)
        counts = {p: len(served.dataset) for p, served in loaded.served.items()}
        documents[name] = with_drf_errors(loaded.spec, counts)
    return documents


def _param(document, path, name) -> dict:
    parameters = document["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == name)["schema"]


DOCUMENTED = [
    # CursorPagination answers NotFound("Invalid cursor") for a cursor it cannot read.
    pytest.param("drfservice", "/reviews/", {"200", "400", "401", "404", "406"}, id="cursor"),
    pytest.param("drfservice", "/products/", {"200", "400", "401", "404", "406"}, id="page"),
    pytest.param("drfservice", "/tags/", {"200", "400", "401", "406"}, id="no pagination"),
]


@pytest.mark.parametrize(("name", "path", "codes"), DOCUMENTED)
def test_the_served_document_gives_each_list_the_errors_drf_answers(
    drf_documents, name, path, codes
):
    assert set(drf_documents[name]["paths"][path]["get"]["responses"]) == codes


BOUNDS = [
    # A ForeignKey's ModelChoiceFilter (drf-spectacular: integer): an id of the collection.
    pytest.param(
        "drfservice",
        "/products/",
        "category",
        {"type": "integer", "minimum": 1, "maximum": 5},
        id="model choice",
    ),
    # An `in` lookup's comma-separated value (BaseCSVField): `status__in=` is no filter and
    # an empty part an empty value, both accepted (found by Schemathesis: refused as
    # written, accepted as DRF does).
    pytest.param(
        "drfservice",
        "/products/",
        "status__in",
        {"type": "array", "items": {"type": "string", "pattern": "^[^\\x00]*$"}},
        id="comma-separated in",
    ),
    # `project_id` typed `number`: a NumberFilter on the key's column, any number up to 1e50.
    pytest.param(
        "eda", "/rulebooks/", "project_id", {"type": "number", "maximum": 1e50}, id="number"
    ),
]


@pytest.mark.parametrize(("name", "path", "param", "schema"), BOUNDS)
def test_a_relation_filter_is_bounded_to_ids_only_when_it_takes_ids(
    drf_documents, name, path, param, schema
):
    assert _param(drf_documents[name], path, param) == schema


@pytest.fixture(scope="module")
def small_document(tmp_path_factory):
    """The served /openapi.json of test_spec.py's small document."""
    from test_spec import SMALL

    from mockserver.http.docs import with_drf_errors

    path = tmp_path_factory.mktemp("small") / "small.yaml"
    path.write_text(SMALL)
    loaded = make_state(spec=str(path), size=3, access_log=False)
    return with_drf_errors(loaded.spec, {})


def _small_params(document) -> dict:
    return {p["name"]: p for p in document["paths"]["/things/{kind}/"]["get"]["parameters"]}


def test_a_path_parameter_the_path_does_not_name_is_not_served(small_document):
    """OpenAPI: a path parameter's name MUST be a template expression of its path."""
    params = _small_params(small_document)
    assert [n for n, p in params.items() if p["in"] == "path"] == ["kind"]


SERVED_SCHEMAS = [
    # `name=` is how `form` writes an empty array; django-filter reads one empty value.
    pytest.param(
        "managed",
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "pattern": "^[^\\x00]*$"},
            "minItems": 1,
        },
        id="free text items",
    ),
    pytest.param(
        "used",
        {"type": "array", "items": {"type": "boolean", "enum": [False, True]}, "minItems": 1},
        id="a boolean's choices as booleans",
    ),
    pytest.param(
        "exclude_id",
        {"type": "array", "items": {"type": "integer"}, "minItems": 1},
        id="integer items",
    ),
]


@pytest.mark.parametrize(("name", "schema"), SERVED_SCHEMAS)
def test_query_parameters_are_served_as_strict_mode_reads_them(small_document, name, schema):
    assert _small_params(small_document)[name]["schema"] == schema


def test_a_required_that_is_no_list_is_dropped(small_document):
    response = small_document["paths"]["/things/{kind}/"]["get"]["responses"]["200"]
    hint = response["content"]["application/json"]["schema"]["properties"]["hint"]
    assert "required" not in hint


def test_a_documented_error_also_admits_drfs_body(small_document):
    """carbure documents its 400 as `{"message"}`, kpi's SCIM views their 401 as SCIM JSON:
    the mock answers DRF's bodies as JSON, so those are served as alternatives."""
    responses = small_document["paths"]["/things/{kind}/"]["get"]["responses"]
    bad = responses["400"]["content"]["application/json"]["schema"]
    assert [member.get("required") for member in bad["anyOf"]] == [["message"], None]
    assert bad["anyOf"][1]["oneOf"][0]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    unauthorized = responses["401"]["content"]
    assert set(unauthorized) == {"application/scim+json", "application/json"}
    assert unauthorized["application/json"]["schema"]["required"] == ["detail"]


def test_each_discriminated_member_holds_its_own_value():
    """authentik's ChallengeTypes: a captcha challenge's body fits other members too, unless
    each member says which `component` names it, as the mapping does."""
    from mockserver.http.docs import _discriminated

    mapping = {"a": "#/components/schemas/A", "b": "#/components/schemas/B"}
    node = {
        "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
        "discriminator": {"propertyName": "component", "mapping": mapping},
    }
    _discriminated(node)
    assert node["oneOf"] == [
        {
            "allOf": [{"$ref": "#/components/schemas/A"}],
            "properties": {"component": {"enum": ["a"]}},
        },
        {
            "allOf": [{"$ref": "#/components/schemas/B"}],
            "properties": {"component": {"enum": ["b"]}},
        },
    ]


def test_an_items_that_is_no_schema_is_dropped():
    """vulnerablecode's `Purls.purls` says `items: string`: Schemathesis stopped at the
    operation ("Invalid `items` definition"); the mock reads the array's items as any."""
    from mockserver.http.docs import with_drf_errors

    spec = Path(__file__).parent / "realspecs" / "vulnerablecode.yaml"
    document = with_drf_errors(make_state(spec=str(spec), size=3, access_log=False).spec, {})
    purls = document["components"]["schemas"]["Purls"]["properties"]["purls"]
    assert purls == {"type": "array"}


def _members(properties: dict) -> dict:
    return {"type": "object", "properties": properties}


TAGS = [
    # authentik's transactional `provider` (its tag `provider_model` a field beside it):
    # one member at least, as the mock reads it (found by Schemathesis: ST202), with no
    # discriminator, whose property OpenAPI reads inside the value (a provider with a key
    # `provider_model` of its own was held to the member it named: ST201).
    ("no member has the tag", {"Google": _members({"name": {}}), "LDAP": _members({})}, "anyOf"),
    ("the members have it", {"Google": _members({"provider_model": {}}),
                             "LDAP": _members({"provider_model": {}})}, "oneOf"),
    ("a member's part is not followed", {"Google": {"allOf": [{"$ref": "#/x"}]},
                                         "LDAP": _members({})}, "oneOf"),
]  # fmt: skip


@pytest.mark.parametrize(("schemas", "key"), [t[1:] for t in TAGS], ids=[t[0] for t in TAGS])
def test_a_discriminator_whose_tag_no_member_has_is_served_as_any_of(schemas, key):
    from mockserver.http.docs import _discriminated

    node = {
        "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in schemas],
        "discriminator": {
            "propertyName": "provider_model",
            "mapping": {name.lower(): f"#/components/schemas/{name}" for name in schemas},
        },
    }
    document = {"components": {"schemas": schemas}, "node": node}
    _discriminated(document, document)
    assert key in document["node"] and len(document["node"][key]) == 2
    assert ("discriminator" in document["node"]) is (key == "oneOf")
