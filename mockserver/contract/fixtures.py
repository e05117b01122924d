"""Hand-written data in `fixtures/`: personas, API tokens and lists of ids, as the spec names them.

The spec says which files there are in `x-fixtures` at its root (or an overlay does):

    x-fixtures:
      personas: {resource: /users/}                # records that replace generated ones
      tokens: {schema: Token, owner: /users/}      # API keys, each owned by a persona
      groups: {schema: Group, ids: GroupId}        # a list whose ids are a schema's enum

`personas` are validated against the resource's item schema; the others against the mock's
own schemas (mockserver/mock.yaml). A spec without `x-fixtures` reads no file: its keys come
from `--token`. A problem stops startup with the file, the record and the field
(ConfigError, exit code 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.contract import conventions
from mockserver.contract.schema import Validator
from mockserver.contract.spec import Spec
from mockserver.contract.timefmt import parse_date, parse_datetime
from mockserver.contract.yamlio import load_yaml, read_bounded
from mockserver.errors import ConfigError

PERSONAS, TOKENS = "personas", "tokens"
_KEYS = {"resource", "schema", "owner", "ids"}


@dataclass(frozen=True)
class Fixtures:
    """The validated fixtures; persona values are typed like generated ones."""

    files: dict[str, list[dict]]  # every file's records, by name, in the spec's order
    personas: dict[int, dict]
    tokens: dict[str, int]  # key -> persona id
    digest_parts: tuple[bytes, ...]  # the files' bytes, for the dataset cache key
    token_notes: dict[str, str] = field(default_factory=dict)  # key -> its `note`, if any
    personas_of: str | None = None  # the resource path the personas are records of
    owner: str | None = None  # the resource path whose records own the tokens
    paths: tuple[Path, ...] = ()  # the files read, for --watch

    def __getattr__(self, name: str) -> list[dict]:
        """A list file's records by its name (`fixtures.groups`)."""
        files = self.__dict__.get("files") or {}
        if name in files:
            return files[name]
        raise AttributeError(name)


def declared(spec: Spec) -> dict[str, dict]:
    """The spec's `x-fixtures`, checked: each file's role, schema and resource exist."""
    raw = spec.raw.get("x-fixtures") or {}
    where = "x-fixtures"
    if not isinstance(raw, dict):
        raise ConfigError(str(spec.path), f"{where} must map file names to what they hold")
    for name, options in raw.items():
        if not isinstance(options, dict) or set(options) - _KEYS:
            raise ConfigError(str(spec.path), f"{where} {name}: keys are {sorted(_KEYS)}")
        for key in ("resource", "owner"):
            if key in options and options[key] not in spec.resources:
                raise ConfigError(
                    str(spec.path), f"{where} {name} {key}: {options[key]!r} is no resource"
                )
        if "ids" in options:
            spec.schema(options["ids"])
        if name == PERSONAS and "resource" not in options:
            raise ConfigError(str(spec.path), f"{where} {name} needs `resource`")
        if name != PERSONAS and "schema" not in options:
            raise ConfigError(str(spec.path), f"{where} {name} needs `schema`")
    return raw


def load(directory: Path, spec: Spec) -> Fixtures:
    files = declared(spec)
    texts, records = {}, {}
    for name, options in files.items():
        path = directory / f"{name}.yaml"
        if not path.exists():
            raise ConfigError(str(path), "is missing")
        texts[name] = read_bounded(path)
        records[name] = _records(path, load_yaml(path, texts[name]))
        if name == PERSONAS:
            # A persona names only the fields that matter; the rest is generated.
            schema = {**spec.resources[options["resource"]].schema, "required": ["id"]}
        else:
            schema = spec.mock.schema(options["schema"])
        validator = Validator(schema)
        for index, record in enumerate(records[name], start=1):
            for where, message in validator.errors(record)[:1]:
                raise _error(path, index, record, where, message)
        if "ids" in options:
            _check_ids(path, records[name], spec.schema(options["ids"]))
    personas: dict[int, dict] = {}
    personas_of = (files.get(PERSONAS) or {}).get("resource")
    if personas_of is not None:
        fields = spec.resources[personas_of].fields
        personas = _personas(directory / "personas.yaml", records[PERSONAS], fields)
    tokens: dict[str, int] = {}
    if TOKENS in records:
        tokens = _tokens(directory / "tokens.yaml", records[TOKENS], personas)
    return Fixtures(
        files={name: records[name] for name in files if name not in (PERSONAS, TOKENS)},
        personas=personas,
        tokens=tokens,
        digest_parts=tuple(texts[name] for name in files),
        token_notes={r["key"]: r["note"] for r in records.get(TOKENS, ()) if r.get("note")},
        personas_of=personas_of,
        owner=(files.get(TOKENS) or {}).get("owner"),
        paths=tuple(directory / f"{name}.yaml" for name in files),
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


def _personas(path: Path, records: list[dict], fields: dict[str, dict]) -> dict[int, dict]:
    personas: dict[int, dict] = {}
    for index, record in enumerate(records, start=1):
        if record["id"] in personas:
            raise _error(path, index, record, "id", "is used by an earlier persona")
        try:
            typed = stored(fields, record)
        except ValueError as exc:
            name = str(exc)
            fmt = fields[name].get("format")
            raise _error(path, index, record, name, f"{record[name]!r} is not a {fmt}") from None
        if "pk" in fields:
            typed["pk"] = typed["id"]
        personas[typed["id"]] = typed
    return personas


def stored(fields: dict[str, dict], record: dict) -> dict:
    """A record's values as the dataset stores them: date-times in microseconds, dates in
    days, decimals scaled by their places. Raises ValueError(field) for a value that is not
    of its format."""
    typed = {}
    for name, value in record.items():
        prop = fields.get(name) or {}
        fmt = prop.get("format")
        if value is not None and fmt == "date-time":
            value = parse_datetime(str(value))
        elif value is not None and fmt == "date":
            value = parse_date(str(value))
        elif value is not None and conventions.is_decimal(prop):
            places = conventions.decimal_places(prop)[1]
            try:
                value = round(float(value) * 10**places)
            except ValueError:
                value = None
        if value is None and record[name] is not None:
            raise ValueError(name)
        typed[name] = value
    return typed


def _tokens(path: Path, records: list[dict], personas: dict[int, dict]) -> dict[str, int]:
    tokens: dict[str, int] = {}
    for index, record in enumerate(records, start=1):
        if record["user"] not in personas:
            raise _error(path, index, record, "user", f"{record['user']} is not a persona id")
        if record["key"] in tokens:
            raise _error(path, index, record, "key", "is listed twice")
        tokens[record["key"]] = record["user"]
    return tokens
