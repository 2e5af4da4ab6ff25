"""The points of the map: one marker per row, coloured by a column.

Every trace carries the row ids in ``customdata``, so a click or a selection maps back to rows
whatever the colouring or the order of traces.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go

from embedding_space.figures.colors import MAX_LEGEND_CATEGORIES, PALETTE, category_colors
from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.figures.style import HOVER_LABEL
from embedding_space.types import FloatMatrix

__all__ = [
    "LEGEND_LIMIT",
    "MAX_LEGEND_CATEGORIES",
    "PALETTE",
    "category_colors",
    "fitted_range",
    "is_categorical",
    "point_size",
    "point_trace",
    "scatter_figure",
    "with_full_legend",
]

_CATEGORY = "category"
"""The ``meta`` of the traces that hold one category's points each."""
_SHORT_LEGEND_CHARS = 24
LEGEND_LIMIT = 20
"""Past this many categories the map draws no legend of its own: a column of 77 names takes a
quarter of the plot's width. The app lists them in a searchable control instead, and the
exports put the whole legend back (:func:`with_full_legend`)."""
_LEGEND_CHARS = 40
"""Longer category names are cut in the legend (the hover shows them whole), so a long label
cannot squeeze the map."""
_MARKER_SIZE_2D = (3.0, 12.0)
_MARKER_SIZE_3D = (2.0, 6.0)
"""The smallest and largest marker, in pixels, whatever the number of points."""
_ASPECT = 1.5
"""About how much wider than high the plot is on screen (its width is the browser's)."""
_OUTLIER_PERCENT = 0.5
"""The view leaves out this percentage of the points at each end of each axis..."""
_ALL_POINTS_UNDER = 200
"""...when there are at least this many points; a small map shows every point."""
_VIEW_MARGIN = 0.04
"""Room around the fitted points, as a share of their span on each side."""


def point_size(count: int, height: int, dims: int = 2) -> float:
    """A marker size for ``count`` points on a plot ``height`` pixels high: about 0.6 of the side
    of the square each point would get if they shared the plot evenly, within bounds. Few
    points are drawn large, many small, so neither leaves the plot looking empty or smeared.

    Args:
        count: How many points are drawn.
        height: The plot's height in pixels (its width is taken as ``1.5 ×`` that).
        dims: 2 or 3; a 3-D scene's markers are smaller (they overlap in depth).

    Returns:
        The marker diameter in pixels.
    """
    low, high = _MARKER_SIZE_3D if dims == 3 else _MARKER_SIZE_2D
    share = (_ASPECT * height * height / max(count, 1)) ** 0.5
    scale = 0.35 if dims == 3 else 0.6
    return round(float(np.clip(scale * share, low, high)), 1)


def fitted_range(values: npt.ArrayLike) -> tuple[float, float]:
    """An axis range fitted to the points: from the 0.5th to the 99.5th percentile (every
    point when there are fewer than 200) with a margin of 4 % of that span on each side, so
    a few far outliers do not shrink the rest into the middle of the plot. Zooming out (a
    scroll, or the modebar's autoscale) still shows every point.

    Args:
        values: One coordinate of every point, shape ``(n,)``.

    Returns:
        ``(low, high)``; a span of 1 around the value when all values are equal, ``(-1, 1)``
        for no finite values.
    """
    numbers = np.asarray(values, dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        return -1.0, 1.0
    if numbers.size < _ALL_POINTS_UNDER:
        low, high = float(numbers.min()), float(numbers.max())
    else:
        low, high = (
            float(v) for v in np.percentile(numbers, [_OUTLIER_PERCENT, 100 - _OUTLIER_PERCENT])
        )
    if high - low <= 1e-12 * max(1.0, abs(low)):
        return low - 0.5, high + 0.5
    margin = (high - low) * _VIEW_MARGIN
    return low - margin, high + margin


def _sizes(
    size: pd.Series | None, size_name: str | None, base: float, count: int
) -> tuple[npt.NDArray[np.float64] | None, npt.NDArray[np.object_] | None, str]:
    """Marker sizes (area proportional to the value), their hover text, and the hover line."""
    if size is None:
        return None, None, ""
    numbers = pd.to_numeric(size, errors="coerce").to_numpy(dtype=float)
    if len(numbers) != count:
        raise ValueError("size needs one value per point")
    finite = numbers[np.isfinite(numbers)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    spread = (numbers - low) / (high - low) if high > low else np.full(count, 0.5)
    sizes = base * 0.6 + base * 2.4 * np.sqrt(np.clip(np.nan_to_num(spread, nan=0.0), 0, 1))
    text = np.asarray(
        ["–" if not np.isfinite(value) else f"{value:.4g}" for value in numbers], dtype=object
    )
    return sizes, text, f"<br><i>{plain_label(size_name or 'size')}: %{{text}}</i>"


def _legend_entry(category: str) -> str:
    """A category as its legend shows it: one line, cut at :data:`_LEGEND_CHARS`."""
    flat = " ".join(category.split())
    return flat if len(flat) <= _LEGEND_CHARS else flat[: _LEGEND_CHARS - 1].rstrip() + "…"


def is_categorical(values: pd.Series) -> bool:
    """A column is coloured by category unless it is numeric with many distinct values."""
    if pd.api.types.is_bool_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values):
        return bool(values.nunique(dropna=True) <= 12)
    return True


def point_trace(
    coordinates: FloatMatrix,
    rows: npt.NDArray[np.intp],
    hover: Sequence[str] | npt.NDArray[np.object_],
    name: str,
    marker: dict[str, object],
    *,
    showlegend: bool = True,
    hover_suffix: str = "",
    text: Sequence[str] | None = None,
    meta: str | None = None,
) -> go.Scattergl | go.Scatter3d:
    # float32 and int32 go to the browser as typed arrays of 4 bytes a number (base64).
    coordinates = np.asarray(coordinates, dtype=np.float32)
    common: dict[str, object] = {
        "mode": "markers",
        "name": name,
        "customdata": rows.astype(np.int32).reshape(-1, 1),
        "hovertext": list(hover),
        "text": None if text is None else list(text),
        # A per-trace suffix in the template instead of one string per point keeps big maps fast.
        "hovertemplate": f"%{{hovertext}}{hover_suffix}<extra></extra>",
        "marker": marker,
        "showlegend": showlegend,
        "meta": meta,
    }
    if coordinates.shape[1] == 3:
        return go.Scatter3d(x=coordinates[:, 0], y=coordinates[:, 1], z=coordinates[:, 2], **common)
    return go.Scattergl(x=coordinates[:, 0], y=coordinates[:, 1], **common)


def scatter_figure(
    coordinates: FloatMatrix,
    texts: Sequence[str],
    *,
    color: pd.Series | None = None,
    color_name: str | None = None,
    title: str | None = None,
    revision: str = "map",
    height: int = 640,
    hover: Sequence[str] | None = None,
    size: pd.Series | None = None,
    size_name: str | None = None,
    color_scale: bool = False,
    row_ids: npt.NDArray[np.intp] | None = None,
) -> go.Figure:
    """The map: one marker per row, coloured by a column, sized by another.

    Every trace carries the row ids in ``customdata`` (shape ``(n, 1)``), so a selection maps back
    to rows whatever the colouring or the order of traces.

    Args:
        coordinates: Array of shape ``(n, 2)`` or ``(n, 3)``.
        texts: ``n`` texts for the hover labels.
        color: ``n`` values to colour by: categories get a legend, numbers a colour scale.
        color_name: The column's name, for the legend title and hover.
        title: Figure title.
        revision: Plotly ``uirevision``: zoom and camera survive redraws while it is unchanged.
        height: Pixels for the map.
        hover: ``n`` labels from :func:`hover_label`, when the caller keeps them between
            redraws (they cost about 20 µs a text); computed from ``texts`` when ``None``.
        size: ``n`` numbers to size the markers by (area grows with the value); the hover
            shows each value.
        size_name: Its column's name.
        color_scale: Colour by a scale even when the numbers take few values (a score).
        row_ids: The row id of each point, when the points are a part of the dataset (a
            sample of a large map); ``0 … n-1`` when ``None``.

    Returns:
        The figure; add layers with :func:`add_highlight_layer` and :func:`add_query_layer`.
    """
    count, dims = coordinates.shape
    rows = np.arange(count, dtype=np.intp) if row_ids is None else np.asarray(row_ids, np.intp)
    base = point_size(count, height, dims)
    labels = np.asarray(
        list(hover) if hover is not None else [hover_label(text) for text in texts], dtype=object
    )
    sizes, size_text, size_suffix = _sizes(size, size_name, base, count)

    def marker_size(mask: npt.NDArray[np.bool_] | None = None) -> object:
        if sizes is None:
            return base
        return (sizes if mask is None else sizes[mask]).tolist()

    def text_of(mask: npt.NDArray[np.bool_] | None = None) -> list[str] | None:
        if size_text is None:
            return None
        return list(size_text if mask is None else size_text[mask])

    figure = go.Figure()
    if color is None:
        figure.add_trace(
            point_trace(
                coordinates,
                rows,
                labels,
                "points",
                {"size": marker_size(), "opacity": 0.8},
                showlegend=False,
                hover_suffix=size_suffix,
                text=text_of(),
            )
        )
    elif not color_scale and is_categorical(color):
        values, colors = category_colors(color)
        listed = len(colors) <= LEGEND_LIMIT
        for category, category_color in colors.items():
            mask = values == category
            tag = plain_label(f"{color_name or 'group'}: {category}")
            figure.add_trace(
                point_trace(
                    coordinates[mask],
                    rows[mask],
                    labels[mask],
                    plain_label(_legend_entry(str(category))),
                    {
                        "size": marker_size(mask),
                        "opacity": 0.8,
                        "color": category_color,
                    },
                    showlegend=listed,
                    hover_suffix=f"<br><i>{tag}</i>{size_suffix}",
                    text=text_of(mask),
                    meta=_CATEGORY,
                )
            )
    else:
        numbers = pd.to_numeric(color, errors="coerce").to_numpy(dtype=float)
        tag = plain_label(color_name or "value")
        figure.add_trace(
            point_trace(
                coordinates,
                rows,
                labels,
                tag,
                {
                    "size": marker_size(),
                    "opacity": 0.85,
                    "color": numbers,
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": tag}, "thickness": 12},
                },
                showlegend=False,
                hover_suffix=f"<br><i>{tag}: %{{marker.color:.4g}}</i>{size_suffix}",
                text=text_of(),
            )
        )
    legend: dict[str, object] = {
        "title": {"text": plain_label(color_name or "")},
        "itemsizing": "constant",
        "tracegroupgap": 0,
        # Below the points, in rows: a legend beside them would take its width from the map.
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "top",
    }
    if len(figure.data) > LEGEND_LIMIT:
        for trace in figure.data:
            if trace.name and len(trace.name) > _SHORT_LEGEND_CHARS:
                trace.name = trace.name[: _SHORT_LEGEND_CHARS - 1] + "…"
    layout: dict[str, object] = {
        "title": {"text": plain_label(title)} if title else None,
        "uirevision": revision,
        "margin": {"l": 4, "r": 4, "t": 28, "b": 4},  # room for the modebar
        "legend": legend,
        "hoverlabel": HOVER_LABEL,
        "height": height,
    }
    if dims == 3:
        axis = {"showticklabels": False, "title": {"text": ""}}
        layout["scene"] = {"xaxis": axis, "yaxis": axis, "zaxis": axis}
    else:
        axis = {
            "showticklabels": False,
            "zeroline": False,
            "showgrid": False,
            "title": {"text": ""},
        }
        layout["xaxis"] = {**axis, "range": fitted_range(coordinates[:, 0])}
        layout["yaxis"] = {**axis, "range": fitted_range(coordinates[:, 1])}
    figure.update_layout(**layout)
    return figure


def with_full_legend(figure: go.Figure) -> go.Figure:
    """A copy of a map that lists every category in its legend, beside the points in small
    type, as a picture or a file needs (on screen, past :data:`LEGEND_LIMIT` categories, the
    app lists them in a control of its own)."""
    copy = go.Figure(figure)
    categories = [trace for trace in copy.data if trace.meta == _CATEGORY]
    if len(categories) <= LEGEND_LIMIT:
        return copy
    for trace in categories:
        trace.showlegend = True
    copy.update_layout(
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        legend_font_size=10,
    )
    return copy
