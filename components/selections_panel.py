"""Selections you keep: save what is selected, searched or clustered under a name, combine
kept selections, export their rows, and open their heatmap."""

from __future__ import annotations

import streamlit as st

from components import routes, state
from components.current import OpenDataset
from components.markdown import safe
from embedding_space.analysis.clustering import Clustering
from embedding_space.errors import InputError
from embedding_space.export.files import export_table, file_stem
from embedding_space.rows import COMBINATIONS, combine_rows
from embedding_space.store.selections import SELECTION_NAME_CHARS, Selections


def _notice_key(dataset_id: str) -> str:
    return state.widget_key("selection-notice", dataset_id)


def _save(selections: Selections, dataset_id: str, name_key: str, rows: list[int]) -> None:
    try:
        name = selections.keep(str(state.value(name_key, "")), rows)
    except InputError as error:
        state.put(_notice_key(dataset_id), ("error", str(error)))
        return
    state.put(_notice_key(dataset_id), ("success", f"Kept “{name}” ({len(rows):,} rows)."))


def _show(dataset_id: str, name: str, rows: list[int]) -> None:
    state.set_selection(dataset_id, rows)
    state.put_for_dataset(state.KEPT_SHOWN, dataset_id, name)


def row_sources(
    map_selection: list[int],
    matches: list[int] | None,
    clustering: Clustering | None,
    kept: dict[str, list[int]] | None = None,
) -> dict[str, list[int]]:
    """The sets of rows a page offers to keep or tag, by what the user calls them: the map's
    selection, the search's matches, each cluster (largest first) and each kept selection."""
    sources: dict[str, list[int]] = {}
    if map_selection:
        sources[f"the map selection ({len(map_selection):,} rows)"] = map_selection
    if matches:
        sources[f"the search matches ({len(matches):,} rows)"] = matches
    if clustering is not None:
        for cluster_id, size in sorted(clustering.sizes().items(), key=lambda p: -p[1]):
            name = f"cluster {cluster_id}: {clustering.name_of(cluster_id)} ({size:,} rows)"
            sources[name] = clustering.rows_of(cluster_id)
    for name, rows in (kept or {}).items():
        sources[f"kept “{name}” ({len(rows):,} rows)"] = rows
    return sources


def selections_panel(
    current: OpenDataset,
    *,
    map_selection: list[int],
    matches: list[int] | None,
    clustering: Clustering | None,
) -> None:
    """Keep, combine, export and open named selections of the open dataset; tag rows."""
    dataset_id = current.info.id
    selections = current.space.selections
    kept = selections.kept()
    if notice := state.take(_notice_key(dataset_id)):
        kind, message = notice  # type: ignore[misc]
        (st.error if kind == "error" else st.success)(safe(message))

    sources = row_sources(map_selection, matches, clustering)
    if sources:
        # Keyed by what there is to keep, so a new selection or search becomes the choice.
        offered = state.widget_key("keep", dataset_id, *list(sources)[:2])
        source = st.selectbox("Keep", list(sources), key=offered)
        name_key = state.widget_key("keep-name", dataset_id)
        st.text_input(
            "under the name",
            key=name_key,
            max_chars=SELECTION_NAME_CHARS,
            placeholder="e.g. refunds",
        )
        st.button(
            "Keep it", on_click=_save, args=(selections, dataset_id, name_key, sources[source])
        )
    else:
        st.caption("Select points on the map, search, or cluster to have something to keep.")
    if not kept:
        return
    st.divider()
    chosen = st.selectbox(
        "Kept selections",
        list(kept),
        format_func=lambda name: f"{name} ({len(kept[name]):,} rows)",
        key=state.widget_key("kept", dataset_id),
    )
    rows = kept[chosen]
    show, heatmap, delete = st.columns(3)
    show.button(
        "Show", on_click=_show, args=(dataset_id, chosen, rows), help="Select its rows on the map."
    )
    if heatmap.button("Heatmap", help="Its rows on the Similarity page."):
        state.set_selection(dataset_id, rows)
        st.switch_page(routes.SIMILARITY.path)
    delete.button("Delete", on_click=selections.delete, args=(chosen,))
    stem = f"{file_stem(current.info.name)}-{file_stem(chosen)}"
    subset = current.frame.iloc[rows]
    left, right = st.columns(2)
    left.download_button(
        "Rows (CSV)",
        lambda: export_table(subset, row_ids=rows, format="csv"),
        f"{stem}.csv",
        "text/csv",
        on_click="ignore",
    )
    right.download_button(
        "Rows (Parquet)",
        lambda: export_table(subset, row_ids=rows, format="parquet"),
        f"{stem}.parquet",
        "application/vnd.apache.parquet",
        on_click="ignore",
    )
    if len(kept) >= 2:
        with st.expander("Combine two kept selections"):
            names = list(kept)
            first = st.selectbox("First", names, key=state.widget_key("combine-a", dataset_id))
            how = st.radio(
                "How", list(COMBINATIONS), horizontal=True, key=state.widget_key("how", dataset_id)
            )
            second = st.selectbox(
                "Second", names, index=1, key=state.widget_key("combine-b", dataset_id)
            )
            combined = combine_rows(kept[first], kept[second], str(how))
            name_key = state.widget_key("combined-name", dataset_id)
            st.text_input(
                f"Keep the {len(combined):,} rows as",
                value=f"{first} {how} {second}"[:SELECTION_NAME_CHARS],
                key=name_key,
                max_chars=SELECTION_NAME_CHARS,
            )
            st.button(
                "Keep combined", on_click=_save, args=(selections, dataset_id, name_key, combined)
            )
