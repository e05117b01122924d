"""Resources: what a spec's GET operations serve, found from their shapes as DRF writes them.

- A **collection** is a list operation whose 200 is DRF's paginated envelope (`count`,
  `next`, `previous`, `results`: drf-spectacular's `Paginated<Name>List`), or a plain
  array of items (a view without pagination). Its detail, where there is one, is the
  operation at `<list path>{lookup}/`; the path parameter names the lookup field (`id`,
  `pk`, `uuid`, `slug`).
- A **singleton** is any other GET whose 200 is one object (`/settings/`): one record.

Each resource has its own deterministic records, its item schema (the component its 200
refers to, whose name is the model's name in DRF's messages: "No Product matches the given
query."), and what its list may be ordered and searched by.

`x-resource` on the list operation (or the singleton's) refines what is inferred:

    x-resource:
      size: 50                      records of this collection (else --size)
      sortable: [id, name]          fields the ordering parameter accepts
      search: [name, description]   fields the search parameter searches
      relations: {category: /categories/, tags: /tags/}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockserver import conventions
from mockserver.errors import ConfigError
from mockserver.schema import effective

PAGE = "page"  # DRF's paginated envelope
ARRAY = "array"  # a plain JSON array
OBJECT = "object"  # one object
_KEYS = {"size", "sortable", "search", "relations"}


@dataclass(frozen=True)
class Resource:
    path: str  # the list path (`/products/`), or the singleton's
    name: str  # `products`: the path's last segment, in the banner and the cache
    model: str  # `Product`: the item schema's name, as DRF's messages say it
    schema: dict = field(repr=False)  # the resolved item schema
    shape: str = PAGE  # PAGE, ARRAY or OBJECT
    lookup: str = "id"  # the detail's path parameter
    lookup_field: str = "id"  # the record field it is matched against
    sortable: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    relations: dict[str, str] = field(default_factory=dict, repr=False)  # field -> path
    size: int | None = None  # x-resource.size
    where: str = ""  # the item schema's place in the spec, for errors
    example: dict | None = field(default=None, repr=False)  # a singleton's documented value

    @property
    def fields(self) -> dict[str, dict]:
        return self.schema.get("properties") or {}


def discover(spec, raw_operations) -> dict[str, Resource]:
    """The resources of `raw_operations` ((path, method, raw op) triples), by path."""
    found: dict[str, Resource] = {}
    gets = [(path, op) for path, method, op in raw_operations if method == "GET"]
    for path, op in gets:
        if "{" in path:
            continue
        shaped = _shape(spec, op)
        if shaped is None:
            continue
        shape, ref = shaped
        found[path] = _resource(spec, path, op, shape, ref)
    # A detail at `<list path>{lookup}/` belongs to its collection.
    for path, _op in gets:
        match = re.fullmatch(r"(.*/)\{(\w+)\}/?", path)
        if match and match[1] in found and found[match[1]].shape != OBJECT:
            parent = found[match[1]]
            lookup = match[2]
            field_name = "id" if lookup == "pk" and lookup not in parent.fields else lookup
            found[match[1]] = _replace(parent, lookup=lookup, lookup_field=field_name)
    _check_relations(spec, found)
    return found


def _replace(resource: Resource, **changes) -> Resource:
    from dataclasses import replace

    return replace(resource, **changes)


def _shape(spec, op: dict) -> tuple[str, str] | None:
    """(shape, item schema ref) of a GET's 200 JSON answer, or None when it is none of them."""
    response = spec.resolve_shallow((op.get("responses") or {}).get("200") or {})
    media = ((response.get("content") or {}).get("application/json") or {}).get("schema")
    if not isinstance(media, dict):
        return None
    top = spec.resolve_shallow(media)
    props = top.get("properties") or {}
    if {"count", "next", "previous", "results"} <= set(props):
        items = spec.resolve_shallow(props["results"]).get("items") or {}
        if "$ref" in items:
            return PAGE, items["$ref"]
    if top.get("type") == "array" and "$ref" in (top.get("items") or {}):
        return ARRAY, top["items"]["$ref"]
    if "$ref" in media and top.get("type", "object") == "object" and props:
        return OBJECT, media["$ref"]
    return None


def _resource(spec, path: str, op: dict, shape: str, ref: str) -> Resource:
    model = ref.rsplit("/", 1)[-1]
    where = ref[2:]
    schema = spec.resolve({"$ref": ref})
    if "id" not in (schema.get("properties") or {}) and shape != OBJECT:
        raise ConfigError(str(spec.path), f"{where} has no `id`: a collection's records need one")
    options = op.get("x-resource") or {}
    name = path.strip("/").rsplit("/", 1)[-1] or model.lower()
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
            n for n, p in fields.items() if effective(p).get("type") not in ("array", "object")
        ]
        sortable = [n for n in sortable if fields[n].get("x-sortable", True)]
    search = options.get("search")
    if search is None:
        search = [n for n, p in fields.items() if conventions.is_text(effective(p))]
    size = options.get("size")
    if size is not None and (type(size) is not int or size < 0):
        raise ConfigError(str(spec.path), f"{place} size must be a whole number from 0")
    example = None
    if shape == OBJECT:
        example = _example(spec, op)
    return Resource(
        path=path,
        name=name,
        model=model,
        schema=schema,
        shape=shape,
        sortable=tuple(sortable),
        search=tuple(search),
        relations=dict(options.get("relations") or {}),
        size=size,
        where=where,
        example=example,
    )


def _example(spec, op: dict) -> dict | None:
    response = spec.resolve((op.get("responses") or {}).get("200") or {})
    media = (response.get("content") or {}).get("application/json") or {}
    if isinstance(media.get("example"), dict):
        return media["example"]
    for example in (media.get("examples") or {}).values():
        if isinstance(example.get("value"), dict):
            return example["value"]
    return None


def _check_relations(spec, found: dict[str, Resource]) -> None:
    """Relations name a field of the resource and another collection; unannotated ones are
    inferred: an integer field, or a list of integers, named after a collection's model
    (`category` -> Category, `tags` -> Tag) points at that collection's ids."""
    by_model = {r.model.lower(): r.path for r in found.values() if r.shape != OBJECT}
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
        found[path] = _replace(resource, relations=relations)


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
