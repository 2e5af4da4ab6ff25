"""The per-text embedding cache."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from embedding_space.embed.cache import EmbeddingCache, hash_text


def test_vectors_come_back_exactly_and_per_model(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    hashes = [hash_text(text) for text in ("a", "b", "c")]
    cache.put_many("model-1", hashes, vectors)
    found = cache.get_many("model-1", [*hashes, hash_text("missing")])
    assert set(found) == set(hashes)
    for text_hash, vector in zip(hashes, vectors, strict=True):
        np.testing.assert_array_equal(found[text_hash], vector)
    assert cache.get_many("model-2", hashes) == {}
    assert cache.count("model-1") == 3 and cache.count() == 3


def test_more_lookups_than_sqlite_allows_in_one_query(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    hashes = [hash_text(str(i)) for i in range(2500)]
    cache.put_many("m", hashes, np.ones((2500, 2), np.float32))
    assert len(cache.get_many("m", hashes)) == 2500


def test_the_same_text_hashes_the_same_and_differs_from_others() -> None:
    assert hash_text("café") == hash_text("café")
    assert hash_text("café") != hash_text("cafe")
    assert hash_text("\ud800 lone surrogate")  # text from a broken file still gets a key


def test_threads_can_write_at_once(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)

    def write(start: int) -> None:
        hashes = [hash_text(f"{start}-{i}") for i in range(50)]
        cache.put_many("m", hashes, np.full((50, 3), start, np.float32))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.count("m") == 400
