"""Scores between vectors: cosine, dot product and euclidean distance."""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from embedding_space.errors import InputError

__all__ = [
    "METRICS",
    "Metric",
    "cluster_order",
    "higher_is_closer",
    "pairwise",
    "scores_against",
    "validate_metric",
]

Metric = Literal["cosine", "dot", "euclidean"]
METRICS: tuple[Metric, ...] = get_args(Metric)

FloatMatrix = npt.NDArray[np.float32]


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


def _unit_rows(vectors: FloatMatrix) -> FloatMatrix:
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
        scores = _unit_rows(queries) @ _unit_rows(vectors).T
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
