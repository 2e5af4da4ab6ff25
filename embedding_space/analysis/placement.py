"""New texts dropped onto a map already drawn, without drawing it again.

Each method places a new vector its own way: PCA exactly, through the same axes the map was
made with; UMAP as its ``transform`` begins, at the mean of the new text's nearest rows
weighted by UMAP's own fuzzy membership (the distance to the nearest sets the scale); t-SNE,
which has no transform, at the mean of its nearest rows weighted by their cosine similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.projection import Projection, ProjectionParams, pca_basis
from embedding_space.analysis.similarity import scores_against
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = ["Placement", "place_texts"]

_BLOCK = 1_024
"""New rows scored against the map's rows at once (a block of 1,024 x 100,000 is 400 MB)."""


@dataclass(frozen=True)
class Placement:
    """New points on a map.

    Attributes:
        points: Their positions, shape ``(m, 2|3)``.
        neighbors: Each one's nearest rows, shape ``(m, k)``, nearest first.
        how: A sentence saying how they were placed.
    """

    points: FloatMatrix
    neighbors: npt.NDArray[np.int64]
    how: str


def _membership_weights(distances: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """UMAP's fuzzy membership of each new point's neighbours, from their cosine distances,
    shape ``(m, reach)``; each row sums to 1."""
    from umap.umap_ import smooth_knn_dist

    sigmas, rhos = smooth_knn_dist(distances, float(distances.shape[1]))
    scale = np.maximum(sigmas, 1e-12)[:, None]
    weights = np.exp(-np.maximum(distances - rhos[:, None], 0.0) / scale)
    return np.asarray(weights / weights.sum(axis=1, keepdims=True), dtype=np.float64)


def place_texts(
    vectors: FloatMatrix,
    projection: Projection,
    params: ProjectionParams,
    new_vectors: FloatMatrix,
    *,
    k: int = 10,
) -> Placement:
    """Where new vectors sit on a map of ``vectors``.

    Args:
        vectors: The dataset's vectors, shape ``(n, d)``.
        projection: Its map (the method actually drawn decides how).
        params: The map's parameters (``n_neighbors`` sets UMAP's neighbourhood).
        new_vectors: The new texts' vectors, shape ``(m, d)``, from the same model.
        k: Neighbours listed (and used by t-SNE) per new text.

    Raises:
        InputError: No new vectors, or their dimension differs from the dataset's.
    """
    if new_vectors.ndim != 2 or len(new_vectors) == 0:
        raise InputError("There is no new text to place.")
    if new_vectors.shape[1] != vectors.shape[1]:
        raise InputError(
            f"The new texts have {new_vectors.shape[1]} dimensions but the map's vectors have "
            f"{vectors.shape[1]}; embed them with the same model."
        )
    coordinates = projection.coordinates
    count = len(vectors)
    k = max(1, min(k, count))
    reach = max(k, min(params.n_neighbors, count))
    points = np.zeros((len(new_vectors), coordinates.shape[1]), dtype=np.float32)
    neighbors = np.zeros((len(new_vectors), k), dtype=np.int64)
    mean, axes = (
        pca_basis(vectors, coordinates.shape[1]) if projection.method == "pca" else (None, None)
    )
    # A block of new rows at a time: one matrix product finds every one's nearest rows.
    for start in range(0, len(new_vectors), _BLOCK):
        queries = new_vectors[start : start + _BLOCK]
        scores = scores_against(vectors, queries)
        if reach < count:
            part = np.argpartition(-scores, reach - 1, axis=1)[:, :reach]
        else:
            part = np.broadcast_to(np.arange(count), scores.shape).copy()
        order = np.argsort(np.take_along_axis(-scores, part, axis=1), axis=1, kind="stable")
        rows = np.take_along_axis(part, order, axis=1)
        near = np.take_along_axis(scores, rows, axis=1).astype(np.float64)
        stop = start + len(queries)
        neighbors[start:stop] = rows[:, :k]
        if mean is not None and axes is not None:
            points[start:stop] = (queries - mean) @ axes.T
            continue
        if projection.method == "umap":
            weights = _membership_weights(1.0 - near)
        else:
            rows, near = rows[:, :k], near[:, :k]
            weights = np.clip(near, 1e-6, None)
            weights = weights / weights.sum(axis=1, keepdims=True)
        points[start:stop] = np.einsum("bk,bkc->bc", weights, coordinates[rows])
    how = {
        "pca": "placed exactly, through the map's own PCA axes",
        "umap": "placed as UMAP's transform starts: at its nearest rows, weighted by UMAP's "
        "fuzzy membership",
        "tsne": "placed at its nearest rows, weighted by cosine similarity (t-SNE has no "
        "transform)",
    }[projection.method]
    return Placement(points, neighbors, how)
