"""Generic handlers: unpack the query, ask the engine, answer bytes, for any resource.

An operation is answered by what it is, never by a name written in the contract
(`for_operation`): a paginated list, a plain array, a detail (`/products/{id}/`,
`/categories/{slug}/`) or a singleton (`/settings/`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numpy as np
import orjson

from mockserver import query as engine
from mockserver.errors import ApiError
from mockserver.pagination import links, paginate
from mockserver.params import Query
from mockserver.resource import ARRAY, OBJECT, Resource
from mockserver.spec import Operation

NOT_FOUND = "Not found."

Handler = Callable[..., bytes]


def no_match(resource: Resource) -> str:
    """django.shortcuts.get_object_or_404's message, which DRF's NotFound carries.

    >>> from mockserver.resource import Resource
    >>> no_match(Resource("/users/", "users", "User", {}))
    'No User matches the given query.'
    """
    return f"No {resource.model} matches the given query."


def _rows(served, query: Query) -> np.ndarray:
    """Filter, search, order: the rows a list holds, in order."""
    dataset = served.dataset
    search = (served.resource.search, query.search) if query.search else None
    rows = engine.select(dataset, query.filters, search=search)
    return engine.order(dataset, rows, query.sort)


def list_records(served, query: Query, url: str) -> bytes:
    """GET on a paginated collection: DRF's envelope around records encoded once."""
    page = paginate(_rows(served, query), query.page, query.limit)
    next_url, previous = links(url, page)
    return b"".join(
        (
            b'{"count":',
            str(page.count).encode(),
            b',"next":',
            orjson.dumps(next_url),
            b',"previous":',
            orjson.dumps(previous),
            b',"results":[',
            b",".join(served.dataset.records(page.rows.tolist())),
            b"]}",
        )
    )


def list_array(served, query: Query, url: str) -> bytes:
    """GET on a collection without pagination: every matching record, a JSON array."""
    rows = _rows(served, query)
    return b"[" + b",".join(served.dataset.records(rows.tolist())) + b"]"


def retrieve_record(served, query: Query, url: str, value: str) -> bytes:
    """GET on a detail. The query was parsed first, so a bad filter is 400 before any 404
    (DRF's get_object filters the queryset, then looks the lookup value up in it). A value
    its field cannot hold is Http404 without a message, as DRF's get_object_or_404 turns
    Django's ValueError and ValidationError into it. `url` is unused."""
    resource, dataset = served.resource, served.dataset
    field = resource.lookup_field
    if field == "id":  # the usual case first: ids are numbered rows
        try:
            row = dataset.row_of(int(value))  # Django's IntegerField: int(pk) (`٣` is 3)
        except ValueError:
            raise ApiError.detail(404, NOT_FOUND) from None
        return _matching(served, query, row)
    prop = resource.fields.get(field) or {}
    if prop.get("type") == "integer":
        try:
            number = int(value)  # Django's IntegerField: int(pk) (`٣` is 3), else Http404
        except ValueError:
            raise ApiError.detail(404, NOT_FOUND) from None
        row = _row_by_number(dataset, field, number)
    else:
        if prop.get("format") == "uuid":
            try:
                value = str(uuid.UUID(hex=value))
            except ValueError:
                raise ApiError.detail(404, NOT_FOUND) from None
        row = dataset.row_by(field, value)
    return _matching(served, query, row)


def _matching(served, query: Query, row: int | None) -> bytes:
    """The record of `row` if it passes the query's filters, else DRF's 404."""
    dataset = served.dataset
    if row is not None and query.filters:
        matched = engine.select(dataset, query.filters, np.array([row], dtype=np.int64))
        row = int(matched[0]) if len(matched) else None
    if row is None:
        raise ApiError.detail(404, no_match(served.resource))
    return dataset.record(row)


def _row_by_number(dataset, field: str, number: int) -> int | None:
    found = np.flatnonzero(dataset.columns[field].values == number)
    return int(found[0]) if len(found) else None


def singleton(served, query: Query, url: str) -> bytes:
    """GET on a one-object resource (`/settings/`): its one record."""
    return served.dataset.record(0)


def for_operation(op: Operation, resource: Resource) -> Handler:
    """The handler that answers `op` of `resource`."""
    if resource.shape == OBJECT:
        return singleton
    if op.is_detail:
        return retrieve_record
    return list_array if resource.shape == ARRAY else list_records
