"""One colour for each category wherever it is drawn: the map, a sample of it, the heatmap's
label strip; clusters keep their colours when renamed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from embedding_space.analysis.clustering import Clustering
from embedding_space.figures.colors import (
    GREY,
    category_palette,
    cluster_categories,
)
from embedding_space.figures.heatmap import heatmap_figure
from embedding_space.figures.map import map_figure
from embedding_space.views.encodings import Encoding, map_encodings, named_clustering
from embedding_space.views.view import CLUSTER_COLOR, View
from tests.helpers import plotly_values

LABELS = ["cooking", "football", "astronomy", "banking", "cooking", "banking"]


def _colour_of_each_row(figure: dict[str, object] | object) -> dict[int, str]:
    """Row id -> the colour its marker is drawn in, from a map figure."""
    data = figure.to_plotly_json()["data"] if hasattr(figure, "to_plotly_json") else []
    colours: dict[int, str] = {}
    for trace in data:
        colour = trace.get("marker", {}).get("color")
        if isinstance(colour, str) and trace.get("customdata") is not None:
            for row in plotly_values(trace["customdata"]).tolist():
                colours[int(row)] = colour
    return colours


def _strip_colours(figure: go.Figure) -> dict[str, str]:
    """Label -> its colour in a heatmap's label strip (the strip along the rows)."""
    strip = next(trace for trace in figure.data if trace.name == "labels (rows)")
    codes = np.asarray(strip.z, dtype=float).ravel().astype(int)
    names = np.asarray(strip.customdata, dtype=object).ravel()
    scale = strip.colorscale
    return {str(name): scale[2 * code][1] for name, code in zip(names, codes, strict=True)}


def _clustering() -> Clustering:
    labels = np.array([0, 0, 1, 1, 2, 2, -1], dtype=np.int64)
    return Clustering(labels, {0: "zebra words", 1: "apple words", 2: "mango words"})


def _points(count: int) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(count, 2)).astype(np.float32)


def test_renaming_a_cluster_keeps_every_points_colour() -> None:
    clustering = _clustering()
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(7)]})
    view = View(dataset="d", color=CLUSTER_COLOR)

    def colours(named: Clustering) -> dict[int, str]:
        color = map_encodings(view, frame, "text", clustering=named, computed=_no_values).color
        figure = map_figure(_points(7), list(frame["text"]), color=color.values, color_name="c")
        return _colour_of_each_row(figure)

    before = colours(clustering)
    # "aardvark" sorts first: colours that followed the sorted names would all move.
    after = colours(named_clustering(clustering, {2: "aardvark"}))
    assert len(before) == 7 and after == before
    assert before[6] == GREY, "noise is grey"
    assert len({before[0], before[2], before[4]}) == 3


def _no_values(option: str) -> Encoding:
    raise AssertionError(f"nothing computed for a map coloured by clusters, asked {option}")


def test_a_cluster_takes_the_colour_of_its_id() -> None:
    palette = category_palette(cluster_categories(_clustering()))
    assert list(palette) == ["zebra words", "apple words", "mango words", "noise"]
    assert palette["noise"] == GREY


def test_the_heatmap_strip_colours_a_label_as_the_map_does_on_any_subset_of_rows() -> None:
    column = pd.Series(LABELS)
    map_colours = _colour_of_each_row(
        map_figure(_points(len(LABELS)), LABELS, color=column, color_name="topic")
    )
    colour_of_label = {LABELS[row]: colour for row, colour in map_colours.items()}
    # A selection of two labels: the strip gives them the map's colours, not the first two.
    subset = [1, 3, 5]
    strip = _strip_colours(
        heatmap_figure(
            np.eye(3, dtype=np.float32),
            [LABELS[row] for row in subset],
            labels=[LABELS[row] for row in subset],
            label_strip=True,
            label_colors=category_palette(column),
        )
    )
    assert strip == {"football": colour_of_label["football"], "banking": colour_of_label["banking"]}


def test_a_sampled_large_map_colours_its_points_as_the_whole_column_does() -> None:
    count = 400
    labels = pd.Series(["rare"] + [f"label {i % 5}" for i in range(count - 1)])
    palette = category_palette(labels)
    texts = [str(i) for i in range(count)]
    figure = map_figure(_points(count), texts, color=labels, point_budget=50)
    drawn = _colour_of_each_row(figure)
    assert 0 < len(drawn) < count, "a sample of the points is drawn"
    assert all(colour == palette[labels[row]] for row, colour in drawn.items())
