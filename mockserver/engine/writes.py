"""Writes as a ModelViewSet performs them: create, update, partial update and destroy.

DRF's mixins (rest_framework/mixins.py): `create` validates the body with the serializer
and answers 201 with the saved object (`Location` only when it has a `url`,
`get_success_headers`); `update` looks the object up first (404 before any validation),
then validates every required field (PUT) or only those given (PATCH) and answers 200;
`destroy` answers 204 with no body. The serializer is mockserver/engine/serializer.py.

What a model does on save, which no spec says, the mock does by DRF's defaults:
- a new record's key is the next after the largest ever used in its collection, in its
  session (a database sequence: a deleted key is never given again);
- on create every read-only date-time is the request's time (`auto_now_add`); on update
  only the `auto_now` ones move (`Resource.auto_now`: by name, or `x-resource`);
- on create a writable field the body leaves out takes the spec's `default`, else null
  where nullable, else its type's empty value; the other read-only fields are generated,
  as the record of that key would be;
- deleting a record deletes the records of other collections that point at it (Django's
  CASCADE, the usual `on_delete`), unless `x-resource: {on_delete: {path: set_null}}` says
  otherwise; many-to-many links to it go.

Every write goes to the session's change set (mockserver/engine/sessions.py) through
`Workspace.store`, the one place that stores; reads see it at once (records.py).

A write is validated and stored as one step, as a database's unique index and row locks
make it, even when processes share the change sets (`--state-url`): its first put is
conditional on the session's version that it was validated against. When another process
wrote in between, nothing is stored, and the write is validated again against what that one
wrote (`_serialized`): of two creates of one unique value one is a 201 and the other DRF's
400, as if it had come after; a PATCH of a record deleted meanwhile is a 404, a relation to
one a 400. The puts that follow from the first (a cascade, a nested create's link) are made
from the state it was validated against, as a database makes them in the same transaction.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import orjson

from mockserver.contract.resource import (
    OBJECT,
    Reply,
    Resource,
    View,
    _readable,
    lookup_field,
    merged,
)
from mockserver.contract.schema import Validator, effective
from mockserver.contract.spec import Operation
from mockserver.contract.timefmt import format_datetime
from mockserver.engine import serializer, store
from mockserver.engine.handlers import Result, find_row, sampler_of
from mockserver.engine.records import Records, Served, by_key, link_path, no_match
from mockserver.engine.sessions import StoreUnavailable
from mockserver.errors import ApiError

_JSON = (b"content-type", b"application/json")
_DRAWN = object()  # an omitted field that takes the value generated for the new key
_UNKNOWN = object()
# Sessions whose merged records this process keeps; the least recently written go first.
_KEPT_SESSIONS = 256
# Validations of one write, each after another process wrote to its session in between,
# before it is a 503 (StoreUnavailable, `Retry-After`) rather than a write left unchecked.
# Each process performs one request at a time, so a write is refused only when another
# process stored first: with a few processes, sixteen in a row is a session written
# without a pause by all of them.
ATTEMPTS = 16


@dataclass
class Write:
    """A write request as the pipeline hands it over: how to read its body (`request.data`,
    by DRF's parsers: mockserver/http/parsers.py), the path parameters, the session, and
    the request's time in microseconds since the epoch."""

    read: Callable[[], tuple[object, bool]]
    params: dict[str, str]
    session: str
    now: int
    url: str = ""  # the request's absolute URL (request.build_absolute_uri())
    _parsed: tuple | None = None
    # A create's key, drawn once: a validation made again after another process's write
    # keeps it (a sequence's next value is the request's once drawn, never given again).
    _key: int | None = None

    def parsed(self) -> tuple[object, bool]:
        """`request.data`, parsed the first time a step asks as DRF's parsers do: (data,
        form), `form` when it came from a form or multipart body (each field a list of
        values); ApiError 400 or 415 for a body no parser takes."""
        if self._parsed is None:
            self._parsed = self.read()
        return self._parsed


class Moved(Exception):
    """The session changed since the version a write was validated against (another
    process wrote to it): nothing was stored; the write is validated again."""


class Workspace:
    """The sessions' records as this process sees them, and the one place writes go."""

    def __init__(self, state, sessions):
        self.state = state
        self.sessions = sessions
        self._views: dict[str, Records] = {}
        self._floors: dict[str, int] = {}  # the largest generated key, by collection

    def records(self, session: str) -> Mapping[str, Served]:
        """The records a request of `session` reads: the generated ones while it has
        written nothing (no merge, no copy), else its own view, brought up to date with
        what any process wrote since this one last looked."""
        version = self.sessions.version(session)
        if version == 0:
            self._views.pop(session, None)
            return self.state.served
        found = self._views.get(session)
        if found is not None and found.version != version:
            found = self._caught_up(session, found)
        return found if found is not None else self._load(session)

    def _caught_up(self, session: str, view: Records) -> Records | None:
        since = self.sessions.read_since(session, view.version)
        if since is None:
            self._views.pop(session, None)
            return None
        view.apply(*since)
        return view

    def _load(self, session: str) -> Records:
        if len(self._views) >= _KEPT_SESSIONS:
            self._views.pop(next(iter(self._views)))
        # The version first: a write in between makes the read newer than it, never older.
        version = self.sessions.version(session)
        found = Records(self.state.served, self.state.rules, self.sessions.read(session), version)
        self._views[session] = found
        return found

    def writable(self, session: str) -> Records:
        records = self.records(session)
        return records if isinstance(records, Records) else self._load(session)

    def store(
        self,
        session: str,
        path: str,
        key: int,
        record: bytes | None,
        doc: dict | None = None,
        expected: int | None = None,
    ) -> None:
        """Store one write, and bring this process's view of the session up to date. `doc`:
        the record as the dict its JSON was made from, when the caller has it. `expected`:
        the session's version the write was validated against (`Records.version`), which
        it must still be at; else Moved, and nothing is stored."""
        view = self.writable(session)
        if not self.sessions.put(session, path, key, record, expected):
            raise Moved(session)
        if not self.sessions.shared:
            # This process's own memory: no other writer, the write is the whole news.
            docs = {key: doc} if doc is not None else {}
            view.apply(self.sessions.version(session), {path: {key: record}}, docs)
        elif self._caught_up(session, view) is None:
            self._load(session)

    def next_key(self, session: str, path: str) -> int:
        floor = self._floors.get(path)
        if floor is None:
            # The generated records never change: their largest key is found once.
            ids = self.state.served[path].dataset.ids
            floor = self._floors[path] = int(ids.max()) if len(ids) else 0
        return self.sessions.next_key(session, path, floor)

    def reset(self, session: str) -> None:
        self.sessions.reset(session)
        self._views.pop(session, None)

    def load(self, session: str, doc) -> None:
        """Replace a session's change set (`PUT /__mock/state`); ValueError names what is
        wrong with it. Each record must be one its collection could hold."""
        check_state(self.state, doc)
        self.sessions.load(session, doc)
        self._views.pop(session, None)


def check_state(state, doc) -> None:
    """ValueError naming what is wrong with a change set (`PUT /__mock/state`, a state
    file): a path that is no collection of the spec, a record its collection could not
    hold."""
    collections = doc.get("collections") if isinstance(doc, dict) else None
    if not isinstance(collections, dict):
        raise ValueError('A state is {"collections": {path: {"next": n, "records": {}}}}.')
    for path, changes in collections.items():
        served = state.served.get(path)
        linked = isinstance(path, str) and link_path(path.rpartition("#")[0]) == path
        if served is None and not (linked and path.rpartition("#")[0] in state.served):
            raise ValueError(f"{path!r} is no collection of this spec.")
        records = changes.get("records") if isinstance(changes, dict) else None
        validator = Validator(_LINK if served is None else served.resource.schema)
        for key, record in (records or {}).items():
            if record is None:
                continue
            problems = validator.errors(record)
            if problems:
                where, message = problems[0]
                place = f"{path} record {key}" + (f" {where}" if where else "")
                raise ValueError(f"{place}: {message}")


# A created nested record's parent, where no field of it names one (records.link_path).
_LINK = {
    "type": "object",
    "properties": {"parent": {"type": "integer", "minimum": 1}},
    "required": ["parent"],
    "additionalProperties": False,
}


# A bound write: (the write, the workspace) -> the answer.
WriteHandler = Callable[[Write, Workspace], Result]


def for_write(op: Operation, state) -> WriteHandler | None:
    """The handler performing `op`, a create, update or destroy of a modelled resource;
    None for any other operation."""
    view = op.view
    if view.reply not in (Reply.CREATE, Reply.UPDATE, Reply.DESTROY):
        return None
    if view.resource not in state.served:
        return None
    writer = _Writer(op, view, state)
    return _serialized(
        {Reply.CREATE: writer.create, Reply.UPDATE: writer.update}.get(view.reply, writer.destroy)
    )


def _serialized(handler: WriteHandler) -> WriteHandler:
    """The write, validated again each time another process stored to its session between
    its validation and its put (Moved), up to ATTEMPTS times; then a 503."""

    def write(request: Write, workspace: Workspace) -> Result:
        for _ in range(ATTEMPTS):
            try:
                return handler(request, workspace)
            except Moved:
                continue  # the next validation reads what the other process wrote
        raise StoreUnavailable(
            f"session {request.session!r} was written by others {ATTEMPTS} times in a row "
            "while a write was validated"
        )

    return write


class _Writer:
    """One write operation, bound to its resource at start."""

    def __init__(self, op: Operation, view: View, state):
        self.op = op
        self.path = view.resource
        self.state = state
        served = state.served[self.path]
        self.resource: Resource = served.resource
        self.singleton = self.resource.shape == OBJECT
        self.lookup = view.lookup
        self.field = lookup_field(view.lookup, self.resource.fields) if view.lookup else None
        self.scope = view.scope
        self.schema = request_schema(op, state.spec)
        self.fields = self.resource.fields
        self.plan = state.plans.get(self.path) if hasattr(state, "plans") else None
        # The success answer's own schema when it is not the collection's record: a view
        # whose create or update serializer (`OperationInputSerializer`) is not the read
        # one answers `serializer.data`, that serializer's representation.
        self.answer_schema = _answer_schema(op, view, self.resource, state.spec)
        self._sampler = sampler_of(state) if self.answer_schema is not None else None
        self._generator = None
        self._fits: dict[str, object] = {}  # an omitted field's value, by name
        self._documented = {str(code) for code in op.responses}
        relations = {
            name: self._exists(target)
            for name, target in self.resource.relations.items()
            if target in state.served
        }
        unique = {name: self._taken(name) for name in self.resource.unique}
        # A hand-written spec's composed body: its members as one serializer, or the
        # alternatives the view tries in turn (serializer.composed).
        self._body = serializer.Body(self.schema or {}, relations, unique, self.resource.model)
        props = {
            n: p for one in self._body.shapes for n, p in (one.get("properties") or {}).items()
        }
        self._writable = {n for n, p in props.items() if not effective(p).get("readOnly")}
        self._current: tuple = (None, None)
        # A HyperlinkedModelSerializer's `url`, which a create writes from the request's URL.
        self._linked = _is_link(self.fields.get("url"))
        # An AutoField's key: a create's `id` is the key it was given.
        self._keyed = self.resource.lookup_field == "id" and _is_integer(self.fields.get("id"))
        # (name, schema, read-only, a date-time) of each field, in serializer order.
        self._shapes = [
            (name, prop, bool(effective(prop).get("readOnly")), _is_moment(prop))
            for name, prop in self.fields.items()
        ]

    @functools.cached_property
    def validator(self) -> Validator:
        """The collection's record schema, compiled at the first write rather than at start
        (a spec of a thousand writes, authentik's, spent a quarter of a second on them)."""
        return Validator(self.resource.schema)

    # -- the three writes --------------------------------------------------------------------

    def create(self, write: Write, workspace: Workspace) -> Result:
        records = workspace.writable(write.session)
        version = records.version
        parent = self._parent_key(write, records)
        data = self._validated(write, records, partial=False, key=None)
        if write._key is None:
            write._key = workspace.next_key(write.session, self.path)
        key = write._key
        record: dict = {}
        drawn: list[str] = []  # fields whose value is the one generated for the new key
        now = None  # the request's time as DRF writes it, made once
        for name, prop, readonly, moment in self._shapes:
            if name in data:
                record[name] = data[name]
            elif readonly and moment:
                now = now or format_datetime(write.now)
                record[name] = now  # auto_now_add and auto_now
            elif not readonly and name in self._writable:
                omitted = self._omitted(name, prop)
                if omitted is _DRAWN:
                    drawn.append(name)
                else:
                    record[name] = omitted
            else:
                drawn.append(name)
        if self._keyed:
            # An AutoField's value is the key; a UUIDField's (`default=uuid4`) is drawn.
            record["id"] = key
            drawn = [name for name in drawn if name != "id"]
        if parent is not None and self.scope.field in self.fields:
            record[self.scope.field] = parent
            drawn = [name for name in drawn if name != self.scope.field]
        link = self._linked and write.url
        if link:
            drawn = [name for name in drawn if name != "url"]
        if drawn:
            record.update(self._new_record(key, drawn))
        if link:
            # HyperlinkedModelSerializer's `url`: the new record's detail, which DRF's
            # create also answers as `Location` (its lookup value drawn above, if it is).
            value = record.get(self.resource.lookup_field) if self.resource.lookup_field else key
            record["url"] = detail_url(write.url, value)
        result = self._saved(
            write,
            workspace,
            version,
            key,
            record,
            self._status(201),
            lambda names: self._new_record(key, names),
        )
        if parent is not None and self.scope.field not in self.fields:
            # No field names the parent: the link is kept beside the record (records.py).
            link = orjson.dumps({"parent": parent})
            workspace.store(write.session, link_path(self.path), key, link)
        return result

    def update(self, write: Write, workspace: Workspace) -> Result:
        records = workspace.writable(write.session)
        version = records.version
        key, current = self._located(write, records)
        data = self._validated(write, records, partial=self.op.method == "PATCH", key=key)
        before = orjson.loads(current)
        record = dict(before)
        record.update((name, value) for name, value in data.items() if name in self.fields)
        for name in self.resource.auto_now:
            record[name] = format_datetime(write.now)
        return self._saved(
            write,
            workspace,
            version,
            key,
            record,
            self._status(200),
            lambda names: {n: before.get(n) for n in names},
        )

    def destroy(self, write: Write, workspace: Workspace) -> Result:
        records = workspace.writable(write.session)
        version = records.version
        key, _current = self._located(write, records)
        workspace.store(write.session, self.path, key, None, expected=version)
        _cascade(self.state, workspace, write.session, self.path, key)
        return Result(204, b"", ())

    # -- steps -------------------------------------------------------------------------------

    def _status(self, usual: int) -> int:
        """The documented success status: DRF's mixin's (CreateModelMixin's 201,
        UpdateModelMixin's 200) where it is documented; else a view of its own says it (an
        APIView whose `post` saves and answers `Response(data)`, 200: open-chat-studio's
        `update_participant_data`), or the 200 a write documented without any success is
        given in the served document (mockserver/http/writedocs.py)."""
        if str(usual) in self._documented:
            return usual
        status = self.op.view.status
        return status if 200 <= status < 300 else usual

    def _omitted(self, name: str, prop: dict):
        """A writable field a create leaves out (the spec's `default` was applied by the
        serializer): null where nullable, else its type's empty value where the field can
        hold it (a model field with `blank=True`); else the value generated for the new
        key, standing for a model default no spec says (a choice, an email). The same for
        every create, so found once per field."""
        found = self._fits.get(name, _UNKNOWN)
        if found is _UNKNOWN:
            empty = _empty(prop)
            if _nullable(prop):
                found = None
            elif Validator(prop).is_valid(empty) and not (empty == "" and prop.get("format")):
                # ("" is no UUID, URL or date: a blank-allowing one is drf-spectacular's
                # `oneOf` with a `maxLength: 0` member, which has no format of its own.)
                found = empty
            else:
                found = _DRAWN
            self._fits[name] = found
        return type(found)() if isinstance(found, list | dict) else found

    def _validated(self, write: Write, records: Records, partial: bool, key) -> dict:
        # The serializer's fields are made once; their relation and uniqueness checks read
        # the request's session through `_current` (requests run one at a time here).
        self._current = (records, key)
        data, form = write.parsed()
        return self._body.validate(data, partial=partial, form=form)

    def _exists(self, target: str) -> Callable[[object], bool]:
        """Whether a record of `target` has this primary key (PrimaryKeyRelatedField): its
        `id` (the record's number), else the field its pk is (a uuid)."""
        fields = self.state.served[target].resource.fields
        pk = "id" if "id" in fields else lookup_field("pk", fields)

        def exists(value) -> bool:
            records = self._current[0]
            if pk in (None, "id"):
                try:
                    return records.has(target, int(value))
                except (TypeError, ValueError, OverflowError):
                    return False
            try:
                return find_row(records[target], str(value), pk) is not None
            except ApiError:
                return False

        return exists

    def _taken(self, name: str) -> Callable[[object], bool]:
        """Whether another record already has this value in `name` (UniqueValidator, which
        excludes the instance being updated)."""

        def taken(value) -> bool:
            records, key = self._current
            return records.taken(self.path, name, value, key)

        return taken

    def _located(self, write: Write, records: Records) -> tuple[int, bytes]:
        """The key and JSON of the record the path names; DRF's 404 when there is none (a
        value its lookup field cannot hold: "Not found.")."""
        if self.singleton:
            return 1, records.record(self.path, 1) or records[self.path].dataset.record(0)
        value = write.params.get(self.lookup, "")
        if self.scope is None and self.field in (None, "id"):
            return by_key(records, self.path, value)
        else:
            served = records[self.path]
            among = self._scoped(write, records) if self.scope is not None else None
            row = find_row(served, value, self.field, among=among)
            key = int(served.dataset.ids[row]) if row is not None else 0
            found = served.dataset.record(row) if row is not None else None
        if found is None:
            raise ApiError.detail(404, no_match(self.resource))
        return key, found

    def _scoped(self, write: Write, records: Records):
        """The rows the nested view's queryset holds (its parent's children); None when
        there is no parent to scope by. The scoper's base is the generated records, as a
        read's is (handlers.Scoper): given a session's, it took them for the generated
        ones, and a version the session created under a parent was no child of it."""
        from mockserver.engine.handlers import Scoper

        return Scoper(self.op.view, self.state.served).rows(write.params, records)

    def _parent_key(self, write: Write, records: Records) -> int | None:
        """A nested create's parent (drf-nested-routers): its key, or 404 for none."""
        scope = self.scope
        if scope is None or scope.parent is None or scope.param not in write.params:
            return None
        parent = records[scope.parent]
        row = find_row(parent, write.params[scope.param])
        if row is None:
            raise ApiError.detail(404, no_match(parent.resource))
        return int(parent.dataset.ids[row])

    def _new_record(self, key: int, fields: list[str]) -> dict:
        """These fields of the record generated for `key`, as a dataset of that size would
        hold it: what the body does not set (read-only fields) comes from it. Only they
        are drawn (a whole record costs half a millisecond of Faker)."""
        if self.plan is None:
            return {}
        if self._generator is None:
            self._generator = store.generator_of(self.plan)
        return store.generated_record(self._generator, self.plan, key, fields)

    def _saved(
        self,
        write: Write,
        workspace: Workspace,
        version: int,
        key: int,
        record: dict,
        status: int,
        rendered: Callable[[list[str]], dict],
    ):
        """Store the record, if the session is still at the `version` it was validated
        against (else Moved), and answer it. A field the body set that the collection's
        (read) schema cannot hold comes from another serializer than the read one (a
        `<Name>Request` whose `feedstock` is a code, read back as a nested object; an id
        read back as its text): DRF saves the value and its read serializer renders what
        it stands for, which the mock does not know; `rendered(names)` gives the record's
        own value for them instead (the one generated for a new key, the stored one on an
        update), as a read would show it."""
        record = {name: record[name] for name in self.fields if name in record}
        # (Whether it is valid is told faster than what is wrong with it, nearly never.)
        problems = [] if self.validator.is_valid(record) else self.validator.errors(record)
        names = sorted({where.split("/")[0] for where, _message in problems} - {""})
        if problems and len(names) == len({where.split("/")[0] for where, _m in problems}):
            record.update(rendered(names))
            problems = self.validator.errors(record)
        if problems:
            # The request schema let through what the response schema refuses: the record
            # is not stored, and the field is named as DRF names a refused value.
            where, message = problems[0]
            name = where.split("/")[0] or "non_field_errors"
            raise ApiError.invalid({name: [f"Enter a valid value. ({message})"]})
        body = _dumps(record)
        workspace.store(write.session, self.path, key, body, record, version)
        if self.answer_schema is not None:
            body = orjson.dumps(self._answer(key, record, write.parsed()[0]))
        headers = [_JSON]
        if isinstance(record.get("url"), str) and status == 201 and _FIELD_VALUE(record["url"]):
            # (A `url` a header cannot carry, a CharField's control character, is left out:
            # the server would drop the connection rather than send it. RFC 9110 5.5.)
            headers.append((b"location", record["url"].encode("utf-8", "replace")))
        return Result(status, body, tuple(headers))

    def _answer(self, key: int, record: dict, sent) -> dict:
        """The write serializer's representation of the saved record: each field of the
        answer's schema as the body set it, else as the record holds it, where the field's
        schema takes that value; the others as generated for the key (what the view's own
        fields compute)."""
        sampler, schema = self._sampler, self.answer_schema
        seed = self.state.settings.seed
        answer = sampler.checked(schema, f"{self.op.method} {self.path}{key}", seed)
        if not isinstance(answer, dict):
            return answer
        props = schema.get("properties") or {}
        sent = sent if isinstance(sent, Mapping) else {}
        for name, prop in props.items():
            if not isinstance(prop, dict) or name not in answer:
                continue
            for source in (sent, record):
                if name in source and _fits(sampler.validator(prop), source[name]):
                    answer[name] = source[name]
                    break
        whole = sampler.validator(schema)
        return answer if whole.is_valid(answer) else sampler.checked(schema, str(key), seed)


def _fits(validator: Validator, value) -> bool:
    """Whether an answer's field may hold `value`: valid, and JSON orjson writes (no
    integer past 64 bits, which a body may hold and IntegerField takes)."""
    try:
        orjson.dumps(value)
    except TypeError:
        return False
    return validator.is_valid(value)


def _answer_schema(op: Operation, view: View, resource: Resource, spec) -> dict | None:
    """The documented success answer's JSON schema, when it is another serializer's than
    the collection's records (None when it is theirs, or there is none)."""
    response = op.responses.get(str(view.status))
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict):
        return None
    media = content.get("application/json")
    schema = media.get("schema") if isinstance(media, dict) else None
    if not isinstance(schema, dict) or not schema:
        return None
    # As the collection's record schema is made (resource.py): `allOf` folded, and the
    # write-only fields left out, as `to_representation` leaves them out.
    schema = _readable(merged(spec, schema))
    return None if schema == resource.schema else schema


def request_schema(op: Operation, spec) -> dict | None:
    """The serializer's schema: the JSON body's, else the first documented. A PATCH is
    validated with the full serializer and `partial=True`, as DRF's partial_update does:
    its `Patched<Name>` component marks nothing required, which is the only place the
    schema says that a string may not be blank; so its full serializer's (`full_write`).
    A PATCH whose own body requires fields is no partial update (`partial_update`)."""
    own = _own_schema(op)
    full = full_write(op, spec) if partial_update(op) else None
    return own if full is None else _with_files(_own_schema(full), own)


def _with_files(full: dict | None, patched: dict | None) -> dict | None:
    """The full serializer's schema with its file fields as the PATCH's body has them.

    A component that requests and responses share is written in the response's direction,
    where drf-spectacular writes a FileField as its URL (`format: uri`); `Patched<Name>` is
    a request's only, and says `format: binary` (inventree's part `image`: an upload was
    refused "Not a valid string.").

    >>> full = {"properties": {"image": {"type": "string", "format": "uri"}, "name": {}}}
    >>> patched = {"properties": {"image": {"type": "string", "format": "binary"}}}
    >>> _with_files(full, patched)["properties"]["image"]["format"]
    'binary'
    """
    if not isinstance(full, dict) or not isinstance(patched, dict):
        return full
    files = {
        name: prop
        for name, prop in (patched.get("properties") or {}).items()
        if isinstance(prop, dict) and effective(prop).get("format") == "binary"
    }
    properties = full.get("properties")
    if not files or not isinstance(properties, dict) or not files.keys() & properties.keys():
        return full
    return {**full, "properties": {**properties, **{k: files[k] for k in files if k in properties}}}


def partial_update(op: Operation) -> bool:
    """Whether a write is validated as DRF's partial_update: a PATCH whose body requires
    nothing, as drf-spectacular writes every one (`Patched<Name>`). One that requires
    fields is a view's own (django-allauth's PATCH of an email address requires it and
    `primary`), whose PUT on the same path may take another body altogether."""
    if op.method != "PATCH":
        return False
    own = _own_schema(op)
    return not (isinstance(own, dict) and own.get("required"))


def _own_schema(op: Operation) -> dict | None:
    for media, schema in op.body.items():
        if media.split(";")[0].strip().lower() == "application/json":
            return schema
    return next(iter(op.body.values()), None)


def full_write(op: Operation, spec) -> Operation | None:
    """The write whose body is a PATCH's serializer in full (the one `Patched<Name>` is
    written from): the PUT of the same path, else the POST of the same path or of the same
    resource (a ViewSet's create), whose body has the same fields; None when none has.

    Field.get_value reads `required` from the serializer, which a partial update shares:
    a required CharField's "" in a form is a value, refused blank, never "no value".
    """
    fields = set((_own_schema(op) or {}).get("properties") or ())
    resource = op.resource
    for method in ("PUT", "POST"):
        for other in spec.operations:
            if other.method != method or not other.body:
                continue
            same_path = other.path == op.path
            if not (same_path or (method == "POST" and resource and other.resource == resource)):
                continue
            body = _own_schema(other) or {}
            if method == "PUT" and same_path:
                return other
            if set(body.get("properties") or ()) == fields:
                return other
    return None


def _is_moment(prop: dict) -> bool:
    return effective(prop).get("format") == "date-time"


def _is_link(prop: dict | None) -> bool:
    """A HyperlinkedIdentityField, as drf-spectacular writes it: a read-only URI."""
    prop = effective(prop or {})
    return prop.get("readOnly") is True and prop.get("format") == "uri"


def _nullable(prop: dict) -> bool:
    prop = effective(prop)
    return prop.get("nullable") is True or "null" in (prop.get("type") or ())


_EMPTY = {"string": "", "array": [], "object": {}, "boolean": False, "integer": 0, "number": 0.0}


# RFC 9110 field-value: visible characters, obs-text, spaces and tabs between them.
_FIELD_VALUE = re.compile(r"[\x21-\x7e\x80-\uffff]+(?:[ \t]+[\x21-\x7e\x80-\uffff]+)*").fullmatch


def _dumps(record: dict) -> bytes:
    """The record's JSON: orjson's, or the standard library's for an integer past 64 bits
    (a JSONField's, which DRF's JSONRenderer writes whole; orjson refuses it).

    >>> _dumps({"n": -2**70})
    b'{"n":-1180591620717411303424}'
    """
    try:
        return orjson.dumps(record)
    except TypeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def _is_integer(prop) -> bool:
    return isinstance(prop, dict) and effective(prop).get("type") == "integer"


def detail_url(collection: str, value) -> str:
    """The detail URL of the record `value` names, from its collection's URL as the
    request gave it: the router's trailing slash, or none when its routes have none.

    >>> detail_url("http://h/api/objects?x=1", "e3e7"), detail_url("http://h/users/", 7)
    ('http://h/api/objects/e3e7', 'http://h/users/7/')
    """
    base = collection.split("?")[0]
    slash = "/" if base.endswith("/") else ""
    return f"{base.rstrip('/')}/{value}{slash}"


def _empty(prop: dict):
    kind = effective(prop).get("type")
    value = _EMPTY.get(kind if isinstance(kind, str) else "string", "")
    return type(value)() if isinstance(value, list | dict) else value


def _cascade(state, workspace: Workspace, session: str, path: str, key: int) -> None:
    """What deleting record `key` of `path` does to the records pointing at it: Django's
    CASCADE deletes them (and theirs), SET_NULL empties the field; a many-to-many link
    goes either way."""
    owner = state.served[path].resource
    for other_path, served in state.served.items():
        for name, target in served.resource.relations.items():
            if target != path:
                continue
            records = workspace.writable(session)
            dataset = records[other_path].dataset
            col = dataset.columns.get(name)
            if col is None:
                continue
            if col.kind == "idlist":
                rows = np.flatnonzero(np.char.find(col.values, b",%d," % key) >= 0).tolist()
                for row in rows:
                    record = orjson.loads(dataset.record(row))
                    record[name] = [v for v in record.get(name) or () if v != key]
                    workspace.store(
                        session, other_path, int(dataset.ids[row]), orjson.dumps(record)
                    )
                continue
            if col.kind != "int":
                continue
            rows = np.flatnonzero(col.values == key).tolist()
            action = owner.on_delete.get(other_path, "cascade")
            for row in rows:
                child = int(dataset.ids[row])
                if action == "set_null":
                    record = orjson.loads(dataset.record(row))
                    record[name] = None
                    workspace.store(session, other_path, child, orjson.dumps(record))
                elif action == "cascade":
                    workspace.store(session, other_path, child, None)
                    _cascade(state, workspace, session, other_path, child)
