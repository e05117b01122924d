"""Filter and sort rows of a Dataset: pure functions over its numpy columns.

Semantics follow django-filter on PostgreSQL: filters combine with AND; a null never
matches a comparison; text is exact and case-sensitive; `any` matches a record in at least
one of the ids, once; ordering puts nulls last ascending and first descending, and ties
keep ascending id (rows are stored in id order and every sort is stable).
"""

from __future__ import annotations

import numpy as np
import orjson

from mockserver.params import Filter
from mockserver.store import Column, Dataset

_INT64 = (-(2**63), 2**63 - 1)


def select(dataset: Dataset, filters: list[Filter], rows: np.ndarray | None = None) -> np.ndarray:
    """The rows (ascending) that pass every filter; `rows` narrows the candidates."""
    if rows is None:
        if not filters:
            return dataset.all_rows
        # The first filter reads whole columns (views, no copies); the rest only its rows.
        rows = np.flatnonzero(_mask(dataset, filters[0], _ALL))
        filters = filters[1:]
    for flt in filters:
        if not len(rows):
            break
        rows = rows[_mask(dataset, flt, rows)]
    return rows


_ALL = slice(None)


def _mask(dataset: Dataset, flt: Filter, rows: np.ndarray) -> np.ndarray:
    if flt.lookup == "hashed" or flt.field not in dataset.columns:
        # The real service compares with password hashes; the mock stores none.
        return np.zeros(len(dataset.ids[rows]), dtype=bool)
    col = dataset.columns[flt.field]
    values = col.values[rows]
    if col.kind == "bool":
        return values == (1 if flt.value else 0)  # a null (-1) matches neither
    if col.kind == "ids":
        wanted = _bits(col, flt.value)
        return (values & np.uint64(wanted)) != 0
    if col.kind == "json":
        return _contains(dataset, flt.field, np.arange(len(dataset))[rows], flt.value)
    if col.kind == "text":
        matches = values == flt.value.encode()
        return _not_null(col, rows, matches)
    return _compare(col, rows, values, flt.lookup, int(flt.value))


def _compare(col: Column, rows, values, lookup: str, value: int) -> np.ndarray:
    low, high = _INT64
    if not low < value < high:  # beyond any stored value: decide without numpy overflow
        above = value > 0
        everything = np.ones(len(values), dtype=bool)
        result = {
            "exact": ~everything,
            "gt": ~everything if above else everything,
            "gte": ~everything if above else everything,
            "lt": everything if above else ~everything,
            "lte": everything if above else ~everything,
        }[lookup]
        return _not_null(col, rows, result)
    ops = {
        "exact": np.equal,
        "gt": np.greater,
        "gte": np.greater_equal,
        "lt": np.less,
        "lte": np.less_equal,
    }
    return _not_null(col, rows, ops[lookup](values, value))


def _not_null(col: Column, rows, matches: np.ndarray) -> np.ndarray:
    if col.null is None:
        return matches
    return matches & ~col.null[rows]


def _bits(col: Column, ids) -> int:
    return sum(1 << col.choices.index(i) for i in set(ids) if i in col.choices)


def _contains(dataset: Dataset, name: str, rows, wanted) -> np.ndarray:
    """PostgreSQL's `@>` on jsonb: every key of `wanted` is in the value, recursively."""
    col = dataset.columns[name]
    decoded = col.cached(
        "decoded",
        lambda: [orjson.loads(record)[name] for record in dataset.records(range(len(dataset)))],
    )
    return np.fromiter((contains(decoded[r], wanted) for r in rows), dtype=bool, count=len(rows))


def contains(value, wanted) -> bool:
    """JSON containment, as PostgreSQL's `@>`: every key of `wanted`, with a contained value.

    >>> contains({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 2}})
    True
    """
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            key in value and contains(value[key], sub) for key, sub in wanted.items()
        )
    if isinstance(wanted, list):
        return isinstance(value, list) and all(
            any(contains(item, sub) for item in value) for sub in wanted
        )
    if isinstance(value, bool) or isinstance(wanted, bool):  # jsonb: true is not 1
        return type(value) is type(wanted) and value == wanted
    return value == wanted


# -- ordering -------------------------------------------------------------------------------


def order(dataset: Dataset, rows: np.ndarray, sort: list[tuple[str, bool]]) -> np.ndarray:
    """`rows` in the requested order; with no terms, ascending id (the real default)."""
    if not sort:
        return rows
    if len(sort) == 1:
        name, descending = sort[0]
        full = _full_order(dataset.columns[name], descending)
        if len(rows) == len(dataset):
            return full
        keep = np.zeros(len(dataset), dtype=bool)
        keep[rows] = True
        return full[keep[full]]
    keys = [
        _rank(dataset.columns[name])[rows] * (-1 if desc else 1) for name, desc in reversed(sort)
    ]
    return rows[np.lexsort(keys)]


def _full_order(col: Column, descending: bool) -> np.ndarray:
    def make():
        rank = _rank(col)
        return np.argsort(-rank if descending else rank, kind="stable")

    return col.cached(("order", descending), make)


def _rank(col: Column) -> np.ndarray:
    """An int64 key per row that sorts like the value, nulls after every value."""

    def make():
        if col.kind == "text":
            _, rank = np.unique(col.values, return_inverse=True)
            rank = rank.astype(np.int64)
        elif col.kind == "bool":
            rank = np.where(col.values < 0, 2, col.values).astype(np.int64)
        else:
            rank = col.values.astype(np.int64)
        if col.null is not None:
            rank = np.where(col.null, rank.max(initial=0) + 1, rank)
        return rank

    return col.cached("rank", make)
