"""What is written and shaded on the map: cluster labels, density contours, a title and a
caption for an exported picture."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from embedding_space.analysis.clustering import NOISE, Clustering
from embedding_space.figures.labels import plain_label
from embedding_space.types import FloatMatrix

__all__ = ["MAX_CLUSTER_LABELS", "add_cluster_labels", "add_density", "with_caption"]

MAX_CLUSTER_LABELS = 20
"""At most this many cluster labels are written, the largest clusters first."""
_LABEL_CHARS = 32
_CHAR_SHARE = 1 / 75
"""About how much of a map's width one character of a label takes (7 px of ~520)."""
_LINE_SHARE = 1 / 30
"""About how much of a map's height one label takes (20 px of ~600)."""


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip() + "…"


def add_cluster_labels(
    figure: go.Figure, coordinates: FloatMatrix, clustering: Clustering
) -> go.Figure:
    """Write each cluster's label at its centre (the median of its points), on a light halo.

    The largest clusters are labelled first; on a 2-D map a smaller cluster whose label
    would overlap a larger one's is left unlabelled (hover and the legend still name it), and
    noise is never labelled.

    Args:
        figure: The map, from :func:`~embedding_space.figures.map.map_figure`.
        coordinates: Its coordinates, shape ``(n, 2|3)``.
        clustering: The clusters of the same ``n`` rows.

    Returns:
        The same figure, for chaining.
    """
    dims = coordinates.shape[1]
    spans = np.ptp(coordinates, axis=0)
    spans = np.where(spans > 0, spans, 1.0)
    placed: list[tuple[float, float, float, float]] = []  # x, y, half width, half height
    notes: list[dict[str, object]] = []
    for cluster_id in clustering.clusters:
        if cluster_id == NOISE or len(notes) == MAX_CLUSTER_LABELS:
            continue
        centre = np.median(coordinates[clustering.labels == cluster_id], axis=0)
        text = _short(clustering.name_of(cluster_id))
        box = (
            float(centre[0]),
            float(centre[1]),
            (len(text) + 2) * _CHAR_SHARE * spans[0] / 2,
            _LINE_SHARE * spans[1] / 2,
        )
        if dims == 2 and any(_overlap(box, other) for other in placed):
            continue
        placed.append(box)
        note: dict[str, object] = {
            "text": f"<b>{plain_label(text)}</b>",
            "showarrow": False,
            "font": {"size": 12, "color": "#1f2430"},
            "bgcolor": "rgba(255, 255, 255, 0.78)",
            "bordercolor": "rgba(31, 36, 48, 0.25)",
            "borderpad": 2,
            "x": float(centre[0]),
            "y": float(centre[1]),
        }
        if dims == 3:
            note["z"] = float(centre[2])
        notes.append(note)
    if dims == 3:
        figure.update_layout(scene={"annotations": notes})
    else:
        figure.update_layout(annotations=[*figure.layout.annotations, *notes])
    return figure


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return abs(a[0] - b[0]) < a[2] + b[2] and abs(a[1] - b[1]) < a[3] + b[3]


def add_density(figure: go.Figure, coordinates: FloatMatrix) -> go.Figure:
    """Shade where points are dense, with contour lines under the points (2-D maps only).

    The density is a histogram smoothed by plotly on the map's own coordinates; it shows
    where the map is crowded, not the embedding space's own density.
    """
    if coordinates.shape[1] != 2 or len(coordinates) < 3:
        return figure
    density = go.Histogram2dContour(
        x=coordinates[:, 0],
        y=coordinates[:, 1],
        name="density",
        colorscale=[[0, "rgba(47, 111, 223, 0)"], [1, "rgba(47, 111, 223, 0.35)"]],
        contours={"coloring": "fill", "showlines": True},
        line={"width": 0.6, "color": "rgba(47, 111, 223, 0.5)"},
        ncontours=12,
        showscale=False,
        hoverinfo="skip",
        showlegend=False,
    )
    figure.add_trace(density)
    figure.data = (figure.data[-1], *figure.data[:-1])  # drawn first: under the points
    return figure


def with_caption(figure: go.Figure, title: str, caption: Sequence[str]) -> go.Figure:
    """A copy of a figure for export, with a title and the methods written under it."""
    copy = go.Figure(figure)
    lines = "<br>".join(plain_label(line) for line in caption)
    height = int(copy.layout.height or 640) + 18 * len(caption) + 40
    copy.update_layout(
        title={"text": plain_label(title), "x": 0.01, "xanchor": "left"},
        height=height,
        margin={"t": 60, "b": 30 + 18 * len(caption)},
    )
    copy.add_annotation(
        text=lines,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-12,
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font={"size": 11, "color": "#555555"},
    )
    return copy
