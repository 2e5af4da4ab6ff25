"""Map: the projection as an interactive scatter, coloured by a column, with neighbours on click."""

import streamlit as st

from components import cached, state
from components.exports import map_exports
from components.panels import default_color_column, neighbor_list, plain_markdown, safe
from components.scatter import (
    focus_layer,
    map_figure,
    matches_layer,
    neighbours_layer,
    show_map,
)
from embedding_space.neighbors import top_k

current = cached.open_current()
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
projection = current.projection
dataset_id = info.id
params = state.projection_params()

method_label = state.METHOD_LABELS[projection.method]
metadata_columns = [column for column in frame.columns if column != info.text_column]
color_options = [state.NO_COLOR, *metadata_columns]
# A new dataset starts coloured by its label-like column; a choice made for it is kept.
if (
    st.session_state.get(state.COLOR_DATASET) != dataset_id
    or st.session_state.get(state.COLOR_COLUMN) not in color_options
):
    default = default_color_column(frame, info.text_column)
    st.session_state[state.COLOR_COLUMN] = default or state.NO_COLOR
    st.session_state[state.COLOR_DATASET] = dataset_id

top = st.columns([2, 2, 2, 1.3], vertical_alignment="bottom")
top[0].selectbox(
    "Colour by",
    options=color_options,
    **state.bind(state.COLOR_COLUMN),
)
find = top[1].text_input("Find texts containing", placeholder="e.g. refund")
top[2].caption(
    f"{len(texts):,} points · {method_label} {params.n_components}-D · model "
    f"{safe(info.vectors_model or st.session_state[state.MODEL_NAME])}"
)
with st.expander("Projection parameters"):
    cols = st.columns(4)
    cols[0].slider("n_neighbors (UMAP)", 2, 100, **state.bind(state.N_NEIGHBORS))
    cols[1].slider("min_dist (UMAP)", 0.0, 1.0, step=0.05, **state.bind(state.MIN_DIST))
    cols[2].slider("perplexity (t-SNE)", 2.0, 100.0, step=1.0, **state.bind(state.PERPLEXITY))
    cols[3].number_input("random_state", 0, 2**31 - 1, step=1, **state.bind(state.SEED))
if projection.note:
    st.info(projection.note)
model_key = cached.model_key_for(info, st.session_state[state.MODEL_NAME])
if truncated := cached.workspace().truncated_texts(dataset_id, model_key):
    limit = cached.embedder(st.session_state[state.MODEL_NAME]).max_seq_length
    st.caption(
        f"{truncated:,} texts are longer than the model reads ({limit} tokens); only their "
        "beginning decides where they sit."
    )

selected = state.selection(dataset_id, len(texts))
focus = state.focus_row(dataset_id)
focus_neighbors = (
    top_k(vectors, vectors[focus], k=10, exclude=focus)
    if focus is not None and focus < len(texts)
    else []
)
highlights = []
if find.strip():
    matches = [row for row, text in enumerate(texts) if find.strip().lower() in text.lower()]
    highlights.append(matches_layer(matches, find.strip()))
if focus_neighbors:
    highlights.append(neighbours_layer([n.row for n in focus_neighbors]))
if focus is not None and focus < len(texts):
    highlights.append(focus_layer([focus]))

color_column = st.session_state[state.COLOR_COLUMN]
color_column = None if color_column == state.NO_COLOR else color_column
map_column, side_column = st.columns([3, 1], gap="medium")
with map_column:
    map_key = f"map-{dataset_id}-{params.n_components}"
    figure = map_figure(
        projection.coordinates,
        texts,
        key=map_key,
        color=frame[color_column] if color_column else None,
        color_name=color_column,
        highlights=highlights,
        hover=cached.hover_labels(dataset_id),
        selected=selected,
    )
    event = show_map(figure, key=map_key)
    if params.n_components == 2:
        st.caption(
            "Click a point to see its neighbours. To select a region, pick Box or Lasso Select "
            "in the toolbar above the map; double-click empty space to reset the view."
        )
    else:
        st.caption("Drag to rotate, scroll to zoom. Selection works on 2-D maps.")
with top[3]:
    map_exports(
        info,
        model_key,
        frame,
        vectors,
        projection.coordinates,
        selected,
        figure,
    )
if event.clicked is not None:
    state.set_focus_row(dataset_id, event.clicked)
    st.rerun()
if event.selected is not None:
    state.set_selection(dataset_id, event.selected)
    st.rerun()

with side_column:
    st.subheader("Nearest neighbours")
    if focus is None or focus >= len(texts):
        if params.n_components == 2:
            st.caption("Click a point on the map to list its 10 nearest neighbours (cosine).")
        else:
            st.caption(
                "3-D maps do not report clicks: switch to 2-D, or search by row on the "
                "Neighbours page."
            )
    else:
        st.markdown(f"**Row {focus}:** {plain_markdown(texts[focus], 400)}")
        st.caption(
            "Cosine similarity · text" + (f" · {safe(color_column)}" if color_column else "")
        )
        neighbor_list(focus_neighbors, texts, frame[color_column] if color_column else None)
        if st.button("Clear", key="clear-focus"):
            state.set_focus_row(dataset_id, None)
            st.rerun()

if selected:
    st.subheader(f"{len(selected):,} selected rows")
    st.dataframe(frame.iloc[selected], width="stretch")
    clear, compare = st.columns([1, 5])
    if clear.button("Clear selection"):
        state.set_selection(dataset_id, [])
        st.rerun()
    compare.caption("The Similarity page draws the heatmap of this selection.")
