"""Map: the projection, coloured by clusters or a column, searched, with neighbours on click."""

import streamlit as st

from components import state
from components.cluster_panel import cluster_controls, cluster_table, current_clustering
from components.current import open_current
from components.exports import map_exports
from components.map_view import (
    color_picker,
    dataset_map,
    methods_card,
    methods_of,
    projection_parameters,
    show_map,
    size_picker,
)
from components.markdown import display_frame, plain_markdown, safe
from components.neighbor_lists import neighbor_controls, neighbor_list
from components.search_panel import search_box, search_results
from components.selections_panel import selections_panel
from components.trust_panel import trust_panel
from embedding_space.analysis.projection import METHOD_LABELS
from embedding_space.figures.layers import focus_layer, matches_layer, neighbors_layer
from embedding_space.figures.raster import large_map_note

TABLE_ROWS = 20_000

current = open_current()
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
projection = current.projection
dataset_id = info.id
params = current.params or state.projection_params()
model_name = state.model_name()

top = st.columns([1.3, 1, 0.95, 2, 1.2, 1.1], vertical_alignment="bottom")
color_picker(top[0], current)
size_picker(top[1], current)
search = search_box(top[2], top[3], top[4], current)
st.caption(
    f"{len(texts):,} points · {METHOD_LABELS[projection.method]} {params.n_components}-D · "
    f"model {safe(info.vectors_model or model_name)}"
)
left, right = st.columns(2)
with left:
    projection_parameters()
with right:
    cluster_controls(current)
if projection.note:
    st.info(projection.note)
clustering = current_clustering(current)
card = methods_of(current, state.cluster_params() if clustering else None)
if card.truncated:
    st.caption(
        f"{card.truncated:,} texts are longer than the model reads ({card.max_tokens} tokens); "
        "only their beginning decides where they sit."
    )

selected = state.selection(dataset_id, len(texts))
focus = state.focus_row(dataset_id, len(texts))
metric = state.setting(state.NEIGHBOR_METRIC, str)
focus_neighbors = (
    current.space.neighbors(focus, state.setting(state.NEIGHBOR_K, int), metric)
    if focus is not None
    else []
)
highlights = []
if search is not None:
    highlights.append(matches_layer(search.rows, search.label))
if focus is not None:
    highlights += [neighbors_layer([n.row for n in focus_neighbors]), focus_layer([focus])]

map_column, side_column = st.columns([3.3, 1], gap="small")
with map_column:
    map_key = f"map-{dataset_id}-{params.n_components}"
    figure = dataset_map(
        current,
        key=map_key,
        highlights=highlights,
        selected=search.rows if search is not None else selected,
        clusters=clustering,
    )
    event = show_map(figure, key=map_key, coordinates=projection.coordinates)
    if note := large_map_note(len(texts)):
        st.caption(note)
    if params.n_components == 2:
        st.caption(
            "Click a point to see its neighbours. To select a region, pick Box or Lasso Select "
            "in the toolbar above the map; double-click empty space to reset the view."
        )
    else:
        st.caption("Drag to rotate, scroll to zoom. Selection works on 2-D maps.")
    methods_card(card)
    trust_panel(current, params)
with top[5]:
    map_exports(
        current,
        selected,
        figure,
        card,
        clustering.row_names() if clustering is not None else None,
    )
if event.clicked is not None:
    state.set_focus_row(dataset_id, event.clicked)
    st.rerun()
if event.selected is not None:
    state.set_selection(dataset_id, event.selected)
    st.rerun()

with side_column:
    neighbours_tab, clusters_tab, search_tab, kept_tab = st.tabs(
        ["Neighbours", "Clusters", "Search", "Kept"]
    )
    with neighbours_tab:
        neighbor_controls()
        color_column = state.color_column(frame.columns)
        if focus is None and params.n_components == 2:
            st.caption("Click a point on the map, or a row of a search, to list its neighbours.")
        elif focus is None:
            st.caption("3-D maps do not report clicks: switch to 2-D, or pick a search result.")
        else:
            whole = bool(state.value(state.FULL_TEXTS))
            st.markdown(
                f"**Row {focus}:** {plain_markdown(texts[focus], 20_000 if whole else 400)}"
            )
            if words := current.space.top_words(focus):
                st.caption("Its heaviest words: " + ", ".join(safe(word) for word in words))
            st.caption(f"{metric} · text" + (f" · {safe(color_column)}" if color_column else ""))
            labels = frame[color_column] if color_column else None
            neighbor_list(focus_neighbors, texts, labels, whole=whole)
            if st.button("Clear", key="clear-focus"):
                state.set_focus_row(dataset_id, None)
                st.rerun()
    with clusters_tab:
        if clustering is None:
            st.caption("One row makes no clusters.")
        else:
            cluster_table(current, clustering)
    with search_tab:
        if search is None:
            st.caption("Type in the search box above the map: text, a pattern, or a meaning.")
        elif (picked := search_results(current, search)) is not None:
            state.set_focus_row(dataset_id, picked)
            st.rerun()
    with kept_tab:
        selections_panel(
            current,
            map_selection=selected,
            matches=search.rows if search is not None else None,
            clustering=clustering,
        )

if selected:
    st.subheader(f"{len(selected):,} selected rows", anchor=False)
    if len(selected) > TABLE_ROWS:
        st.caption(f"The table lists the first {TABLE_ROWS:,}; the exports hold them all.")
    st.dataframe(display_frame(frame.iloc[selected[:TABLE_ROWS]]), width="stretch")
    clear, compare = st.columns([1, 5])
    if clear.button("Clear selection"):
        state.set_selection(dataset_id, [])
        st.rerun()
    compare.caption("The Similarity page draws the heatmap of this selection.")
