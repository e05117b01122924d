"""select and order against naive references computed from the exported JSON records.

Each case parses a query string as the app does, runs query.select / query.order over the
small session dataset, and compares the ids with plain Python over `json.loads` of every
record. Lenient and strict mode must agree wherever both accept the query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from mockserver import state
from mockserver.engine.query import order, select
from mockserver.engine.store import Dataset

STRICT, LENIENT = True, False
MODES = pytest.mark.parametrize("strict", [STRICT, LENIENT], ids=["strict", "lenient"])

BOOLEAN_FIELDS = (
    "is_active",
    "is_staff",
    "is_superuser",
    "is_anonymized",
    "email_allowed",
    "sms_allowed",
    "call_allowed",
)
DATETIME_FIELDS = ("date_joined", "last_login", "modified_date")
SORTABLE = (
    "avatar",
    "call_allowed",
    "date_joined",
    "date_of_birth",
    "email",
    "email_allowed",
    "first_name",
    "gender",
    "id",
    "is_active",
    "is_anonymized",
    "is_staff",
    "is_superuser",
    "language_code",
    "last_login",
    "last_name",
    "modified_date",
    "phone",
    "pk",
    "sms_allowed",
    "user_type",
    "username",
)


# Nullable fields and how often a "null persona" leaves each one null (every k-th persona).
NULLABLE = ("call_allowed", "last_login", "gender", "avatar", "date_of_birth")


@dataclass(frozen=True)
class Data:
    dataset: Dataset
    records: list[dict]


def _decoded(dataset: Dataset) -> list[dict]:
    return [json.loads(dataset.record(row)) for row in range(len(dataset))]


@pytest.fixture(scope="module")
def null_data(spec, fixtures) -> Data:
    """A second dataset whose extra personas (ids 6..35) carry nulls in every nullable
    field, so null semantics are exercised whatever the generator draws."""
    personas = dict(fixtures.personas)
    for number, user_id in enumerate(range(6, 36)):
        nulls = {f: None for k, f in enumerate(NULLABLE) if number % (k + 2) == 0}
        personas[user_id] = {"id": user_id, "pk": user_id, **nulls}
    # Seed 42 as the session dataset: the store reuses its generator (and vocabularies).
    built = state.build_dataset(spec, replace(fixtures, personas=personas), "/users/", 42, 90)
    return Data(built, _decoded(built))


@pytest.fixture(scope="module", params=["generated", "null personas"])
def data(request, dataset) -> Data:
    if request.param == "generated":
        return Data(dataset, _decoded(dataset))
    return request.getfixturevalue("null_data")


@pytest.fixture(scope="module")
def run(parse, data):
    """`run(query, strict)`: the ids the engine returns, in order, for a query string."""

    def ids(query, strict: bool) -> list[int]:
        parsed = parse(query, strict)
        rows = select(data.dataset, parsed.filters)
        rows = order(data.dataset, rows, parsed.sort)
        return data.dataset.ids[rows].tolist()

    return ids


@pytest.fixture(scope="module")
def records(data) -> list[dict]:
    """The records of the dataset under test (shadows the session-wide fixture)."""
    return data.records


def where(records, predicate) -> list[int]:
    return [r["id"] for r in records if predicate(r)]


def moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


# -- booleans ----------------------------------------------------------------------------------

BOOLEAN_TEXTS = [
    pytest.param("true", True, id="true"),
    pytest.param("1", True, id="1"),
    pytest.param("TRUE", True, id="TRUE"),
    pytest.param("false", False, id="false"),
    pytest.param("0", False, id="0"),
    pytest.param("False", False, id="False"),
]


@MODES
@pytest.mark.parametrize("field", BOOLEAN_FIELDS)
@pytest.mark.parametrize(("text", "value"), BOOLEAN_TEXTS)
def test_boolean_filter(run, records, strict, field, text, value):
    assert run(f"{field}={text}", strict) == where(records, lambda r: r[field] is value)


def test_null_call_allowed_matches_neither(run, records):
    nulls = where(records, lambda r: r["call_allowed"] is None)
    matched = set(run("call_allowed=true", STRICT)) | set(run("call_allowed=false", STRICT))
    assert matched.isdisjoint(nulls)
    assert len(matched) + len(nulls) == len(records)


@pytest.mark.parametrize("text", ["yes", "2", "maybe", ""])
def test_bad_boolean_lenient_matches_everyone(run, records, text):
    assert run(f"is_active={text}", LENIENT) == where(records, lambda r: True)


# -- numbers -----------------------------------------------------------------------------------

COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
ID_PARAMS = {"id": "exact", "id__gt": "gt", "id__gte": "gte", "id__lt": "lt", "id__lte": "lte"}


@MODES
@pytest.mark.parametrize("name", list(ID_PARAMS))
@pytest.mark.parametrize("value", [-1, 1, 5, 90, 299, 300, 301, 10**30])
def test_id_ranges(run, records, strict, name, value):
    test = COMPARE[ID_PARAMS[name]]
    assert run(f"{name}={value}", strict) == where(records, lambda r: test(r["id"], value))


DECIMAL_IDS = [
    pytest.param("id=1.5", lambda i: i == 1, id="id=1.5 is id 1"),
    pytest.param("id__gt=1.5", lambda i: i > 1, id="gt 1.5"),
    pytest.param("id__lte=150.9", lambda i: i <= 150, id="lte 150.9"),
    pytest.param("id__gte=-0.5", lambda i: i >= 0, id="gte -0.5"),
]


@pytest.mark.parametrize(("query", "test"), DECIMAL_IDS)
def test_decimal_id_truncated_lenient(run, records, query, test):
    assert run(query, LENIENT) == where(records, lambda r: test(r["id"]))


# -- date-times --------------------------------------------------------------------------------


def _median_record(records, field):
    present = sorted((r for r in records if r[field] is not None), key=lambda r: moment(r[field]))
    return present[len(present) // 2]


BOUNDARIES = {
    # name -> function(records, field) -> the text sent
    "a record's value (Z)": lambda records, f: _median_record(records, f)[f],
    "a record's value at +03:00": lambda records, f: (
        moment(_median_record(records, f)[f]).astimezone(timezone(timedelta(hours=3))).isoformat()
    ),
    "a record's value at -05:30, space": lambda records, f: (
        moment(_median_record(records, f)[f])
        .astimezone(timezone(-timedelta(hours=5, minutes=30)))
        .isoformat(sep=" ")
    ),
    "date only": lambda records, f: "2023-06-01",
    "space, no zone": lambda records, f: "2023-06-01 12:30:00",
    "far past": lambda records, f: "1990-01-01T00:00:00Z",
    "far future": lambda records, f: "2100-01-01T00:00:00Z",
}


def _as_utc(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@MODES
@pytest.mark.parametrize("lookup", ["exact", "gt", "gte", "lt", "lte"])
@pytest.mark.parametrize("boundary", list(BOUNDARIES))
def test_modified_date_ranges(run, records, strict, lookup, boundary):
    text = BOUNDARIES[boundary](records, "modified_date")
    name = "modified_date" if lookup == "exact" else f"modified_date__{lookup}"
    limit, test = _as_utc(text), COMPARE[lookup]
    expected = where(records, lambda r: test(moment(r["modified_date"]), limit))
    assert run([(name, text)], strict) == expected


@MODES
@pytest.mark.parametrize("field", DATETIME_FIELDS)
@pytest.mark.parametrize(
    "boundary", ["a record's value (Z)", "a record's value at +03:00", "date only"]
)
def test_datetime_exact(run, records, strict, field, boundary):
    text = BOUNDARIES[boundary](records, field)
    wanted = _as_utc(text)
    expected = where(records, lambda r: r[field] is not None and moment(r[field]) == wanted)
    found = run([(field, text)], strict)
    assert found == expected
    if boundary != "date only":
        assert found, "a record's own value must match it"


@MODES
@pytest.mark.parametrize("form", ["iso", "us"], ids=["YYYY-MM-DD", "MM/DD/YYYY"])
def test_date_of_birth_exact(run, records, strict, form):
    birthday = next(r["date_of_birth"] for r in records[10:] if r["date_of_birth"])
    year, month, day = birthday.split("-")
    text = birthday if form == "iso" else f"{month}/{day}/{year}"
    found = run([("date_of_birth", text)], strict)
    assert found == where(records, lambda r: r["date_of_birth"] == birthday)
    assert found


# -- many-to-many ------------------------------------------------------------------------------

ANY_OF = [
    *(pytest.param("groups", (g,), id=f"group {g}") for g in (1, 2, 3, 4, 5)),
    pytest.param("groups", (1, 2), id="groups 1 or 2"),
    pytest.param("groups", (2, 5, 3), id="groups 2 5 3"),
    pytest.param("groups", (1, 2, 3, 4, 5), id="every group"),
    pytest.param("groups", (2, 2), id="group 2 twice"),
    pytest.param("user_permissions", (9,), id="permission 9"),
    pytest.param("user_permissions", (21,), id="permission 21"),
    pytest.param("user_permissions", (22, 24), id="permissions 22 or 24"),
    pytest.param("user_permissions", (9, 10, 11, 12, 21, 22, 23, 24), id="every permission"),
]


@MODES
@pytest.mark.parametrize(("field", "ids"), ANY_OF)
def test_many_to_many_any_of(run, records, strict, field, ids):
    query = "&".join(f"{field}={i}" for i in ids)
    found = run(query, strict)
    assert found == where(records, lambda r: any(i in ids for i in r[field]))
    assert len(found) == len(set(found)), "each record at most once"


def test_every_group_appears_somewhere(records):
    """The any-of property above is only meaningful if users have groups at all."""
    assert {g for r in records for g in r["groups"]} >= {1, 2}
    assert any(r["user_permissions"] for r in records)


# -- choices and text --------------------------------------------------------------------------

EXACT = [
    pytest.param("gender", "male", id="gender male"),
    pytest.param("gender", "female", id="gender female"),
    pytest.param("user_type", "guest", id="user_type guest"),
    pytest.param("user_type", "registered", id="user_type registered"),
    pytest.param("language_code", "tr-tr", id="language tr-tr"),
    pytest.param("language_code", "en-us", id="language en-us"),
    pytest.param("language_code", "TR-TR", id="language is case-sensitive"),
    pytest.param("language_code", "tr", id="language is exact"),
    pytest.param("email", "ayse.yilmaz@example.com", id="email"),
    pytest.param("email", "AYSE.YILMAZ@example.com", id="email is case-sensitive"),
    pytest.param("email", "ayse", id="email is not partial"),
    pytest.param("first_name", "Ayşe", id="first_name non-ascii"),
    pytest.param("first_name", "ayşe", id="first_name case"),
    pytest.param("last_name", "Yılmaz", id="last_name dotless i"),
    pytest.param("username", "admin", id="username"),
    pytest.param("username", "Admin", id="username case"),
    pytest.param("username", "4251d92a20e3d795d30bfd5b4fa5f6f2", id="username hash"),
    pytest.param("phone", "05320000000", id="phone"),
]


@MODES
@pytest.mark.parametrize(("field", "value"), EXACT)
def test_exact_values(run, records, strict, field, value):
    assert run([(field, value)], strict) == where(records, lambda r: r[field] == value)


@MODES
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("email=ayse.yilmaz@example.com", [4], id="persona 4 by email"),
        pytest.param("username=%20admin%20", [1], id="spaces stripped"),
        pytest.param("username=Admin", [], id="case-sensitive"),
        pytest.param("first_name=Jane&last_name=Doe", [5], id="persona 5"),
        pytest.param("password=secret", [], id="password matches nothing"),
        pytest.param("password=secret&id=1", [], id="password with a match"),
    ],
)
def test_known_personas(run, strict, query, expected):
    assert run(query, strict) == expected


# -- JSON containment --------------------------------------------------------------------------


def contains(value, wanted) -> bool:
    """PostgreSQL jsonb `@>`, written independently of mockserver.engine.query."""
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            k in value and contains(value[k], v) for k, v in wanted.items()
        )
    if isinstance(wanted, list):
        return isinstance(value, list) and all(any(contains(x, w) for x in value) for w in wanted)
    return isinstance(value, bool) == isinstance(wanted, bool) and value == wanted


CONTAINMENT = [
    pytest.param("attributes", {}, id="attributes {} matches all"),
    pytest.param("attributes", {"confirm": True}, id="confirm true"),
    pytest.param("attributes", {"confirm": False}, id="confirm false"),
    pytest.param("attributes", {"confirm": 1}, id="1 is not true"),
    pytest.param("attributes", {"register_client_type": "ios"}, id="client ios"),
    pytest.param(
        "attributes", {"register_client_type": "android", "verified_phone": True}, id="two keys"
    ),
    pytest.param("attributes", {"nope": 1}, id="missing key"),
    pytest.param("attributes_kwargs", {}, id="kwargs {}"),
    pytest.param("attributes_kwargs", {"a": 1}, id="kwargs a"),
    pytest.param("localized_attributes", {"tr-tr": {}}, id="localized tr-tr"),
    pytest.param("localized_attributes", {"en-us": {}}, id="localized en-us"),
    pytest.param("localized_attributes_kwargs", {}, id="localized kwargs {}"),
]


@MODES
@pytest.mark.parametrize(("field", "wanted"), CONTAINMENT)
def test_json_containment(run, records, strict, field, wanted):
    found = run([(field, json.dumps(wanted))], strict)
    assert found == where(records, lambda r: contains(r[field], wanted))


@MODES
def test_localized_display_name(run, records, strict):
    record = next(r for r in records if r["localized_attributes"])
    wanted = record["localized_attributes"]
    found = run([("localized_attributes", json.dumps(wanted, ensure_ascii=False))], strict)
    assert record["id"] in found
    assert found == where(records, lambda r: contains(r["localized_attributes"], wanted))


# -- empty and unknown, AND ---------------------------------------------------------------------


def test_empty_values_lenient_match_everyone(run, records):
    query = "id=&is_active=&gender=&modified_date__gt=&date_of_birth=&email=&attributes="
    assert run(query, LENIENT) == where(records, lambda r: True)


@MODES
def test_empty_text_matches_everyone(run, records, strict):
    assert run("email=&first_name=&password=", strict) == where(records, lambda r: True)


def test_unknown_parameter_lenient_is_ignored(run, records):
    assert run("foo=bar&ordering=-id", LENIENT) == where(records, lambda r: True)


AND = [
    pytest.param(
        "is_active=true&gender=female",
        lambda r: r["is_active"] is True and r["gender"] == "female",
        id="active women",
    ),
    pytest.param(
        "email_allowed=false&sms_allowed=true&id__gt=100",
        lambda r: r["email_allowed"] is False and r["sms_allowed"] is True and r["id"] > 100,
        id="consents and id",
    ),
    pytest.param(
        "user_type=registered&language_code=en-us&call_allowed=false",
        lambda r: (
            r["user_type"] == "registered"
            and r["language_code"] == "en-us"
            and r["call_allowed"] is False
        ),
        id="type language call",
    ),
    pytest.param(
        "id__gte=10&id__lt=20&gender=male",
        lambda r: 10 <= r["id"] < 20 and r["gender"] == "male",
        id="id window and gender",
    ),
    pytest.param(
        "is_active=true&is_active=false",
        lambda r: r["is_active"] is False,
        id="repeated boolean last wins",
    ),
    pytest.param(
        "groups=1&groups=2&is_active=true",
        lambda r: bool({1, 2} & set(r["groups"])) and r["is_active"] is True,
        id="groups and active",
    ),
    pytest.param(
        "modified_date__gte=2022-01-01&modified_date__lt=2024-01-01&user_type=guest",
        lambda r: (
            moment("2022-01-01T00:00:00Z")
            <= moment(r["modified_date"])
            < moment("2024-01-01T00:00:00Z")
            and r["user_type"] == "guest"
        ),
        id="date window and type",
    ),
    pytest.param("id=4&id__gt=10", lambda r: False, id="contradiction"),
]


@MODES
@pytest.mark.parametrize(("query", "predicate"), AND)
def test_filters_are_anded(run, records, strict, query, predicate):
    assert run(query, strict) == where(records, predicate)


def test_null_personas_hold_nulls(null_data):
    """The second dataset really has nulls in every nullable field (else the null cases
    would prove nothing)."""
    for field in NULLABLE:
        assert any(r[field] is None for r in null_data.records), field


def test_select_narrows_given_rows(data, parse):
    parsed = parse("is_active=true", STRICT)
    rows = np.array([0, 1, 2, 3, 4], dtype=np.int64)  # ids 1..5: 2 and 3 are inactive
    assert data.dataset.ids[select(data.dataset, parsed.filters, rows)].tolist() == [1, 4, 5]


# -- ordering ----------------------------------------------------------------------------------


def sort_key(record, field):
    value = record["id" if field == "pk" else field]
    if value is None:
        return (1, 0)
    return (0, moment(value) if field in DATETIME_FIELDS else value)


def reference_order(records, terms) -> list[int]:
    """Stable sorts from the last term to the first, starting from ascending id: ties keep
    ascending id, nulls last ascending and first descending, text by code point."""
    rows = sorted(records, key=lambda r: r["id"])
    for field, descending in reversed(terms):
        rows = sorted(rows, key=lambda r, f=field: sort_key(r, f), reverse=descending)
    return [r["id"] for r in rows]


def terms_of(text: str) -> list[tuple[str, bool]]:
    return [(t.strip().lstrip("-"), t.strip().startswith("-")) for t in text.split(",")]


def test_sortable_table_matches_spec(spec):
    assert spec.resources["/users/"].sortable == SORTABLE


def test_default_order_is_ascending_id(run, records):
    assert run("", STRICT) == sorted(r["id"] for r in records)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("field", SORTABLE)
def test_sort_one_field(run, records, field, descending):
    """Sorting is the same in both modes (they differ only on unknown terms, below)."""
    sort = f"-{field}" if descending else field
    assert run(f"sort={sort}", STRICT) == reference_order(records, [(field, descending)])


SUBSETS = [
    pytest.param("is_active=true", lambda r: r["is_active"] is True, id="active"),
    pytest.param("gender=female", lambda r: r["gender"] == "female", id="women"),
    pytest.param("id__gt=250", lambda r: r["id"] > 250, id="id over 250"),
]


@pytest.mark.parametrize(("query", "predicate"), SUBSETS)
@pytest.mark.parametrize(
    "sort", ["-date_joined", "first_name", "-call_allowed", "gender", "-last_login"]
)
def test_sort_filtered_subset(run, records, query, predicate, sort):
    subset = [r for r in records if predicate(r)]
    assert run(f"{query}&sort={sort}", STRICT) == reference_order(subset, terms_of(sort))


MULTI = [
    "gender,-id",
    "-gender,id",
    "gender,-date_joined",
    "call_allowed,-date_of_birth",
    "-call_allowed,date_of_birth",
    "-is_active,last_login,-email",
    "user_type,-gender,date_joined",
    "language_code,-call_allowed,avatar",
    "-is_staff,-is_superuser",
    "email_allowed,sms_allowed,-pk",
]


@pytest.mark.parametrize("sort", MULTI)
def test_sort_several_fields(run, records, sort):
    assert run(f"sort={sort}", STRICT) == reference_order(records, terms_of(sort))


@pytest.mark.parametrize("sort", MULTI[:4])
def test_sort_several_fields_on_subset(run, records, sort):
    subset = [r for r in records if r["is_active"] is True]
    assert run(f"is_active=true&sort={sort}", STRICT) == reference_order(subset, terms_of(sort))


@pytest.mark.parametrize(
    ("sort", "terms"),
    [
        pytest.param("nope,-id", [("id", True)], id="unknown dropped"),
        pytest.param("nope", [], id="nothing left: default"),
        pytest.param("groups,-email", [("email", True)], id="array dropped"),
        pytest.param(" -gender , first_name ", [("gender", True), ("first_name", False)], id="ws"),
    ],
)
def test_sort_lenient_drops_unknown_terms(run, records, sort, terms):
    assert run([("sort", sort)], LENIENT) == reference_order(records, terms)


# -- floats (DRF's FloatField) ----------------------------------------------------------------

READINGS_SPEC = """
openapi: 3.0.3
info: {title: Readings, version: 1.0.0}
paths:
  /readings/:
    get:
      operationId: readings_list
      parameters:
      - {in: query, name: score, schema: {type: number}}
      - {in: query, name: score__gt, schema: {type: number}}
      - {in: query, name: score__gte, schema: {type: number}}
      - {in: query, name: score__lt, schema: {type: number}}
      - {in: query, name: score__lte, schema: {type: number}}
      - {in: query, name: score__in, schema: {type: array, items: {type: number}},
         explode: false, style: form}
      - {in: query, name: score__range, schema: {type: array, items: {type: number}},
         explode: false, style: form}
      - {in: query, name: weight__gte, schema: {type: number}}
      - {in: query, name: weight__isnull, schema: {type: boolean}}
      - {in: query, name: ordering, schema: {type: string}}
      responses:
        '200':
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Reading'}
          description: ''
components:
  schemas:
    Reading:
      type: object
      required: [id, score, weight]
      properties:
        id: {type: integer, readOnly: true}
        score: {type: number, format: double}
        weight: {type: number, format: float, nullable: true}
        label: {type: string, maxLength: 20}
"""


@pytest.fixture(scope="module")
def readings(tmp_path_factory):
    """A FloatField collection: (parse(query, strict), its dataset, its records)."""
    from urllib.parse import parse_qsl

    from mockserver.contract import fixtures as fixtures_module
    from mockserver.contract.spec import Spec
    from mockserver.engine.params import Rules, parse_query

    path = tmp_path_factory.mktemp("readings") / "openapi.yaml"
    path.write_text(READINGS_SPEC, encoding="utf-8")
    spec = Spec.load(path)
    empty = fixtures_module.Fixtures(files={}, personas={}, tokens={}, digest_parts=())
    dataset = state.build_dataset(spec, empty, "/readings/", 42, 300, cache_dir=None)
    op = spec.operation("readings_list")
    sortable = spec.resources["/readings/"].sortable

    def run(query: str, strict: bool = STRICT) -> list[int]:
        parsed = parse_query(op, parse_qsl(query), Rules(strict=strict, sortable=sortable))
        rows = order(dataset, select(dataset, parsed.filters), parsed.sort)
        return dataset.ids[rows].tolist()

    return run, dataset, _decoded(dataset)


def test_floats_render_as_python_renders_a_float(readings):
    _, dataset, records = readings
    scores = [r["score"] for r in records]
    assert all(type(s) is float for s in scores)
    assert b'"score":' in dataset.record(0)
    text = dataset.record(0).decode()
    assert f'"score":{json.dumps(records[0]["score"])}' in text  # 72617.0, never 72617
    weights = [r["weight"] for r in records]
    assert None in weights and any(type(w) is float for w in weights)


def _median(records, field) -> float:
    values = sorted(r[field] for r in records if r[field] is not None)
    return values[len(values) // 2]


FLOAT_FILTERS = [
    pytest.param("score={m}", lambda r, m: r["score"] == m, id="exact"),
    pytest.param("score__gt={m}", lambda r, m: r["score"] > m, id="gt"),
    pytest.param("score__gte={m}", lambda r, m: r["score"] >= m, id="gte"),
    pytest.param("score__lt={m}", lambda r, m: r["score"] < m, id="lt"),
    pytest.param("score__lte={m}", lambda r, m: r["score"] <= m, id="lte"),
    pytest.param("score__gte=1.5", lambda r, m: r["score"] >= 1.5, id="a decimal text"),
    pytest.param("score__lt=1e2", lambda r, m: r["score"] < 100, id="an exponent"),
    pytest.param("score__in={m},1.5", lambda r, m: r["score"] in (m, 1.5), id="in"),
    pytest.param("score__range={m},90", lambda r, m: m <= r["score"] <= 90, id="range both ends"),
    pytest.param("weight__gte=50", lambda r, m: (r["weight"] or -1) >= 50, id="null never >="),
    pytest.param("weight__isnull=true", lambda r, m: r["weight"] is None, id="isnull"),
    pytest.param("weight__isnull=false", lambda r, m: r["weight"] is not None, id="not null"),
    pytest.param("score__lt=-1e40", lambda r, m: False, id="below every value"),
]


@MODES
@pytest.mark.parametrize(("query", "predicate"), FLOAT_FILTERS)
def test_float_filters(readings, strict, query, predicate):
    run, _, records = readings
    median = _median(records, "score")
    expected = [r["id"] for r in records if predicate(r, median)]
    assert run(query.format(m=median), strict) == expected
    assert expected or "1e40" in query, "the case selects something"


@pytest.mark.parametrize("sort", ["score", "-score", "weight", "-weight", "weight,-score"])
def test_float_ordering(readings, sort):
    run, _, records = readings
    assert run(f"ordering={sort}") == reference_order(records, terms_of(sort))


def test_a_value_an_integer_column_cannot_hold_matches_nothing():
    """A spec may declare a text parameter for an integer field; `.` is no number."""
    from mockserver.contract import packaged
    from mockserver.contract.fixtures import load
    from mockserver.contract.spec import Spec
    from mockserver.engine.params import Filter

    spec = Spec.load(packaged.spec_path())
    dataset = state.build_dataset(spec, load(packaged.fixtures_dir(), spec), "/users/", 42, 20)
    for lookup in ("exact", "gt", "in"):
        value = (".", "x") if lookup == "in" else "."
        assert select(dataset, [Filter("id", lookup, value)]).tolist() == []


def test_pk_orders_by_the_key_unless_a_field_is_called_pk():
    from mockserver.contract import packaged
    from mockserver.contract.fixtures import load
    from mockserver.contract.spec import Spec

    spec = Spec.load(packaged.spec_path())
    dataset = state.build_dataset(spec, load(packaged.fixtures_dir(), spec), "/users/", 42, 20)
    rows = dataset.all_rows
    assert (
        order(dataset, rows, [("pk", True)]).tolist()
        == order(dataset, rows, [("id", True)]).tolist()
    )
    assert order(dataset, rows, [("nope", True)]).tolist() == rows.tolist()


# -- several values for one lookup, and text lookups on numbers ------------------------------

MANY_VALUES = [
    # django-filter's MultipleChoiceFilter (`?gender=male&gender=female`): any of them.
    pytest.param(
        "gender",
        "exact",
        ("male", "female"),
        lambda r: r["gender"] in ("male", "female"),
        id="choices",
    ),
    pytest.param("username", "iexact", ("NOPE",), lambda r: False, id="one that matches none"),
    # `iexact` on a number compares the number's text: it is `exact`, never a 500.
    pytest.param("id", "iexact", 3, lambda r: r["id"] == 3, id="iexact on an integer"),
    pytest.param("id", "iexact", 10**50, lambda r: False, id="iexact past int64"),
    pytest.param("id", "icontains", 3, lambda r: False, id="a text lookup on a number: none"),
]


@pytest.mark.parametrize(("field", "lookup", "value", "predicate"), MANY_VALUES)
def test_lookups_any_value_and_numbers_read_as_text(data, records, field, lookup, value, predicate):
    from mockserver.engine.params import Filter

    rows = select(data.dataset, [Filter(field, lookup, value)])
    assert data.dataset.ids[rows].tolist() == where(records, predicate)
