"""Hand-written data in `fixtures/`: personas, groups, permissions and API tokens.

Every file is validated before the server starts: personas against the contract's User,
the others against the mock's own schemas (mockserver/mock.yaml). A problem stops startup
with the file, the record and the field (ConfigError, exit code 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.errors import ConfigError
from mockserver.schema import Validator
from mockserver.spec import Spec
from mockserver.timefmt import parse_date, parse_datetime
from mockserver.yamlio import load_yaml

# Each file and its schema: the contract's User for personas, the mock's own for the rest.
FILES = {"groups": "Group", "permissions": "Permission", "personas": "User", "tokens": "Token"}


@dataclass(frozen=True)
class Fixtures:
    """The validated fixtures; persona values are typed like generated ones."""

    groups: list[dict]
    permissions: list[dict]
    personas: dict[int, dict]
    tokens: dict[str, int]  # key -> persona id
    digest_parts: tuple[bytes, ...]  # the files' bytes, for the dataset cache key
    token_notes: dict[str, str] = field(default_factory=dict)  # key -> its `note`, if any


def load(directory: Path, spec: Spec) -> Fixtures:
    texts, records = {}, {}
    for name, schema_name in FILES.items():
        path = directory / f"{name}.yaml"
        if not path.exists():
            raise ConfigError(str(path), "is missing")
        texts[name] = path.read_bytes()
        records[name] = _records(path, load_yaml(path, texts[name]))
        if name == "personas":
            # A persona names only the fields that matter; the rest is generated.
            schema = {**spec.schema(schema_name), "required": ["id"]}
        else:
            schema = spec.mock.schema(schema_name)
        validator = Validator(schema)
        for index, record in enumerate(records[name], start=1):
            for where, message in validator.errors(record)[:1]:
                raise _error(path, index, record, where, message)

    _check_ids(directory / "groups.yaml", records["groups"], spec.schema("GroupId"))
    _check_ids(directory / "permissions.yaml", records["permissions"], spec.schema("PermissionId"))
    personas = _personas(directory / "personas.yaml", records["personas"], spec)
    tokens = _tokens(directory / "tokens.yaml", records["tokens"], personas)
    return Fixtures(
        groups=records["groups"],
        permissions=records["permissions"],
        personas=personas,
        tokens=tokens,
        digest_parts=tuple(texts[name] for name in FILES),
        token_notes={r["key"]: r["note"] for r in records["tokens"] if r.get("note")},
    )


def _records(path: Path, data) -> list[dict]:
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ConfigError(str(path), "must be a YAML list of mappings")
    return data


def _error(path: Path, index: int, record: dict, where: str, message: str) -> ConfigError:
    ident = f" (id {record['id']})" if isinstance(record.get("id"), int | str) else ""
    field = where.split("/")[0] if where else ""
    if not field and "additional properties" in message.lower():
        field = "unknown field"
    place = f", field {where!r}" if where else (f", {field}" if field else "")
    return ConfigError(str(path), f"record {index}{ident}{place}: {message}")


def _check_ids(path: Path, records: list[dict], id_schema: dict) -> None:
    """The ids in the file must be exactly the ids the spec's enum allows."""
    found = [r["id"] for r in records]
    declared = list(id_schema.get("enum", []))
    for index, record in enumerate(records, start=1):
        if record["id"] not in declared:
            message = f"{record['id']} is not one of the spec's ids {sorted(declared)}"
            raise _error(path, index, record, "id", message)
    if sorted(found) != sorted(declared) or len(set(found)) != len(found):
        raise ConfigError(
            str(path),
            f"field 'id': the ids {sorted(found)} differ from the spec's enum {sorted(declared)}",
        )


def _personas(path: Path, records: list[dict], spec: Spec) -> dict[int, dict]:
    fields = spec.user_fields
    personas: dict[int, dict] = {}
    for index, record in enumerate(records, start=1):
        if record["id"] in personas:
            raise _error(path, index, record, "id", "is used by an earlier persona")
        typed = {}
        for name, value in record.items():
            fmt = fields[name].get("format")
            if value is not None and fmt == "date-time":
                value = parse_datetime(value)
            elif value is not None and fmt == "date":
                value = parse_date(value)
            if value is None and record[name] is not None:
                raise _error(path, index, record, name, f"{record[name]!r} is not a {fmt}")
            typed[name] = value
        typed["pk"] = typed["id"]
        personas[typed["id"]] = typed
    return personas


def _tokens(path: Path, records: list[dict], personas: dict[int, dict]) -> dict[str, int]:
    tokens: dict[str, int] = {}
    for index, record in enumerate(records, start=1):
        if record["user"] not in personas:
            raise _error(path, index, record, "user", f"{record['user']} is not a persona id")
        if record["key"] in tokens:
            raise _error(path, index, record, "key", "is listed twice")
        tokens[record["key"]] = record["user"]
    return tokens
