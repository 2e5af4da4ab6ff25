"""Directions in the open dataset's space: vector arithmetic and concept axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from components import cached, state
from components.cluster_panel import colour_clustering
from components.current import OpenDataset
from components.map_view import map_colors
from components.markdown import safe
from components.tables import RowImages, text_table
from embedding_space.analysis.concepts import ConceptAxis, axis_between, concept_map, parse_side
from embedding_space.analysis.neighbors import Neighbor
from embedding_space.analysis.placement import place_texts
from embedding_space.errors import InputError
from embedding_space.figures.charts import concept_strip, title_concept_axes
from embedding_space.figures.layers import QueryMark, neighbors_layer
from embedding_space.figures.map import map_figure
from embedding_space.limits import MAX_AXIS_END_TEXTS

RANKED = 10


def arithmetic_result(
    current: OpenDataset, expression: str
) -> tuple[list[Neighbor], QueryMark] | None:
    """The rows nearest an expression's vector (the terms' own rows left out), and where that
    vector lands on the map; ``None`` (with the message) for a bad expression."""
    try:
        found = current.space.arithmetic(expression, state.setting(state.ARITHMETIC_K, int))
    except InputError as error:
        st.error(safe(error))
        return None
    if current.projection is None or current.params is None:
        raise ValueError("open the dataset with its projection to place the expression")
    placed = place_texts(current.vectors, current.projection, current.params, found.vector[None])
    rows = [n.row for n in found.neighbors]
    return found.neighbors, QueryMark(expression, placed.points[0], rows, "result")


def neighbor_frame(current: OpenDataset, found: list[Neighbor]) -> pd.DataFrame:
    """Rank, score, text (and the colour column) of found rows, for a table."""
    table = pd.DataFrame(
        {
            "rank": [n.rank for n in found],
            "score": [round(n.score, 3) for n in found],
            "text": [current.texts[n.row] for n in found],
            "row": [n.row for n in found],
        }
    )
    column = state.color_column(current.frame.columns)
    if column is not None:
        table.insert(3, column, current.frame[column].iloc[table["row"]].astype(str).tolist())
    return table


def arithmetic_panel(current: OpenDataset) -> None:
    """An expression box; the nearest rows listed, and marked on the map with the result."""
    expression = st.text_input(
        "Expression",
        placeholder="e.g. king - man + woman",
        key=state.widget_key("expression", current.info.id),
        help='Texts joined by " + " and " - " (spaces around the sign); quote a text that '
        "holds a sign.",
    ).strip()
    if not expression:
        st.caption("Each term is embedded with the dataset's model; their signed sum is searched.")
        return
    result = arithmetic_result(current, expression)
    if result is None:
        return
    found, mark = result
    left, right = st.columns([1, 1.2], gap="medium")
    text_table(
        neighbor_frame(current, found),
        where=left,
        narrow=True,
        rows_shown=8,
        images=RowImages(current.info.id, [n.row for n in found]),
    )
    figure = map_figure(
        current.projection.coordinates if current.projection is not None else np.zeros((0, 2)),
        current.texts,
        revision=f"arithmetic-{current.info.id}",
        highlights=[neighbors_layer([n.row for n in found])],
        query=mark,
        height=480,
        hover=cached.hover_labels(current.info.id),
    )
    right.plotly_chart(figure, width="stretch", config={"displaylogo": False})
    right.caption("The star is where the expression's vector lands; circles are its nearest rows.")


def _axis(current: OpenDataset, positive: str, negative: str) -> ConceptAxis | None:
    ends = parse_side(positive), parse_side(negative)
    if not ends[0] or not ends[1]:
        return None
    first, second = current.space.embed_typed(ends[0]), current.space.embed_typed(ends[1])
    return axis_between(first, second, f"{positive} ← → {negative}")


def axes_panel(current: OpenDataset) -> None:
    """Two axes, each from one set of texts to another; every row placed by its position on
    them, and the rows ranked along the first."""
    key = current.info.id
    st.caption(
        f"Each end is one to {MAX_AXIS_END_TEXTS} texts, separated by commas; an axis runs from "
        "the mean of the second end to the mean of the first. Rows sit where they project onto "
        "the axes."
    )
    # One form: the four ends are typed, then computed once, with Apply (not after each box).
    with st.form(state.widget_key("axes", key), border=False, enter_to_submit=False):
        x_plus, x_minus, y_plus, y_minus = st.columns(4)
        texts = [
            x_plus.text_input(
                "x towards", placeholder="he, him, his, man", key=state.widget_key("x+", key)
            ),
            x_minus.text_input(
                "x away from", placeholder="she, her, hers, woman", key=state.widget_key("x-", key)
            ),
            y_plus.text_input(
                "y towards (optional)", placeholder="rich, wealthy", key=state.widget_key("y+", key)
            ),
            y_minus.text_input("y away from", placeholder="poor", key=state.widget_key("y-", key)),
        ]
        st.form_submit_button("Apply", type="primary")
    try:
        x = _axis(current, texts[0], texts[1])
        y = _axis(current, texts[2], texts[3])
    except InputError as error:
        st.error(safe(error))
        return
    if x is None:
        st.caption("Give both ends of the x axis.")
        return
    coordinates = concept_map(current.vectors, x, y)
    if y is None:  # on one axis the rows would sit on one line, each dot over the next
        coordinates = concept_strip(coordinates[:, 0])
    color, color_name, color_scale = map_colors(current, colour_clustering(current))
    figure = map_figure(
        coordinates,
        current.texts,
        revision=f"axes-{key}",
        color=color,
        color_name=color_name,
        color_scale=color_scale,
        height=560,
        hover=cached.hover_labels(current.info.id),
    )
    title_concept_axes(figure, (texts[0], texts[1]), (texts[2], texts[3]) if y else None)
    left, right = st.columns([1.6, 1], gap="medium")
    left.plotly_chart(figure, width="stretch", config={"displaylogo": False})
    order = np.argsort(-coordinates[:, 0], kind="stable")
    ranked = pd.DataFrame(
        {
            "position": np.round(coordinates[order, 0], 3),
            "text": [current.texts[row] for row in order],
            "row": order,
        }
    )
    with right:
        st.markdown(f"**Furthest towards** {safe(texts[0])}")
        text_table(
            ranked.head(RANKED),
            narrow=True,
            rows_shown=4,
            images=RowImages(current.info.id, order[:RANKED].tolist()),
        )
        st.markdown(f"**Furthest towards** {safe(texts[1])}")
        text_table(
            ranked.tail(RANKED).iloc[::-1],
            narrow=True,
            rows_shown=4,
            images=RowImages(current.info.id, order[::-1][:RANKED].tolist()),
        )
