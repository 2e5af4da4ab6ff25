"""The map on screen: the plotly chart whose clicks and box/lasso selections come back as row
ids, and the controls of the projection behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from components.current import OpenDataset
from components.markdown import safe
from components.settings import parameter_input
from embedding_space.analysis.agreement import largest_trust_k
from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.methods import MethodsCard
from embedding_space.analysis.projection import PARAMETERS
from embedding_space.errors import InputError
from embedding_space.figures.layers import Highlight, QueryMark
from embedding_space.figures.map import map_figure
from embedding_space.figures.raster import POINT_BUDGET, rows_in_region
from embedding_space.io.columns import default_color_column
from embedding_space.types import FloatMatrix

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


def color_picker(where: DeltaGenerator, current: OpenDataset) -> None:
    """A "Colour by" box: the clusters, a column, or one colour.

    A dataset opened for the first time starts coloured by its label-like column, else by its
    clusters; a choice made for a dataset is kept while it stays open.
    """
    frame, text_column = current.frame, current.info.text_column
    columns = [str(column) for column in frame.columns if column != text_column]
    options = [state.CLUSTER_COLOR, state.NO_COLOR, state.OUTLIER_SCORE, state.MAP_TRUST, *columns]
    if (
        state.value(state.COLOR_DATASET) != current.info.id
        or state.value(state.COLOR_COLUMN) not in options
    ):
        chosen = default_color_column(frame, text_column)
        state.put(state.COLOR_COLUMN, chosen or state.CLUSTER_COLOR)
        state.put(state.COLOR_DATASET, current.info.id)
    where.selectbox(
        "Colour by",
        options=options,
        format_func=lambda option: _VIRTUAL.get(option, option),
        **state.bind(state.COLOR_COLUMN),
    )


def size_picker(where: DeltaGenerator, current: OpenDataset) -> None:
    """A "Size by" box over the dataset's numeric columns (shown only if it has any)."""
    numeric = [
        str(column)
        for column in current.frame.columns
        if pd.api.types.is_numeric_dtype(current.frame[column])
        and not pd.api.types.is_bool_dtype(current.frame[column])
    ]
    options = [state.NO_COLOR, state.OUTLIER_SCORE, *numeric]
    if state.value(state.SIZE_COLUMN) not in options:
        state.put(state.SIZE_COLUMN, state.NO_COLOR)
    where.selectbox(
        "Size by",
        options,
        format_func=lambda option: _VIRTUAL.get(option, option),
        **state.bind(state.SIZE_COLUMN),
    )


_VIRTUAL = {
    state.CLUSTER_COLOR: "clusters",
    state.OUTLIER_SCORE: "outlier score",
    state.MAP_TRUST: "map trust (kNN recall)",
}


def _virtual_values(current: OpenDataset, option: str) -> tuple[pd.Series | None, str | None]:
    """A computed colour or size: each row's outlier score, or its kNN recall on this map
    (``None`` with a note when the dataset is too small for it)."""
    try:
        if option == state.OUTLIER_SCORE:
            k, method = (
                state.setting(state.OUTLIER_K, int),
                state.setting(state.OUTLIER_METHOD, str),
            )
            scores = cached.outlier_scores(current.space, k, method)
            return pd.Series(scores), f"outlier score@{k}"
        k = min(state.setting(state.TRUST_K, int), largest_trust_k(len(current.texts)))
        params = current.params or state.projection_params()
        trust = cached.map_trust(current.space, params, k, None)
        return pd.Series(trust.recall), f"kNN recall@{k}"
    except InputError as error:
        st.caption(safe(error))
        return None, None


def dataset_map(
    current: OpenDataset,
    *,
    key: str,
    highlights: Sequence[Highlight] = (),
    query: QueryMark | Sequence[QueryMark] | None = None,
    selected: Sequence[int] = (),
    height: int = 640,
    clusters: Clustering | None = None,
) -> go.Figure:
    """The open dataset's map as the controls describe it: coloured by the chosen column or
    the clusters, sized by a column, cluster labels and density if asked, layers on top.

    Args:
        current: From :func:`components.current.open_current` (with its projection).
        key: The chart's key; zoom and camera are kept while it is unchanged.
        highlights: Marked rows, drawn in order.
        query: A text that is not in the dataset, drawn with lines to its neighbours.
        selected: Rows to keep bright (a selection, search matches); the others are dimmed.
        height: Pixels for the points.
        clusters: The dataset's clusters, for colouring and labels.
    """
    if current.projection is None:
        raise ValueError("open the dataset with its projection to draw its map")
    frame = current.frame
    color_column = state.color_column(frame.columns)
    color, color_name = (frame[color_column], color_column) if color_column else (None, None)
    chosen_color = state.value(state.COLOR_COLUMN)
    scale = False
    if clusters is not None and chosen_color == state.CLUSTER_COLOR:
        color, color_name = pd.Series(clusters.row_names()), "cluster"
    elif chosen_color in (state.OUTLIER_SCORE, state.MAP_TRUST):
        color, color_name = _virtual_values(current, str(chosen_color))
        scale = color is not None
    size_column = state.value(state.SIZE_COLUMN)
    size, size_name = (
        (frame[str(size_column)], str(size_column))
        if size_column in frame.columns
        else (None, None)
    )
    if size_column == state.OUTLIER_SCORE:
        size, size_name = _virtual_values(current, state.OUTLIER_SCORE)
    labelled = clusters if clusters is not None and state.value(state.CLUSTER_LABELS) else None
    return map_figure(
        current.projection.coordinates,
        current.texts,
        revision=key,
        color=color,
        color_name=color_name,
        highlights=highlights,
        query=query,
        height=height,
        hover=cached.hover_labels(current.info.id),
        selected=selected,
        size=size,
        size_name=size_name,
        clusters=labelled,
        density=bool(state.value(state.DENSITY)),
        color_scale=scale,
    )


def show_map(figure: go.Figure, *, key: str, coordinates: FloatMatrix | None = None) -> MapEvent:
    """Draw the map and report a new click or selection (2-D only; 3-D maps rotate and hover).

    Args:
        figure: From :func:`embedding_space.figures.map_figure`.
        key: Widget key; keep it stable per dataset so zoom and selection survive reruns.
        coordinates: Every row's map position. On a map too large to draw every point
            (:data:`POINT_BUDGET`), a box or lasso then selects every row inside it, not only
            the drawn sample.

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
    if region and coordinates is not None and len(coordinates) > POINT_BUDGET:
        rows = rows_in_region(coordinates, selection.get("box") or (), selection.get("lasso") or ())
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


def _apply(names: Sequence[str]) -> None:
    for name in names:
        state.put(name, state.value(state.widget_key("pending", name)))


def pending_inputs(names: Sequence[str], draw: Callable[[DeltaGenerator, str, str], None]) -> None:
    """Inputs whose values wait for an *Apply* button: moving a slider step by step computes
    nothing; the map (or clustering) is computed once, for the values applied.

    Args:
        names: The session keys the inputs set (see :mod:`components.state`).
        draw: Draws one input in a column, given the column, the name and the input's key.
    """
    keys = [state.widget_key("pending", name) for name in names]
    for name, key in zip(names, keys, strict=True):
        if state.value(key) is None:
            state.put(key, state.value(name))
    columns = st.columns(len(names))
    for column, name, key in zip(columns, names, keys, strict=True):
        draw(column, name, key)
    changed = any(
        state.value(key) != state.value(name) for name, key in zip(names, keys, strict=True)
    )
    button, note = st.columns([1, 3], vertical_alignment="center")
    button.button(
        "Apply",
        on_click=_apply,
        args=(names,),
        type="primary" if changed else "secondary",
        disabled=not changed,
        key=state.widget_key("apply", *names),
    )
    if changed:
        note.caption("Changed; the map shows the applied values until you apply.")


def _projection_input(column: DeltaGenerator, name: str, key: str) -> None:
    parameter_input(column, PARAMETERS[name], key=key, slider=name in SLIDER_PARAMETERS)


def projection_parameters() -> None:
    """An expander with the projection's parameters (from the core's parameter table),
    applied together with one button."""
    with st.expander("Projection parameters"):
        pending_inputs([*SLIDER_PARAMETERS, "random_state"], _projection_input)


def methods_of(current: OpenDataset, clusters: ClusterParams | None) -> MethodsCard:
    """What the map on screen was made with."""
    if current.projection is None or current.params is None:
        raise ValueError("open the dataset with its projection to describe its map")
    info = current.info
    uploaded = info.vectors_model is not None
    model_name = state.model_name()
    return MethodsCard(
        rows=info.rows,
        fingerprint=cached.fingerprint(info.id),
        model=info.vectors_model or model_name,
        dimension=current.space.dimension,
        truncated=current.space.truncated(),
        max_tokens=None if uploaded else cached.model_identity(model_name).max_seq_length,
        projection=current.projection,
        params=current.params,
        clusters=clusters,
    )


def methods_card(card: MethodsCard) -> None:
    """The methods card under the map, copyable as text."""
    with st.expander("Methods: how this map was made", expanded=False):
        st.code(card.text(), language=None)
