"""Neighbours at scale: an approximate kNN graph for datasets too large for the exact one.

The exact graph compares every row with every other (about a minute at 100k rows, and it
grows with the square); above :data:`EXACT_UP_TO` rows the graph comes from pynndescent's
nearest-neighbour descent instead (the index umap-learn itself builds), in the same
:class:`~embedding_space.analysis.neighbors.KnnGraph` shape, so UMAP, neighbour lists,
exports, outliers and duplicates use it unchanged. Its recall against the exact graph is
measured by ``make bench``.
"""

from __future__ import annotations

import numpy as np

from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS, KnnGraph, knn_graph
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix, IdMatrix

__all__ = ["EXACT_UP_TO", "approximate_knn_graph", "neighbor_graph", "recall"]

EXACT_UP_TO = 20_000
"""Datasets up to this many rows get the exact graph."""


def approximate_knn_graph(
    vectors: FloatMatrix, n_neighbors: int = GRAPH_NEIGHBORS, *, random_state: int = 42
) -> KnnGraph:
    """A cosine kNN graph by nearest-neighbour descent (pynndescent).

    Args:
        vectors: Array of shape ``(n, d)``.
        n_neighbors: Neighbours per row, the row itself not counted.
        random_state: The descent's seed: the same seed gives the same graph.

    Raises:
        InputError: ``n_neighbors`` below 1.
    """
    from pynndescent import NNDescent

    if n_neighbors < 1:
        raise InputError(f"n_neighbors must be at least 1, not {n_neighbors}.")
    count = len(vectors)
    columns = min(n_neighbors + 1, count)
    index = NNDescent(
        np.ascontiguousarray(vectors, dtype=np.float32),
        metric="cosine",
        n_neighbors=max(columns, 2),
        random_state=random_state,
        n_jobs=1,
        low_memory=True,
        compressed=True,
    )
    found, distances = index.neighbor_graph
    indices = np.asarray(found[:, :columns], dtype=np.int64)
    distances = np.asarray(distances[:, :columns], dtype=np.float32)
    # The row itself first, as the exact graph and umap-learn have it (ties can hide it).
    rows = np.arange(count)
    for row in np.flatnonzero(indices[:, 0] != rows):
        others: list[int] = [int(i) for i in indices[row] if i != row][: columns - 1]
        kept = [float(d) for i, d in zip(indices[row], distances[row], strict=True) if i != row]
        indices[row] = np.asarray([int(row), *others], dtype=np.int64)
        distances[row] = np.asarray([0.0, *kept[: columns - 1]], dtype=np.float32)
    return KnnGraph(indices=indices, distances=np.clip(distances, 0.0, 2.0), metric="cosine")


def neighbor_graph(vectors: FloatMatrix, n_neighbors: int = GRAPH_NEIGHBORS) -> KnnGraph:
    """The cosine kNN graph a dataset of this size gets: exact up to :data:`EXACT_UP_TO`
    rows, approximate beyond."""
    if len(vectors) <= EXACT_UP_TO:
        return knn_graph(vectors, n_neighbors=n_neighbors, metric="cosine")
    return approximate_knn_graph(vectors, n_neighbors)


def recall(approximate: IdMatrix, exact: IdMatrix) -> float:
    """The share of the exact neighbours the approximate lists hold, over all rows."""
    hits = sum(
        len(set(a.tolist()) & set(e.tolist())) for a, e in zip(approximate, exact, strict=True)
    )
    return hits / max(exact.size, 1)
