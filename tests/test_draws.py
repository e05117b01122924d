"""Draws: every value a hash of (seed, salt, path, id), the same whatever block it is in."""

from __future__ import annotations

import numpy as np
import pytest

from mockserver.fake.draws import VOCABULARY_SIZE, Draws


@pytest.fixture(scope="module")
def draws() -> Draws:
    return Draws(42, "users", {"tr_TR": 0.65, "en_US": 0.35})


def test_a_record_draws_the_same_value_in_any_block(draws):
    alone = [draws.uniform(draws.block([i]), "email")[0] for i in (1, 7, 999)]
    together = draws.uniform(draws.block([999, 1, 500, 7]), "email")
    assert [together[1], together[3], together[0]] == alone


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(Draws(43, "users", {"en_US": 1.0}), id="another seed"),
        pytest.param(Draws(42, "products", {"en_US": 1.0}), id="another resource"),
    ],
)
def test_seed_and_salt_each_change_every_draw(draws, other):
    ids = list(range(1, 201))
    mine = draws.uniform(draws.block(ids), "name")
    theirs = other.uniform(other.block(ids), "name")
    assert not np.any(mine == theirs)


def test_paths_are_independent_and_uniform(draws):
    block = draws.block(range(1, 20_001))
    first, second = draws.uniform(block, "a"), draws.uniform(block, "b")
    assert first.min() >= 0 and first.max() < 1
    assert abs(first.mean() - 0.5) < 0.01 and abs(np.corrcoef(first, second)[0, 1]) < 0.03


def test_locales_follow_their_weights(draws):
    block = draws.block(range(1, 20_001))
    turkish = np.mean(block.locale == draws.locales.index("tr_TR"))
    assert abs(turkish - 0.65) < 0.02


def test_words_come_from_the_row_locale_vocabulary(draws):
    block = draws.block(range(1, 301))
    words = draws.word(block, "last_name", "last_name")
    vocabulary = draws.vocabulary("last_name")
    assert vocabulary.shape == (2, VOCABULARY_SIZE)
    for row, word in enumerate(words):
        assert word in set(vocabulary[block.locale[row]])
    assert draws.has_provider("last_name") and not draws.has_provider("no_such_provider")
