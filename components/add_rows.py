"""Add rows to the open dataset: a file with the same text column becomes a batch, its rows
embedded (the cache first) and placed on every stored map without moving an old point."""

from __future__ import annotations

import streamlit as st

from components import cached, identity, routes, state
from components.ingest import ReadChoices, describe_load, read_upload
from components.markdown import plain_markdown, safe
from components.tables import text_table
from embedding_space.errors import InputError
from embedding_space.io.tables import SUPPORTED_SUFFIXES
from embedding_space.store.batches import BATCH_NAME_CHARS, batch_name
from embedding_space.store.workspace import BatchAdded

__all__ = ["add_rows_flow"]


def add_rows_flow() -> None:
    """Upload more rows for the open dataset, name the batch, add it."""
    dataset_id = state.dataset_id()
    store = cached.workspace()
    who = identity.identity()
    try:
        info = store.get(dataset_id) if dataset_id else None
    except InputError:
        info = None
    if info is None:
        st.info("Open a dataset first: rows are added to the dataset that is open.")
        return
    name = plain_markdown(info.name, 80)
    if who.viewer is not None and info.owner != who.owner:
        st.info(f"Only the owner of **{name}** can add rows to it.")
        return
    if info.images:
        st.info(
            f"**{name}** is a dataset of images; rows cannot be added to it yet (its images "
            "would no longer match its rows). Upload the old and the new images together as "
            "a new dataset."
        )
        return
    try:
        batches = store.batches(info.id)
    except InputError as error:  # a damaged table: the Map names it and offers to repair it
        st.error(safe(error))
        return
    st.caption(
        f"Rows are added to **{name}** ({info.rows:,} rows in {len(batches)} "
        f"batch{'es' * (len(batches) != 1)}). The file needs the text column "
        f"“{plain_markdown(info.text_column, 60)}”; other columns are matched by name. Old "
        "points stay where they are on every map; the new ones are placed among them."
    )
    uploaded = st.file_uploader(
        "A file of more rows",
        type=[suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES],
        key=state.widget_key("add-rows-file", info.id),
    )
    if uploaded is None:
        return
    try:
        table = read_upload(
            uploaded.getvalue(), uploaded.name, ReadChoices(text_column=info.text_column)
        )
    except InputError as error:
        st.error(safe(f"{uploaded.name} could not be used. {error}"))
        st.caption("The dataset is unchanged.")
        return
    st.markdown(describe_load(table, uploaded.name))
    text_table(table.frame.head(50), rows_shown=3)
    chosen = st.text_input(
        "Batch name",
        value=batch_name(None, batches),
        max_chars=BATCH_NAME_CHARS,
        key=state.widget_key("add-rows-name", info.id),
    )
    rows = len(table.frame)
    if st.button(f"Add {rows:,} rows to {name}", type="primary"):
        try:
            with st.spinner(f"Embedding {rows:,} rows and placing them on the maps…"):
                added = store.add_batch(
                    info.id,
                    table.frame,
                    name=chosen.strip() or None,
                    user=who.acting_user,
                    models=lambda model: cached.embedder(model, spinner=False),
                )
        except InputError as error:
            st.error(safe(error))
            st.caption("The dataset is unchanged.")
            return
        cached.forget_dataset(info.id)
        state.put(state.FLASH, _added(added))
        st.switch_page(routes.MAP.path)


def _added(added: BatchAdded) -> str:
    """The message the Map shows after a batch is added (safe markdown)."""
    batch = added.batch
    placed = (
        f" and placed on {len(added.maps)} stored map{'s' * (len(added.maps) != 1)} without "
        "moving an old point"
        if added.maps
        else ""
    )
    text = (
        f"Added {batch.rows:,} rows as “{safe(batch.name)}” to “{safe(added.info.name)}”"
        f"{placed}. Colour by “batch” to see them; the Quality page's Drift tab tests "
        "whether they differ from the rows before."
    )
    text += (
        f" The {', '.join(added.recomputed)} are computed again over every row when "
        "next opened (cluster names given by hand start afresh)."
    )
    if added.recompute_suggested:
        share = max(grown.growth.placed_share for grown in added.maps)
        text += (
            f" {share:.0%} of a map's rows are now placed rather than fitted: recompute the "
            "map to fit them all (it is aligned to the old one)."
        )
    return text
