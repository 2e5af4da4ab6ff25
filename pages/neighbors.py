"""Neighbours: type any sentence (or pick a row) and see the nearest texts, on a list and a map."""

import numpy as np
import streamlit as st

from components import cached, state
from components.panels import neighbor_table, safe
from components.scatter import QueryMark, focus_layer, map_figure, neighbours_layer, show_map
from embedding_space.embedding import embed
from embedding_space.errors import InputError
from embedding_space.neighbors import top_k
from embedding_space.similarity import METRICS

current = cached.open_current("Nearest neighbours")
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
projection = current.projection
dataset_id = info.id
if len(texts) < 2:
    st.info("This dataset has a single text, so it has no neighbours. Add more on the Data page.")
    st.stop()
model_name = st.session_state[state.MODEL_NAME]

query_model = info.query_model if info.vectors_model is not None else model_name
modes = ["a sentence", "a row of the dataset"] if query_model else ["a row of the dataset"]
if not query_model:
    st.caption(
        "These vectors were uploaded without naming their model, so search is by row; "
        "free-text search needs the model that made them."
    )
mode = st.radio("Search by", modes, horizontal=True)
controls = st.columns([1, 1])
k = controls[0].slider("k", 1, min(50, max(1, len(texts))), min(10, len(texts)))
metric = controls[1].selectbox("Metric", METRICS)

query_vector = None
query_text = ""
exclude = None
if mode == "a sentence":
    query_text = st.text_input(
        "Sentence", placeholder="e.g. my card was charged twice", key="neighbor_query"
    ).strip()
    if not query_text:
        st.caption("Type a sentence and press Enter: it is embedded with the same model.")
        st.stop()
    try:
        model = cached.embedder(query_model)
        query_vector = embed([query_text], model).vectors[0]
        if query_vector.shape[0] != vectors.shape[1]:
            raise InputError(
                f"The model '{query_model}' makes {query_vector.shape[0]}-dimensional vectors but "
                f"this dataset's vectors have {vectors.shape[1]}; choose the model that made them."
            )
    except InputError as error:
        st.error(safe(error))
        st.stop()
else:
    start = min(state.focus_row(dataset_id) or 0, len(texts) - 1)
    row = int(st.number_input("Row", 0, len(texts) - 1, start))
    st.text(texts[row][:500])
    query_vector = vectors[row]
    exclude = row

neighbors = top_k(vectors, query_vector, k=k, metric=metric, exclude=exclude)
color_column = st.session_state.get(state.COLOR_COLUMN)
list_column, map_column = st.columns([1, 1], gap="medium")
with list_column:
    neighbor_table(
        neighbors,
        frame,
        info.text_column,
        metric=metric,
        label_column=color_column if color_column in frame.columns else None,
    )
with map_column:
    coordinates = projection.coordinates
    neighbor_rows = [n.row for n in neighbors]
    if exclude is None and neighbor_rows:
        # A new sentence has no place on a fitted map; it sits where its neighbours sit.
        weights = np.linspace(1.0, 0.5, len(neighbor_rows))
        point = np.average(coordinates[neighbor_rows], axis=0, weights=weights)
        query = QueryMark(query_text, point.astype(np.float32), neighbor_rows)
        highlights = [neighbours_layer(neighbor_rows)]
        caption = "The star marks the query, placed at the weighted mean of its neighbours."
    else:
        query = None
        highlights = [
            neighbours_layer(neighbor_rows),
            focus_layer([exclude] if exclude is not None else [], "query row"),
        ]
        caption = "The star marks the chosen row; circles mark its neighbours."
    map_key = f"neighbors-map-{dataset_id}-{coordinates.shape[1]}"
    figure = map_figure(
        coordinates,
        texts,
        key=map_key,
        color=frame[color_column] if color_column in frame.columns else None,
        color_name=color_column if color_column in frame.columns else None,
        highlights=highlights,
        hover=cached.hover_labels(dataset_id),
        query=query,
        height=520,
    )
    show_map(figure, key=map_key)
    st.caption(caption)
