"""The dataset cache: damaged entries never served but rebuilt and replaced, no leaked disk."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import numpy as np
import pytest
from helpers_api import assert_same_dataset, run_cli
from helpers_server import MockServer

from mockserver import state
from mockserver.engine import cache, store
from mockserver.http import server
from mockserver.settings import Settings

TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
SEED, USERS = 42, 300  # conftest's `dataset`: the fresh build every load is compared with


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _extend(path: Path) -> None:
    with path.open("ab") as stream:
        stream.write(b"\0" * 16)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x10
    path.write_bytes(bytes(data))


def _delete(path: Path) -> None:
    path.unlink()


DAMAGE = {"truncated": _truncate, "extended": _extend, "one bit flipped": _flip, "deleted": _delete}
FILES = ["records.bin", "offsets.npy", "v.email.npy", "n.date_of_birth.npy", "columns.json"]
CASES = [(f, how) for f in FILES for how in DAMAGE] + [
    ("manifest.json", "truncated"),
    ("manifest.json", "one bit flipped"),
    ("manifest.json", "deleted"),
]


def _build(spec, fixtures, directory: Path, users: int = USERS, **options) -> store.Dataset:
    return state.build_dataset(
        spec, fixtures, "/users/", SEED, users, cache_dir=directory, **options
    )


def _key(spec, fixtures, users: int = USERS) -> str:
    """The cache entry name of the /users/ dataset of `users` records."""
    return cache.key(spec, fixtures, SEED, users, "/users/", state.sizes_of(spec, users))


def _entry(spec, fixtures, directory: Path, users: int = USERS) -> Path:
    return directory / _key(spec, fixtures, users)


def _assert_valid(entry: Path, fresh: store.Dataset) -> None:
    assert_same_dataset(store.Dataset.from_files(cache.read_entry(entry)), fresh)


def _no_generation(*args, **kwargs):
    raise AssertionError("this build should come from the cache")


def test_an_entry_gives_the_bytes_of_a_fresh_build(tmp_path, spec, fixtures, dataset, monkeypatch):
    assert_same_dataset(_build(spec, fixtures, tmp_path), dataset)
    entry = _entry(spec, fixtures, tmp_path)
    manifest = json.loads((entry / cache.MANIFEST).read_bytes())
    assert set(manifest["files"]) == {p.name for p in entry.iterdir()} - {cache.MANIFEST}
    monkeypatch.setattr(store, "_build_chunk", _no_generation)
    assert_same_dataset(_build(spec, fixtures, tmp_path), dataset)


@pytest.mark.parametrize(("name", "how"), CASES, ids=[f"{f} {how}" for f, how in CASES])
def test_a_damaged_entry_is_reported_rebuilt_and_replaced(
    tmp_path, spec, fixtures, dataset, capsys, name, how
):
    _build(spec, fixtures, tmp_path)
    entry = _entry(spec, fixtures, tmp_path)
    DAMAGE[how](entry / name)
    capsys.readouterr()

    assert_same_dataset(_build(spec, fixtures, tmp_path), dataset)

    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    assert re.fullmatch(
        rf"mockserver: dataset cache {re.escape(str(entry))}: {re.escape(name)} is damaged "
        r"\(.+\); rebuilding",
        lines[0],
    ), lines[0]
    _assert_valid(entry, dataset)
    assert [p.name for p in tmp_path.iterdir()] == [entry.name]


def test_files_of_many_blocks_are_checked_block_by_block(
    tmp_path, spec, fixtures, dataset, capsys, monkeypatch
):
    monkeypatch.setattr(cache, "BLOCK", 4096)  # records.bin is 58 blocks, an .npy 1 to 4
    _build(spec, fixtures, tmp_path)
    entry = _entry(spec, fixtures, tmp_path)
    manifest = json.loads((entry / cache.MANIFEST).read_bytes())["files"]
    assert len(manifest["records.bin"]["sha256"]) == -(-len(dataset.blob) // 4096)
    _assert_valid(entry, dataset)
    records = entry / "records.bin"
    data = bytearray(records.read_bytes())
    data[-1] ^= 0x01  # the last byte of the last block
    records.write_bytes(bytes(data))
    assert_same_dataset(_build(spec, fixtures, tmp_path), dataset)
    assert "records.bin is damaged (checksum mismatch); rebuilding" in capsys.readouterr().err
    _assert_valid(entry, dataset)


def test_a_failed_write_removes_its_temp_dir_and_says_so(
    tmp_path, spec, fixtures, capsys, monkeypatch
):
    writes = []

    def disk_full(stream, part):
        if len(writes) == 3:  # some files are written, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        writes.append(len(part))
        stream.write(part)

    monkeypatch.setattr(cache, "_write_part", disk_full)
    _build(spec, fixtures, tmp_path)
    assert list(tmp_path.iterdir()) == []
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1, lines
    entry = _entry(spec, fixtures, tmp_path)
    assert lines[0] == (
        f"mockserver: dataset cache {entry} not written: [Errno 28] No space left on device"
    )


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def test_temp_dirs_of_dead_writers_are_removed_and_live_ones_kept(
    tmp_path, spec, fixtures, dataset
):
    name = _key(spec, fixtures)
    dead = tmp_path / f"{name}.tmp{_dead_pid()}.140000"
    live = tmp_path / f"{name}.tmp{os.getpid()}.1"  # another thread of this process, writing
    for temp in (dead, live):
        temp.mkdir()
        (temp / "records.bin").write_bytes(b"x" * 1000)
    unrelated = tmp_path / "notes.tmp1.1"  # not the cache's: never touched
    unrelated.mkdir()
    assert_same_dataset(_build(spec, fixtures, tmp_path), dataset)
    assert not dead.exists()
    assert live.exists()
    assert unrelated.exists()


def _entry_size(entry: Path) -> int:
    return sum(p.stat().st_size for p in entry.iterdir())


@pytest.mark.parametrize(
    ("cap", "kept"),
    [
        pytest.param(lambda entry: entry * 5 // 2, {"a", "c"}, id="2.5 entries: b, the LRU, goes"),
        pytest.param(lambda entry: 1, {"c"}, id="1 byte: only the one just written stays"),
        pytest.param(lambda entry: 0, {"a", "b", "c"}, id="0: no cap"),
    ],
)
def test_the_cap_removes_least_recently_used_entries(tmp_path, spec, fixtures, cap, kept):
    entries = {}
    for label, users in (("a", 301), ("b", 302)):
        _build(spec, fixtures, tmp_path, users)
        entries[label] = _entry(spec, fixtures, tmp_path, users)
    # Written long ago, a before b; then a is loaded again, which marks it used now.
    os.utime(entries["a"] / cache.MANIFEST, (1_000_000, 1_000_000))
    os.utime(entries["b"] / cache.MANIFEST, (2_000_000, 2_000_000))
    max_bytes = cap(_entry_size(entries["a"]))
    _build(spec, fixtures, tmp_path, 301, cache_max=max_bytes)
    _build(spec, fixtures, tmp_path, 303, cache_max=max_bytes)
    entries["c"] = _entry(spec, fixtures, tmp_path, 303)
    assert {label for label, path in entries.items() if path.exists()} == kept
    assert len(list(tmp_path.iterdir())) == len(kept)


def test_a_read_only_cache_never_writes_removes_nor_evicts(tmp_path, spec, fixtures, dataset):
    read_only = {"read_only": True, "cache_max": 1}
    assert_same_dataset(_build(spec, fixtures, tmp_path, **read_only), dataset)
    assert list(tmp_path.iterdir()) == []  # nothing written

    _build(spec, fixtures, tmp_path, 301)
    _build(spec, fixtures, tmp_path)
    entry, other = _entry(spec, fixtures, tmp_path), _entry(spec, fixtures, tmp_path, 301)
    stale = tmp_path / f"{entry.name}.tmp{_dead_pid()}.1"
    stale.mkdir()
    assert_same_dataset(_build(spec, fixtures, tmp_path, **read_only), dataset)
    assert other.exists() and stale.exists()  # nothing evicted, nothing cleaned

    _truncate(entry / "records.bin")
    assert_same_dataset(_build(spec, fixtures, tmp_path, **read_only), dataset)
    assert (entry / "records.bin").stat().st_size < len(dataset.blob)  # left for its writer


def test_worker_processes_load_the_cache_read_only(tmp_path, monkeypatch):
    """`--workers N`: the parent wrote the entry; a worker that finds none does not write."""
    settings = Settings(users=USERS, cache_dir=str(tmp_path), access_log=False, workers=2)
    monkeypatch.setenv(server.SETTINGS_ENV, settings.to_json())
    server.worker_app()
    assert list(tmp_path.iterdir()) == []


def test_a_process_that_ends_while_writing_in_the_background_finishes_the_entry(
    tmp_path, spec, fixtures, dataset
):
    """`export` builds as `serve` does, the write in the background, and exits at once: the
    write ends first, leaving a whole entry and no temp dir."""
    for run in range(3):  # the exit used to win the race most times, not every time
        directory = tmp_path / str(run)
        result = run_cli("export", "--users", str(USERS), "--cache-dir", str(directory))
        assert result.returncode == 0, result.stderr
        entry = _entry(spec, fixtures, directory)
        # Beside the entry, `validated/` remembers that the spec was found valid, and
        # `parsed/` the parsed spec.
        assert sorted(p.name for p in directory.iterdir()) == sorted(
            [entry.name, "parsed", "validated"]
        )
        _assert_valid(entry, dataset)


def test_two_writers_of_one_entry_leave_one_valid_entry(tmp_path, spec, fixtures, dataset):
    store_cache = cache.Cache(tmp_path)
    name = _key(spec, fixtures)
    writers = [
        threading.Thread(target=store_cache.save, args=(name, dataset.files())) for _ in range(4)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert [p.name for p in tmp_path.iterdir()] == [name]
    _assert_valid(tmp_path / name, dataset)


@pytest.mark.slow
def test_a_server_never_serves_a_truncated_entry(tmp_path, spec, fixtures, dataset):
    _build(spec, fixtures, tmp_path)
    entry = _entry(spec, fixtures, tmp_path)
    _truncate(entry / "records.bin")
    mock = MockServer("--users", str(USERS), "--no-access-log", cache_dir=str(tmp_path)).wait()
    try:
        headers = {"Authorization": f"Token {TOKEN}"}
        with httpx.Client(base_url=mock.base, headers=headers, timeout=10) as client:
            detail = client.get("/users/123/")
            assert detail.status_code == 200
            assert detail.content == dataset.record(dataset.row_of(123))
            seen = []
            for page in (1, 2, 3):
                answer = client.get(f"/users/?limit=100&page={page}")
                assert answer.status_code == 200
                seen += [user["id"] for user in json.loads(answer.content)["results"]]
            assert seen == dataset.ids.tolist()
    finally:
        mock.stop()
    assert f"mockserver: dataset cache {entry}: records.bin is damaged" in mock.output


def test_a_start_over_hundreds_of_small_entries_reads_each_once(tmp_path, monkeypatch):
    """A spec of many collections loads as many entries: the directory is cleaned of dead
    writers' temps and trimmed to its cap once per process, not once per entry."""
    store_cache = cache.Cache(tmp_path / "c", max_bytes=10**9)
    scans = []
    children = cache._children
    monkeypatch.setattr(cache, "_children", lambda d: scans.append(d) or children(d))
    files = {"records.bin": b"{}", "ids.npy": np.zeros(1, np.int64)}
    for n in range(30):
        store_cache.save(f"{n:024x}", files)
    scans.clear()
    for n in range(30):
        assert store_cache.load(f"{n:024x}", lambda loaded: loaded) is not None
    assert len(scans) <= 2  # one cleaning, one trim
