"""Resources and views: what each GET of a spec serves, found from its shape as DRF writes it.

- A **collection** is a list operation without path parameters whose 200 is a page of items
  (drf-spectacular's `Paginated<Name>List`: `count`, `next`, `previous`, `results`; a
  cursor page without `count`; or any object wrapping `results` with other fields) or a
  plain array of items (a view without pagination). Items need no `id`: a record's key is
  whatever field the detail's path parameter names, else its record number.
- Its **detail** is the GET at `<list path>{lookup}/`; the parameter names the lookup field
  (`id`, `pk`, `uuid`, `slug`, `username`, ...).
- A **nested collection** is a list under a path parameter (`/posts/{post_pk}/comments/`,
  drf-nested-routers), scoped by the parent's key. When a top-level collection has the same
  item schema, it shows that collection's records, so a comment reads the same in both.
- An **action** is a fixed segment after a list path or a detail path (`@action` routes:
  `/products/featured/`, `/products/{id}/summary/`). It answers the collection's records
  when its schema is the collection's, else a body generated from its schema; a detail
  action of an unknown key is DRF's 404, as its `get_object()` is.
- A **singleton** is any other GET without path parameters whose 200 is a named object
  (`/settings/`): one record.
- Anything else is answered from its documented schema (`generated`), or with no body where
  the spec documents none; writes are 405 until the mock performs them.

Each resource has its own deterministic records, its item schema (whose name is the model's
name in DRF's messages: "No Product matches the given query."), and what its list may be
ordered and searched by. `x-resource` on the list operation (or the singleton's) refines
what is inferred:

    x-resource:
      size: 50                      records of this collection (else --size)
      sortable: [id, name]          fields the ordering parameter accepts
      search: [name, description]   fields the search parameter searches
      relations: {category: /categories/, tags: /tags/}
      page_size: 10                 the paginator's default size (else --page-size)
      max_page_size: 50             its largest (else --max-page-size)
      unique: [sku]                 fields a model declares unique (writes check them)
      on_delete: {reviews: cascade} what deleting a record does to the collections pointing
                                    at it (cascade or set_null; cascade by default)
      auto_now: [updated]           read-only date-times a save moves (else by name:
                                    updated*, modified*, last_modified*)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from mockserver.contract import conventions
from mockserver.contract.schema import effective
from mockserver.errors import ConfigError
from mockserver.settings import MAX_SIZE

PAGE = "page"  # DRF's paginated envelope (page number, limit/offset, or a custom one)
CURSOR = "cursor"  # CursorPagination's envelope: next, previous, results
ARRAY = "array"  # a plain JSON array
OBJECT = "object"  # one object
_KEYS = {
    "size",
    "sortable",
    "search",
    "relations",
    "page_size",
    "max_page_size",
    "unique",
    "on_delete",
    "auto_now",
}
# Django's on_delete choices the mock performs when a record others point at is deleted.
ON_DELETE = ("cascade", "set_null")
# Date-times a model's `auto_now` moves on every save, by name (x-resource auto_now overrides).
_AUTO_NOW = re.compile(r"(updated|modified|last_modified|changed)(_at|_on|_date|_time)?$")
_CREATED = ("created", "created_at", "created_on", "date_created", "creation_date", "timestamp")
READS = ("GET", "HEAD")


class Kind(StrEnum):
    """How an operation is served, as the compatibility report and the banner count it."""

    COLLECTION = "collection"
    DETAIL = "detail"
    SINGLETON = "singleton"
    NESTED = "nested collection"
    ACTION = "action"
    GENERATED = "generated from its schema"
    EMPTY = "no response body"
    CREATE = "create"
    UPDATE = "update"
    DESTROY = "delete"
    LOGIN = "login"  # obtain_auth_token, simplejwt's views (mockserver/contract/loginviews.py)
    WRITE = "write answered from its schema"


class Reply(StrEnum):
    """What the handler of an operation answers with."""

    LIST = "list"  # the resource's records, filtered, ordered, paginated
    RECORD = "record"  # one record, by the path's lookup
    ONE = "singleton"  # the singleton's record
    SCHEMA = "schema"  # a body generated from the documented schema
    EMPTY = "empty"  # the documented status with no body
    NONE = "none"  # 405: not served
    CREATE = "create"  # POST on a list: a new record (ModelViewSet.create)
    UPDATE = "update"  # PUT or PATCH on a detail or a singleton (update, partial_update)
    DESTROY = "destroy"  # DELETE on a detail


# The replies that write records (mockserver/engine/writes.py performs them).
WRITES = (Reply.CREATE, Reply.UPDATE, Reply.DESTROY)


class Paging(StrEnum):
    """DRF's paginators, as a list's envelope and parameters show them."""

    PAGE = "page"  # PageNumberPagination: page, page_size
    OFFSET = "offset"  # LimitOffsetPagination: limit, offset
    CURSOR = "cursor"  # CursorPagination: cursor
    NONE = "none"  # a plain array


@dataclass(frozen=True)
class Resource:
    path: str  # the list path (`/products/`), or the singleton's
    name: str  # `products`: the path's last segment, in the banner and the cache
    model: str  # `Product`: the item schema's name, as DRF's messages say it
    schema: dict = field(repr=False)  # the resolved item schema
    shape: str = PAGE  # PAGE, CURSOR, ARRAY or OBJECT
    lookup: str = "id"  # the detail's path parameter
    lookup_field: str | None = "id"  # the record field it is matched against (None: the number)
    sortable: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    relations: dict[str, str] = field(default_factory=dict, repr=False)  # field -> path
    size: int | None = None  # x-resource.size
    where: str = ""  # the item schema's place in the spec, for errors
    example: dict | None = field(default=None, repr=False)  # a singleton's documented value
    # The paginator's own sizes, which no spec says (x-resource; else --page-size and
    # --max-page-size): LimitOffsetPagination's default_limit and max_limit, say.
    page_size: int | None = None
    max_page_size: int | None = None
    # Nested serializers: field -> (the model they serialize, whether a list of them).
    nested_models: dict[str, tuple[str, bool]] = field(default_factory=dict, repr=False)
    unique: tuple[str, ...] = ()  # x-resource.unique: fields writes keep unique
    # x-resource.on_delete: collection path -> what deleting one of these records does to it.
    on_delete: dict[str, str] = field(default_factory=dict, repr=False)
    auto_now: tuple[str, ...] = ()  # read-only date-times every save moves

    @property
    def fields(self) -> dict[str, dict]:
        return self.schema.get("properties") or {}

    @property
    def cursor_ordering(self) -> tuple[tuple[str, bool], ...]:
        """CursorPagination's `ordering` when the spec cannot say it: DRF's default
        `-created`, or the first creation date-time field, newest first; else the key."""
        for name in _CREATED:
            if effective(self.fields.get(name) or {}).get("format") == "date-time":
                return ((name, True),)
        if "id" in self.fields:
            return (("id", False),)
        return ((self.sortable[0], False),) if self.sortable else ()

    @property
    def nested(self) -> bool:
        """A collection of its own under a path parameter (no top-level list shows it)."""
        return "{" in self.path


@dataclass(frozen=True)
class Scope:
    """A nested view's parent: the path parameter that names it, the parent collection (when
    the spec has one) and the child's field that points at it (when one does)."""

    param: str
    parent: str | None = None
    field: str | None = None
    # The parameter is the parent detail's own (`/objects/{uuid}/history` beside
    # `/objects/{uuid}`): a detail @action, whose get_object() is 404 for an unknown parent.
    # drf-nested-routers names its parent `{objecttype_uuid}` and filters the children's
    # queryset by it: an unknown parent has no children, an empty list.
    detail: bool = False


@dataclass(frozen=True)
class View:
    """How one operation is served: its kind, its answer, and the records it shows."""

    kind: Kind
    reply: Reply
    resource: str | None = None  # the path of the resource whose records it reads
    scope: Scope | None = None
    paging: Paging = Paging.NONE
    status: int = 200  # the documented success status
    schema: dict | None = field(default=None, repr=False)  # the 2xx schema, for SCHEMA
    media: str = "application/json"
    envelope: dict | None = field(default=None, repr=False)  # a custom page's other fields
    lookup: str | None = None  # the path parameter that names the record, for one record


@dataclass(frozen=True)
class Discovery:
    resources: dict[str, Resource]
    views: dict[tuple[str, str], View]  # by (path, method)


def discover(spec, raw_operations) -> Discovery:
    """The resources and the view of every operation of `raw_operations` ((path, method, raw
    op) triples)."""
    operations = list(raw_operations)
    gets = {path: op for path, method, op in operations if method == "GET"}
    shapes = {path: _shape(spec, path, op) for path, op in gets.items()}
    found: dict[str, Resource] = {}
    for path in sorted(gets, key=len):
        shaped = shapes[path]
        if "{" in path or shaped is None:
            continue
        prefix = re.sub(r"[^/]+/?$", "", path)
        owner = _key(found, prefix)
        if owner is not None and found[owner].shape != OBJECT:
            continue  # a list @action (`/products/featured/`), not a collection of its own
        found[path] = _resource(spec, path, gets[path], shaped)
    # A detail at `<list path>{lookup}/` names its collection's lookup field.
    for path in gets:
        match = re.fullmatch(r"(.*/)\{(\w+)\}/?", path)
        owner = _key(found, match[1]) if match else None
        if owner is not None and found[owner].shape != OBJECT:
            found[owner] = _with_lookup(found[owner], match[2])
    _check_relations(spec, found)
    by_model = collections_by_model(found.values())
    # Nested collections: their records are a top-level collection's of the same model, or
    # their own.
    nested: dict[str, tuple[str, Scope]] = {}
    for path in sorted(gets, key=len):
        shaped = shapes[path]
        match = re.fullmatch(r"(.*/)\{(\w+)\}/([^{}]+/?)", path)
        if match is None or shaped is None or shaped[0] == OBJECT:
            continue
        parent = _list_of(match[1], found, nested)
        if parent is not None and _model_of(parent, found, nested) == shaped[2]:
            continue  # a detail action listing its own kind: not a nesting
        target = by_model.get(shaped[2])
        if target is None:
            own = _resource(spec, path, gets[path], shaped)
            found[path] = own
            target = path
        detail = any(f"{match[1]}{{{match[2]}}}{end}" in gets for end in ("", "/"))
        pointer = _pointer_to(found[target], parent, found, match[2])
        scope = Scope(match[2], parent, pointer, detail)
        nested[path] = (target, scope)
    for path in gets:
        match = re.fullmatch(r"(.*/)\{(\w+)\}/?", path)
        owner = _key(nested, match[1]) if match else None
        if owner is not None and nested[owner][0] == owner:
            found[owner] = _with_lookup(found[owner], match[2])
    # Resources in the spec's order (the banner's, the report's), their own nested ones last.
    found = {path: found[path] for path in [*gets, *found] if path in found}
    views = {
        (path, method): _view(spec, path, method, op, found, nested, shapes.get(path), by_model)
        for path, method, op in operations
    }
    return Discovery(found, views)


def _key(mapping: dict, prefix: str) -> str | None:
    """The key of `mapping` that is the path `prefix`, with or without its trailing slash
    (some services route `/objects` and `/objects/{uuid}`)."""
    for candidate in (prefix, prefix.rstrip("/")):
        if candidate in mapping:
            return candidate
    return None


def collections_by_model(resources) -> dict[str, str]:
    """The first top-level collection of each model, by the model's name."""
    by_model: dict[str, str] = {}
    for resource in resources:
        if resource.shape != OBJECT and not resource.nested:
            by_model.setdefault(resource.model, resource.path)
    return by_model


def _list_of(prefix: str, found: dict, nested: dict) -> str | None:
    """The path of the list at `prefix`, top-level or nested, if any."""
    key = _key(nested, prefix)
    if key is not None:
        return key
    key = _key(found, prefix)
    return key if key is not None and found[key].shape != OBJECT else None


def _model_of(path: str, found: dict, nested: dict) -> str | None:
    target = nested[path][0] if path in nested else path
    resource = found.get(target)
    return resource.model if resource is not None else None


def _pointer_to(child: Resource, parent: str | None, found: dict, param: str) -> str | None:
    """The child's field that holds its parent's key: a relation to the parent collection,
    else a field named after the parameter's stem (`post_pk` -> `post`, `post_id`)."""
    if parent is None:
        return None
    for name, target in child.relations.items():
        if target == parent and effective(child.fields[name]).get("type") == "integer":
            return name
    stem = re.sub(r"_(pk|id|slug|uuid|lookup)$", "", param).removeprefix("parent_lookup_")
    for name in (stem, f"{stem}_id"):
        prop = effective(child.fields.get(name) or {})
        if prop.get("type") == "integer":
            return name
    return None


def _view(spec, path, method, op, found, nested, shaped, by_model) -> View:
    success = _success(spec, op)
    if method not in READS:
        return _write_view(path, method, found, nested, success)
    status = success[0]
    if path in found and found[path].shape == OBJECT:
        return View(Kind.SINGLETON, Reply.ONE, path, status=status)
    if path in found and "{" not in path:
        return _list_view(spec, Kind.COLLECTION, path, op, found[path], shaped, None, status)
    if path in nested:
        target, scope = nested[path]
        return _list_view(spec, Kind.NESTED, target, op, found[target], shaped, scope, status)
    match = re.fullmatch(r"(.*/)\{(\w+)\}/?", path)
    if match is not None:
        owner = _list_of(match[1], found, nested)
        if owner is not None:
            target, scope = nested.get(owner, (owner, None))
            if shaped is not None and shaped[2] == found[target].model:
                return View(
                    Kind.DETAIL, Reply.RECORD, target, scope, status=status, lookup=match[2]
                )
            return _schema_view(Kind.DETAIL, target, scope, success, match[2])
    match = re.fullmatch(r"(.*/)([^{}/]+/?)", path)
    if match is not None:
        base = match[1]
        owner = _list_of(base, found, nested)
        if owner is not None:  # a list action: `/products/featured/`
            target, scope = nested.get(owner, (owner, None))
            if shaped is not None and shaped[0] != OBJECT:
                if shaped[2] != found[target].model:  # a list of another collection's kind
                    target, scope = by_model.get(shaped[2]), None
                if target is not None:
                    resource = found[target]
                    return _list_view(
                        spec, Kind.ACTION, target, op, resource, shaped, scope, status
                    )
            return _schema_view(Kind.ACTION, None, None, success)
        detail = re.fullmatch(r"(.*/)\{(\w+)\}/", base)
        owner = _list_of(detail[1], found, nested) if detail else None
        if owner is not None:  # a detail action: `/products/{id}/summary/`
            target, scope = nested.get(owner, (owner, None))
            if shaped is not None and shaped[0] == OBJECT and shaped[2] == found[target].model:
                return View(
                    Kind.ACTION, Reply.RECORD, target, scope, status=status, lookup=detail[2]
                )
            return _schema_view(Kind.ACTION, target, scope, success, detail[2])
    return _schema_view(Kind.GENERATED, None, None, success)


def _write_view(path, method, found, nested, success) -> View:
    """A write as DRF's routers map it on a ModelViewSet: POST on a list creates, PUT and
    PATCH on a detail (or a singleton) update, DELETE on a detail destroys. Any other write
    (an action, a login, a view of its own) is answered from its documented schema."""
    status = success[0]
    if path in found and found[path].shape == OBJECT:
        if method in ("PUT", "PATCH"):
            return View(Kind.UPDATE, Reply.UPDATE, path, status=status)
    elif path in found and "{" not in path and method == "POST":
        return View(Kind.CREATE, Reply.CREATE, path, status=status)
    elif path in nested and method == "POST":
        target, scope = nested[path]
        return View(Kind.CREATE, Reply.CREATE, target, scope, status=status)
    match = re.fullmatch(r"(.*/)\{(\w+)\}/?", path)
    owner = _list_of(match[1], found, nested) if match is not None else None
    if owner is not None and method in ("PUT", "PATCH", "DELETE"):
        target, scope = nested.get(owner, (owner, None))
        kind, reply = (
            (Kind.DESTROY, Reply.DESTROY)
            if method == "DELETE"
            else (
                Kind.UPDATE,
                Reply.UPDATE,
            )
        )
        return View(kind, reply, target, scope, status=status, lookup=match[2])
    detail = re.fullmatch(r"(.*/)\{(\w+)\}/[^{}/]+/?", path)
    owner = _list_of(detail[1], found, nested) if detail is not None else None
    if owner is not None:  # a detail action: its get_object() looks the record up first
        target, scope = nested.get(owner, (owner, None))
        return _schema_view(Kind.WRITE, target, scope, success, detail[2])
    return _schema_view(Kind.WRITE, None, None, success)


def _schema_view(kind: Kind, target, scope, success, lookup: str | None = None) -> View:
    """A body generated from the schema; a detail's own key (`lookup` of `target`) is looked
    up first."""
    status, schema, media = success
    reply = Reply.EMPTY if schema is None else Reply.SCHEMA
    if schema is None and kind == Kind.GENERATED:
        kind = Kind.EMPTY
    return View(
        kind, reply, target, scope, status=status, schema=schema, media=media, lookup=lookup
    )


def _list_view(spec, kind, target, op, resource, shaped, scope, status) -> View:
    shape = shaped[0] if shaped is not None else resource.shape
    names = {_param_name(spec, raw) for raw in op.get("parameters") or ()}
    if shape == ARRAY:
        paging = Paging.NONE
    elif shape == CURSOR or "cursor" in names:
        paging = Paging.CURSOR
    elif "offset" in names:
        paging = Paging.OFFSET
    else:
        paging = Paging.PAGE
    envelope = shaped[3] if shaped is not None else None
    return View(kind, Reply.LIST, target, scope, paging, status, envelope=envelope)


def _param_name(spec, raw) -> str:
    param = spec.resolve_shallow(raw)
    return str(param.get("name")) if isinstance(param, dict) else ""


def _success(spec, op: dict) -> tuple[int, dict | None, str]:
    """(status, schema, media type) of the first documented 2xx answer of a read (else its
    first 3xx)."""
    responses = op.get("responses") if isinstance(op.get("responses"), dict) else {}
    codes = sorted(str(code) for code in responses if re.fullmatch(r"2\d\d", str(code)))
    # A read documented only with a redirect (`302`, "No response body") answers it.
    codes = codes or sorted(str(code) for code in responses if re.fullmatch(r"3\d\d", str(code)))
    if not codes:
        return 200, None, "application/json"
    code = codes[0]
    response = spec.resolve_shallow(responses.get(code) or responses.get(int(code)) or {})
    content = response.get("content") if isinstance(response, dict) else None
    if not isinstance(content, dict) or not content:
        return int(code), None, "application/json"
    media = next((m for m in content if _is_json(m)), next(iter(content)))
    schema = (
        (content.get(media) or {}).get("schema") if isinstance(content.get(media), dict) else None
    )
    return int(code), schema if isinstance(schema, dict) else {}, media


def _is_json(media: str) -> bool:
    media = media.split(";")[0].strip().lower()
    return media in ("application/json", "*/*") or media.endswith("+json")


def _shape(spec, path: str, op: dict) -> tuple[str, dict, str, dict | None] | None:
    """(shape, item schema node, model name, custom envelope) of a read's 2xx JSON answer, or
    None when it is none of the shapes resources have."""
    _status, media, _type = _success(spec, op)
    if not media:
        return None
    top = spec.resolve_shallow(media)
    if not isinstance(top, dict):
        return None
    props = top.get("properties") or {}
    if "results" in props:
        results = spec.resolve_shallow(props["results"])
        items = results.get("items") if isinstance(results, dict) else None
        model = _item_model(spec, path, items)
        if model is not None:
            standard = {"count", "next", "previous", "results"}
            if standard <= set(props):
                shape, envelope = PAGE, None
            elif {"next", "previous"} <= set(props) and "count" not in props:
                shape, envelope = CURSOR, None
            else:
                shape, envelope = PAGE, top
            if envelope is None and set(props) - standard:
                envelope = top
            return shape, items, model, envelope
    if top.get("type") == "array":
        model = _item_model(spec, path, top.get("items"))
        if model is not None:
            return ARRAY, top["items"], model, None
    if top.get("type", "object") == "object" and props and "$ref" in media:
        return OBJECT, media, _ref_name(media["$ref"]), None
    return None


def _item_model(spec, path: str, items) -> str | None:
    """The model of a list's items: the component's name, or one made from the path for an
    inline object; None when the items are no objects with properties."""
    if not isinstance(items, dict):
        return None
    target = spec.resolve_shallow(items)
    if not isinstance(target, dict) or not merged(spec, target).get("properties"):
        return None
    if "$ref" in items:
        return _ref_name(items["$ref"])
    last = [s for s in path.strip("/").split("/") if "{" not in s]
    word = _singular(last[-1]) if last else "item"
    return "".join(part.capitalize() for part in re.split(r"[-_]", word)) or "Item"


def merged(spec, schema: dict) -> dict:
    """An object schema with its `allOf` members' properties and required fields folded in
    (a serializer that extends another, or drf-spectacular's `allOf: [{$ref}]` wrapping),
    and its type and format as `effective` finds them."""
    schema = spec.resolve_shallow(schema)
    if not isinstance(schema, dict):
        return {"properties": {}}
    properties: dict = {}
    required: list = []
    for member in schema.get("allOf") or ():
        member = merged(spec, member)
        properties.update(member.get("properties") or {})
        required += [r for r in member.get("required") or () if r not in required]
    own = schema.get("properties")
    properties.update(own if isinstance(own, dict) else {})
    required += [r for r in schema.get("required") or () if r not in required]
    out = effective({k: v for k, v in schema.items() if k != "allOf"})
    out = {**out, "properties": properties}
    if required:
        out["required"] = required
    return out


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _with_lookup(resource: Resource, lookup: str) -> Resource:
    return replace(resource, lookup=lookup, lookup_field=lookup_field(lookup, resource.fields))


def lookup_field(param: str, fields: dict) -> str | None:
    """The record field a detail's path parameter is matched against: the field it names,
    else the primary key (`pk` and `id` name `id`, or a `uuid` where there is no `id`), else
    None: the record's number (DRF's default lookup is the model's pk).

    >>> lookup_field("slug", {"slug": {}}), lookup_field("pk", {"id": {}, "name": {}})
    ('slug', 'id')
    >>> lookup_field("pk", {"uuid": {}}), lookup_field("id", {"name": {}})
    ('uuid', None)
    """
    if param in fields:
        return param
    if param in ("pk", "id"):
        return next((name for name in ("id", "pk", "uuid") if name in fields), None)
    return None


def _resource(spec, path: str, op: dict, shaped) -> Resource:
    shape, node, model, _envelope = shaped
    where = node["$ref"][2:] if "$ref" in node else f"paths {path} get 200"
    schema = _readable(merged(spec, spec.resolve(node)))
    options = op.get("x-resource") or {}
    segments = [s for s in path.strip("/").split("/") if "{" not in s]
    name = segments[-1] if segments else model.lower()
    place = f"paths {path} get x-resource"
    if not isinstance(options, dict) or set(options) - _KEYS:
        unknown = sorted(set(options) - _KEYS) if isinstance(options, dict) else ["(not a map)"]
        raise ConfigError(str(spec.path), f"{place} has unknown keys {unknown}")
    fields = schema.get("properties") or {}
    for key in ("sortable", "search"):
        for name_ in options.get(key) or ():
            if name_ not in fields:
                raise ConfigError(str(spec.path), f"{place} {key} names unknown field {name_!r}")
    sortable = options.get("sortable")
    if sortable is None:
        # OrderingFilter's default: every readable field; a list or an object cannot order.
        sortable = [
            n
            for n, p in fields.items()
            if effective(p).get("type") not in ("array", "object", None)
            and not effective(p).get("writeOnly")
        ]
        sortable = [n for n in sortable if fields[n].get("x-sortable", True)]
    search = options.get("search")
    if search is None:
        search = [n for n, p in fields.items() if conventions.is_text(effective(p))]
    size = options.get("size")
    if size is not None and (type(size) is not int or not 0 <= size <= MAX_SIZE):
        raise ConfigError(
            str(spec.path), f"{place} size must be a whole number from 0 to {MAX_SIZE:,}"
        )
    for key in ("page_size", "max_page_size"):
        value = options.get(key)
        if value is not None and (type(value) is not int or value < 1):
            raise ConfigError(str(spec.path), f"{place} {key} must be a whole number from 1")
    for name_ in options.get("unique") or ():
        if name_ not in fields:
            raise ConfigError(str(spec.path), f"{place} unique names unknown field {name_!r}")
    on_delete = options.get("on_delete") or {}
    if not isinstance(on_delete, dict) or any(v not in ON_DELETE for v in on_delete.values()):
        raise ConfigError(str(spec.path), f"{place} on_delete must map paths to {ON_DELETE}")
    auto_now = options.get("auto_now")
    if auto_now is None:
        auto_now = [
            n
            for n, p in fields.items()
            if _AUTO_NOW.match(n) and effective(p).get("format") == "date-time"
        ]
    example = None
    if shape == OBJECT:
        example = _example(spec, op)
    raw = merged(spec, node)
    nested_models = {
        field_name: found
        for field_name, prop in (raw.get("properties") or {}).items()
        if (found := _model_ref(spec, prop)) is not None
    }
    return Resource(
        path=path,
        name=name,
        model=model,
        schema=schema,
        shape=shape,
        nested_models=nested_models,
        page_size=options.get("page_size"),
        max_page_size=options.get("max_page_size"),
        lookup_field="id" if "id" in fields else None,
        sortable=tuple(sortable),
        search=tuple(search),
        relations=dict(options.get("relations") or {}),
        size=size,
        where=where,
        example=example,
        unique=tuple(options.get("unique") or ()),
        on_delete=dict(on_delete),
        auto_now=tuple(auto_now),
    )


def _readable(schema: dict) -> dict:
    """The fields DRF renders: a write-only one never is (Serializer.to_representation
    skips them), and a `password` is never served, whatever a spec says of it.

    >>> _readable({"properties": {"a": {}, "b": {"writeOnly": True}, "password": {}},
    ...            "required": ["a", "b", "password"]})
    {'properties': {'a': {}}, 'required': ['a']}
    """
    props = schema.get("properties") or {}
    kept = {
        name: prop
        for name, prop in props.items()
        if name != "password" and not (isinstance(prop, dict) and effective(prop).get("writeOnly"))
    }
    if len(kept) == len(props):
        return schema
    out = {**schema, "properties": kept}
    if "required" in schema:
        out["required"] = [name for name in schema["required"] if name in kept]
    return out


def _model_ref(spec, prop) -> tuple[str, bool] | None:
    """(model, many) of a nested serializer field: `$ref`, `allOf: [$ref]` (drf-spectacular's
    wrapping of a nullable or read-only one), or a list of either.

    >>> _model_ref(None, {"allOf": [{"$ref": "#/c/s/Category"}], "readOnly": True})
    ('Category', False)
    >>> _model_ref(None, {"type": "array", "items": {"$ref": "#/c/s/Tag"}})
    ('Tag', True)
    """
    if not isinstance(prop, dict):
        return None
    if "$ref" in prop:
        return _ref_name(prop["$ref"]), False
    members = prop.get("allOf") or ()
    if len(members) == 1 and isinstance(members[0], dict) and "$ref" in members[0]:
        return _ref_name(members[0]["$ref"]), False
    if prop.get("type") == "array":
        found = _model_ref(spec, prop.get("items"))
        if found is not None and not found[1]:
            return found[0], True
    return None


def _example(spec, op: dict) -> dict | None:
    response = spec.resolve((op.get("responses") or {}).get("200") or {})
    media = (response.get("content") or {}).get("application/json") or {}
    if isinstance(media.get("example"), dict):
        return media["example"]
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and isinstance(example.get("value"), dict):
            return example["value"]
    return None


def _check_relations(spec, found: dict[str, Resource]) -> None:
    """Relations name a field of the resource and another collection; unannotated ones are
    inferred: an integer field, or a list of integers, named after a collection's model
    (`category` -> Category, `tags` -> Tag) points at that collection's ids."""
    by_model: dict[str, str] = {}
    for r in found.values():
        if r.shape != OBJECT and effective(r.fields.get("id") or {}).get("type") == "integer":
            by_model.setdefault(r.model.lower(), r.path)
    for path, resource in list(found.items()):
        relations = dict(resource.relations)
        place = f"paths {path} get x-resource relations"
        for field_name, target in relations.items():
            if field_name not in resource.fields:
                raise ConfigError(str(spec.path), f"{place} names unknown field {field_name!r}")
            if target not in found or found[target].shape == OBJECT:
                raise ConfigError(
                    str(spec.path), f"{place} {field_name}: {target!r} is no collection"
                )
        for field_name, prop in resource.fields.items():
            if field_name in relations or field_name == "id" or "x-faker" in prop:
                continue
            prop = effective(prop)
            items = prop.get("items") or {}
            if prop.get("type") == "integer":
                target = by_model.get(field_name.lower().removesuffix("_id"))
            elif prop.get("type") == "array" and items.get("type") == "integer":
                target = by_model.get(_singular(field_name.lower()))
            else:
                continue
            if target is not None:
                relations[field_name] = target
        found[path] = replace(resource, relations=relations)


def _singular(name: str) -> str:
    """`tags` -> `tag`, `categories` -> `category`, `boxes` -> `box`.

    >>> [_singular(n) for n in ("tags", "categories", "boxes", "addresses", "status")]
    ['tag', 'category', 'box', 'address', 'status']
    """
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("xes", "ses", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and not name.endswith("us"):
        return name[:-1]
    return name
