"""Small figures beside the maps: how much two models agree, row by row; and the titles of a
map laid out on concept axes."""

from __future__ import annotations

import plotly.graph_objects as go

from embedding_space.analysis.comparison import Comparison
from embedding_space.figures.labels import plain_label
from embedding_space.figures.style import HOVER_LABEL

__all__ = ["agreement_histogram", "title_concept_axes"]

_BAR_COLOR = "#2f6fdf"


def agreement_histogram(comparison: Comparison) -> go.Figure:
    """How many rows agree how much: a histogram of each row's kNN agreement (Jaccard)."""
    figure = go.Figure(go.Histogram(x=comparison.agreement, nbinsx=20, marker_color=_BAR_COLOR))
    figure.update_layout(
        height=220,
        margin={"l": 10, "r": 10, "t": 10, "b": 30},
        xaxis_title=f"kNN agreement@{comparison.k} (Jaccard)",
        yaxis_title="rows",
        bargap=0.05,
        hoverlabel=HOVER_LABEL,
    )
    return figure


def title_concept_axes(
    figure: go.Figure, x_ends: tuple[str, str], y_ends: tuple[str, str] | None = None
) -> go.Figure:
    """Name the axes of a map laid out on concept axes by their ends, ``← away · towards →``,
    and show their ticks and zero lines (a concept map's coordinates mean something).

    Args:
        figure: From :func:`~embedding_space.figures.map.map_figure` of a concept map.
        x_ends: The texts the x axis runs towards and away from, as typed.
        y_ends: The same for the y axis, when there is one.

    Returns:
        The same figure.
    """
    axis = {"showticklabels": True, "zeroline": True, "zerolinecolor": "#cccccc"}
    towards, away = x_ends
    figure.update_xaxes(**axis, title={"text": _title(towards, away)})
    if y_ends is not None:
        figure.update_yaxes(**axis, title={"text": _title(*y_ends)})
    return figure


def _title(towards: str, away: str) -> str:
    return f"← {plain_label(away)}   ·   {plain_label(towards)} →"
