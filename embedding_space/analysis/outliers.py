"""Rows that sit apart from the rest, and rows that say the same thing twice.

Both read the kNN graph of the full embedding space (never an ``n × n`` matrix): an outlier's
score is the mean cosine distance to its nearest rows (or its local outlier factor), and
near-duplicates are the graph's pairs above a cosine threshold, grouped into sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = [
    "DuplicateSet",
    "Outlier",
    "OutlierScores",
    "near_duplicates",
    "outlier_scores",
    "rows_to_drop",
    "top_outliers",
]


def outlier_scores(
    graph: KnnGraph,
    k: int = default_of("outlier_k", int),
    *,
    method: str = default_of("outlier_method", str),
    vectors: FloatMatrix | None = None,
) -> npt.NDArray[np.float32]:
    """How far each row sits from its neighbourhood; higher is stranger.

    Args:
        graph: The cosine kNN graph of the rows, with at least ``k`` neighbours per row (or
            every other row, in a dataset of ``k`` rows or fewer).
        k: Neighbours considered.
        method: ``knn``, the mean cosine distance to the ``k`` nearest rows; or ``lof``,
            scikit-learn's local outlier factor (1 is ordinary, larger is stranger).
        vectors: The rows' vectors, shape ``(n, d)``; ``lof`` needs them.

    Returns:
        Array of shape ``(n,)``.

    Raises:
        InputError: An unknown method, ``k`` outside its bounds, or ``lof`` without vectors.
        ValueError: The graph holds fewer than ``k`` neighbours per row.
    """
    SETTINGS["outlier_method"].check(method)
    SETTINGS["outlier_k"].check(k)
    k = min(k, len(graph.indices) - 1)  # n rows have n - 1 neighbours each
    if graph.n_neighbors < k:
        # Clipping k to a smaller graph would give the scores of another k without a word.
        raise ValueError(f"outlier scores at k={k} need a graph of k neighbours per row")
    if k < 1:
        return np.zeros(len(graph.indices), dtype=np.float32)
    if method == "knn":
        return np.asarray(graph.distances[:, 1 : k + 1].mean(axis=1), dtype=np.float32)
    if vectors is None:
        raise InputError("LOF needs the vectors themselves.")
    from sklearn.neighbors import LocalOutlierFactor

    model = LocalOutlierFactor(n_neighbors=k, metric="cosine")
    model.fit(vectors)
    return np.asarray(-model.negative_outlier_factor_, dtype=np.float32)


@dataclass(frozen=True)
class OutlierScores:
    """Every row's outlier score, as stored with a dataset's results.

    Attributes:
        scores: Array of shape ``(n,)``, higher is stranger.
    """

    scores: npt.NDArray[np.float32]

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The scores as named arrays, for :func:`numpy.savez`."""
        return {"scores": self.scores}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> OutlierScores:
        """The inverse of :meth:`to_arrays`."""
        return cls(np.asarray(arrays["scores"], dtype=np.float32))


@dataclass(frozen=True)
class Outlier:
    """One of the strangest rows.

    Attributes:
        row: Its row id.
        score: Its outlier score.
        nearest: Its nearest other row.
        similarity: The cosine similarity to that row.
    """

    row: int
    score: float
    nearest: int
    similarity: float


def top_outliers(
    scores: npt.NDArray[np.float32], graph: KnnGraph, count: int = default_of("outlier_top", int)
) -> list[Outlier]:
    """The ``count`` rows with the highest scores, strangest first, with their nearest row."""
    if graph.n_neighbors < 1:
        return []
    order = np.argsort(-scores, kind="stable")[:count]
    return [
        Outlier(
            row=int(row),
            score=float(scores[row]),
            nearest=int(graph.indices[row, 1]),
            similarity=float(1.0 - graph.distances[row, 1]),
        )
        for row in order
    ]


@dataclass(frozen=True)
class DuplicateSet:
    """Rows that say (nearly) the same thing.

    Attributes:
        rows: Row ids, ascending.
        score: The lowest cosine similarity of the pairs that joined them.
    """

    rows: list[int]
    score: float


def near_duplicates(
    graph: KnnGraph, threshold: float = default_of("duplicate_threshold", float)
) -> list[DuplicateSet]:
    """Rows whose cosine similarity reaches ``threshold``, grouped into sets.

    Pairs come from each row's neighbours in the graph, so a text copied more often than the
    graph has neighbours is still found (the copies join through one another). Exact
    duplicates have similarity 1.0 and are found at any threshold up to 1.

    Args:
        graph: The cosine kNN graph of the rows.
        threshold: The lowest cosine similarity that counts, between 0 and 1.

    Returns:
        The sets, largest first, then by their first row.

    Raises:
        InputError: ``threshold`` is outside 0 to 1.
    """
    if not 0.0 <= threshold <= 1.0:
        raise InputError(f"threshold must be between 0 and 1, not {threshold}.")
    if graph.n_neighbors < 1:
        return []
    similarity = 1.0 - graph.distances[:, 1:]
    # float32 rounding puts identical texts a hair below 1.0
    rows, columns = np.nonzero(similarity >= threshold - 1e-6)
    partners = graph.indices[:, 1:][rows, columns]
    parent = list(range(len(graph.indices)))

    def root(row: int) -> int:
        while parent[row] != row:
            parent[row] = parent[parent[row]]
            row = parent[row]
        return row

    lowest: dict[int, float] = {}
    for row, partner, score in zip(
        rows.tolist(), partners.tolist(), similarity[rows, columns].tolist(), strict=True
    ):
        a, b = root(row), root(partner)
        joined = min(a, b)
        parent[max(a, b)] = joined
        lowest[joined] = min(lowest.pop(a, 1.0), lowest.pop(b, 1.0), score)
    groups: dict[int, list[int]] = {}
    for row in {*rows.tolist(), *partners.tolist()}:
        groups.setdefault(root(row), []).append(row)
    sets = [
        DuplicateSet(sorted(members), round(min(lowest.get(key, 1.0), 1.0), 6))
        for key, members in groups.items()
    ]
    return sorted(sets, key=lambda group: (-len(group.rows), group.rows[0]))


def rows_to_drop(sets: list[DuplicateSet]) -> list[int]:
    """The rows to remove so one of each duplicate set stays (its first row)."""
    return sorted(row for group in sets for row in group.rows[1:])
