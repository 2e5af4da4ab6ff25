"""Small figures beside the maps: how much two models agree, row by row; and the layout and
titles of a map laid out on concept axes."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from embedding_space.analysis.comparison import Comparison
from embedding_space.figures.labels import plain_label
from embedding_space.figures.style import HOVER_LABEL
from embedding_space.types import FloatMatrix

__all__ = ["agreement_histogram", "concept_strip", "title_concept_axes"]

STRIP_BINS = 64
"""How finely a strip measures where its rows crowd (its width follows that density)."""

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
        y_ends: The same for the y axis, when there is one; without it the y axis is the
            spread of a :func:`concept_strip`, and its title says so.

    Returns:
        The same figure.
    """
    axis = {"showticklabels": True, "zeroline": True, "zerolinecolor": "#cccccc"}
    towards, away = x_ends
    figure.update_xaxes(**axis, title={"text": _title(towards, away)})
    if y_ends is not None:
        figure.update_yaxes(**axis, title={"text": _title(*y_ends)})
    else:  # a strip (see concept_strip): its height only keeps the dots apart
        figure.update_yaxes(
            showticklabels=False,
            zeroline=False,
            title={"text": "spread apart to be seen; height means nothing"},
        )
    return figure


def concept_strip(positions: FloatMatrix, half_width: float = 1.0) -> FloatMatrix:
    """Rows on one concept axis as a strip: x is each row's position, y a spread that keeps
    the dots apart (a "sina" plot), as wide as the rows are crowded there.

    The spread is the same on every call for the same positions: the rows, in order along the
    axis, take offsets from the van der Corput sequence, so rows next to each other on the axis
    land far apart across it; each offset is scaled by how many rows share that stretch of the
    axis (a smoothed histogram), so a lone row sits near the middle and a crowd fills the width.

    Args:
        positions: Shape ``(n,)``: each row's position on the axis.
        half_width: How far from 0 the most crowded rows may go.

    Returns:
        Shape ``(n, 2)``: ``positions`` and the spread.
    """
    xs = np.asarray(positions, dtype=np.float64).reshape(-1)
    count = len(xs)
    if count == 0:
        return np.zeros((0, 2), dtype=np.float32)
    order = np.argsort(xs, kind="stable")
    offsets = np.empty(count)
    offsets[order] = 2.0 * _van_der_corput(count) - 1.0
    low, high = float(xs.min()), float(xs.max())
    if high > low:
        counts, edges = np.histogram(xs, bins=STRIP_BINS, range=(low, high))
        kernel = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
        smooth = np.convolve(counts.astype(np.float64), kernel / kernel.sum(), mode="same")
        crowd = np.interp(xs, (edges[:-1] + edges[1:]) / 2, smooth) / smooth.max()
    else:
        crowd = np.ones(count)
    # A floor, so that rows in a thin stretch still stand apart from the centre line.
    width = half_width * (0.15 + 0.85 * np.clip(crowd, 0.0, 1.0))
    return np.ascontiguousarray(np.stack([xs, offsets * width], axis=1), dtype=np.float32)


def _van_der_corput(count: int) -> np.ndarray:
    """The first ``count`` terms of the base-2 van der Corput sequence, in ``[0, 1)``."""
    indices = np.arange(count, dtype=np.int64)
    values = np.zeros(count)
    scale = 0.5
    while indices.any():
        values += (indices & 1) * scale
        indices >>= 1
        scale /= 2
    return values


def _title(towards: str, away: str) -> str:
    return f"← {plain_label(away)}   ·   {plain_label(towards)} →"
