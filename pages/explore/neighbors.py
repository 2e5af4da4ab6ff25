"""Neighbours: type any sentence (or pick a row) and see the nearest texts, on a list and a map."""

import streamlit as st

from components import cached, state
from components.map_view import dataset_map, show_map
from components.markdown import safe
from components.neighbor_lists import neighbor_table
from embedding_space.analysis.neighbors import top_k
from embedding_space.analysis.projection import place_among_neighbors
from embedding_space.analysis.similarity import METRICS
from embedding_space.embed.base import embed_query
from embedding_space.errors import InputError
from embedding_space.figures.layers import QueryMark, focus_layer, neighbors_layer

current = cached.open_current("Nearest neighbours")
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
coordinates = current.projection.coordinates
dataset_id = info.id
if len(texts) < 2:
    st.info("This dataset has a single text, so it has no neighbours. Add more on the Data page.")
    st.stop()

query_model = info.query_model if info.vectors_model is not None else state.model_name()
modes = ["a sentence", "a row of the dataset"] if query_model else ["a row of the dataset"]
if not query_model:
    st.caption(
        "These vectors were uploaded without naming their model, so search is by row; "
        "free-text search needs the model that made them."
    )
mode = st.radio("Search by", modes, horizontal=True)
controls = st.columns([1, 1])
k = controls[0].slider("k", 1, min(50, len(texts)), min(10, len(texts)))
metric = controls[1].selectbox("Metric", METRICS)

if mode == "a sentence":
    query_text = st.text_input(
        "Sentence", placeholder="e.g. my card was charged twice", key="neighbor_query"
    ).strip()
    if not query_text:
        st.caption("Type a sentence and press Enter: it is embedded with the same model.")
        st.stop()
    try:
        model = cached.embedder(str(query_model))
        query_vector = embed_query(query_text, model, dimension=vectors.shape[1])
    except InputError as error:
        st.error(safe(error))
        st.stop()
    neighbors = top_k(vectors, query_vector, k=k, metric=metric)
    neighbor_rows = [n.row for n in neighbors]
    # A new sentence has no place on a fitted map; it sits where its neighbours sit.
    query = QueryMark(query_text, place_among_neighbors(coordinates, neighbor_rows), neighbor_rows)
    highlights = [neighbors_layer(neighbor_rows)]
    caption = "The star marks the query, placed at the weighted mean of its neighbours."
else:
    start = state.focus_row(dataset_id, len(texts)) or 0
    row = int(st.number_input("Row", 0, len(texts) - 1, start))
    st.text(texts[row][:500])
    neighbors = top_k(vectors, vectors[row], k=k, metric=metric, exclude=row)
    query = None
    highlights = [neighbors_layer([n.row for n in neighbors]), focus_layer([row], "query row")]
    caption = "The star marks the chosen row; circles mark its neighbours."

list_column, map_column = st.columns([1, 1], gap="medium")
with list_column:
    label_column = state.color_column(frame.columns)
    neighbor_table(neighbors, frame, info.text_column, metric=metric, label_column=label_column)
with map_column:
    map_key = f"neighbors-map-{dataset_id}-{coordinates.shape[1]}"
    figure = dataset_map(current, key=map_key, highlights=highlights, query=query, height=520)
    show_map(figure, key=map_key)
    st.caption(caption)
