"""Filter, search and sort rows of a Dataset: pure functions over its numpy columns.

Semantics follow django-filter on PostgreSQL: filters combine with AND; a null never
matches a comparison; `exact`, `contains`, `startswith` and `endswith` are case-sensitive,
their `i` forms compare `UPPER()` of both sides, Unicode-aware as PostgreSQL's is; `in` is
any of the values; `range` is SQL's BETWEEN, both ends included; `date` compares a
date-time's UTC date; `any` matches a record in at least one of the ids, once. Search is
DRF's SearchFilter: every term (AND) in at least one search field (OR), `icontains`.
Ordering puts nulls last ascending and first descending, and ties keep ascending id (rows
are stored in id order and every sort is stable).
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import orjson

from mockserver.contract.timefmt import parse_date, parse_datetime
from mockserver.engine.params import Filter
from mockserver.engine.store import Column, Dataset, id_words

_INT64 = (-(2**63), 2**63 - 1)


def select(
    dataset: Dataset,
    filters: list[Filter],
    rows: np.ndarray | None = None,
    search: tuple[tuple[str, ...], list[str]] | None = None,
) -> np.ndarray:
    """The rows (ascending) that pass every filter, then the search; `rows` narrows the
    candidates.

    `search` is (search fields, terms): SearchFilter's condition, which DRF applies after
    the FilterSet, on what it left.
    """
    searching = search is not None and bool(search[1])
    if rows is None:
        if not filters and not searching:
            return dataset.all_rows
        if filters:
            # The first filter reads whole columns (views, no copies); the rest its rows.
            rows = np.flatnonzero(_mask(dataset, filters[0], _ALL))
            filters = filters[1:]
        else:
            rows = dataset.all_rows
    for flt in filters:
        if not len(rows):
            break
        rows = rows[_mask(dataset, flt, rows)]
    if searching and len(rows):
        rows = rows[_search(dataset, rows, *search)]
    return rows


_ALL = slice(None)


def _mask(dataset: Dataset, flt: Filter, rows: np.ndarray) -> np.ndarray:
    """The rows of `rows` that pass `flt`. A value the column cannot hold (a text a spec
    declares for an integer field: `audit_rule_id=.`; a number for a text key) matches
    nothing; the real service's database would refuse it with a 500, which the mock never
    answers."""
    try:
        return _typed_mask(dataset, flt, rows)
    except (ValueError, TypeError, ArithmeticError, AttributeError):
        return np.zeros(len(dataset.ids[rows]), dtype=bool)


def _typed_mask(dataset: Dataset, flt: Filter, rows: np.ndarray) -> np.ndarray:
    if flt.lookup == "nested":
        return _nested(dataset, flt.field, rows, flt.value)
    if flt.lookup == "hashed" or flt.field not in dataset.columns:
        # The real service compares with password hashes; the mock stores none.
        return np.zeros(len(dataset.ids[rows]), dtype=bool)
    col = dataset.columns[flt.field]
    if isinstance(flt.value, tuple) and flt.lookup not in _MANY and col.kind not in _ID_KINDS:
        # django-filter's MultipleChoiceFilter (`?type=a&type=b`): the lookup for each value,
        # any of them (its `conjoined=False`).
        found = np.zeros(len(dataset.ids[rows]), dtype=bool)
        for value in flt.value:
            found |= _mask(dataset, Filter(flt.field, flt.lookup, value), rows)
        return found
    if flt.lookup == "isnull":
        null = _nulls(col, rows)
        return null if flt.value else ~null
    values = col.values[rows]
    if col.kind == "bool":
        if flt.lookup != "in":
            return values == (1 if flt.value else 0)  # a null (-1) matches neither
        return np.isin(values, [1 if v else 0 for v in flt.value if v is not None])
    if col.kind == "ids":
        wanted = _bits(col, flt.value)
        if values.ndim == 2:  # past 64 choices: a row of uint64 words (store._id_sets)
            return ((values & id_words(wanted, values.shape[1])) != 0).any(axis=1)
        return (values & np.uint64(wanted)) != 0
    if col.kind == "idlist":
        found = np.zeros(len(values), dtype=bool)
        for number in set(flt.value):
            found |= np.char.find(values, b",%d," % number) >= 0
        return found
    if col.kind == "json":
        return _contains(dataset, flt.field, np.arange(len(dataset))[rows], flt.value)
    if col.kind == "text":
        return _not_null(col, rows, _text(col, rows, values, flt.lookup, flt.value))
    if flt.lookup == "date":  # a date-time's date, in UTC
        return _not_null(col, rows, values // _DAY == flt.value)
    if col.kind == "float":
        return _not_null(col, rows, _floats(values, flt.lookup, flt.value))
    if flt.lookup == "in":
        keys = [_key(col, v, "exact") for v in flt.value if v is not None]
        matches = np.isin(values, [k for k in keys if k is not None and _in_range(k)])
        return _not_null(col, rows, matches)
    if flt.lookup == "range":
        low, high = flt.value
        if low is None or high is None:  # BETWEEN with a NULL end holds for no row
            return np.zeros(len(values), dtype=bool)
        above = _compare(col, rows, values, "gte", _key(col, low, "gte"))
        return above & _compare(col, rows, values, "lte", _key(col, high, "lte"))
    lookup = _NUMERIC.get(flt.lookup, flt.lookup)
    if lookup not in _OPS:
        # A text lookup on a number (`gid__icontains=1`): PostgreSQL would compare the
        # number's text; the mock does not model it and matches nothing.
        return np.zeros(len(values), dtype=bool)
    return _compare(col, rows, values, lookup, _key(col, flt.value, lookup))


_MANY = ("in", "range", "any", "nested")
_ID_KINDS = ("ids", "idlist", "json")
# `iexact` on a number compares UPPER() of its text, which is the number's own text.
_NUMERIC = {"iexact": "exact"}


_DAY = 86_400 * 1_000_000
_FAR, _FAR_KEY = Decimal(10) ** 30, 10**40  # a decimal past int64 once scaled


def _floats(values: np.ndarray, lookup: str, value) -> np.ndarray:
    """A FloatField's lookups: Django's get_prep_value makes the filter's Decimal a float,
    and PostgreSQL compares double precision (so `score=0.1` is the stored 0.1). NaN, the
    null, fails every comparison."""
    if lookup == "in":
        return np.isin(values, [float(v) for v in value if v is not None])
    if lookup == "range":
        low, high = value
        if low is None or high is None:  # BETWEEN with a NULL end holds for no row
            return np.zeros(len(values), dtype=bool)
        return (values >= float(low)) & (values <= float(high))
    return _OPS[lookup](values, float(value))


def _in_range(key) -> bool:
    return key is not None and _INT64[0] < key < _INT64[1]


def _key(col: Column, value, lookup: str):
    """A filter value as the column stores it: an int; for a decimal, scaled by its places
    and rounded the way that keeps the comparison exact (`price__gt=9.995` is `> 999` in
    cents); None for an `exact` that no stored value can equal."""
    if col.kind != "decimal":
        return int(value)
    if abs(value) > _FAR:  # beyond any stored value; scaling it could overflow Decimal
        return _FAR_KEY if value > 0 else -_FAR_KEY
    scaled = Decimal(value) * 10 ** col.choices[0]
    if scaled == scaled.to_integral_value():
        return int(scaled)
    if lookup in ("gt", "lte"):
        return math.floor(scaled)
    if lookup in ("gte", "lt"):
        return math.ceil(scaled)
    return None


def _nulls(col: Column, rows) -> np.ndarray:
    if col.kind == "bool":
        return col.values[rows] < 0
    if col.null is None:
        return np.zeros(len(col.values[rows]), dtype=bool)
    return col.null[rows]


def _text(col: Column, rows, values, lookup: str, value) -> np.ndarray:
    """Django's text lookups, case-insensitive ones on UPPER() of both sides (PostgreSQL)."""
    if lookup == "in":
        return np.isin(values, [v.encode() for v in value if v is not None])
    if lookup in ("gt", "gte", "lt", "lte"):
        return _OPS[lookup](values, value.encode())
    if lookup == "range":
        low, high = value
        if low is None or high is None:
            return np.zeros(len(values), dtype=bool)
        return (values >= low.encode()) & (values <= high.encode())
    if lookup.startswith("i"):
        values = _upper(col)[rows]
        lookup, needle = lookup[1:], value.upper()
        if lookup == "exact":
            return values == needle
    else:
        needle = value.encode()
        if lookup == "exact":
            return values == needle
    if lookup == "contains":
        return np.char.find(values, needle) >= 0
    if lookup == "startswith":
        return np.char.startswith(values, needle)
    return np.char.endswith(values, needle)


def _upper(col: Column) -> np.ndarray:
    """The column's text in upper case (str.upper: Unicode-aware, like PostgreSQL's UPPER)."""
    return col.cached("upper", lambda: np.char.upper(np.char.decode(col.values, "utf-8")))


def _search(dataset: Dataset, rows, fields: tuple[str, ...], terms: list[str]) -> np.ndarray:
    """SearchFilter: each term in at least one of the fields, `icontains`."""
    texts = [dataset.columns[f] for f in fields if dataset.columns[f].kind == "text"]
    found = np.ones(len(dataset.ids[rows]), dtype=bool)
    for term in terms:
        needle = term.upper()
        anywhere = np.zeros(len(found), dtype=bool)
        for col in texts:
            anywhere |= _not_null(col, rows, np.char.find(_upper(col)[rows], needle) >= 0)
        found &= anywhere
    return found


def _compare(col: Column, rows, values, lookup: str, value: int | None) -> np.ndarray:
    low, high = _INT64
    if (
        value is not None and not low < value < high
    ):  # beyond any stored value: decide without numpy overflow
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
    if value is None:  # an `exact` decimal between two stored steps
        return np.zeros(len(values), dtype=bool)
    return _not_null(col, rows, _OPS[lookup](values, value))


_OPS = {
    "exact": np.equal,
    "gt": np.greater,
    "gte": np.greater_equal,
    "lt": np.less,
    "lte": np.less_equal,
}


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


def _nested(dataset: Dataset, name: str, rows, inner: Filter) -> np.ndarray:
    """django-filter across a nested serializer's field (`category__slug=x`): the lookup on
    the nested object's own value; a missing object matches nothing, as a NULL join."""
    col = dataset.columns[name]
    decoded = col.cached(
        "decoded",
        lambda: [orjson.loads(record)[name] for record in dataset.records(range(len(dataset)))],
    )
    if isinstance(rows, slice):
        rows = range(len(dataset))

    def test(row: int) -> bool:
        value = decoded[row]
        sub = value.get(inner.field) if isinstance(value, dict) else None
        if inner.lookup == "isnull":
            return (sub is None) == bool(inner.value)
        return sub is not None and _compare_values(sub, inner.lookup, inner.value)

    return np.fromiter((test(int(r)) for r in rows), dtype=bool, count=len(rows))


def _compare_values(value, lookup: str, wanted) -> bool:
    """A Django lookup on one Python value (text case-sensitive, `i` forms on upper())."""
    if isinstance(wanted, int) and not isinstance(wanted, bool) and isinstance(value, str):
        value = parse_datetime(value) if "T" in value else parse_date(value)
        if value is None:
            return False
    if isinstance(wanted, Decimal) and isinstance(value, (int, float, str)):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return False
    if lookup == "in":
        return any(_compare_values(value, "exact", w) for w in wanted if w is not None)
    if lookup == "range":
        low, high = wanted
        return low is not None and high is not None and low <= value <= high
    if lookup.startswith("i") and isinstance(value, str):
        value, wanted, lookup = value.upper(), str(wanted).upper(), lookup[1:]
    try:
        if lookup == "exact":
            return value == wanted
        if lookup in ("gt", "gte", "lt", "lte"):
            return bool(_OPS[lookup](value, wanted))
    except TypeError:
        return False
    if not isinstance(value, str):
        return False
    if lookup == "contains":
        return wanted in value
    if lookup == "startswith":
        return value.startswith(wanted)
    if lookup == "endswith":
        return value.endswith(wanted)
    return False


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
    """`rows` in the requested order; with no terms, ascending id (the real default). `pk`
    is the key's own name (`id`) unless a field is called `pk`; a term no column holds is
    dropped, as OrderingFilter drops what it cannot order by."""
    columns = dataset.columns
    for name, _descending in sort:
        if name not in columns:  # the rare case: read the terms again
            sort = [
                ("id" if name == "pk" and "pk" not in columns else name, descending)
                for name, descending in sort
            ]
            sort = [(name, descending) for name, descending in sort if name in columns]
            break
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
        elif col.kind == "float":
            # Ranks of the distinct values; NaN (null) sorts after all of them.
            _, rank = np.unique(col.values, return_inverse=True)
            rank = rank.astype(np.int64)
        else:
            rank = col.values.astype(np.int64)
        if col.null is not None:
            rank = np.where(col.null, rank.max(initial=0) + 1, rank)
        return rank

    return col.cached("rank", make)
