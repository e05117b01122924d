"""openapi/users.yaml against the published documentation and against itself."""

from __future__ import annotations

import copy
import re
import socket
import time
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract import spec as spec_module
from mockserver.contract.schema import Validator
from mockserver.contract.spec import Spec
from mockserver.errors import ConfigError

# Every query parameter of `GET /users/` in users-api-docs.txt, in its order.
DOCUMENTED_PARAMETERS = [
    "attributes", "attributes_kwargs", "call_allowed", "date_joined", "date_of_birth",
    "email", "email_allowed", "first_name", "gender", "groups", "id", "id__gt", "id__gte",
    "id__lt", "id__lte", "is_active", "is_anonymized", "is_staff", "is_superuser",
    "language_code", "last_login", "last_name", "limit", "localized_attributes",
    "localized_attributes_kwargs", "modified_date", "modified_date__gt", "modified_date__gte",
    "modified_date__lt", "modified_date__lte", "page", "password", "phone", "sms_allowed",
    "sort", "user_permissions", "user_type", "username",
]  # fmt: skip

# Every field of the user in users-api-docs.txt (alphabetical, as the real payload).
DOCUMENTED_FIELDS = [
    "attributes", "attributes_kwargs", "avatar", "call_allowed", "date_joined",
    "date_of_birth", "email", "email_allowed", "first_name", "gender", "groups", "id",
    "is_active", "is_anonymized", "is_staff", "is_superuser", "language_code", "last_login",
    "last_name", "localized_attributes", "localized_attributes_kwargs", "modified_date",
    "phone", "pk", "sms_allowed", "user_permissions", "user_type", "username",
]  # fmt: skip

# REAL_API.md "Records": the real types.
REAL_TYPES = {
    "attributes": "object", "attributes_kwargs": "object", "avatar": "string",
    "call_allowed": "boolean", "date_joined": "string", "date_of_birth": "string",
    "email": "string", "email_allowed": "boolean", "first_name": "string", "gender": "string",
    "groups": "array", "id": "integer", "is_active": "boolean", "is_anonymized": "boolean",
    "is_staff": "boolean", "is_superuser": "boolean", "language_code": "string",
    "last_login": "string", "last_name": "string", "localized_attributes": "object",
    "localized_attributes_kwargs": "object", "modified_date": "string", "phone": "string",
    "pk": "integer", "sms_allowed": "boolean", "user_permissions": "array",
    "user_type": "string", "username": "string",
}  # fmt: skip
NULLABLE = {"avatar", "call_allowed", "date_of_birth", "gender", "last_login"}


@pytest.fixture(scope="module")
def spec():
    return Spec.load(packaged.spec_path())


def test_the_spec_is_valid_openapi(spec):
    validate(copy.deepcopy(spec.raw))
    assert spec.raw["openapi"].startswith("3.0")


def test_every_documented_parameter_is_declared(spec):
    parameters = spec.raw["paths"]["/users/"]["get"]["parameters"]
    declared = [spec.resolve(p)["name"] for p in parameters]
    assert declared == DOCUMENTED_PARAMETERS


def test_the_detail_documents_only_the_path_id(spec):
    """As the published documentation: `GET /users/{id}/` has the path `id` and nothing else."""
    (parameter,) = spec.raw["paths"]["/users/{id}/"]["get"]["parameters"]
    assert parameter == {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "A unique integer value identifying this user.",
        "schema": {"type": "integer"},
    }


def test_lenient_detail_reads_the_list_filters(spec):
    """REAL_API.md "Detail": the list's filters apply to a detail; page, limit, sort do not."""
    detail = spec.operation("users_retrieve")
    filters = set(DOCUMENTED_PARAMETERS) - {"page", "limit", "sort"}
    assert {n for n, p in detail.lenient_query.items() if p.control is None} == filters


def test_every_documented_field_has_its_real_type(spec):
    fields = spec.resources["/users/"].fields
    assert list(fields) == DOCUMENTED_FIELDS
    assert {name: prop["type"] for name, prop in fields.items()} == REAL_TYPES
    assert {name for name, prop in fields.items() if prop.get("nullable")} == NULLABLE
    assert "password" not in fields
    assert spec.resources["/users/"].schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("field", "max_length"), [("email", 254), ("first_name", 150), ("last_name", 150)]
)
def test_documented_max_lengths(spec, field, max_length):
    assert spec.resources["/users/"].fields[field]["maxLength"] == max_length


def test_choices_are_enums(spec):
    fields = spec.resources["/users/"].fields
    assert [s["enum"] for s in fields["gender"]["oneOf"]] == [["male", "female"], [None]]
    assert fields["user_type"]["enum"] == ["guest", "registered"]


def test_every_field_says_how_it_is_faked(spec):
    fields = spec.resources["/users/"].fields
    missing = [name for name, prop in fields.items() if "x-faker" not in prop]
    assert missing == []


def test_the_sort_pattern_accepts_exactly_the_sortable_fields(spec):
    users = spec.resources["/users/"]
    pattern = re.compile(spec.operation("users_list").query["sort"].schema["pattern"])
    for name in users.sortable:
        assert pattern.match(name) and pattern.match(f"-{name}"), name
        assert pattern.match(f"{name}, -id")
    for name in set(users.fields) - set(users.sortable) | {"password", "nickname"}:
        assert not pattern.match(name), name


def test_the_token_scheme_is_required_on_both_operations(spec):
    scheme = spec.raw["components"]["securitySchemes"]["TokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    for path in spec.raw["paths"].values():
        assert path["get"]["security"] == [{"TokenAuth": []}]


def test_documented_errors_have_drf_bodies(spec):
    for op in spec.operations:
        codes = set(op.responses)
        assert {"200", "400", "401", "404"} <= codes
        unauthorized = op.responses["401"]
        assert unauthorized["headers"]["WWW-Authenticate"]["required"] is True


def _examples(spec):
    for op in spec.operations:
        for code, response in op.responses.items():
            content = response.get("content", {}).get("application/json", {})
            for name, example in content.get("examples", {}).items():
                yield op.operation_id, code, name, content["schema"], example["value"]


def test_every_example_conforms_to_its_schema(spec):
    checked = 0
    for operation, code, name, schema, value in _examples(spec):
        assert Validator(schema).errors(value) == [], (operation, code, name)
        checked += 1
    assert checked >= 10


def test_both_operations_have_named_200_examples(spec):
    for op in spec.operations:
        assert len(op.responses["200"]["content"]["application/json"]["examples"]) >= 2


def test_group_and_permission_ids_match_the_fixtures(spec):
    fixtures = fixtures_module.load(packaged.fixtures_dir(), spec)
    assert sorted(g["id"] for g in fixtures.groups) == spec.schema("GroupId")["enum"]
    assert sorted(p["id"] for p in fixtures.permissions) == spec.schema("PermissionId")["enum"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n",
            'is not valid OpenAPI at info: "version" is a required property',
            id="no version",
        ),
        pytest.param(
            'openapi: 3.0.3\ninfo: {title: x, version: "1"}\n',
            'is not valid OpenAPI at the top level: "paths" is a required property',
            id="no paths",
        ),
    ],
)
def test_an_invalid_document_is_one_line_naming_the_place(tmp_path, text, message):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        Spec.load(path)
    assert str(caught.value) == f"{path}: {message}"


# A small drf-spectacular-like document: a header parameter of each kind, a path parameter
# the path does not name, and query parameters with OpenAPI's serialization keywords.
SMALL = """
openapi: 3.0.3
info: {title: small, version: "1"}
paths:
  /things/{kind}/:
    get:
      operationId: things_list
      parameters:
      - {in: path, name: kind, required: true, schema: {type: string}}
      - {in: path, name: client, required: true, schema: {type: string, enum: [app, browser]}}
      - {in: header, name: X-Key, required: true, schema: {type: string}}
      - {in: header, name: Accept-Crs, schema: {type: string, enum: ["EPSG:4326"]}}
      - {in: header, name: Accept, schema: {type: string, enum: [application/json]}}
      - {in: query, name: passwordless, allowEmptyValue: true, schema: {type: boolean}}
      - {in: query, name: exclude_id, style: form, explode: false,
         schema: {type: array, items: {type: integer}}}
      - {in: query, name: used,
         schema: {type: array, items: {type: boolean, enum: ["false", "true"]}}}
      - {in: query, name: managed, schema: {type: array, items: {type: string}}}
      responses:
        "200":
          description: ""
          content:
            application/json:
              schema:
                type: object
                properties:
                  hint: {type: object, properties: {labels: {type: string}}, required: labels}
        "400":
          description: ""
          content:
            application/json:
              schema: {type: object, required: [message], properties: {message: {type: string}}}
        "401":
          description: ""
          content:
            application/scim+json:
              schema: {type: object, required: [status], properties: {status: {type: string}}}
components:
  securitySchemes:
    jwtAuth: {type: http, scheme: bearer}
security: [{jwtAuth: []}]
"""


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    return path


def test_header_parameters_are_read_by_their_lower_case_name(small):
    """OpenAPI: a header parameter named Accept, Content-Type or Authorization is ignored."""
    op = Spec.load(small).operation("things_list")
    assert {key: (p.name, p.required, p.schema) for key, p in op.headers.items()} == {
        "x-key": ("X-Key", True, {"type": "string"}),
        "accept-crs": ("Accept-Crs", False, {"type": "string", "enum": ["EPSG:4326"]}),
    }


def test_query_parameters_keep_their_serialization_and_typed_choices(small):
    query = Spec.load(small).operation("things_list").query
    assert (query["passwordless"].allow_empty, query["managed"].allow_empty) == (True, False)
    assert (query["exclude_id"].explode, query["managed"].explode) == (False, True)
    assert query["used"].schema["items"] == {"type": "boolean", "enum": [False, True]}


# -- issue 16: untrusted specs -------------------------------------------------------------


def _entangled(schemas: dict, root: str) -> dict:
    answer = {"description": "", "content": {"application/json": {"schema": {"$ref": root}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/a/": {"get": {"operationId": "a", "responses": {"200": answer}}}},
        "components": {"schemas": schemas},
    }


def _each_names_the_others(count: int) -> dict:
    return {
        f"S{i}": {
            "type": "object",
            "properties": {
                f"p{j}": {"$ref": f"#/components/schemas/S{j}"} for j in range(count) if j != i
            },
        }
        for i in range(count)
    }


def _ladder(steps: int) -> dict:
    schemas = {
        f"L{i}": {
            "type": "object",
            "properties": {
                "a": {"$ref": f"#/components/schemas/L{i + 1}"},
                "b": {"$ref": f"#/components/schemas/L{i + 1}"},
            },
        }
        for i in range(steps)
    }
    return {**schemas, f"L{steps}": {"type": "string"}}


@pytest.mark.parametrize(
    ("schemas", "root", "message"),
    [
        pytest.param(
            _each_names_the_others(14),
            "#/components/schemas/S0",
            "unfolds to more than 500,000 schema nodes (references too entangled)",
            id="item 7: fourteen schemas each naming the others (14! copies, was 1.2 GB)",
        ),
        pytest.param(
            _ladder(40),
            "#/components/schemas/L0",
            "nests deeper than 64 levels (references too entangled)",
            id="item 7: a ladder naming the next step twice (2**40 copies, no recursion)",
        ),
    ],
)
def test_references_that_unfold_without_end_are_one_line(tmp_path, schemas, root, message):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_entangled(schemas, root)))
    with pytest.raises(ConfigError) as caught:
        Spec.load(path)
    assert str(caught.value).startswith(f"{path}: $ref '#/components/schemas/")
    assert str(caught.value).endswith(message)


def test_a_recursive_schema_is_cut_where_it_meets_itself(tmp_path):
    """Item 7: `Tag.children: [Tag]`, `Tag.parent: Tag`, and a mutual pair, resolve finitely."""
    tag = {
        "type": "object",
        "properties": {
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
            "parent": {"allOf": [{"$ref": "#/components/schemas/Tag"}], "nullable": True},
            "group": {"$ref": "#/components/schemas/Group"},
        },
    }
    group = {"properties": {"lead": {"oneOf": [{"$ref": "#/components/schemas/Tag"}]}}}
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump(_entangled({"Tag": tag, "Group": group}, "#/components/schemas/Tag"))
    )
    resolved = Spec.load(path).resolve({"$ref": "#/components/schemas/Tag"})
    cut = {"x-recursive": "#/components/schemas/Tag"}
    assert resolved["properties"]["children"]["items"] == cut
    assert resolved["properties"]["parent"]["allOf"] == [cut]
    assert resolved["properties"]["group"]["properties"]["lead"]["oneOf"] == [cut]


def test_the_validator_never_reads_a_file_nor_fetches_a_url(tmp_path):
    """Item 8: openapi-spec-validator resolves remote references by default; offline, each is
    refused at once (a hanging host took 10.9 s, then a traceback)."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("SECRET: 1\n")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0)
    port = listener.getsockname()[1]
    try:
        for ref in (secret.as_uri(), f"http://127.0.0.1:{port}/spec.yaml"):
            document = _entangled({}, "#/components/schemas/X")
            document["paths"]["/a/"]["get"]["responses"]["200"] = {"$ref": ref}
            started = time.monotonic()
            assert spec_module._problems(document) == (
                "is not valid OpenAPI: a $ref resolves outside the spec",
                [],
            )
            assert time.monotonic() - started < 5
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()


def test_a_spec_without_end_stops_at_the_bound():
    """Item 9: `--spec /dev/zero` filled memory; now the read stops at 64 MB."""
    with pytest.raises(ConfigError) as caught:
        Spec.load(Path("/dev/zero"))
    assert str(caught.value) == "/dev/zero: is larger than 64 MB"
