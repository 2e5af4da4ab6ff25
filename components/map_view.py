"""The map on screen: the plotly chart whose clicks and box/lasso selections come back as row
ids, and the controls of the projection behind it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from embedding_space.analysis.projection import PARAMETERS
from embedding_space.figures.layers import Highlight, QueryMark
from embedding_space.figures.map import map_figure
from embedding_space.io.columns import default_color_column

CHART_CONFIG = {"displaylogo": False, "scrollZoom": True}
SLIDER_PARAMETERS = ("n_neighbors", "min_dist", "perplexity")
"""The parameters shown as sliders in the map's expander (the seed gets a number box)."""


@dataclass(frozen=True)
class MapEvent:
    """What the user did on the map in this run.

    Attributes:
        clicked: The row of a single clicked point, else ``None``.
        selected: Rows inside a new box or lasso selection, else ``None``.
    """

    clicked: int | None = None
    selected: list[int] | None = None


def _row_id(custom: Any) -> int:
    """A row id from one point's ``customdata``, in whichever shape the browser sent it.

    Plotly sends numpy arrays as typed arrays, and Streamlit then hands each point's row as
    ``{"0": 24}``; plain lists arrive as ``[24]``.
    """
    if isinstance(custom, dict):
        custom = custom.get("0", next(iter(custom.values())))
    if isinstance(custom, list | tuple):
        custom = custom[0]
    return int(custom)


def rows_of(points: Sequence[Any]) -> list[int]:
    """The row ids of the points a plotly selection event lists."""
    rows = []
    for point in points:
        custom = point.get("customdata") if hasattr(point, "get") else None
        if custom is not None:
            rows.append(_row_id(custom))
    return sorted(set(rows))


def color_picker(where: DeltaGenerator, current: cached.OpenDataset) -> str | None:
    """A "Colour by" box; returns the chosen column, or ``None`` for one colour.

    A dataset opened for the first time starts coloured by its label-like column; a choice
    made for a dataset is kept while it stays open.
    """
    frame, text_column = current.frame, current.info.text_column
    options = [state.NO_COLOR, *(column for column in frame.columns if column != text_column)]
    if (
        state.value(state.COLOR_DATASET) != current.info.id
        or state.value(state.COLOR_COLUMN) not in options
    ):
        state.put(state.COLOR_COLUMN, default_color_column(frame, text_column) or state.NO_COLOR)
        state.put(state.COLOR_DATASET, current.info.id)
    where.selectbox("Colour by", options=options, **state.bind(state.COLOR_COLUMN))
    return state.color_column(frame.columns)


def dataset_map(
    current: cached.OpenDataset,
    *,
    key: str,
    highlights: Sequence[Highlight] = (),
    query: QueryMark | None = None,
    selected: Sequence[int] = (),
    height: int = 640,
) -> go.Figure:
    """The open dataset's map, coloured by the chosen column, with layers on top.

    Args:
        current: From :func:`components.cached.open_current` (with its projection).
        key: The chart's key; zoom and camera are kept while it is unchanged.
        highlights: Marked rows, drawn in order.
        query: A text that is not in the dataset, drawn with lines to its neighbours.
        selected: Rows selected with box or lasso.
        height: Pixels for the points.
    """
    if current.projection is None:
        raise ValueError("open the dataset with its projection to draw its map")
    color = state.color_column(current.frame.columns)
    return map_figure(
        current.projection.coordinates,
        current.texts,
        revision=key,
        color=current.frame[color] if color else None,
        color_name=color,
        highlights=highlights,
        query=query,
        height=height,
        hover=cached.hover_labels(current.info.id),
        selected=selected,
    )


def show_map(figure: go.Figure, *, key: str) -> MapEvent:
    """Draw the map and report a new click or selection (2-D only; 3-D maps rotate and hover).

    Args:
        figure: From :func:`embedding_space.figures.map_figure`.
        key: Widget key; keep it stable per dataset so zoom and selection survive reruns.

    Returns:
        The new click or selection, compared with the last one seen under ``key``.
    """
    if any(trace.type == "scatter3d" for trace in figure.data):
        st.plotly_chart(figure, width="stretch", config=CHART_CONFIG, key=key)
        return MapEvent()
    remembered = state.map_interaction(key)
    # A redraw would put the chart back in pan mode; keep the tool of the last selection.
    if remembered.get("tool"):
        figure.update_layout(dragmode=remembered["tool"])
    event = st.plotly_chart(
        figure,
        width="stretch",
        config=CHART_CONFIG,
        key=key,
        on_select="rerun",
        selection_mode=("points", "box", "lasso"),
    )
    selection = event.selection if event is not None else None
    if selection is None:
        return MapEvent()
    region = bool(selection.get("box") or selection.get("lasso"))
    rows = rows_of(selection.get("points", []))
    signature = (region, tuple(rows))
    if remembered.get("event") == signature:
        return MapEvent()
    remembered["event"] = signature
    if region:
        remembered["tool"] = "lasso" if selection.get("lasso") else "select"
        return MapEvent(selected=rows)
    remembered["tool"] = None  # a click arrives only in pan or zoom mode
    if len(rows) == 1:
        return MapEvent(clicked=rows[0])
    return MapEvent(selected=rows) if rows else MapEvent()


def projection_parameters() -> None:
    """An expander with the projection's parameters, drawn from the core's parameter table."""
    with st.expander("Projection parameters"):
        columns = st.columns(len(SLIDER_PARAMETERS) + 1)
        for column, name in zip(columns, SLIDER_PARAMETERS, strict=False):
            parameter = PARAMETERS[name]
            column.slider(
                parameter.label,
                parameter.kind(parameter.low),
                parameter.kind(parameter.high),
                step=parameter.kind(parameter.step),
                help=parameter.help,
                **state.bind(name),
            )
        seed = PARAMETERS["random_state"]
        columns[-1].number_input(
            seed.label,
            int(seed.low or 0),
            int(seed.high or 0),
            step=1,
            help=seed.help,
            **state.bind(seed.name),
        )
