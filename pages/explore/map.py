"""Map: the projection, coloured by clusters or a column, searched, with neighbours on click."""

import streamlit as st

from components import state
from components.cluster_panel import cluster_controls, cluster_table, current_clustering
from components.current import open_current
from components.dropped import clear_button, dropped_marks
from components.exports import map_exports
from components.filter_panel import (
    filter_count,
    filter_panel,
    filter_toggle,
    filtered_selection,
    passing_mask,
    player,
)
from components.legend import legend_popover, long_legend
from components.map_growth import map_note
from components.map_images import pictures_toggle
from components.map_view import (
    color_picker,
    dataset_map,
    map_colors,
    methods_card,
    methods_of,
    projection_parameters,
    show_map,
    size_picker,
)
from components.markdown import plain_markdown, safe
from components.neighbor_lists import neighbor_controls, neighbor_list
from components.notes_panel import notes_panel
from components.page_layout import compact_page, height_choice, map_height
from components.row_images import show_row_image
from components.search_panel import search_box, search_results
from components.selections_panel import row_sources, selections_panel
from components.tables import IMAGE_TABLE_ROWS, RowImages, text_table
from components.tags_panel import tags_panel
from components.trust_panel import trust_panel
from embedding_space.analysis.projection import METHOD_LABELS
from embedding_space.figures.cluster_labels import hidden_cluster_labels
from embedding_space.figures.layers import focus_layer, matches_layer, neighbors_layer
from embedding_space.figures.raster import large_map_note

TABLE_ROWS = 20_000

compact_page()
current = open_current()
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
projection = current.projection
dataset_id = info.id
params = current.params or state.projection_params()
model_name = state.model_name()

# One toolbar row above the map; everything secondary sits in its popovers.
bar = st.columns([1.5, 0.85, 1.7, 1.2, 0.95, 1.1, 1.2], gap="small", vertical_alignment="center")
color_picker(bar[0], current)
settings = bar[4].popover("Map", icon=":material/tune:", width="stretch")
search = search_box(bar[1], bar[2], settings, current)
with settings:
    size_picker(st.container(), current)
    height_choice(st.container())
    pictures_toggle(st.container(), current)
    projection_parameters(len(texts))
    cluster_controls(current)
clustering = current_clustering(current)
colors = map_colors(current, clustering)
legend = long_legend(colors[0], colors[2])
picked = legend_popover(bar[3], legend, f"{dataset_id}:{colors[1]}") if legend else []
if state.value(state.SIDE_PANEL) is None:
    state.put(state.SIDE_PANEL, False)  # the map takes the width until there is a list to show
selected = state.selection(dataset_id, len(texts))
if (passing := passing_mask(dataset_id)) is not None:
    selected = [row for row in selected if passing[row]]  # the map hides the others
focus = state.focus_row(dataset_id, len(texts))
# A new search, or a row in focus (a pick, or a shared link's), opens the panel that lists
# the matches and the neighbours; the user may close it again.
listed = state.widget_key("panel-opened-for", dataset_id)
reason = ((search.kind, search.query) if search is not None else None, focus)
if reason != (None, None) and state.value(listed) != reason:
    state.put(state.SIDE_PANEL, True)
state.put(listed, reason)
bar[6].toggle(
    "Side panel",
    **state.bind(state.SIDE_PANEL),
)
filtered = filter_count(dataset_id)
card = methods_of(current, state.cluster_params() if clustering else None)
notes = [
    f"{filtered.text if filtered else f'{len(texts):,} points'} · "
    f"{METHOD_LABELS[projection.method]} {params.n_components}-D · "
    f"model {safe(info.vectors_model or model_name)}"
]
if card.truncated:
    notes.append(
        f"{card.truncated:,} texts are longer than the model reads ({card.max_tokens} tokens); "
        "only their beginning decides where they sit"
    )
# The Filters switch sits under the toolbar's last switch, at the end of the map's caption.
caption, switch = st.columns([6, 1.2], gap="small", vertical_alignment="center")
caption.caption(" · ".join(notes))
filter_toggle(switch, dataset_id)
map_note(current)
if state.value(state.FILTERS_SHOWN):
    filter_panel(current, selected)

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

if state.value(state.SIDE_PANEL):
    # 1.6 : 1 leaves the panel ~350 px at 1280×800: its five tabs and a wrapped text column.
    map_column, side_column = st.columns([1.6, 1], gap="small")
else:
    map_column, side_column = st.container(), None
if search is not None:
    bright = search.rows
elif picked and legend is not None:
    bright = legend.rows_of(picked)
else:
    bright = selected
dropped = dropped_marks(current, state.setting(state.NEIGHBOR_K, int))
with map_column:
    map_key = f"map-{dataset_id}-{params.n_components}"
    figure = dataset_map(
        current,
        key=map_key,
        highlights=highlights,
        selected=bright,
        height=map_height(),
        clusters=clustering,
        colors=colors,
        query=dropped,
    )
    event = show_map(figure, key=map_key, coordinates=projection.coordinates, dataset_id=dataset_id)
    if hidden := hidden_cluster_labels(figure):
        st.caption(
            f"{hidden} cluster label{'s are' if hidden > 1 else ' is'} not written, to keep the "
            "points readable; the legend and hover name every cluster."
        )
    if dropped:
        st.caption(
            f"Stars mark {len(dropped)} text{'s' if len(dropped) > 1 else ''} dropped on the "
            "map on the Neighbours page, placed among their nearest rows."
        )
        clear_button(dataset_id, "map")
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
with bar[5]:
    map_exports(
        current,
        filtered_selection(dataset_id, len(texts)),
        figure,
        card,
        clustering.row_names() if clustering is not None else None,
    )
if event.clicked is not None:
    state.set_focus_row(dataset_id, event.clicked)
    state.put(state.SIDE_PANEL, True)  # the neighbours of the click are listed there
    st.rerun()
if event.selected is not None:
    state.set_selection(dataset_id, event.selected)
    state.put(state.SIDE_PANEL, True)
    st.rerun()
if side_column is None and (search is not None or focus is not None):
    st.caption("Turn on *Side panel* above the map to list the matches and the neighbours.")
if side_column is not None:
    with side_column:
        neighbours_tab, clusters_tab, search_tab, kept_tab, notes_tab = st.tabs(
            ["Neighbours", "Clusters", "Search", "Kept", "Notes"]
        )
        with neighbours_tab:
            neighbor_controls()
            color_column = state.color_column(frame.columns)
            if focus is None and params.n_components == 2:
                st.caption(
                    "Click a point on the map, or a row of a search, to list its neighbours."
                )
            elif focus is None:
                st.caption("3-D maps do not report clicks: switch to 2-D, or pick a search result.")
            else:
                whole = bool(state.value(state.FULL_TEXTS))
                show_row_image(dataset_id, focus)
                st.markdown(
                    f"**Row {focus}:** {plain_markdown(texts[focus], 20_000 if whole else 400)}"
                )
                if words := current.space.top_words(focus):
                    st.caption("Its heaviest words: " + ", ".join(safe(word) for word in words))
                st.caption(
                    f"{metric} · text" + (f" · {safe(color_column)}" if color_column else "")
                )
                labels = frame[color_column] if color_column else None
                neighbor_list(dataset_id, focus_neighbors, texts, labels, whole=whole)
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
            elif (chosen := search_results(current, search)) is not None:
                state.set_focus_row(dataset_id, chosen)
                st.rerun()
        with kept_tab:
            matches = search.rows if search is not None else None
            selections_panel(
                current, map_selection=selected, matches=matches, clustering=clustering
            )
            st.divider()
            st.markdown("**Tags**")
            kept = current.space.selections.kept()
            tags_panel(current, row_sources(selected, matches, clustering, kept))
        with notes_tab:
            notes_panel(dataset_id, focus=focus, selected=selected)

player(current)

if selected:
    st.subheader(f"{len(selected):,} selected rows", anchor=False)
    table_rows = IMAGE_TABLE_ROWS if info.images else TABLE_ROWS
    if len(selected) > table_rows:
        st.caption(f"The table lists the first {table_rows:,}; the exports hold them all.")
    listed_rows = selected[:table_rows]
    listed = frame.iloc[listed_rows].reset_index(drop=True)
    # The rows' numbers, as the map and the exports call them, not the frame's own index.
    listed.insert(0, "row" if "row" not in listed.columns else "row number", listed_rows)
    text_table(listed, rows_shown=6, images=RowImages(dataset_id, listed_rows))
    clear, compare = st.columns([1, 5])
    if clear.button("Clear selection"):
        state.set_selection(dataset_id, [])
        st.rerun()
    compare.caption("The Similarity page draws the heatmap of this selection.")
