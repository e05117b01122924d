"""The OpenAPI spec as the rest of the code reads it: its operations, parameters and resources.

The spec is the contract and holds only what the real API offers. The mock's own controls,
its extra responses and its fixture schemas come from `mockserver/mock.yaml` (`MockDoc`):
an `Operation` is the mock's view of a contract operation, with those added.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from mockserver import __version__, processes
from mockserver.contract import conventions, loginviews, packaged, references
from mockserver.contract.conventions import Control, Lookup
from mockserver.contract.overlay import apply as apply_overlay
from mockserver.contract.resource import (
    Kind,
    Reply,
    Resource,
    View,
    collections_by_model,
    discover,
    merged,
)
from mockserver.contract.schema import implicit_mappings
from mockserver.contract.security import TOKEN_ONLY, Security, security_of
from mockserver.contract.yamlio import load_yaml, read_bounded
from mockserver.errors import ConfigError, Finding

# The most nodes one `Spec.resolve` makes: 23 times the largest resolution of the real specs
# of tests/realspecs (21,573 nodes, inventree).
MAX_RESOLVED = 500_000
# Query parameters that drive pagination, ordering and search rather than filter a field.
CONTROL_PARAMS = conventions.CONTROLS
# The control of the mock's own query parameters (`__code`, ...), which mockserver/http/prefer.py
# reads and the query parser leaves alone.
PREFER = Control.PREFER


@dataclass(frozen=True)
class Param:
    """One query parameter: its resolved schema and what it does (`x-filter` or `x-query`)."""

    name: str
    schema: dict
    field: str | None = None  # x-filter.field
    lookup: Lookup | None = None  # x-filter.lookup, or the name's (`price__gte`)
    control: Control | None = None  # x-query, or the name's (`page_size`)
    json: bool = False  # the value is a JSON text (`content:`, or a `contains` lookup)
    # django-filter's NumberFilter refuses numbers above 1e50 (its MaxValueValidator, since
    # 2.4). Inferred filters have it; the Users contract's annotated ones follow
    # REAL_API.md, which observed no such limit.
    number_cap: bool = False
    preference: str | None = None  # for a PREFER control: the Prefer preference it sets
    required: bool = False  # the contract requires it: strict mode says so when it is missing
    # A lookup across a relation (`category__slug`): the collection (None: a nested
    # object of the record itself), its field and lookup.
    related: tuple[str | None, str, str] | None = None
    # `allowEmptyValue: true`: `?name=` is a value the contract allows (no filter).
    allow_empty: bool = False
    # An array sent as one comma-separated value (`style: form, explode: false`).
    explode: bool = True
    # An array (a value per repetition): from the schema, made once, as it is read on
    # every request.
    repeated: bool = dataclasses.field(default=False, init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "repeated", self.schema.get("type") == "array")


@dataclass(frozen=True)
class Operation:
    """A GET operation: its path template, parameters and responses, as the mock reads them.

    `query` is what strict mode accepts: the contract's parameters plus the mock's controls.
    `lenient_query` is what the real service reads: on a detail (`/users/{id}/`), the
    collection's filters too, since DRF's `get_object()` filters the queryset first.
    `responses` are the contract's; `answers` adds the mock's own (the 503).
    """

    path: str
    method: str
    operation_id: str
    path_params: dict[str, dict]
    query: dict[str, Param]
    responses: dict[str, dict] = field(repr=False)
    answers: dict[str, dict] = field(repr=False)
    lenient_query: dict[str, Param] = field(repr=False)
    resource: str | None = None  # the path of the resource it serves (Spec.resources)
    # Its authenticators in DRF's order, and whether anonymous requests may read it.
    security: Security = TOKEN_ONLY
    view: View = field(default=View(Kind.GENERATED, Reply.EMPTY), repr=False)
    # The query parameters the contract requires (strict mode says when one is missing).
    required: tuple[str, ...] = field(default=(), repr=False)
    # The view's docstring, which DRF's OPTIONS answers with: drf-spectacular writes it as
    # the operation's description. A hand-written contract's operation has a `summary`
    # and a description of its own, which is no docstring: there it is "".
    docstring: str = field(default="", repr=False)
    # Its header parameters by lower-case name (ASGI's), as the contract declares them:
    # strict mode checks them against their schemas (mockserver/engine/params.py).
    headers: dict[str, Param] = field(default_factory=dict, repr=False)
    # A write's request body, `$ref`s resolved: its schema by media type, as documented
    # (drf-spectacular lists application/json, form-urlencoded and multipart, one schema
    # each), and whether the body is required. Empty for an operation without one.
    body: dict[str, dict] = field(default_factory=dict, repr=False)
    body_required: bool = field(default=False, repr=False)

    @property
    def is_detail(self) -> bool:
        """Whether the operation names one record by its path (a detail, or a detail action
        that looks its record up first); otherwise it lists them or is no resource's."""
        if self.view.reply == Reply.RECORD:
            return True
        return self.view.reply in (Reply.SCHEMA, Reply.EMPTY) and self.view.resource is not None


class MockDoc:
    """`mockserver/mock.yaml`: the mock's controls, extra responses and fixture schemas."""

    def __init__(self, path: Path):
        self.path = path
        raw = load_yaml(path)
        if not isinstance(raw, dict):
            raise ConfigError(str(path), "is not a mapping")
        self.parameters: list[dict] = list(raw.get("parameters") or [])
        self.responses: dict[str, dict] = {
            str(k): v for k, v in (raw.get("responses") or {}).items()
        }
        self.schemas: dict[str, dict] = dict(raw.get("schemas") or {})
        self.controls = {
            p["name"]: Param(
                name=p["name"],
                schema=p.get("schema", {}),
                control=PREFER,
                preference=p["x-preference"],
            )
            for p in self.parameters
            if p.get("in") == "query"
        }

    def schema(self, name: str) -> dict:
        try:
            return self.schemas[name]
        except KeyError:
            raise ConfigError(str(self.path), f"schemas/{name} is missing") from None


class Spec:
    """The loaded, validated spec. `raw` is what Connexion gets; the rest is resolved."""

    def __init__(
        self,
        path: Path,
        text: bytes,
        mock: MockDoc | None = None,
        overlay: Path | None = None,
        validated: Path | None = None,
        aside: bool = False,
    ):
        """`validated`: a directory that remembers specs already found valid, so that a
        start from the cache does not validate (nor import the validator) again. `aside`:
        validate in another process while the caller goes on (building the data, on the
        other core); the caller then calls `wait_valid()` before anything is served."""
        self.path = path
        self.text = text  # the file as written: what /openapi.yaml serves
        self.mock = mock or MockDoc(packaged.mock_path())
        self.overlay = overlay
        self.raw = load_yaml(path, text, validated.parent / "parsed" if validated else None)
        if not isinstance(self.raw, dict):
            raise ConfigError(str(path), "is not an OpenAPI document")
        if overlay is not None:
            self.raw = apply_overlay(self.raw, overlay)
        # Before anything follows a `$ref`: only the document itself is ever read.
        references.check(str(path), self.raw)
        implicit_mappings(self.raw)  # the members' names, which resolving loses
        self._verdict = _validate(path, self.raw, validated, aside)
        # What the spec has that DRF would serve but the engine does not model: reported by
        # `mockserver check`, and never a reason to refuse the spec.
        self.warnings: list[Finding] = []
        try:
            found = discover(self, list(self._raw_operations()))
            self.resources: dict[str, Resource] = found.resources
            self.views = found.views
            contract = [self._operation(p, m, op) for p, m, op in self._raw_operations()]
            self.operations = [self._with_collection(op, contract) for op in contract]
        except Exception:
            self.wait_valid()  # an invalid document is reported as such, first
            raise

    @functools.cached_property
    def collections_by_model(self) -> dict[str, str]:
        """The first top-level collection of each model (nested serializers copy its
        records), found once: a spec may have hundreds of resources."""
        return collections_by_model(self.resources.values())

    def wait_valid(self) -> None:
        """Raise the validator's ConfigError if the document cannot be served; keep what it
        warns of in `warnings`."""
        verdict, self._verdict = self._verdict, None
        if verdict is not None:
            self.warnings[:0] = [Finding(str(self.path), w) for w in verdict()]

    @classmethod
    def load(
        cls,
        path: Path,
        overlay: Path | None = None,
        validated: Path | None = None,
        aside: bool = False,
    ) -> Spec:
        text = read_bounded(path)  # `--spec /dev/zero` stops at the bound, not at memory's end
        return cls(path, text, overlay=overlay, validated=validated, aside=aside)

    @property
    def digest_parts(self) -> tuple[bytes, ...]:
        """The bytes the records depend on: the spec's, and its overlay's."""
        if self.overlay is None:
            return (self.text,)
        return (self.text, self.overlay.read_bytes())

    def resolve(self, node, _stack: tuple[str, ...] = ()):
        """Replace every local `$ref` with a deep copy of its target. A reference met again
        inside its own target (a recursive schema: `Tag.children: [Tag]`) is cut there, as
        `{"x-recursive": ref}`: any value validates against it, and generators stop.

        A copy is a tree, and references can make it exponential without any recursion
        (fourteen schemas each naming the others; a ladder of schemas naming the next one
        twice): one resolution makes at most MAX_RESOLVED nodes, nested at most
        references.MAX_DEPTH deep, else ConfigError names the reference being followed."""
        return self._resolve(node, _stack, 0, [MAX_RESOLVED], "")

    def _resolve(self, node, stack: tuple[str, ...], depth: int, budget: list[int], ref: str):
        budget[0] -= 1
        if budget[0] < 0 or depth > references.MAX_DEPTH:
            what = (
                f"nests deeper than {references.MAX_DEPTH} levels"
                if depth > references.MAX_DEPTH
                else f"unfolds to more than {MAX_RESOLVED:,} schema nodes"
            )
            raise ConfigError(
                str(self.path), f"$ref {ref[:60]!r} {what} (references too entangled)"
            )
        if isinstance(node, dict):
            if "$ref" in node:
                target = node["$ref"]
                if target in stack:
                    return {"x-recursive": target}
                return self._resolve(
                    self._pointer(target), (*stack, target), depth + 1, budget, target
                )
            return {
                key: self._resolve(value, stack, depth + 1, budget, ref)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [self._resolve(item, stack, depth + 1, budget, ref) for item in node]
        return node

    def resolve_shallow(self, node):
        """`node` itself, or the target of its `$ref` (followed until it is no reference; a
        reference to itself is `{}`)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            if node["$ref"] in seen:
                return {}
            seen.add(node["$ref"])
            node = self._pointer(node["$ref"])
        return node

    def schema(self, name: str) -> dict:
        try:
            return self.resolve(self.raw["components"]["schemas"][name])
        except KeyError:
            raise ConfigError(str(self.path), f"components/schemas/{name} is missing") from None

    def _pointer(self, ref: str):
        if not ref.startswith("#/"):
            raise ConfigError(str(self.path), f"only local $ref is supported, not {ref!r}")
        try:
            return references.target(self.raw, ref)
        except KeyError:
            raise ConfigError(str(self.path), f"$ref {ref!r} points nowhere") from None

    def _raw_operations(self):
        paths = self.raw.get("paths")
        for path, item in (paths if isinstance(paths, dict) else {}).items():
            if not isinstance(item, dict):
                continue
            for method, op in item.items():
                if method in _METHODS and isinstance(op, dict):
                    yield str(path), method.upper(), op

    def _operation(self, path: str, method: str, op: dict) -> Operation:
        path_params: dict[str, dict] = {}
        query: dict[str, Param] = {}
        headers: dict[str, Param] = {}
        view = self.views[path, method]
        resource = self.resources.get(view.resource) if view.resource else None
        item = self.raw["paths"][path]
        for raw in [*_listed(item.get("parameters")), *_listed(op.get("parameters"))]:
            param = self.resolve_shallow(raw)
            if not isinstance(param, dict) or not isinstance(param.get("name"), str):
                continue
            param = self.resolve(param)
            if param.get("in") == "path":
                path_params[param["name"]] = param.get("schema", {})
                if "{" + param["name"] + "}" in path.partition("?")[2]:
                    # `/api/cpes?cpe={cpe}`: the parameter comes in the query string.
                    query[param["name"]] = Param(param["name"], _schema_of(param))
            elif param.get("in") == "query":
                # Parameters are read for what they are used for: a read's filter its
                # records; a write's (`?entity_id=` beside a body) filters nothing, and is
                # checked against its schema in strict mode, as a read's unmodelled one.
                where = f"paths {path} {method.lower()}"
                if view.resource is None or method not in ("GET", "HEAD"):
                    # No records to filter: the parameter is accepted and checked against
                    # its schema in strict mode (the compatibility report lists it).
                    found = Param(param["name"], _schema_of(param))
                else:
                    found = self._param(param, resource, where)
                query[param["name"]] = replace(
                    found,
                    required=param.get("required") is True,
                    allow_empty=param.get("allowEmptyValue") is True,
                    # OpenAPI: `form` (a query's default style) explodes by default.
                    explode=param.get("explode", param.get("style", "form") == "form") is True,
                )
            elif param.get("in") == "header":
                name = param["name"]
                if name.lower() not in _IGNORED_HEADERS:
                    required = param.get("required") is True
                    headers[name.lower()] = Param(name, _schema_of(param), required=required)
        raw_responses = op.get("responses")
        responses = {
            str(code): value
            for code, value in self.resolve(
                raw_responses if isinstance(raw_responses, dict) else {}
            ).items()
        }
        query.update(self.mock.controls)
        security = self._security(op)
        for scheme in security.schemes:
            if scheme.place == "query":
                # An apiKey scheme's parameter: a credential, never a filter (auth.py reads it).
                schema = {"type": "string"}
                query[scheme.field] = Param(scheme.field, schema, control=Control.CREDENTIAL)
        found = Operation(
            path=path,
            method=method,
            operation_id=op.get("operationId") or f"{method} {path}",
            path_params=path_params,
            query=query,
            responses=responses,
            answers={**responses, **self.mock.responses},
            lenient_query=query,
            resource=resource.path if resource is not None else None,
            security=security,
            view=view,
            docstring="" if op.get("summary") else str(op.get("description") or "").strip(),
            required=tuple(name for name, param in query.items() if param.required),
            headers=headers,
            **self._body(op),
        )
        if view.kind == Kind.WRITE and loginviews.recognise(found) is not None:
            found = replace(found, view=replace(view, kind=Kind.LOGIN))
        return found

    def _body(self, op: dict) -> dict:
        """The request body's schemas by media type, and whether it is required."""
        raw = self.resolve(self.resolve_shallow(op.get("requestBody") or {}))
        content = raw.get("content") if isinstance(raw, dict) else None
        if not isinstance(content, dict):
            return {}
        body = {
            str(media): (item.get("schema") if isinstance(item.get("schema"), dict) else {})
            for media, item in content.items()
            if isinstance(item, dict)
        }
        return {"body": body, "body_required": raw.get("required") is True}

    def _security(self, op: dict) -> Security:
        """DRF's authentication of an operation: the alternatives of its `security` (else
        the document's), each an authentication class in the view's order (auth.py)."""
        requirements = op.get("security", self.raw.get("security") or [])
        schemes = (self.raw.get("components") or {}).get("securitySchemes") or {}
        return security_of(requirements, schemes)

    @staticmethod
    def _with_collection(op: Operation, operations: list[Operation]) -> Operation:
        """A detail at `<list path>{id}/` also reads the list's filters, in lenient mode."""
        if op.view.kind != Kind.DETAIL or op.view.reply != Reply.RECORD:
            return op
        parent = re.sub(r"\{[^/{}]+\}/?$", "", op.path)
        for other in operations:
            if other.path == parent and other.method == op.method and not other.is_detail:
                filters = {n: p for n, p in other.query.items() if p.field is not None}
                return replace(op, lenient_query={**filters, **op.query})
        return op

    def _param(self, param: dict, resource: Resource | None, where: str) -> Param:
        """A query parameter as its annotation says, else as DRF's conventions name it."""
        fields = resource.fields if resource is not None else {}
        name = param["name"]
        related = None
        place = f"{where} parameter {name!r}"
        spec_filter = param.get("x-filter") or {}
        schema = _schema_of(param)
        control = param.get("x-query")
        if control is not None and control not in CONTROL_PARAMS:
            raise ConfigError(
                str(self.path), f"{place}: x-query {control!r} is not one of {CONTROL_PARAMS}"
            )
        if spec_filter:
            if not isinstance(spec_filter, dict) or set(spec_filter) - {"field", "lookup"}:
                raise ConfigError(str(self.path), f"{place}: x-filter needs only field and lookup")
            found = (spec_filter.get("field"), spec_filter.get("lookup", "exact"))
            if fields and found[0] not in fields and found[1] != "hashed":
                raise ConfigError(
                    str(self.path), f"{place}: x-filter names unknown field {found[0]!r}"
                )
            known = (*conventions.LOOKUPS, *conventions.ANNOTATION_LOOKUPS)
            if found[1] not in known:
                raise ConfigError(
                    str(self.path), f"{place}: x-filter has unknown lookup {found[1]!r}"
                )
        elif control is None:
            control = conventions.control(name, param.get("description"))
            found = None if control else conventions.filter_of(name, fields)
            if control is None and found is None:
                related = self._related(name, resource)
                if related is not None:
                    found = (name.partition("__")[0], "related")
            if control is None and found is None:
                # A custom filter method, a related lookup, a parameter of a view that is no
                # resource: it is in the contract, so it is accepted; it filters nothing.
                self.warnings.append(
                    Finding(
                        str(self.path),
                        f"{place}: accepted, not modelled (no field is named "
                        f"{name.partition('__')[0]!r}; x-filter: {{field, lookup}} or x-query "
                        "says what it does)",
                    )
                )
        else:
            found = None
        field_name, lookup = found or (None, None)
        prop = fields.get(field_name) or {}
        if lookup == "exact" and prop.get("type") == "array":
            lookup = "any"  # django-filter's ModelMultipleChoiceFilter: any of the ids
        # A JSON text: declared as JSON content, or an object field matched by containment.
        json_content = "content" in param or (
            lookup == "contains" and (prop.get("type") == "object" or not fields)
        )
        return Param(
            name=name,
            schema=schema,
            field=field_name,
            lookup=Lookup(lookup) if lookup else None,
            control=Control(control) if control else None,
            json=json_content,
            number_cap=not spec_filter and control is None,
            related=related,
        )

    def _related(self, name: str, resource: Resource | None) -> tuple[str, str, str] | None:
        """A lookup across a known relation, as django-filter applies `category__slug=x`:
        (the collection it points at, its field, the lookup), or None."""
        head, _, rest = name.partition("__")
        if resource is None or not rest:
            return None
        target = resource.relations.get(head)
        if target is not None and target in self.resources:
            fields = self.resources[target].fields
        else:
            # A nested serializer (`category: {allOf: [Category]}`): its own fields, read
            # from the record itself; `target` None says so.
            nested = merged(self, resource.fields.get(head) or {})
            fields = nested.get("properties") or {}
            target = None
            if not fields:
                return None
        found = conventions.filter_of(rest, fields)
        if found is None and rest.partition("__")[0] == "pk" and "id" in fields:
            found = conventions.filter_of("id" + rest[2:], fields)
        return (target, *found) if found is not None else None

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


def _validate(path: Path, raw: dict, validated: Path | None, aside: bool = False):
    """openapi-spec-validator's verdict on the document, remembered in `validated` by its
    digest: the validator and its import cost a third of a second at every start.

    Returns a function that gives the verdict's warnings, or raises ConfigError for a
    document that cannot be served at all; with `aside`, the validator runs in a forked
    process meanwhile.
    """
    marker = None
    if validated is not None:
        digest = hashlib.sha256(__version__.encode() + orjson.dumps(raw, option=_KEYS))
        marker = validated / f"{digest.hexdigest()[:32]}.ok"
        with contextlib.suppress(OSError):
            remembered = marker.read_text(encoding="utf-8")
            return lambda: remembered.splitlines()
    if aside and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=processes.start_pool_worker, initargs=(os.getpid(),),
        )  # fmt: skip
        _VALIDATING.add(pool)
        future = pool.submit(_problems, raw)

        def verdict() -> list[str]:
            try:
                found = future.result()
            finally:
                _VALIDATING.discard(pool)
                pool.shutdown()
            return _judge(path, found, marker)

        return verdict
    found = _judge(path, _problems(raw), marker)
    return lambda: found


_VALIDATING: set[ProcessPoolExecutor] = set()  # validators forked aside, still at work


def stop_validation() -> None:
    """End the validators still at work: the server stops before their verdict."""
    for pool in list(_VALIDATING):
        processes.kill_pool(pool)
        _VALIDATING.discard(pool)


# The document's own frame: without these nothing can be served, so a problem here is an
# error; anything deeper (a response without a description, a default outside its enum, a
# key a publisher added) is what DRF itself never trips on, so it is a warning.
_FRAME = {(), ("info",)}
_MOST_WARNINGS = 50


class OutsideRef(Exception):
    """A reference the validator would have read from a file or a URL."""


class _Offline(dict):
    """openapi-spec-validator's resolver handlers by URI scheme (jsonschema-path): every
    scheme is here, since a scheme without a handler falls back to `urlopen`, and each one
    refuses."""

    def __contains__(self, scheme) -> bool:
        return True

    def __getitem__(self, scheme):
        return _refuse


def _refuse(uri: str):
    raise OutsideRef(uri)


def _refused(exc: BaseException | None) -> bool:
    """Whether an error was caused, at any depth, by an OutsideRef."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, OutsideRef):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _problems(raw: dict) -> tuple[str | None, list[str]]:
    """(the error that stops the load, or None; the warnings) that openapi-spec-validator
    finds in the document, each one line naming its place."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(raw.get("openapi", ""))
    kind = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    # Its resolver reads files and fetches URLs by default: a 3.1 schema's `$id` can turn a
    # `#/...` reference into a URL's. Offline, every one of them is refused.
    offline = type(kind.__name__, (kind,), {"resolver_handlers": _Offline()})
    warnings: list[str] = []
    placeless = 0
    try:
        found = list(offline(copy.deepcopy(raw)).iter_errors())
    except Exception as exc:  # the validator's own failure on a strange document
        if _refused(exc):
            return "is not valid OpenAPI: a $ref resolves outside the spec", []
        return f"is not valid OpenAPI: {type(exc).__name__}", []
    for error in found:
        place = tuple(str(p) for p in getattr(error, "path", ()) or ())
        # The validator's message goes on with the schema and the instance, over many
        # lines; a problem is one line, so its first says it.
        first = str(error.message).strip().splitlines()[0]
        if len(first) > 160:
            first = first[:157] + "..."
        required = first.endswith("is a required property")
        if (place in _FRAME and required) or place == ("info",):
            where = " ".join(place) or "the top level"
            return f"is not valid OpenAPI at {where}: {first}", []
        if not place:
            placeless += 1  # inside a schema's own values: located below, by schema_problems
            continue
        warnings.append(f"is not valid OpenAPI at {' '.join(place)}: {first}")
    located = schema_problems(raw)
    warnings += located
    if placeless and not located:
        warnings.append(f"is not valid OpenAPI in {placeless} schema value(s): {first}")
    if len(warnings) > _MOST_WARNINGS:
        rest = len(warnings) - _MOST_WARNINGS
        warnings = [*warnings[:_MOST_WARNINGS], f"and {rest} more problems of the same kinds"]
    return None, warnings


def schema_problems(node, place: tuple[str, ...] = ()) -> list[str]:
    """Values of schemas that OpenAPI refuses and DRF writes all the same, by place: a
    repeated enum item (a choice listed twice), a default outside its enum (`default: ''`
    on a choice field with blank=True).

    >>> for line in schema_problems({"components": {"schemas": {"A": {"properties": {"s": {
    ...     "type": "string", "enum": ["a", "b", "a"], "default": "c"}}}}}}):
    ...     print(line)
    components schemas A properties s: enum repeats 'a'
    components schemas A properties s: default 'c' is not in its enum
    """
    found: list[str] = []
    if isinstance(node, dict):
        enum = node.get("enum")
        if isinstance(enum, list) and place and place[-1] != "properties":
            seen: list = []
            for item in enum:
                if item in seen:
                    found.append(f"{' '.join(place)}: enum repeats {item!r}")
                seen.append(item)
            default = node.get("default")
            if "default" in node and default is not None and default not in enum:
                found.append(f"{' '.join(place)}: default {default!r} is not in its enum")
        for key, value in node.items():
            found += schema_problems(value, (*place, str(key)))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += schema_problems(item, (*place, str(index)))
    return found


def _judge(path: Path, found: tuple[str | None, list[str]], marker: Path | None) -> list[str]:
    error, warnings = found
    if error is not None:
        raise ConfigError(str(path), error)
    if marker is not None:
        with contextlib.suppress(OSError):  # a read-only or full disk: validate next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            temp = marker.with_suffix(f".tmp{os.getpid()}")
            temp.write_text("".join(f"{w}\n" for w in warnings), encoding="utf-8")
            temp.replace(marker)
    return warnings


_KEYS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS
# OpenAPI 3: a header parameter named so "SHALL be ignored" (content negotiation and the
# security schemes say what these headers mean).
_IGNORED_HEADERS = ("accept", "content-type", "authorization")
_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def _schema_of(param: dict) -> dict:
    """A parameter's schema: its own, or its `content`'s (a JSON-valued parameter)."""
    if isinstance(param.get("content"), dict) and param["content"]:
        media = next(iter(param["content"].values()))
        schema = media.get("schema") if isinstance(media, dict) else None
    else:
        schema = param.get("schema")
    return typed_choices(schema) if isinstance(schema, dict) else {}


def typed_choices(schema: dict) -> dict:
    """A parameter's schema with a boolean's choices as booleans, and so its array's items.

    drf-spectacular writes a filter's choices `(("true", "True"), ("false", "False"))` on
    a boolean as the strings, `{type: boolean, enum: ["false", "true"]}`, which no value
    satisfies; the filter reads the texts `true` and `false`, which are the booleans.

    >>> typed_choices({"type": "array", "items": {"type": "boolean", "enum": ["false", "true"]}})
    {'type': 'array', 'items': {'type': 'boolean', 'enum': [False, True]}}
    """
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        items = typed_choices(schema["items"])
        return schema if items is schema["items"] else {**schema, "items": items}
    enum = schema.get("enum")
    strings = isinstance(enum, list) and enum and all(c in ("true", "false") for c in enum)
    if schema.get("type") == "boolean" and strings:
        return {**schema, "enum": [choice == "true" for choice in enum]}
    return schema


def _listed(value) -> list:
    """A `parameters` list, or nothing when the spec has something else there."""
    return value if isinstance(value, list) else []
