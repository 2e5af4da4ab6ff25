"""Two embeddings of the same rows compared: itself, a rotation of itself, and noise."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis.agreement import neighbor_overlap
from embedding_space.analysis.comparison import (
    align_map,
    compare_embeddings,
    linear_cka,
)
from embedding_space.errors import InputError


def _space(rows: int = 300, dimension: int = 24, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    groups = rng.integers(0, 6, rows)
    centres = rng.normal(size=(6, dimension)) * 3
    return (centres[groups] + rng.normal(size=(rows, dimension))).astype(np.float32)


def test_an_embedding_compared_with_itself_agrees_everywhere() -> None:
    space = _space()
    result = compare_embeddings(space, space, k=10)
    assert result.knn_agreement == 1.0
    assert result.cka == pytest.approx(1.0)
    assert result.similarity_spearman == pytest.approx(1.0)


def test_a_rotation_keeps_every_neighbourhood() -> None:
    space = _space()
    rotation, _ = np.linalg.qr(np.random.default_rng(1).normal(size=(24, 24)))
    turned = (space @ rotation).astype(np.float32)
    result = compare_embeddings(space, turned, k=10)
    assert result.knn_agreement == pytest.approx(1.0)
    assert result.cka == pytest.approx(1.0, abs=1e-4)


def test_noise_agrees_about_as_often_as_chance() -> None:
    space = _space(rows=600)
    noise = np.random.default_rng(2).normal(size=(600, 16)).astype(np.float32)
    result = compare_embeddings(space, noise, k=10)
    # Jaccard of two random 10-sets out of 599: about 10/599 / (2 - 10/599).
    assert result.knn_agreement < 3 * result.chance
    assert result.cka < 0.2
    assert abs(result.similarity_spearman) < 0.1


def test_labels_give_each_model_its_knn_accuracy() -> None:
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 4, 400)
    good = (np.eye(8)[groups] * 4 + rng.normal(size=(400, 8))).astype(np.float32)
    poor = rng.normal(size=(400, 8)).astype(np.float32)
    result = compare_embeddings(good, poor, k=10, labels=groups.tolist())
    assert result.knn_accuracy_a > 0.95 > 0.5 > result.knn_accuracy_b
    assert result.silhouette_a > result.silhouette_b
    assert set(result.summary()) >= {"knn_accuracy_a", "knn_accuracy_b", "cka"}
    worst = result.most_disagreeing(5)
    assert all(result.agreement[row] <= result.agreement.mean() for row in worst)


def test_jaccard_share_and_cka_by_hand() -> None:
    first = np.array([[1, 2, 3], [0, 2, 3], [5, 6, 7]])
    second = np.array([[1, 2, 4], [0, 2, 3], [8, 9, 4]])
    np.testing.assert_allclose(
        neighbor_overlap(first, second, measure="jaccard"), [2 / 4, 1.0, 0.0]
    )
    np.testing.assert_allclose(neighbor_overlap(first, second), [2 / 3, 1.0, 0.0])
    # A map's recall reads a longer list against a shorter one.
    np.testing.assert_allclose(neighbor_overlap(first[:, :2], second), [1.0, 1.0, 0.0])
    a = np.random.default_rng(4).normal(size=(50, 5)).astype(np.float32)
    assert linear_cka(a, 3 * a + 1) == pytest.approx(1.0)


def test_a_turned_map_is_turned_back() -> None:
    reference = np.random.default_rng(5).normal(size=(100, 2)).astype(np.float32)
    angle = 1.1
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (reference @ turn * 2.5 + [4, -1]).astype(np.float32)
    np.testing.assert_allclose(align_map(reference, moved), reference, atol=1e-4)


def test_different_rows_are_refused() -> None:
    with pytest.raises(InputError, match="same rows"):
        compare_embeddings(_space(rows=30), _space(rows=31))
