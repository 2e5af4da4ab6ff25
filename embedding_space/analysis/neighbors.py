"""Nearest neighbours: top-k for one row or a query vector, and the kNN graph of a dataset."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.similarity import higher_is_closer, scores_against, validate_metric
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix, IdMatrix

__all__ = ["GRAPH_NEIGHBORS", "KnnGraph", "Neighbor", "knn_graph", "top_k"]
# Scores held at once while building the graph: about 200 MB of float32.
_BLOCK_SCORES = 50_000_000


@dataclass(frozen=True)
class Neighbor:
    """One result of a neighbour search.

    Attributes:
        rank: 1 for the nearest.
        row: Row id in the dataset.
        score: Similarity (cosine, dot) or distance (euclidean).
    """

    rank: int
    row: int
    score: float


def _best(scores: npt.NDArray[np.float32], k: int, higher: bool) -> npt.NDArray[np.intp]:
    """Indices of the ``k`` best scores along the last axis, best first."""
    keyed = -scores if higher else scores
    k = min(k, scores.shape[-1])
    if k < scores.shape[-1]:
        part = np.argpartition(keyed, k - 1, axis=-1)[..., :k]
    else:
        part = np.broadcast_to(np.arange(scores.shape[-1]), scores.shape).copy()
    order = np.argsort(np.take_along_axis(keyed, part, axis=-1), axis=-1, kind="stable")
    return np.asarray(np.take_along_axis(part, order, axis=-1), dtype=np.intp)


def top_k(
    vectors: FloatMatrix,
    query: FloatMatrix,
    k: int = default_of("neighbor_k", int),
    metric: str = "cosine",
    *,
    exclude: int | None = None,
) -> list[Neighbor]:
    """The ``k`` rows nearest a query vector, best first.

    Args:
        vectors: Array of shape ``(n, d)``.
        query: Array of shape ``(d,)``.
        k: How many neighbours; fewer come back when the dataset is smaller.
        metric: ``cosine``, ``dot`` or ``euclidean``.
        exclude: A row to leave out (the query's own row).

    Returns:
        Up to ``k`` neighbours.

    Raises:
        InputError: ``k`` is not positive, or the metric is unknown.
    """
    checked = validate_metric(metric)
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}.")
    scores = scores_against(vectors, query, checked)
    higher = higher_is_closer(checked)
    if exclude is not None:
        scores = scores.copy()
        scores[exclude] = -np.inf if higher else np.inf
        k = min(k, len(scores) - 1)
    if k < 1:
        return []
    best = _best(scores, k, higher)
    return [
        Neighbor(rank=rank, row=int(row), score=float(scores[row]))
        for rank, row in enumerate(best, start=1)
    ]


GRAPH_NEIGHBORS = 15
"""Neighbours per row in the graph a workspace keeps: enough for UMAP's default
``n_neighbors=15`` (which counts the row itself, so 14) and for the 10 an export lists."""


@dataclass(frozen=True)
class KnnGraph:
    """Each row's nearest rows in the full embedding space, nearest first.

    The arrays keep umap-learn's ``precomputed_knn`` layout, the row itself in column 0; read
    them through :attr:`n_neighbors` and :meth:`neighbor_ids`, which leave the row out.

    Attributes:
        indices: Array of shape ``(n, n_neighbors + 1)``, int64; column 0 is the row itself.
        distances: Array of the same shape, float32, in the graph's metric (cosine distance
            is ``1 - cosine similarity``); column 0 is 0.
        metric: ``cosine`` or ``euclidean``.
    """

    indices: IdMatrix
    distances: FloatMatrix
    metric: str

    @property
    def n_neighbors(self) -> int:
        """Neighbours per row, the row itself not counted."""
        return int(self.indices.shape[1]) - 1

    def neighbor_ids(self, n_neighbors: int) -> IdMatrix:
        """Each row's ``n_neighbors`` nearest other rows, shape ``(n, n_neighbors)``.

        Fewer columns come back when the graph holds fewer (a dataset of fewer rows).
        """
        return self.indices[:, 1 : n_neighbors + 1]

    def umap_knn(self, n_neighbors: int) -> tuple[IdMatrix, FloatMatrix]:
        """The ``precomputed_knn`` for ``umap.UMAP(n_neighbors=...)``, whose count includes
        the row itself: arrays of shape ``(n, n_neighbors)``.

        Raises:
            InputError: The graph holds fewer than ``n_neighbors - 1`` neighbours per row.
        """
        if n_neighbors - 1 > self.n_neighbors:
            raise InputError(
                f"UMAP with n_neighbors={n_neighbors} needs a graph of at least "
                f"{n_neighbors - 1} neighbours per row, not {self.n_neighbors}."
            )
        return self.indices[:, :n_neighbors], self.distances[:, :n_neighbors]

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The graph as named arrays, for :func:`numpy.savez`."""
        return {
            "indices": self.indices,
            "distances": self.distances,
            "metric": np.array(self.metric),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> KnnGraph:
        """The inverse of :meth:`to_arrays`."""
        return cls(
            indices=np.asarray(arrays["indices"], dtype=np.int64),
            distances=np.asarray(arrays["distances"], dtype=np.float32),
            metric=str(arrays["metric"]),
        )


def knn_graph(
    vectors: FloatMatrix, n_neighbors: int = GRAPH_NEIGHBORS, metric: str = "cosine"
) -> KnnGraph:
    """Exact k-nearest-neighbour graph, computed in blocks to bound memory.

    Args:
        vectors: Array of shape ``(n, d)``.
        n_neighbors: Neighbours per row, the row itself not counted; clipped to ``n - 1``.
        metric: ``cosine`` or ``euclidean``.

    Returns:
        The graph, with ``min(n_neighbors, n - 1)`` neighbours per row.

    Raises:
        InputError: Unsupported metric or ``n_neighbors`` below 1.
    """
    if metric not in ("cosine", "euclidean"):
        raise InputError(f"The kNN graph supports cosine or euclidean, not '{metric}'.")
    if n_neighbors < 1:
        raise InputError(f"n_neighbors must be at least 1, not {n_neighbors}.")
    count = vectors.shape[0]
    columns = min(n_neighbors + 1, count)
    indices = np.empty((count, columns), dtype=np.int64)
    distances = np.empty((count, columns), dtype=np.float32)
    block_rows = max(1, _BLOCK_SCORES // max(count, 1))
    for start in range(0, count, block_rows):
        block = vectors[start : start + block_rows]
        scores = scores_against(vectors, block, metric)
        rows = np.arange(start, start + block.shape[0])
        # The row itself must come first even when a duplicate text ties with it.
        if metric == "cosine":
            scores[np.arange(block.shape[0]), rows] = np.inf
            best = _best(scores, columns, higher=True)
            picked = np.take_along_axis(scores, best, axis=1)
            picked[:, 0] = 1.0
            block_distances = np.clip(1.0 - picked, 0.0, 2.0)
        else:
            scores[np.arange(block.shape[0]), rows] = -np.inf
            best = _best(scores, columns, higher=False)
            block_distances = np.take_along_axis(scores, best, axis=1)
            block_distances[:, 0] = 0.0
        indices[start : start + block.shape[0]] = best
        distances[start : start + block.shape[0]] = block_distances
    return KnnGraph(indices=indices, distances=distances.astype(np.float32), metric=metric)
