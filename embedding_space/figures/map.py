"""The map as the app and the exports draw it: the points and every layer on top.

User text is escaped by :mod:`~embedding_space.figures.labels` wherever it reaches plotly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go

from embedding_space.analysis.clustering import Clustering
from embedding_space.figures.annotations import add_density
from embedding_space.figures.cluster_labels import add_cluster_labels
from embedding_space.figures.colors import category_colors, fixed_categories
from embedding_space.figures.layers import (
    SELECTION_RING_COLOR,
    Highlight,
    QueryMark,
    add_highlight_layer,
    add_query_layer,
    mark_selection,
)
from embedding_space.figures.point_images import add_point_images
from embedding_space.figures.points import fitted_range, is_categorical, scatter_figure
from embedding_space.figures.raster import (
    POINT_BUDGET,
    SAMPLE_POINTS,
    add_density_image,
)
from embedding_space.rows import sample_rows
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
    point_budget: int = POINT_BUDGET,
    shown: Sequence[int] | npt.NDArray[np.intp] | None = None,
    pictures: Sequence[str] | None = None,
) -> go.Figure:
    """The map with its layers: points, the selection, highlighted rows, and a query.

    A map of more than ``point_budget`` rows draws every row in a density image and a
    sample of them as points (see :mod:`~embedding_space.figures.raster`); highlighted layers
    larger than the sample are sampled too, and their legend says so.

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
        point_budget: The most rows drawn as points.
        shown: The rows drawn (those passing a view's filters), sorted; every row when
            ``None``. The others are left out of the points, the density and the layers, but
            keep their place: row ids, colours and the axes stay those of the whole map.
        pictures: Every row's thumbnail as a ``data:`` URI: a 2-D map of at most
            :data:`~embedding_space.figures.point_images.IMAGE_POINTS` points then draws
            each point as its picture (see :func:`add_point_images`).

    Returns:
        The figure.
    """
    kept = None if shown is None else np.asarray(list(shown), dtype=np.intp)
    count = len(coordinates) if kept is None else len(kept)
    large = count > point_budget
    if color is not None and not color_scale and is_categorical(color):
        color = fixed_categories(color)  # a sample's categories take the whole column's colours
    drawn = sample_rows(count, min(SAMPLE_POINTS, point_budget)) if large else None
    if kept is not None:
        drawn = kept if drawn is None else kept[drawn]
        highlights = [_among(layer, kept) for layer in highlights]
    figure = scatter_figure(
        coordinates if drawn is None else coordinates[drawn],
        texts if drawn is None else [texts[row] for row in drawn],
        color=color if color is None or drawn is None else color.iloc[drawn],
        color_name=color_name,
        revision=revision,
        height=height,
        hover=hover if hover is None or drawn is None else [hover[row] for row in drawn],
        size=size if size is None or drawn is None else size.iloc[drawn],
        size_name=size_name,
        color_scale=color_scale,
        row_ids=drawn,
    )
    if kept is not None and coordinates.shape[1] == 2:
        # The whole map's frame: a filter hides points, it does not move the others.
        figure.update_xaxes(range=fitted_range(coordinates[:, 0]))
        figure.update_yaxes(range=fitted_range(coordinates[:, 1]))
    if pictures is not None:
        rows = np.arange(len(coordinates)) if drawn is None else drawn
        add_point_images(figure, coordinates, pictures, rows.tolist(), bright=set(selected))
    if large and coordinates.shape[1] == 2:
        if kept is None:
            _add_density_of_all(figure, coordinates, color, color_scale)
        else:
            part = None if color is None else color.iloc[kept]
            _add_density_of_all(figure, coordinates[kept], part, color_scale)
    elif density:
        add_density(figure, coordinates if kept is None else coordinates[kept])
    layers = list(highlights)
    if selected and coordinates.shape[1] == 2:
        mark_selection(figure, selected)
    elif selected:
        layers.insert(0, Highlight(selected, "selected", SELECTION_RING_COLOR, "circle-open", 8))
    for layer in (_within_budget(layer, point_budget) for layer in layers):
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
        first = all(other.name != mark.name for other in marks[:position])
        add_query_layer(
            figure, mark.point, neighbor_points, mark.text, name=mark.name, show_legend=first
        )
    if clusters is not None:
        add_cluster_labels(figure, coordinates, clusters)
    if coordinates.shape[1] == 2:
        marked = [row for layer in layers if len(layer.rows) <= _KEPT_IN_VIEW for row in layer.rows]
        _keep_in_view(
            figure,
            np.vstack(
                [
                    coordinates[np.asarray(marked, dtype=np.intp)].reshape(-1, 2),
                    np.asarray([mark.point for mark in marks], dtype=float).reshape(-1, 2),
                ]
            ),
        )
    return figure


_KEPT_IN_VIEW = 200
"""Marked layers of up to this many rows (a click, its neighbours, a query) widen the fitted
view to hold them, should they lie among the outliers it leaves out."""


def _keep_in_view(figure: go.Figure, points: FloatMatrix) -> None:
    """Widen the 2-D view's ranges, if needed, to hold ``points`` (shape ``(m, 2)``)."""
    if not len(points):
        return
    for axis, values in ((figure.layout.xaxis, points[:, 0]), (figure.layout.yaxis, points[:, 1])):
        if axis.range is None:
            continue
        low, high = axis.range
        margin = (high - low) * 0.04
        axis.range = (
            min(low, float(np.min(values)) - margin),
            max(high, float(np.max(values)) + margin),
        )


def _add_density_of_all(
    figure: go.Figure, coordinates: FloatMatrix, color: pd.Series | None, color_scale: bool
) -> None:
    """The density image of every row, in the colours the points use."""
    if color is None:
        add_density_image(figure, coordinates)
    elif not color_scale and is_categorical(color):
        categories, colors = category_colors(color)
        add_density_image(figure, coordinates, categories=categories, colors=colors)
    else:
        values = pd.to_numeric(color, errors="coerce").to_numpy(dtype=float)
        add_density_image(figure, coordinates, values=values)


def _among(layer: Highlight, kept: npt.NDArray[np.intp]) -> Highlight:
    """A layer less the rows a filter leaves out of the map."""
    rows = np.asarray(list(layer.rows), dtype=np.intp)
    rows = rows[np.isin(rows, kept)]
    return Highlight(rows.tolist(), layer.name, layer.color, layer.symbol, layer.size)


def _within_budget(layer: Highlight, budget: int) -> Highlight:
    """A layer of more rows than a large map draws: a sample of them, named as such."""
    rows = list(layer.rows)
    if len(rows) <= budget:
        return layer
    kept = [rows[index] for index in sample_rows(len(rows), min(SAMPLE_POINTS, budget))]
    name = f"{layer.name} ({len(kept):,} of {len(rows):,} drawn)"
    return Highlight(kept, name, layer.color, layer.symbol, layer.size)
