"""django-filter's lookups, search and ordering on the shop dataset, against plain Python."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import numpy as np
import orjson
import pytest

from mockserver import state
from mockserver.engine import params, query
from mockserver.engine.params import Filter
from mockserver.engine.store import Column, Dataset
from mockserver.errors import ApiError
from mockserver.settings import Settings

SIZE = 30
STRICT, LENIENT = True, False
MODES = pytest.mark.parametrize("strict", [STRICT, LENIENT], ids=["strict", "lenient"])
SEARCH_FIELDS = ("name", "slug", "description", "email", "website")


@pytest.fixture(scope="module")
def shop() -> state.State:
    return state.load(
        Settings(spec="tests/drfservice/openapi.yaml", size=SIZE, cache_dir="", lenient=True)
    )


@pytest.fixture(scope="module")
def served(shop) -> state.Served:
    return shop.served["/products/"]


@pytest.fixture(scope="module")
def records(served) -> list[dict]:
    """Every product as the API serves it, decoded."""
    dataset = served.dataset
    return [orjson.loads(dataset.record(r)) for r in range(len(dataset))]


@pytest.fixture(scope="module")
def run(shop, served):
    """`run(pairs, strict)`: the ids of the products a query string selects, in order."""
    op = shop.spec.operation("products_list")

    def ids(items, strict: bool = LENIENT) -> list[int]:
        rules = replace(served.rules, strict=strict)
        parsed = params.parse_query(op, list(items), rules)
        search = (served.resource.search, parsed.search) if parsed.search else None
        rows = query.select(served.dataset, parsed.filters, search=search)
        rows = query.order(served.dataset, rows, parsed.sort)
        return served.dataset.ids[rows].tolist()

    return ids


def where(records, predicate) -> list[int]:
    return [r["id"] for r in records if predicate(r)]


def test_the_dataset(served, records):
    assert served.resource.search == SEARCH_FIELDS
    assert [r["id"] for r in records] == list(range(1, SIZE + 1))


# -- text lookups on name ---------------------------------------------------------------------

TEXT = {
    "exact": lambda value, needle: value == needle,
    "iexact": lambda value, needle: value.upper() == needle.upper(),
    "contains": lambda value, needle: needle in value,
    "icontains": lambda value, needle: needle.upper() in value.upper(),
    "startswith": lambda value, needle: value.startswith(needle),
    "istartswith": lambda value, needle: value.upper().startswith(needle.upper()),
    "endswith": lambda value, needle: value.endswith(needle),
    "iendswith": lambda value, needle: value.upper().endswith(needle.upper()),
}
# Where each needle comes from: a part of a product's name (by row).
NEEDLES = {
    "first word": lambda records: records[2]["name"].split()[0],
    "last word": lambda records: records[2]["name"].split()[-1],
    "inside a word": lambda records: records[5]["name"].split()[1][1:-1],
    "whole name": lambda records: records[8]["name"],
    "two words": lambda records: " ".join(records[12]["name"].split()[:2]),
    "absent": lambda records: "Zqxj",
}
CASES = {
    "as written": str,
    "swapped case": str.swapcase,
    "upper": str.upper,
    "lower": str.lower,
}


@MODES
@pytest.mark.parametrize("lookup", list(TEXT))
@pytest.mark.parametrize("needle", list(NEEDLES))
@pytest.mark.parametrize("case", list(CASES))
def test_text_lookup(run, records, strict, lookup, needle, case):
    text = CASES[case](NEEDLES[needle](records))
    name = "name" if lookup == "exact" else f"name__{lookup}"
    test = TEXT[lookup]
    assert run([(name, text)], strict) == where(records, lambda r: test(r["name"], text))


@pytest.mark.parametrize("lookup", ["exact", "contains", "startswith", "endswith"])
def test_case_sensitive_lookups_miss_a_swapped_needle(run, records, lookup):
    original = {
        "exact": records[8]["name"],
        "contains": records[5]["name"].split()[1][1:-1],
        "startswith": records[2]["name"].split()[0],
        "endswith": records[2]["name"].split()[-1],
    }[lookup]
    swapped = original.swapcase()
    name = "name" if lookup == "exact" else f"name__{lookup}"
    found = run([(name, original)])
    assert found, "the record's own text matches it"
    assert run([(name, swapped)]) == where(records, lambda r: TEXT[lookup](r["name"], swapped))
    assert run([(name, swapped)]) == []
    # The case-insensitive form matches the swapped needle as it matches the original.
    assert run([(f"name__i{lookup}", swapped)]) == run([(f"name__i{lookup}", original)])
    assert set(found) <= set(run([(f"name__i{lookup}", swapped)]))


def test_text_values_are_stripped(run, records):
    """django-filter's CharField strips the value: ` Atlas ` is `Atlas`."""
    word = records[2]["name"].split()[0]
    assert run([("name__contains", f"  {word} ")]) == run([("name__contains", word)])


def test_email_iexact(run, records):
    email = records[3]["email"]
    assert run([("email__iexact", email.upper())]) == where(records, lambda r: r["email"] == email)
    assert run([("email__iexact", email.upper())]) == [4]


# -- in ---------------------------------------------------------------------------------------

IN = [
    pytest.param("id__in", "1,5,999", lambda r: r["id"] in (1, 5), id="ids, one unknown"),
    pytest.param("id__in", "30", lambda r: r["id"] == 30, id="one id"),
    pytest.param("id__in", "3,,7", lambda r: r["id"] in (3, 7), id="an empty part is ignored"),
    pytest.param("id__in", "7,3,7", lambda r: r["id"] in (3, 7), id="repeated, any order"),
    pytest.param("id__in", "0,-1,31", lambda r: False, id="no such ids"),
    pytest.param("id__in", "", lambda r: True, id="empty: no filter"),
    pytest.param(
        "status__in",
        "active,retired",
        lambda r: r["status"] in ("active", "retired"),
        id="two statuses",
    ),
    pytest.param("status__in", "draft", lambda r: r["status"] == "draft", id="one status"),
    pytest.param(
        "status__in", "active,bogus", lambda r: r["status"] == "active", id="an unknown status"
    ),
    pytest.param("status__in", "ACTIVE", lambda r: False, id="case-sensitive"),
]


@MODES
@pytest.mark.parametrize(("name", "text", "predicate"), IN)
def test_in(run, records, strict, name, text, predicate):
    assert run([(name, text)], strict) == where(records, predicate)


def test_in_matches_a_stored_zero():
    """`in` with 0 among the values (`stock__in=0,2`) matches a record holding 0."""
    blob = b'{"id":1,"stock":0}{"id":2,"stock":1}{"id":3,"stock":2}'
    dataset = Dataset(
        np.array([1, 2, 3], dtype=np.int64),
        blob,
        np.array([0, 18, 36, 54], dtype=np.int64),
        {"stock": Column("int", np.array([0, 1, 2], dtype=np.int64))},
    )
    assert query.select(dataset, [Filter("stock", "in", (0, 2))]).tolist() == [0, 2]
    assert query.select(dataset, [Filter("stock", "in", (0,))]).tolist() == [0]


# -- decimals: range and comparisons ----------------------------------------------------------


def _prices(records) -> list[Decimal]:
    return sorted({Decimal(r["price"]) for r in records})


RANGES = {
    "two record prices": lambda p: (str(p[5]), str(p[12])),
    "the same price twice": lambda p: (str(p[7]), str(p[7])),
    "between cent steps": lambda p: (str(p[5] + Decimal("0.005")), str(p[12] - Decimal("0.005"))),
    "just outside the prices": lambda p: (
        str(p[5] - Decimal("0.001")),
        str(p[12] + Decimal("0.001")),
    ),
    "reversed": lambda p: (str(p[12]), str(p[5])),
    "everything": lambda p: ("0", "1e3"),
    "negative to the first price": lambda p: ("-5", str(p[0])),
    "trailing zeros": lambda p: (f"{p[3]}000", f"{p[9]}0"),
}


@MODES
@pytest.mark.parametrize("case", list(RANGES))
def test_price_range(run, records, strict, case):
    low, high = RANGES[case](_prices(records))
    expected = where(records, lambda r: Decimal(low) <= Decimal(r["price"]) <= Decimal(high))
    assert run([("price__range", f"{low},{high}")], strict) == expected


def test_price_range_includes_both_ends(run, records):
    prices = _prices(records)
    found = run([("price__range", f"{prices[5]},{prices[12]}")])
    ends = where(records, lambda r: Decimal(r["price"]) in (prices[5], prices[12]))
    assert len(ends) >= 2
    assert set(ends) <= set(found)
    assert found == where(records, lambda r: prices[5] <= Decimal(r["price"]) <= prices[12])


def test_price_range_with_an_empty_end_matches_nothing(run):
    """BETWEEN with a NULL end holds for no row."""
    assert run([("price__range", "1,")]) == []


COMPARE = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
VALUES = {
    "12.345": lambda p: "12.345",
    "a record's price": lambda p: str(p[10]),
    "half a cent above a price": lambda p: str(p[10] + Decimal("0.005")),
    "half a cent below a price": lambda p: str(p[10] - Decimal("0.005")),
    "a tenth of a cent above": lambda p: str(p[20] + Decimal("0.001")),
    "a price with trailing zeros": lambda p: f"{p[15]}00",
    "a price as an exponent": lambda p: f"{int(p[4] * 100)}e-2",
    "zero": lambda p: "0",
    "negative": lambda p: "-0.005",
    "the largest": lambda p: str(p[-1]),
    "a thousand": lambda p: "1000.00",
    "beyond int64 cents": lambda p: "1e30",
    "far below": lambda p: "-1e30",
}


@MODES
@pytest.mark.parametrize("lookup", list(COMPARE))
@pytest.mark.parametrize("value", list(VALUES))
def test_price_compare(run, records, strict, lookup, value):
    text = VALUES[value](_prices(records))
    name = "price" if lookup == "exact" else f"price__{lookup}"
    test = COMPARE[lookup]
    expected = where(records, lambda r: test(Decimal(r["price"]), Decimal(text)))
    assert run([(name, text)], strict) == expected


def test_price_exact_matches_a_record(run, records):
    price = records[6]["price"]
    assert records[6]["id"] in run([("price", price)])
    assert records[6]["id"] in run([("price", price + "0")])


HUGE = [
    pytest.param("price__gt", "-1e999999", lambda r: True, id="gt a huge negative"),
    pytest.param("price__lt", "-1e999999", lambda r: False, id="lt a huge negative"),
    pytest.param("price__gte", "-1e51", lambda r: True, id="gte -1e51"),
    pytest.param("price__lt", "1e50", lambda r: True, id="lt 1e50, the largest allowed"),
]


@pytest.mark.parametrize(("name", "text", "predicate"), HUGE)
def test_price_compare_huge_exponents(run, records, name, text, predicate):
    """The real service reads these (django-filter caps values at 1e50, not below)."""
    assert run([(name, text)]) == where(records, predicate)


# -- isnull, date, any ------------------------------------------------------------------------

ISNULL = [
    pytest.param("category__isnull", "true", lambda r: r["category"] is None, id="category true"),
    pytest.param("category__isnull", "1", lambda r: r["category"] is None, id="category 1"),
    pytest.param(
        "category__isnull", "false", lambda r: r["category"] is not None, id="category false"
    ),
    pytest.param("category__isnull", "0", lambda r: r["category"] is not None, id="category 0"),
    pytest.param("released__isnull", "True", lambda r: r["released"] is None, id="released True"),
    pytest.param(
        "released__isnull", "false", lambda r: r["released"] is not None, id="released false"
    ),
]


@MODES
@pytest.mark.parametrize(("name", "text", "predicate"), ISNULL)
def test_isnull(run, records, strict, name, text, predicate):
    expected = where(records, predicate)
    assert 0 < len(expected) < SIZE, "the dataset has both nulls and values"
    assert run([(name, text)], strict) == expected


@pytest.mark.parametrize("text", ["maybe", "yes", ""])
def test_isnull_unreadable_is_no_filter_in_lenient_mode(run, records, text):
    assert run([("category__isnull", text)]) == where(records, lambda r: True)


def _utc_date(text: str) -> str:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()


@MODES
@pytest.mark.parametrize("row", [0, 4, 17, 29])
def test_created_date(run, records, strict, row):
    day = _utc_date(records[row]["created"])
    found = run([("created__date", day)], strict)
    assert found == where(records, lambda r: _utc_date(r["created"]) == day)
    assert records[row]["id"] in found


def test_created_date_without_records(run):
    assert run([("created__date", "2019-12-31")]) == []


ANY = [
    pytest.param([("tags", "5")], {5}, id="one tag"),
    pytest.param([("tags", "5"), ("tags", "15")], {5, 15}, id="either of two tags"),
    pytest.param([("tags", "9"), ("tags", "10")], {9, 10}, id="two tags on one record"),
    pytest.param([("tags", "1"), ("tags", "1")], {1}, id="a repeated tag"),
    pytest.param([("tags", "29")], {29}, id="a tag on no product"),
]


@MODES
@pytest.mark.parametrize(("items", "wanted"), ANY)
def test_tags_any(run, records, strict, items, wanted):
    found = run(items, strict)
    assert found == where(records, lambda r: bool(wanted & set(r["tags"])))
    assert len(found) == len(set(found))


def test_tags_any_matches_each_record_once(run, records):
    both = next(r for r in records if len(r["tags"]) >= 2)
    items = [("tags", str(tag)) for tag in both["tags"]]
    assert run(items).count(both["id"]) == 1


# -- search -----------------------------------------------------------------------------------


def _searched(records, terms: list[str]) -> list[int]:
    def hit(record, term):
        return any(term.upper() in (record[f] or "").upper() for f in SEARCH_FIELDS)

    return where(records, lambda r: all(hit(r, t) for t in terms))


SEARCHES = {
    # name -> function(records) -> (search text, the terms SearchFilter reads from it)
    "a word of a name, upper-cased": lambda rs: (
        rs[3]["name"].split()[1].upper(),
        [rs[3]["name"].split()[1]],
    ),
    "a word of a description": lambda rs: (
        rs[7]["description"].split()[2].strip("."),
        [rs[7]["description"].split()[2].strip(".")],
    ),
    "name and email terms": lambda rs: (
        f"{rs[9]['name'].split()[0]} {rs[9]['email'].split('@')[1]}",
        [rs[9]["name"].split()[0], rs[9]["email"].split("@")[1]],
    ),
    "terms split at commas": lambda rs: (
        f"{rs[9]['name'].split()[0]},{rs[9]['slug'][:4]}",
        [rs[9]["name"].split()[0], rs[9]["slug"][:4]],
    ),
    "a quoted phrase": lambda rs: (
        '"' + " ".join(rs[0]["name"].split()[1:]) + '"',
        [" ".join(rs[0]["name"].split()[1:])],
    ),
    "the same words unquoted": lambda rs: (
        " ".join(rs[0]["name"].split()[1:]),
        rs[0]["name"].split()[1:],
    ),
    "a website's host": lambda rs: (
        rs[11]["website"].split("/")[2],
        [rs[11]["website"].split("/")[2]],
    ),
    "a term nobody has": lambda rs: ("qqzzxx", ["qqzzxx"]),
    "spaces only": lambda rs: ("   ", []),
    "a lone quote": lambda rs: ('"', [""]),
}


@MODES
@pytest.mark.parametrize("case", list(SEARCHES))
def test_search(run, records, strict, case):
    text, terms = SEARCHES[case](records)
    assert run([("search", text)], strict) == _searched(records, terms)


def test_search_phrase_is_narrower_than_its_words(run, records):
    words = records[0]["name"].split()[1:]
    phrase = run([("search", '"' + " ".join(words) + '"')])
    assert 1 in phrase
    assert set(phrase) <= set(run([("search", " ".join(words))]))


def test_search_combines_with_filters(run, records):
    word = records[3]["name"].split()[1]
    status = records[3]["status"]
    found = run([("search", word), ("status", status)])
    assert found == [i for i in _searched(records, [word]) if records[i - 1]["status"] == status]
    assert 4 in found


# -- ordering ---------------------------------------------------------------------------------


def _key(field: str):
    def key(record):
        value = record[field]
        if value is not None and field == "price":
            value = Decimal(value)
        elif value is not None and field == "created":
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return (value is None, value)  # nulls after every value

    return key


def _ordered(records, terms: list[str]) -> list[int]:
    """Stable sorts from the last term to the first, from id order: ties by ascending id,
    nulls last ascending and first descending."""
    rows = sorted(records, key=lambda r: r["id"])
    for term in reversed(terms):
        field = term.lstrip("-")
        rows = sorted(rows, key=_key(field), reverse=term.startswith("-"))
    return [r["id"] for r in rows]


ORDERINGS = [
    pytest.param("price", id="price"),
    pytest.param("-price", id="-price"),
    pytest.param("name", id="name"),
    pytest.param("-name", id="-name"),
    pytest.param("status", id="status: ties by id"),
    pytest.param("-status", id="-status: ties by id"),
    pytest.param("status,-price", id="status then -price"),
    pytest.param("-is_available,name", id="-is_available then name"),
    pytest.param("category", id="category: nulls last"),
    pytest.param("-category", id="-category: nulls first"),
    pytest.param("released", id="released"),
    pytest.param("-created", id="-created"),
    pytest.param("pk", id="pk is id"),
    pytest.param("-id", id="-id"),
]


@MODES
@pytest.mark.parametrize("ordering", ORDERINGS)
def test_ordering(run, records, strict, ordering):
    terms = [t.replace("pk", "id") for t in ordering.split(",")]
    assert run([("ordering", ordering)], strict) == _ordered(records, terms)


def test_ordering_a_filtered_list(run, records):
    found = run([("status", "active"), ("ordering", "-price")])
    active = [r for r in records if r["status"] == "active"]
    assert found == _ordered(active, ["-price"])


def test_ordering_unknown_field_is_dropped_in_lenient_mode(run, records):
    assert run([("ordering", "colour,-price")]) == _ordered(records, ["-price"])
    assert run([("ordering", "tags")]) == [r["id"] for r in records]


# -- errors -----------------------------------------------------------------------------------

NO_CHOICE = "Select a valid choice. That choice is not one of the available choices."
MAX_50 = "Ensure this value is less than or equal to 1e+50."

ERRORS = [
    pytest.param([("price__gte", "abc")], {"price__gte": ["Enter a number."]}, id="price abc"),
    pytest.param([("price", "NaN")], {"price": ["Enter a number."]}, id="price NaN"),
    pytest.param([("price__lt", "inf")], {"price__lt": ["Enter a number."]}, id="price inf"),
    pytest.param(
        [("price__range", "1")],
        {"price__range": ["Range query expects two values."]},
        id="range of one value",
    ),
    pytest.param(
        [("price__range", "1,2,3")],
        {"price__range": ["Range query expects two values."]},
        id="range of three values",
    ),
    pytest.param(
        [("price__range", "1,x")], {"price__range": ["Enter a number."]}, id="range of a word"
    ),
    pytest.param([("sku", "nope")], {"sku": ["Enter a valid UUID."]}, id="sku nope"),
    pytest.param([("category", "999")], {"category": [NO_CHOICE]}, id="category 999"),
    pytest.param([("category", "abc")], {"category": [NO_CHOICE]}, id="category abc"),
    pytest.param([("category", "0")], {"category": [NO_CHOICE]}, id="category 0"),
    pytest.param(
        [("tags", "999")],
        {"tags": ["Select a valid choice. 999 is not one of the available choices."]},
        id="tags 999",
    ),
    pytest.param(
        [("tags", "1"), ("tags", "31")],
        {"tags": ["Select a valid choice. 31 is not one of the available choices."]},
        id="tags 1 and 31",
    ),
    pytest.param([("tags", "abc")], {"tags": ["“abc” is not a valid value."]}, id="tags abc"),
    pytest.param(
        [("status", "bogus")],
        {"status": ["Select a valid choice. bogus is not one of the available choices."]},
        id="status bogus",
    ),
    pytest.param(
        [("created__date", "soon")], {"created__date": ["Enter a valid date."]}, id="date soon"
    ),
    pytest.param(
        [("price__gte", "abc"), ("sku", "nope"), ("category", "999")],
        {
            "price__gte": ["Enter a number."],
            "sku": ["Enter a valid UUID."],
            "category": [NO_CHOICE],
        },
        id="every bad parameter at once",
    ),
    pytest.param([("price__gt", "1e51")], {"price__gt": [MAX_50]}, id="price above 1e50"),
    pytest.param([("price", "1e999999")], {"price": [MAX_50]}, id="price 1e999999"),
    pytest.param([("price__range", "1,1e51")], {"price__range": [MAX_50]}, id="range to 1e51"),
]


@MODES
@pytest.mark.parametrize(("items", "body"), ERRORS)
def test_errors(run, strict, items, body):
    with pytest.raises(ApiError) as caught:
        run(items, strict)
    assert (caught.value.status, caught.value.body) == (400, body)


def test_id_above_1e50_lenient(run):
    """django-filter's NumberFilter caps every number at 1e50, an id's too (strict mode says
    the value is no whole number)."""
    with pytest.raises(ApiError) as caught:
        run([("id", "1e51")], LENIENT)
    assert (caught.value.status, caught.value.body) == (400, {"id": [MAX_50]})


def test_search_null_character_lenient(run):
    """The real service: SearchFilter's CharField error is a bare list."""
    with pytest.raises(ApiError) as caught:
        run([("search", "a\x00b")], LENIENT)
    assert (caught.value.status, caught.value.body) == (400, ["Null characters are not allowed."])


def test_search_null_character_strict(run):
    with pytest.raises(ApiError) as caught:
        run([("search", "a\x00b")], STRICT)
    assert (caught.value.status, caught.value.body) == (
        400,
        {"search": ["Null characters are not allowed."]},
    )


def test_filter_errors_come_before_the_search_error(run):
    """DjangoFilterBackend runs before SearchFilter: its 400 is the one answered."""
    with pytest.raises(ApiError) as caught:
        run([("search", "a\x00b"), ("price__gte", "abc")], LENIENT)
    assert (caught.value.status, caught.value.body) == (400, {"price__gte": ["Enter a number."]})
