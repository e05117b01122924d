"""The same seed gives the same bytes in every process; the dataset cache changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from helpers_api import ROOT, assert_same_dataset, cli_env

from mockserver import state
from mockserver.contract import fixtures as fixtures_module
from mockserver.contract import packaged
from mockserver.contract.spec import Spec
from mockserver.engine import cache, store


def _export_all(*runs: tuple[str, ...]) -> list[bytes]:
    """`python -m mockserver export ARGS --cache-dir ""` for each run, in parallel processes."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "mockserver", "export", *args, "--cache-dir", ""],
            cwd=ROOT,
            env=cli_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for args in runs
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr.decode()
        outputs.append(stdout)
    return outputs


@pytest.fixture(scope="module")
def exports() -> dict[str, bytes]:
    runs = {
        "seed 7, 300 users": ("--seed", "7", "--users", "300"),
        "seed 7, 300 users again": ("--seed", "7", "--users", "300"),
        "seed 8, 300 users": ("--seed", "8", "--users", "300"),
        "seed 7, 100 users": ("--seed", "7", "--users", "100"),
    }
    return dict(zip(runs, _export_all(*runs.values()), strict=True))


def test_two_processes_give_identical_bytes(exports):
    first, second = exports["seed 7, 300 users"], exports["seed 7, 300 users again"]
    assert len(json.loads(first)) == 300
    assert first == second


def test_another_seed_gives_other_bytes(exports):
    assert exports["seed 8, 300 users"] != exports["seed 7, 300 users"]
    seven = json.loads(exports["seed 7, 300 users"])
    eight = json.loads(exports["seed 8, 300 users"])
    generated = [i for i in range(300) if i + 1 > 5]  # beyond the personas
    assert sum(seven[i] != eight[i] for i in generated) == len(generated)


def test_fewer_users_are_a_prefix_of_more(exports):
    small = json.loads(exports["seed 7, 100 users"])
    large = json.loads(exports["seed 7, 300 users"])
    assert [r["id"] for r in small] == list(range(1, 101))
    assert small == large[:100]
    # Byte for byte too: the small export is the large one cut after record 100.
    large_bytes = exports["seed 7, 300 users"]
    assert large_bytes.startswith(exports["seed 7, 100 users"][:-1] + b",")


# -- the on-disk cache -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def users_spec() -> Spec:
    return Spec.load(packaged.spec_path())


@pytest.fixture(scope="module")
def shipped(users_spec) -> fixtures_module.Fixtures:
    return fixtures_module.load(packaged.fixtures_dir(), users_spec)


def _build(spec, fixtures, seed: int, users: int, cache_dir) -> store.Dataset:
    """The /users/ dataset of `users` records, as the server builds it."""
    return state.build_dataset(spec, fixtures, "/users/", seed, users, cache_dir=cache_dir)


def _key(spec, fixtures, seed: int, users: int) -> str:
    """The cache entry name of that dataset."""
    return cache.key(spec, fixtures, seed, users, "/users/", state.sizes_of(spec, users))


def test_cache_gives_the_bytes_of_a_fresh_build(tmp_path, users_spec, shipped, monkeypatch):
    fresh = _build(users_spec, shipped, 7, 120, cache_dir=None)
    first = _build(users_spec, shipped, 7, 120, cache_dir=tmp_path)
    key = _key(users_spec, shipped, 7, 120)
    assert (tmp_path / key / "columns.json").exists()

    def no_generation(*args, **kwargs):
        raise AssertionError("the second build should come from the cache")

    monkeypatch.setattr(store, "_build_chunk", no_generation)
    cached = _build(users_spec, shipped, 7, 120, cache_dir=tmp_path)
    assert_same_dataset(fresh, first)
    assert_same_dataset(fresh, cached)
    assert [cached.record(r) for r in range(len(cached))] == [
        fresh.record(r) for r in range(len(fresh))
    ]


def test_cache_key_follows_seed_users_and_fixtures(tmp_path, users_spec, shipped):
    base = _key(users_spec, shipped, 7, 120)
    assert _key(users_spec, shipped, 7, 120) == base
    assert _key(users_spec, shipped, 8, 120) != base
    assert _key(users_spec, shipped, 7, 121) != base
    sizes = state.sizes_of(users_spec, 120)
    assert cache.key(users_spec, shipped, 7, 120, "/groups/", sizes) != base  # another resource
    assert cache.key(users_spec, shipped, 7, 120, "/users/", {**sizes, "/x/": 1}) != base

    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    copied = fixtures_module.load(directory, users_spec)
    assert _key(users_spec, copied, 7, 120) == base  # same bytes, same key
    personas = directory / "personas.yaml"
    personas.write_text(
        personas.read_text(encoding="utf-8").replace("first_name: Jane", "first_name: Janet"),
        encoding="utf-8",
    )
    edited = fixtures_module.load(directory, users_spec)
    assert _key(users_spec, edited, 7, 120) != base


def test_a_changed_fixture_is_not_served_from_the_cache(tmp_path, users_spec):
    directory = tmp_path / "fixtures"
    shutil.copytree(packaged.fixtures_dir(), directory)
    cache = tmp_path / "cache"
    before = _build(users_spec, fixtures_module.load(directory, users_spec), 7, 10, cache)
    personas = directory / "personas.yaml"
    personas.write_text(
        personas.read_text(encoding="utf-8").replace("first_name: Jane", "first_name: Janet"),
        encoding="utf-8",
    )
    after = _build(users_spec, fixtures_module.load(directory, users_spec), 7, 10, cache)
    assert json.loads(before.record(4))["first_name"] == "Jane"
    assert json.loads(after.record(4))["first_name"] == "Janet"
    assert len(list(cache.iterdir())) == 2
    assert before.record(5) == after.record(5)  # generated users do not depend on personas
