"""The mock's handlers: unpack the query, ask the store, answer bytes.

An operation is answered by what it is, never by a name written in the contract: one with a
path parameter retrieves a record (`/users/{id}/`), one without lists them (`for_operation`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import orjson

from mockserver import query as engine
from mockserver.errors import ApiError
from mockserver.pagination import links, paginate
from mockserver.params import Query
from mockserver.spec import Operation
from mockserver.store import Dataset

NO_MATCH = "No User matches the given query."
NOT_FOUND = "Not found."


def list_records(dataset: Dataset, query: Query, url: str) -> bytes:
    """GET /users/: filter, order, paginate; the envelope around records encoded once."""
    rows = engine.select(dataset, query.filters)
    rows = engine.order(dataset, rows, query.sort)
    page = paginate(rows, query.page, query.limit)
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
            b",".join(dataset.records(page.rows.tolist())),
            b"]}",
        )
    )


def retrieve_record(dataset: Dataset, query: Query, url: str, user_id: str) -> bytes:
    """GET /users/{id}/. The query was parsed first, so a bad filter is 400 before any 404
    (DRF's get_object filters the queryset, then looks the id up in it). `url` is unused."""
    try:
        number = int(user_id) if user_id.isascii() else None  # Django: int(pk), else 404
    except ValueError:
        number = None
    if number is None:
        raise ApiError.detail(404, NOT_FOUND)
    row = dataset.row_of(number)
    candidates = np.array([] if row is None else [row], dtype=np.int64)
    matched = engine.select(dataset, query.filters, candidates)
    if not len(matched):
        raise ApiError.detail(404, NO_MATCH)
    return dataset.record(int(matched[0]))


def for_operation(op: Operation) -> Callable[..., bytes]:
    """The handler that answers `op`: a detail retrieves, anything else lists."""
    return retrieve_record if op.is_detail else list_records
