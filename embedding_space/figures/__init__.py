"""Plotly figures of the space: the map with its layers, the similarity heatmap, and the
small charts beside them.

Pure functions from arrays to ``go.Figure``: the app shows them, the exports save them.
"""

from embedding_space.figures.annotations import MapNote, add_density, add_notes, with_caption
from embedding_space.figures.charts import agreement_histogram, concept_strip, title_concept_axes
from embedding_space.figures.cluster_labels import (
    HIDDEN_LABELS,
    ClusterLabels,
    add_cluster_labels,
    hidden_cluster_labels,
)
from embedding_space.figures.cluster_tree import (
    TREE_COLUMNS,
    cluster_tree_figure,
    cluster_tree_frame,
)
from embedding_space.figures.filter_charts import (
    CHART_HEIGHT,
    FILTERED_COLOR,
    SELECTED_COLOR,
    filter_chart,
)
from embedding_space.figures.heatmap import heatmap_figure
from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.figures.layers import (
    FOCUS_COLOR,
    MARK_COLOR,
    Highlight,
    QueryMark,
    add_highlight_layer,
    add_query_layer,
    focus_layer,
    mark_selection,
    matches_layer,
    neighbors_layer,
)
from embedding_space.figures.map import map_figure
from embedding_space.figures.points import is_categorical, scatter_figure

__all__ = [
    "CHART_HEIGHT",
    "FILTERED_COLOR",
    "FOCUS_COLOR",
    "HIDDEN_LABELS",
    "MARK_COLOR",
    "SELECTED_COLOR",
    "TREE_COLUMNS",
    "ClusterLabels",
    "Highlight",
    "MapNote",
    "QueryMark",
    "add_cluster_labels",
    "add_density",
    "add_highlight_layer",
    "add_notes",
    "add_query_layer",
    "agreement_histogram",
    "cluster_tree_figure",
    "cluster_tree_frame",
    "concept_strip",
    "filter_chart",
    "focus_layer",
    "heatmap_figure",
    "hidden_cluster_labels",
    "hover_label",
    "is_categorical",
    "map_figure",
    "mark_selection",
    "matches_layer",
    "neighbors_layer",
    "plain_label",
    "scatter_figure",
    "title_concept_axes",
    "with_caption",
]
