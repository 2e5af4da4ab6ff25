"""The similarity heatmap: pairwise scores whose hover gives both texts and the score."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from embedding_space.figures.colors import GREY, category_palette
from embedding_space.figures.labels import hover_label, plain_label
from embedding_space.types import FloatMatrix

__all__ = ["heatmap_figure"]


def heatmap_figure(
    matrix: FloatMatrix,
    texts: Sequence[str],
    *,
    metric: str = "cosine",
    labels: Sequence[str] | None = None,
    label_strip: bool = False,
    label_colors: Mapping[str, str] | None = None,
) -> go.Figure:
    """A similarity heatmap whose hover gives both texts and the score.

    Args:
        matrix: Array of shape ``(m, m)``, already in display order.
        texts: ``m`` texts in the same order.
        metric: Name shown in hover and on the colour bar.
        labels: ``m`` short tick labels (e.g. a category); row numbers when absent.
        label_strip: Also colour each row's label in a strip along both axes, so groups show
            where there is no room for tick labels.
        label_colors: Each label's colour, as the map gives it
            (:func:`~embedding_space.figures.colors.category_palette` of the whole column);
            from the labels themselves when absent.

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
    if label_strip and labels is not None and size > 1:
        strip = [str(label) for label in labels]
        colors = label_colors if label_colors is not None else category_palette(pd.Series(strip))
        _add_label_strips(figure, strip, colors)
    axis: dict[str, object] = {"showgrid": False, "zeroline": False}
    if ticks is not None and size <= 80:
        axis.update(tickmode="array", tickvals=positions, ticktext=ticks, tickfont={"size": 11})
    else:
        axis.update(showticklabels=False)
    figure.update_layout(
        xaxis=axis,
        yaxis={**axis, "autorange": "reversed", "scaleanchor": "x"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},  # room for the modebar
        height=700,
    )
    return figure


def _add_label_strips(figure: go.Figure, labels: list[str], colors: Mapping[str, str]) -> None:
    """A column left of the matrix and a row above it, one colour per label."""
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
            x0=-1.6,
            dx=1,
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
            y0=-1.6,
            dy=1,
            customdata=names.reshape(1, -1),
            name="labels (columns)",
            **common,
        )
    )
