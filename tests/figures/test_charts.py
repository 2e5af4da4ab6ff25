"""The small charts: the agreement histogram counts every row, concept axes say their ends."""

from __future__ import annotations

import numpy as np

from embedding_space.analysis.comparison import compare_embeddings
from embedding_space.figures.charts import agreement_histogram, concept_strip, title_concept_axes
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


def test_a_one_axis_strip_keeps_each_position_and_spreads_the_dots_the_same_every_time() -> None:
    rng = np.random.default_rng(3)
    positions = rng.normal(scale=0.2, size=1_000).astype(np.float32)
    strip = concept_strip(positions)
    assert strip.shape == (1_000, 2)
    np.testing.assert_array_equal(strip[:, 0], positions)
    np.testing.assert_array_equal(concept_strip(positions)[:, 1], strip[:, 1])
    assert strip[:, 1].std() > 0.3, "the dots are spread across the strip, not on one line"
    assert np.abs(strip[:, 1]).max() <= 1.0
    # Rows next to each other on the axis land apart across it: few near-overlapping pairs.
    order = np.argsort(positions)
    assert np.median(np.abs(np.diff(strip[order, 1]))) > 0.3


def test_a_strip_is_widest_where_the_rows_crowd() -> None:
    crowd = np.linspace(-0.05, 0.05, 500)
    stragglers = np.array([0.9, 1.0])
    strip = concept_strip(np.concatenate([crowd, stragglers]).astype(np.float32))
    assert np.abs(strip[:500, 1]).max() > 0.8
    assert np.abs(strip[500:, 1]).max() < 0.3


def test_a_one_axis_concept_map_says_its_height_means_nothing() -> None:
    figure = map_figure(concept_strip(np.array([0.1, -0.2, 0.3], np.float32)), list("abc"))
    title_concept_axes(figure, ("hot", "cold"))
    assert figure.layout.xaxis.title.text == "← cold   ·   hot →"
    assert figure.layout.yaxis.title.text == "spread apart to be seen; height means nothing"
    assert figure.layout.yaxis.showticklabels is False
