"""The map widget: a plotly scatter whose clicks and box/lasso selections come back as row ids."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from embedding_space.figures import (
    add_highlight_layer,
    add_query_layer,
    mark_selection,
    scatter_figure,
)

FloatMatrix = npt.NDArray[np.float32]

CHART_CONFIG = {"displaylogo": False, "scrollZoom": True}


@dataclass(frozen=True)
class Highlight:
    """Rows drawn again on top of the map."""

    rows: Sequence[int]
    name: str
    color: str = "#111111"
    symbol: str = "circle-open"
    size: int = 14


# Marks drawn on top of the map, in colours no category uses (the palette has no black or amber).
MARK_COLOR = "#111111"
FOCUS_COLOR = "#ffb000"


def neighbours_layer(rows: Sequence[int]) -> Highlight:
    """Rings around a point's or a query's neighbours."""
    return Highlight(rows, "neighbours", MARK_COLOR, "circle-open", 15)


def focus_layer(rows: Sequence[int], name: str = "clicked") -> Highlight:
    """A star on the clicked or chosen row."""
    return Highlight(rows, name, FOCUS_COLOR, "star", 20)


def matches_layer(rows: Sequence[int], needle: str) -> Highlight:
    """Rings on the rows whose text contains a search string."""
    return Highlight(rows, f"contains “{needle}”", "#ff00aa", "circle-open", 12)


@dataclass(frozen=True)
class QueryMark:
    """A free-text query drawn as a star with lines to its neighbours."""

    text: str
    point: FloatMatrix
    neighbor_rows: Sequence[int]


@dataclass(frozen=True)
class MapEvent:
    """What the user did on the map in this run.

    Attributes:
        clicked: The row of a single clicked point, else ``None``.
        selected: Rows inside a new box or lasso selection, else ``None``.
    """

    clicked: int | None = None
    selected: list[int] | None = None


def _row_id(custom: Any) -> int:
    """A row id from one point's ``customdata``, in whichever shape the browser sent it.

    Plotly sends numpy arrays as typed arrays, and Streamlit then hands each point's row as
    ``{"0": 24}``; plain lists arrive as ``[24]``.
    """
    if isinstance(custom, dict):
        custom = custom.get("0", next(iter(custom.values())))
    if isinstance(custom, list | tuple):
        custom = custom[0]
    return int(custom)


def rows_of(points: Sequence[Any]) -> list[int]:
    """The row ids of the points a plotly selection event lists."""
    rows = []
    for point in points:
        custom = point.get("customdata") if hasattr(point, "get") else None
        if custom is not None:
            rows.append(_row_id(custom))
    return sorted(set(rows))


def map_figure(
    coordinates: FloatMatrix,
    texts: Sequence[str],
    *,
    key: str,
    color: pd.Series | None = None,
    color_name: str | None = None,
    highlights: Sequence[Highlight] = (),
    query: QueryMark | None = None,
    height: int = 640,
    hover: Sequence[str] | None = None,
    selected: Sequence[int] = (),
) -> go.Figure:
    """The map with its layers: points, highlighted rows, and a query.

    Args:
        coordinates: Array of shape ``(n, 2|3)``.
        texts: ``n`` texts for hover labels.
        key: Keeps zoom and camera while it is unchanged (plotly ``uirevision``).
        color: Values to colour by, aligned with rows.
        color_name: Its column name.
        highlights: Layers of marked rows on top.
        query: A query point to draw.
        height: Pixels for the points (a long legend adds to it).
        hover: Precomputed hover labels (see :func:`components.cached.hover_labels`).
        selected: Rows selected with box or lasso; the others are dimmed.
    """
    figure = scatter_figure(
        coordinates,
        texts,
        color=color,
        color_name=color_name,
        revision=key,
        height=height,
        hover=hover,
    )
    if selected and coordinates.shape[1] == 2:
        mark_selection(figure, selected)
    elif selected:  # Scatter3d cannot dim points one by one: ring them instead
        highlights = [Highlight(selected, "selected", "#555555", "circle-open", 8), *highlights]
    for layer in highlights:
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
    if query is not None:
        neighbor_points = coordinates[np.asarray(list(query.neighbor_rows), dtype=np.intp)]
        add_query_layer(figure, query.point, neighbor_points, query.text)
    return figure


def show_map(figure: go.Figure, *, key: str) -> MapEvent:
    """Draw the map and report a new click or selection (2-D only; 3-D maps rotate and hover).

    Args:
        figure: From :func:`map_figure`.
        key: Widget key; keep it stable per dataset so zoom and selection survive reruns.

    Returns:
        The new click or selection, compared with the last one seen under ``key``.
    """
    if any(trace.type == "scatter3d" for trace in figure.data):
        st.plotly_chart(figure, width="stretch", config=CHART_CONFIG, key=key)
        return MapEvent()
    # A redraw would put the chart back in pan mode; keep the tool of the last selection.
    tool_key = f"{key}:tool"
    if st.session_state.get(tool_key):
        figure.update_layout(dragmode=st.session_state[tool_key])
    event = st.plotly_chart(
        figure,
        width="stretch",
        config=CHART_CONFIG,
        key=key,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
    )
    selection = event.selection if event is not None else None
    if selection is None:
        return MapEvent()
    region = bool(selection.get("box") or selection.get("lasso"))
    rows = rows_of(selection.get("points", []))
    signature = (region, tuple(rows))
    seen_key = f"{key}:last-event"
    if st.session_state.get(seen_key) == signature:
        return MapEvent()
    st.session_state[seen_key] = signature
    if region:
        st.session_state[tool_key] = "lasso" if selection.get("lasso") else "select"
        return MapEvent(selected=rows)
    st.session_state[tool_key] = None  # a click arrives only in pan or zoom mode
    if len(rows) == 1:
        return MapEvent(clicked=rows[0])
    return MapEvent(selected=rows) if rows else MapEvent()
