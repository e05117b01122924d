"""mockserver.contract.schema: how a field is stored, and what a response's record may hold."""

from __future__ import annotations

import pytest

from mockserver.contract.schema import Validator, column_kind, effective, implicit_mappings

KINDS = [
    pytest.param({"type": "number", "format": "double"}, "float", id="FloatField"),
    pytest.param({"type": "number"}, "float", id="a number"),
    pytest.param({"type": ["number", "null"]}, "float", id="3.1 nullable number"),
    pytest.param({"type": "string", "format": "decimal"}, "decimal", id="DecimalField"),
    pytest.param({"type": "string", "format": "time"}, "text", id="time is text"),
    pytest.param({"allOf": [{"type": "object", "properties": {}}]}, "json", id="nested"),
    pytest.param({"type": "array", "items": {"type": "integer"}}, "idlist", id="ids"),
    pytest.param(
        {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}, "ids", id="enum ids"
    ),
    pytest.param(
        {"oneOf": [{"type": "integer"}, {"type": "string"}]}, "json", id="oneOf of two types"
    ),
    pytest.param({"type": ["integer", "string"]}, "json", id="3.1 list of two types"),
    pytest.param(
        {"oneOf": [{"type": "string", "enum": ["a"]}, {"enum": [""]}, {"enum": [None]}]},
        "text",
        id="a choice, BlankEnum, NullEnum: text",
    ),
]


@pytest.mark.parametrize(("prop", "kind"), KINDS)
def test_column_kind(prop, kind):
    assert column_kind(prop) == kind


def test_effective_joins_the_members_properties():
    prop = {
        "allOf": [
            {"type": "object", "properties": {"a": {}}},
            {"properties": {"b": {}}, "additionalProperties": False},
        ]
    }
    assert effective(prop) == {
        "type": "object",
        "properties": {"a": {}, "b": {}},
        "additionalProperties": False,
    }


NESTED = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}
VALIDITY = [
    pytest.param({"type": "string", "format": "time"}, "14:30:00", True, id="DRF's time"),
    pytest.param({"type": "string", "format": "time"}, "14:30:00.250000", True, id="time us"),
    pytest.param({"type": "string", "format": "time"}, "2:30 pm", False, id="not a time"),
    pytest.param({"allOf": [NESTED], "nullable": True}, None, True, id="nullable allOf: null"),
    pytest.param({"allOf": [NESTED], "nullable": True}, {}, False, id="nullable allOf: checked"),
    pytest.param({"type": ["string", "null"], "nullable": True}, None, True, id="list type"),
    pytest.param({"type": "string", "enum": ["a"], "nullable": True}, None, True, id="enum"),
    pytest.param(
        {
            "type": "object",
            "required": ["id", "password"],
            "properties": {"id": {"type": "integer"}, "password": {"writeOnly": True}},
        },
        {"id": 1},
        True,
        id="a required write-only field is never rendered",
    ),
    pytest.param(
        {"type": "object", "required": ["password"], "properties": {"password": {"writeOnly": 1}}},
        {},
        True,
        id="nothing else required",
    ),
    pytest.param({"type": "number", "format": "double"}, 12.0, True, id="a float"),
    # Draft 4 knows no `uuid` format: authentik's transactional provider took
    # `property_mappings: [""]` (found by Schemathesis, ST201).
    pytest.param({"type": "string", "format": "uuid"}, "", False, id="blank: no UUID"),
    pytest.param({"type": "string", "format": "uuid"}, "x", False, id="no UUID"),
    pytest.param(
        {"type": "string", "format": "uuid"}, "e3e70682c2094caca29f6fbed82c07cd", True, id="hex"
    ),
    pytest.param(
        {"type": "string", "format": "uuid"},
        "e3e70682-c209-4cac-a29f-6fbed82c07cd",
        True,
        id="uuid",
    ),
]
# authentik's challenges: members alike but for their tag, resolved (no references left).
CHALLENGE = {
    "type": "object",
    "required": ["component"],
    "properties": {"component": {"type": "string"}, "title": {"type": "string"}},
}
CHALLENGES = {
    "oneOf": [CHALLENGE, {**CHALLENGE, "required": ["component", "title"]}],
    "discriminator": {
        "propertyName": "component",
        "mapping": {"ak-denied": "#/c/Denied", "ak-login": "#/c/Login"},
    },
}
UNMAPPED = {"oneOf": CHALLENGES["oneOf"], "discriminator": {"propertyName": "component"}}
VALIDITY += [
    pytest.param(CHALLENGES, {"component": "ak-login", "title": "t"}, True, id="tag names it"),
    pytest.param(CHALLENGES, {"component": "ak-denied", "title": "t"}, True, id="other tag"),
    pytest.param(CHALLENGES, {"component": "ak-login"}, False, id="tag's member says no"),
    pytest.param(CHALLENGES, {"component": "ak-other"}, False, id="a tag not mapped"),
    pytest.param(UNMAPPED, {"component": "x", "title": "t"}, False, id="no mapping: oneOf"),
    pytest.param(UNMAPPED, {"component": "x"}, True, id="no mapping: exactly one"),
]


@pytest.mark.parametrize(("schema", "value", "valid"), VALIDITY)
def test_validator(schema, value, valid):
    assert (
        Validator({"type": "object", "properties": {"v": schema}}).is_valid({"v": value}) is valid
    )


def test_validator_follows_refs_of_a_recursive_schema():
    tag = {"type": "object", "required": ["children"], "properties": {}}
    tag["properties"]["children"] = {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
    validator = Validator(tag, {"#/components/schemas/Tag": tag})
    assert validator.is_valid({"children": [{"children": []}]})
    assert not validator.is_valid({"children": [{"children": [{}]}]})


def test_a_discriminator_reads_alike_with_references_and_resolved():
    denied, login = CHALLENGES["oneOf"]
    refs = {"#/c/Denied": denied, "#/c/Login": login}
    referring = {**CHALLENGES, "oneOf": [{"$ref": "#/c/Denied"}, {"$ref": "#/c/Login"}]}
    for value in ({"component": "ak-login", "title": "t"}, {"component": "ak-login"}):
        assert Validator(referring, refs).is_valid(value) is Validator(CHALLENGES).is_valid(value)


# authentik's transactional `provider`: a DictField that a PolymorphicProxySerializer
# documents with `resource_type_field_name="provider_model"`, a field beside it; no member
# has the tag (found by Schemathesis: every provider refused, "Enter a valid value.", ST202).
UUIDS = {"type": "array", "items": {"type": "string", "format": "uuid"}}
GOOGLE = {"type": "object", "properties": {"name": {"type": "string"}, "subject": {},
          "mappings": UUIDS}, "required": ["name", "subject"]}  # fmt: skip
LDAP = {"type": "object", "properties": {"name": {"type": "string"}, "mappings": UUIDS},
        "required": ["name"]}  # fmt: skip
PROVIDER = {"oneOf": [GOOGLE, LDAP], "discriminator": {"propertyName": "provider_model",
            "mapping": {"google": "#/c/Google", "ldap": "#/c/LDAP"}}}  # fmt: skip
SIBLING_TAGGED = [
    ("valid under two members", {"name": "n", "subject": "s"}, True),
    ("valid under one", {"name": "n"}, True),
    ("valid under none", {"name": 5}, False),
    (
        "a member's UUID list",
        {"name": "n", "mappings": ["e3e70682-c209-4cac-a29f-6fbed82c07cd"]},
        True,
    ),
    ("a blank in a UUID list, which every member refuses", {"name": "n", "mappings": [""]}, False),
]


@pytest.mark.parametrize(
    ("value", "valid"), [s[1:] for s in SIBLING_TAGGED], ids=[s[0] for s in SIBLING_TAGGED]
)
def test_a_discriminator_whose_tag_no_member_has_takes_any_member(value, valid):
    assert Validator(PROVIDER).is_valid(value) is valid


POINT, LINE = {"$ref": "#/components/schemas/Point"}, {"$ref": "#/components/schemas/Line"}
IMPLICIT = [
    ("members by reference: their names", {"oneOf": [POINT, LINE]},
     {"Point": POINT["$ref"], "Line": LINE["$ref"]}),
    ("anyOf too", {"anyOf": [POINT, LINE]}, {"Point": POINT["$ref"], "Line": LINE["$ref"]}),
    ("an inline member: no name, no mapping", {"oneOf": [POINT, {"type": "object"}]}, None),
    ("two members of one name: no mapping", {"oneOf": [POINT, {"$ref": "#/other/Point"}]}, None),
    ("a mapping given stays", {"oneOf": [POINT, LINE], "mapping": {"p": POINT["$ref"]}},
     {"p": POINT["$ref"]}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("node", "mapping"), [n[1:] for n in IMPLICIT], ids=[n[0] for n in IMPLICIT]
)
def test_a_discriminator_without_mapping_gets_the_one_openapi_implies(node, mapping):
    given = {"mapping": node.pop("mapping")} if "mapping" in node else {}
    document = {"components": {"schemas": {"Shape": {
        **node, "discriminator": {"propertyName": "type", **given}}}}}  # fmt: skip
    implicit_mappings(document)
    assert document["components"]["schemas"]["Shape"]["discriminator"].get("mapping") == mapping
