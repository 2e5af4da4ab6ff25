"""Neighbour search, the kNN graph and the similarity matrix."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis.neighbors import knn_graph, top_k
from embedding_space.analysis.similarity import cluster_order, pairwise, scores_against
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix


@pytest.fixture(scope="module")
def vectors() -> FloatMatrix:
    rng = np.random.default_rng(1)
    return rng.normal(size=(60, 16)).astype(np.float32)


@pytest.mark.parametrize("metric", ["cosine", "dot", "euclidean"])
def test_top_k_matches_brute_force_best_first(vectors: FloatMatrix, metric: str) -> None:
    query = vectors[0] + 0.01
    found = top_k(vectors, query, k=5, metric=metric)
    scores = scores_against(vectors, query, metric)
    expected = np.argsort(scores)[:5] if metric == "euclidean" else np.argsort(-scores)[:5]
    assert [n.row for n in found] == expected.tolist()
    assert [n.rank for n in found] == [1, 2, 3, 4, 5]
    assert found[0].row == 0


def test_excluded_row_is_not_its_own_neighbour(vectors: FloatMatrix) -> None:
    found = top_k(vectors, vectors[3], k=59, exclude=3)
    assert 3 not in [n.row for n in found]
    assert len(found) == 59


def test_k_larger_than_dataset_returns_every_row(vectors: FloatMatrix) -> None:
    assert len(top_k(vectors[:4], vectors[0], k=10)) == 4


def test_cosine_scores_ignore_vector_length(vectors: FloatMatrix) -> None:
    scaled = vectors * 7.0
    np.testing.assert_allclose(
        scores_against(scaled, vectors[0], "cosine"),
        scores_against(vectors, vectors[0], "cosine"),
        atol=1e-5,
    )


def test_unknown_metric_or_bad_k_raise_clear_errors(vectors: FloatMatrix) -> None:
    with pytest.raises(InputError, match="Unknown metric 'manhattan'"):
        top_k(vectors, vectors[0], metric="manhattan")
    with pytest.raises(InputError, match="k must be at least 1"):
        top_k(vectors, vectors[0], k=0)


def test_query_with_wrong_dimension_is_refused(vectors: FloatMatrix) -> None:
    with pytest.raises(InputError, match="same model"):
        top_k(vectors, np.ones(3, np.float32))


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_knn_graph_neighbours_are_the_true_nearest_other_rows(
    vectors: FloatMatrix, metric: str
) -> None:
    graph = knn_graph(vectors, n_neighbors=5, metric=metric)
    assert graph.n_neighbors == 5
    ids = graph.neighbor_ids(5)
    assert ids.shape == (60, 5)
    for row in (0, 17, 59):
        expected = [n.row for n in top_k(vectors, vectors[row], k=5, metric=metric, exclude=row)]
        assert ids[row].tolist() == expected
    assert (np.diff(graph.distances, axis=1) >= -1e-6).all()


def test_knn_graph_gives_umap_each_row_first_even_among_duplicates() -> None:
    same = np.ones((4, 3), np.float32)
    indices, distances = knn_graph(same, n_neighbors=2).umap_knn(3)
    assert indices.shape == (4, 3)
    assert (indices[:, 0] == np.arange(4)).all()
    assert (distances[:, 0] == 0).all()
    assert not (knn_graph(same, n_neighbors=2).neighbor_ids(2) == np.arange(4)[:, None]).any()


def test_knn_graph_of_a_small_dataset_holds_every_other_row() -> None:
    graph = knn_graph(np.eye(3, dtype=np.float32), n_neighbors=15)
    assert graph.n_neighbors == 2
    assert sorted(graph.neighbor_ids(10)[0].tolist()) == [1, 2]


def test_umap_asking_for_more_neighbours_than_the_graph_holds_is_refused(
    vectors: FloatMatrix,
) -> None:
    with pytest.raises(InputError, match="n_neighbors=15"):
        knn_graph(vectors, n_neighbors=5).umap_knn(15)


def test_pairwise_matrix_is_symmetric_with_unit_diagonal(vectors: FloatMatrix) -> None:
    matrix = pairwise(vectors[:10])
    np.testing.assert_allclose(matrix, matrix.T, atol=1e-6)
    np.testing.assert_allclose(np.diag(matrix), 1.0, atol=1e-5)
    assert np.allclose(np.diag(pairwise(vectors[:10], "euclidean")), 0.0)


def test_cluster_order_puts_each_group_in_one_block() -> None:
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(3, 16)) * 5
    groups = np.repeat([0, 1, 2], 8)
    rng.shuffle(groups)
    points = (centres[groups] + rng.normal(size=(24, 16)) * 0.3).astype(np.float32)
    order = cluster_order(pairwise(points), "cosine")
    assert sorted(order.tolist()) == list(range(24))
    runs = 1 + int(np.sum(np.diff(groups[order]) != 0))
    assert runs == 3
