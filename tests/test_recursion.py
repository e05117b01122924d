"""mockserver.fake.recursion: records of recursive schemas satisfy the whole schema, with
its references intact, and a schema no record can end is named (issue 16, item 7)."""

from __future__ import annotations

import orjson
import pytest
import yaml
from helpers_api import make_state, raw_get

from mockserver.contract.schema import Validator
from mockserver.fake.recursion import restored, unending
from mockserver.fake.sample import references
from mockserver.http.app import create_app

TAG = "#/components/schemas/Tag"
GROUP = "#/components/schemas/Group"


def _tag(**properties) -> dict:
    required = [n for n, p in properties.items() if p.pop("required", False)]
    return {
        "type": "object",
        "required": ["id", "name", *required],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": "string"},
            **properties,
        },
    }


def _ref(target: str = TAG) -> dict:
    return {"$ref": target}


RESTORED = [
    pytest.param({"type": "string"}, {"type": "string"}, [], id="no cut: the schema itself"),
    pytest.param(
        {"type": "integer", "maximum": 10**30},
        {"type": "integer", "maximum": 10**30},
        [],
        id="no cut, an integer orjson cannot write",
    ),
    pytest.param(
        {"properties": {"children": {"type": "array", "items": {"x-recursive": TAG}}}},
        {"properties": {"children": {"type": "array", "items": _ref()}}},
        [TAG],
        id="a list of itself",
    ),
    pytest.param(
        {"properties": {"parent": {"allOf": [{"x-recursive": TAG}], "nullable": True}}},
        {"properties": {"parent": {"allOf": [_ref()], "nullable": True}}},
        [TAG],
        id="a nullable allOf of itself",
    ),
    pytest.param(
        {"properties": {"lead": {"oneOf": [{"x-recursive": GROUP}, {"type": "null"}]}}},
        {"properties": {"lead": {"oneOf": [_ref(GROUP), {"type": "null"}]}}},
        [GROUP, TAG],
        id="a oneOf, and the references its target reaches",
    ),
]

COMPONENTS = {
    TAG: _tag(children={"type": "array", "items": _ref()}),
    GROUP: {"properties": {"tag": _ref()}},
}


@pytest.mark.parametrize(("schema", "expected", "refs"), RESTORED)
def test_restored_turns_cuts_back_into_references(schema, expected, refs):
    out, found = restored(schema, lambda node: COMPONENTS[node["$ref"]])
    assert out == expected
    assert list(found) == refs
    if not refs:
        assert out is schema  # a schema without a cut is not copied


ENDINGS = [
    pytest.param(
        {TAG: _tag(parent={"allOf": [_ref()], "required": True})},
        ("parent", TAG),
        id="a required, non-nullable parent never ends",
    ),
    pytest.param(
        {TAG: _tag(parent={"allOf": [_ref()], "nullable": True, "required": True})},
        None,
        id="a nullable parent ends in null",
    ),
    pytest.param(
        {TAG: _tag(parent={"allOf": [_ref()]})}, None, id="an optional parent is left out"
    ),
    pytest.param(
        {TAG: _tag(parent={"oneOf": [_ref(), {"type": "null"}], "required": True})},
        None,
        id="a 3.1 oneOf with null ends in null",
    ),
    pytest.param(
        {TAG: _tag(children={"type": "array", "items": _ref(), "required": True})},
        None,
        id="a list of children ends empty",
    ),
    pytest.param(
        {TAG: _tag(children={"type": "array", "items": _ref(), "minItems": 1, "required": True})},
        ("children", TAG),
        id="a list that needs one child never ends",
    ),
    pytest.param(
        {TAG: _tag(parent={"allOf": [_ref()], "writeOnly": True, "required": True})},
        None,
        id="a write-only parent is never rendered",
    ),
    pytest.param(
        {
            TAG: _tag(group={"$ref": GROUP, "required": True}),
            GROUP: {"type": "object", "required": ["lead"], "properties": {"lead": _ref()}},
        },
        ("group", GROUP),
        id="a Tag needs a Group that needs a Tag",
    ),
    pytest.param(
        {
            TAG: _tag(group={"$ref": GROUP, "required": True}),
            GROUP: {"type": "object", "required": ["lead"], "properties": {"lead": {}}},
        },
        None,
        id="a Group that ends lets its Tag end",
    ),
]


@pytest.mark.parametrize(("components", "expected"), ENDINGS)
def test_unending_names_the_field_whose_value_cannot_end(components, expected):
    refs = references(_ref(), lambda node: components[node["$ref"]])
    assert unending(components[TAG], refs) == expected


# -- a recursive spec, served ---------------------------------------------------------------


def _spec(tmp_path, tag: dict):
    page = {"type": "array", "items": _ref()}
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/tags/": {"get": {"operationId": "tags_list", "responses": {"200": _answer(page)}}},
            "/tags/{id}/": {
                "get": {
                    "operationId": "tags_retrieve",
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"200": _answer(_ref())},
                }
            },
        },
        "components": {"schemas": {"Tag": tag}},
    }
    path = tmp_path / "tags.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def _answer(schema: dict) -> dict:
    return {"description": "", "content": {"application/json": {"schema": schema}}}


# drf-spectacular's read-only nested serializer and its `many=True` list.
TREE = _tag(
    parent={"allOf": [_ref()], "readOnly": True},
    children={"type": "array", "items": _ref(), "readOnly": True, "required": True},
)


def _nesting(value, key: str) -> int:
    """How many Tags deep `key` nests below `value` (a list counts its deepest item)."""
    inner = value.get(key) if isinstance(value, dict) else None
    if isinstance(inner, list):
        return max((1 + _nesting(item, key) for item in inner), default=0)
    return 0 if inner is None else 1 + _nesting(inner, key)


def test_records_of_a_recursive_schema_are_tags_all_the_way_down(tmp_path):
    """Each nested Tag is a Tag (before: `parent: {"orbit": "stone"}`, any object), valid
    against the schema with its references, two levels deep at most, and ends with its
    children empty and its optional parent left out."""
    state = make_state(spec=str(_spec(tmp_path, TREE)), size=30, access_log=False)
    dataset = state.served["/tags/"].dataset
    validator = Validator(_ref(), {TAG: TREE})
    deepest = 0
    for row in range(len(dataset)):
        record = orjson.loads(dataset.record(row))
        assert validator.is_valid(record), validator.errors(record)
        for nested in [record["parent"], *record["children"]]:
            assert set(nested) >= {"id", "name", "children"}
        deepest = max(deepest, _nesting(record, "children"), _nesting(record, "parent"))
    assert deepest == 2


def test_connexion_takes_the_records_of_a_recursive_schema(tmp_path):
    """`--validate-responses`: before, `/tags/` answered 500 ("'id' is a required property
    - 'parent'")."""
    state = make_state(
        spec=str(_spec(tmp_path, TREE)), size=20, access_log=False, validate_responses=True
    )
    app = create_app(state)
    for target in (b"/tags/", b"/tags/1/", b"/tags/7/"):
        status, _headers, body = raw_get(app, target)
        assert status == 200, body[:300]
