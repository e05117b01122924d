"""The dataset: every record serialized once, and columns the query engine filters and sorts.

Records never change after the build, so each is validated against the spec's User schema
and encoded to JSON once; a page is a join of ready bytes. Filtering and sorting read numpy
columns, so a million users need no scan of Python dicts.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from mockserver import __version__
from mockserver.datagen import Generator
from mockserver.errors import ConfigError
from mockserver.fixtures import Fixtures
from mockserver.schema import Validator
from mockserver.spec import Spec
from mockserver.timefmt import format_date, format_datetime

# Below this many users one process builds faster than a pool starts.
PARALLEL_THRESHOLD = 50_000
CHUNK = 25_000
NULL_INT = np.iinfo(np.int64).min


@dataclass
class Column:
    """One field over all rows. `kind` says how values are stored:

    int, datetime (microseconds), date (days): int64, with `null` marking missing values;
    bool: int8 1/0, -1 for null; text: bytes (UTF-8); ids: a uint64 bit set over the
    items' enum; json: the compact JSON of each value.
    """

    kind: str
    values: np.ndarray
    null: np.ndarray | None = None
    choices: tuple = ()  # for ids: the enum, bit i standing for choices[i]
    _cache: dict = field(default_factory=dict, repr=False)

    def cached(self, key, make: Callable):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def column_kind(prop: dict) -> str:
    kind = prop.get("type")
    fmt = prop.get("format")
    if kind == "integer":
        return "int"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        return "ids"
    if kind == "object":
        return "json"
    if fmt == "date-time":
        return "datetime"
    if fmt == "date":
        return "date"
    return "text"


class Dataset:
    """Rows in ascending id order; row r is `record(r)` and `columns[f].values[r]`."""

    def __init__(
        self, ids: np.ndarray, blob: bytes, offsets: np.ndarray, columns: dict[str, Column]
    ):
        self.ids = ids
        self.blob = blob
        self.offsets = offsets
        self.columns = columns

    def __len__(self) -> int:
        return len(self.ids)

    def record(self, row: int) -> bytes:
        return self.blob[self.offsets[row] : self.offsets[row + 1]]

    def records(self, rows: Iterable[int]) -> list[bytes]:
        blob, offsets = self.blob, self.offsets
        return [blob[offsets[r] : offsets[r + 1]] for r in rows]

    def row_of(self, user_id: int) -> int | None:
        if not -(2**63) <= user_id < 2**63:
            return None
        row = int(np.searchsorted(self.ids, user_id))
        return row if row < len(self.ids) and self.ids[row] == user_id else None

    def value(self, field_name: str, row: int):
        """A typed value, for the few places that need one (auth reads `is_active`)."""
        col = self.columns[field_name]
        if col.kind == "bool":
            return None if col.values[row] < 0 else bool(col.values[row])
        return col.values[row]

    # -- cache ------------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        (tmp / "records.bin").write_bytes(self.blob)
        arrays = {"ids": self.ids, "offsets": self.offsets}
        meta = {}
        for name, col in self.columns.items():
            arrays[f"v.{name}"] = col.values
            if col.null is not None:
                arrays[f"n.{name}"] = col.null
            meta[name] = {"kind": col.kind, "choices": list(col.choices)}
        for key, array in arrays.items():
            np.save(tmp / f"{key}.npy", array, allow_pickle=False)
        (tmp / "columns.json").write_bytes(orjson.dumps(meta))
        for item in tmp.iterdir():
            item.replace(directory / item.name)
        tmp.rmdir()

    @classmethod
    def load(cls, directory: Path) -> Dataset:
        meta = orjson.loads((directory / "columns.json").read_bytes())

        def array(key):
            return np.load(directory / f"{key}.npy", allow_pickle=False)

        columns = {}
        for name, info in meta.items():
            null_path = directory / f"n.{name}.npy"
            columns[name] = Column(
                kind=info["kind"],
                values=array(f"v.{name}"),
                null=np.load(null_path) if null_path.exists() else None,
                choices=tuple(info["choices"]),
            )
        blob = (directory / "records.bin").read_bytes()
        return cls(array("ids"), blob, array("offsets"), columns)


# -- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildPlan:
    """Everything a (possibly separate) process needs to build a range of rows."""

    user_schema: dict
    seed: int
    personas: dict[int, dict]
    source: str


def build(
    spec: Spec,
    fixtures: Fixtures,
    seed: int,
    users: int,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Dataset:
    """Ids 1..users, with each persona replacing the user of its id (or added beyond)."""
    key = cache_key(spec, fixtures, seed, users)
    if cache_dir is not None:
        cached = cache_dir / key
        if (cached / "columns.json").exists():
            try:
                return Dataset.load(cached)
            except (OSError, ValueError, KeyError):
                pass  # a damaged cache is rebuilt below
    plan = BuildPlan(spec.user_schema, seed, fixtures.personas, str(spec.path))
    ids = sorted(set(range(1, users + 1)) | set(fixtures.personas))
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    parts = []
    done = 0
    if len(ids) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
            for part in pool.map(_build_chunk, [plan] * len(chunks), chunks):
                parts.append(part)
                done += len(part[0])
                if progress:
                    progress(done, len(ids))
    else:
        for chunk in chunks:
            parts.append(_build_chunk(plan, chunk))
            done += len(chunk)
            if progress:
                progress(done, len(ids))
    dataset = _assemble(spec, ids, parts)
    if cache_dir is not None:
        try:
            dataset.save(cache_dir / key)
        except OSError as exc:
            print(f"mockserver: dataset cache not written: {exc}", file=sys.stderr)
    return dataset


def cache_key(spec: Spec, fixtures: Fixtures, seed: int, users: int) -> str:
    digest = hashlib.sha256()
    for part in (
        __version__.encode(),
        spec.text,
        *fixtures.digest_parts,
        f"{seed}:{users}".encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


def _build_chunk(plan: BuildPlan, ids: list[int]) -> tuple[list[bytes], dict[str, list]]:
    generator = _generator(plan)
    validator = Validator(plan.user_schema)
    to_json = _json_converters(plan.user_schema)
    encoded: list[bytes] = []
    typed_columns: dict[str, list] = {name: [] for name in plan.user_schema["properties"]}
    for user_id in ids:
        persona = plan.personas.get(user_id)
        record = generator.record(user_id, persona)
        doc = {name: convert(record[name]) for name, convert in to_json.items()}
        problems = validator.errors(doc)
        if problems:
            raise _record_error(plan, persona, user_id, problems[0])
        encoded.append(orjson.dumps(doc))
        for name, values in typed_columns.items():
            values.append(record[name])
    return encoded, typed_columns


_GENERATORS: dict[tuple[int, int], Generator] = {}


def _generator(plan: BuildPlan) -> Generator:
    """One generator per plan and process, so vocabularies are built once per worker."""
    key = (id(plan.user_schema), plan.seed)
    if key not in _GENERATORS:
        _GENERATORS.clear()
        _GENERATORS[key] = Generator(plan.user_schema, plan.seed, plan.source)
    return _GENERATORS[key]


def _record_error(plan: BuildPlan, persona, user_id: int, problem) -> ConfigError:
    where, message = problem
    field_name = where.split("/")[0] or "record"
    if persona is not None and field_name in persona:
        return ConfigError("personas.yaml", f"persona id {user_id}, field {where!r}: {message}")
    return ConfigError(
        plan.source,
        f"components/schemas/User/{field_name}/x-faker made user {user_id} "
        f"invalid at {where!r}: {message}",
    )


def _json_converters(user_schema: dict) -> dict[str, Callable]:
    def nullable(fn):
        return lambda v: None if v is None else fn(v)

    converters = {}
    for name, prop in user_schema["properties"].items():
        kind = column_kind(prop)
        if kind == "datetime":
            converters[name] = nullable(format_datetime)
        elif kind == "date":
            converters[name] = nullable(format_date)
        else:
            converters[name] = _identity
    return converters


def _identity(value):
    return value


def _assemble(spec: Spec, ids: list[int], parts) -> Dataset:
    encoded = [blob for part in parts for blob in part[0]]
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    columns = {}
    for name, prop in spec.user_fields.items():
        values = [v for part in parts for v in part[1][name]]
        columns[name] = _column(prop, values)
    return Dataset(np.asarray(ids, dtype=np.int64), b"".join(encoded), offsets, columns)


def _column(prop: dict, values: list) -> Column:
    kind = column_kind(prop)
    null = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    has_null = bool(null.any())
    if kind in ("int", "datetime", "date"):
        array = np.array([NULL_INT if v is None else v for v in values], dtype=np.int64)
        return Column(kind, array, null if has_null else None)
    if kind == "bool":
        array = np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)
        return Column(kind, array)
    if kind == "ids":
        choices = tuple((prop.get("items") or {}).get("enum") or ())
        if len(choices) > 64:
            raise ConfigError("openapi/users.yaml", f"{prop} lists more than 64 ids")
        bit = {choice: 1 << n for n, choice in enumerate(choices)}
        array = np.array([sum(bit[v] for v in vs) for vs in values], dtype=np.uint64)
        return Column(kind, array, choices=choices)
    if kind == "json":
        array = np.array([orjson.dumps(v) for v in values], dtype=object)
        return Column(kind, array.astype(bytes))
    encoded = [b"" if v is None else str(v).encode() for v in values]
    return Column(kind, np.array(encoded, dtype=bytes), null if has_null else None)
