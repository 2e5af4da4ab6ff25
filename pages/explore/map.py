"""Map: the projection as an interactive scatter, coloured by a column, with neighbours on click."""

import streamlit as st

from components import cached, state
from components.exports import map_exports
from components.map_view import color_picker, dataset_map, projection_parameters, show_map
from components.markdown import display_frame, plain_markdown, safe
from components.neighbor_lists import neighbor_list
from embedding_space.analysis.neighbors import top_k
from embedding_space.analysis.projection import METHOD_LABELS
from embedding_space.analysis.search import rows_containing
from embedding_space.figures.layers import focus_layer, matches_layer, neighbors_layer

current = cached.open_current()
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
projection = current.projection
dataset_id = info.id
params = state.projection_params()
model_name = state.model_name()

top = st.columns([2, 2, 2, 1.3], vertical_alignment="bottom")
color_column = color_picker(top[0], current)
find = top[1].text_input("Find texts containing", placeholder="e.g. refund")
top[2].caption(
    f"{len(texts):,} points · {METHOD_LABELS[projection.method]} {params.n_components}-D · "
    f"model {safe(info.vectors_model or model_name)}"
)
projection_parameters()
if projection.note:
    st.info(projection.note)
model_key = cached.model_key_for(info, model_name)
if truncated := cached.workspace().truncated_texts(
    dataset_id, model_key, cached.results_owner(dataset_id)
):
    limit = cached.embedder(model_name).max_seq_length
    st.caption(
        f"{truncated:,} texts are longer than the model reads ({limit} tokens); only their "
        "beginning decides where they sit."
    )

selected = state.selection(dataset_id, len(texts))
focus = state.focus_row(dataset_id, len(texts))
focus_neighbors = top_k(vectors, vectors[focus], k=10, exclude=focus) if focus is not None else []
highlights = []
if matches := rows_containing(texts, find):
    highlights.append(matches_layer(matches, find.strip()))
if focus is not None:
    highlights += [neighbors_layer([n.row for n in focus_neighbors]), focus_layer([focus])]

map_column, side_column = st.columns([3, 1], gap="medium")
with map_column:
    map_key = f"map-{dataset_id}-{params.n_components}"
    figure = dataset_map(current, key=map_key, highlights=highlights, selected=selected)
    event = show_map(figure, key=map_key)
    if params.n_components == 2:
        st.caption(
            "Click a point to see its neighbours. To select a region, pick Box or Lasso Select "
            "in the toolbar above the map; double-click empty space to reset the view."
        )
    else:
        st.caption("Drag to rotate, scroll to zoom. Selection works on 2-D maps.")
with top[3]:
    map_exports(info, model_key, frame, vectors, projection.coordinates, selected, figure)
if event.clicked is not None:
    state.set_focus_row(dataset_id, event.clicked)
    st.rerun()
if event.selected is not None:
    state.set_selection(dataset_id, event.selected)
    st.rerun()

with side_column:
    st.subheader("Nearest neighbours")
    if focus is None and params.n_components == 2:
        st.caption("Click a point on the map to list its 10 nearest neighbours (cosine).")
    elif focus is None:
        st.caption(
            "3-D maps do not report clicks: switch to 2-D, or search by row on the Neighbours page."
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
    st.dataframe(display_frame(frame.iloc[selected]), width="stretch")
    clear, compare = st.columns([1, 5])
    if clear.button("Clear selection"):
        state.set_selection(dataset_id, [])
        st.rerun()
    compare.caption("The Similarity page draws the heatmap of this selection.")
