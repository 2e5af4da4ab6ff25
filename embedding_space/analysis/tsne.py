"""t-SNE coordinates: scikit-learn's Barnes-Hut for up to :data:`OPEN_TSNE_ABOVE` rows,
openTSNE's FFT-accelerated version beyond (minutes where Barnes-Hut takes hours)."""

from __future__ import annotations

import os

import numpy as np

from embedding_space.analysis.jobs import checkpoint, checkpointing
from embedding_space.types import FloatMatrix

__all__ = ["OPEN_TSNE_ABOVE", "tsne_coordinates"]

OPEN_TSNE_ABOVE = 20_000
"""2-D t-SNE of more rows than this runs through openTSNE."""


def tsne_coordinates(
    vectors: FloatMatrix,
    *,
    n_components: int,
    perplexity: float,
    metric: str,
    random_state: int,
    init: FloatMatrix | None = None,
) -> FloatMatrix:
    """The t-SNE of ``vectors``, initialised with PCA (or ``init``).

    Args:
        vectors: Array of shape ``(n, d)``.
        n_components: 2 or 3.
        perplexity: Cut to a third of the rows when larger.
        metric: ``cosine`` or ``euclidean``.
        random_state: The seed.
        init: Where the points start, shape ``(n, n_components)``; PCA when ``None``.
    """
    from sklearn.manifold import TSNE

    checkpoint()

    count = vectors.shape[0]
    # t-SNE needs perplexity below the number of points; a third of it keeps neighbourhoods sane.
    perplexity = min(perplexity, max(1.0, (count - 1) / 3))
    if count > OPEN_TSNE_ABOVE and n_components == 2:
        return _open_tsne(vectors, perplexity, metric, random_state, init)
    reducer = TSNE(
        n_components=n_components,
        perplexity=perplexity,
        metric=metric,
        init="pca" if init is None else np.asarray(init, dtype=np.float32),
        random_state=random_state,
        method="barnes_hut" if n_components <= 3 else "exact",
    )
    return np.asarray(reducer.fit_transform(vectors.astype(np.float32)), dtype=np.float32)


def _stop_if_abandoned(iteration: int, error: float, embedding: object) -> bool:
    checkpoint()
    return False


def _open_tsne(
    vectors: FloatMatrix,
    perplexity: float,
    metric: str,
    random_state: int,
    init: FloatMatrix | None = None,
) -> FloatMatrix:
    """openTSNE's FFT-accelerated t-SNE with approximate neighbours: minutes where
    scikit-learn's Barnes-Hut takes hours on large inputs."""
    import openTSNE

    reducer = openTSNE.TSNE(
        n_components=2,
        perplexity=perplexity,
        metric=metric,
        initialization="pca" if init is None else np.asarray(init, dtype=np.float32),
        neighbors="auto",
        negative_gradient_method="fft",
        random_state=random_state,
        n_jobs=os.cpu_count() or 1,
        verbose=False,
        # A running map nobody waits for stops here (scikit-learn's t-SNE offers no such hook).
        callbacks=_stop_if_abandoned if checkpointing() else None,
        callbacks_every_iters=10,
    )
    return np.asarray(reducer.fit(vectors.astype(np.float32)), dtype=np.float32)
