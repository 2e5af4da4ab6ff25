"""Nearest neighbours: top-k for one row or a query vector, and the kNN graph of a dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embedding_space.errors import InputError
from embedding_space.similarity import higher_is_closer, scores_against, validate_metric

__all__ = ["KnnGraph", "Neighbor", "knn_graph", "top_k"]

FloatMatrix = npt.NDArray[np.float32]
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
    k: int = 10,
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


@dataclass(frozen=True)
class KnnGraph:
    """Each row's nearest rows, itself first, as umap-learn's ``precomputed_knn`` expects.

    Attributes:
        indices: Array of shape ``(n, k)``, int64; column 0 is the row itself.
        distances: Array of shape ``(n, k)``, float32, in the graph's metric (cosine distance
            is ``1 - cosine similarity``).
        metric: ``cosine`` or ``euclidean``.
    """

    indices: npt.NDArray[np.int64]
    distances: npt.NDArray[np.float32]
    metric: str

    @property
    def k(self) -> int:
        """Neighbours per row, the row itself included."""
        return int(self.indices.shape[1])


def knn_graph(vectors: FloatMatrix, k: int = 15, metric: str = "cosine") -> KnnGraph:
    """Exact k-nearest-neighbour graph, computed in blocks to bound memory.

    Args:
        vectors: Array of shape ``(n, d)``.
        k: Neighbours per row including the row itself; clipped to ``n``.
        metric: ``cosine`` or ``euclidean``.

    Returns:
        The graph, with ``min(k, n)`` columns.

    Raises:
        InputError: Unsupported metric or ``k`` below 1.
    """
    if metric not in ("cosine", "euclidean"):
        raise InputError(f"The kNN graph supports cosine or euclidean, not '{metric}'.")
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}.")
    count = vectors.shape[0]
    k = min(k, count)
    indices = np.empty((count, k), dtype=np.int64)
    distances = np.empty((count, k), dtype=np.float32)
    block_rows = max(1, _BLOCK_SCORES // max(count, 1))
    for start in range(0, count, block_rows):
        block = vectors[start : start + block_rows]
        scores = scores_against(vectors, block, metric)
        rows = np.arange(start, start + block.shape[0])
        # The row itself must come first even when a duplicate text ties with it.
        if metric == "cosine":
            scores[np.arange(block.shape[0]), rows] = np.inf
            best = _best(scores, k, higher=True)
            picked = np.take_along_axis(scores, best, axis=1)
            picked[:, 0] = 1.0
            block_distances = np.clip(1.0 - picked, 0.0, 2.0)
        else:
            scores[np.arange(block.shape[0]), rows] = -np.inf
            best = _best(scores, k, higher=False)
            block_distances = np.take_along_axis(scores, best, axis=1)
            block_distances[:, 0] = 0.0
        indices[start : start + block.shape[0]] = best
        distances[start : start + block.shape[0]] = block_distances
    return KnnGraph(indices=indices, distances=distances.astype(np.float32), metric=metric)
