"""The small charts beside the map: one per chosen column, drawn from its
:class:`~embedding_space.analysis.aggregates.ChartBins`, one bar per bin or category.

All rows are drawn light, the rows that pass the other columns' filters solid (faded where
the column's own filter leaves a bar out), and the map's selection as a second, narrower
series. Bars are selectable (box select, or a click): each bar's ``customdata`` holds its
index, then its range (low and high, start and end as ISO text) or its category, so a brush
maps back to a filter through :meth:`ChartBins.filter_for`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from embedding_space.analysis.aggregates import ChartBins
from embedding_space.figures.colors import GREY
from embedding_space.figures.labels import plain_label
from embedding_space.figures.layers import MARK_COLOR

__all__ = ["CHART_HEIGHT", "FILTERED_COLOR", "SELECTED_COLOR", "filter_chart"]

CHART_HEIGHT = 140
"""A chart's height in pixels (a category chart grows with its bars)."""
FILTERED_COLOR = "#2f6fdf"
"""The rows that pass the filters."""
SELECTED_COLOR = MARK_COLOR
"""The map's selection: near-black, as its rings on the map (no category has it)."""
_ALL_COLOR = "#dfe4ec"
_BAR_PIXELS = 16
_LABEL_CHARS = 24


def filter_chart(
    bins: ChartBins,
    *,
    colors: Mapping[str, str] | None = None,
    height: int | None = None,
) -> go.Figure:
    """A small bar chart of one column.

    Args:
        bins: The column's bars.
        colors: Each category's colour (when the column colours the map: pass
            :func:`~embedding_space.figures.colors.category_palette` of it); else one colour.
        height: Pixels; :data:`CHART_HEIGHT` (or more, for many categories) when ``None``.

    Returns:
        Up to three bar traces, "all rows", "filtered" and (with a selection) "selection",
        each with one bar per bin; ``dragmode`` is box select.
    """
    horizontal = bins.kind == "categorical"
    names = [_shown(label) for label in bins.labels]
    positions: list[object] = list(names)
    if bins.kind == "numeric":
        edges = np.asarray(bins.edges)
        positions = ((edges[:-1] + edges[1:]) / 2).tolist()
        width = (edges[1:] - edges[:-1]).tolist()
    elif bins.kind == "datetime":
        positions = [start.isoformat() for start in bins.times[:-1]]
        width = [
            (end - start).total_seconds() * 1000
            for start, end in zip(bins.times[:-1], bins.times[1:], strict=True)
        ]
    else:
        positions = list(range(len(names)))  # names may repeat once cut to length
        width = [0.8] * len(names)
    custom = _customdata(bins)
    solid = _solid_colors(bins, colors)
    count = "%{x:,}" if horizontal else "%{y:,}"
    hover = "%{customdata[4]}<br>%{meta}: " + count + "<extra></extra>"
    figure = go.Figure()
    series: list[tuple[str, object, object, float]] = [
        ("all rows", bins.total, _ALL_COLOR, 1.0),
        ("filtered", bins.filtered, solid, 1.0),
    ]
    if bins.selected is not None:
        series.append(("selection", bins.selected, SELECTED_COLOR, 0.45))
    for name, counts, color, share in series:
        values = np.asarray(counts).tolist()
        bar_width = [w * share * (1.0 if bins.kind == "categorical" else 0.92) for w in width]
        figure.add_trace(
            go.Bar(
                name=name,
                x=values if horizontal else positions,
                y=positions if horizontal else values,
                orientation="h" if horizontal else "v",
                width=bar_width,
                marker={"color": color, "line": {"width": 0}},
                customdata=custom,
                meta=name,
                hovertemplate=hover,
            )
        )
    bars = len(bins.labels)
    figure.update_layout(
        barmode="overlay",
        height=height or max(CHART_HEIGHT, 30 + _BAR_PIXELS * bars if horizontal else 0),
        margin={"l": 4, "r": 4, "t": 4, "b": 4},
        showlegend=False,
        dragmode="select",
        selectdirection="v" if horizontal else "h",
        font={"size": 12},
        plot_bgcolor="white",
        clickmode="event+select",
    )
    if horizontal:
        figure.update_yaxes(
            autorange="reversed",
            tickmode="array",
            tickvals=positions,
            ticktext=names,
            tickfont={"size": 11},
        )
        figure.update_xaxes(showgrid=False, showticklabels=False)
    else:
        figure.update_yaxes(showgrid=False, showticklabels=False)
        figure.update_xaxes(tickfont={"size": 11}, nticks=6)
        if bins.kind == "datetime":
            figure.update_xaxes(type="date")
    return figure


def _shown(label: str) -> str:
    cut = label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"
    return plain_label(cut)


def _customdata(bins: ChartBins) -> list[list[object]]:
    """Each bar: its index, its range's two ends (or its category and whether it is
    "other"), a spare slot, and its name for the hover (escaped)."""
    rows: list[list[object]] = []
    for index, label in enumerate(bins.labels):
        if bins.kind == "numeric":
            low, high = bins.edges[index], bins.edges[index + 1]
            ends: list[object] = [low, high]
        elif bins.kind == "datetime":
            ends = [bins.times[index].isoformat(), bins.times[index + 1].isoformat()]
        else:
            ends = [label, bins.other and index == len(bins.labels) - 1]
        rows.append([index, *ends, bool(bins.chosen[index]), plain_label(label)])
    return rows


def _solid_colors(bins: ChartBins, colors: Mapping[str, str] | None) -> list[str]:
    """The filtered series' colour per bar: the category's where given; faded (grey) where
    the column's own filter leaves the bar out."""
    shown: list[str] = []
    for index, label in enumerate(bins.labels):
        color = FILTERED_COLOR
        if colors is not None and bins.kind == "categorical":
            color = colors.get(label, GREY)
        shown.append(color if bins.chosen[index] else GREY)
    return shown
