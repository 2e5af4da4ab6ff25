"""The similarity heatmap: pairwise scores whose hover gives both texts and the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from embedding_space.figures.colors import GREY, category_palette
from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.figures.style import HOVER_LABEL
from embedding_space.types import FloatMatrix

__all__ = ["LEGEND_LIMIT", "STRIP_PIXELS", "heatmap_figure"]

STRIP_PIXELS = 14
"""The label strip's least width on screen: at 300 rows one row is under 2 pixels, and a strip
one row wide could not be seen."""
LEGEND_LIMIT = 12
"""The legend names at most this many labels (the most frequent), in rows under the matrix
that take its height; hover names every one."""
_LEGEND_CHARS = 24
_TICK_CHARS = 14
_TICK_PIXELS = 12
"""A block of rows with one label is named on the axis when it is at least this high."""
_STRIP_SIDE = 320
"""About how wide the matrix is drawn beside its legend on a laptop (the figure cannot know
its width): its strip is reckoned for this, and is wider on a wider matrix."""
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}  # room for the modebar
_LEGEND_ROOM = 150
"""About what the colour bar under the matrix takes from its height, in pixels, with room to
spare: the legend and the axis's block names beside it take from its width, so the matrix is
about as wide as this leaves it high."""


def heatmap_figure(
    matrix: FloatMatrix,
    texts: Sequence[str],
    *,
    metric: str = "cosine",
    labels: Sequence[str] | None = None,
    label_strip: bool = False,
    label_colors: Mapping[str, str] | None = None,
    label_name: str | None = None,
    height: int = 700,
) -> go.Figure:
    """A similarity heatmap whose hover gives both texts and the score.

    Args:
        matrix: Array of shape ``(m, m)``, already in display order.
        texts: ``m`` texts in the same order.
        metric: Name shown in hover and on the colour bar.
        labels: ``m`` short tick labels (e.g. a category); row numbers when absent.
        label_strip: Also colour each row's label in a strip along both axes, at least
            :data:`STRIP_PIXELS` wide, so groups show where there is no room for a tick label
            a row; a legend then names the colours, and the axis names each block of rows
            high enough to hold its label.
        label_colors: Each label's colour, as the map gives it
            (:func:`~embedding_space.figures.colors.category_palette` of the whole column);
            from the labels themselves when absent.
        label_name: What the labels are (a column's name), the legend's title.
        height: The figure's height in pixels (the strip's width is reckoned from it).

    Returns:
        The figure.
    """
    size = matrix.shape[0]
    short = [hover_label(text, width=60, max_chars=120) for text in texts]
    ticks = [plain_label(str(label)) for label in labels] if labels is not None else None
    positions = list(range(size))
    hover = np.empty((size, size), dtype=object)
    for i in range(size):
        for j in range(size):
            hover[i, j] = f"{short[i]}<br>— vs —<br>{short[j]}"
    distance = metric == "euclidean"
    # The diagonal (each row with itself) would stretch the scale and flatten the blocks.
    off_diagonal = matrix[~np.eye(size, dtype=bool)] if size > 1 else matrix.ravel()
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=positions,
            y=positions,
            customdata=hover,
            hovertemplate=f"%{{customdata}}<br><b>{metric}: %{{z:.3f}}</b><extra></extra>",
            colorscale="Viridis_r" if distance else "Viridis",
            zmin=float(off_diagonal.min()),
            zmax=float(off_diagonal.max()),
            colorbar={"title": {"text": "distance" if distance else metric}},
        )
    )
    strip = label_strip and labels is not None and size > 1
    plot_pixels = max(height - _MARGIN["t"] - _MARGIN["b"] - (_LEGEND_ROOM if strip else 0), 100)
    if strip:
        plot_pixels = min(plot_pixels, _STRIP_SIDE)
    axis: dict[str, object] = {"showgrid": False, "zeroline": False}
    y_axis: dict[str, object] = {}
    if ticks is not None and size <= 80:
        axis.update(tickmode="array", tickvals=positions, ticktext=ticks, tickfont={"size": 11})
    else:
        axis.update(showticklabels=False)
    if strip and labels is not None:
        names = [str(label) for label in labels]
        thickness = max(1.0, STRIP_PIXELS * size / (plot_pixels - 1.3 * STRIP_PIXELS))
        colors = label_colors if label_colors is not None else category_palette(pd.Series(names))
        _add_label_strips(figure, names, colors, thickness)
        _add_label_legend(figure, names, label_name)
        if size > 80:
            row_pixels = plot_pixels / (size + 1.3 * thickness)
            y_axis = _block_ticks(names, min_rows=_TICK_PIXELS / row_pixels)
    figure.update_layout(
        xaxis=axis,
        yaxis={**axis, **y_axis, "autorange": "reversed", "scaleanchor": "x"},
        margin=_MARGIN,
        height=height,
        hoverlabel=HOVER_LABEL,
    )
    return figure


def _block_ticks(labels: list[str], min_rows: float) -> dict[str, object]:
    """Axis settings naming each run of rows with one label that is at least ``min_rows``
    long (clustering puts rows of one label together), at the run's middle."""
    values: list[float] = []
    texts: list[str] = []
    start = 0
    for end in range(1, len(labels) + 1):
        if end == len(labels) or labels[end] != labels[start]:
            if end - start >= min_rows:
                values.append((start + end - 1) / 2)
                texts.append(plain_label(_cut(labels[start], _TICK_CHARS)))
            start = end
    if not values:
        return {}
    return {
        "showticklabels": True,
        "tickmode": "array",
        "tickvals": values,
        "ticktext": texts,
        "tickfont": {"size": 10},
        "ticks": "outside",
        "ticklen": 4,
    }


def _cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _add_label_legend(figure: go.Figure, labels: list[str], label_name: str | None) -> None:
    """A legend beside the matrix naming the strip's colours: every label, or the
    :data:`LEGEND_LIMIT` most frequent (its title says how many more hover names)."""
    strip = figure.data[-1]  # the strip's colour scale holds one colour at each label's code
    scale = [(float(stop), str(colour)) for stop, colour in strip.colorscale]
    categories = sorted(set(labels))
    steps = max(len(categories) - 1, 1)
    counts = {category: labels.count(category) for category in categories}
    shown = set(sorted(categories, key=lambda c: (-counts[c], c))[:LEGEND_LIMIT])
    for code, category in enumerate(categories):
        if category not in shown:
            continue
        colour = next(c for stop, c in reversed(scale) if stop <= code / steps + 1e-9)
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 11, "color": colour},
                name=plain_label(_cut(category, _LEGEND_CHARS)),
                legendgroup="labels",
                showlegend=True,
                hoverinfo="skip",
            )
        )
    title = plain_label(label_name or "labels")
    if len(categories) > len(shown):
        title += f" ({len(shown)} of {len(categories)}; hover the strip for the rest)"
    figure.update_layout(
        showlegend=True,
        legend={
            "title": {"text": title, "side": "top"},
            "font": {"size": 10},
            "x": 1.02,
            "xanchor": "left",
            "y": 1,
            "yanchor": "top",
            "itemclick": False,
            "itemdoubleclick": False,
        },
    )
    # The legend takes the colour bar's place beside the matrix; the bar goes under it.
    figure.data[0].colorbar.update(
        orientation="h", x=0, xanchor="left", y=-0.02, yanchor="top", thickness=12, len=0.6
    )


def _add_label_strips(
    figure: go.Figure, labels: list[str], colors: Mapping[str, str], thickness: float = 1.0
) -> None:
    """A column left of the matrix and a row above it, ``thickness`` rows wide, one colour per
    label."""
    categories = sorted(set(labels))
    codes = np.asarray([categories.index(label) for label in labels], dtype=float)
    steps = max(len(categories) - 1, 1)
    scale: list[list[object]] = []
    for index in range(len(categories)):
        colour = colors.get(categories[index], GREY)
        scale += [[max(index - 0.5, 0) / steps, colour], [min(index + 0.5, steps) / steps, colour]]
    names = np.asarray([plain_label(label) for label in labels], dtype=object)
    common = {
        "colorscale": scale,
        "zmin": 0,
        "zmax": steps,
        "showscale": False,
        "hovertemplate": "%{customdata}<extra></extra>",
    }
    figure.add_trace(
        go.Heatmap(
            z=codes.reshape(-1, 1),
            x0=-0.8 * thickness,
            dx=thickness,
            y0=0,
            dy=1,
            customdata=names.reshape(-1, 1),
            name="labels (rows)",
            **common,
        )
    )
    figure.add_trace(
        go.Heatmap(
            z=codes.reshape(1, -1),
            x0=0,
            dx=1,
            y0=-0.8 * thickness,
            dy=thickness,
            customdata=names.reshape(1, -1),
            name="labels (columns)",
            **common,
        )
    )
