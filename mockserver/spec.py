"""The OpenAPI spec as the rest of the code reads it: its operations, parameters and resources.

The spec is the contract and holds only what the real API offers. The mock's own controls,
its extra responses and its fixture schemas come from `mockserver/mock.yaml` (`MockDoc`):
an `Operation` is the mock's view of a contract operation, with those added.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson

from mockserver import __version__, conventions, resources
from mockserver.auth import TOKEN_ONLY, Security, security_of
from mockserver.errors import ConfigError
from mockserver.overlay import apply as apply_overlay
from mockserver.resource import Resource, discover
from mockserver.yamlio import load_yaml

# Query parameters that drive pagination, ordering and search rather than filter a field.
CONTROL_PARAMS = conventions.CONTROLS
# The control of the mock's own query parameters (`__code`, ...), which mockserver/prefer.py
# reads and the query parser leaves alone.
PREFER = "prefer"


@dataclass(frozen=True)
class Param:
    """One query parameter: its resolved schema and what it does (`x-filter` or `x-query`)."""

    name: str
    schema: dict
    field: str | None = None  # x-filter.field
    lookup: str | None = None  # x-filter.lookup: conventions.LOOKUPS, `any` or `hashed`
    control: str | None = None  # x-query: page, limit, sort or search; or PREFER
    json: bool = False  # the value is a JSON text (`content:`, or a `contains` lookup)
    # django-filter's NumberFilter refuses numbers above 1e50 (its MaxValueValidator, since
    # 2.4). Inferred filters have it; the Users contract's annotated ones follow
    # REAL_API.md, which observed no such limit.
    number_cap: bool = False
    preference: str | None = None  # for a PREFER control: the Prefer preference it sets

    @property
    def repeated(self) -> bool:
        return self.schema.get("type") == "array"


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

    @property
    def is_detail(self) -> bool:
        """A path with a parameter names one record; otherwise the operation lists them."""
        return bool(self.path_params)


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
        self.mock = mock or MockDoc(resources.mock_path())
        self.overlay = overlay
        self.raw = load_yaml(path, text)
        if not isinstance(self.raw, dict):
            raise ConfigError(str(path), "is not an OpenAPI document")
        if overlay is not None:
            self.raw = apply_overlay(self.raw, overlay)
        self._verdict = _validate(path, self.raw, validated, aside)
        try:
            self.resources: dict[str, Resource] = discover(self, list(self._raw_operations()))
            contract = [self._operation(p, m, op) for p, m, op in self._raw_operations()]
            self.operations = [self._with_collection(op, contract) for op in contract]
        except Exception:
            self.wait_valid()  # an invalid document is reported as such, first
            raise

    def wait_valid(self) -> None:
        """Raise the validator's ConfigError if the document is not valid OpenAPI."""
        verdict, self._verdict = self._verdict, None
        if verdict is not None:
            verdict()

    @classmethod
    def load(
        cls,
        path: Path,
        overlay: Path | None = None,
        validated: Path | None = None,
        aside: bool = False,
    ) -> Spec:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
        return cls(path, text, overlay=overlay, validated=validated, aside=aside)

    @property
    def digest_parts(self) -> tuple[bytes, ...]:
        """The bytes the records depend on: the spec's, and its overlay's."""
        if self.overlay is None:
            return (self.text,)
        return (self.text, self.overlay.read_bytes())

    def resolve(self, node):
        """Replace every local `$ref` with a deep copy of its target."""
        if isinstance(node, dict):
            if "$ref" in node:
                target = self._pointer(node["$ref"])
                return self.resolve(target)
            return {key: self.resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        return node

    def resolve_shallow(self, node):
        """`node` itself, or the target of its `$ref` (followed until it is no reference)."""
        while isinstance(node, dict) and "$ref" in node:
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
        node = self.raw
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                node = node[part]
            except (KeyError, TypeError):
                raise ConfigError(str(self.path), f"$ref {ref!r} points nowhere") from None
        return node

    def _raw_operations(self):
        for path, item in self.raw.get("paths", {}).items():
            for method, op in item.items():
                if method in ("get", "head", "post", "put", "patch", "delete", "options"):
                    yield path, method.upper(), op

    def resource_of(self, path: str) -> Resource | None:
        """The resource a path serves: its list or singleton path, or its detail's."""
        if path in self.resources:
            return self.resources[path]
        parent = re.sub(r"\{[^/{}]+\}/?$", "", path)
        found = self.resources.get(parent)
        return found if found is not None and parent != path else None

    def _operation(self, path: str, method: str, op: dict) -> Operation:
        path_params: dict[str, dict] = {}
        query: dict[str, Param] = {}
        resource = self.resource_of(path)
        fields = resource.fields if resource is not None else {}
        for raw in [*self.raw["paths"][path].get("parameters", []), *op.get("parameters", [])]:
            param = self.resolve(raw)
            if param["in"] == "path":
                path_params[param["name"]] = param.get("schema", {})
            elif param["in"] == "query":
                query[param["name"]] = self._param(param, fields, f"paths {path} {method.lower()}")
        responses = {
            str(code): value for code, value in self.resolve(op.get("responses", {})).items()
        }
        query.update(self.mock.controls)
        return Operation(
            path=path,
            method=method,
            operation_id=op.get("operationId") or f"{method} {path}",
            path_params=path_params,
            query=query,
            responses=responses,
            answers={**responses, **self.mock.responses},
            lenient_query=query,
            resource=resource.path if resource is not None else None,
            security=self._security(op),
        )

    def _security(self, op: dict) -> Security:
        """DRF's authentication of an operation: the alternatives of its `security` (else
        the document's), each an authentication class in the view's order (auth.py)."""
        requirements = op.get("security", self.raw.get("security") or [])
        schemes = (self.raw.get("components") or {}).get("securitySchemes") or {}
        return security_of(requirements, schemes)

    @staticmethod
    def _with_collection(op: Operation, operations: list[Operation]) -> Operation:
        """A detail at `<list path>{id}/` also reads the list's filters, in lenient mode."""
        if not op.is_detail:
            return op
        parent = re.sub(r"\{[^/{}]+\}/?$", "", op.path)
        for other in operations:
            if other.path == parent and other.method == op.method and not other.is_detail:
                filters = {n: p for n, p in other.query.items() if p.field is not None}
                return replace(op, lenient_query={**filters, **op.query})
        return op

    def _param(self, param: dict, fields: dict[str, dict], where: str) -> Param:
        """A query parameter as its annotation says, else as DRF's conventions name it."""
        name = param["name"]
        place = f"{where} parameter {name!r}"
        spec_filter = param.get("x-filter") or {}
        schema = (
            next(iter(param["content"].values())).get("schema", {})
            if "content" in param
            else param.get("schema", {})
        )
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
                raise ConfigError(
                    str(self.path),
                    f"{place}: no field is named {name.partition('__')[0]!r} and no "
                    "annotation says what it does (x-filter: {field, lookup}, or x-query: "
                    f"{', '.join(CONTROL_PARAMS)})",
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
            lookup=lookup,
            control=control,
            json=json_content,
            number_cap=not spec_filter and control is None,
        )

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)


def _validate(path: Path, raw: dict, validated: Path | None, aside: bool = False):
    """openapi-spec-validator's verdict on the document, remembered in `validated` by its
    digest: the validator and its import cost a third of a second at every start.

    Raises ConfigError now; or, `aside`, returns a function that waits for the verdict of a
    forked process and raises it then (None when there is nothing to wait for).
    """
    marker = None
    if validated is not None:
        digest = hashlib.sha256(__version__.encode() + orjson.dumps(raw, option=_KEYS))
        marker = validated / f"{digest.hexdigest()[:32]}.ok"
        if marker.exists():
            return None
    if aside and "fork" in multiprocessing.get_all_start_methods():
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
        future = pool.submit(_problem, raw)

        def verdict() -> None:
            try:
                problem = future.result()
            finally:
                pool.shutdown()
            _judge(path, problem, marker)

        return verdict
    _judge(path, _problem(raw), marker)
    return None


def _problem(raw: dict) -> str | None:
    """What openapi-spec-validator finds wrong with the document, or None."""
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    try:
        validate(copy.deepcopy(raw))
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in exc.path) if getattr(exc, "path", None) else ""
        # The validator's message goes on with the schema and the instance, over many
        # lines; an error is one line, so its first says it.
        first = str(exc.message).strip().splitlines()[0]
        return f"is not valid OpenAPI at {where or '/'}: {first}"
    return None


def _judge(path: Path, problem: str | None, marker: Path | None) -> None:
    if problem is not None:
        raise ConfigError(str(path), problem)
    if marker is not None:
        with contextlib.suppress(OSError):  # a read-only or full disk: validate next time
            marker.parent.mkdir(parents=True, exist_ok=True)
            temp = marker.with_suffix(f".tmp{os.getpid()}")
            temp.write_bytes(b"")
            temp.replace(marker)


_KEYS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SORT_KEYS
