"""How a batch spreads over the reference's regions: each region's share of the reference and
of the batch, side by side (see :class:`~embedding_space.analysis.drift.DriftReport`)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from embedding_space.analysis.drift import ClusterShare
from embedding_space.figures.labels import hover_label, short_label
from embedding_space.figures.style import HOVER_LABEL

__all__ = ["BATCH_COLOR", "REFERENCE_COLOR", "cluster_share_chart"]

REFERENCE_COLOR = "#9aa5b8"
BATCH_COLOR = "#2f6fdf"
_NAME_CHARS = 48
_BAR_PIXELS = 34


def cluster_share_chart(
    shares: Sequence[ClusterShare],
    names: Sequence[str],
    *,
    reference_name: str = "reference",
    batch_name: str = "batch",
) -> go.Figure:
    """One pair of horizontal bars per region, the largest change at the top: the share of
    the reference in it (grey) and of the batch (blue); an emptied region says so.

    Args:
        shares: The regions, in the order to show them.
        names: What each region holds, for its tick (one per share, in the same order).
        reference_name: The reference, for the legend.
        batch_name: The batch, for the legend.
    """
    ticks = [
        short_label(name, _NAME_CHARS) + (" · emptied" if share.emptied else "")
        for share, name in zip(shares, names, strict=True)
    ]
    positions = list(range(len(shares)))
    figure = go.Figure()
    for label, values, color in (
        (reference_name, [share.reference for share in shares], REFERENCE_COLOR),
        (batch_name, [share.batch for share in shares], BATCH_COLOR),
    ):
        figure.add_trace(
            go.Bar(
                name=short_label(label, _NAME_CHARS),
                x=values,
                y=positions,
                orientation="h",
                marker={"color": color, "line": {"width": 0}},
                customdata=[hover_label(name, max_chars=200) for name in names],
                hovertemplate="%{customdata}<br>%{x:.1%} of "
                + short_label(label, _NAME_CHARS)
                + "<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=60 + _BAR_PIXELS * len(shares),
        margin={"l": 4, "r": 4, "t": 30, "b": 4},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        plot_bgcolor="white",
        hoverlabel=HOVER_LABEL,
        font={"size": 12},
    )
    figure.update_yaxes(autorange="reversed", tickmode="array", tickvals=positions, ticktext=ticks)
    figure.update_xaxes(tickformat=".0%", gridcolor="#eeeeee", rangemode="tozero")
    return figure
