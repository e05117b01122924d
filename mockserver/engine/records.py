"""The records a request reads: each resource's generated dataset, with its session's
writes applied.

A write never changes the generated records: each session keeps a change set over them
(key -> the record's JSON, or None for a deleted one), held by mockserver/engine/sessions.py
in memory or in a shared Redis. `Records` is one session's view of every resource, made
lazily: a resource is merged with its changes the first time a request of that session
reads it after a write, and reads see a plain `Served`, so filters, ordering, search,
pagination and relations work on written records exactly as on generated ones. A session
that wrote nothing reads the generated `Served` themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

import numpy as np
import orjson

from mockserver.contract.resource import OBJECT, Resource
from mockserver.engine import query, store
from mockserver.engine.params import Rules
from mockserver.errors import ApiError

NOT_FOUND = "Not found."
_NONE: Mapping = {}  # no records given parsed


def no_match(resource: Resource) -> str:
    """django.shortcuts.get_object_or_404's message, which DRF's NotFound carries.

    >>> from mockserver.contract.resource import Resource
    >>> no_match(Resource("/users/", "users", "User", {}))
    'No User matches the given query.'
    """
    return f"No {resource.model} matches the given query."


@dataclass(frozen=True)
class Served:
    """A resource with its records and the rules its query strings are read by."""

    resource: Resource
    dataset: store.Dataset
    rules: Rules

    def count(self) -> str:
        """`1,000 products`; a singleton by its name."""
        if self.resource.shape == OBJECT:
            return self.resource.name
        return f"{len(self.dataset):,} {self.resource.name}"


def resource_rules(
    rules: Rules, resource: Resource, datasets: Mapping[str, store.Dataset]
) -> Rules:
    """A resource's query rules: what it sorts by, its fields, and its relations' ids (read
    from `datasets` when a filter asks, so a session's rules see its own records)."""
    relations = resource.relations

    def exists(field_name: str, record_id: int) -> bool:
        target = datasets[relations[field_name]]
        return target.row_of(record_id) is not None

    def related(target: str, filters: list) -> list[int]:
        found = datasets[target]
        return found.ids[query.select(found, filters)].tolist()

    return replace(
        rules,
        page_size=resource.page_size or rules.page_size,
        max_page_size=resource.max_page_size or rules.max_page_size,
        sortable=resource.sortable,
        fields={n: p for n, p in resource.fields.items() if n in relations},
        exists=exists if relations else None,
        related=related if relations else None,
    )


Changes = dict[str, dict[int, bytes | None]]  # resource path -> key -> JSON, or None: deleted


def link_path(path: str) -> str:
    """Where a session keeps the parents of the records it created in the nested collection
    `path` when no field of theirs names it (the model's foreign key that drf-spectacular
    did not render): a collection of its own in the change set, `{"parent": key}` a record,
    so that it is saved, shared and loaded as the records are.

    >>> link_path("/types/{type_uuid}/versions")
    '/types/{type_uuid}/versions#parents'
    """
    return path + "#parents"


class Records(Mapping[str, Served]):
    """Every resource as one session sees it, by resource path.

    >>> import numpy as np
    >>> from mockserver.engine.store import Column, Dataset
    >>> people = Resource("/people/", "people", "Person", {"properties": {"n": {}}})
    >>> base = Dataset(np.array([1]), b'{"n":1}', np.array([0, 7]),
    ...                {"n": Column("int", np.array([1]))})
    >>> served = {"/people/": Served(people, base, Rules())}
    >>> records = Records(served, Rules(), {"/people/": {2: b'{"n":2}'}}, version=1)
    >>> len(records["/people/"].dataset), records.record("/people/", 2)
    (2, b'{"n":2}')
    >>> records.apply(5, {"/people/": {1: None}}); len(records["/people/"].dataset)
    1
    """

    def __init__(self, served: dict[str, Served], rules: Rules, changes: Changes, version: int):
        self._base = served
        self._rules = rules
        self.changes = changes
        self.version = version
        self._made: dict[str, Served] = {}
        self._pending: Changes = {}  # written since the merged dataset of a path was made
        self._resource_rules: dict[str, Rules] = {}
        self._indexes: dict[tuple[str, str], tuple[dict, dict]] = {}
        self._datasets = _Datasets(self)

    def __getitem__(self, path: str) -> Served:
        found = self._made.get(path)
        pending = self._pending.pop(path, None)
        if found is not None and pending:
            # Only what was written since: the merge of a large change set is not redone
            # for each write.
            dataset = found.dataset.changed(pending, found.resource.fields)
            found = self._made[path] = Served(found.resource, dataset, found.rules)
        elif found is None:
            base = self._base[path]
            mine = self.changes.get(path)
            dataset = base.dataset.changed(mine, base.resource.fields) if mine else base.dataset
            found = self._made[path] = Served(base.resource, dataset, self.rules_of(path))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._base)

    def __len__(self) -> int:
        return len(self._base)

    def __contains__(self, path: object) -> bool:
        return path in self._base

    def parents_of(self, path: str) -> dict[int, int]:
        """The parent's key of each record this session created in a nested collection
        whose records name no parent (`link_path`), by the record's key."""
        links = self.changes.get(link_path(path)) or {}
        return {key: orjson.loads(link)["parent"] for key, link in links.items() if link}

    def resource_of(self, path: str) -> Resource:
        return self._base[path].resource

    def rules_of(self, path: str) -> Rules:
        """A resource's query rules in this session, without merging its records: its
        relations read the session's datasets only when a filter asks."""
        found = self._resource_rules.get(path)
        if found is None:
            found = resource_rules(self._rules, self._base[path].resource, self._datasets)
            self._resource_rules[path] = found
        return found

    def record(self, path: str, key: int) -> bytes | None:
        """The JSON of record `key` of a collection, None when there is none: read from the
        change set first, without merging the collection (a detail after a write)."""
        mine = self.changes.get(path)
        if mine is not None and key in mine:
            return mine[key]
        dataset = self._base[path].dataset
        row = dataset.row_of(key)
        return None if row is None else dataset.record(row)

    def has(self, path: str, key: int) -> bool:
        """Whether record `key` of a collection exists in this session (a relation's check),
        without reading its JSON."""
        mine = self.changes.get(path)
        if mine is not None and key in mine:
            return mine[key] is not None
        return self._base[path].dataset.row_of(key) is not None

    def taken(self, path: str, field: str, value, exclude: int | None) -> bool:
        """Whether a record of `path` other than `exclude` has `value` in `field` (a unique
        field): the generated records' index, less the keys the session rewrote, and an
        index of the session's own writes, kept as it writes; nothing is merged."""
        text = str(value)
        base = self._base[path].dataset
        mine = self.changes.get(path) or {}
        col = base.columns.get(field)
        if col is not None:
            if col.kind == "text":
                row = base.row_by(field, text)
                rows = [] if row is None else [row]
            else:
                rows = np.flatnonzero(col.values == value).tolist()
            for row in rows:
                key = int(base.ids[row])
                if key != exclude and key not in mine:
                    return True
        by_value, _ = self._index(path, field)
        return any(key != exclude for key in by_value.get(text, ()))

    def _index(self, path: str, field: str) -> tuple[dict, dict]:
        """(value -> keys, key -> value) of `field` over the session's records of `path`."""
        found = self._indexes.get((path, field))
        if found is None:
            found = self._indexes[path, field] = ({}, {})
            self._indexed(path, field, found, self.changes.get(path) or {})
        return found

    @staticmethod
    def _indexed(
        path: str, field: str, index: tuple[dict, dict], written: dict, docs: Mapping = _NONE
    ) -> None:
        """The index brought up to date with `written` (key -> JSON, or None); `docs`: the
        written records already parsed, by key, when the writer has them."""
        by_value, by_key = index
        for key, record in written.items():
            old = by_key.pop(key, None)
            if old is not None:
                by_value[old].discard(key)
            if record is not None:
                doc = docs.get(key)
                value = (doc if doc is not None else orjson.loads(record)).get(field)
                if value is not None:
                    by_key[key] = str(value)
                    by_value.setdefault(str(value), set()).add(key)

    def apply(self, version: int, changes: Changes, docs: Mapping[int, dict] = _NONE) -> None:
        """Catch up with the store: the records written since this view's version, as they
        are at `version` (mockserver/engine/sessions.py `read_since`). `docs`: what this
        process wrote, parsed (key -> the record as a dict), so that it is not parsed
        again for the unique fields' index."""
        for path, written in changes.items():
            self.changes.setdefault(path, {}).update(written)
            if path in self._made:
                self._pending.setdefault(path, {}).update(written)
            for (indexed, field), index in self._indexes.items():
                if indexed == path:
                    self._indexed(path, field, index, written, docs)
        self.version = version


class _Datasets(Mapping[str, store.Dataset]):
    """The datasets of a session, for the rules' relation lookups."""

    def __init__(self, records: Records):
        self._records = records

    def __getitem__(self, path: str) -> store.Dataset:
        return self._records[path].dataset

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def by_key(records: Records, path: str, value: str) -> tuple[int, bytes]:
    """The key a URL's `value` names and the JSON of its record in this session: a detail
    looked up by its integer primary key, as DRF's `get_object` does, with DRF's 404 when
    there is none.

    Django's IntegerField reads the key with `int(pk)`, so a value that is no integer is
    "Not found." (its ValueError becomes Http404); one no row can hold (beyond a bigint)
    or no record has is `get_object_or_404`'s "No <Model> matches the given query."
    """
    try:
        key = int(value)
    except ValueError:
        raise ApiError.detail(404, NOT_FOUND) from None
    found = records.record(path, key) if -(2**63) <= key < 2**63 else None
    if found is None:
        raise ApiError.detail(404, no_match(records.resource_of(path)))
    return key, found
