"""A resource's dataset: every record serialized once, and the columns the engine reads.

Records never change after the build, so each is validated against the resource's schema
and encoded to JSON once; a page is a join of ready bytes. Filtering and sorting read numpy
columns, so a million records need no scan of Python dicts.
"""

from __future__ import annotations

import functools
import os
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import orjson

from mockserver import processes
from mockserver.contract import conventions
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract.schema import NULL_INT, Validator, effective
from mockserver.contract.timefmt import format_dates, format_datetimes, parse_date, parse_datetime
from mockserver.engine import cache
from mockserver.errors import ConfigError
from mockserver.fake.datagen import Generator, one_line
from mockserver.fake.fakerules import as_floats

# Below this many records one process builds faster than a pool starts.
PARALLEL_THRESHOLD = 50_000
CHUNK = 25_000


@dataclass
class Column:
    """One field over all rows. `kind` says how values are stored:

    int, datetime (microseconds), date (days), decimal (scaled by 10**choices[0]): int64,
    with `null` marking missing values; float: float64, NaN and `null` for null; bool: int8
    1/0, -1 for null; text: bytes (UTF-8);
    ids: a uint64 bit set over the items' enum (a row of uint64 words past 64 choices);
    idlist: the ids as bytes `,1,5,`; json:
    nothing (objects are read back from the records).
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


class Dataset:
    """Rows in ascending id order; row r is `record(r)` and `columns[f].values[r]`."""

    def __init__(
        self, ids: np.ndarray, blob: bytes, offsets: np.ndarray, columns: dict[str, Column]
    ):
        self.ids = ids
        self.blob = blob
        self._view = memoryview(blob)
        self.offsets = offsets
        self.columns = columns

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> Dataset:
        return cls(np.zeros(0, np.int64), b"", np.zeros(1, np.int64), {})

    @functools.cached_property
    def all_rows(self) -> np.ndarray:
        """0..n-1, made once: an unfiltered list of a million records allocates nothing."""
        rows = np.arange(len(self.ids), dtype=np.int64)
        rows.flags.writeable = False
        return rows

    def record(self, row: int) -> bytes:
        return bytes(self._view[self.offsets[row] : self.offsets[row + 1]])

    def records(self, rows: Iterable[int]) -> list[memoryview]:
        """Views of the encoded records, for `b",".join(...)` without copies."""
        view, offsets = self._view, self.offsets
        return [view[offsets[r] : offsets[r + 1]] for r in rows]

    def row_of(self, record_id: int) -> int | None:
        if not -(2**63) <= record_id < 2**63:
            return None
        # Ids are 1..N with personas possibly beyond: id i is usually row i-1.
        if 0 < record_id <= len(self.ids) and self.ids[record_id - 1] == record_id:
            return record_id - 1
        row = int(np.searchsorted(self.ids, record_id))
        return row if row < len(self.ids) and self.ids[row] == record_id else None

    def row_by(self, field_name: str, text: str) -> int | None:
        """The first row whose text field `field_name` is `text` (a detail's slug lookup)."""
        col = self.columns[field_name]

        def index():
            rows: dict[bytes, int] = {}
            for row, value in enumerate(col.values.tolist()):
                if col.null is None or not col.null[row]:
                    rows.setdefault(value, row)
            return rows

        return col.cached("index", index).get(text.encode("utf-8", "surrogateescape"))

    def value(self, field_name: str, row: int):
        """A typed value, for the few places that need one (auth reads `is_active`)."""
        col = self.columns[field_name]
        if col.kind == "bool":
            return None if col.values[row] < 0 else bool(col.values[row])
        return col.values[row]

    def changed(self, changes: dict[int, bytes | None], fields: dict[str, dict]) -> Dataset:
        """This dataset with a session's writes applied: key -> the record's JSON (written
        or created) or None (deleted). Rows stay in ascending key order, as a model's
        default ordering by pk keeps them; every other record keeps its bytes. `fields`:
        the item schema's properties, for the columns of the written records.

        >>> base = Dataset(np.array([1, 2]), b'{"n":1}{"n":2}', np.array([0, 7, 14]),
        ...                {"n": Column("int", np.array([1, 2]))})
        >>> after = base.changed({1: None, 3: b'{"n":3}', 2: b'{"n":9}'}, {})
        >>> after.ids.tolist(), after.columns["n"].values.tolist(), after.record(1)
        ([2, 3], [9, 3], b'{"n":3}')
        """
        if not changes:
            return self
        kept = self.all_rows[~np.isin(self.ids, np.fromiter(changes, np.int64, len(changes)))]
        written = sorted(key for key, record in changes.items() if record is not None)
        encoded = [changes[key] for key in written]
        docs = [orjson.loads(record) for record in encoded]
        ids = np.concatenate([self.ids[kept], np.asarray(written, dtype=np.int64)])
        order = np.argsort(ids, kind="stable")
        pieces = [*self.records(kept.tolist()), *encoded]
        lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))[order]
        offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        blob = b"".join([pieces[i] for i in order.tolist()])
        columns = {}
        for name, col in self.columns.items():
            new = column_of(col, [doc.get(name) for doc in docs], fields.get(name) or {})
            values = np.concatenate([col.values[kept], new.values])[order]
            null = None
            if col.null is not None or new.null is not None:
                old_null = col.null[kept] if col.null is not None else np.zeros(len(kept), bool)
                new_null = new.null if new.null is not None else np.zeros(len(docs), bool)
                null = np.concatenate([old_null, new_null])[order]
            columns[name] = Column(col.kind, values, null, col.choices)
        return Dataset(ids[order], blob, offsets, columns)

    # -- the cache's files (see mockserver.engine.cache) ------------------------------------------

    def files(self) -> dict[str, bytes | bytearray | np.ndarray]:
        """The dataset as the files of a cache entry: the records and one array a column."""
        files = {"records.bin": self.blob, "ids.npy": self.ids, "offsets.npy": self.offsets}
        meta = {}
        for name, col in self.columns.items():
            files[f"v.{name}.npy"] = col.values
            if col.null is not None:
                files[f"n.{name}.npy"] = col.null
            meta[name] = {"kind": col.kind, "choices": list(col.choices)}
        files["columns.json"] = orjson.dumps(meta)
        return files

    @classmethod
    def from_files(cls, files: dict) -> Dataset:
        """The dataset `files()` gave (raises KeyError or ValueError on anything else)."""
        meta = orjson.loads(files["columns.json"])
        columns = {
            name: Column(
                kind=info["kind"],
                values=files[f"v.{name}.npy"],
                null=files.get(f"n.{name}.npy"),
                choices=tuple(info["choices"]),
            )
            for name, info in meta.items()
        }
        return cls(files["ids.npy"], files["records.bin"], files["offsets.npy"], columns)


# -- building -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildPlan:
    """Everything a (possibly separate) process needs to build a range of rows."""

    schema: dict  # the item schema, an x-faker rule on every property
    seed: int
    personas: dict[int, dict]  # in the file's order: the n-th is record n of personas.yaml
    source: str  # the spec's path, for errors
    personas_source: str = "personas.yaml"  # the personas' path, for errors
    where: str = "components/schemas/User"  # the schema's place in the spec, for errors
    salt: str = ""  # the resource's name: record i of resource r is f(seed, r, i)
    # The targets of `$ref`s left in the schema (mockserver.fake.sample.references): a recursive
    # schema keeps its references, resolved one level at a time.
    refs: dict = field(default_factory=dict)
    # Datasets whose records a `copy` rule repeats (a nested serializer of a collection's
    # model), by the collection's path.
    pools: dict = field(default_factory=dict, compare=False)


def build(
    plan: BuildPlan,
    size: int,
    key: str,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    background_save: bool = False,
    cache_max: int = 0,
    read_only: bool = False,
) -> Dataset:
    """Ids 1..size, with each persona replacing the record of its id (or added beyond).

    With `cache_dir`, the dataset is loaded from its checked cache entry `key` if one is
    there, or built and written to it (`cache_max` bytes at most; 0: no cap). `read_only`
    loads only.
    """
    entries = cache.Cache(cache_dir, cache_max, read_only) if cache_dir is not None else None
    if entries is not None:
        loaded = entries.load(key, Dataset.from_files)  # None when absent or damaged
        if loaded is not None:
            return loaded
    ids = sorted(set(range(1, size + 1)) | set(plan.personas))
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    # Encoded records go straight into one buffer as chunks arrive, so a big build holds
    # them once rather than once in pieces and again joined.
    blob, parts = bytearray(), []
    if len(ids) >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1:
        pool = ProcessPoolExecutor(
            max_workers=os.cpu_count(),
            initializer=processes.start_pool_worker,
            initargs=(os.getpid(),),
        )
        _BUILDING.add(pool)
        try:
            results = pool.map(_build_chunk, [plan] * len(chunks), chunks)
            _collect(results, blob, parts, len(ids), progress)
        except BaseException:
            processes.kill_pool(pool)  # a build given up (a bad record, Ctrl-C) is not finished
            raise
        finally:
            _BUILDING.discard(pool)
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        _collect(map(_build_chunk, [plan] * len(chunks), chunks), blob, parts, len(ids), progress)
    dataset = _assemble(ids, blob, parts)
    if entries is not None and not read_only:
        if background_save:
            # A million records take seconds to write; the server need not wait for that. Not a
            # daemon: a process that ends meanwhile (an export, a stop) finishes the entry
            # rather than leaving half of it.
            _WRITER.put(entries, key, dataset.files())
        else:
            entries.save(key, dataset.files())
    return dataset


class _Writer:
    """One thread that writes cache entries in the order they come: a spec of hundreds of
    collections queues hundreds of small entries, which one writer does while the data is
    built and served, without a thread each. Not a daemon: a process that ends meanwhile
    (an export, a stop) finishes every entry rather than leaving half of one."""

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, entries: cache.Cache, key: str, files: dict) -> None:
        self._queue.put((entries, key, files))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cache writer")
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                entries, key, files = self._queue.get(timeout=0.5)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            entries.save(key, files)


_WRITER = _Writer()


_BUILDING: set[ProcessPoolExecutor] = set()  # the pools of the builds under way


def stop_builds() -> None:
    """Give up the pool builds under way: each raises BrokenProcessPool at once.

    For a server that stops during a reload: it would otherwise wait at exit for a dataset
    it will never serve (the standard library joins a pool's work when Python exits).
    """
    for pool in list(_BUILDING):
        processes.kill_pool(pool)


def _collect(results, blob: bytearray, parts: list, total: int, progress) -> None:
    for encoded, lengths, columns in results:
        blob += encoded
        parts.append((lengths, columns))
        if progress:
            progress(sum(len(p[0]) for p in parts), total)


def _build_chunk(plan: BuildPlan, ids: list[int]) -> tuple[bytes, np.ndarray, dict[str, Column]]:
    """Generate, validate and encode these records; their columns in the store's form."""
    generator = _generator(plan)
    validator = Validator(plan.schema, plan.refs)
    columns, docs = _generate(generator, plan.schema, ids, plan.personas)
    encoded = []
    for record_id, doc in zip(ids, docs, strict=True):
        if not validator.is_valid(doc):
            raise _record_error(plan, generator, validator, record_id, validator.errors(doc)[0])
        try:
            encoded.append(orjson.dumps(doc))
        except orjson.JSONEncodeError as exc:  # an integer past 64 bits, as a bound may ask
            raise ConfigError(
                plan.source, f"{plan.where}: record {record_id} is no JSON: {one_line(exc)}"
            ) from None
    return b"".join(encoded), np.fromiter(map(len, encoded), np.int64, len(encoded)), columns


def _generate(generator: Generator, schema: dict, ids: list[int], given: dict | None, only=None):
    """The store's columns of these records, and the records as JSON documents (lazily)."""
    generated = generator.columns(ids, given, only)
    columns = {}
    for name, values in generated.items():
        try:
            columns[name] = _column(generator.kinds[name], schema["properties"][name], values)
        except (
            TypeError,
            ValueError,
            OverflowError,
            KeyError,
        ) as exc:  # a value its kind can't hold
            raise ConfigError(
                generator.source, f"{generator.where}/{name}/x-faker failed: {one_line(exc)}"
            ) from None
    names = list(generated)
    as_json = [_json_values(columns[name], generated[name]) for name in names]
    docs = (dict(zip(names, values, strict=True)) for values in zip(*as_json, strict=True))
    return columns, docs


def _json_values(col: Column, generated: np.ndarray) -> list:
    """A column as the JSON values of its records."""
    null = col.null if col.null is not None else np.zeros(len(col.values), dtype=bool)
    if col.kind == "datetime":
        return format_datetimes(col.values, null)
    if col.kind == "date":
        return format_dates(col.values, null)
    if col.kind == "bool":
        return _BOOLS[col.values.astype(np.int64) + 1].tolist()
    if col.kind in ("int", "float"):
        # A float stays a Python float: JSON writes 72617.0 as DRF's FloatField does.
        values = col.values.tolist()
        for row in np.flatnonzero(null).tolist():
            values[row] = None
        return values
    if col.kind == "decimal":
        places = col.choices[0]
        values = [_decimal_text(v, places) for v in col.values.tolist()]
        for row in np.flatnonzero(null).tolist():
            values[row] = None
        return values
    return generated.tolist()


def _decimal_text(scaled: int, places: int) -> str:
    """DRF's DecimalField text of a value scaled by 10**places: `1250`, 2 -> `12.50`.

    >>> _decimal_text(-5, 2), _decimal_text(1250, 2), _decimal_text(7, 0)
    ('-0.05', '12.50', '7')
    """
    sign, whole = ("-" if scaled < 0 else ""), abs(scaled)
    if not places:
        return f"{sign}{whole}"
    return f"{sign}{whole // 10**places}.{whole % 10**places:0{places}d}"


_BOOLS = np.array([None, False, True], dtype=object)


_GENERATOR: list = []  # [(schema, seed, generator)] of the last plan in this process


def generator_of(plan: BuildPlan) -> Generator:
    """A generator of the plan's records, for one record at a time (a write's new one)."""
    return Generator(
        plan.schema, plan.seed, plan.source, plan.where, plan.salt, plan.refs, plan.pools
    )


def generated_record(generator: Generator, plan: BuildPlan, key: int, only=None) -> dict:
    """Record `key` as a dataset of the plan would hold it, as a JSON document; `only`:
    these fields of it (the others are not drawn at all)."""
    _columns, docs = _generate(generator, plan.schema, [key], None, only)
    return next(docs)


def _generator(plan: BuildPlan) -> Generator:
    """One generator per plan and process, so vocabularies are built once per worker.

    Plans reach pool workers pickled, a new schema object each time, so the schema is
    compared by value: a reloaded spec never meets a generator compiled from an earlier
    one, and a worker's later chunks reuse its vocabularies."""
    cached = _GENERATOR[0] if _GENERATOR else None
    identity = (plan.schema, plan.seed, plan.salt, plan.refs, tuple(map(id, plan.pools.values())))
    if cached is None or cached[0] != identity:
        generator = Generator(
            plan.schema, plan.seed, plan.source, plan.where, plan.salt, plan.refs, plan.pools
        )
        _GENERATOR[:] = [(identity, generator)]
    return _GENERATOR[0][1]


def _record_error(
    plan: BuildPlan, generator: Generator, validator: Validator, record_id: int, problem
) -> ConfigError:
    """The error of an invalid record, blaming the persona or the spec's rule that made it so.

    A persona is to blame when the record generated without it is valid: then what it gives
    made the record invalid, directly or through a rule that reads it (an email made from
    the names it gives, a date after the one it gives). Otherwise the spec's `x-faker` makes
    invalid records by itself, and the error names the rule and the generated record's problem.
    """
    persona = plan.personas.get(record_id)
    if persona is not None:
        _, plain = _generate(generator, plan.schema, [record_id], None)
        plain_problems = validator.errors(next(plain))
        if not plain_problems:
            where, message = problem
            # Personas keep the file's order, so its position is the record number.
            record = list(plan.personas).index(record_id) + 1
            # The fixtures' own format, so a persona's error reads the same wherever found.
            return fixtures_module._error(
                Path(plan.personas_source), record, persona, where, message
            )
        problem = plain_problems[0]
    where, message = problem
    field_name = where.split("/")[0] or "record"
    return ConfigError(
        plan.source,
        f"{plan.where}/{field_name}/x-faker made {plan.where.rsplit('/', 1)[-1].lower()} "
        f"{record_id} "
        f"invalid at {where!r}: {message}",
    )


def _assemble(ids: list[int], blob: bytearray, parts) -> Dataset:
    lengths = np.concatenate([part[0] for part in parts]) if parts else np.zeros(0, np.int64)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    columns = {}
    for name, first in parts[0][1].items() if parts else ():
        chunks = [part[1][name] for part in parts]
        nulls = None
        if any(c.null is not None for c in chunks):
            nulls = np.concatenate(
                [c.null if c.null is not None else np.zeros(len(c.values), bool) for c in chunks]
            )
        values = np.concatenate([c.values for c in chunks])
        columns[name] = Column(first.kind, values, nulls, first.choices)
    return Dataset(np.asarray(ids, dtype=np.int64), blob, offsets, columns)


def column_of(like: Column, values: list, prop: dict) -> Column:
    """The column of written records' JSON values, stored as `like` stores its own (the
    serializer already checked each value, so each converts)."""
    kind, count = like.kind, len(values)
    null = np.fromiter((v is None for v in values), dtype=bool, count=count)
    if kind in ("int", "datetime", "date", "decimal"):
        read = _READERS[kind]
        stored = [NULL_INT if v is None else read(v, like) for v in values]
        return Column(kind, np.array(stored, dtype=np.int64), null)
    if kind == "float":
        return Column(kind, np.array([np.nan if v is None else float(v) for v in values]), null)
    if kind == "bool":
        stored = [-1 if v is None else int(bool(v)) for v in values]
        return Column(kind, np.array(stored, dtype=np.int8))
    if kind == "idlist":
        texts = [b"," + ",".join(map(str, v or ())).encode() + b"," for v in values]
        return Column(kind, np.array(texts, dtype=bytes))
    if kind == "ids":
        generated = np.empty(count, dtype=object)
        generated[:] = [v or () for v in values]
        made = _id_sets(effective(prop), generated)
        if made.values.ndim == like.values.ndim:
            return made
        return Column(kind, np.zeros((count, *like.values.shape[1:]), like.values.dtype))
    if kind == "json":
        return Column(kind, np.zeros(count, dtype=np.int8))
    texts = [b"" if v is None else str(v).encode("utf-8", "surrogateescape") for v in values]
    return Column(kind, np.array(texts, dtype=bytes), null)


def _decimal_scaled(value, col: Column) -> int:
    return int(Decimal(str(value)).scaleb(col.choices[0]))


_READERS = {
    "int": lambda value, col: int(value),
    "datetime": lambda value, col: parse_datetime(value),
    "date": lambda value, col: parse_date(value),
    "decimal": _decimal_scaled,
}


def id_words(bits: int, count: int) -> np.ndarray:
    """A bit set as `count` uint64 words, the lowest bits first.

    >>> id_words(1 | 1 << 64 | 1 << 130, 3).tolist()
    [1, 1, 4]
    """
    return np.array([(bits >> (64 * n)) & _WORD for n in range(count)], dtype=np.uint64)


_WORD = 2**64 - 1


def _id_sets(prop: dict, values: np.ndarray) -> Column:
    """An `ids` column: each row's chosen items as a bit set over the items' enum, one
    uint64 a row; with more than 64 choices (authentik's 249 country codes), a row of
    uint64 words, 64 choices a word (mockserver.engine.query reads both)."""
    choices = tuple((prop.get("items") or {}).get("enum") or ())
    bit = {choice: 1 << n for n, choice in enumerate(choices)}
    # A value outside the enum sets no bit; the record's validation names it.
    masks = [sum(bit.get(v, 0) for v in chosen) if chosen else 0 for chosen in values.tolist()]
    if len(choices) <= 64:
        return Column("ids", np.array(masks, dtype=np.uint64), choices=choices)
    words = -(-len(choices) // 64)
    table = np.zeros((len(masks), words), dtype=np.uint64)
    for row, mask in enumerate(masks):
        if mask:
            table[row] = id_words(mask, words)
    return Column("ids", table, choices=choices)


def _column(kind: str, prop: dict, values: np.ndarray) -> Column:
    """The store's column from a generated one (see mockserver.fake.datagen)."""
    if kind in ("int", "datetime", "date"):
        null = values == NULL_INT
        return Column(kind, values.astype(np.int64), null if null.any() else None)
    if kind == "bool":
        return Column(kind, values.astype(np.int8))
    if kind == "float":
        values = as_floats(values)
        null = np.isnan(values)
        return Column(kind, values, null if null.any() else None)
    if kind == "decimal":
        null = values == NULL_INT
        places = conventions.decimal_places(prop)[1]
        return Column(kind, values.astype(np.int64), null if null.any() else None, (places,))
    if kind == "idlist":
        texts = [b"," + ",".join(map(str, v or ())).encode() + b"," for v in values.tolist()]
        return Column(kind, np.array(texts, dtype=bytes))
    if kind == "ids":
        return _id_sets(effective(prop), values)
    if kind == "json":
        # Objects are read back from the encoded records when a filter needs them.
        return Column(kind, np.zeros(len(values), dtype=np.int8))
    null = np.fromiter((v is None for v in values.tolist()), dtype=bool, count=len(values))
    encoded = [b"" if v is None else str(v).encode() for v in values.tolist()]
    return Column(kind, np.array(encoded, dtype=bytes), null if null.any() else None)
