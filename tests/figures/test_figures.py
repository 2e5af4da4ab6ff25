"""Plotly figures: every row plotted once, ids in customdata, user text escaped."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from embedding_space.figures import (
    add_highlight_layer,
    add_query_layer,
    heatmap_figure,
    hover_label,
    scatter_figure,
)
from embedding_space.types import FloatMatrix

COORDS = np.random.default_rng(0).normal(size=(30, 2)).astype(np.float32)
TEXTS = [f"text {i}" for i in range(30)]


def _rows(figure: go.Figure) -> list[int]:
    return sorted(int(row[0]) for trace in figure.data for row in trace.customdata)


def test_hover_text_is_escaped_never_markup() -> None:
    label = hover_label('<script>alert("x")</script><b>bold</b> & more')
    assert "<script>" not in label and "<b>" not in label
    assert "&lt;script&gt;" in label and "&amp;" in label


def test_hover_text_is_wrapped_and_cut() -> None:
    label = hover_label("word " * 300, width=40, max_chars=200)
    assert label.count("<br>") >= 4
    assert label.endswith("…")


def test_categorical_colour_gives_one_trace_per_category_and_every_row_once() -> None:
    color = pd.Series(["a", "b", "c"] * 10)
    figure = scatter_figure(COORDS, TEXTS, color=color, color_name="group")
    assert [trace.name for trace in figure.data] == ["a", "b", "c"]
    assert _rows(figure) == list(range(30))
    first = figure.data[0]
    assert all(color[int(row[0])] == "a" for row in first.customdata)


def test_numeric_colour_uses_a_colour_scale() -> None:
    figure = scatter_figure(
        COORDS, TEXTS, color=pd.Series(np.linspace(0, 1, 30)), color_name="score"
    )
    assert len(figure.data) == 1
    assert figure.data[0].marker.showscale
    assert _rows(figure) == list(range(30))


def test_category_names_from_a_file_are_escaped_in_the_legend() -> None:
    color = pd.Series(["<img src=x onerror=alert(1)>"] * 30)
    figure = scatter_figure(COORDS, TEXTS, color=color, color_name="<i>col</i>")
    assert "<img" not in figure.data[0].name
    assert "<i>col" not in figure.layout.legend.title.text


def test_many_categories_leave_the_width_to_the_points_and_exports_list_them_all() -> None:
    from embedding_space.figures.points import with_full_legend

    color = pd.Series([f"c{i}" for i in range(30)])
    figure = scatter_figure(COORDS, TEXTS, color=color, height=640)
    assert not any(trace.showlegend for trace in figure.data), "no legend beside the map"
    assert figure.layout.height == 640
    exported = with_full_legend(figure)
    assert all(trace.showlegend for trace in exported.data)
    assert exported.layout.legend.orientation == "v" and exported.layout.legend.font.size == 10
    assert not any(trace.showlegend for trace in figure.data), "the map itself is unchanged"


def test_a_short_legend_sits_below_the_points_not_beside_them() -> None:
    figure = scatter_figure(COORDS, TEXTS, color=pd.Series(["a", "b", "c"] * 10))
    assert all(trace.showlegend for trace in figure.data)
    assert figure.layout.legend.orientation == "h" and figure.layout.legend.yanchor == "top"


def test_the_view_fits_the_bulk_of_the_points_not_a_far_outlier() -> None:
    from embedding_space.figures.points import fitted_range

    rng = np.random.default_rng(0)
    values = np.concatenate([rng.uniform(0, 10, 999), [1000.0]])
    low, high = fitted_range(values)
    assert -1 < low < 0.5 and 9.5 < high < 11, (low, high)
    few = fitted_range(np.array([0.0, 10.0, 1000.0]))
    assert few[0] < 0 and few[1] > 1000, "a small map shows every point"
    assert fitted_range(np.array([3.0, 3.0])) == (2.5, 3.5)
    assert fitted_range(np.array([np.nan])) == (-1.0, 1.0)


def test_the_map_view_is_fitted_but_still_holds_a_marked_outlier() -> None:
    from embedding_space.figures.layers import Highlight
    from embedding_space.figures.map import map_figure

    rng = np.random.default_rng(0)
    coords = np.vstack([rng.uniform(0, 10, (999, 2)), [[1000.0, 5.0]]]).astype(np.float32)
    texts = [str(i) for i in range(1000)]
    plain = map_figure(coords, texts)
    assert plain.layout.xaxis.range[1] < 11
    marked = map_figure(coords, texts, highlights=[Highlight([999], "clicked", "#f00")])
    assert marked.layout.xaxis.range[1] > 1000


def test_fewer_points_are_drawn_larger_within_bounds() -> None:
    from embedding_space.figures.points import point_size

    sizes = [point_size(count, 600) for count in (3, 40, 3_080, 20_000, 1_000_000)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] == 12 and sizes[-1] == 3
    assert 5 <= point_size(3_080, 600) <= 8
    assert point_size(40, 600, dims=3) <= 6
    few = scatter_figure(COORDS, TEXTS)
    assert few.data[0].marker.size > 6


def test_three_dimensional_map_uses_scatter3d() -> None:
    coords = np.random.default_rng(1).normal(size=(30, 3)).astype(np.float32)
    figure = scatter_figure(coords, TEXTS)
    assert {trace.type for trace in figure.data} == {"scatter3d"}


def test_layers_mark_rows_and_draw_the_query_with_lines() -> None:
    figure = scatter_figure(COORDS, TEXTS)
    add_highlight_layer(figure, COORDS, [3, 4], TEXTS, name="neighbours")
    add_query_layer(figure, COORDS[3], COORDS[[3, 4]], "<b>query</b>")
    names = [trace.name for trace in figure.data]
    assert "neighbours" in names and "query" in names
    neighbours = figure.data[names.index("neighbours")]
    assert [int(row[0]) for row in neighbours.customdata] == [3, 4]
    query = figure.data[names.index("query")]
    assert "<b>" not in query.hovertext[0]


def test_heatmap_hover_names_both_texts() -> None:
    matrix = np.eye(3, dtype=np.float32)
    figure = heatmap_figure(matrix, ["alpha", "beta", "<gamma>"], labels=["x", "y", "z"])
    assert figure.data[0].type == "heatmap"
    assert "alpha" in figure.data[0].customdata[0][1] and "beta" in figure.data[0].customdata[0][1]
    assert "&lt;gamma&gt;" in figure.data[0].customdata[2][2]


def test_highlights_in_3d_keep_open_rings_and_fall_back_for_unknown_symbols() -> None:
    coords = np.random.default_rng(1).normal(size=(30, 3)).astype(np.float32)
    figure = scatter_figure(coords, TEXTS)
    add_highlight_layer(figure, coords, [1, 2], TEXTS, name="neighbours", symbol="circle-open")
    add_highlight_layer(figure, coords, [3], TEXTS, name="clicked", symbol="star")
    assert figure.data[-2].marker.symbol == "circle-open"
    assert figure.data[-1].marker.symbol == "diamond"


def test_hover_names_the_colour_value_without_running_user_text_as_a_template() -> None:
    color = pd.Series(["%{x}<b>"] * 30)
    figure = scatter_figure(COORDS, TEXTS, color=color, color_name="kind")
    template = figure.data[0].hovertemplate
    assert "kind: %&#123;x&#125;&lt;b&gt;" in template
    numeric = scatter_figure(COORDS, TEXTS, color=pd.Series(np.arange(30.0)), color_name="score")
    assert "score: %{marker.color" in numeric.data[0].hovertemplate


def test_a_selection_dims_the_other_points_in_every_trace() -> None:
    from embedding_space.figures import mark_selection

    color = pd.Series(["a", "b"] * 15)
    figure = mark_selection(scatter_figure(COORDS, TEXTS, color=color), [0, 1, 2, 3])
    first, second = figure.data
    assert [int(first.customdata[i][0]) for i in first.selectedpoints] == [0, 2]
    assert [int(second.customdata[i][0]) for i in second.selectedpoints] == [1, 3]
    assert first.unselected.marker.opacity < 0.5


def test_a_long_category_is_cut_in_the_legend_but_whole_in_the_hover() -> None:
    long = "a very long label " * 10
    figure = scatter_figure(
        np.zeros((2, 2), np.float32), ["one", "two"], color=pd.Series([long, "short"])
    )
    names = sorted(trace.name for trace in figure.data)
    assert names[0].endswith("…") and len(names[0]) == 40
    assert long.strip() in figure.data[0].hovertemplate.replace("&#x27;", "'")


def test_cluster_labels_sit_at_their_clusters_and_a_crowded_one_moves_aside() -> None:
    from embedding_space.analysis.clustering import Clustering
    from embedding_space.figures import add_cluster_labels

    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [10, 0], [10.3, 0], [5, 10]], dtype=np.float32)
    labels = np.repeat([0, 1, 2, 3], [30, 20, 5, 10])
    coords = (centres[labels] + rng.normal(scale=0.05, size=(65, 2))).astype(np.float32)
    names = {0: "left <b>", 1: "right", 2: "tiny", 3: "top"}
    clustering = Clustering(labels.astype(np.int64), names)
    figure = scatter_figure(coords, ["t"] * 65)
    written = add_cluster_labels(figure, coords, clustering)
    notes = {note.text: (note.x, note.y) for note in figure.layout.annotations}
    assert set(notes) == {"<b>left &lt;b&gt;</b>", "<b>right</b>", "<b>tiny</b>", "<b>top</b>"}
    assert written.hidden == 0
    assert abs(notes["<b>right</b>"][0] - 10) < 0.6
    assert notes["<b>tiny</b>"][1] != notes["<b>right</b>"][1], "moved off its neighbour's"


def _covered_points(figure: go.Figure, coords: FloatMatrix) -> int:
    from embedding_space.figures.cluster_labels import CHAR_SHARE, LINE_SHARE

    spans = np.ptp(coords, axis=0)
    covered = np.zeros(len(coords), dtype=bool)
    for note in figure.layout.annotations:
        chars = len(note.text) - len("<b></b>")
        half_w, half_h = (chars + 2) * CHAR_SHARE * spans[0] / 2, LINE_SHARE * spans[1] / 2
        covered |= (np.abs(coords[:, 0] - note.x) < half_w) & (
            np.abs(coords[:, 1] - note.y) < half_h
        )
    return int(covered.sum())


def test_labels_on_a_small_map_never_cover_most_of_its_points_and_say_what_they_leave_out() -> None:
    from embedding_space.analysis.clustering import Clustering
    from embedding_space.figures import add_cluster_labels, hidden_cluster_labels

    rng = np.random.default_rng(3)
    coords = rng.normal(size=(12, 2)).astype(np.float32)
    labels = np.array([0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7, 7], dtype=np.int64)
    clustering = Clustering(labels, {i: f"words of cluster {i}" for i in range(8)})
    figure = scatter_figure(coords, ["t"] * 12)
    written = add_cluster_labels(figure, coords, clustering)
    assert _covered_points(figure, coords) <= 0.15 * 12
    assert len(written.written) + written.hidden == 8, "every cluster is labelled or counted"
    assert hidden_cluster_labels(figure) == written.hidden


def test_a_lopsided_clustering_keeps_a_label_for_every_cluster() -> None:
    from embedding_space.analysis.clustering import Clustering
    from embedding_space.figures import add_cluster_labels

    rng = np.random.default_rng(4)
    big = rng.normal(scale=3.0, size=(744, 2))
    small = [
        rng.normal(loc=centre, scale=0.3, size=(85, 2)) for centre in ((0, 1), (1, -1), (8, 8))
    ]
    coords = np.vstack([big, *small]).astype(np.float32)
    labels = np.repeat([0, 1, 2, 3], [744, 85, 85, 85]).astype(np.int64)
    clustering = Clustering(labels, {0: "the big one", 1: "inside a", 2: "inside b", 3: "apart"})
    figure = scatter_figure(coords, ["t"] * len(coords))
    written = add_cluster_labels(figure, coords, clustering)
    assert len(written.written) + written.hidden == 4
    assert len(written.written) == 4, "the two inside the big one find room beside it"


def test_an_exported_picture_carries_its_title_and_methods() -> None:
    from embedding_space.figures import with_caption

    figure = scatter_figure(COORDS, TEXTS)
    pictured = with_caption(figure, "My <data>", ["Model: m, 384 dimensions", "Projection: PCA"])
    assert pictured.layout.title.text == "My &lt;data&gt;"
    assert "Projection: PCA" in pictured.layout.annotations[-1].text
    assert figure.layout.title.text is None, "the figure on screen is unchanged"


def test_an_exported_pictures_legend_leaves_the_methods_their_place_under_the_map() -> None:
    from embedding_space.figures import with_caption

    labels = pd.Series(["a", "b"] * (len(TEXTS) // 2) + ["a"] * (len(TEXTS) % 2))
    figure = scatter_figure(COORDS, TEXTS, color=labels, color_name="label")
    assert figure.layout.legend.orientation == "h" and figure.layout.legend.y == 0
    pictured = with_caption(figure, "Shapes", ["Data: 4 rows", "Projection: PCA"])
    # The methods hang from the map's bottom edge (paper y 0, downwards): the legend sits
    # over the map instead, from its top edge upwards.
    assert (
        pictured.layout.annotations[-1].y == 0 and pictured.layout.annotations[-1].yanchor == "top"
    )
    assert (pictured.layout.legend.y, pictured.layout.legend.yanchor) == (1.0, "bottom")


def test_density_is_drawn_under_the_points_of_a_flat_map() -> None:
    from embedding_space.figures import add_density

    figure = add_density(scatter_figure(COORDS, TEXTS), COORDS)
    assert figure.data[0].type == "histogram2dcontour" and figure.data[1].type == "scattergl"


def test_a_label_of_a_cluster_at_the_maps_edge_stays_whole_inside_the_map() -> None:
    from embedding_space.analysis.clustering import Clustering
    from embedding_space.figures import add_cluster_labels
    from embedding_space.figures.cluster_labels import CHAR_SHARE

    rng = np.random.default_rng(5)
    centres = np.array([[0, 0], [10, 0], [5, 5]], dtype=np.float32)
    labels = np.repeat([0, 1, 2], [20, 20, 20])
    coords = (centres[labels] + rng.normal(scale=0.05, size=(60, 2))).astype(np.float32)
    names = {0: "identity, verify, verification", 1: "virtual, disposable, cards", 2: "mid"}
    figure = scatter_figure(coords, ["t"] * 60)
    add_cluster_labels(figure, coords, Clustering(labels.astype(np.int64), names))
    span = float(np.ptp(coords[:, 0]))
    for note in figure.layout.annotations:
        half_width = (len(note.text) - len("<b></b>") + 2) * CHAR_SHARE * span / 2
        assert note.x - half_width >= coords[:, 0].min() - 1e-6, note.text
        assert note.x + half_width <= coords[:, 0].max() + 1e-6, note.text
