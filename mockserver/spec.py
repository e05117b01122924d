"""The OpenAPI spec as the rest of the code reads it: operations, parameters, the User schema."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from mockserver.errors import ConfigError
from mockserver.yamlio import load_yaml

# Query parameters that drive pagination and ordering rather than filter a field; `prefer`
# marks the mock's per-request controls (`__code`, ...), which mockserver/prefer.py reads.
CONTROL_PARAMS = ("page", "limit", "sort", "prefer")


@dataclass(frozen=True)
class Param:
    """One query parameter: its resolved schema and what it does (`x-filter` or `x-query`)."""

    name: str
    schema: dict
    field: str | None = None  # x-filter.field
    lookup: str | None = None  # x-filter.lookup: exact, gt, gte, lt, lte, any, contains, hashed
    control: str | None = None  # x-query: page, limit or sort
    json: bool = False  # the value is a JSON document (`content: application/json`)

    @property
    def repeated(self) -> bool:
        return self.schema.get("type") == "array"


@dataclass(frozen=True)
class Operation:
    """A GET operation: its path template, handler name, parameters and documented responses."""

    path: str
    method: str
    operation_id: str
    path_params: dict[str, dict]
    query: dict[str, Param]
    responses: dict[str, dict] = field(repr=False)


class Spec:
    """The loaded, validated spec. `raw` is what Connexion gets; the rest is resolved."""

    def __init__(self, path: Path, text: bytes):
        self.path = path
        self.text = text
        self.raw = load_yaml(path, text)
        if not isinstance(self.raw, dict):
            raise ConfigError(str(path), "is not an OpenAPI document")
        try:
            validate(copy.deepcopy(self.raw))
        except OpenAPIValidationError as exc:
            where = "/".join(str(p) for p in exc.path) if getattr(exc, "path", None) else ""
            raise ConfigError(str(path), f"is not valid OpenAPI {where}: {exc.message}") from None
        self.operations = [self._operation(p, m, op) for p, m, op in self._raw_operations()]
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
        return Operation(
            path=path,
            method=method,
            operation_id=op["operationId"],
            path_params=path_params,
            query=query,
            responses=self.resolve(op.get("responses", {})),
        )

    def _param(self, param: dict) -> Param:
        name = param["name"]
        json_content = "content" in param
        schema = (
            next(iter(param["content"].values())).get("schema", {})
            if json_content
            else param.get("schema", {})
        )
        spec_filter = param.get("x-filter") or {}
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
            if op.operation_id.rsplit(".", 1)[-1] == operation_id:
                return op
        raise KeyError(operation_id)

    @property
    def user_fields(self) -> dict[str, dict]:
        return self.user_schema["properties"]

    @property
    def sortable_fields(self) -> list[str]:
        """Fields `sort` accepts: every User field not marked `x-sortable: false`."""
        return [name for name, prop in self.user_fields.items() if prop.get("x-sortable", True)]
