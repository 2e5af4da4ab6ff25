"""Projection: shapes, seeds, tiny inputs, parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.errors import InputError
from embedding_space.neighbors import knn_graph
from embedding_space.projection import METHODS, ProjectionParams, project


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """Three well-separated groups of 40 points in 32 dimensions."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 32)) * 10
    return np.vstack([c + rng.normal(size=(40, 32)) for c in centres]).astype(np.float32)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dims", [2, 3])
def test_projection_has_one_row_per_point_and_requested_dims(blobs, method, dims) -> None:  # type: ignore[no-untyped-def]
    result = project(blobs, ProjectionParams(method=method, n_components=dims))
    assert result.coordinates.shape == (len(blobs), dims)
    assert result.coordinates.dtype == np.float32
    assert np.all(np.isfinite(result.coordinates))
    assert result.method == method


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_gives_same_coordinates(blobs, method) -> None:  # type: ignore[no-untyped-def]
    a = project(blobs, ProjectionParams(method=method, random_state=3)).coordinates
    b = project(blobs, ProjectionParams(method=method, random_state=3)).coordinates
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", METHODS)
def test_groups_stay_apart_on_the_map(blobs, method) -> None:  # type: ignore[no-untyped-def]
    coords = project(blobs, ProjectionParams(method=method)).coordinates
    centres = np.array([coords[i * 40 : (i + 1) * 40].mean(axis=0) for i in range(3)])
    spread = max(
        np.linalg.norm(coords[i * 40 : (i + 1) * 40] - centres[i], axis=1).mean() for i in range(3)
    )
    gaps = [np.linalg.norm(centres[i] - centres[j]) for i in range(3) for j in range(i + 1, 3)]
    assert min(gaps) > spread


@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dims", [2, 3])
def test_tiny_inputs_project_with_a_note(blobs, count, method, dims) -> None:  # type: ignore[no-untyped-def]
    result = project(blobs[:count], ProjectionParams(method=method, n_components=dims))
    assert result.coordinates.shape == (count, dims)
    assert np.all(np.isfinite(result.coordinates))
    if method != "pca":
        assert result.method == "pca"
        assert "PCA" in result.note


def test_two_different_points_do_not_collapse_onto_one(blobs) -> None:  # type: ignore[no-untyped-def]
    coords = project(blobs[[0, 50]], ProjectionParams(method="umap")).coordinates
    assert not np.allclose(coords[0], coords[1])


def test_umap_reuses_a_precomputed_knn_graph(blobs) -> None:  # type: ignore[no-untyped-def]
    graph = knn_graph(blobs, k=15, metric="cosine")
    with_graph = project(blobs, ProjectionParams(), knn=graph).coordinates
    without = project(blobs, ProjectionParams()).coordinates
    np.testing.assert_allclose(with_graph, without, atol=1e-4)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"method": "mds"}, "Unknown projection method 'mds'"),
        ({"n_components": 4}, "n_components must be 2 or 3"),
        ({"metric": "manhattan"}, "Unknown projection metric"),
        ({"n_neighbors": 1}, "n_neighbors"),
        ({"min_dist": 2.0}, "min_dist"),
        ({"perplexity": 0}, "perplexity"),
    ],
)
def test_bad_parameters_raise_a_clear_input_error(params, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        ProjectionParams(**params)


def test_empty_or_non_finite_input_is_refused(blobs) -> None:  # type: ignore[no-untyped-def]
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
