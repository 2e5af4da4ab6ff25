"""Plotly figures: the map of points (with layers on top) and the similarity heatmap.

User text reaches plotly only through :func:`hover_label`, which escapes it: plotly renders a
subset of HTML in hover labels, and text from a file must never become markup.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

__all__ = [
    "add_highlight_layer",
    "add_query_layer",
    "heatmap_figure",
    "hover_label",
    "is_categorical",
    "mark_selection",
    "scatter_figure",
]

FloatMatrix = npt.NDArray[np.float32]
MAX_LEGEND_CATEGORIES = 96
"""Beyond this many categories the rarest are drawn together as "(other)"."""
_OTHER = "(other)"
_PALETTE: tuple[str, ...] = tuple(
    dict.fromkeys(
        qualitative.D3
        + qualitative.Dark24
        + qualitative.Light24
        + qualitative.Alphabet
        + qualitative.Set3
    )
)
_SYMBOLS_3D = frozenset(
    {"circle", "circle-open", "cross", "diamond", "diamond-open", "square", "square-open", "x"}
)
_QUERY_COLOR = "#ffb000"
"""Amber, a colour no category in the palette uses."""
_SIDE_LEGEND_MAX = 20
"""Legends longer than this go below the map, so the map keeps its width."""
_MARKER_SIZE_2D = 6
_MARKER_SIZE_3D = 3


def hover_label(text: str, *, width: int = 64, max_chars: int = 400) -> str:
    """Escape and wrap a text for a plotly hover label.

    Args:
        text: Any user text.
        width: Characters per line.
        max_chars: Longer texts are cut and end with an ellipsis.

    Returns:
        HTML-escaped text with ``<br>`` line breaks.
    """
    flat = " ".join(str(text).split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    lines = textwrap.wrap(flat, width=width, break_long_words=True) or [""]
    return "<br>".join(html.escape(line) for line in lines)


def is_categorical(values: pd.Series) -> bool:
    """A column is coloured by category unless it is numeric with many distinct values."""
    if pd.api.types.is_bool_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values):
        return bool(values.nunique(dropna=True) <= 12)
    return True


def _template_text(text: str) -> str:
    """Escaped text that plotly's hovertemplate shows as is (no ``%{...}`` lookups)."""
    return html.escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _point_trace(
    coordinates: FloatMatrix,
    rows: npt.NDArray[np.intp],
    hover: Sequence[str] | npt.NDArray[np.object_],
    name: str,
    marker: dict[str, object],
    *,
    showlegend: bool = True,
    hover_suffix: str = "",
) -> go.Scattergl | go.Scatter3d:
    common: dict[str, object] = {
        "mode": "markers",
        "name": name,
        "customdata": rows.reshape(-1, 1),
        "hovertext": list(hover),
        # A per-trace suffix in the template instead of one string per point keeps big maps fast.
        "hovertemplate": f"%{{hovertext}}{hover_suffix}<extra></extra>",
        "marker": marker,
        "showlegend": showlegend,
    }
    if coordinates.shape[1] == 3:
        return go.Scatter3d(x=coordinates[:, 0], y=coordinates[:, 1], z=coordinates[:, 2], **common)
    return go.Scattergl(x=coordinates[:, 0], y=coordinates[:, 1], **common)


def scatter_figure(
    coordinates: FloatMatrix,
    texts: Sequence[str],
    *,
    color: pd.Series | None = None,
    color_name: str | None = None,
    title: str | None = None,
    revision: str = "map",
    height: int = 640,
    hover: Sequence[str] | None = None,
) -> go.Figure:
    """The map: one marker per row, coloured by a column.

    Every trace carries the row ids in ``customdata`` (shape ``(n, 1)``), so a selection maps back
    to rows whatever the colouring or the order of traces.

    Args:
        coordinates: Array of shape ``(n, 2)`` or ``(n, 3)``.
        texts: ``n`` texts for the hover labels.
        color: ``n`` values to colour by: categories get a legend, numbers a colour scale.
        color_name: The column's name, for the legend title and hover.
        title: Figure title.
        revision: Plotly ``uirevision``: zoom and camera survive redraws while it is unchanged.
        height: Pixels for the points; a long legend below the map adds to it.
        hover: ``n`` labels from :func:`hover_label`, when the caller keeps them between
            redraws (they cost about 20 µs a text); computed from ``texts`` when ``None``.

    Returns:
        The figure; add layers with :func:`add_highlight_layer` and :func:`add_query_layer`.
    """
    count, dims = coordinates.shape
    rows = np.arange(count, dtype=np.intp)
    size = _MARKER_SIZE_3D if dims == 3 else _MARKER_SIZE_2D
    labels = np.asarray(
        hover if hover is not None else [hover_label(text) for text in texts], dtype=object
    )
    figure = go.Figure()
    if color is None:
        figure.add_trace(
            _point_trace(
                coordinates,
                rows,
                labels,
                "points",
                {"size": size, "opacity": 0.8},
                showlegend=False,
            )
        )
    elif is_categorical(color):
        values = color.astype("string").fillna("(missing)").to_numpy()
        counts = pd.Series(values).value_counts()
        shown = set(counts.index[:MAX_LEGEND_CATEGORIES])
        if len(counts) > MAX_LEGEND_CATEGORIES:
            values = np.where(np.isin(values, list(shown)), values, _OTHER)
        categories = sorted(set(values), key=lambda value: (value == _OTHER, str(value).lower()))
        for index, category in enumerate(categories):
            mask = values == category
            tag = _template_text(f"{color_name or 'group'}: {category}")
            figure.add_trace(
                _point_trace(
                    coordinates[mask],
                    rows[mask],
                    labels[mask],
                    html.escape(str(category)),
                    {
                        "size": size,
                        "opacity": 0.8,
                        "color": "#b0b0b0"
                        if category == _OTHER
                        else _PALETTE[index % len(_PALETTE)],
                    },
                    hover_suffix=f"<br><i>{tag}</i>",
                )
            )
    else:
        numbers = pd.to_numeric(color, errors="coerce").to_numpy(dtype=float)
        tag = _template_text(color_name or "value")
        figure.add_trace(
            _point_trace(
                coordinates,
                rows,
                labels,
                tag,
                {
                    "size": size,
                    "opacity": 0.85,
                    "color": numbers,
                    "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": {"text": tag}},
                },
                showlegend=False,
                hover_suffix=f"<br><i>{tag}: %{{marker.color:.4g}}</i>",
            )
        )
    traces = len(figure.data)
    legend: dict[str, object] = {
        "title": {"text": html.escape(color_name or "")},
        "itemsizing": "constant",
        "tracegroupgap": 0,
    }
    if traces > _SIDE_LEGEND_MAX:
        legend.update(orientation="h", y=-0.02, yanchor="top", x=0, font={"size": 10})
        height += 22 * ((traces + 3) // 4)
    layout: dict[str, object] = {
        "title": {"text": html.escape(title)} if title else None,
        "uirevision": revision,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},  # room for the modebar
        "legend": legend,
        "hoverlabel": {"align": "left"},
        "height": height,
    }
    if dims == 3:
        axis = {"showticklabels": False, "title": {"text": ""}}
        layout["scene"] = {"xaxis": axis, "yaxis": axis, "zaxis": axis}
    else:
        axis = {
            "showticklabels": False,
            "zeroline": False,
            "showgrid": False,
            "title": {"text": ""},
        }
        layout["xaxis"] = axis
        layout["yaxis"] = axis
    figure.update_layout(**layout)
    return figure


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
        _point_trace(
            coordinates[picked],
            picked,
            [hover_label(texts[row]) for row in picked],
            html.escape(name),
            marker,
        )
    )
    return figure


def add_query_layer(
    figure: go.Figure,
    point: FloatMatrix,
    neighbor_coordinates: FloatMatrix,
    query: str,
) -> go.Figure:
    """Draw a free-text query as a marked point with lines to its neighbours.

    Args:
        figure: From :func:`scatter_figure`.
        point: The query's position on the map, shape ``(2,)`` or ``(3,)``.
        neighbor_coordinates: Positions of its neighbours, shape ``(k, 2|3)``.
        query: The query text (escaped here).

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
    label = "query: " + hover_label(query)
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
                name="query",
                marker={"size": 9, "color": _QUERY_COLOR, "symbol": "diamond"},
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
                name="query",
                marker={
                    "size": 18,
                    "color": _QUERY_COLOR,
                    "symbol": "star",
                    "line": {"width": 1, "color": "#111111"},
                },
                hovertext=[label],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return figure


def heatmap_figure(
    matrix: FloatMatrix,
    texts: Sequence[str],
    *,
    metric: str = "cosine",
    labels: Sequence[str] | None = None,
) -> go.Figure:
    """A similarity heatmap whose hover gives both texts and the score.

    Args:
        matrix: Array of shape ``(m, m)``, already in display order.
        texts: ``m`` texts in the same order.
        metric: Name shown in hover and on the colour bar.
        labels: ``m`` short tick labels (e.g. a category); row numbers when absent.

    Returns:
        The figure.
    """
    size = matrix.shape[0]
    short = [hover_label(text, width=60, max_chars=120) for text in texts]
    ticks = [html.escape(str(label)) for label in labels] if labels is not None else None
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
