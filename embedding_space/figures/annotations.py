"""What is written and shaded on the map: cluster labels, notes with a line to what they
point at, density contours, a title and a caption for an exported picture."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from embedding_space.figures.cluster_labels import CHAR_SHARE, LINE_SHARE, boxes_overlap
from embedding_space.figures.labels import plain_label
from embedding_space.types import FloatMatrix

__all__ = [
    "NOTE_LINE_CHARS",
    "MapNote",
    "add_density",
    "add_notes",
    "with_caption",
]

NOTE_LINE_CHARS = 36
"""A note is wrapped at about this many characters a line."""
_NOTE_DISTANCES = (0.12, 0.2, 0.3)
"""How far from its target a note's label is tried, as shares of the visible map."""
_NOTE_DIRECTIONS = np.array(
    [(np.cos(angle), np.sin(angle)) for angle in np.linspace(0, 2 * np.pi, 8, endpoint=False)]
)
_NOTE_FAN_3D = ((-70, -50), (70, -50), (-70, 50), (70, 50), (0, -90), (0, 90), (-120, 0), (120, 0))
"""Pixel offsets of 3-D notes from their targets, in turn (scene annotations take pixels)."""
_NOTE_STYLE: dict[str, object] = {
    "font": {"size": 12, "color": "#1f2430"},
    "align": "left",
    "bgcolor": "rgba(255, 250, 235, 0.94)",
    "bordercolor": "#1f2430",
    "borderwidth": 1,
    "borderpad": 4,
    "name": "note",
}
_ARROW: dict[str, object] = {
    "showarrow": True,
    "arrowhead": 2,
    "arrowwidth": 1.4,
    "arrowcolor": "#1f2430",
    "standoff": 4,
}
_Box = tuple[float, float, float, float]
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class MapNote:
    """A note written on the map, with a line to the rows it is about.

    Attributes:
        text: Plain text, shown as typed (escaped when drawn: never markup or a link).
        rows: The rows it points at: one row, or the centre of several; none: the note is
            written in the map's top-left corner and points at nothing.
    """

    text: str
    rows: Sequence[int] = ()


def _note_label(text: str) -> tuple[str, int, int]:
    """A note as plotly shows it (escaped lines joined by ``<br>``), its widest line and its
    number of lines."""
    lines = textwrap.wrap(text, NOTE_LINE_CHARS, break_long_words=True) or [""]
    return "<br>".join(plain_label(line) for line in lines), max(map(len, lines)), len(lines)


def _visible(values: FloatMatrix, chosen: object) -> tuple[float, float]:
    """The visible range of one axis: the one set on the figure, else the data's, padded."""
    if isinstance(chosen, tuple | list) and len(chosen) == 2:
        return float(chosen[0]), float(chosen[1])
    low, high = float(values.min()), float(values.max())
    pad = (high - low) * 0.05 or 1.0
    return low - pad, high + pad


def add_notes(figure: go.Figure, coordinates: FloatMatrix, notes: Sequence[MapNote]) -> go.Figure:
    """Write notes on the map, each in a box with a line to its row or to its rows' centre.

    On a 2-D map a note's box goes beside its target, towards the middle of the visible map
    (the axis ranges set on the figure, else the data's extent), inside it, and off the boxes
    and targets of the notes placed before it: a few places are tried and the first free one
    wins, else the least crowded. On a 3-D map notes are scene annotations (they follow the
    points as the camera turns), fanned out around their targets.

    Args:
        figure: The map, from :func:`~embedding_space.figures.map.map_figure`; set its axis
            ranges first.
        coordinates: Its coordinates, shape ``(n, 2|3)``.
        notes: The notes; their rows must be rows of ``coordinates``.

    Returns:
        The same figure, for chaining.
    """
    pinned = [note for note in notes if len(note.rows)]
    targets = [
        coordinates[np.asarray(list(note.rows), dtype=np.intp)].mean(axis=0) for note in pinned
    ]
    drawn: list[dict[str, object]] = []
    if coordinates.shape[1] == 3:
        scene: list[dict[str, object]] = []
        for index, (note, target) in enumerate(zip(pinned, targets, strict=True)):
            dx, dy = _NOTE_FAN_3D[index % len(_NOTE_FAN_3D)]
            reach = 1 + index // len(_NOTE_FAN_3D) * 0.5
            text = _note_label(note.text)[0]
            x, y, z = (float(value) for value in target)
            scene.append(
                {"x": x, "y": y, "z": z, "ax": dx * reach, "ay": dy * reach, "text": text}
                | _ARROW
                | _NOTE_STYLE
            )
        figure.update_layout(scene={"annotations": [*figure.layout.scene.annotations, *scene]})
    else:
        drawn += _placed_2d(figure, coordinates, pinned, targets)
    for index, note in enumerate(note for note in notes if not len(note.rows)):
        drawn.append(
            {
                "text": _note_label(note.text)[0],
                "xref": "paper",
                "yref": "paper",
                "x": 0.01,
                "y": 0.99,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -index * 46,
                "showarrow": False,
            }
            | _NOTE_STYLE
        )
    figure.update_layout(annotations=[*figure.layout.annotations, *drawn])
    return figure


def _placed_2d(
    figure: go.Figure,
    coordinates: FloatMatrix,
    notes: Sequence[MapNote],
    targets: Sequence[FloatMatrix],
) -> list[dict[str, object]]:
    """The annotations of pinned notes on a 2-D map, each placed where it crowds least."""
    ranges = [
        _visible(coordinates[:, 0], figure.layout.xaxis.range),
        _visible(coordinates[:, 1], figure.layout.yaxis.range),
    ]
    low = np.array([ranges[0][0], ranges[1][0]])
    high = np.array([ranges[0][1], ranges[1][1]])
    span = high - low
    placed = _label_boxes(figure, span)
    drawn: list[dict[str, object]] = []
    for note, target in zip(notes, targets, strict=True):
        text, chars, lines = _note_label(note.text)
        half = np.array([(chars + 2) * CHAR_SHARE, lines * LINE_SHARE + 0.01]) * span / 2
        inward = (low + high) / 2 - target
        # Try directions pointing into the map first, so a note near an edge stays in view.
        order = np.argsort(-(_NOTE_DIRECTIONS @ (inward / span)))
        best: tuple[int, FloatMatrix] | None = None
        for distance in _NOTE_DISTANCES:
            for direction in _NOTE_DIRECTIONS[order]:
                centre = target + direction * distance * span
                centre = np.clip(centre, low + half, np.maximum(high - half, low + half))
                box = (float(centre[0]), float(centre[1]), float(half[0]), float(half[1]))
                crowd = sum(boxes_overlap(box, other) for other in placed) + sum(
                    _inside(point, box) for point in targets
                )
                if best is None or crowd < best[0]:
                    best = (crowd, centre)
                if crowd == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        centre = best[1]
        placed.append((float(centre[0]), float(centre[1]), float(half[0]), float(half[1])))
        drawn.append(
            {
                "x": float(target[0]),
                "y": float(target[1]),
                "xref": "x",
                "yref": "y",
                "ax": float(centre[0]),
                "ay": float(centre[1]),
                "axref": "x",
                "ayref": "y",
                "text": text,
            }
            | _ARROW
            | _NOTE_STYLE
        )
    return drawn


def _label_boxes(figure: go.Figure, span: FloatMatrix) -> list[_Box]:
    """About where the labels already written on a 2-D map (cluster names) sit, as boxes."""
    boxes: list[_Box] = []
    for label in figure.layout.annotations:
        if label.showarrow or label.x is None or label.y is None or label.xref == "paper":
            continue
        chars = len(html.unescape(_TAG.sub("", str(label.text or ""))))
        half = ((chars + 2) * CHAR_SHARE * span[0] / 2, LINE_SHARE * span[1] / 2)
        boxes.append((float(label.x), float(label.y), float(half[0]), float(half[1])))
    return boxes


def _inside(point: FloatMatrix, box: _Box) -> bool:
    return abs(float(point[0]) - box[0]) < box[2] and abs(float(point[1]) - box[1]) < box[3]


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
    legend_below = copy.layout.legend.orientation == "h"
    copy.update_layout(
        title={"text": plain_label(title), "x": 0.01, "xanchor": "left"},
        height=height + (30 if legend_below else 0),
        margin={"t": 90 if legend_below else 60, "b": 30 + 18 * len(caption)},
    )
    if legend_below:  # the methods take its place under the map: it goes over the map
        copy.update_layout(legend={"y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"})
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
