"""datagen and the store's builds: deterministic, realistic users whose shapes follow the spec."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from mockserver import state
from mockserver.contract import packaged
from mockserver.fake.datagen import Generator

PERSONA_IDS = {1, 2, 3, 4, 5}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def generator(spec):
    """A fresh seed-42 generator, independent of the one the store used for `dataset`, salted
    as the store salts the records of /users/."""
    return Generator(spec.resources["/users/"].schema, seed=42, salt="users")


@pytest.mark.parametrize("i", [1, 7, 299, 300, 12345, 10**6])
def test_same_seed_and_i_give_the_same_record(generator, i):
    first = generator.record(i)
    assert generator.record(i) == first
    assert first["id"] == i


@pytest.mark.parametrize("i", [6, 7, 100, 300])
def test_record_does_not_depend_on_its_block(generator, i):
    """Record i drawn alone equals record i drawn among other ids, in any order."""
    alone = generator.columns([i])
    among = generator.columns([300, i, 1, 12345])
    for name in alone:
        assert repr(alone[name][0]) == repr(among[name][1]), name


def test_different_seeds_give_different_records(spec, generator):
    other = Generator(spec.resources["/users/"].schema, seed=43, salt="users")
    for i in (6, 7, 100, 300):
        one, two = generator.record(i), other.record(i)
        assert one != two
        assert one["username"] != two["username"]


@pytest.fixture(scope="module")
def builds(spec, fixtures):
    """The same seed built with 50 and with 80 users."""
    return {
        n: state.build_dataset(spec, fixtures, "/users/", 42, n, cache_dir=None) for n in (50, 80)
    }


@pytest.mark.parametrize("user_id", [1, 4, 6, 25, 49, 50])
def test_record_does_not_depend_on_the_number_of_users(builds, dataset, user_id):
    small, large = builds[50], builds[80]
    expected = small.record(small.row_of(user_id))
    assert large.record(large.row_of(user_id)) == expected
    assert dataset.record(dataset.row_of(user_id)) == expected  # the 300-user session build


def test_all_shared_ids_agree(builds):
    small, large = builds[50], builds[80]
    assert small.ids.tolist() == list(range(1, 51))
    assert large.ids.tolist() == list(range(1, 81))
    assert [small.record(r) for r in range(50)] == [large.record(r) for r in range(50)]


def test_generator_record_matches_the_dataset(generator, dataset, records):
    """Another generator of the same seed (the store's) made the same users."""
    for user_id in (6, 150, 300):
        typed = generator.record(user_id)
        exported = records[dataset.row_of(user_id)]
        for name in ("username", "email", "phone", "first_name", "groups", "is_active"):
            assert typed[name] == exported[name], (user_id, name)


# -- value shapes, over every record of the session dataset ------------------------------------

HEX32 = re.compile(r"[0-9a-f]{32}")
PHONE = re.compile(r"05\d{9}")

SHAPES = [
    pytest.param(lambda r, spec: PHONE.fullmatch(r["phone"]) is not None, id="phone 05 + 9 digits"),
    pytest.param(lambda r, spec: r["pk"] == r["id"], id="pk equals id"),
    pytest.param(lambda r, spec: r["language_code"] in {"tr-tr", "en-us"}, id="language_code"),
    pytest.param(lambda r, spec: r["gender"] in {"male", "female", None}, id="gender"),
    pytest.param(lambda r, spec: r["user_type"] in {"guest", "registered"}, id="user_type"),
    pytest.param(
        lambda r, spec: set(r["groups"]) <= set(spec.schema("GroupId")["enum"]),
        id="groups from GroupId",
    ),
    pytest.param(
        lambda r, spec: set(r["user_permissions"]) <= set(spec.schema("PermissionId")["enum"]),
        id="permissions from PermissionId",
    ),
    pytest.param(
        lambda r, spec: (
            r["groups"] == sorted(set(r["groups"]))
            and r["user_permissions"] == sorted(set(r["user_permissions"]))
        ),
        id="ids sorted and distinct",
    ),
    pytest.param(
        lambda r, spec: (
            r["last_login"] is None or moment(r["date_joined"]) <= moment(r["last_login"])
        ),
        id="date_joined <= last_login",
    ),
    pytest.param(
        lambda r, spec: moment(r["date_joined"]) <= moment(r["modified_date"]),
        id="date_joined <= modified_date",
    ),
    pytest.param(
        lambda r, spec: (
            r["last_login"] is None or moment(r["last_login"]) <= moment(r["modified_date"])
        ),
        id="last_login <= modified_date",
    ),
    pytest.param(
        lambda r, spec: all(
            r[f] is None or re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z", r[f])
            for f in ("date_joined", "last_login", "modified_date")
        ),
        id="date-times UTC Z",
    ),
    pytest.param(
        lambda r, spec: all(
            r[f] is None or not r[f].endswith(".000000Z")
            for f in ("date_joined", "last_login", "modified_date")
        ),
        id="zero microseconds dropped",
    ),
    pytest.param(
        lambda r, spec: (
            r["date_of_birth"] is None
            or re.fullmatch(r"\d{4}-\d\d-\d\d", r["date_of_birth"]) is not None
        ),
        id="date_of_birth YYYY-MM-DD",
    ),
    pytest.param(
        lambda r, spec: r["avatar"] is None or r["avatar"].startswith("https://"),
        id="avatar null or absolute URL",
    ),
    pytest.param(lambda r, spec: "@" in r["email"], id="email has @"),
    pytest.param(lambda r, spec: list(r) == sorted(r), id="fields alphabetical"),
    pytest.param(
        lambda r, spec: set(r) == set(spec.resources["/users/"].schema["properties"]),
        id="every User field",
    ),
    pytest.param(
        lambda r, spec: not r["is_anonymized"] or not r["is_active"], id="anonymized are inactive"
    ),
    pytest.param(
        lambda r, spec: not r["is_superuser"] or r["is_staff"] or r["id"] in PERSONA_IDS,
        id="superusers are staff",
    ),
]


@pytest.mark.parametrize("check", SHAPES)
def test_shapes(spec, records, check):
    wrong = [r["id"] for r in records if not check(r, spec)]
    assert wrong == []


def test_generated_usernames_are_32_hex(records):
    wrong = [
        r["id"]
        for r in records
        if r["id"] not in PERSONA_IDS and not HEX32.fullmatch(r["username"])
    ]
    assert wrong == []


def test_ids_are_1_to_users(dataset, records):
    assert [r["id"] for r in records] == list(range(1, 301))
    assert dataset.ids.tolist() == list(range(1, 301))


def test_personas_replace_generated_users(records):
    """Every field a persona names is exported as written in fixtures/personas.yaml."""
    personas = yaml.safe_load(Path(packaged.fixtures_dir(), "personas.yaml").read_text())
    for persona in personas:
        exported = records[persona["id"] - 1]
        for name, value in persona.items():
            assert exported[name] == value, (persona["id"], name)


# -- a realistic spread over 300 users ---------------------------------------------------------


def share(records, predicate) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


SPREAD = [
    pytest.param(lambda r: r["is_active"] is True, 0.7, 0.99, id="is_active mostly true"),
    pytest.param(lambda r: r["call_allowed"] is None, 0.2, 0.5, id="call_allowed has nulls"),
    pytest.param(lambda r: r["call_allowed"] is True, 0.1, 0.5, id="call_allowed true"),
    pytest.param(lambda r: r["gender"] == "male", 0.3, 0.6, id="men"),
    pytest.param(lambda r: r["gender"] == "female", 0.3, 0.6, id="women"),
    pytest.param(lambda r: r["gender"] is None, 0.03, 0.2, id="gender null"),
    pytest.param(lambda r: r["last_login"] is None, 0.04, 0.25, id="never logged in"),
    pytest.param(lambda r: r["date_of_birth"] is None, 0.1, 0.4, id="no birthday"),
    pytest.param(lambda r: r["avatar"] is None, 0.4, 0.8, id="no avatar"),
    pytest.param(lambda r: r["language_code"] == "tr-tr", 0.5, 0.8, id="mostly tr-tr"),
    pytest.param(lambda r: r["user_type"] == "guest", 0.1, 0.3, id="some guests"),
    pytest.param(lambda r: bool(r["groups"]), 0.1, 0.3, id="some in groups"),
    pytest.param(lambda r: r["is_staff"] is True, 0.005, 0.1, id="few staff"),
    pytest.param(lambda r: r["email_allowed"] is True, 0.4, 0.7, id="email consent"),
    pytest.param(lambda r: bool(r["attributes"]), 0.7, 0.95, id="attributes mostly set"),
    pytest.param(lambda r: ".", 0.0, 1.0, id="sanity"),
]


@pytest.mark.parametrize(("predicate", "low", "high"), SPREAD)
def test_realistic_spread(records, predicate, low, high):
    assert low <= share(records, predicate) <= high


def test_fractional_and_whole_second_datetimes(records):
    """Real date-times carry microseconds most of the time, but not always."""
    texts = [r["modified_date"] for r in records]
    whole = sum(1 for t in texts if "." not in t)
    assert 0 < whole < len(texts)


def test_export_is_compact_utf8(dataset):
    raw = dataset.record(dataset.row_of(4))
    assert "Ayşe".encode() in raw
    assert b": " not in raw and b", " not in raw.split(b'"display_name"')[0]
    assert json.loads(raw)["id"] == 4


# -- floats and sampled values ----------------------------------------------------------------

import math  # noqa: E402

import numpy as np  # noqa: E402
import orjson  # noqa: E402

from mockserver.contract import conventions  # noqa: E402
from mockserver.contract.schema import Validator  # noqa: E402
from mockserver.errors import ConfigError  # noqa: E402
from mockserver.fake.sample import references  # noqa: E402

NESTED = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}


def _generator(properties: dict, refs=None, seed: int = 42) -> Generator:
    """A generator over these properties with the rules conventions.faker_rule infers."""
    props = {
        name: {**prop, "x-faker": prop.get("x-faker") or conventions.faker_rule(name, prop)}
        for name, prop in properties.items()
    }
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, **props}}
    schema["properties"]["id"]["x-faker"] = {"sequence": True}
    return Generator(schema, seed, salt="things", refs=refs)


FLOAT_RULES = [
    pytest.param({"float": {"min": 0, "max": 100000, "places": 0}}, 0, id="whole floats"),
    pytest.param({"float": {"min": -1, "max": 1, "places": 3}}, 3, id="three places"),
    pytest.param({"decimal": {"min": 0, "max": 10, "places": 2}}, 2, id="decimal on a number"),
    pytest.param({"integer": {"min": 1, "max": 9}}, 0, id="integer on a number"),
    pytest.param({"choice": [0.5, 1.5]}, 1, id="choice on a number"),
]


@pytest.mark.parametrize(("rule", "places"), FLOAT_RULES)
def test_a_number_column_is_floats_rendered_with_their_fraction(rule, places):
    gen = _generator({"score": {"type": "number", "format": "double", "x-faker": rule}})
    column = gen.columns(list(range(1, 201)))["score"]
    assert column.dtype == np.float64
    for value in column.tolist():
        text = orjson.dumps(value).decode()
        assert "." in text and len(text.split(".")[1]) <= max(places, 1), text
        assert text == json.dumps(value)  # as Python's json, hence DRF, writes the float


def test_a_nullable_float_is_nan_in_the_column_and_none_in_the_record():
    gen = _generator({"weight": {"type": "number", "format": "float", "nullable": True}})
    column = gen.columns(list(range(1, 301)))["weight"]
    nulls = int(np.isnan(column).sum())
    assert 10 < nulls < 60
    row = int(np.flatnonzero(np.isnan(column))[0])
    assert gen.record(row + 1)["weight"] is None
    assert isinstance(gen.record(int(np.flatnonzero(~np.isnan(column))[0]) + 1)["weight"], float)


def test_whole_floats_render_as_drf_does():
    """DRF's FloatField.to_representation is float(value): 72617.0, never 72617."""
    gen = _generator({"n": {"type": "number", "x-faker": {"float": {"min": 7, "max": 7}}}})
    assert orjson.dumps(gen.record(1)["n"]) == b"7.0"


SAMPLED = [
    pytest.param(NESTED, lambda v: set(v) == {"name"}, id="nested serializer"),
    pytest.param(
        {"type": "array", "items": NESTED},
        lambda v: 1 <= len(v) <= 3 and all("name" in x for x in v),
        id="array of objects",
    ),
    pytest.param(
        {"allOf": [NESTED], "nullable": True},
        lambda v: v is None or "name" in v,
        id="nullable allOf",
    ),
    pytest.param(
        {"type": "string", "format": "time"},
        lambda v: re.fullmatch(r"\d\d:\d\d:\d\d(\.\d{6})?", v),
        id="time as DRF",
    ),
    pytest.param(
        {"type": "string", "format": "duration"},
        lambda v: re.fullmatch(r"(\d+ )?\d\d:\d\d:\d\d(\.\d{6})?", v),
        id="duration as DRF",
    ),
    pytest.param(
        {"type": "integer", "x-faker": {"sample": True}}, lambda v: type(v) is int, id="integer"
    ),
    pytest.param(
        {"type": "string", "format": "date-time", "x-faker": {"sample": True}},
        lambda v: v.endswith("Z"),
        id="a date-time column",
    ),
]


@pytest.mark.parametrize(("prop", "check"), SAMPLED)
def test_sample_rule_makes_whole_values(prop, check):
    gen = _generator({"field": prop})
    values = [gen.record(i)["field"] for i in range(1, 60)]
    stored_kind = gen.kinds["field"]
    if stored_kind == "datetime":
        from mockserver.contract.timefmt import format_datetime

        values = [format_datetime(v) for v in values]
    assert all(check(v) for v in values), values
    assert len({json.dumps(v) for v in values}) > 5, "records differ"


def test_sample_rule_keys_by_salt_field_and_id():
    """Record i's value is sample(prop, "<salt>/<field>/<i>", seed), whatever the block."""
    from mockserver.fake.sample import sample

    gen = _generator({"author": NESTED})
    alone = gen.columns([7])["author"][0]
    among = gen.columns([3, 7, 100])["author"][1]
    assert alone == among == sample(NESTED, "things/author/7", 42)


def test_sample_rule_follows_refs_of_a_recursive_schema():
    tag = {
        "type": "object",
        "required": ["name", "children"],
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        },
    }
    prop = {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}
    refs = references(prop, lambda node: tag)
    gen = _generator({"tags": prop}, refs=refs)
    validator = Validator({"type": "object", "properties": {"tags": prop}}, refs)
    for i in range(1, 40):
        record = gen.record(i)
        assert validator.is_valid(record), validator.errors(record)
        assert record["tags"] and all("children" in t for t in record["tags"])


UNENDING = [
    pytest.param(
        "components/schemas/Tag",
        {"parent": {"$ref": "#/components/schemas/Tag"}},
        "components/schemas/Tag/parent: a Tag always needs another Tag: no record can end",
        id="a Tag's required parent",
    ),
    pytest.param(
        "components/schemas/Tag",
        {"group": {"$ref": "#/components/schemas/Group"}},
        "components/schemas/Tag/group: a Tag always needs a Group: no record can end",
        id="a Tag's Group that needs a Tag",
    ),
    pytest.param(
        "paths /tags/ get 200",
        {"item": {"$ref": "#/components/schemas/Item"}},
        "paths /tags/ get 200/item: a record always needs an Item: no record can end",
        id="an inline schema's field",
    ),
]


@pytest.mark.parametrize(("where", "properties", "line"), UNENDING)
def test_a_schema_no_record_can_end_is_one_line(where, properties, line):
    """Item 7: a required, non-nullable `parent: Tag` of a Tag has no finite value; before,
    the build blamed `.../x-faker made tag 1 invalid`."""

    def needs(field: str, ref: str) -> dict:
        return {"type": "object", "required": [field], "properties": {field: {"$ref": ref}}}

    components = {
        "#/components/schemas/Tag": needs("parent", "#/components/schemas/Tag"),
        "#/components/schemas/Group": needs("lead", "#/components/schemas/Tag"),
        "#/components/schemas/Item": needs("item", "#/components/schemas/Item"),
    }
    props = {n: {**p, "x-faker": {"sample": True}} for n, p in properties.items()}
    schema = {"type": "object", "required": list(props), "properties": props}
    refs = references(schema, lambda node: components[node["$ref"]])
    with pytest.raises(ConfigError) as caught:
        Generator(schema, 42, "s.yaml", where, "tags", refs)
    assert str(caught.value) == f"s.yaml: {line}"


def test_sample_rule_takes_only_true():
    with pytest.raises(ConfigError, match="field/x-faker is malformed"):
        _generator({"field": {**NESTED, "x-faker": {"sample": {"depth": 2}}}})


FAILING = [
    pytest.param(
        {"type": "integer", "enum": ["low", "high"], "x-faker": {"sample": True}},
        "failed: ValueError: invalid literal for int() with base 10: 'low'",
        id="a value its column cannot hold",
    ),
    pytest.param(
        {"$ref": "#/components/schemas/Missing", "x-faker": {"sample": True}},
        "is malformed: no resolver for '#/components/schemas/Missing'",
        id="a reference nothing resolves",
    ),
]


@pytest.mark.parametrize(("prop", "message"), FAILING)
def test_an_exception_in_generation_is_one_config_error_naming_spec_schema_field(prop, message):
    with pytest.raises(ConfigError) as caught:
        _generator({"level": prop}).columns([1, 2])
    assert str(caught.value) == (
        f"openapi/users.yaml: components/schemas/User/level/x-faker {message}"
    )


def test_a_sampled_value_is_checked_against_the_field_s_schema():
    """A field whose schema no walk satisfies at first (a oneOf of two members that accept
    the same integers) still gets valid values: the checked sample draws again."""
    prop = {"oneOf": [{"type": "integer"}, {"type": "number"}], "x-faker": {"sample": True}}
    gen = _generator({"amount": prop})
    validator = Validator({k: v for k, v in prop.items() if k != "x-faker"})
    values = [gen.record(i)["amount"] for i in range(1, 100)]
    assert all(validator.is_valid(v) for v in values), values


def test_updated_comes_after_created_in_every_record():
    created = {"type": "string", "format": "date-time", "readOnly": True}
    fields = {"created_at": created, "updated_at": created}
    props = {
        n: {**p, "x-faker": conventions.faker_rule(n, p, None, fields)} for n, p in fields.items()
    }
    gen = _generator(props)
    columns = gen.columns(list(range(1, 500)))
    assert (columns["created_at"] <= columns["updated_at"]).all()
    assert not math.isnan(float(columns["updated_at"].max()))
