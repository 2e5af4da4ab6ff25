"""The Data page's four flows: upload a file, paste texts, bring vectors, manage the workspace.

Each flow shows its own errors (as messages, never tracebacks) and leaves the dataset that was
open untouched unless it succeeds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from components import cached, state
from components.panels import safe
from components.uploads import (
    describe_load,
    read_upload,
    read_vectors_upload,
    store_and_embed,
    store_vectors,
)
from embedding_space.embedding import DEFAULT_MODEL
from embedding_space.errors import InputError
from embedding_space.tables import SUPPORTED_SUFFIXES

ENCODINGS = ["detect", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


def upload_flow() -> None:
    uploaded = st.file_uploader(
        "A file of texts",
        type=[suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES],
        help="One text per line (.txt), or a table with a column of text.",
    )
    if uploaded is None:
        st.caption("Formats: " + ", ".join(SUPPORTED_SUFFIXES) + ".")
        return
    data = uploaded.getvalue()
    choice_key = f"text_column:{uploaded.file_id}"
    drop_duplicates = st.session_state.get(f"dedupe:{uploaded.file_id}", False)
    encoding_key = f"encoding:{uploaded.file_id}"
    chosen_encoding = st.session_state.get(encoding_key, "detect")
    encoding = None if chosen_encoding == "detect" else chosen_encoding
    chosen_column = st.session_state.get(choice_key)
    try:
        try:
            table = read_upload(data, uploaded.name, chosen_column, drop_duplicates, encoding)
        except InputError as error:
            if chosen_column is None:
                raise
            # The picked column cannot be the text: say why, and go back to the guessed one.
            st.error(safe(error))
            del st.session_state[choice_key]
            table = read_upload(data, uploaded.name, None, drop_duplicates, encoding)
    except InputError as error:
        st.error(safe(f"{uploaded.name} could not be used. {error}"))
        st.caption("The dataset you had open is unchanged.")
        if chosen_encoding != "detect":
            st.selectbox("Encoding", ENCODINGS, key=encoding_key)
        return
    st.markdown(describe_load(table, uploaded.name))
    if table.encoding is not None:
        st.selectbox(
            "Encoding",
            ENCODINGS,
            key=encoding_key,
            help=f"Read as {table.encoding}. Pick another if letters look wrong.",
        )
    for reason, count in table.dropped.items():
        st.caption(f"Dropped {count:,} row(s): {reason}.")
    for warning in table.warnings:
        st.warning(safe(warning))
    columns = list(table.frame.columns)
    left, middle, right = st.columns(3)
    left.selectbox("Text column", columns, index=columns.index(table.text_column), key=choice_key)
    others = [column for column in columns if column != table.text_column]
    metadata = middle.multiselect("Metadata columns to keep", others, default=others)
    name = right.text_input("Dataset name", value=Path(uploaded.name).stem)
    st.checkbox(
        f"Drop duplicate texts ({table.duplicate_texts:,} found)",
        key=f"dedupe:{uploaded.file_id}",
        disabled=table.duplicate_texts == 0 and not drop_duplicates,
    )
    st.dataframe(table.frame[[table.text_column, *metadata]].head(50), width="stretch", height=260)
    if st.button("Embed and explore", type="primary"):
        info = store_and_embed(
            table.frame[[table.text_column, *metadata]],
            table.text_column,
            name,
            {"file_name": uploaded.name, "format": table.format, "encoding": table.encoding},
        )
        if info is not None:
            st.switch_page("pages/map.py")


def paste_flow() -> None:
    pasted = st.text_area(
        "Texts, one per line", height=200, placeholder="The cat sits on the mat\n…"
    )
    name = st.text_input("Dataset name", value="Pasted texts", key="paste_name")
    if st.button("Embed and explore", key="paste_embed", type="primary"):
        lines = [line.strip() for line in pasted.splitlines() if line.strip()]
        if not lines:
            st.error("There is no text to embed: paste at least one non-empty line.")
            return
        info = store_and_embed(pd.DataFrame({"text": lines}), "text", name, {"format": "pasted"})
        if info is not None:
            st.switch_page("pages/map.py")


def vectors_flow() -> None:
    st.caption(
        "Explore vectors you already have: a `.npy` matrix (optionally with a table of labels), "
        "the TensorFlow Embedding Projector pair (`vectors.tsv` + `metadata.tsv`), or a "
        "`.parquet`/`.csv` with a column of lists."
    )
    files = st.file_uploader(
        "Vectors and metadata",
        type=["npy", "npz", "tsv", "parquet", "csv", "txt", "jsonl", "json", "xlsx"],
        accept_multiple_files=True,
        key="vector_files",
    )
    if not files:
        return
    try:
        loaded = read_vectors_upload(tuple((file.name, file.getvalue()) for file in files))
    except InputError as error:
        st.error(safe(f"These files could not be used. {error}"))
        st.caption("The dataset you had open is unchanged.")
        return
    count, dimensions = loaded.vectors.shape
    st.markdown(f"Read **{count:,} vectors** of {dimensions} dimensions ({loaded.source_format}).")
    st.dataframe(loaded.frame.head(50), width="stretch", height=220)
    current = st.session_state[state.MODEL_NAME]
    models = ["unknown", *dict.fromkeys([DEFAULT_MODEL, current])]
    left, right = st.columns(2)
    model = left.selectbox(
        "Model that made them",
        models,
        help="Free-text search embeds the query with this model; 'unknown' allows search by row.",
    )
    name = right.text_input("Dataset name", value=Path(files[0].name).stem, key="vectors_name")
    if st.button("Explore these vectors", type="primary"):
        info = store_vectors(loaded, name, None if model == "unknown" else model)
        if info is not None:
            st.switch_page("pages/map.py")


def workspace_flow() -> None:
    store = cached.workspace()
    who = state.identity()
    datasets = store.list_datasets(who.viewer)
    if not datasets:
        st.info("The workspace is empty.")
        return
    listing = pd.DataFrame(
        {
            "name": [info.name for info in datasets],
            "rows": [info.rows for info in datasets],
            "models": [
                ", ".join(key.split("|")[0] for key in store.embedded_models(info.id)) or "—"
                for info in datasets
            ],
            "created": [info.created.replace("T", " ")[:16] for info in datasets],
            "size (MB)": [round(store.size_bytes(info.id) / 1e6, 2) for info in datasets],
        }
    )
    st.dataframe(listing, hide_index=True, width="stretch")
    by_id = {info.id: info for info in datasets}
    chosen = st.selectbox(
        "Dataset", list(by_id), format_func=lambda i: by_id[i].name, key="ws_pick"
    )
    info = by_id[chosen]
    acting_user = None if who.viewer is None else who.owner
    if who.viewer is not None and info.owner == who.owner:
        shared = st.toggle("Shared with everyone on this server", value=info.shared)
        if shared != info.shared:
            store.set_shared(info.id, shared, user=acting_user)
            st.rerun()
    open_col, rename_col, delete_col = st.columns([1, 2, 2])
    if open_col.button("Open"):
        st.session_state[state.DATASET_ID] = info.id
        st.switch_page("pages/map.py")
    new_name = rename_col.text_input("New name", value=info.name, key=f"rename:{info.id}")
    if rename_col.button("Rename"):
        try:
            store.rename(info.id, new_name, user=acting_user)
            st.rerun()
        except InputError as error:
            st.error(safe(error))
    confirm = delete_col.checkbox("Yes, delete it", key=f"confirm:{info.id}")
    if delete_col.button("Delete", disabled=not confirm):
        try:
            store.delete(info.id, user=acting_user)
            cached.table.clear()
            st.rerun()
        except InputError as error:
            st.error(safe(error))
