"""The two levels of clusters as a table and a treemap: every fine cluster once under its
coarse one, weak labels marked, unscored ones not given a false colour, user text escaped."""

from __future__ import annotations

import numpy as np

from embedding_space.analysis.clustering import NOISE, Clustering
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality
from embedding_space.figures.cluster_tree import (
    TREE_COLUMNS,
    cluster_tree_figure,
    cluster_tree_frame,
)


def _hierarchy() -> ClusterHierarchy:
    # Fine 0, 1 (coarse 0) and 2 (coarse 1); two rows of noise.
    fine = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, NOISE, NOISE], dtype=np.int64)
    parent = {0: 0, 1: 0, 2: 1}
    coarse = np.array([parent.get(int(i), NOISE) for i in fine], dtype=np.int64)
    return ClusterHierarchy(
        Clustering(fine, {0: "cash, atm", 1: "<b>bold</b> {x}", 2: "card, pin"}),
        Clustering(coarse, {0: "money", 1: "cards"}),
        parent,
    )


def test_the_table_lists_each_fine_cluster_under_its_coarse_one_with_sizes_and_readings() -> None:
    frame = cluster_tree_frame(
        _hierarchy(), LabelQuality({0: 0.6, 1: 0.1, 2: 0.5}), LabelQuality({0: 0.2, 1: 0.4})
    )
    assert list(frame.columns) == list(TREE_COLUMNS)
    rows = frame[["Coarse cluster", "Coarse rows", "Cluster", "Rows", "Reading"]]
    assert rows.values.tolist() == [
        ["money", 5, "cash, atm", 3, "weak coarse label"],
        ["money", 5, "<b>bold</b> {x}", 2, "weak, weak coarse label"],
        ["cards", 4, "card, pin", 4, ""],
        ["noise", 2, "noise", 2, ""],
    ]
    assert frame["Label quality"].tolist()[:3] == [0.6, 0.1, 0.5]
    assert frame["Label quality"].isna().tolist()[3]


def test_the_treemap_marks_weak_labels_greys_unscored_ones_and_escapes_names() -> None:
    figure = cluster_tree_figure(_hierarchy(), LabelQuality({0: 0.6, 1: 0.1, 2: 0.5}))
    treemap = figure.data[0]
    assert list(treemap.ids) == ["c0", "c0/f0", "c0/f1", "c1", "c1/f2"]
    assert list(treemap.parents) == ["", "c0", "c0", "", "c1"]
    assert list(treemap.values) == [5, 3, 2, 4, 4]
    assert [list(at) for at in treemap.customdata] == [[0, -1], [0, 0], [0, 1], [1, -1], [1, 2]]
    colors = list(treemap.marker.colors)
    grey = colors[0]
    assert colors[3] == grey  # the coarse labels were not scored
    weak = colors[2]
    assert weak not in (grey, colors[1], colors[4]) and colors[1] != colors[4]
    assert "<b>" not in treemap.labels[2] and "{" not in treemap.labels[2]
    assert "&lt;b&gt;bold&lt;/b&gt;" in treemap.labels[2]
    assert "&lt;b&gt;" in treemap.hovertext[2]
