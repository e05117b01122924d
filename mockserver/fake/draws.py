"""Deterministic draws: every random value a hash of (seed, salt, path, record id).

`Draws` is what `datagen.Generator`'s compiled rules draw from. A draw for a whole block of
ids is one vectorized hash (splitmix64's finalizer over id * golden ratio + a key of the
seed, the salt and the draw's path), so record i is the same in every process, whatever
the block it is drawn in, and no module keeps random state. Words (names, domains, ...)
come from vocabularies that Faker fills once per seed, provider and locale (in a process,
whichever collection asks first); a record picks one by a draw.
"""

from __future__ import annotations

import functools
import hashlib
import string
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

# Values each vocabulary holds; records draw from them by index.
VOCABULARY_SIZE = 1000
_TURKISH = str.maketrans({"ı": "i", "İ": "i"})
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """An ASCII slug of a name, for emails.

    >>> slug("Ayşe Nur Yılmaz")
    'aysenuryilmaz'
    """
    folded = unicodedata.normalize("NFKD", text.translate(_TURKISH))
    return "".join(ch for ch in folded.lower() if ch in string.ascii_lowercase + string.digits)


@dataclass
class Block:
    """The ids being generated together, and the columns made so far."""

    ids: np.ndarray  # uint64
    locale: np.ndarray  # index into Generator.locales, per row
    values: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a well-spread 64-bit hash of each element."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


class Draws:
    """The draws of one seed and salt (a resource's name), over the given locales' weights."""

    def __init__(self, seed: int, salt: str, locales: dict[str, float]):
        self.seed = seed
        self.salt = salt
        self.locales = list(locales)
        self._locale_cum = np.array(list(accumulate(locales.values())), dtype=float)
        self._vocab: dict[str, np.ndarray] = {}  # provider -> [locale, index] object array

    def block(self, ids: Sequence[int]) -> Block:
        """A block of these ids, each given its locale by a draw."""
        block = Block(ids=np.asarray(ids, dtype=np.int64).astype(np.uint64), locale=None)
        total = self._locale_cum[-1]
        block.locale = np.searchsorted(
            self._locale_cum, self.uniform(block, "locale") * total, side="right"
        ).clip(max=len(self.locales) - 1)
        return block

    def key(self, path: str) -> np.uint64:
        digest = hashlib.blake2b(f"{self.seed}/{self.salt}{path}".encode(), digest_size=8).digest()
        return np.uint64(int.from_bytes(digest, "little"))

    def bits(self, block: Block, path: str) -> np.ndarray:
        with np.errstate(over="ignore"):
            return _mix(block.ids * _GOLDEN + self.key(path))

    def uniform(self, block: Block, path: str) -> np.ndarray:
        """Floats in [0, 1), one per row, from 53 of the hash's bits."""
        return (self.bits(block, path) >> np.uint64(11)).astype(np.float64) * 2.0**-53

    def has_provider(self, provider: str) -> bool:
        return callable(getattr(_faker(self.locales[0]), provider, None))

    def word(self, block: Block, path: str, provider: str) -> np.ndarray:
        """A vocabulary word per row, from the row's locale."""
        vocab = self._vocab.get(provider)
        if vocab is None:
            vocab = self._vocab[provider] = self.vocabulary(provider)
        index = (self.uniform(block, f"{path}/{provider}") * VOCABULARY_SIZE).astype(np.int64)
        return vocab[block.locale, index]

    def vocabulary(self, provider: str) -> np.ndarray:
        words = np.empty((len(self.locales), VOCABULARY_SIZE), dtype=object)
        for n, locale in enumerate(self.locales):
            words[n, :] = vocabulary(self.seed, locale, provider)
        return words


@functools.lru_cache(maxsize=1024)
def vocabulary(seed: int, locale: str, provider: str) -> tuple[str, ...]:
    """A Faker provider's VOCABULARY_SIZE values for a seed and locale.

    They depend on nothing else, so every collection of a spec (a few hundred in the
    largest) shares them, and each is made once per process: Faker is most of the time
    a dataset takes.

    >>> vocabulary(1, "en_US", "last_name") is vocabulary(1, "en_US", "last_name")
    True
    """
    with _FAKER_LOCK:  # one Faker per locale, reseeded for each vocabulary
        fake = _faker(locale)
        fake.seed_instance(f"{seed}:{locale}:{provider}")
        make = getattr(fake, provider)
        return tuple(str(make()) for _ in range(VOCABULARY_SIZE))


@functools.lru_cache(maxsize=64)
def _faker(locale: str):
    # Imported when a vocabulary is first made: a start from the dataset cache generates
    # nothing and need not pay for Faker's import.
    from faker import Faker

    return Faker(locale)


_FAKER_LOCK = threading.Lock()
