"""t-SNE of many rows goes through openTSNE, and keeps well-separated groups apart."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis import tsne
from embedding_space.analysis.projection import ProjectionParams, project


def test_a_large_t_sne_runs_through_open_tsne_and_keeps_groups_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    original = tsne._open_tsne

    def counted(*args: object, **kwargs: object) -> np.ndarray:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tsne, "OPEN_TSNE_ABOVE", 100)
    monkeypatch.setattr(tsne, "_open_tsne", counted)
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(3), 100)
    vectors = (np.eye(12)[groups] * 5 + rng.normal(size=(300, 12))).astype(np.float32)
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
