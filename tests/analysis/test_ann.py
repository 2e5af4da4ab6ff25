"""The approximate kNN graph for large datasets: the exact graph's shape, nearly its rows."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis import ann
from embedding_space.analysis.neighbors import KnnGraph, knn_graph
from embedding_space.types import FloatMatrix


def _blobs(count: int = 3000) -> np.ndarray:
    rng = np.random.default_rng(4)
    centres = rng.normal(size=(30, 24))
    points = centres[rng.integers(0, 30, count)] + rng.normal(scale=0.4, size=(count, 24))
    return points.astype(np.float32)


# pynndescent compiles its numba kernels on first use: about 30 s, whatever the input size.
@pytest.mark.slow
def test_the_approximate_graph_finds_nearly_every_exact_neighbour_in_the_same_shape() -> None:
    vectors = _blobs()
    exact = knn_graph(vectors, n_neighbors=10)
    approximate = ann.approximate_knn_graph(vectors, n_neighbors=10)
    assert approximate.indices.shape == exact.indices.shape == (3000, 11)
    assert (approximate.indices[:, 0] == np.arange(3000)).all(), "each row first, as UMAP wants"
    assert (np.diff(approximate.distances, axis=1) >= -1e-6).all(), "nearest first"
    assert ann.recall(approximate.neighbor_ids(10), exact.neighbor_ids(10)) > 0.95
    again = ann.approximate_knn_graph(vectors, n_neighbors=10)
    assert (again.indices == approximate.indices).all(), "the same seed, the same graph"


def test_the_size_of_a_dataset_decides_which_graph_it_gets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vectors = _blobs(200)
    assert (ann.neighbor_graph(vectors, 5).indices == knn_graph(vectors, 5).indices).all()
    calls: list[int] = []

    def exact_instead(points: FloatMatrix, n_neighbors: int) -> KnnGraph:
        calls.append(len(points))
        return knn_graph(points, n_neighbors)

    monkeypatch.setattr(ann, "EXACT_UP_TO", 100)
    monkeypatch.setattr(ann, "approximate_knn_graph", exact_instead)
    ann.neighbor_graph(vectors, 5)
    assert calls == [200]
