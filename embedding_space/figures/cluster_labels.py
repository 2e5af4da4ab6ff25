"""Cluster labels on the map: each written near its cluster where it hides few points and no
other label, and the ones that find no such place counted, never dropped in silence.

A label written over the middle of a dense cluster hides the points it names; on a small map
(twelve rows in eight clusters) the labels could hide most of it. So every label has a budget:
all labels together may cover at most :data:`COVERED_SHARE` of the points. A label is tried at
its cluster's centre, then a little above, below and to each side; of the places that overlap
no label already written and keep within the budget it takes the one hiding fewest points
(the first that hides none), else it is left out and counted (:attr:`ClusterLabels.hidden`),
so the page can say how many are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from embedding_space.analysis.clustering import NOISE, Clustering
from embedding_space.figures.labels import plain_label
from embedding_space.types import FloatMatrix

__all__ = [
    "CHAR_SHARE",
    "COVERED_SHARE",
    "HIDDEN_LABELS",
    "LINE_SHARE",
    "MAX_CLUSTER_LABELS",
    "Box",
    "ClusterLabel",
    "ClusterLabels",
    "add_cluster_labels",
    "boxes_overlap",
    "hidden_cluster_labels",
    "place_cluster_labels",
]

MAX_CLUSTER_LABELS = 20
"""At most this many cluster labels are written, the largest clusters first."""
COVERED_SHARE = 0.15
"""All labels together may cover at most this share of a 2-D map's points."""
HIDDEN_LABELS = "hidden_cluster_labels"
"""The key of a map's ``layout.meta`` that says how many clusters went without a label."""
_LABEL_CHARS = 32
CHAR_SHARE = 1 / 75
"""About how much of a map's width one character of a label takes (7 px of ~520)."""
LINE_SHARE = 1 / 30
"""About how much of a map's height one label takes (20 px of ~600)."""
_OFFSETS = ((0, 0), (0, 1.3), (0, -1.3), (1, 0), (-1, 0), (0, 2.4), (0, -2.4))
"""Where a label is tried, in turn: its cluster's centre, then moved by box heights (up,
down) and half-widths (right, left)."""


@dataclass(frozen=True)
class ClusterLabel:
    """One label as written: its cluster, text and position (``z`` on a 3-D map)."""

    cluster_id: int
    text: str
    x: float
    y: float
    z: float | None = None


@dataclass(frozen=True)
class ClusterLabels:
    """The labels written, and how many clusters went without one."""

    written: tuple[ClusterLabel, ...]
    hidden: int


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_CHARS else text[: _LABEL_CHARS - 1].rstrip() + "…"


Box = tuple[float, float, float, float]
"""A label's place: centre x, centre y, half width, half height (map units)."""


def boxes_overlap(a: Box, b: Box) -> bool:
    """Whether two labels' boxes overlap."""
    return abs(a[0] - b[0]) < a[2] + b[2] and abs(a[1] - b[1]) < a[3] + b[3]


def _covered(points: FloatMatrix, box: Box) -> int:
    inside = (np.abs(points[:, 0] - box[0]) < box[2]) & (np.abs(points[:, 1] - box[1]) < box[3])
    return int(inside.sum())


def place_cluster_labels(coordinates: FloatMatrix, clustering: Clustering) -> ClusterLabels:
    """Where each cluster's label goes (see the module's note); noise is never labelled.

    Args:
        coordinates: The map, shape ``(n, 2|3)``.
        clustering: The clusters of the same ``n`` rows, largest first.
    """
    named = [cluster_id for cluster_id in clustering.clusters if cluster_id != NOISE]
    if coordinates.shape[1] == 3:
        written = [
            _label_at(cluster_id, clustering, _centre(coordinates, clustering, cluster_id))
            for cluster_id in named[:MAX_CLUSTER_LABELS]
        ]
        return ClusterLabels(tuple(written), len(named) - len(written))
    flat = coordinates[:, :2]
    spans = np.ptp(flat, axis=0)
    spans = np.where(spans > 0, spans, 1.0)
    low, high = flat.min(axis=0), flat.max(axis=0)
    budget = int(COVERED_SHARE * len(flat))
    placed: list[Box] = []
    written_2d: list[ClusterLabel] = []
    for cluster_id in named:
        if len(written_2d) == MAX_CLUSTER_LABELS:
            break
        text = _short(clustering.name_of(cluster_id))
        centre = _centre(flat, clustering, cluster_id)
        half_width = (len(text) + 2) * CHAR_SHARE * spans[0] / 2
        half_height = LINE_SHARE * spans[1] / 2
        best: tuple[int, Box] | None = None
        for right, up in _OFFSETS:
            # A label past the map's edge is cut off there: keep the whole box inside.
            box = (
                _within(centre[0] + right * half_width, low[0], high[0], half_width),
                _within(centre[1] + up * 2 * half_height, low[1], high[1], half_height),
                half_width,
                half_height,
            )
            if any(boxes_overlap(box, other) for other in placed):
                continue
            covered = _covered(flat, box)
            if covered <= budget and (best is None or covered < best[0]):
                best = (covered, box)
            if covered == 0:
                break
        if best is None:
            continue
        budget -= best[0]
        placed.append(best[1])
        position = np.array(best[1][:2], dtype=np.float32)
        written_2d.append(_label_at(cluster_id, clustering, position))
    return ClusterLabels(tuple(written_2d), len(named) - len(written_2d))


def _within(middle: float, low: float, high: float, half: float) -> float:
    """``middle`` moved so that ``middle ± half`` lies in ``[low, high]`` (centred when the
    span is narrower than the box)."""
    if high - low <= 2 * half:
        return float((low + high) / 2)
    return float(min(max(middle, low + half), high - half))


def _centre(coordinates: FloatMatrix, clustering: Clustering, cluster_id: int) -> FloatMatrix:
    centre: FloatMatrix = np.median(coordinates[clustering.labels == cluster_id], axis=0)
    return centre


def _label_at(cluster_id: int, clustering: Clustering, position: FloatMatrix) -> ClusterLabel:
    z = float(position[2]) if len(position) == 3 else None
    text = _short(clustering.name_of(cluster_id))
    return ClusterLabel(cluster_id, text, float(position[0]), float(position[1]), z)


def add_cluster_labels(
    figure: go.Figure, coordinates: FloatMatrix, clustering: Clustering
) -> ClusterLabels:
    """Write the clusters' labels on a map (bold, on a light halo; see
    :func:`place_cluster_labels`).

    Args:
        figure: The map, from :func:`~embedding_space.figures.map.map_figure`.
        coordinates: Its coordinates, shape ``(n, 2|3)``.
        clustering: The clusters of the same ``n`` rows.

    Returns:
        The labels written and how many clusters have none (hover and the legend still
        name them).
    """
    labels = place_cluster_labels(coordinates, clustering)
    notes: list[dict[str, object]] = []
    for label in labels.written:
        note: dict[str, object] = {
            "text": f"<b>{plain_label(label.text)}</b>",
            "showarrow": False,
            "font": {"size": 12, "color": "#1f2430"},
            "bgcolor": "rgba(255, 255, 255, 0.78)",
            "bordercolor": "rgba(31, 36, 48, 0.25)",
            "borderpad": 2,
            "x": label.x,
            "y": label.y,
            "name": "cluster label",
        }
        if label.z is not None:
            note["z"] = label.z
        notes.append(note)
    if coordinates.shape[1] == 3:
        figure.update_layout(scene={"annotations": notes})
    else:
        figure.update_layout(annotations=[*figure.layout.annotations, *notes])
    meta = figure.layout.meta if isinstance(figure.layout.meta, dict) else {}
    figure.update_layout(meta={**meta, HIDDEN_LABELS: labels.hidden})
    return labels


def hidden_cluster_labels(figure: go.Figure) -> int:
    """How many clusters a map drawn by :func:`add_cluster_labels` left without a label."""
    meta = figure.layout.meta
    return int(meta.get(HIDDEN_LABELS, 0)) if isinstance(meta, dict) else 0
