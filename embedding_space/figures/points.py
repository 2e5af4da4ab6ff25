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
from plotly.colors import qualitative

from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.types import FloatMatrix

__all__ = ["MAX_LEGEND_CATEGORIES", "is_categorical", "point_trace", "scatter_figure"]

MAX_LEGEND_CATEGORIES = 96
"""Beyond this many categories the rarest are drawn together as "(other)"."""
_OTHER = "(other)"
_PALETTE: tuple[str, ...] = tuple(
    dict.fromkeys(
        qualitative.D3
        + qualitative.Dark24
        + qualitative.Light24
        + qualitative.Alphabet
        + qualitative.Set3
    )
)
_SIDE_LEGEND_MAX = 20
"""Legends longer than this go below the map, so the map keeps its width."""
_LEGEND_CHARS = 40
"""Longer category names are cut in the legend (the hover shows them whole), so a long label
cannot squeeze the map."""
_MARKER_SIZE_2D = 6
_MARKER_SIZE_3D = 3


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
) -> go.Scattergl | go.Scatter3d:
    common: dict[str, object] = {
        "mode": "markers",
        "name": name,
        "customdata": rows.reshape(-1, 1),
        "hovertext": list(hover),
        # A per-trace suffix in the template instead of one string per point keeps big maps fast.
        "hovertemplate": f"%{{hovertext}}{hover_suffix}<extra></extra>",
        "marker": marker,
        "showlegend": showlegend,
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
) -> go.Figure:
    """The map: one marker per row, coloured by a column.

    Every trace carries the row ids in ``customdata`` (shape ``(n, 1)``), so a selection maps back
    to rows whatever the colouring or the order of traces.

    Args:
        coordinates: Array of shape ``(n, 2)`` or ``(n, 3)``.
        texts: ``n`` texts for the hover labels.
        color: ``n`` values to colour by: categories get a legend, numbers a colour scale.
        color_name: The column's name, for the legend title and hover.
        title: Figure title.
        revision: Plotly ``uirevision``: zoom and camera survive redraws while it is unchanged.
        height: Pixels for the points; a long legend below the map adds to it.
        hover: ``n`` labels from :func:`hover_label`, when the caller keeps them between
            redraws (they cost about 20 µs a text); computed from ``texts`` when ``None``.

    Returns:
        The figure; add layers with :func:`add_highlight_layer` and :func:`add_query_layer`.
    """
    count, dims = coordinates.shape
    rows = np.arange(count, dtype=np.intp)
    size = _MARKER_SIZE_3D if dims == 3 else _MARKER_SIZE_2D
    labels = np.asarray(
        hover if hover is not None else [hover_label(text) for text in texts], dtype=object
    )
    figure = go.Figure()
    if color is None:
        figure.add_trace(
            point_trace(
                coordinates,
                rows,
                labels,
                "points",
                {"size": size, "opacity": 0.8},
                showlegend=False,
            )
        )
    elif is_categorical(color):
        values = color.astype("string").fillna("(missing)").to_numpy()
        counts = pd.Series(values).value_counts()
        shown = set(counts.index[:MAX_LEGEND_CATEGORIES])
        if len(counts) > MAX_LEGEND_CATEGORIES:
            values = np.where(np.isin(values, list(shown)), values, _OTHER)
        categories = sorted(set(values), key=lambda value: (value == _OTHER, str(value).lower()))
        for index, category in enumerate(categories):
            mask = values == category
            tag = plain_label(f"{color_name or 'group'}: {category}")
            figure.add_trace(
                point_trace(
                    coordinates[mask],
                    rows[mask],
                    labels[mask],
                    plain_label(_legend_entry(str(category))),
                    {
                        "size": size,
                        "opacity": 0.8,
                        "color": "#b0b0b0"
                        if category == _OTHER
                        else _PALETTE[index % len(_PALETTE)],
                    },
                    hover_suffix=f"<br><i>{tag}</i>",
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
                    "size": size,
                    "opacity": 0.85,
                    "color": numbers,
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": tag}},
                },
                showlegend=False,
                hover_suffix=f"<br><i>{tag}: %{{marker.color:.4g}}</i>",
            )
        )
    traces = len(figure.data)
    legend: dict[str, object] = {
        "title": {"text": plain_label(color_name or "")},
        "itemsizing": "constant",
        "tracegroupgap": 0,
    }
    if traces > _SIDE_LEGEND_MAX:
        legend.update(orientation="h", y=-0.02, yanchor="top", x=0, font={"size": 10})
        height += 22 * ((traces + 3) // 4)
    layout: dict[str, object] = {
        "title": {"text": plain_label(title)} if title else None,
        "uirevision": revision,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},  # room for the modebar
        "legend": legend,
        "hoverlabel": {"align": "left"},
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
        layout["xaxis"] = axis
        layout["yaxis"] = axis
    figure.update_layout(**layout)
    return figure
