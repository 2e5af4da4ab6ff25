"""Projecting vectors to 2 or 3 dimensions with PCA, UMAP or t-SNE.

:data:`PARAMETERS` is the one table of projection parameters: names (scikit-learn's and
umap-learn's), types, defaults, bounds and labels. :class:`ProjectionParams` validates
against it, and the app's sliders, the URL parser and the command line are built from it, so
a bound written here holds everywhere.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar, cast, get_args

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.jobs import checkpoint
from embedding_space.analysis.neighbors import KnnGraph, knn_graph
from embedding_space.analysis.parameters import Parameter
from embedding_space.analysis.tsne import tsne_coordinates
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = [
    "METHODS",
    "METHOD_LABELS",
    "MIN_POINTS_FOR_NONLINEAR",
    "PARAMETERS",
    "PCA_FIRST_ABOVE",
    "Method",
    "Parameter",
    "Projection",
    "ProjectionParams",
    "params_text",
    "pca_basis",
    "project",
    "warm_up",
]

Method = Literal["umap", "tsne", "pca"]
METHODS: tuple[Method, ...] = get_args(Method)
METHOD_LABELS: dict[Method, str] = {"umap": "UMAP", "tsne": "t-SNE", "pca": "PCA"}
MIN_POINTS_FOR_NONLINEAR = 10
"""Below this many points UMAP and t-SNE say nothing PCA does not; PCA is used instead."""
_PCA_BLOCK = 65_536
PCA_FIRST_ABOVE = 200_000
"""Above this many rows the app's first look at a dataset is PCA: a UMAP or t-SNE of them
takes minutes on a laptop, and is computed only on request."""

_T = TypeVar("_T", int, float, str)


PARAMETERS: dict[str, Parameter] = {
    parameter.name: parameter
    for parameter in (
        Parameter(
            "method",
            str,
            "umap",
            "Projection",
            "How the vectors are laid out: UMAP keeps neighbourhoods, t-SNE clusters, PCA "
            "the directions of most variance.",
            methods=METHODS,
            choices=METHODS,
        ),
        Parameter(
            "n_components",
            int,
            2,
            "Dimensions",
            "A flat map or one to rotate.",
            methods=METHODS,
            choices=(2, 3),
        ),
        Parameter(
            "n_neighbors",
            int,
            15,
            "n_neighbors (UMAP)",
            "How many neighbours shape each point's place: small values keep local detail, "
            "large ones the overall layout.",
            methods=("umap",),
            low=2,
            high=100,
            step=1,
        ),
        Parameter(
            "min_dist",
            float,
            0.1,
            "min_dist (UMAP)",
            "How tightly UMAP may pack points together.",
            methods=("umap",),
            low=0.0,
            high=1.0,
            step=0.05,
        ),
        Parameter(
            "metric",
            str,
            "cosine",
            "Metric",
            "How distance is measured between vectors.",
            methods=("umap", "tsne"),
            choices=("cosine", "euclidean"),
        ),
        Parameter(
            "perplexity",
            float,
            30.0,
            "perplexity (t-SNE)",
            "About how many neighbours each point attends to.",
            methods=("tsne",),
            low=2.0,
            high=100.0,
            step=1.0,
        ),
        Parameter(
            "random_state",
            int,
            42,
            "random_state",
            "The seed: the same seed gives the same map.",
            methods=("umap", "tsne"),
            low=0,
            high=2**31 - 1,
            step=1,
        ),
    )
}
"""Every projection parameter, in the order they are shown."""


def _default(name: str, kind: type[_T]) -> _T:
    return PARAMETERS[name].typed_default(kind)


_DEFAULT_METHOD = cast(Method, _default("method", str))


@dataclass(frozen=True)
class ProjectionParams:
    """Everything that decides a projection's coordinates (see :data:`PARAMETERS`).

    Raises:
        InputError: A value is outside what :data:`PARAMETERS` allows.
    """

    method: Method = _DEFAULT_METHOD
    n_components: int = _default("n_components", int)
    n_neighbors: int = _default("n_neighbors", int)
    min_dist: float = _default("min_dist", float)
    metric: str = _default("metric", str)
    perplexity: float = _default("perplexity", float)
    random_state: int = _default("random_state", int)

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            object.__setattr__(self, name, PARAMETERS[name].value_of(value))

    def relevant(self) -> dict[str, object]:
        """The parameters that affect this method's result (for cache keys and display)."""
        return {
            name: value
            for name, value in asdict(self).items()
            if self.method in PARAMETERS[name].methods
        }

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
        params: The parameters it was made with (:meth:`ProjectionParams.relevant` as JSON);
            ``""`` for a map stored before they were kept.
        fitted_rows: How many of its rows, the first ones, the map was fitted on; the rows
            after them were added later and placed on it (``analysis.growth``). ``0``: all.
    """

    coordinates: FloatMatrix
    method: Method
    note: str = ""
    params: str = ""
    fitted_rows: int = 0

    @property
    def fitted(self) -> int:
        """The rows the map was fitted on (the first ones)."""
        return self.fitted_rows or len(self.coordinates)

    def parameters(self) -> ProjectionParams | None:
        """The parameters it was made with, or ``None`` when they were not kept."""
        if not self.params:
            return None
        return ProjectionParams(**json.loads(self.params))

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The projection as named arrays, for :func:`numpy.savez`."""
        return {
            "coordinates": self.coordinates,
            "method": np.array(self.method),
            "note": np.array(self.note),
            "params": np.array(self.params),
            "fitted_rows": np.array(self.fitted_rows),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> Projection:
        """The inverse of :meth:`to_arrays`.

        Raises:
            ValueError: The stored method is not one of :data:`METHODS`.
        """
        method = str(arrays["method"])
        if method not in METHODS:
            raise ValueError(f"unknown stored method {method!r}")
        return cls(
            coordinates=np.asarray(arrays["coordinates"], dtype=np.float32),
            method=method,
            note=str(arrays["note"]),
            params=str(arrays["params"]) if "params" in arrays else "",
            fitted_rows=int(arrays["fitted_rows"]) if "fitted_rows" in arrays else 0,
        )


def pca_basis(vectors: FloatMatrix, n_components: int) -> tuple[FloatMatrix, FloatMatrix]:
    """The mean and the signed principal axes a PCA map is made with.

    ``(vectors - mean) @ axes.T`` gives the map's coordinates, for the rows and for any new
    vector alike. Axes beyond the data's rank are zero, so any ``n_components`` works, and
    each axis's sign is fixed, so the same data always gives the same picture.

    Returns:
        ``mean`` of shape ``(d,)`` and ``axes`` of shape ``(n_components, d)``.
    """
    count, dimension = vectors.shape
    mean = vectors.mean(axis=0, dtype=np.float64)
    axes = np.zeros((n_components, dimension), dtype=np.float64)
    available = min(n_components, count, dimension)
    if count < 2 or available == 0:
        return mean.astype(np.float32), axes.astype(np.float32)
    # The eigenvectors of the d x d scatter matrix, summed in float64 a block of rows at a
    # time: an SVD of the rows themselves would hold an (n, d) float64 copy (3 GB at 1M rows).
    scatter = np.zeros((dimension, dimension), dtype=np.float64)
    for start in range(0, count, _PCA_BLOCK):
        block = vectors[start : start + _PCA_BLOCK].astype(np.float64) - mean
        scatter += block.T @ block
    if not np.any(scatter):
        return mean.astype(np.float32), axes.astype(np.float32)
    _, eigenvectors = np.linalg.eigh(scatter)
    leading = eigenvectors[:, ::-1][:, :available].T  # largest variance first
    # Fix each axis's sign: the row farthest along it lies on its positive side.
    reach = np.zeros(available)
    for start in range(0, count, _PCA_BLOCK):
        block = (vectors[start : start + _PCA_BLOCK].astype(np.float64) - mean) @ leading.T
        farther = np.abs(block).max(axis=0) > np.abs(reach)
        picked = block[np.abs(block).argmax(axis=0), np.arange(available)]
        reach = np.where(farther, picked, reach)
    axes[:available] = leading * np.where(reach < 0, -1.0, 1.0)[:, None]
    return mean.astype(np.float32), axes.astype(np.float32)


def _pca(vectors: FloatMatrix, n_components: int) -> FloatMatrix:
    mean, axes = pca_basis(vectors, n_components)
    return np.asarray((vectors - mean) @ axes.T, dtype=np.float32)


def _epochs_with_checkpoints(epochs: Iterable[int], **_progress_bar: object) -> Iterator[int]:
    """umap-learn's epoch loop without its progress bar: a checkpoint before every epoch."""
    for epoch in epochs:
        checkpoint()
        yield epoch


def _check_every_epoch() -> None:
    # umap-learn has no callback; its epoch loops iterate ``tqdm(range(n_epochs))``, a name
    # looked up in umap.layouts at each call. A checkpoint raised inside tqdm's own writing
    # would leave tqdm's process-wide lock held (its refresh releases it only on success) and
    # hang every later progress bar, model loads included; here it is raised between epochs,
    # outside any lock. The bar is never shown here (verbose is off), so nothing is lost.
    import umap.layouts

    umap.layouts.tqdm = _epochs_with_checkpoints


def _umap(
    vectors: FloatMatrix,
    params: ProjectionParams,
    knn: KnnGraph | None,
    init: FloatMatrix | None = None,
) -> FloatMatrix:
    import umap

    count = vectors.shape[0]
    # umap-learn's n_neighbors counts the point itself.
    n_neighbors = min(params.n_neighbors, count - 1)
    if knn is None or knn.metric != params.metric or knn.n_neighbors < n_neighbors - 1:
        knn = knn_graph(vectors, n_neighbors=n_neighbors - 1, metric=params.metric)
    checkpoint()
    _check_every_epoch()
    reducer = umap.UMAP(
        n_components=params.n_components,
        n_neighbors=n_neighbors,
        min_dist=params.min_dist,
        metric=params.metric,
        random_state=params.random_state,
        init="spectral" if init is None else np.asarray(init, dtype=np.float64),
        precomputed_knn=knn.umap_knn(n_neighbors),
        n_jobs=1,  # a fixed seed already forces one thread; saying so silences umap's warning
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(reducer.fit_transform(vectors), dtype=np.float32)


def project(
    vectors: FloatMatrix,
    params: ProjectionParams | None = None,
    *,
    knn: KnnGraph | None = None,
    init: FloatMatrix | None = None,
) -> Projection:
    """Project vectors to 2 or 3 dimensions.

    Inputs with fewer than :data:`MIN_POINTS_FOR_NONLINEAR` rows fall back to PCA (a single
    point sits at the origin), and the returned note says so.

    Args:
        vectors: Array of shape ``(n, d)``, finite.
        params: Method and parameters; the defaults give a 2-D UMAP.
        knn: A kNN graph of ``vectors`` to reuse for UMAP (see :func:`knn_graph`).
        init: Where UMAP and t-SNE start, shape ``(n, n_components)`` (a map computed
            again from the one before, so it stays near it); their own start when ``None``.

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
            f"{METHOD_LABELS[method]} needs at least "
            f"{MIN_POINTS_FOR_NONLINEAR} points; with {count} the map shows PCA instead."
        )
        method = "pca"
    if method == "pca":
        coordinates = _pca(vectors, params.n_components)
    elif method == "umap":
        coordinates = _umap(vectors, params, knn, init)
    else:
        coordinates = tsne_coordinates(
            vectors,
            n_components=params.n_components,
            perplexity=params.perplexity,
            metric=params.metric,
            random_state=params.random_state,
            init=init,
        )
    return Projection(coordinates=coordinates, method=method, note=note, params=params_text(params))


def params_text(params: ProjectionParams) -> str:
    """The parameters a map keeps of itself (see :attr:`Projection.params`)."""
    return json.dumps(params.relevant(), sort_keys=True)


def warm_up() -> None:
    """Fit UMAP once on a few random points, so that numba compiles its kernels now.

    The first UMAP of every process spends about 35 s compiling; a server calls this in the
    background when it starts, so its first visitor's map does not wait for that.
    """
    rng = np.random.default_rng(0)
    points = rng.normal(size=(64, 8)).astype(np.float32)
    project(points, ProjectionParams(n_neighbors=5), knn=knn_graph(points, n_neighbors=4))
