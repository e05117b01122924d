"""Generic handlers: unpack the query, ask the engine, answer bytes, for any operation.

An operation is answered by what it is (its `View`, mockserver/contract/resource.py), never
by a name written in the contract: a list (page number, limit/offset, cursor or a plain array), a
detail (`/products/{id}/`, `/categories/{slug}/`, by uuid), a singleton (`/settings/`),
a nested list scoped by its parent's key, an action, or a body generated from the
documented schema. `for_operation` binds one to its operation once, at start.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import numpy as np
import orjson

from mockserver.contract.resource import WRITES, Paging, Reply, View, lookup_field
from mockserver.contract.spec import Operation
from mockserver.contract.timefmt import parse_date, parse_datetime
from mockserver.engine import cursor
from mockserver.engine import query as engine
from mockserver.engine.pagination import links, offset_links, paginate, window
from mockserver.engine.params import Filter, Query
from mockserver.engine.records import NOT_FOUND, by_key, no_match
from mockserver.errors import ApiError
from mockserver.fake import sample


class Result(NamedTuple):
    """An answer other than a 200 of JSON: its status, body and headers (the HTTP edge
    writes it as it writes every answer)."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...]


# A bound handler: (query, request URL, path parameters, the session's records by resource
# path) -> the body of a 200, or a Result.
Handler = Callable[[Query, str, dict[str, str], Any], "bytes | Result"]


def _rows(served, query: Query, rows: np.ndarray | None = None) -> np.ndarray:
    """Filter, search, order: the rows a list holds, in order."""
    dataset = served.dataset
    search = (served.resource.search, query.search) if query.search else None
    rows = engine.select(dataset, query.filters, rows, search=search)
    return engine.order(dataset, rows, query.sort)


def _page_body(served, count: int, next_url, previous, rows, extra: bytes = b"") -> bytes:
    return b"".join(
        (
            b'{"count":',
            str(count).encode(),
            b',"next":',
            orjson.dumps(next_url),
            b',"previous":',
            orjson.dumps(previous),
            extra,
            b',"results":[',
            b",".join(served.dataset.records(rows.tolist())),
            b"]}",
        )
    )


def list_records(served, query: Query, url: str, rows=None) -> bytes:
    """GET on a paginated collection: DRF's envelope around records encoded once."""
    page = paginate(_rows(served, query, rows), query.page, query.limit)
    next_url, previous = links(url, page)
    return _page_body(served, page.count, next_url, previous, page.rows)


def list_window(served, query: Query, url: str, rows=None) -> bytes:
    """GET on a LimitOffsetPagination list: `limit` records from `offset`."""
    found = _rows(served, query, rows)
    shown = window(found, query.offset, query.limit)
    next_url, previous = offset_links(url, len(found), query.offset, query.limit)
    return _page_body(served, len(found), next_url, previous, shown)


def list_cursor(served, query: Query, url: str, rows=None) -> bytes:
    """GET on a CursorPagination list: `next`, `previous` and `results`, no count. The
    ordering is the query's (an OrderingFilter's), else the paginator's own."""
    sort = query.sort or list(served.resource.cursor_ordering)
    found = _rows(served, replace(query, sort=sort), rows)
    field, descending = sort[0]
    keys, position_key, position_of = positions(served.dataset, field)
    page = cursor.paginate(
        found, descending, keys, position_key, position_of, query.cursor, query.limit, url
    )
    return b"".join(
        (
            b'{"next":',
            orjson.dumps(page.next),
            b',"previous":',
            orjson.dumps(page.previous),
            b',"results":[',
            b",".join(served.dataset.records(page.rows.tolist())),
            b"]}",
        )
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def positions(dataset, field: str):
    """(keys by row, the key of a position text, the position text of a row) of a field, as
    CursorPagination reads them: the text is `str()` of the model instance's value
    (`2024-05-04 10:00:00+00:00` for a date-time), the key what Django's field makes of it.
    """
    col = dataset.columns[field]
    values = col.values
    if col.kind == "datetime":
        moment = _refusing(parse_datetime)
        return values, moment, lambda row: str(_EPOCH + timedelta(microseconds=int(values[row])))
    if col.kind == "date":
        day = _refusing(parse_date)
        return values, day, lambda row: str(date(1970, 1, 1) + timedelta(days=int(values[row])))
    if col.kind == "decimal":
        places = col.choices[0]

        def scaled(text: str) -> int:
            try:
                return int(Decimal(text).scaleb(places))
            except (InvalidOperation, ValueError):
                raise ValueError(text) from None

        return values, scaled, lambda row: str(Decimal(int(values[row])).scaleb(-places))
    if col.kind == "text":
        return values, lambda text: text.encode(), lambda row: values[row].decode()
    return values, int, lambda row: str(values[row])


def list_array(served, query: Query, url: str, rows=None) -> bytes:
    """GET on a collection without pagination: every matching record, a JSON array."""
    found = _rows(served, query, rows)
    return b"[" + b",".join(served.dataset.records(found.tolist())) + b"]"


_LISTS = {
    Paging.PAGE: list_records,
    Paging.OFFSET: list_window,
    Paging.CURSOR: list_cursor,
    Paging.NONE: list_array,
}


def _refusing(parse: Callable[[str], int | None]) -> Callable[[str], int]:
    """`parse`, with ValueError where it finds nothing (Django's to_python refusing)."""

    def key(text: str) -> int:
        found = parse(text)
        if found is None:
            raise ValueError(text)
        return found

    return key


def find_row(served, value: str, field: str | None = "", among=None) -> int | None:
    """The row a detail's lookup value names (in `field`; by default the resource's lookup
    field), or None. A value its field cannot hold is Http404 without a message, as DRF's
    get_object_or_404 turns Django's ValueError and ValidationError into it. `among`: the
    rows a nested view's queryset holds (its parent's children), which DRF's get_object
    looks the value up in: a value another parent's child holds too is found there alone
    (objects-api's version numbers)."""
    resource, dataset = served.resource, served.dataset
    if field == "":
        field = resource.lookup_field
    kind = dataset.columns[field].kind if field in dataset.columns else None
    if field is None or (field == "id" and kind == "int"):
        try:
            number = int(value)  # Django's IntegerField: int(pk) (`٣` is 3)
        except ValueError:
            raise ApiError.detail(404, NOT_FOUND) from None
        row = dataset.row_of(number)
        return row if among is None or row is None or np.isin(row, among) else None
    prop = resource.fields.get(field) or {}
    if kind == "int":
        try:
            number = int(value)
        except ValueError:
            raise ApiError.detail(404, NOT_FOUND) from None
        found = np.flatnonzero(dataset.columns[field].values == number)
        if among is not None:
            found = found[np.isin(found, among)]
        return int(found[0]) if len(found) else None
    if prop.get("format") == "uuid":
        try:
            value = str(uuid.UUID(hex=value))
        except ValueError:
            raise ApiError.detail(404, NOT_FOUND) from None
    if kind != "text":
        return None
    if among is not None:
        col, wanted = dataset.columns[field], value.encode("utf-8", "surrogateescape")
        for row in among.tolist():
            if col.values[row] == wanted and (col.null is None or not col.null[row]):
                return int(row)
        return None
    return dataset.row_by(field, value)


def retrieve_record(served, query: Query, row: int | None) -> bytes:
    """The record of `row` if it passes the query's filters, else DRF's 404. The query was
    parsed first, so a bad filter is 400 before any 404 (DRF's get_object filters the
    queryset, then looks the lookup value up in it)."""
    dataset = served.dataset
    if row is not None and query.filters:
        matched = engine.select(dataset, query.filters, np.array([row], dtype=np.int64))
        row = int(matched[0]) if len(matched) else None
    if row is None:
        raise ApiError.detail(404, no_match(served.resource))
    return dataset.record(row)


class Scoper:
    """The rows a nested view may show: its parent's children (drf-nested-routers filters
    the queryset by the parent's key from the URL). The child's field that points at the
    parent decides, where there is one. Else each generated parent gets every n-th
    generated record, n being the number of generated parents, so that every record has
    exactly one parent whatever a session writes; a record a session created under a
    parent is that parent's (mockserver/engine/writes.py keeps the link)."""

    def __init__(self, view: View, data):
        scope = view.scope
        self.param = scope.param
        self.parent = scope.parent if scope.parent in data else None
        self.field = scope.field
        self.path = view.resource
        self.base = data  # the generated records, which the n-th rule reads

    def rows(self, params: dict[str, str], data) -> np.ndarray | None:
        """The candidate rows among `data` (the records a session sees, by resource path);
        None when there is no parent to scope by."""
        if self.parent is None:
            return None
        parent = data[self.parent]
        row = find_row(parent, params[self.param])
        dataset = data[self.path].dataset
        if row is None:
            return dataset.all_rows[:0]
        if self.field is not None:
            parent_id = int(parent.dataset.ids[row])
            return engine.select(dataset, [Filter(self.field, "exact", parent_id)])
        parents = len(self.base[self.parent].dataset)
        if data is self.base:
            return dataset.all_rows[dataset.all_rows % parents == row]
        return dataset.all_rows[self._children(data, int(parent.dataset.ids[row]))]

    def _children(self, data, parent_key: int) -> np.ndarray:
        """Which of a session's records are the parent's: the generated ones the n-th rule
        gives it (by their rows among the generated records, so that a create or a delete
        moves none), and those the session created under it."""
        ids = data[self.path].dataset.ids
        generated = self.base[self.path].dataset.ids
        base_parents = self.base[self.parent].dataset
        mask = np.zeros(len(ids), dtype=bool)
        parent_row = base_parents.row_of(parent_key)
        if parent_row is not None and len(generated):
            rows = np.searchsorted(generated, ids)
            known = generated[np.minimum(rows, len(generated) - 1)] == ids
            mask = known & (rows % len(base_parents) == parent_row)
        links = data.parents_of(self.path)
        created = [key for key, parent in links.items() if parent == parent_key]
        if created:
            mask |= np.isin(ids, created)
        return mask


def generated(view: View, op: Operation, seed: int, sampler: sample.Sampler) -> Handler:
    """A body generated from the operation's documented schema: the same bytes for the same
    path and query, in every process (`sample` draws from hashes of them)."""
    content_type = view.media.encode("latin-1")
    headers = ((b"content-type", content_type),)
    json_media = content_type.split(b";")[0].strip().lower()
    is_json = json_media in (b"application/json", b"*/*") or json_media.endswith(b"+json")
    if is_json:
        headers = ((b"content-type", b"application/json"),)

    def handler(query: Query, url: str, params: dict[str, str], data=None) -> Result:
        key = f"{op.method} {url.partition('://')[2].partition('/')[2]}"
        value = _without_passwords(sampler.checked(view.schema or {}, key, seed))
        if is_json:
            body = orjson.dumps(value)
        else:
            body = value.encode() if isinstance(value, str) else orjson.dumps(value)
        return Result(view.status, body, headers)

    return handler


def _without_passwords(value):
    """A generated value with no `password` anywhere in it: the mock never serves one.

    >>> _without_passwords({"owner": {"name": "a", "password": "x"}, "items": [{"password": 1}]})
    {'owner': {'name': 'a'}, 'items': [{}]}
    """
    if isinstance(value, dict):
        return {k: _without_passwords(v) for k, v in value.items() if k != "password"}
    if isinstance(value, list):
        return [_without_passwords(item) for item in value]
    return value


def _empty(view: View) -> Result:
    """The documented status without a body (drf-spectacular's "No response body")."""
    return Result(view.status, b"", ())


def for_operation(op: Operation, state) -> Handler | None:
    """The handler that answers `op`; None for a write (mockserver/engine/writes.py). A
    handler reads the records of the request's session (`data`: Served by resource path;
    `state.served` when the session has written nothing)."""
    view = op.view
    if view.reply in (Reply.NONE, *WRITES):
        return None
    path = view.resource
    known = path in state.served
    scoper = Scoper(view, state.served) if view.scope is not None and known else None
    lookup = view.lookup
    field = lookup_field(lookup, state.served[path].resource.fields) if known and lookup else None

    def records_of(params: dict[str, str], data):
        return scoper.rows(params, data) if scoper is not None else None

    def row_of(params: dict[str, str], data) -> int | None:
        if lookup not in params:
            return None
        return find_row(data[path], params[lookup], field, among=records_of(params, data))

    if view.reply == Reply.ONE:
        return lambda query, url, params, data: data[path].dataset.record(0)
    if view.reply == Reply.LIST:
        lister = _LISTS[view.paging]
        if view.envelope is not None:
            lister = _enveloped(lister, view, op, state)
        if scoper is not None and view.scope.detail and scoper.parent is not None:
            parent = scoper.parent

            def listed(query: Query, url: str, params: dict[str, str], data):
                # A detail @action's list (objects-api's history): get_object() first, 404
                # for a parent that does not exist (or no longer does, once deleted).
                if find_row(data[parent], params[scoper.param]) is None:
                    raise ApiError.detail(404, no_match(data[parent].resource))
                return lister(data[path], query, url, records_of(params, data))

            return listed
        return lambda query, url, params, data: lister(
            data[path], query, url, records_of(params, data)
        )
    if view.reply == Reply.RECORD:
        keyed = scoper is None and field in (None, "id")

        def retrieve(query: Query, url: str, params: dict[str, str], data):
            if keyed and not query.filters and data is not state.served:
                # A session that wrote: the record by its key, from the change set first,
                # without merging the collection (a detail read right after a write).
                return by_key(data, path, params[lookup])[1]
            return retrieve_record(data[path], query, row_of(params, data))

        return retrieve
    answer = generated(view, op, state.settings.seed, sampler_of(state))
    if view.reply == Reply.EMPTY:

        def answer(query, url, params, data, _view=view):
            return _empty(_view)

    if not known or lookup is None:
        return answer

    def looked_up(query: Query, url: str, params: dict[str, str], data):
        # A detail action's get_object(): an unknown key is 404 before anything else.
        if lookup in params and row_of(params, data) is None:
            raise ApiError.detail(404, no_match(data[path].resource))
        return answer(query, url, params, data)

    return looked_up


_SAMPLERS: dict[int, sample.Sampler] = {}


def sampler_of(state) -> sample.Sampler:
    """One Sampler per spec: it keeps each schema node's merged form and validator."""
    found = _SAMPLERS.get(id(state.spec))
    if found is None:
        if len(_SAMPLERS) > 8:  # reloads make new specs; old ones go
            _SAMPLERS.clear()
        found = _SAMPLERS[id(state.spec)] = sample.Sampler(state.spec.resolve_shallow)
    return found


def _enveloped(lister, view: View, op: Operation, state) -> Callable:
    """A custom page (any object wrapping `results` with fields of its own): the standard
    fields as the paginator fills them; a field that names the page's own figures (`page`,
    `page_size`, `total_pages`, `current`, ... at the top or in a nested `pagination`
    object) says them; the others are generated from their schema."""
    props = (view.envelope or {}).get("properties") or {}
    own = {k: v for k, v in props.items() if k not in ("count", "next", "previous", "results")}
    sampler = sampler_of(state)
    seed = state.settings.seed

    def answer(served, query: Query, url: str, rows) -> bytes:
        standard: dict[str, Any] = orjson.loads(lister(served, query, url, rows))
        figures = _figures(query, standard, len(standard.get("results") or ()))
        body = {k: v for k, v in standard.items() if k in props}
        for name, schema in own.items():
            value = sampler.checked(schema, f"{op.path} {name}", seed, name)
            body[name] = _said(value, figures, name)
        return orjson.dumps(body)

    return answer


def _figures(query: Query, page: dict, shown: int) -> dict[str, Any]:
    """A page's own figures, by the names envelopes give them."""
    count = page.get("count")
    size = max(query.limit, 1)
    pages = max(1, -(-count // size)) if isinstance(count, int) else None
    number = 1
    if query.page == "last" and pages is not None:
        number = pages
    elif query.page and query.page.isdigit():
        number = int(query.page)
    start = (number - 1) * size + 1 if shown else 0
    figures = {
        "page": number,
        "current": number,
        "current_page": number,
        "page_number": number,
        "page_size": size,
        "per_page": size,
        "limit": size,
        "offset": query.offset,
        "count": count,
        "total": count,
        "total_count": count,
        "total_pages": pages,
        "num_pages": pages,
        "page_count": pages,
        "pages": pages,
        "start_index": start,
        "end_index": start + shown - 1 if shown else 0,
        "next": page.get("next"),
        "previous": page.get("previous"),
    }
    return {name: value for name, value in figures.items() if value is not None}


def _said(value, figures: dict[str, Any], name: str):
    """`value` with the page's figures where a field is named after one and holds the
    same kind of value (a generated integer becomes the page number, say)."""
    if name in figures and _same_kind(value, figures[name]):
        return figures[name]
    if isinstance(value, dict):
        return {
            key: figures[key] if key in figures and _same_kind(item, figures[key]) else item
            for key, item in value.items()
        }
    return value


def _same_kind(generated, figure) -> bool:
    if generated is None:
        return figure is None or isinstance(figure, str)
    return type(generated) is type(figure) or (
        isinstance(generated, str) and isinstance(figure, str)
    )
