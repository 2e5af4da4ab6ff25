"""Neighbours: type a sentence (or pick a row) and see the nearest texts, on a list and a map;
or drop several new texts onto the map at once."""

import streamlit as st

from components import state
from components.cluster_panel import colour_clustering
from components.current import open_current
from components.dropped import clear_button, dropped_box, dropped_marks, marks
from components.dropped import placed as dropped_placement
from components.map_view import dataset_map, show_map
from components.markdown import plain_markdown, safe
from components.neighbor_lists import neighbor_table
from components.page_layout import compact_page, map_height
from components.row_images import show_row_image
from components.settings import setting_input
from embedding_space.errors import InputError
from embedding_space.figures.layers import focus_layer, neighbors_layer

QUERY_IMAGE_PX = 128
"""The chosen row's image: larger than the list's, small enough to keep the list in sight."""

compact_page()
current = open_current("Nearest neighbours")
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
coordinates = current.projection.coordinates
dataset_id = info.id
if len(texts) < 2:
    st.info("This dataset has a single text, so it has no neighbours. Add more on the Data page.")
    st.stop()

query_model = current.space.query_model
typed = ["a sentence", "texts to drop on the map"]
modes = [*typed, "a row of the dataset"] if query_model else ["a row of the dataset"]
if not query_model:
    st.caption(
        "These vectors were uploaded without naming their model, so search is by row; "
        "free-text search needs the model that made them."
    )
# One row above the list and the map: what to search by, the search itself, k and metric.
bar = st.columns([1.25, 3.2, 1.05], gap="small", vertical_alignment="top")
if state.value(state.NEIGHBOR_MODE) not in modes:  # no model for typed texts
    state.put(state.NEIGHBOR_MODE, modes[0])
mode = bar[0].selectbox(
    "Search by", modes, label_visibility="collapsed", **state.bind(state.NEIGHBOR_MODE)
)
shown_k, shown_metric = (
    state.setting(state.NEIGHBOR_K, int),
    state.setting(state.NEIGHBOR_METRIC, str),
)
with bar[2].popover(f"k {shown_k} · {shown_metric}", width="stretch"):
    k = int(setting_input(st.container(), state.NEIGHBOR_K, high=len(texts), slider=True))
    metric = str(setting_input(st.container(), state.NEIGHBOR_METRIC, select=True))

dropped = dropped_marks(current, k) if mode != "texts to drop on the map" else []
if mode in typed:
    if mode == "a sentence":
        sentence = (
            bar[1]
            .text_input(
                "Sentence",
                placeholder="Describe an image, e.g. a red circle on white"
                if info.images
                else "A sentence, e.g. my card was charged twice",
                key="neighbor_query",
                label_visibility="collapsed",
            )
            .strip()
        )
        new_texts = [sentence] if sentence else []
    else:
        with bar[1]:
            new_texts = dropped_box(dataset_id)
        with bar[2]:  # beside the box, above the fold
            clear_button(dataset_id, "neighbors")
    if not new_texts:
        st.caption(
            "Type and press Enter (Ctrl+Enter for several lines): embedded with the same model."
        )
        st.stop()
    try:
        new_vectors, placed = dropped_placement(current, new_texts, k)
    except InputError as error:
        st.error(safe(error))
        st.stop()
    neighbors = current.space.neighbors(new_vectors[0], k, metric)
    name = "query" if mode == "a sentence" else "dropped"
    query = [*marks(new_texts, placed, name), *dropped]
    highlights = [neighbors_layer([n.row for n in neighbors])]
    caption = f"Stars mark the new texts, {placed.how}; lines go to their nearest rows."
    if mode != "a sentence" and len(new_texts) > 1:
        st.caption(f"The list shows the neighbours of the first text, “{safe(new_texts[0][:80])}”.")
else:
    start = state.focus_row(dataset_id, len(texts)) or 0
    row = int(bar[1].number_input("Row", 0, len(texts) - 1, start, label_visibility="collapsed"))
    query_row = st.container(horizontal=True, wrap=False, vertical_alignment="center")
    show_row_image(dataset_id, row, where=query_row, width=QUERY_IMAGE_PX)
    query_row.caption(f"Row {row}: {plain_markdown(texts[row], 300)}")
    neighbors = current.space.neighbors(row, k, metric)
    query = dropped
    highlights = [neighbors_layer([n.row for n in neighbors]), focus_layer([row], "query row")]
    caption = "The star marks the chosen row; circles mark its neighbours."

# Room for the list's text column beside its rank, score, label and row at 1280×800.
list_column, map_column = st.columns([1.15, 1], gap="small")
with list_column:
    label_column = state.color_column(frame.columns)
    neighbor_table(
        dataset_id, neighbors, frame, info.text_column, metric=metric, label_column=label_column
    )
with map_column:
    map_key = f"neighbors-map-{dataset_id}-{coordinates.shape[1]}"
    figure = dataset_map(
        current,
        key=map_key,
        highlights=highlights,
        query=query,
        height=map_height(40),
        clusters=colour_clustering(current),
    )
    show_map(figure, key=map_key, dataset_id=dataset_id)
    st.caption(caption)
    if dropped:
        st.caption(
            f"{len(dropped)} dropped text{'s are' if len(dropped) > 1 else ' is'} on the map too."
        )
        clear_button(dataset_id, "neighbors")
