"""t-SNE of many rows goes through openTSNE, and keeps well-separated groups apart."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis import tsne
from embedding_space.analysis.projection import ProjectionParams, project
from embedding_space.types import FloatMatrix


def _groups(per_group: int) -> tuple[FloatMatrix, np.ndarray]:
    """Three well-separated groups of ``per_group`` points in 12 dimensions, and their labels."""
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(3), per_group)
    vectors = (np.eye(12)[groups] * 5 + rng.normal(size=(len(groups), 12))).astype(np.float32)
    return vectors, groups


def test_only_a_2d_t_sne_of_more_rows_than_the_threshold_goes_to_open_tsne(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, float, str, int]] = []

    def recorded(
        vectors: FloatMatrix,
        perplexity: float,
        metric: str,
        random_state: int,
        init: FloatMatrix | None = None,
    ) -> FloatMatrix:
        calls.append((len(vectors), perplexity, metric, random_state))
        return np.zeros((len(vectors), 2), dtype=np.float32)

    monkeypatch.setattr(tsne, "OPEN_TSNE_ABOVE", 20)
    monkeypatch.setattr(tsne, "_open_tsne", recorded)
    vectors, _ = _groups(10)
    params = ProjectionParams(method="tsne", perplexity=5, metric="euclidean", random_state=3)
    assert project(vectors, params).coordinates.shape == (30, 2)
    assert calls == [(30, 5.0, "euclidean", 3)], "above the threshold, in 2-D: openTSNE"
    assert project(vectors[:20], params).coordinates.shape == (20, 2)
    three = project(vectors, ProjectionParams(method="tsne", n_components=3, perplexity=5))
    assert three.coordinates.shape == (30, 3)
    assert len(calls) == 1, "at the threshold, or in 3-D: scikit-learn"


# openTSNE's 750 FFT-accelerated iterations take several seconds even on a few hundred points.
@pytest.mark.slow
def test_a_large_t_sne_runs_through_open_tsne_and_keeps_groups_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    original = tsne._open_tsne

    def counted(
        vectors: FloatMatrix,
        perplexity: float,
        metric: str,
        random_state: int,
        init: FloatMatrix | None = None,
    ) -> FloatMatrix:
        calls.append(1)
        return original(vectors, perplexity, metric, random_state, init)

    monkeypatch.setattr(tsne, "OPEN_TSNE_ABOVE", 100)
    monkeypatch.setattr(tsne, "_open_tsne", counted)
    vectors, groups = _groups(100)
    result = project(vectors, ProjectionParams(method="tsne", perplexity=20))
    assert calls == [1]
    assert result.coordinates.shape == (300, 2)
    centres = np.stack([result.coordinates[groups == g].mean(axis=0) for g in range(3)])
    spread = max(
        np.linalg.norm(result.coordinates[groups == g] - centres[g], axis=1).mean()
        for g in range(3)
    )
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3)]
    assert min(gaps) > 2 * spread
