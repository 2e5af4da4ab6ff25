"""Derived results are computed once, stored whole, and recomputed when the file is damaged."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from embedding_space.analysis.neighbors import KnnGraph, knn_graph
from embedding_space.store.artifacts import load_or_compute

VECTORS = np.random.default_rng(3).normal(size=(30, 8)).astype(np.float32)


def test_a_result_is_computed_once_then_read_back_equal(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> KnnGraph:
        calls.append(1)
        return knn_graph(VECTORS, n_neighbors=5)

    path = tmp_path / "knn" / "graph.npz"
    first = load_or_compute(path, KnnGraph, compute)
    again = load_or_compute(path, KnnGraph, compute)
    assert len(calls) == 1
    np.testing.assert_array_equal(first.indices, again.indices)
    np.testing.assert_array_equal(first.distances, again.distances)
    assert again.metric == "cosine" and again.n_neighbors == 5
    assert [p.name for p in path.parent.iterdir()] == ["graph.npz"], "no temporary file left"


def test_a_damaged_file_is_computed_again_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "graph.npz"
    path.write_bytes(b"PK\x03\x04 cut short")
    graph = load_or_compute(path, KnnGraph, lambda: knn_graph(VECTORS, n_neighbors=3))
    assert graph.n_neighbors == 3
    assert (
        load_or_compute(path, KnnGraph, lambda: knn_graph(VECTORS, n_neighbors=9)).n_neighbors == 3
    )
