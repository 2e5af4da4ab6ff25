"""The map as the app and the exports draw it: the points and every layer on top.

User text is escaped by :mod:`~embedding_space.figures.labels` wherever it reaches plotly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from embedding_space.analysis.clustering import Clustering
from embedding_space.figures.annotations import add_cluster_labels, add_density
from embedding_space.figures.layers import (
    SELECTION_RING_COLOR,
    Highlight,
    QueryMark,
    add_highlight_layer,
    add_query_layer,
    mark_selection,
)
from embedding_space.figures.points import scatter_figure
from embedding_space.types import FloatMatrix

__all__ = ["map_figure"]


def map_figure(
    coordinates: FloatMatrix,
    texts: Sequence[str],
    *,
    revision: str = "map",
    color: pd.Series | None = None,
    color_name: str | None = None,
    highlights: Sequence[Highlight] = (),
    query: QueryMark | Sequence[QueryMark] | None = None,
    height: int = 640,
    hover: Sequence[str] | None = None,
    selected: Sequence[int] = (),
    size: pd.Series | None = None,
    size_name: str | None = None,
    clusters: Clustering | None = None,
    density: bool = False,
    color_scale: bool = False,
) -> go.Figure:
    """The map with its layers: points, the selection, highlighted rows, and a query.

    Args:
        coordinates: Array of shape ``(n, 2|3)``.
        texts: ``n`` texts for hover labels.
        revision: Keeps zoom and camera while it is unchanged (plotly ``uirevision``).
        color: Values to colour by, aligned with rows.
        color_name: Its column name.
        highlights: Layers of marked rows on top, drawn in order.
        query: A query point to draw, or several (texts dropped onto the map).
        height: Pixels for the points (a long legend adds to it).
        hover: Precomputed hover labels (see :func:`scatter_figure`).
        selected: Rows selected with box or lasso; the others are dimmed on a 2-D map and
            the selected ones ringed on a 3-D map (Scatter3d cannot dim points one by one).
        size: Values to size the markers by, aligned with rows.
        size_name: Its column name.
        clusters: Clusters of the rows whose labels are written at their centres.
        density: Shade where points crowd, under them (2-D only).
        color_scale: Colour by a scale even when the numbers take few values.

    Returns:
        The figure.
    """
    figure = scatter_figure(
        coordinates,
        texts,
        color=color,
        color_name=color_name,
        revision=revision,
        height=height,
        hover=hover,
        size=size,
        size_name=size_name,
        color_scale=color_scale,
    )
    if density:
        add_density(figure, coordinates)
    layers = list(highlights)
    if selected and coordinates.shape[1] == 2:
        mark_selection(figure, selected)
    elif selected:
        layers.insert(0, Highlight(selected, "selected", SELECTION_RING_COLOR, "circle-open", 8))
    for layer in layers:
        add_highlight_layer(
            figure,
            coordinates,
            layer.rows,
            texts,
            name=layer.name,
            color=layer.color,
            symbol=layer.symbol,
            size=layer.size,
        )
    marks = [query] if isinstance(query, QueryMark) else list(query or [])
    for position, mark in enumerate(marks):
        neighbor_points = coordinates[np.asarray(list(mark.neighbor_rows), dtype=np.intp)]
        shown = all(other.name != mark.name for other in marks[:position])
        add_query_layer(
            figure, mark.point, neighbor_points, mark.text, name=mark.name, show_legend=shown
        )
    if clusters is not None:
        add_cluster_labels(figure, coordinates, clusters)
    return figure
