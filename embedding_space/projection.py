"""Projecting vectors to 2 or 3 dimensions with PCA, UMAP or t-SNE."""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from embedding_space.errors import InputError
from embedding_space.neighbors import KnnGraph, knn_graph

__all__ = [
    "DEFAULT_SEED",
    "METHODS",
    "Method",
    "Projection",
    "ProjectionParams",
    "project",
]

Method = Literal["umap", "tsne", "pca"]
METHODS: tuple[Method, ...] = get_args(Method)
DEFAULT_SEED = 42
MIN_POINTS_FOR_NONLINEAR = 10
"""Below this many points UMAP and t-SNE say nothing PCA does not; PCA is used instead."""
_PROJECTION_METRICS = ("cosine", "euclidean")

FloatMatrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ProjectionParams:
    """Everything that decides a projection's coordinates, named as umap-learn and
    scikit-learn name it.

    Attributes:
        method: ``umap``, ``tsne`` or ``pca``.
        n_components: 2 or 3.
        n_neighbors: UMAP's neighbourhood size.
        min_dist: UMAP's minimum distance between embedded points.
        metric: ``cosine`` or ``euclidean``, for UMAP and t-SNE.
        perplexity: t-SNE's perplexity.
        random_state: The seed; the same seed gives the same coordinates.
    """

    method: Method = "umap"
    n_components: int = 2
    n_neighbors: int = 15
    min_dist: float = 0.1
    metric: str = "cosine"
    perplexity: float = 30.0
    random_state: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError(
                f"Unknown projection method '{self.method}'. Use one of: {', '.join(METHODS)}."
            )
        if self.n_components not in (2, 3):
            raise InputError(f"n_components must be 2 or 3, not {self.n_components}.")
        if self.metric not in _PROJECTION_METRICS:
            raise InputError(
                f"Unknown projection metric '{self.metric}'. Use one of: "
                f"{', '.join(_PROJECTION_METRICS)}."
            )
        if self.n_neighbors < 2:
            raise InputError(f"n_neighbors must be at least 2, not {self.n_neighbors}.")
        if not 0.0 <= self.min_dist <= 1.0:
            raise InputError(f"min_dist must be between 0 and 1, not {self.min_dist}.")
        if self.perplexity <= 0:
            raise InputError(f"perplexity must be positive, not {self.perplexity}.")

    def relevant(self) -> dict[str, object]:
        """The parameters that affect this method's result (for cache keys and display)."""
        values = asdict(self)
        unused = {
            "pca": ("n_neighbors", "min_dist", "metric", "perplexity", "random_state"),
            "umap": ("perplexity",),
            "tsne": ("n_neighbors", "min_dist"),
        }[self.method]
        return {name: value for name, value in values.items() if name not in unused}

    def key(self) -> str:
        """A short stable hash of :meth:`relevant`, for cache file names."""
        text = json.dumps(self.relevant(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Projection:
    """Coordinates and how they were made.

    Attributes:
        coordinates: Array of shape ``(n, n_components)``, float32.
        method: The method actually used (PCA when a tiny input forced a fallback).
        note: A sentence for the user when the result differs from what was asked, else "".
    """

    coordinates: FloatMatrix
    method: Method
    note: str = ""


def _pca(vectors: FloatMatrix, n_components: int) -> FloatMatrix:
    """PCA through the SVD; components beyond the data's rank are zero, so any ``n`` works."""
    centered = vectors.astype(np.float64) - vectors.mean(axis=0, keepdims=True)
    if centered.shape[0] < 2 or not np.any(centered):
        return np.zeros((vectors.shape[0], n_components), dtype=np.float32)
    u, s, _ = np.linalg.svd(centered, full_matrices=False)
    # Fix each component's sign so the same data always gives the same picture.
    signs = np.sign(u[np.argmax(np.abs(u), axis=0), np.arange(u.shape[1])])
    coordinates = (u * s) * np.where(signs == 0, 1, signs)
    result = np.zeros((vectors.shape[0], n_components), dtype=np.float32)
    available = min(n_components, coordinates.shape[1])
    result[:, :available] = coordinates[:, :available]
    return result


def _umap(vectors: FloatMatrix, params: ProjectionParams, knn: KnnGraph | None) -> FloatMatrix:
    import umap

    count = vectors.shape[0]
    n_neighbors = min(params.n_neighbors, count - 1)
    if knn is None or knn.metric != params.metric or knn.k < n_neighbors:
        knn = knn_graph(vectors, k=n_neighbors, metric=params.metric)
    precomputed = (knn.indices[:, :n_neighbors], knn.distances[:, :n_neighbors])
    reducer = umap.UMAP(
        n_components=params.n_components,
        n_neighbors=n_neighbors,
        min_dist=params.min_dist,
        metric=params.metric,
        random_state=params.random_state,
        precomputed_knn=precomputed,
        n_jobs=1,  # a fixed seed already forces one thread; saying so silences umap's warning
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(reducer.fit_transform(vectors), dtype=np.float32)


def _tsne(vectors: FloatMatrix, params: ProjectionParams) -> FloatMatrix:
    from sklearn.manifold import TSNE

    count = vectors.shape[0]
    # t-SNE needs perplexity below the number of points; a third of it keeps neighbourhoods sane.
    perplexity = min(params.perplexity, max(1.0, (count - 1) / 3))
    reducer = TSNE(
        n_components=params.n_components,
        perplexity=perplexity,
        metric=params.metric,
        init="pca",
        random_state=params.random_state,
        method="barnes_hut" if params.n_components <= 3 else "exact",
    )
    return np.asarray(reducer.fit_transform(vectors.astype(np.float32)), dtype=np.float32)


def project(
    vectors: FloatMatrix,
    params: ProjectionParams | None = None,
    *,
    knn: KnnGraph | None = None,
) -> Projection:
    """Project vectors to 2 or 3 dimensions.

    Inputs with fewer than :data:`MIN_POINTS_FOR_NONLINEAR` rows fall back to PCA (a single
    point sits at the origin), and the returned note says so.

    Args:
        vectors: Array of shape ``(n, d)``, finite.
        params: Method and parameters; the defaults give a 2-D UMAP.
        knn: A kNN graph of ``vectors`` to reuse for UMAP (see :func:`knn_graph`).

    Returns:
        The projection, coordinates of shape ``(n, n_components)``.

    Raises:
        InputError: No rows, not a 2-D matrix, or values that are not finite.
    """
    params = params or ProjectionParams()
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise InputError("There is nothing to project: the dataset has no rows.")
    if not np.all(np.isfinite(vectors)):
        raise InputError("The vectors contain NaN or infinite values; fix or drop those rows.")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count = vectors.shape[0]
    method: Method = params.method
    note = ""
    if method != "pca" and count < MIN_POINTS_FOR_NONLINEAR:
        note = (
            f"{method.upper() if method == 'umap' else 't-SNE'} needs at least "
            f"{MIN_POINTS_FOR_NONLINEAR} points; with {count} the map shows PCA instead."
        )
        method = "pca"
    if method == "pca":
        coordinates = _pca(vectors, params.n_components)
    elif method == "umap":
        coordinates = _umap(vectors, params, knn)
    else:
        coordinates = _tsne(vectors, params)
    return Projection(coordinates=coordinates, method=method, note=note)
