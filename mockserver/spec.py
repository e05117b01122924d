"""The OpenAPI spec as the rest of the code reads it: operations, parameters, the User schema.

The spec is the contract and holds only what the real API offers. The mock's own controls,
its extra responses and its fixture schemas come from `mockserver/mock.yaml` (`MockDoc`):
an `Operation` is the mock's view of a contract operation, with those added.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from mockserver import resources
from mockserver.errors import ConfigError
from mockserver.yamlio import load_yaml

# Query parameters that drive pagination and ordering rather than filter a field.
CONTROL_PARAMS = ("page", "limit", "sort")
# The control of the mock's own query parameters (`__code`, ...), which mockserver/prefer.py
# reads and the query parser leaves alone.
PREFER = "prefer"


@dataclass(frozen=True)
class Param:
    """One query parameter: its resolved schema and what it does (`x-filter` or `x-query`)."""

    name: str
    schema: dict
    field: str | None = None  # x-filter.field
    lookup: str | None = None  # x-filter.lookup: exact, gt, gte, lt, lte, any, contains, hashed
    control: str | None = None  # x-query: page, limit or sort; or PREFER
    json: bool = False  # the value is a JSON text (`content:`, or a `contains` lookup)
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

    def __init__(self, path: Path, text: bytes, mock: MockDoc | None = None):
        self.path = path
        self.text = text
        self.mock = mock or MockDoc(resources.mock_path())
        self.raw = load_yaml(path, text)
        if not isinstance(self.raw, dict):
            raise ConfigError(str(path), "is not an OpenAPI document")
        try:
            validate(copy.deepcopy(self.raw))
        except OpenAPIValidationError as exc:
            where = "/".join(str(p) for p in exc.path) if getattr(exc, "path", None) else ""
            raise ConfigError(str(path), f"is not valid OpenAPI {where}: {exc.message}") from None
        contract = [self._operation(p, m, op) for p, m, op in self._raw_operations()]
        self.operations = [self._with_collection(op, contract) for op in contract]
        self.user_schema = self.schema("User")

    @classmethod
    def load(cls, path: Path) -> Spec:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise ConfigError(str(path), f"cannot be read: {exc.strerror}") from None
        return cls(path, text)

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

    def _operation(self, path: str, method: str, op: dict) -> Operation:
        path_params: dict[str, dict] = {}
        query: dict[str, Param] = {}
        for raw in op.get("parameters", []):
            param = self.resolve(raw)
            if param["in"] == "path":
                path_params[param["name"]] = param.get("schema", {})
            elif param["in"] == "query":
                query[param["name"]] = self._param(param)
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
        )

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

    def _param(self, param: dict) -> Param:
        name = param["name"]
        spec_filter = param.get("x-filter") or {}
        # A JSON text: declared as JSON content, or a string matched by containment.
        json_content = "content" in param or spec_filter.get("lookup") == "contains"
        schema = (
            next(iter(param["content"].values())).get("schema", {})
            if "content" in param
            else param.get("schema", {})
        )
        control = param.get("x-query")
        if not spec_filter and control not in CONTROL_PARAMS:
            controls = ", ".join(CONTROL_PARAMS)
            raise ConfigError(
                str(self.path), f"parameter {name!r} needs x-filter or x-query ({controls})"
            )
        return Param(
            name=name,
            schema=schema,
            field=spec_filter.get("field"),
            lookup=spec_filter.get("lookup"),
            control=control,
            json=json_content,
        )

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    @property
    def user_fields(self) -> dict[str, dict]:
        return self.user_schema["properties"]

    @property
    def sortable_fields(self) -> list[str]:
        """Fields `sort` accepts: every User field not marked `x-sortable: false`."""
        return [name for name, prop in self.user_fields.items() if prop.get("x-sortable", True)]
