"""Directions in the open dataset's space: vector arithmetic and concept axes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached, state
from components.markdown import display_frame, safe
from embedding_space.analysis.concepts import (
    ConceptAxis,
    axis_between,
    combine_terms,
    concept_map,
    parse_expression,
    parse_side,
)
from embedding_space.analysis.neighbors import Neighbor, top_k
from embedding_space.analysis.placement import place_texts
from embedding_space.errors import InputError
from embedding_space.figures.labels import plain_label
from embedding_space.figures.layers import QueryMark, neighbors_layer
from embedding_space.figures.map import map_figure

ARITHMETIC_K = 10
RANKED = 10


def arithmetic_result(
    current: cached.OpenDataset, expression: str
) -> tuple[list[Neighbor], QueryMark] | None:
    """The rows nearest an expression's vector (the terms' own rows left out), and where that
    vector lands on the map; ``None`` (with the message) for a bad expression."""
    try:
        terms = parse_expression(expression)
        vectors = cached.embed_texts(
            current.info, [t.text for t in terms], current.vectors.shape[1]
        )
        query = combine_terms(vectors, [term.sign for term in terms])
    except InputError as error:
        st.error(safe(error))
        return None
    own = {row for row, text in enumerate(current.texts) if text in {t.text for t in terms}}
    found = [n for n in top_k(current.vectors, query, ARITHMETIC_K + len(own)) if n.row not in own]
    found = found[:ARITHMETIC_K]
    assert current.projection is not None
    placed = place_texts(current.vectors, current.projection, current.params, query[None])
    mark = QueryMark(expression, placed.points[0], [n.row for n in found], "result")
    return found, mark


def neighbor_frame(current: cached.OpenDataset, found: list[Neighbor]) -> pd.DataFrame:
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


def arithmetic_panel(current: cached.OpenDataset) -> None:
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
    left.dataframe(display_frame(neighbor_frame(current, found)), hide_index=True, width="stretch")
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


def _axis(current: cached.OpenDataset, positive: str, negative: str) -> ConceptAxis | None:
    ends = parse_side(positive), parse_side(negative)
    if not ends[0] or not ends[1]:
        return None
    dimension = current.vectors.shape[1]
    first = cached.embed_texts(current.info, ends[0], dimension)
    second = cached.embed_texts(current.info, ends[1], dimension)
    return axis_between(first, second, f"{positive} ← → {negative}")


def axes_panel(current: cached.OpenDataset) -> None:
    """Two axes, each from one set of texts to another; every row placed by its position on
    them, and the rows ranked along the first."""
    key = current.info.id
    st.caption(
        "Each end is one or more texts, separated by commas; an axis runs from the mean of the "
        "second end to the mean of the first. Rows sit where they project onto the axes."
    )
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
    column = state.color_column(current.frame.columns)
    figure = map_figure(
        coordinates,
        current.texts,
        revision=f"axes-{key}",
        color=current.frame[column] if column else None,
        color_name=column,
        height=560,
        hover=cached.hover_labels(current.info.id),
    )
    _label_axes(figure, texts, y is not None)
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
        st.dataframe(display_frame(ranked.head(RANKED)), hide_index=True, width="stretch")
        st.markdown(f"**Furthest towards** {safe(texts[1])}")
        st.dataframe(
            display_frame(ranked.tail(RANKED).iloc[::-1]), hide_index=True, width="stretch"
        )


def _label_axes(figure: go.Figure, texts: list[str], two: bool) -> None:
    axis = {"showticklabels": True, "zeroline": True, "zerolinecolor": "#cccccc"}
    figure.update_xaxes(
        **axis, title={"text": f"← {plain_label(texts[1])}   ·   {plain_label(texts[0])} →"}
    )
    if two:
        figure.update_yaxes(
            **axis, title={"text": f"← {plain_label(texts[3])}   ·   {plain_label(texts[2])} →"}
        )
