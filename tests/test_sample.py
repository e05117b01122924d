"""mockserver.fake.sample: a valid, plausible, deterministic value for any drf-spectacular
schema."""

from __future__ import annotations

import base64
import ipaddress
import re
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from mockserver.contract.schema import Validator
from mockserver.fake.sample import MAX_DEPTH, REDRAWS, Sampler, references, resolver, sample

KEYS = [f"things/field/{i}" for i in range(200)]
PRICE_PATTERN = r"^-?\d{0,6}(?:\.\d{0,2})?$"

# Components as drf-spectacular writes them, recursive ones included.
COMPONENTS = {
    "Tag": {
        "type": "object",
        "required": ["id", "name", "children"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": "string", "maxLength": 30},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        },
    },
    "Comment": {
        "type": "object",
        "required": ["id", "body", "parent"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "body": {"type": "string"},
            "parent": {"allOf": [{"$ref": "#/components/schemas/Comment"}], "nullable": True},
        },
    },
    "Node": {
        "type": "object",
        "required": ["name", "next"],
        "properties": {
            "name": {"type": "string"},
            "next": {"oneOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
        },
    },
    "Tree": {
        "type": "object",
        "required": ["id", "name", "children"],
        "properties": {
            "id": {"type": "integer", "readOnly": True},
            "name": {"type": "string"},
            "parent": {"allOf": [{"$ref": "#/components/schemas/Tree"}], "nullable": True},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
        },
    },
    "Cat": {
        "type": "object",
        "required": ["pet_type", "lives"],
        "properties": {
            "pet_type": {"type": "string"},
            "lives": {"type": "integer", "minimum": 1, "maximum": 9},
        },
    },
    "Dog": {
        "type": "object",
        "required": ["pet_type", "bark"],
        "properties": {"pet_type": {"type": "string"}, "bark": {"type": "string"}},
    },
    "Base": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    },
    "StatusEnum": {"type": "string", "enum": ["draft", "active"]},
    "BlankEnum": {"enum": [""]},
    "NullEnum": {"enum": [None]},
}


def resolve(node: dict) -> dict:
    return COMPONENTS[node["$ref"].rsplit("/", 1)[-1]]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def values_of(schema: dict, keys=KEYS, seed: int = 42) -> list:
    sampler = Sampler(resolve)
    return [sampler.sample(schema, key, seed) for key in keys]


def string(**extra) -> dict:
    return {"type": "string", **extra}


TIME = re.compile(r"\d\d:\d\d:\d\d(\.\d{6})?")
DURATION = re.compile(r"(\d+ )?\d\d:\d\d:\d\d(\.\d{6})?")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}")


def _ipv4(v):
    return ipaddress.IPv4Address(v).is_global


def _ipv6(v):
    return isinstance(ipaddress.IPv6Address(v), ipaddress.IPv6Address)


def _base64(v):
    return len(base64.b64decode(v, validate=True)) >= 12


def _float_text(v):
    return type(v) is float and "." in orjson.dumps(v).decode()


# (schema, name of the property holding it or "", what every value satisfies)
CASES = [
    pytest.param(string(format="date-time"), "", DATETIME.fullmatch, id="date-time as DRF"),
    pytest.param(string(format="date"), "", re.compile(r"20\d\d-\d\d-\d\d").fullmatch, id="date"),
    pytest.param(string(format="time"), "", TIME.fullmatch, id="time HH:MM:SS"),
    pytest.param(string(format="duration"), "", DURATION.fullmatch, id="duration as Django"),
    pytest.param(string(format="uuid"), "", UUID.fullmatch, id="uuid"),
    pytest.param(string(format="uri"), "", lambda v: v.startswith("https://"), id="uri"),
    pytest.param(string(format="url"), "", lambda v: v.startswith("https://"), id="url"),
    pytest.param(
        string(format="email"),
        "",
        re.compile(r"[a-z]+\.[a-z]+\d+@example\.(com|org|net)").fullmatch,
        id="email",
    ),
    pytest.param(string(format="ipv4"), "", _ipv4, id="ipv4 public"),
    pytest.param(string(format="ipv6"), "", _ipv6, id="ipv6"),
    pytest.param(
        string(format="hostname"),
        "",
        re.compile(r"[a-z]+\.example\.(com|org|net)").fullmatch,
        id="hostname",
    ),
    pytest.param(
        string(format="binary"),
        "",
        re.compile(r"https://example\.\w+/media/\w+\.\w+").fullmatch,
        id="binary: a file's URL",
    ),
    pytest.param(string(format="byte"), "", _base64, id="byte: base64"),
    pytest.param(
        string(format="decimal", pattern=PRICE_PATTERN),
        "",
        re.compile(PRICE_PATTERN).fullmatch,
        id="decimal in its pattern",
    ),
    pytest.param(
        string(format="decimal", pattern=r"^-?0?(?:\.\d{0,2})?$"),
        "",
        lambda v: v.startswith("0.") and len(v) == 4,
        id="decimal below one",
    ),
    pytest.param({"type": "number", "format": "double"}, "", _float_text, id="double: a float"),
    pytest.param({"type": "number", "format": "float"}, "", _float_text, id="float: a float"),
    pytest.param({"type": "number"}, "", _float_text, id="number: a float"),
    pytest.param(
        {"type": "number", "minimum": 2, "maximum": 3},
        "",
        lambda v: type(v) is float and 2 <= v <= 3,
        id="number within bounds",
    ),
    pytest.param(
        {"type": "number", "multipleOf": 0.5, "minimum": 0, "maximum": 10},
        "",
        lambda v: v * 2 == int(v * 2),
        id="number multipleOf",
    ),
    pytest.param(
        {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1},
        "",
        lambda v: 1 <= v <= 1000,
        id="int32 limits: a plausible range",
    ),
    pytest.param(
        {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1},
        "stock",
        lambda v: 0 <= v <= 1000,
        id="int64 positive",
    ),
    pytest.param(
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "maximum": 2},
        "",
        lambda v: v in (1, 2),
        id="3.0 exclusiveMinimum",
    ),
    pytest.param(
        {"type": "integer", "multipleOf": 5, "minimum": 1, "maximum": 100},
        "",
        lambda v: v % 5 == 0,
        id="integer multipleOf",
    ),
    pytest.param({"type": "integer"}, "rating", lambda v: 1 <= v <= 5, id="rating 1..5"),
    pytest.param({"type": "integer"}, "year", lambda v: 1990 <= v <= 2025, id="year"),
    pytest.param({"type": "integer"}, "age", lambda v: 18 <= v <= 90, id="age"),
    pytest.param({"type": "integer"}, "likes_count", lambda v: 0 <= v <= 1000, id="a count"),
    pytest.param({"type": "integer"}, "port", lambda v: 1024 <= v <= 65535, id="port"),
    pytest.param({"type": "integer"}, "percent", lambda v: 0 <= v <= 100, id="percent"),
    pytest.param({"type": "integer"}, "position", lambda v: 0 <= v <= 100, id="position"),
    pytest.param({"type": "integer"}, "widgets", lambda v: 1 <= v <= 1000, id="else 1..1000"),
    pytest.param({"type": "number"}, "latitude", lambda v: -90 <= v <= 90, id="latitude"),
    pytest.param({"type": "boolean"}, "", lambda v: v in (True, False), id="boolean"),
    pytest.param(string(), "version", re.compile(r"\d\.\d{1,2}\.\d{1,2}").fullmatch, id="version"),
    pytest.param(string(), "etag", re.compile(r"[0-9a-f]{32}").fullmatch, id="etag md5"),
    pytest.param(string(), "sha256", re.compile(r"[0-9a-f]{64}").fullmatch, id="sha256"),
    pytest.param(string(), "checksum", re.compile(r"[0-9a-f]{64}").fullmatch, id="checksum"),
    pytest.param(string(), "auth_token", re.compile(r"[0-9a-f]{40}").fullmatch, id="token"),
    pytest.param(
        string(maxLength=20), "api_key", re.compile(r"[0-9a-f]{20}").fullmatch, id="key cut"
    ),
    pytest.param(string(), "signature", re.compile(r"[0-9a-f]{64}").fullmatch, id="signature"),
    pytest.param(string(), "slug", re.compile(r"[a-z]+-[a-z]+-\d+").fullmatch, id="slug by name"),
    pytest.param(
        string(pattern="^[-a-zA-Z0-9_]+$"), "handle", re.compile(r"[-\w]+").fullmatch, id="slug"
    ),
    pytest.param(
        string(pattern=r"^[A-Z]{2,}$"), "code", re.compile(r"[A-Z]+").fullmatch, id="pattern"
    ),
    pytest.param(string(), "first_name", lambda v: v.istitle() and " " not in v, id="first name"),
    pytest.param(string(), "color", re.compile(r"#[0-9a-f]{6}").fullmatch, id="a colour"),
    pytest.param(string(), "phone", re.compile(r"\+1\d{10}").fullmatch, id="phone"),
    pytest.param(string(), "description", lambda v: v.endswith("."), id="description"),
    pytest.param(
        string(minLength=5, maxLength=8), "", lambda v: 5 <= len(v) <= 8, id="min and max length"
    ),
    pytest.param(string(maxLength=0), "website", lambda v: v == "", id="maxLength 0"),
    pytest.param({"type": "string", "enum": ["a", "b"]}, "", lambda v: v in ("a", "b"), id="enum"),
    pytest.param(ref("BlankEnum"), "", lambda v: v == "", id="BlankEnum alone"),
    pytest.param(ref("NullEnum"), "", lambda v: v is None, id="NullEnum alone"),
    pytest.param(
        {"oneOf": [ref("StatusEnum"), ref("BlankEnum"), ref("NullEnum")]},
        "",
        lambda v: v in ("draft", "active", "", None),
        id="choice, blank or null",
    ),
    pytest.param(
        {"type": ["string", "null"], "format": "date"},
        "",
        lambda v: v is None or re.fullmatch(r"\d{4}-\d\d-\d\d", v),
        id="3.1 type list",
    ),
    pytest.param(
        {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 4},
        "",
        lambda v: 2 <= len(v) <= 4,
        id="minItems maxItems",
    ),
    pytest.param(
        {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "uniqueItems": True},
        "",
        lambda v: len(set(v)) == len(v),
        id="uniqueItems",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": {"type": "integer"}},
        "counters",
        lambda v: 1 <= len(v) <= 3 and all(type(x) is int for x in v.values()),
        id="a typed map",
    ),
    pytest.param(
        {"type": "object", "additionalProperties": {"type": "integer"}, "maxProperties": 1},
        "",
        lambda v: len(v) == 1,
        id="maxProperties",
    ),
    pytest.param(
        {"type": "object", "properties": {"a": string(writeOnly=True), "b": string()}},
        "",
        lambda v: list(v) == ["b"],
        id="write-only left out",
    ),
    pytest.param(
        {"type": "object", "properties": {"a": {"type": "integer", "readOnly": True}}},
        "",
        lambda v: list(v) == ["a"],
        id="read-only present",
    ),
    pytest.param(
        {"allOf": [ref("Base"), {"properties": {"extra": {"type": "boolean"}}}]},
        "",
        lambda v: list(v) == ["id", "name", "extra"],
        id="allOf merged",
    ),
    pytest.param(
        {"allOf": [ref("Base")], "nullable": True},
        "",
        lambda v: v is None or "id" in v,
        id="a nullable nested serializer",
    ),
    pytest.param(
        {
            "type": "object",
            "properties": {
                "updated_at": string(format="date-time"),
                "created_at": string(format="date-time"),
                "modified": string(format="date-time"),
            },
        },
        "",
        lambda v: (
            list(v) == ["updated_at", "created_at", "modified"]
            and v["created_at"] <= v["updated_at"] <= "2025-12-31T23:59:59Z"
            and v["created_at"] <= v["modified"]
        ),
        id="created before updated",
    ),
    pytest.param({"const": "fixed"}, "", lambda v: v == "fixed", id="3.1 const"),
    pytest.param({}, "", lambda v: isinstance(v, dict), id="any JSON: a map"),
]


@pytest.mark.parametrize(("schema", "name", "check"), CASES)
def test_every_value_is_valid_and_fits(schema, name, check):
    wrapped = {"type": "object", "required": [name or "v"], "properties": {name or "v": schema}}
    validator = Validator(wrapped, references(wrapped, resolve))
    for value in values_of(wrapped):
        assert validator.is_valid(value), (value, validator.errors(value))
        assert check(value[name or "v"]), value


def test_floats_always_render_with_a_fraction():
    texts = {orjson.dumps(v).decode() for v in values_of({"type": "number"}, seed=1)}
    assert all("." in t for t in texts)
    assert any(t.endswith(".0") for t in values_text(range(2000))), "whole floats are 12.0"


def values_text(ids) -> list[str]:
    schema = {"type": "number", "minimum": 0, "maximum": 5}
    return [orjson.dumps(sample(schema, str(i), 3)).decode() for i in ids]


SHARES = [
    pytest.param({"type": "string", "nullable": True}, None, 0.1, id="nullable"),
    pytest.param({"type": ["integer", "null"]}, None, 0.1, id="3.1 null"),
    pytest.param({"oneOf": [ref("StatusEnum"), ref("BlankEnum")]}, "", 0.05, id="blank"),
]


@pytest.mark.parametrize(("schema", "special", "share"), SHARES)
def test_null_and_blank_come_now_and_then(schema, special, share):
    values = values_of(schema, [str(i) for i in range(2000)])
    found = sum(v == special and type(v) is type(special) for v in values) / len(values)
    assert share / 2 < found < share * 2


PET = {
    "oneOf": [ref("Cat"), ref("Dog")],
    "discriminator": {
        "propertyName": "pet_type",
        "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
    },
}
RESOLVED_PET = {**PET, "oneOf": [COMPONENTS["Cat"], COMPONENTS["Dog"]]}
UNMAPPED_PET = {"oneOf": PET["oneOf"], "discriminator": {"propertyName": "pet_type"}}


@pytest.mark.parametrize(
    ("schema", "tags"),
    [
        pytest.param(PET, {"cat": "lives", "dog": "bark"}, id="mapping"),
        pytest.param(RESOLVED_PET, {"cat": "lives", "dog": "bark"}, id="resolved: by order"),
        pytest.param(UNMAPPED_PET, {"Cat": "lives", "Dog": "bark"}, id="no mapping: names"),
    ],
)
def test_discriminator_names_the_chosen_member(schema, tags):
    values = values_of(schema)
    assert {v["pet_type"] for v in values} == set(tags), "both members are chosen"
    for value in values:
        assert tags[value["pet_type"]] in value


def depth_of(value, key: str) -> int:
    """How many times `key` nests (a list counts its deepest item)."""
    inner = value.get(key) if isinstance(value, dict) else None
    if isinstance(inner, list):
        return 1 + max((depth_of(item, key) for item in inner), default=0)
    return 0 if inner is None else 1 + depth_of(inner, key)


RECURSIVE = [
    pytest.param(ref("Tag"), "children", id="a list of itself"),
    pytest.param(ref("Comment"), "parent", id="a nullable allOf of itself"),
    pytest.param(ref("Node"), "next", id="a 3.1 oneOf with null"),
    pytest.param({"type": "array", "items": ref("Tag"), "minItems": 1}, "children", id="in a list"),
]


@pytest.mark.parametrize(("schema", "key"), RECURSIVE)
def test_a_recursive_schema_stops_at_the_bound_with_valid_values(schema, key):
    validator = Validator(schema, references(schema, resolve))
    deepest = 0
    for value in values_of(schema, KEYS[:50]):
        assert validator.is_valid(value), validator.errors(value)
        for item in value if isinstance(value, list) else [value]:
            deepest = max(deepest, depth_of(item, key))
    assert 1 <= deepest <= MAX_DEPTH


def _levels(tree: dict, level: int = 0):
    """(level, tree) of every Tree in `tree`, itself at `level`."""
    yield level, tree
    for inner in [tree.get("parent"), *tree["children"]]:
        if inner is not None:
            yield from _levels(inner, level + 1)


TREES = {"type": "array", "items": ref("Tree")}  # a Tree record's `children` field


@pytest.mark.parametrize(
    ("schema", "within", "deepest"),
    [
        pytest.param(ref("Tree"), (), 2, id="a Tree nests twice inside itself"),
        pytest.param(TREES, ("#/components/schemas/Tree",), 2, id="a Tree record's field"),
        pytest.param(TREES, (), 3, id="a list of Trees inside no Tree"),
    ],
)
def test_a_recursive_schema_ends_at_once_past_its_bound(schema, within, deepest):
    """Item 7: the deepest Tree ends with the shortest valid ending, its required list
    empty and its optional parent left out (not null, which Connexion refuses for
    `allOf: [Tree], nullable: true`). Levels count from the record (0) down."""
    sampler = Sampler(resolve, within=within)
    validator = Validator(schema, references(schema, resolve))
    levels = []
    for key in KEYS[:50]:
        value = sampler.sample(schema, key, 42)
        assert validator.is_valid(value), validator.errors(value)
        for tree in value if isinstance(value, list) else [value]:
            levels += list(_levels(tree, 1 if isinstance(value, list) else 0))
    assert max(level for level, _ in levels) == deepest
    assert {(t["children"] == [], "parent" in t) for level, t in levels if level == deepest} == {
        (True, False)
    }


def test_a_required_self_reference_ends_in_its_smallest_value():
    """At the bound a nullable gives null and a list []; a required non-nullable object that
    contains itself again has no finite value, so the walk gives up with {} far below."""
    chain = {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/c/C"}}}
    value = sample(chain, "k", 1, lambda node: chain)
    assert depth_of(value, "next") <= MAX_DEPTH + 10


def test_references_and_resolver_make_a_picklable_resolve():
    refs = references(ref("Tag"), resolve)
    assert refs == {"#/components/schemas/Tag": COMPONENTS["Tag"]}
    assert sample(ref("Tag"), "k", 7, resolver(refs)) == sample(ref("Tag"), "k", 7, resolve)


def test_a_reference_without_a_resolver_is_an_error():
    with pytest.raises(ValueError, match="no resolver"):
        sample(ref("Tag"), "k", 1)


BIG = {
    "type": "object",
    "properties": {
        "tags": {"type": "array", "items": ref("Tag")},
        "pet": PET,
        "status": {"oneOf": [ref("StatusEnum"), ref("BlankEnum"), ref("NullEnum")]},
        "score": {"type": "number", "format": "double", "nullable": True},
        "at": string(format="time"),
        "created": string(format="date-time"),
        "token": string(),
    },
}


@pytest.mark.parametrize(
    ("seed", "key", "other_seed", "other_key"),
    [
        pytest.param(42, "posts/author/7", 43, "posts/author/7", id="another seed"),
        pytest.param(42, "posts/author/7", 42, "posts/author/8", id="another key"),
    ],
)
def test_seed_and_key_decide_the_value(seed, key, other_seed, other_key):
    sampler = Sampler(resolve)
    assert sampler.sample(BIG, key, seed) == sampler.sample(BIG, key, seed)
    assert sampler.sample(BIG, key, seed) != sampler.sample(BIG, other_key, other_seed)


def test_the_same_value_in_another_process():
    here = orjson.dumps([Sampler(resolve).sample(BIG, key, 42) for key in KEYS[:20]])
    script = (
        "import sys, orjson; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "from test_sample import BIG, KEYS, Sampler, resolve;"
        "sys.stdout.buffer.write(orjson.dumps([Sampler(resolve).sample(BIG, k, 42) "
        "for k in KEYS[:20]]))"
    )
    tests = Path(__file__).parent
    there = subprocess.run(
        [sys.executable, "-c", script, str(tests.parent), str(tests)],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PATH": ""},
    ).stdout
    assert there == here


def test_a_twenty_field_object_takes_well_under_a_millisecond():
    kinds = ["string", "integer", "number", "boolean"]
    props = {f"field_{n}": {"type": kinds[n % 4]} for n in range(16)}
    props |= {
        "email": string(format="email"),
        "created": string(format="date-time"),
        "name": string(),
        "uuid": string(format="uuid"),
    }
    schema = {"type": "object", "properties": props}
    sampler = Sampler()
    start = time.perf_counter()
    for n in range(300):
        sampler.sample(schema, str(n), 1)
    assert (time.perf_counter() - start) / 300 < 0.002  # ~100 µs here; room for slow CI


# -- the shapes of published specs that made invalid records ---------------------------------

# Each failure of tests/realspecs/ cut down to its smallest schema (a field's, as the spec
# resolves it). `sample` must give valid values by itself, and the whole pipeline (the rule
# conventions infer, the generator, the store's check of every record) must build.
POINT2D = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
GEOMETRY_TYPES = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon"]


def geometry(coordinates: dict) -> dict:
    """objects-api's GeoJSON members: `allOf: [Geometry, {coordinates}]`."""
    base = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"allOf": [{"type": "string", "enum": GEOMETRY_TYPES}]}},
    }
    shape = {
        "type": "object",
        "required": ["coordinates"],
        "properties": {"coordinates": coordinates},
    }
    return {"type": "object", "allOf": [base, shape]}


def listed(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


GEOJSON = {
    "allOf": [
        {
            "type": "object",
            "oneOf": [
                geometry(POINT2D),
                geometry(listed(POINT2D)),
                geometry(listed(POINT2D, minItems=2)),
                geometry(listed(listed(POINT2D))),
                geometry(listed(listed(POINT2D))),  # Polygon: MultiLineString's shape
            ],
            "discriminator": {"propertyName": "type"},
        }
    ],
    "nullable": True,
}
UUID_STRING = {"type": "string", "format": "uuid"}
QUAL_TEXT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"value": {"type": "string"}, "uuid": UUID_STRING},
    "required": ["uuid", "value"],
}
QUAL_CHOICE = {**QUAL_TEXT, "properties": {"value": UUID_STRING, "uuid": UUID_STRING}}
# `additionalProperties: false` beside a oneOf of objects: no object satisfies it.
QUAL_AUTOMATIC = {
    "type": "object",
    "additionalProperties": False,
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"uuid": UUID_STRING, "status": {"type": "string"}},
            "required": ["status", "uuid"],
        }
    ],
}


def supplemental(action: str, data: list) -> dict:
    """kpi's supplemental details: a map of question paths to a map of one action."""
    versions = {
        "type": "object",
        "properties": {"_versions": listed({"oneOf": data})},
        "required": ["_versions"],
    }
    item = {"type": "object", "additionalProperties": versions}
    return {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {action: item},
            "required": [action],
        },
    }


GROUPED = {
    "type": "object",
    "properties": {"operating_unit": {"type": "string"}, "year": {"type": "integer"}},
    "required": ["operating_unit", "year"],
}
DETAILED = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, **GROUPED["properties"]},
    "required": ["id", "operating_unit", "year"],
}
COUNTRIES = [a + b for a in "ABCDEFGHIJ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"][:249]

CORPUS = [
    pytest.param(
        "countries",
        {"type": "array", "items": {"type": "string", "enum": COUNTRIES}},
        id="authentik: a list of an enum of 249 ids",
    ),
    pytest.param(
        "results",
        listed({"oneOf": [GROUPED, DETAILED]}),
        id="carbure: a oneOf whose member's fields are a subset of the other's",
    ),
    pytest.param(
        "eth_address",
        {"type": "string", "pattern": "^0x[a-fA-F0-9]{40}$"},
        id="coordnet: a pattern the name's text does not match",
    ),
    pytest.param(
        "data",
        {
            "type": "object",
            "properties": {
                "account": {
                    "type": "object",
                    "properties": {"is_open_for_signup": {"type": "boolean"}},
                    "required": ["authentication_method", "is_open_for_signup"],
                }
            },
            "required": ["account"],
        },
        id="inventree: a required property the object does not declare",
    ),
    pytest.param("geometry", GEOJSON, id="objects-api: GeoJSON members of the same shape"),
    pytest.param(
        "challenge",
        {
            "oneOf": [
                {"type": "object", "properties": {"component": {"type": "string"}}},
                {
                    "type": "object",
                    "properties": {"component": {"type": "string"}, "title": {"type": "string"}},
                },
            ],
            "discriminator": {
                "propertyName": "component",
                "mapping": {"ak-denied": "#/c/Denied", "ak-login": "#/c/Login"},
            },
        },
        id="authentik: challenges alike but for their discriminator's tag",
    ),
    pytest.param(
        "_supplementalDetails",
        {
            "oneOf": [
                supplemental("manual_qual", [QUAL_TEXT, QUAL_CHOICE]),
                supplemental("automatic_qual", [QUAL_AUTOMATIC]),
                {"type": "null"},
            ]
        },
        id="kpi: a oneOf of maps, an ambiguous oneOf and one no value satisfies inside",
    ),
    pytest.param(
        "transform_quantity",
        {"oneOf": [{}, {"type": "null"}]},
        id="kpi: a oneOf of any value and null, where null is valid under both",
    ),
]


@pytest.mark.parametrize(("name", "schema"), CORPUS[1:])
def test_a_corpus_shape_samples_valid_values_by_itself(name, schema):
    """The walk's own values, without `Sampler.checked`'s net, are valid."""
    validator = Validator(schema)
    sampler = Sampler()
    for key in KEYS:
        value = sampler.sample(schema, key, 42, name)
        assert validator.is_valid(value), (value, validator.errors(value)[:1])


@pytest.mark.parametrize(("name", "schema"), CORPUS)
def test_a_corpus_shape_builds_a_dataset_of_valid_records(name, schema):
    from mockserver.contract import conventions
    from mockserver.engine import store

    prop = {**schema, "x-faker": conventions.faker_rule(name, schema)}
    plan = store.BuildPlan(
        schema={"type": "object", "required": [name], "properties": {name: prop}},
        seed=42,
        personas={},
        source="spec.yaml",
        where="components/schemas/Thing",
        salt="things",
    )
    dataset = store.build(plan, 300, "k")  # raises ConfigError on an invalid record
    assert len(dataset) == 300


def test_a_pattern_gives_matching_texts_the_same_in_every_process():
    schema = {"type": "string", "pattern": r"^[^/]+/\W\w{3}$"}
    here = values_of(schema, KEYS[:20])
    assert all(re.fullmatch(r"[^/]+/\W\w{3}", v) for v in here)
    script = (
        "import sys, orjson; sys.path[:0] = [sys.argv[1]];"
        "from mockserver.fake.sample import Sampler;"
        "schema = {'type': 'string', 'pattern': sys.argv[2]};"
        "sys.stdout.buffer.write(orjson.dumps("
        "[Sampler().sample(schema, f'things/field/{i}', 42) for i in range(20)]))"
    )
    there = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent.parent), schema["pattern"]],
        capture_output=True,
        check=True,
        env={"PYTHONHASHSEED": "7", "PATH": ""},
    ).stdout
    assert orjson.loads(there) == here


def test_the_name_s_text_stays_when_it_matches_the_pattern():
    from mockserver.fake.scalars import _CITIES

    cities = [
        Sampler().sample({"type": "string", "pattern": "^[A-Za-z]+$"}, k, 1, "city") for k in KEYS
    ]
    assert set(cities) <= set(_CITIES)


def test_a_pattern_re_cannot_read_leaves_the_name_s_text():
    """An ECMA-only pattern (`\\p{L}`): the text is the name's; the record's check judges it."""
    schema = {"type": "string", "pattern": r"\p{L}+"}
    assert Sampler().sample(schema, "k", 1, "city") == Sampler().sample(
        {"type": "string"}, "k", 1, "city"
    )


# -- the safety net ------------------------------------------------------------------------


def test_checked_draws_again_then_gives_the_smallest_value():
    """A value the walk gets wrong (here: a validator that refuses every non-empty list) is
    drawn again with other keys, then replaced by the smallest value."""
    schema = {"type": "array", "items": {"type": "integer"}}

    class Refusing:
        def __init__(self):
            self.seen = []

        def is_valid(self, value):
            self.seen.append(value)
            return value == []

    refusing = Refusing()
    value = Sampler().checked(schema, "k", 1, validator=refusing)
    assert value == [] and len(refusing.seen) == 1 + REDRAWS
    assert len({orjson.dumps(v) for v in refusing.seen}) > 1, "each redraw is another value"


SMALLEST = [
    pytest.param({"type": "string", "nullable": True}, None, id="nullable: null"),
    pytest.param(listed({"type": "integer"}), [], id="a list: empty"),
    pytest.param(listed({"type": "boolean"}, minItems=2), 2, id="a list: minItems items"),
    pytest.param(
        {
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "boolean"}, "b": {"type": "integer"}},
        },
        ["a"],
        id="an object: its required properties",
    ),
    pytest.param({"type": "object", "additionalProperties": True}, {}, id="a map: empty"),
]


@pytest.mark.parametrize(("schema", "expected"), SMALLEST)
def test_the_smallest_value(schema, expected):
    value = Sampler().sample(schema, "k", 1, least=True)
    if isinstance(expected, int):
        assert isinstance(value, list) and len(value) == expected
    elif isinstance(expected, list) and isinstance(value, dict):
        assert sorted(value) == expected
    else:
        assert value == expected
    assert Validator(schema).is_valid(value)


def test_an_unsatisfiable_schema_inside_a_list_leaves_its_items_out():
    item = {"type": "object", "required": ["a"], "additionalProperties": False}
    assert values_of(listed(item), KEYS[:5]) == [[]] * 5
    with_minimum = values_of(listed(item, minItems=1), KEYS[:5])
    assert with_minimum == [None] * 5  # nothing valid: the store's check names the field
