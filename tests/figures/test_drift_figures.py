"""Drift's figures: the density difference is positive where the batch crowds and negative
where only the reference is; the share chart pairs each region's two shares; user text is
escaped."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from embedding_space.analysis.drift import ClusterShare
from embedding_space.figures.drift import cluster_share_chart
from embedding_space.figures.drift_map import add_density_difference, density_difference


def _two_blobs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    left = rng.normal((-5, 0), 0.5, size=(200, 2))
    right = rng.normal((5, 0), 0.5, size=(200, 2))
    coordinates = np.vstack([left, right]).astype(np.float32)
    reference = np.r_[np.arange(0, 150), np.arange(200, 250)]  # mostly left
    batch = np.r_[np.arange(150, 200), np.arange(250, 400)]  # mostly right
    return coordinates, reference, batch


def test_the_difference_is_positive_where_the_batch_crowds_and_sums_to_zero() -> None:
    coordinates, reference, batch = _two_blobs()
    difference = density_difference(coordinates, reference, batch, bins=40)
    assert difference.z.shape == (40, 40)
    assert difference.z.sum() == pytest.approx(0, abs=1e-9)  # two shares, each summing to 1
    right = difference.x > 0
    assert difference.z[:, right].sum() == pytest.approx(0.5, abs=0.01)  # 0.75 - 0.25
    assert difference.z[:, ~right].sum() == pytest.approx(-0.5, abs=0.01)
    row, column = np.unravel_index(np.argmax(difference.z), difference.z.shape)
    assert difference.x[column] > 3 and abs(difference.y[row]) < 1.5


def test_the_layer_goes_under_the_points_with_a_symmetric_scale() -> None:
    coordinates, reference, batch = _two_blobs()
    figure = go.Figure(go.Scattergl(x=coordinates[:, 0], y=coordinates[:, 1], mode="markers"))
    add_density_difference(
        figure, density_difference(coordinates, reference, batch), batch_name="<b>dec</b>"
    )
    layer = figure.data[0]
    assert layer.type == "heatmap" and figure.data[1].type == "scattergl"
    assert layer.zmin == -layer.zmax
    assert "&lt;b&gt;dec&lt;/b&gt;" in layer.colorbar.ticktext[-1]


def test_the_share_chart_pairs_the_two_shares_of_each_region_and_says_emptied() -> None:
    shares = [ClusterShare(2, 0.3, 0.0, 7), ClusterShare(0, 0.7, 1.0, 3)]
    figure = cluster_share_chart(shares, ["<a href='x'>lost</a>", "cards"], batch_name="dec")
    reference, batch = figure.data
    assert list(reference.x) == [0.3, 0.7] and list(batch.x) == [0.0, 1.0]
    ticks = list(figure.layout.yaxis.ticktext)
    assert ticks[0].endswith("· emptied") and "<a" not in ticks[0]
    assert ticks[1] == "cards"
