"""Scores between vectors: cosine, dot product and euclidean distance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = [
    "METRICS",
    "METRIC_LABELS",
    "Metric",
    "RowChoice",
    "choose_rows",
    "cluster_order",
    "extreme_pairs",
    "higher_is_closer",
    "label_contrast",
    "pairwise",
    "scores_against",
    "unit_rows",
    "validate_metric",
]

Metric = Literal["cosine", "dot", "euclidean"]
METRICS: tuple[Metric, ...] = get_args(Metric)
METRIC_LABELS: dict[Metric, str] = {
    "cosine": "cosine similarity",
    "dot": "dot product",
    "euclidean": "euclidean distance",
}
"""What each metric's score is called on screen."""


def validate_metric(metric: str) -> Metric:
    """Return ``metric`` if it is known.

    Raises:
        InputError: ``metric`` is not one of :data:`METRICS`.
    """
    if metric not in METRICS:
        raise InputError(f"Unknown metric '{metric}'. Use one of: {', '.join(METRICS)}.")
    return metric


def higher_is_closer(metric: Metric) -> bool:
    """Cosine and dot are similarities; euclidean is a distance."""
    return metric != "euclidean"


def unit_rows(vectors: FloatMatrix) -> FloatMatrix:
    """Each row scaled to length 1 (float32); a zero row stays zero."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.asarray(vectors / np.where(norms == 0, 1, norms), dtype=np.float32)


def scores_against(vectors: FloatMatrix, query: FloatMatrix, metric: str = "cosine") -> FloatMatrix:
    """Score every row against each query.

    Args:
        vectors: Array of shape ``(n, d)``.
        query: Array of shape ``(q, d)`` (or ``(d,)`` for one query).
        metric: ``cosine`` or ``dot`` (similarity) or ``euclidean`` (distance).

    Returns:
        Array of shape ``(q, n)`` (or ``(n,)`` for one query), float32.

    Raises:
        InputError: Unknown metric, or the dimensions differ.
    """
    checked = validate_metric(metric)
    single = query.ndim == 1
    queries = np.atleast_2d(query).astype(np.float32, copy=False)
    if queries.shape[1] != vectors.shape[1]:
        raise InputError(
            f"The query has {queries.shape[1]} dimensions but the vectors have "
            f"{vectors.shape[1]}; embed the query with the same model."
        )
    if checked == "cosine":
        scores = unit_rows(queries) @ unit_rows(vectors).T
    elif checked == "dot":
        scores = queries @ vectors.T
    else:
        squared = (
            np.sum(queries**2, axis=1)[:, None]
            + np.sum(vectors**2, axis=1)[None, :]
            - 2.0 * (queries @ vectors.T)
        )
        scores = np.sqrt(np.maximum(squared, 0.0))
    result = np.asarray(scores, dtype=np.float32)
    return result[0] if single else result


def pairwise(vectors: FloatMatrix, metric: str = "cosine") -> FloatMatrix:
    """The full score matrix between rows.

    Args:
        vectors: Array of shape ``(m, d)``.
        metric: As in :func:`scores_against`.

    Returns:
        Symmetric array of shape ``(m, m)``, float32.
    """
    matrix = scores_against(vectors, vectors, metric)
    if validate_metric(metric) == "euclidean":
        np.fill_diagonal(matrix, 0.0)
    return matrix


def cluster_order(matrix: FloatMatrix, metric: str = "cosine") -> npt.NDArray[np.intp]:
    """Order rows so that similar ones sit together (average-linkage hierarchical clustering).

    Args:
        matrix: A score matrix of shape ``(m, m)`` from :func:`pairwise`.
        metric: The metric that made it, to turn scores into distances.

    Returns:
        A permutation of ``range(m)``.
    """
    size = matrix.shape[0]
    if size < 3:
        return np.arange(size)
    from scipy.cluster.hierarchy import leaves_list, linkage, optimal_leaf_ordering
    from scipy.spatial.distance import squareform

    if higher_is_closer(validate_metric(metric)):
        distances = matrix.max() - matrix
    else:
        distances = matrix.copy()
    distances = (distances + distances.T) / 2.0
    np.fill_diagonal(distances, 0.0)
    condensed = squareform(np.maximum(distances, 0.0).astype(np.float64), checks=False)
    tree = linkage(condensed, method="average")
    if size <= 500:
        tree = optimal_leaf_ordering(tree, condensed)
    return np.asarray(leaves_list(tree), dtype=np.intp)


@dataclass(frozen=True)
class RowChoice:
    """The rows a heatmap shows, and a sentence saying how they were chosen.

    Attributes:
        rows: Row ids, ascending, shape ``(m,)``.
        description: E.g. "Showing a random sample of 100 of 3,080 rows (seed 0)."
    """

    rows: npt.NDArray[np.intp]
    description: str


def choose_rows(
    row_count: int,
    *,
    limit: int,
    selected: Sequence[int] = (),
    count: int | None = None,
    sample: bool = True,
    random_state: int = 0,
) -> RowChoice:
    """Pick the rows of a dataset a pairwise matrix is drawn for.

    A selection wins when there is one (sampled down to ``limit``); otherwise ``count`` rows,
    a random sample or the first ones.

    Args:
        row_count: Rows in the dataset.
        limit: The most rows a matrix may have (its cost grows with the square).
        selected: Row ids chosen by the user; all of them are used, up to ``limit``.
        count: How many rows without a selection; ``min(limit, row_count)`` when ``None``.
        sample: A random sample (``True``) or the first rows (``False``).
        random_state: The sample's seed, so the same choice gives the same rows.

    Raises:
        InputError: ``limit`` or ``count`` is below 1.
    """
    if limit < 1:
        raise InputError(f"limit must be at least 1, not {limit}.")
    wanted = min(limit, row_count) if count is None else count
    if wanted < 1:
        raise InputError(f"count must be at least 1, not {wanted}.")
    rng = np.random.default_rng(random_state)
    if selected:
        rows = np.unique(np.asarray(selected, dtype=np.intp))
        if len(rows) > limit:
            picked = np.sort(rng.choice(rows, limit, replace=False))
            return RowChoice(
                picked, f"Showing a random {limit:,} of the {len(rows):,} selected rows."
            )
        return RowChoice(rows, f"Showing the {len(rows):,} selected rows.")
    wanted = min(wanted, limit, row_count)
    if wanted == row_count:
        return RowChoice(np.arange(row_count), f"Showing all {row_count:,} rows.")
    if sample:
        picked = np.sort(rng.choice(row_count, wanted, replace=False))
        return RowChoice(
            picked,
            f"Showing a random sample of {wanted:,} of {row_count:,} rows (seed {random_state}).",
        )
    return RowChoice(np.arange(wanted), f"Showing the first {wanted:,} of {row_count:,} rows.")


def label_contrast(matrix: FloatMatrix, labels: Sequence[str]) -> tuple[float, float] | None:
    """The mean score between rows of the same label and between rows of different labels.

    Args:
        matrix: A score matrix of shape ``(m, m)`` from :func:`pairwise`.
        labels: ``m`` labels, in the matrix's order.

    Returns:
        ``(within, between)``, or ``None`` when either kind of pair is missing (one label
        only, or every label once). Each row's score with itself is left out.
    """
    if len(labels) != matrix.shape[0]:
        raise InputError(f"There are {len(labels)} labels for a matrix of {matrix.shape[0]} rows.")
    tags = np.asarray(list(labels), dtype=object)
    same = np.equal.outer(tags, tags)
    off_diagonal = ~np.eye(len(tags), dtype=bool)
    within = matrix[same & off_diagonal]
    between = matrix[~same]
    if not within.size or not between.size:
        return None
    return float(within.mean()), float(between.mean())


def extreme_pairs(
    matrix: FloatMatrix, rows: Sequence[int], metric: str = "cosine", count: int = 5
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int, float]]]:
    """The most alike and the least alike pairs of distinct rows in a score matrix.

    Args:
        matrix: Array of shape ``(m, m)`` from :func:`pairwise`.
        rows: The ``m`` row ids the matrix is of, in its order.
        metric: The metric that made it (a distance ranks the other way round).
        count: Pairs of each kind.

    Returns:
        ``(nearest, farthest)``, each a list of ``(row, row, score)``, the most extreme first.
    """
    size = matrix.shape[0]
    if size < 2:
        return [], []
    upper = np.triu_indices(size, k=1)
    scores = matrix[upper]
    order = np.argsort(scores, kind="stable")
    if higher_is_closer(validate_metric(metric)):
        order = order[::-1]
    pairs = [(int(rows[upper[0][i]]), int(rows[upper[1][i]]), float(scores[i])) for i in order]
    return pairs[:count], pairs[::-1][:count]
