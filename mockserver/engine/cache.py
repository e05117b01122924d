"""The on-disk dataset cache: entries written whole, checked when loaded, kept under a size cap.

An entry is a directory named by `key(...)` holding a dataset's files (numpy arrays as `.npy`,
anything else as bytes) and `manifest.json`, written last, with each file's length and the
SHA-256 of each 64 MiB block of it. Every load checks every file against the manifest, so a
truncated, extended or bit-flipped file is never served: the entry is reported in one line,
removed, and the caller rebuilds and writes it again.

Writes go to `KEY.tmp<pid>.<thread>` and are renamed into place, so an entry appears whole or
not at all and one of two writers of the same key wins. A temp directory left by a process
that died is removed by the next load; a write that fails removes its own at once. After a
write or a load, the least recently used entries (a load touches the manifest) are removed
until the cache is under its cap. A read-only cache (the worker processes of `--workers N`,
whose parent writes) only loads: it never writes, removes, evicts nor touches.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import orjson

from mockserver import __version__

MANIFEST = "manifest.json"
# The layout and generation of entries: another value makes every older entry unused (3:
# a discriminator's implicit mapping draws GeoJSON geometries by their `type`; 4: a spec's
# example that is no UUID for a `format: uuid` is replaced, as any invalid example is).
_FORMAT = b"resources-4"
# Blocks are hashed on all cores while the next files are read (hashlib lets go of the GIL
# on big buffers), so checking a million users' 1 GB costs a fraction of a second.
BLOCK = 64 * 2**20
_ENTRY = re.compile(r"[0-9a-f]{24}\Z")
_TEMP = re.compile(r"[0-9a-f]{24}\.tmp([0-9]{1,10})\.[0-9]+\Z")
T = TypeVar("T")


def key(spec, fixtures, seed: int, size: int, path: str = "", sizes=None) -> str:
    """The entry of a resource's dataset: any change to the version, spec, fixtures, seed,
    resource or counts (its own, and those of the collections it relates to) gives another
    key."""
    digest = hashlib.sha256()
    for part in (
        __version__.encode(),
        _FORMAT,
        *spec.digest_parts,
        *fixtures.digest_parts,
        f"{seed}:{size}:{path}:{sorted((sizes or {}).items())}".encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:24]


class Damaged(Exception):
    """An entry that must not be served: `file` is missing, of the wrong length or changed."""

    def __init__(self, file: str, why: str):
        super().__init__(f"{file} is damaged ({' '.join(why.split())})")  # on one line


@dataclass(frozen=True)
class Cache:
    directory: Path
    max_bytes: int = 0  # 0: no cap
    read_only: bool = False

    def load(self, name: str, decode: Callable[[dict], T]) -> T | None:
        """`decode(files)` of entry `name`, every file checked first; None when absent or
        damaged (then reported, and removed unless read-only)."""
        if not self.read_only and self.directory not in _CLEANED:
            _CLEANED.add(self.directory)  # once per directory and process
            self.remove_stale_temps()
        entry = self.directory / name
        if not entry.exists():
            return None
        try:
            loaded = decode(read_entry(entry))
        except Damaged as exc:
            self._discard(entry, str(exc))
            return None
        except (KeyError, ValueError) as exc:  # checked bytes that do not make a dataset
            self._discard(entry, f"its files do not make a dataset ({exc!r})")
            return None
        if not self.read_only:
            with contextlib.suppress(OSError):  # its mtime says when the entry was last used
                os.utime(entry / MANIFEST)
            # A load adds no bytes: one pass per directory and process trims a cap lowered
            # since the last run (a spec of 300 collections loads 300 entries at a start).
            if self.directory not in _TRIMMED:
                _TRIMMED.add(self.directory)
                self.evict(keep=name)
        return loaded

    def save(self, name: str, files: dict) -> None:
        """Write entry `name` whole, or report in one line why not and leave nothing behind."""
        if self.read_only:
            return
        entry = self.directory / name
        tmp = entry.with_name(f"{name}.tmp{os.getpid()}.{threading.get_ident()}")
        try:
            try:
                shutil.rmtree(tmp, ignore_errors=True)  # a dead process's, whose pid we have
                tmp.mkdir(parents=True)
                write_entry(tmp, files)
            except OSError as exc:  # a full disk, say
                _report(f"{entry} not written: {exc}")
                return
            try:
                tmp.rename(entry)  # atomic: the entry appears whole or not at all
            except OSError as exc:
                if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    _report(f"{entry} not written: {exc}")
                return  # else another process wrote the same entry first
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # renamed away, or never left behind
        self.evict(keep=name)

    def remove_stale_temps(self) -> None:
        """Remove the temp directories of writers that are no longer running."""
        removed = 0
        for path in _children(self.directory):
            found = _TEMP.match(path.name)
            if found and not _alive(int(found[1])):
                removed += _size(path)
                shutil.rmtree(path, ignore_errors=True)
        if removed:
            _report(f"{self.directory}: removed unfinished writes ({removed:,} bytes)")

    def evict(self, keep: str) -> None:
        """Remove the least recently used entries, never `keep`, until under `max_bytes`."""
        if not self.max_bytes:
            return
        entries = [path for path in _children(self.directory) if _ENTRY.match(path.name)]
        sizes = {path: _entry_size(path) for path in entries}
        total = sum(sizes.values())
        removed = 0
        for path in sorted(entries, key=_last_used):
            if total <= self.max_bytes:
                break
            if path.name != keep:
                shutil.rmtree(path, ignore_errors=True)
                _SIZES.pop(path, None)
                total -= sizes[path]
                removed += 1
        if removed:
            _report(
                f"{self.directory}: removed {removed} least recently used entries "
                f"to stay under {self.max_bytes:,} bytes"
            )

    def _discard(self, entry: Path, problem: str) -> None:
        _report(f"{entry}: {problem}; rebuilding")
        _SIZES.pop(entry, None)
        if not self.read_only:
            shutil.rmtree(entry, ignore_errors=True)


# -- the files of an entry ------------------------------------------------------------------


def write_entry(directory: Path, files: dict) -> None:
    """Each file, then the manifest of their lengths and block digests."""
    listed = {}
    for name, content in files.items():
        with open(directory / name, "wb") as stream:
            writer = _HashingWriter(stream)
            if isinstance(content, np.ndarray):
                np.lib.format.write_array(writer, content, allow_pickle=False)
            else:
                writer.write(content)
            listed[name] = writer.finish()
    _write(directory / MANIFEST, _manifest(listed))


def read_entry(directory: Path) -> dict:
    """Every file the manifest lists, checked: `.npy` as arrays, the rest as bytes."""
    try:
        manifest = orjson.loads((directory / MANIFEST).read_bytes())
        listed = manifest["files"]
        if manifest != orjson.loads(_manifest(listed)):
            raise ValueError("its own checksum does not match")
        sizes = {name: int(item["size"]) for name, item in listed.items()}
        if any("/" in name or name.startswith(".") for name in sizes):
            raise ValueError("a file outside the entry")
    except FileNotFoundError:
        raise Damaged(MANIFEST, "missing") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Damaged(MANIFEST, str(exc) or type(exc).__name__) from None
    for name, size in sizes.items():  # lengths first: a truncated entry costs no reading
        try:
            actual = (directory / name).stat().st_size
        except FileNotFoundError:
            raise Damaged(name, "missing") from None
        if actual != size:
            raise Damaged(name, f"{actual:,} bytes, {size:,} expected")
    # The biggest first, so that its blocks are hashed on the other cores while the rest is
    # read; a digest is compared once every file is read.
    data, hashing = {}, []
    if sum(sizes.values()) <= BLOCK:
        # A small entry (a spec of many small collections has hundreds): hashed here, as
        # starting threads would cost more than the hashing.
        for name in sizes:
            data[name] = _read(directory / name, sizes[name], name.endswith(".npy"))
            view = memoryview(data[name])
            digests = [_sha256(view[at : at + BLOCK]) for at in range(0, sizes[name], BLOCK)]
            if digests != listed[name]["sha256"]:
                raise Damaged(name, "checksum mismatch")
        return _decoded(listed, data)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        try:
            for name in sorted(sizes, key=sizes.get, reverse=True):
                data[name] = _read(directory / name, sizes[name], name.endswith(".npy"))
                view = memoryview(data[name])
                blocks = [view[at : at + BLOCK] for at in range(0, sizes[name], BLOCK)]
                hashing.append((name, [pool.submit(_sha256, block) for block in blocks]))
            for name, digests in hashing:
                if [digest.result() for digest in digests] != listed[name]["sha256"]:
                    raise Damaged(name, "checksum mismatch")
        finally:
            for _, digests in hashing:
                for digest in digests:
                    digest.cancel()
    return _decoded(listed, data)


def _decoded(listed: dict, data: dict) -> dict:
    """The checked files: `.npy` as arrays, the rest as bytes."""
    files = {}
    for name in listed:
        try:
            files[name] = _array(data[name]) if name.endswith(".npy") else data[name]
        except ValueError as exc:  # checked, so written so by a broken writer
            raise Damaged(name, str(exc)) from None
    return files


def _read(path: Path, size: int, writable: bool) -> bytes | bytearray:
    """The file's `size` bytes: a bytearray when arrays over it must be writable, as built
    ones are; else bytes, which spares zeroing a million users' records before reading."""
    try:
        with open(path, "rb") as stream:  # buffered: its read(size) reads until size or EOF
            if writable:
                data = bytearray(size)
                view, done = memoryview(data), 0
                while done < size and (count := stream.readinto(view[done:])):
                    done += count
            else:
                data = stream.read(size)
                done = len(data)
            longer = stream.read(1)
    except OSError as exc:
        raise Damaged(path.name, str(exc)) from None
    if done != size or longer:  # changed since its length was checked
        raise Damaged(path.name, f"{'longer' if longer else 'shorter'} than {size:,} bytes")
    return data


def _array(data: bytearray) -> np.ndarray:
    """A `.npy` file's array over `data` itself: no copy of a million users' columns."""
    head = io.BytesIO(bytes(data[:65536]))
    version = np.lib.format.read_magic(head)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(head)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(head)
    else:  # 3.0 is for field names in UTF-8, which no column has
        raise ValueError(f".npy format {version} is not written here")
    if dtype.hasobject:
        raise ValueError("an array of Python objects")
    count = int(np.prod(shape, dtype=np.int64))
    array = np.frombuffer(data, dtype=dtype, count=count, offset=head.tell())
    return array.reshape(shape, order="F" if fortran else "C")


class _HashingWriter:
    """A file that keeps the SHA-256 of each BLOCK written through it."""

    def __init__(self, stream):
        self.stream = stream
        self.size = 0
        self.digests: list[str] = []
        self.block = hashlib.sha256()

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        while len(view):
            room = BLOCK - self.size % BLOCK
            part, view = view[:room], view[room:]
            _write_part(self.stream, part)
            self.block.update(part)
            self.size += len(part)
            if self.size % BLOCK == 0:
                self.digests.append(self.block.hexdigest())
                self.block = hashlib.sha256()
        return len(data)

    def finish(self) -> dict:
        if self.size % BLOCK:
            self.digests.append(self.block.hexdigest())
        return {"size": self.size, "sha256": self.digests}


def _manifest(listed: dict) -> bytes:
    """The manifest, with a checksum of itself: a changed digest is the manifest's damage."""
    body = orjson.dumps(listed, option=orjson.OPT_SORT_KEYS)
    check = hashlib.sha256(body).hexdigest()
    return orjson.dumps({"files": listed, "check": check}, option=orjson.OPT_SORT_KEYS)


def _sha256(block) -> str:
    return hashlib.sha256(block).hexdigest()


def _write_part(stream, part) -> None:
    """One write; a test replaces it to fill the disk."""
    stream.write(part)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as stream:
        _write_part(stream, data)


# -- the cache directory --------------------------------------------------------------------


def _children(directory: Path) -> list[Path]:
    try:
        return [Path(entry.path) for entry in os.scandir(directory) if entry.is_dir()]
    except OSError:
        return []


def _size(directory: Path) -> int:
    total = 0
    for root, _dirs, names in os.walk(directory):
        for name in names:
            with contextlib.suppress(OSError):  # removed meanwhile by another process
                total += os.lstat(os.path.join(root, name)).st_size
    return total


_TRIMMED: set[Path] = set()  # cache directories trimmed on a load, in this process
_CLEANED: set[Path] = set()  # cache directories cleaned of dead writers' temps, likewise
_SIZES: dict[Path, int] = {}  # entries' sizes: an entry's files never change once written


def _entry_size(entry: Path) -> int:
    found = _SIZES.get(entry)
    if found is None:
        found = _SIZES[entry] = _size(entry)
        if len(_SIZES) > 100_000:
            _SIZES.clear()
    return found


def _last_used(entry: Path) -> float:
    for path in (entry / MANIFEST, entry):  # an entry without a manifest is damaged anyway
        try:
            return path.stat().st_mtime
        except OSError:
            pass
    return 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's process, or no pid at all: keep it
        return True
    return True


def _report(line: str) -> None:
    print(f"mockserver: dataset cache {line}", file=sys.stderr, flush=True)
