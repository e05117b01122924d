"""A session's records: the generated datasets with its change set applied
(mockserver/engine/records.py, mockserver/engine/store.py `Dataset.changed`)."""

from __future__ import annotations

import random

import numpy as np
import orjson
import pytest
from helpers_api import make_state
from helpers_writes import shop_spec

from mockserver.engine import query
from mockserver.engine.params import Filter
from mockserver.engine.records import Records, by_key
from mockserver.errors import ApiError


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    spec = shop_spec(tmp_path_factory.mktemp("records"))
    return make_state(spec=str(spec), size=20, lenient=True, access_log=False)


def _changes(shop, seed: int) -> dict[int, bytes | None]:
    """Deletes, updates and creates over the products, drawn from `seed`."""
    rng = random.Random(seed)
    dataset = shop.served["/products/"].dataset
    changes: dict[int, bytes | None] = {}
    for key in rng.sample(range(1, 31), 8):
        row = dataset.row_of(key)
        if rng.random() < 0.5:
            changes[key] = None
        else:
            record = orjson.loads(dataset.record(row))
            record.update(
                name=f"Changed {key}",
                category=rng.randint(1, 5),
                price=f"{rng.randint(0, 999)}.{rng.randint(0, 99):02d}",
                weight=None,
                tags=sorted(rng.sample(range(1, 9), 2)),
            )
            changes[key] = orjson.dumps(record)
    template = orjson.loads(dataset.record(0))
    for key in range(31, 31 + rng.randint(1, 5)):
        changes[key] = orjson.dumps({**template, "id": key, "name": f"New {key}"})
    return changes


def _expected(shop, changes) -> dict[int, dict]:
    dataset = shop.served["/products/"].dataset
    found = {int(k): orjson.loads(dataset.record(r)) for r, k in enumerate(dataset.ids)}
    for key, record in changes.items():
        if record is None:
            found.pop(key, None)
        else:
            found[key] = orjson.loads(record)
    return dict(sorted(found.items()))


@pytest.mark.parametrize("seed", range(6))
def test_a_session_reads_the_generated_records_with_its_changes(shop, seed):
    changes = _changes(shop, seed)
    records = Records(shop.served, shop.rules, {"/products/": changes}, version=1)
    dataset = records["/products/"].dataset
    expected = _expected(shop, changes)
    assert dataset.ids.tolist() == list(expected)
    assert [orjson.loads(dataset.record(r)) for r in range(len(dataset))] == list(expected.values())
    # Every column the filters read agrees with the records, whole dataset over.
    for category in range(1, 6):
        rows = query.select(dataset, [Filter("category", "exact", category)])
        assert dataset.ids[rows].tolist() == [
            k for k, r in expected.items() if r["category"] == category
        ]
    nulls = query.select(dataset, [Filter("weight", "isnull", True)])
    assert dataset.ids[nulls].tolist() == [k for k, r in expected.items() if r["weight"] is None]
    ordered = query.order(dataset, dataset.all_rows, [("name", False)])
    assert [orjson.loads(dataset.record(r))["name"] for r in ordered] == sorted(
        r["name"] for r in expected.values()
    )


def test_a_session_without_changes_reads_the_generated_dataset_itself(shop):
    records = Records(shop.served, shop.rules, {"/products/": {}}, version=1)
    assert records["/products/"].dataset is shop.served["/products/"].dataset


def test_relations_are_checked_against_the_session_s_records(shop):
    records = Records(shop.served, shop.rules, {"/products/": {1: None}}, version=1)
    rules = records["/reviews/"].rules
    assert rules.exists("product", 2) and not rules.exists("product", 1)
    assert not shop.served["/reviews/"].rules.exists("product", 31)


def test_a_record_is_read_from_the_change_set_without_merging(shop):
    records = Records(shop.served, shop.rules, {"/products/": {3: None, 31: b"{}"}}, version=1)
    assert records.record("/products/", 3) is None
    assert records.record("/products/", 31) == b"{}"
    assert records.record("/products/", 4) == shop.served["/products/"].dataset.record(3)
    assert "/products/" not in records._made  # nothing merged for these


_NO_PRODUCT = {"detail": "No Product matches the given query."}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("4", (4, "generated"), id="4 -> the generated record 4"),
        pytest.param(" 4 ", (4, "generated"), id="' 4 ' -> 4, as Django's int(pk) reads it"),
        pytest.param("31", (31, b"{}"), id="31 -> the record the session created"),
        pytest.param("3", _NO_PRODUCT, id="3 -> deleted in the session: no match"),
        pytest.param("99", _NO_PRODUCT, id="99 -> no such record: no match"),
        pytest.param("-1", _NO_PRODUCT, id="-1 -> no match"),
        pytest.param(str(2**63), _NO_PRODUCT, id="2**63 -> beyond a bigint: no match"),
        pytest.param("abc", {"detail": "Not found."}, id="abc -> no integer: Not found."),
        pytest.param("4.0", {"detail": "Not found."}, id="4.0 -> no integer: Not found."),
        pytest.param("", {"detail": "Not found."}, id="empty -> Not found."),
    ],
)
def test_a_record_is_found_by_its_key_or_404(shop, value, expected):
    records = Records(shop.served, shop.rules, {"/products/": {3: None, 31: b"{}"}}, version=1)
    if isinstance(expected, dict):
        with pytest.raises(ApiError) as caught:
            by_key(records, "/products/", value)
        assert (caught.value.status, caught.value.body) == (404, expected)
        return
    key, record = expected
    if record == "generated":
        dataset = shop.served["/products/"].dataset
        record = dataset.record(dataset.row_of(key))
    assert by_key(records, "/products/", value) == (key, record)


def test_catching_up_replaces_what_was_merged(shop):
    records = Records(shop.served, shop.rules, {}, version=0)
    assert len(records["/products/"].dataset) == 30
    records.apply(7, {"/products/": {2: None}})
    assert (records.version, len(records["/products/"].dataset)) == (7, 29)
    assert np.all(np.diff(records["/products/"].dataset.ids) > 0)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(4, True, id="4 -> generated"),
        pytest.param(31, True, id="31 -> created in the session"),
        pytest.param(3, False, id="3 -> deleted in the session"),
        pytest.param(99, False, id="99 -> no such record"),
        pytest.param(2**63, False, id="2**63 -> beyond a bigint"),
    ],
)
def test_whether_a_record_exists_is_read_without_its_json(shop, key, expected):
    records = Records(shop.served, shop.rules, {"/products/": {3: None, 31: b"{}"}}, version=1)
    assert records.has("/products/", key) is expected
    assert records.has("/products/", key) is (records.record("/products/", key) is not None)


@pytest.mark.parametrize("parsed", [False, True], ids=["parsed from JSON", "given parsed"])
def test_the_unique_index_follows_each_write(shop, parsed):
    """A unique field's index is kept as the session writes: a value written is taken, a
    value overwritten or deleted is free again, whether the writer hands the records over
    parsed or not."""
    records = Records(shop.served, shop.rules, {}, version=0)
    generated = orjson.loads(shop.served["/products/"].dataset.record(0))["sku"]
    assert records.taken("/products/", "sku", generated, exclude=None)
    assert not records.taken("/products/", "sku", "fresh-1", exclude=None)  # indexed now

    def write(version, key, doc):
        record = None if doc is None else orjson.dumps(doc)
        docs = {key: doc} if parsed and doc is not None else {}
        records.apply(version, {"/products/": {key: record}}, docs)

    write(2, 31, {"id": 31, "sku": "fresh-1"})
    assert records.taken("/products/", "sku", "fresh-1", exclude=None)
    assert not records.taken("/products/", "sku", "fresh-1", exclude=31)  # itself
    write(3, 31, {"id": 31, "sku": "fresh-2"})
    assert not records.taken("/products/", "sku", "fresh-1", exclude=None)
    assert records.taken("/products/", "sku", "fresh-2", exclude=None)
    write(4, 1, {"id": 1, "sku": "fresh-3"})  # a generated record rewritten: its sku is free
    assert not records.taken("/products/", "sku", generated, exclude=None)
    write(5, 31, None)
    assert not records.taken("/products/", "sku", "fresh-2", exclude=None)
