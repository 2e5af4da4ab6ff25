"""How far to trust a map: how well it keeps the neighbourhoods of the full embedding space.

* *Trustworthiness* at k (scikit-learn's: 1 when no point's map neighbours are strangers in
  the full space, lower as strangers crowd in);
* *kNN recall*: per point, the share of its k nearest rows in the full space that are still
  among its k nearest on the map (the per-point value shows *where* the map lies);
* with labels, *kNN label accuracy* (does the majority of a point's k neighbours share its
  label?) and the *silhouette* of the labels, each in the full space and on the map.

The neighbour overlap is one function, :func:`neighbor_overlap`, which also measures how two
models' spaces agree (their Jaccard index).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.parameters import default_of
from embedding_space.errors import InputError
from embedding_space.rows import sample_rows
from embedding_space.types import FloatMatrix, IdMatrix

__all__ = [
    "MAX_EXACT_ROWS",
    "MapTrust",
    "OverlapMeasure",
    "knn_label_accuracy",
    "largest_trust_k",
    "map_neighbors",
    "map_trust",
    "neighbor_overlap",
]

MAX_EXACT_ROWS = 5_000
"""Trustworthiness and silhouettes (which compare every pair) use a sample of this many rows
on larger maps; recall and accuracy always use every row."""


OverlapMeasure = Literal["share", "jaccard"]
_COMPARED_AT_ONCE = 16_000_000
"""Id pairs compared in one step of :func:`neighbor_overlap` (bounds its memory)."""


def neighbor_overlap(
    first: IdMatrix, second: IdMatrix, *, measure: OverlapMeasure = "share"
) -> npt.NDArray[np.float32]:
    """Per row, how far its neighbours in one space are its neighbours in another.

    Each row's lists hold distinct ids (as a kNN graph's do). ``share`` is the part of the
    row's neighbours in ``first`` that are also in ``second``, ``|A ∩ B| / |A|``: a map's kNN
    recall. ``jaccard`` is ``|A ∩ B| / |A ∪ B|``: how two models agree, symmetrically.

    Args:
        first: Shape ``(n, k)``: each row's neighbours in one space.
        second: Shape ``(n, k2)``: in another.
        measure: ``share`` or ``jaccard``.

    Returns:
        Array of shape ``(n,)``, between 0 and 1.

    Raises:
        InputError: The lists are not of the same rows.
    """
    if len(first) != len(second):
        raise InputError("Both neighbour lists need one row per row of the data.")
    width_a, width_b = first.shape[1], second.shape[1]
    shared = np.zeros(len(first), dtype=np.float32)
    step = max(1, _COMPARED_AT_ONCE // max(width_a * width_b, 1))
    for start in range(0, len(first), step):
        a, b = first[start : start + step], second[start : start + step]
        shared[start : start + step] = (a[:, :, None] == b[:, None, :]).any(axis=2).sum(axis=1)
    if measure == "share":
        return np.asarray(shared / max(width_a, 1), dtype=np.float32)
    union = width_a + width_b - shared
    return np.asarray(shared / np.maximum(union, 1), dtype=np.float32)


def map_neighbors(coordinates: FloatMatrix, k: int) -> IdMatrix:
    """Each point's ``k`` nearest other points on the map (euclidean), nearest first."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(coordinates) - 1)
    if k < 1:
        return np.zeros((len(coordinates), 0), dtype=np.int64)
    finder = NearestNeighbors(n_neighbors=k + 1).fit(coordinates)
    _, indices = finder.kneighbors(coordinates)
    ids = np.empty((len(coordinates), k), dtype=np.int64)
    for row, found in enumerate(indices):
        others = [int(i) for i in found if i != row][:k]
        ids[row] = others
    return ids


def knn_label_accuracy(neighbors: IdMatrix, labels: Sequence[str]) -> float:
    """The share of rows whose label is the most common among their neighbours (on a tie,
    the nearest neighbour's label among the tied ones wins)."""
    tags = np.asarray(list(labels), dtype=object)
    hits = 0
    for row, found in enumerate(neighbors):
        votes = Counter(tags[found].tolist())
        if votes and votes.most_common(1)[0][0] == tags[row]:
            hits += 1
    return hits / max(len(neighbors), 1)


@dataclass(frozen=True)
class MapTrust:
    """What the numbers say about one map.

    Attributes:
        k: Neighbours compared.
        trustworthiness: scikit-learn's trustworthiness at ``k``.
        knn_recall: The mean of :attr:`recall`.
        recall: Per row, the share of its full-space neighbours kept on the map, ``(n,)``.
        sampled: Rows the pairwise figures (trustworthiness, silhouettes) used; ``n`` when all.
        knn_accuracy_full: kNN label accuracy in the full space, or NaN without labels.
        knn_accuracy_map: On the map, or NaN.
        silhouette_full: The labels' silhouette in the full space (cosine), or NaN.
        silhouette_map: On the map (euclidean), or NaN.
    """

    k: int
    trustworthiness: float
    knn_recall: float
    recall: npt.NDArray[np.float32]
    sampled: int
    knn_accuracy_full: float = float("nan")
    knn_accuracy_map: float = float("nan")
    silhouette_full: float = float("nan")
    silhouette_map: float = float("nan")

    def summary(self) -> dict[str, float]:
        """The figures as plain numbers (label figures only when there were labels)."""
        values = {"trustworthiness": self.trustworthiness, "knn_recall": self.knn_recall}
        for name in ("knn_accuracy_full", "knn_accuracy_map", "silhouette_full", "silhouette_map"):
            value = float(getattr(self, name))
            if not np.isnan(value):
                values[name] = value
        return {name: round(value, 6) for name, value in values.items()}

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The figures as named arrays, for :func:`numpy.savez`."""
        arrays: dict[str, npt.NDArray[Any]] = {
            name: np.array(float(value))
            for name, value in self.__dict__.items()
            if name != "recall"
        }
        arrays["recall"] = self.recall
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> MapTrust:
        """The inverse of :meth:`to_arrays`."""
        values: dict[str, Any] = {
            name: float(arrays[name]) for name in cls.__dataclass_fields__ if name != "recall"
        }
        values["k"], values["sampled"] = int(values["k"]), int(values["sampled"])
        return cls(recall=np.asarray(arrays["recall"], dtype=np.float32), **values)


def largest_trust_k(rows: int) -> int:
    """The largest ``k`` a map of ``rows`` points can be judged at: below half the rows, so
    that a point's neighbours are not most of the map (at least 1)."""
    return max(1, (rows - 1) // 2)


def map_trust(
    vectors: FloatMatrix,
    coordinates: FloatMatrix,
    graph: KnnGraph,
    *,
    k: int = default_of("trust_k", int),
    labels: Sequence[str] | None = None,
    random_state: int = 0,
) -> MapTrust:
    """How well a map keeps the full space's neighbourhoods (see the module's notes).

    Args:
        vectors: Shape ``(n, d)``.
        coordinates: The map, shape ``(n, 2|3)``.
        graph: The cosine kNN graph of ``vectors``, with at least ``k`` neighbours.
        k: Neighbours compared.
        labels: ``n`` labels for the label figures, if there are any.
        random_state: Seed of the sample on large maps.

    Raises:
        InputError: Fewer than three rows, ``k`` outside 1 to ``n / 2``, or a graph too small.
    """
    from sklearn.manifold import trustworthiness
    from sklearn.metrics import silhouette_score

    count = len(vectors)
    if count < 3:
        raise InputError("Judging a map needs at least three rows.")
    if not 1 <= k <= largest_trust_k(count):
        raise InputError(f"k must be between 1 and {largest_trust_k(count)}, not {k}.")
    if graph.n_neighbors < k:
        raise InputError(f"The neighbour graph holds {graph.n_neighbors} neighbours, not {k}.")
    full = graph.neighbor_ids(k)
    on_map = map_neighbors(coordinates, k)
    recall = neighbor_overlap(full, on_map)
    sample = sample_rows(count, MAX_EXACT_ROWS, random_state)
    trust = float(
        trustworthiness(vectors[sample], coordinates[sample], n_neighbors=k, metric="cosine")
    )
    result = MapTrust(k, trust, float(recall.mean()), recall, len(sample))
    if labels is None:
        return result
    tags = np.asarray([str(label) for label in labels], dtype=object)
    distinct = len(set(tags[sample].tolist()))
    silhouettes = (float("nan"), float("nan"))
    if 2 <= distinct < len(sample):
        silhouettes = (
            float(silhouette_score(vectors[sample], tags[sample], metric="cosine")),
            float(silhouette_score(coordinates[sample], tags[sample], metric="euclidean")),
        )
    return MapTrust(
        k,
        trust,
        result.knn_recall,
        recall,
        len(sample),
        knn_label_accuracy(full, tags.tolist()),
        knn_label_accuracy(on_map, tags.tolist()),
        *silhouettes,
    )
