"""What is drawn on top of the map's points: dimmed selections, marked rows, a query.

A :class:`Highlight` is a set of rows drawn again in a colour no category uses (a clicked row,
its neighbours, search matches); a :class:`QueryMark` is a text that is not in the dataset,
drawn as a star with lines to its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.figures.points import point_trace
from embedding_space.types import FloatMatrix

__all__ = [
    "FOCUS_COLOR",
    "MARK_COLOR",
    "SELECTION_RING_COLOR",
    "Highlight",
    "QueryMark",
    "add_highlight_layer",
    "add_query_layer",
    "focus_layer",
    "mark_selection",
    "matches_layer",
    "neighbors_layer",
]

MARK_COLOR = "#111111"
"""Near-black, for rings around marked rows: the palette has no black."""
FOCUS_COLOR = "#ffb000"
"""Amber, for the clicked row and a query: a colour no category in the palette uses."""
_MATCH_COLOR = "#ff00aa"
SELECTION_RING_COLOR = "#555555"
_SYMBOLS_3D = frozenset(
    {"circle", "circle-open", "cross", "diamond", "diamond-open", "square", "square-open", "x"}
)


@dataclass(frozen=True)
class Highlight:
    """Rows drawn again on top of the map, with a legend entry of their own.

    Attributes:
        rows: Row ids to mark.
        name: Legend entry (escaped when drawn).
        color: Marker colour.
        symbol: Plotly marker symbol.
        size: Marker size in pixels.
    """

    rows: Sequence[int]
    name: str
    color: str = MARK_COLOR
    symbol: str = "circle-open"
    size: int = 14


def neighbors_layer(rows: Sequence[int]) -> Highlight:
    """Rings around a point's or a query's neighbours."""
    return Highlight(rows, "neighbours", MARK_COLOR, "circle-open", 15)


def focus_layer(rows: Sequence[int], name: str = "clicked") -> Highlight:
    """A star on the clicked or chosen row."""
    return Highlight(rows, name, FOCUS_COLOR, "star", 20)


def matches_layer(rows: Sequence[int], label: str) -> Highlight:
    """Rings on the rows a search found; ``label`` says what was searched
    ("contains “refund”")."""
    return Highlight(rows, label, _MATCH_COLOR, "circle-open", 12)


@dataclass(frozen=True)
class QueryMark:
    """A text that is not in the dataset, drawn as a star with lines to its neighbours.

    Attributes:
        text: The query.
        point: Its position on the map, shape ``(2,)`` or ``(3,)``.
        neighbor_rows: Its nearest rows, nearest first.
        name: Its legend entry (``query``; ``dropped`` for texts dropped onto the map).
    """

    text: str
    point: FloatMatrix
    neighbor_rows: Sequence[int]
    name: str = "query"


def mark_selection(figure: go.Figure, rows: Sequence[int]) -> go.Figure:
    """Dim every point outside ``rows``, the way plotly shows its own box/lasso selections.

    Only the map's 2-D point traces (from :func:`scatter_figure`) change; call it before adding
    layers. The points keep their colours, so a large selection stays readable. Scatter3d has
    no such setting; 3-D maps are left as they are.

    Args:
        figure: From :func:`scatter_figure`.
        rows: Selected row ids.

    Returns:
        The same figure, for chaining.
    """
    chosen = np.asarray(list(rows), dtype=np.intp)
    for trace in figure.data:
        if trace.customdata is None or trace.type != "scattergl":
            continue
        trace_rows = np.asarray(trace.customdata).reshape(-1)
        trace.selectedpoints = np.flatnonzero(np.isin(trace_rows, chosen)).tolist()
        trace.unselected = {"marker": {"opacity": 0.12}}
    return figure


def add_highlight_layer(
    figure: go.Figure,
    coordinates: FloatMatrix,
    rows: Sequence[int],
    texts: Sequence[str],
    *,
    name: str,
    color: str = "#111111",
    symbol: str = "circle-open",
    size: int = 14,
) -> go.Figure:
    """Draw chosen rows again on top of the map, e.g. a clicked point's neighbours.

    Args:
        figure: From :func:`scatter_figure`.
        coordinates: The map's full coordinates, shape ``(n, 2|3)``.
        rows: Row ids to mark.
        texts: The dataset's ``n`` texts.
        name: Legend entry.
        color: Marker colour.
        symbol: Plotly marker symbol.
        size: Marker size in pixels.

    Returns:
        The same figure, for chaining.
    """
    picked = np.asarray(list(rows), dtype=np.intp)
    if picked.size == 0:
        return figure
    is_3d = coordinates.shape[1] == 3
    marker = {
        "size": size // 2 if is_3d else size,
        "color": color,
        # Scatter3d knows only a few symbols; the rest become a diamond.
        "symbol": symbol if not is_3d or symbol in _SYMBOLS_3D else "diamond",
        "line": {"width": 2, "color": color},
    }
    figure.add_trace(
        point_trace(
            coordinates[picked],
            picked,
            [hover_label(texts[row]) for row in picked],
            plain_label(name),
            marker,
        )
    )
    return figure


def add_query_layer(
    figure: go.Figure,
    point: FloatMatrix,
    neighbor_coordinates: FloatMatrix,
    query: str,
    *,
    name: str = "query",
    show_legend: bool = True,
) -> go.Figure:
    """Draw a free-text query as a marked point with lines to its neighbours.

    Args:
        figure: From :func:`scatter_figure`.
        point: The query's position on the map, shape ``(2,)`` or ``(3,)``.
        neighbor_coordinates: Positions of its neighbours, shape ``(k, 2|3)``.
        query: The query text (escaped here).
        name: Its legend entry.
        show_legend: Whether it gets one (several dropped texts share one entry).

    Returns:
        The same figure, for chaining.
    """
    dims = point.shape[0]
    xs: list[float | None] = []
    ys: list[float | None] = []
    zs: list[float | None] = []
    for target in neighbor_coordinates:
        xs += [float(point[0]), float(target[0]), None]
        ys += [float(point[1]), float(target[1]), None]
        if dims == 3:
            zs += [float(point[2]), float(target[2]), None]
    line = {"color": "rgba(17, 17, 17, 0.45)", "width": 1.5}
    label = f"{plain_label(name)}: " + hover_label(query)
    if dims == 3:
        figure.add_trace(
            go.Scatter3d(
                x=xs, y=ys, z=zs, mode="lines", line=line, hoverinfo="skip", showlegend=False
            )
        )
        figure.add_trace(
            go.Scatter3d(
                x=[point[0]],
                y=[point[1]],
                z=[point[2]],
                mode="markers",
                name=plain_label(name),
                legendgroup=plain_label(name),
                showlegend=show_legend,
                marker={"size": 9, "color": FOCUS_COLOR, "symbol": "diamond"},
                hovertext=[label],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    else:
        figure.add_trace(
            go.Scattergl(x=xs, y=ys, mode="lines", line=line, hoverinfo="skip", showlegend=False)
        )
        figure.add_trace(
            go.Scattergl(
                x=[point[0]],
                y=[point[1]],
                mode="markers",
                name=plain_label(name),
                legendgroup=plain_label(name),
                showlegend=show_legend,
                marker={
                    "size": 18,
                    "color": FOCUS_COLOR,
                    "symbol": "star",
                    "line": {"width": 1, "color": "#111111"},
                },
                hovertext=[label],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return figure
