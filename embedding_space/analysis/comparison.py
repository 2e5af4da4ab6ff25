"""Two embeddings of the same rows, compared point by point in their own full spaces.

Every figure is computed on the vectors, never on the maps:

* *kNN agreement* of a row: the Jaccard index ``|A ∩ B| / |A ∪ B|`` of its ``k`` nearest rows
  by cosine (itself left out) in space A and in space B; the summary is the mean over rows.
  An embedding and any rotation of it agree everywhere (1); unrelated spaces agree about as
  often as chance, ``k / (n - 1)`` for a neighbour.
* *Similarity Spearman*: the rank correlation of the cosine similarities of the same pairs of
  rows in A and in B, over every pair of up to :data:`PAIR_ROWS` rows (a fixed uniform sample
  of rows beyond).
* *Linear CKA* (Kornblith et al., 2019): ``‖Bᵀ A‖²_F / (‖Aᵀ A‖_F ‖Bᵀ B‖_F)`` on the
  column-centred matrices of unit rows; 1 for spaces equal up to rotation and scale.
* With labels, *kNN label accuracy* in each space (the share of rows whose label is the most
  common among their ``k`` neighbours, see
  :func:`~embedding_space.analysis.agreement.knn_label_accuracy`) and the labels' cosine
  silhouette (on a sample of up to 5,000 rows).

Neighbours are exact up to 20,000 rows and approximate (pynndescent) beyond, as everywhere in
the package.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.agreement import knn_label_accuracy, neighbor_overlap
from embedding_space.analysis.ann import neighbor_graph
from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.similarity import unit_rows
from embedding_space.errors import InputError
from embedding_space.rows import sample_rows
from embedding_space.types import FloatMatrix, IdMatrix

__all__ = [
    "PAIR_ROWS",
    "Alignment",
    "Comparison",
    "align_map",
    "align_rows",
    "compare_embeddings",
    "linear_cka",
    "similarity_spearman",
]

PAIR_ROWS = 2_000
"""Similarity Spearman uses every pair of up to this many rows."""
_SILHOUETTE_ROWS = 5_000
_ROW_ARRAYS = ("agreement", "neighbors_a", "neighbors_b")


def linear_cka(first: FloatMatrix, second: FloatMatrix) -> float:
    """Linear CKA of two representations of the same rows (their dimensions may differ)."""
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    cross = np.linalg.norm(b.T @ a) ** 2
    scale = np.linalg.norm(a.T @ a) * np.linalg.norm(b.T @ b)
    return float(cross / scale) if scale > 0 else float("nan")


def similarity_spearman(first: FloatMatrix, second: FloatMatrix, *, random_state: int = 0) -> float:
    """Spearman's rank correlation of the pairwise cosine similarities in the two spaces."""
    from scipy.stats import spearmanr

    rows = sample_rows(len(first), PAIR_ROWS, random_state)
    upper = np.triu_indices(len(rows), k=1)
    a, b = unit_rows(first[rows]), unit_rows(second[rows])
    pairs_a, pairs_b = (a @ a.T)[upper], (b @ b.T)[upper]
    if len(pairs_a) < 2:
        return float("nan")
    return float(spearmanr(pairs_a, pairs_b).statistic)


def _silhouette(vectors: FloatMatrix, labels: npt.NDArray[np.object_], random_state: int) -> float:
    from sklearn.metrics import silhouette_score

    rows = sample_rows(len(vectors), _SILHOUETTE_ROWS, random_state)
    tags = labels[rows]
    if not 2 <= len(set(tags.tolist())) < len(rows):
        return float("nan")
    return float(silhouette_score(vectors[rows], tags, metric="cosine"))


@dataclass(frozen=True)
class Comparison:
    """Two embeddings of the same rows, compared.

    Attributes:
        k: Neighbours per row.
        agreement: Array of shape ``(n,)``: each row's kNN agreement (Jaccard@k).
        neighbors_a: Shape ``(n, k)``: each row's neighbours in A, nearest first.
        neighbors_b: In B.
        similarity_spearman: See the module's notes.
        cka: Linear CKA.
        knn_accuracy_a: kNN label accuracy in A, NaN without labels.
        knn_accuracy_b: In B.
        silhouette_a: The labels' cosine silhouette in A, NaN without labels.
        silhouette_b: In B.
    """

    k: int
    agreement: npt.NDArray[np.float32]
    neighbors_a: IdMatrix
    neighbors_b: IdMatrix
    similarity_spearman: float
    cka: float
    knn_accuracy_a: float = float("nan")
    knn_accuracy_b: float = float("nan")
    silhouette_a: float = float("nan")
    silhouette_b: float = float("nan")
    chance: float = float("nan")
    """The agreement two unrelated spaces reach by chance, about ``k / (n - 1)``."""

    @property
    def knn_agreement(self) -> float:
        """The mean kNN agreement over rows."""
        return float(self.agreement.mean()) if len(self.agreement) else float("nan")

    def summary(self) -> dict[str, float]:
        """The figures as one flat mapping (label figures only when there were labels)."""
        figures = {
            "knn_agreement": self.knn_agreement,
            "similarity_spearman": self.similarity_spearman,
            "cka": self.cka,
        }
        if not math.isnan(self.knn_accuracy_a):
            figures.update(
                knn_accuracy_a=self.knn_accuracy_a,
                knn_accuracy_b=self.knn_accuracy_b,
                silhouette_a=self.silhouette_a,
                silhouette_b=self.silhouette_b,
            )
        return figures

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The comparison as named arrays, for :func:`numpy.savez`."""
        arrays: dict[str, npt.NDArray[Any]] = {
            name: np.asarray(value)
            for name, value in self.__dict__.items()
            if name not in _ROW_ARRAYS
        }
        return {**arrays, **{name: getattr(self, name) for name in _ROW_ARRAYS}}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Comparison:
        """The inverse of :meth:`to_arrays`."""
        figures = {
            name: float(arrays[name])
            for name in cls.__dataclass_fields__
            if name not in (*_ROW_ARRAYS, "k")
        }
        return cls(
            k=int(arrays["k"]),
            agreement=np.asarray(arrays["agreement"], dtype=np.float32),
            neighbors_a=np.asarray(arrays["neighbors_a"], dtype=np.int64),
            neighbors_b=np.asarray(arrays["neighbors_b"], dtype=np.int64),
            **figures,
        )

    def most_disagreeing(self, count: int = 20) -> list[int]:
        """The rows whose neighbourhoods differ most between the spaces, worst first."""
        return [int(row) for row in np.argsort(self.agreement, kind="stable")[:count]]


def compare_embeddings(
    first: FloatMatrix,
    second: FloatMatrix,
    *,
    k: int = default_of("compare_k", int),
    labels: Sequence[object] | None = None,
    random_state: int = 0,
    graphs: tuple[KnnGraph, KnnGraph] | None = None,
) -> Comparison:
    """Compare two embeddings of the same rows (see the module's notes).

    Args:
        first: Space A, shape ``(n, d_a)``.
        second: Space B, shape ``(n, d_b)``.
        k: Neighbours per row.
        labels: ``n`` labels, for the label figures.
        random_state: Seed of the samples of rows the pairwise figures use on large data.
        graphs: The cosine kNN graphs of A and B, with at least ``k`` neighbours, when they
            are at hand (a space keeps them); built here otherwise.

    Raises:
        InputError: The row counts differ, fewer than three rows, or a bad ``k``.
    """
    count = len(first)
    if len(second) != count:
        raise InputError(
            f"The embeddings hold {count} and {len(second)} rows; compare the same rows."
        )
    if count < 3:
        raise InputError("Comparing embeddings needs at least three rows.")
    if not 1 <= k < count:
        raise InputError(f"k must be between 1 and {count - 1}, not {k}.")
    if labels is not None and len(labels) != count:
        raise InputError(f"There are {len(labels)} labels for {count} rows.")
    a, b = (
        unit_rows(np.asarray(first, dtype=np.float32)),
        unit_rows(np.asarray(second, dtype=np.float32)),
    )
    graph_a, graph_b = graphs or (neighbor_graph(a, k), neighbor_graph(b, k))
    neighbors_a, neighbors_b = graph_a.neighbor_ids(k), graph_b.neighbor_ids(k)
    if neighbors_a.shape[1] < k or neighbors_b.shape[1] < k:
        raise ValueError(f"comparing at k={k} needs graphs of k neighbours per row")
    comparison = Comparison(
        k=k,
        agreement=neighbor_overlap(neighbors_a, neighbors_b, measure="jaccard"),
        neighbors_a=neighbors_a,
        neighbors_b=neighbors_b,
        similarity_spearman=similarity_spearman(a, b, random_state=random_state),
        cka=linear_cka(a, b),
        chance=k / (count - 1),
    )
    if labels is None:
        return comparison
    tags = np.asarray([str(label) for label in labels], dtype=object)
    return replace(
        comparison,
        knn_accuracy_a=knn_label_accuracy(neighbors_a, tags.tolist()),
        knn_accuracy_b=knn_label_accuracy(neighbors_b, tags.tolist()),
        silhouette_a=_silhouette(a, tags, random_state),
        silhouette_b=_silhouette(b, tags, random_state),
    )


@dataclass(frozen=True)
class Alignment:
    """One map laid onto another by orthogonal Procrustes, and how well it fits.

    Attributes:
        coordinates: The moved map, every row, shape ``(n, 2|3)``.
        rows: How many rows the fit used (the first ones).
        disparity: SciPy's Procrustes disparity on those rows: the sum of squared residuals
            once both are centred and scaled to unit size (0: the same shape, 1: unrelated).
        residual: The root-mean-square distance, in the reference map's units, between
            those rows' moved and reference places.
        spread: The root-mean-square distance of the reference rows from their centre (to
            read ``residual`` against).
    """

    coordinates: FloatMatrix
    rows: int
    disparity: float
    residual: float
    spread: float

    @property
    def relative_residual(self) -> float:
        """``residual / spread``: 0 where every row lies where it was."""
        return self.residual / self.spread if self.spread > 0 else 0.0


def align_rows(reference: FloatMatrix, other: FloatMatrix) -> Alignment:
    """``other``'s map turned, flipped, scaled and moved (orthogonal Procrustes) so that its
    first ``len(reference)`` rows lie best on ``reference``; the rows after them (rows the
    reference lacks) move with the rest.

    Raises:
        InputError: ``other`` has fewer rows than ``reference``.
    """
    from scipy.linalg import orthogonal_procrustes

    count = len(reference)
    if len(other) < count:
        raise InputError(f"The map has {len(other)} rows; aligning needs at least {count}.")
    target = np.asarray(reference, dtype=np.float64)
    moving_all = np.asarray(other, dtype=np.float64)
    moving = moving_all[:count]
    target_centre, moving_centre = target.mean(axis=0), moving.mean(axis=0)
    target_c, moving_c = target - target_centre, moving - moving_centre
    target_norm, moving_norm = np.linalg.norm(target_c), np.linalg.norm(moving_c)
    spread = float(target_norm / np.sqrt(max(count, 1)))
    if target_norm == 0 or moving_norm == 0:
        return Alignment(np.asarray(other, dtype=np.float32), count, 0.0, 0.0, spread)
    rotation, scale = orthogonal_procrustes(moving_c / moving_norm, target_c / target_norm)
    aligned = ((moving_all - moving_centre) / moving_norm) @ rotation * target_norm
    aligned += target_centre
    residual = float(np.sqrt(np.mean(np.sum((aligned[:count] - target) ** 2, axis=1))))
    return Alignment(
        coordinates=np.asarray(aligned, dtype=np.float32),
        rows=count,
        disparity=float(max(0.0, 1.0 - scale**2)),
        residual=residual,
        spread=spread,
    )


def align_map(reference: FloatMatrix, other: FloatMatrix) -> FloatMatrix:
    """``other``'s map turned, flipped, scaled and moved to lie best on ``reference``'s
    (orthogonal Procrustes), so that two maps of the same rows can be read side by side."""
    return align_rows(reference, other).coordinates
