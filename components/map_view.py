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

from components import cached, links, state
from components.current import OpenDataset
from components.map_images import hover_images, map_pictures
from components.markdown import safe
from components.settings import parameter_input
from embedding_space.analysis.agreement import largest_trust_k
from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.cost import cost_sentence
from embedding_space.analysis.methods import MethodsCard
from embedding_space.analysis.projection import PARAMETERS
from embedding_space.embed.images import IMAGES_SUFFIX
from embedding_space.errors import InputError
from embedding_space.figures.annotations import add_notes
from embedding_space.figures.layers import Highlight, QueryMark
from embedding_space.figures.map import map_figure
from embedding_space.figures.points import is_categorical
from embedding_space.figures.raster import POINT_BUDGET, rows_in_region
from embedding_space.io.columns import default_color_column
from embedding_space.types import FloatMatrix
from embedding_space.views import View
from embedding_space.views.encodings import (
    ComputedValues,
    Encoding,
    MapEncodings,
    corrected_source,
    label_issue_encoding,
    map_encodings,
    tag_encoding,
)
from embedding_space.views.marks import ViewRows, apply_camera, shown_rows, view_notes

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
    options = [
        state.CLUSTER_COLOR,
        state.NO_COLOR,
        state.OUTLIER_SCORE,
        state.MAP_TRUST,
        state.TAGS_COLOR,
        state.LABEL_ISSUE_SCORE,
        *columns,
        *_corrected_columns(current),
    ]
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
        format_func=lambda option: f"Colour: {_VIRTUAL.get(option, option)}",
        label_visibility="collapsed",
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
        format_func=lambda option: (
            "same size" if option == state.NO_COLOR else _VIRTUAL.get(option, option)
        ),
        **state.bind(state.SIZE_COLUMN),
    )


_VIRTUAL = {
    state.CLUSTER_COLOR: "clusters",
    state.OUTLIER_SCORE: "outlier score",
    state.MAP_TRUST: "map trust (kNN recall)",
    state.TAGS_COLOR: "tags",
    state.LABEL_ISSUE_SCORE: "label issue score",
}


def _corrected_columns(current: OpenDataset) -> list[str]:
    """The corrected copies of the label columns that have an accepted correction."""
    found = []
    for column in cached.label_columns(current.info.id):
        corrections = current.space.corrections(column)
        if corrections.accepted():
            found.append(corrections.name)
    return found


def _app_values(current: OpenDataset) -> ComputedValues:
    """Outlier scores and map trust from the app's caches, with the settings panel's ``k``;
    a dataset too small for one gets a note and one colour."""
    params = current.params or state.projection_params()

    def computed(option: str) -> Encoding:
        try:
            if option == state.OUTLIER_SCORE:
                k = state.setting(state.OUTLIER_K, int)
                method = state.setting(state.OUTLIER_METHOD, str)
                scores = cached.outlier_scores(current.space, k, method)
                return Encoding(pd.Series(scores), f"outlier score@{k}", True)
            if option == state.TAGS_COLOR:
                return tag_encoding(current.space)
            if option == state.LABEL_ISSUE_SCORE:
                return _label_issue_values(current)
            original = corrected_source(option, current.frame, current.info.text_column)
            if original is not None:
                return Encoding(current.space.corrected_column(original), option)
            k = min(state.setting(state.TRUST_K, int), largest_trust_k(len(current.texts)))
            trust = cached.map_trust(current.space, params, k, None)
            return Encoding(pd.Series(trust.recall), f"kNN recall@{k}", True)
        except InputError as error:
            st.caption(safe(error))
            return Encoding()

    return computed


def _label_issue_values(current: OpenDataset) -> Encoding:
    """The label issue scores from the app's cache, with the settings' ``k`` (the core's
    ``label_issue_encoding`` gives the same, uncached)."""
    k = state.setting(state.LABEL_K, int)
    columns = cached.label_columns(current.info.id)
    if not columns:
        return label_issue_encoding(current.space, k)  # says a label column is needed
    scores = cached.label_issues(current.space, columns[0], k).scores
    return Encoding(pd.Series(scores), f"label issue score@{k} ({columns[0]})", True)


def map_encodings_of(
    current: OpenDataset, clusters: Clustering | None = None, view: View | None = None
) -> MapEncodings:
    """The map's colour and size as the controls (or ``view``, the session's view when
    given) say, resolved by the same core function a saved view, a story slide and an export
    use (``views.map_encodings``)."""
    view = view or links.current_view()
    if view is None:
        return MapEncodings(Encoding(), Encoding())

    def resolved(chosen: View) -> MapEncodings:
        return map_encodings(
            chosen,
            current.frame,
            current.info.text_column,
            clustering=clusters,
            computed=_app_values(current),
        )

    try:
        return resolved(view)
    except InputError:  # a choice made for another dataset: this one's defaults
        return resolved(view.with_changes(color=None, size=None))


def map_colors(
    current: OpenDataset, clusters: Clustering | None = None
) -> tuple[pd.Series | None, str | None, bool]:
    """What the map is coloured by, as the controls say: the values (one a row), their name,
    and whether they take a colour scale (a score) rather than one colour a category."""
    color = map_encodings_of(current, clusters).color
    return color.values, color.name, color.scale


def map_categories(
    current: OpenDataset, clusters: Clustering | None = None
) -> tuple[pd.Series, str] | None:
    """The categories the map is coloured by (a column, the clusters), one a row, and their
    name; when it is coloured by a score or by nothing, the dataset's label column; ``None``
    when there is neither. Its colours are ``category_palette`` of the whole series."""
    scores = (state.OUTLIER_SCORE, state.MAP_TRUST, state.LABEL_ISSUE_SCORE)
    if state.value(state.COLOR_COLUMN) not in scores:
        values, name, scale = map_colors(current, clusters)
        if values is not None and not scale and is_categorical(values):
            return values, name or "category"
    column = default_color_column(current.frame, current.info.text_column)
    return (current.frame[column], column) if column else None


def dataset_map(
    current: OpenDataset,
    *,
    key: str,
    highlights: Sequence[Highlight] = (),
    query: QueryMark | Sequence[QueryMark] | None = None,
    selected: Sequence[int] = (),
    height: int = 640,
    clusters: Clustering | None = None,
    colors: tuple[pd.Series | None, str | None, bool] | None = None,
) -> go.Figure:
    """The open dataset's map as the controls describe it: coloured by the chosen column or
    the clusters, sized by a column, cluster labels and density if asked, layers on top, then
    the notes and the camera of the view opened; only the rows passing its filters.

    Args:
        current: From :func:`components.current.open_current` (with its projection).
        key: The chart's key; zoom and camera are kept while it is unchanged.
        highlights: Marked rows, drawn in order.
        query: A text that is not in the dataset, drawn with lines to its neighbours.
        selected: Rows to keep bright (a selection, search matches); the others are dimmed.
        height: Pixels for the points.
        clusters: The dataset's clusters, for colouring and labels.
        colors: What :func:`map_colors` gave, when the page has it already.
    """
    if current.projection is None:
        raise ValueError("open the dataset with its projection to draw its map")
    view = links.current_view()
    encodings = map_encodings_of(current, clusters, view)
    color = Encoding(*colors) if colors is not None else encodings.color
    labelled = clusters if clusters is not None and state.value(state.CLUSTER_LABELS) else None
    coordinates = current.projection.coordinates
    shown = None
    if view is not None and view.filters:  # the same rows a saved view of it draws
        shown = shown_rows(cached.filter_table(current.info.id), view.filters)
    points = len(coordinates) if shown is None else len(shown)
    figure = map_figure(
        coordinates,
        current.texts,
        revision=key,
        color=color.values,
        color_name=color.name,
        highlights=highlights,
        query=query,
        height=height,
        hover=cached.hover_labels(current.info.id),
        selected=selected,
        size=encodings.size.values,
        size_name=encodings.size.name,
        clusters=labelled,
        density=bool(state.value(state.DENSITY)),
        color_scale=color.scale,
        shown=shown,
        pictures=map_pictures(current.info.id, points, coordinates.shape[1]),
    )
    if view is not None:
        framed = state.selection(current.info.id, len(current.texts))
        apply_camera(figure, coordinates, view, framed)
        notes = view_notes(view, ViewRows(selection=framed))
        add_notes(
            figure, coordinates, [n for n in notes if max(n.rows, default=0) < len(coordinates)]
        )
    return figure


def show_map(
    figure: go.Figure,
    *,
    key: str,
    coordinates: FloatMatrix | None = None,
    dataset_id: str | None = None,
) -> MapEvent:
    """Draw the map and report a new click or selection (2-D only; 3-D maps rotate and hover).

    Args:
        figure: From :func:`embedding_space.figures.map_figure`.
        key: Widget key; keep it stable per dataset so zoom and selection survive reruns.
        coordinates: Every row's map position. On a map too large to draw every point
            (:data:`POINT_BUDGET`), a box or lasso then selects every row inside it, not only
            the drawn sample.
        dataset_id: The dataset the map shows: when it has images, hovering a point shows
            its image beside the label (:func:`components.map_images.hover_images`).

    Returns:
        The new click or selection, compared with the last one seen under ``key``.
    """
    if any(trace.type == "scatter3d" for trace in figure.data):
        st.plotly_chart(figure, width="stretch", config=CHART_CONFIG, key=key)
        hover_images(figure, key=key, dataset_id=dataset_id)
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
    hover_images(figure, key=key, dataset_id=dataset_id)
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


def pending_inputs(
    names: Sequence[str], draw: Callable[[DeltaGenerator, str, str], None], cost: str = ""
) -> None:
    """Inputs whose values wait for an *Apply* button: moving a slider step by step computes
    nothing; the map (or clustering) is computed once, for the values applied.

    Args:
        names: The session keys the inputs set (see :mod:`components.state`).
        draw: Draws one input in a column, given the column, the name and the input's key.
        cost: What applying costs (``analysis.cost.cost_sentence``), said beside the button
            once something changed.
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
        note.caption(
            "Changed; the map shows the applied values until you apply."
            + (f" Applying computes a new map: {cost}." if cost else "")
        )


def _projection_input(column: DeltaGenerator, name: str, key: str) -> None:
    parameter_input(column, PARAMETERS[name], key=key, slider=name in SLIDER_PARAMETERS)


def projection_parameters(rows: int) -> None:
    """An expander with the projection's parameters (from the core's parameter table),
    applied together with one button, which says what a new map of ``rows`` rows costs."""
    method = state.projection_params().method
    cost = cost_sentence(method, rows) if method != "pca" else ""
    with st.expander("Projection parameters"):
        pending_inputs([*SLIDER_PARAMETERS, "random_state"], _projection_input, cost)


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
        images=current.space.model_key.endswith(IMAGES_SUFFIX),
    )


def methods_card(card: MethodsCard) -> None:
    """The methods card under the map, copyable as text."""
    with st.expander("Methods: how this map was made", expanded=False):
        st.code(card.text(), language=None)
