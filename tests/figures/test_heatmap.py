"""The similarity heatmap at 300 rows: a label strip wide enough to see, a legend naming its
colours (escaped), and the axis naming each block of rows with one label."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from embedding_space.figures.heatmap import LEGEND_LIMIT, STRIP_PIXELS, heatmap_figure

HEIGHT = 600


def _figure(labels: list[str]) -> go.Figure:
    size = len(labels)
    matrix = np.random.default_rng(0).uniform(size=(size, size)).astype(np.float32)
    texts = [f"text {row}" for row in range(size)]
    return heatmap_figure(
        matrix, texts, labels=labels, label_strip=True, label_name="topic", height=HEIGHT
    )


def _strip(figure: go.Figure) -> go.Heatmap:
    return next(trace for trace in figure.data if trace.name == "labels (rows)")


def _legend(figure: go.Figure) -> list[go.Scatter]:
    return [trace for trace in figure.data if trace.type == "scatter" and trace.showlegend]


def test_the_label_strip_at_300_rows_is_wide_enough_to_see() -> None:
    labels = [f"topic {row // 60}" for row in range(300)]
    strip = _strip(_figure(labels))
    rows_high = HEIGHT - 50 - 150  # the figure less its margins and the legend's room
    pixels = strip.dx * rows_high / (300 + 1.3 * strip.dx)
    assert pixels >= STRIP_PIXELS - 0.5, f"{pixels:.1f} px"
    assert strip.x0 + strip.dx / 2 < -0.5, "left of the matrix, not over it"
    small = _strip(_figure([f"topic {row // 2}" for row in range(10)]))
    assert small.dx == 1, "a few rows: the strip is one row wide"


def test_a_legend_names_each_label_in_the_strips_colour_escaped() -> None:
    labels = ["<b>bold</b>"] * 100 + ["plain"] * 100 + ["%{x}"] * 100
    figure = _figure(labels)
    legend = _legend(figure)
    names = [trace.name for trace in legend]
    assert names == ["%&#123;x&#125;", "&lt;b&gt;bold&lt;/b&gt;", "plain"]
    strip = _strip(figure)
    colours = {str(colour) for _, colour in strip.colorscale}
    assert {trace.marker.color for trace in legend} == colours, "the strip's own colours"
    assert figure.layout.legend.title.text == "topic"


def test_a_legend_of_many_labels_names_the_most_frequent() -> None:
    labels = [f"intent {row % 77}" for row in range(300)]
    legend = _legend(_figure(labels))
    assert len(legend) == LEGEND_LIMIT
    assert f"{LEGEND_LIMIT} of 77" in _figure(labels).layout.legend.title.text


def test_the_axis_names_each_block_of_rows_high_enough_for_its_label() -> None:
    labels = ["cooking"] * 150 + ["sport"] * 146 + ["lonely"] * 4
    axis = _figure(labels).layout.yaxis
    assert list(axis.ticktext) == ["cooking", "sport"], "a block of 4 rows has no room"
    assert list(axis.tickvals) == [74.5, 222.5]
