"""Projection: shapes, seeds, tiny inputs, parameter checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from embedding_space.analysis.neighbors import knn_graph
from embedding_space.analysis.projection import (
    METHODS,
    Method,
    Projection,
    ProjectionParams,
    project,
)
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

Fitted = Callable[[Method, int], Projection]


@pytest.fixture(scope="module")
def blobs() -> FloatMatrix:
    """Three well-separated groups of 40 points in 32 dimensions."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 32)) * 10
    return np.vstack([c + rng.normal(size=(40, 32)) for c in centres]).astype(np.float32)


@pytest.fixture(scope="module")
def fitted(blobs: FloatMatrix) -> Fitted:
    """The blobs' projection by a method in 2 or 3 dimensions, with the default parameters,
    fitted once for the whole module: a t-SNE of them takes seconds, and several tests read
    the same one."""
    fits: dict[tuple[Method, int], Projection] = {}

    def fit(method: Method, dims: int) -> Projection:
        if (method, dims) not in fits:
            fits[method, dims] = project(blobs, ProjectionParams(method=method, n_components=dims))
        return fits[method, dims]

    return fit


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dims", [2, 3])
def test_projection_has_one_row_per_point_and_requested_dims(
    blobs: FloatMatrix, fitted: Fitted, method: Method, dims: int
) -> None:
    result = fitted(method, dims)
    assert result.coordinates.shape == (len(blobs), dims)
    assert result.coordinates.dtype == np.float32
    assert np.all(np.isfinite(result.coordinates))
    assert result.method == method


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_gives_same_coordinates(
    blobs: FloatMatrix, fitted: Fitted, method: Method
) -> None:
    # A second fit with the same (default) seed, against the module's first one.
    again = project(blobs, ProjectionParams(method=method)).coordinates
    np.testing.assert_array_equal(again, fitted(method, 2).coordinates)


@pytest.mark.parametrize("method", METHODS)
def test_groups_stay_apart_on_the_map(fitted: Fitted, method: Method) -> None:
    coords = fitted(method, 2).coordinates
    centres = np.array([coords[i * 40 : (i + 1) * 40].mean(axis=0) for i in range(3)])
    spread = max(
        np.linalg.norm(coords[i * 40 : (i + 1) * 40] - centres[i], axis=1).mean() for i in range(3)
    )
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > spread


@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dims", [2, 3])
def test_tiny_inputs_project_with_a_note(
    blobs: FloatMatrix, count: int, method: Method, dims: int
) -> None:
    result = project(blobs[:count], ProjectionParams(method=method, n_components=dims))
    assert result.coordinates.shape == (count, dims)
    assert np.all(np.isfinite(result.coordinates))
    if method != "pca":
        assert result.method == "pca"
        assert "PCA" in result.note


def test_two_different_points_do_not_collapse_onto_one(blobs: FloatMatrix) -> None:
    coords = project(blobs[[0, 50]], ProjectionParams(method="umap")).coordinates
    assert not np.allclose(coords[0], coords[1])


@pytest.fixture
def umap_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The keyword arguments of every ``umap.UMAP(...)`` made while the test runs."""
    import umap

    calls: list[dict[str, Any]] = []
    real = umap.UMAP

    def spy(**kwargs: object) -> object:
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(umap, "UMAP", spy)
    return calls


def test_umap_is_handed_the_given_knn_graph(
    blobs: FloatMatrix, umap_calls: list[dict[str, Any]]
) -> None:
    graph = knn_graph(blobs, n_neighbors=20, metric="cosine")
    project(blobs, ProjectionParams(n_neighbors=15), knn=graph)
    assert len(umap_calls) == 1
    indices, distances = umap_calls[0]["precomputed_knn"]
    # The very arrays of the given graph, not a graph built again.
    assert np.shares_memory(indices, graph.indices)
    # UMAP's n_neighbors=15 counts the row itself: the graph's first 15 columns, self first.
    np.testing.assert_array_equal(indices, graph.indices[:, :15])
    np.testing.assert_array_equal(distances, graph.distances[:, :15])


def test_umap_builds_its_own_graph_when_the_given_one_is_too_small(
    blobs: FloatMatrix, umap_calls: list[dict[str, Any]]
) -> None:
    small = knn_graph(blobs, n_neighbors=5, metric="cosine")
    project(blobs, ProjectionParams(n_neighbors=15), knn=small)
    indices, _ = umap_calls[0]["precomputed_knn"]
    assert not np.shares_memory(indices, small.indices)
    np.testing.assert_array_equal(indices, knn_graph(blobs, n_neighbors=14).umap_knn(15)[0])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"method": "mds"}, "method must be one of umap, tsne, pca, not 'mds'"),
        ({"n_components": 4}, "n_components must be one of 2, 3, not 4"),
        ({"metric": "manhattan"}, "metric must be one of cosine, euclidean"),
        ({"n_neighbors": 1}, "n_neighbors must be between 2 and 100, not 1"),
        ({"n_neighbors": 2.5}, "n_neighbors must be a whole number"),
        ({"min_dist": 2.0}, "min_dist must be between 0 and 1, not 2.0"),
        ({"perplexity": 0}, "perplexity must be between 2 and 100, not 0"),
        ({"random_state": -1}, "random_state must be between 0 and"),
    ],
)
def test_bad_parameters_raise_a_clear_input_error(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ProjectionParams(**params)


def test_empty_or_non_finite_input_is_refused(blobs: FloatMatrix) -> None:
    with pytest.raises(InputError, match="no rows"):
        project(np.zeros((0, 4), np.float32))
    broken = blobs.copy()
    broken[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        project(broken)


def test_cache_key_ignores_parameters_the_method_does_not_use() -> None:
    assert (
        ProjectionParams(method="pca", perplexity=5).key() == ProjectionParams(method="pca").key()
    )
    assert ProjectionParams(method="umap", n_neighbors=5).key() != ProjectionParams().key()
