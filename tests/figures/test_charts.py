"""The small charts: the agreement histogram counts every row, concept axes say their ends."""

from __future__ import annotations

import numpy as np

from embedding_space.analysis.comparison import compare_embeddings
from embedding_space.figures.charts import agreement_histogram, title_concept_axes
from embedding_space.figures.map import map_figure


def test_the_agreement_histogram_holds_every_row_and_names_k() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 6)).astype(np.float32)
    noisy = (vectors + rng.normal(size=(60, 6)) * 0.3).astype(np.float32)
    comparison = compare_embeddings(vectors, noisy, k=5)
    figure = agreement_histogram(comparison)
    assert len(figure.data[0].x) == 60
    assert figure.layout.xaxis.title.text == "kNN agreement@5 (Jaccard)"


def test_concept_axes_are_titled_by_their_ends_as_plain_text() -> None:
    figure = map_figure(np.zeros((3, 2), np.float32), ["a", "b", "c"], revision="axes")
    title_concept_axes(figure, ("hot", "<b>cold</b>"), ("loud", "quiet"))
    assert figure.layout.xaxis.title.text == "← &lt;b&gt;cold&lt;/b&gt;   ·   hot →"
    assert figure.layout.yaxis.title.text == "← quiet   ·   loud →"
    assert figure.layout.xaxis.showticklabels and figure.layout.xaxis.zeroline
