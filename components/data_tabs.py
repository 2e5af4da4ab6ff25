"""The Data page's four flows: upload a file, paste texts, bring vectors, manage the workspace.

Each flow shows its own errors (as messages, never tracebacks) and leaves the dataset that was
open untouched unless it succeeds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, identity, routes, state
from components.damage import show_damaged_datasets
from components.image_upload import image_preview, images_flow, is_image_upload
from components.ingest import (
    ReadChoices,
    describe_dates,
    describe_load,
    read_upload,
    read_vectors_upload,
    store_and_embed,
    store_vectors,
)
from components.markdown import display_frame, safe
from components.sidebar import dataset_labels
from components.tables import text_table
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.errors import InputError
from embedding_space.io.images import IMAGE_SUFFIXES
from embedding_space.io.tables import SUPPORTED_SUFFIXES, LoadedTable
from embedding_space.store.workspace import MAX_NAME_CHARS

ENCODINGS = ["detect", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


TXT_LAYOUT_LABELS = {"lines": "one text per line", "table": "a tab-separated table"}


def _choices(file_id: str) -> ReadChoices:
    """The reading choices made for one upload so far."""
    header_chosen = bool(state.value(state.widget_key("header_chosen", file_id)))
    encoding = state.value(state.widget_key("encoding", file_id), "detect")
    column = state.value(state.widget_key("text_column", file_id))
    sheet = state.value(state.widget_key("sheet", file_id))
    layout = state.value(state.widget_key("txt_layout", file_id))
    header = state.value(state.widget_key("header_row", file_id))
    return ReadChoices(
        text_column=None if column is None else str(column),
        drop_duplicates=bool(state.value(state.widget_key("dedupe", file_id), False)),
        encoding=None if encoding == "detect" else str(encoding),
        sheet=None if sheet is None else str(sheet),
        header_row=int(str(header)) if header_chosen and header is not None else None,
        txt_layout=None if layout is None else str(layout),
    )


def _reading_controls(file_id: str, table: LoadedTable | None) -> None:
    """Encoding, sheet, header row and .txt layout: shown for the formats they apply to, and
    kept on screen after a failed read so another choice can be made."""

    def key(kind: str) -> str:
        return state.widget_key(kind, file_id)

    sheets = table.sheets if table is not None else state.value(key("sheets"))
    if table is not None:
        state.put(key("sheets"), table.sheets)
    controls = []
    if (table is not None and table.encoding is not None) or state.value(key("encoding")):
        controls.append("encoding")
    if sheets:
        controls += ["sheet", "header_row"]
    if (table is not None and table.txt_layout) or state.value(key("txt_layout")):
        controls.append("txt_layout")
    if not controls:
        return
    columns = st.columns(len(controls))
    for column, control in zip(columns, controls, strict=True):
        if control == "encoding":
            column.selectbox(
                "Encoding",
                ENCODINGS,
                key=key("encoding"),
                help=f"Read as {table.encoding}. Pick another if letters look wrong."
                if table is not None and table.encoding
                else None,
            )
        elif control == "sheet":
            if table is not None:
                state.put(key("sheet"), table.sheet)
            column.selectbox(
                "Sheet",
                list(sheets),
                key=key("sheet"),
                on_change=state.forget,
                args=(key("text_column"), key("header_chosen")),
            )
        elif control == "header_row":
            if table is not None and not state.value(key("header_chosen")):
                state.put(key("header_row"), table.header_row)
            column.number_input(
                "Header row",
                min_value=1,
                max_value=1_048_576,
                step=1,
                key=key("header_row"),
                help="The sheet's row that names the columns, as Excel numbers rows.",
                on_change=state.put,
                args=(key("header_chosen"), True),
            )
        else:
            if table is not None:
                state.put(key("txt_layout"), table.txt_layout)
            column.radio(
                "Read the file as",
                list(TXT_LAYOUT_LABELS),
                format_func=TXT_LAYOUT_LABELS.__getitem__,
                key=key("txt_layout"),
                horizontal=True,
                on_change=state.forget,
                args=(key("text_column"),),
            )


def upload_flow(progress_area: DeltaGenerator | None = None) -> None:
    """Upload a file (or images), choose how it is read, embed it (its progress in
    ``progress_area``)."""
    files = st.file_uploader(
        "A file of texts, or a zip of images",
        type=[suffix.lstrip(".") for suffix in (*SUPPORTED_SUFFIXES, ".zip", *IMAGE_SUFFIXES)],
        accept_multiple_files=True,
        help="One text per line (.txt), or a table with a column of text. Or images: a .zip of "
        "them (folders become labels), with one table naming them by their paths in the zip "
        "(inside it or beside it), several image files at once, or a .parquet with a column "
        "of images.",
    )
    if not files:
        return
    if is_image_upload(files):
        images_flow(files, progress_area)
        return
    if len(files) > 1:
        st.error(
            "Give one file of texts at a time. Several files go together only as a .zip of "
            "images and one table naming them."
        )
        return
    uploaded = files[0]
    data, file_id = uploaded.getvalue(), uploaded.file_id
    choice_key = state.widget_key("text_column", file_id)
    choices = _choices(file_id)
    column_problem = None
    try:
        try:
            table = read_upload(data, uploaded.name, choices)
        except InputError as error:
            if choices.text_column is None:
                raise
            # Maybe only the picked column is wrong: read with the guessed one instead.
            table = read_upload(data, uploaded.name, replace(choices, text_column=None))
            column_problem = error
    except InputError as error:
        st.error(safe(f"{uploaded.name} could not be used. {error}"))
        st.caption("The dataset you had open is unchanged.")
        _reading_controls(file_id, None)
        return
    if column_problem is not None:
        st.error(safe(column_problem))
    st.markdown(describe_load(table, uploaded.name))
    if dates := describe_dates(table):
        st.caption(dates)
    _reading_controls(file_id, table)
    for reason, count in table.dropped.items():
        st.caption(f"Dropped {count:,} row(s): {safe(reason)}.")
    for warning in table.warnings:
        st.warning(safe(warning))
    columns = list(table.frame.columns)
    left, middle, right = st.columns(3)
    state.put(choice_key, table.text_column)
    left.selectbox("Text column", columns, key=choice_key)
    others = [column for column in columns if column != table.text_column]
    metadata = middle.multiselect("Metadata columns to keep", others, default=others)
    name = right.text_input("Dataset name", value=Path(uploaded.name).stem)
    st.checkbox(
        f"Drop duplicate texts ({table.duplicate_texts:,} found)",
        key=state.widget_key("dedupe", file_id),
        disabled=table.duplicate_texts == 0 and not choices.drop_duplicates,
    )
    preview = table.frame[[table.text_column, *metadata]].head(50)
    text_table(preview, rows_shown=4)
    if st.button("Embed and explore", type="primary"):
        source = {"file_name": uploaded.name, "format": table.format, "encoding": table.encoding}
        if table.sheet:
            source["sheet"] = table.sheet
        info = store_and_embed(
            table.frame[[table.text_column, *metadata]],
            table.text_column,
            name,
            source,
            progress_area,
        )
        if info is not None:
            st.switch_page(routes.MAP.path)


def paste_flow(progress_area: DeltaGenerator | None = None) -> None:
    """Paste texts and embed them (their progress in ``progress_area``)."""
    pasted = st.text_area(
        "Texts, one per line", height=200, placeholder="The cat sits on the mat\n…"
    )
    name = st.text_input("Dataset name", value="Pasted texts", key="paste_name")
    if st.button("Embed and explore", key="paste_embed", type="primary"):
        lines = [line.strip() for line in pasted.splitlines() if line.strip()]
        if not lines:
            st.error("There is no text to embed: paste at least one non-empty line.")
            return
        info = store_and_embed(
            pd.DataFrame({"text": lines}), "text", name, {"format": "pasted"}, progress_area
        )
        if info is not None:
            st.switch_page(routes.MAP.path)


def vectors_flow() -> None:
    st.caption(
        "Explore vectors you already have: a `.npy` matrix (optionally with a table of labels), "
        "the TensorFlow Embedding Projector pair (`vectors.tsv` + `metadata.tsv`), or a "
        "`.parquet`/`.csv` with a column of lists. Add a `.zip` of images to show each row's "
        "image: the table's column of paths in the zip matches them, or without a table the "
        "vectors follow the images' paths in sorted order."
    )
    files = st.file_uploader(
        "Vectors and metadata",
        type=["npy", "npz", "tsv", "parquet", "csv", "txt", "jsonl", "json", "xlsx", "zip"],
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
    if loaded.images is not None:
        image_preview(loaded.frame, loaded.images, rows_shown=3)
    else:
        text_table(loaded.frame.head(50), rows_shown=3)
    current = state.model_name()
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
            st.switch_page(routes.MAP.path)


def _rename(dataset_id: str, name_key: str, user: str | None) -> None:
    try:
        cached.workspace().rename(dataset_id, str(state.value(name_key, "")), user=user)
    except InputError as error:
        state.put(state.WORKSPACE_NOTICE, str(error))
    # The picker shows names: keep it on this dataset although its label changed.
    state.put(state.WORKSPACE_PICK, dataset_id)


def _delete(dataset_id: str, user: str | None) -> None:
    try:
        cached.workspace().delete(dataset_id, user=user)
    except InputError as error:
        state.put(state.WORKSPACE_NOTICE, str(error))
        return
    cached.forget_dataset(dataset_id)
    state.take(state.WORKSPACE_PICK)
    if state.dataset_id() == dataset_id:
        state.put(state.FLASH, "The dataset you had open was deleted; showing the demo.")


def workspace_flow() -> None:
    store = cached.workspace()
    who = identity.identity()
    datasets = store.list_datasets(who.viewer)
    if damaged := store.damaged(who.viewer):
        show_damaged_datasets(damaged)
    if not datasets:
        st.info("The workspace is empty.")
        return
    if notice := state.take(state.WORKSPACE_NOTICE):
        st.error(safe(notice))
    if who.by_session_key:
        limits = store.limits
        kept = (
            f" and are deleted {limits.expire_days:g} days after you add them"
            if limits.expire_days
            else ""
        )
        st.caption(
            "Your datasets are tied to the key in this page's address (`key=…`)"
            f"{kept}: bookmark the page to come back to them, and remove `key=…` from a link "
            f"before you share it. You can keep {limits.max_datasets} datasets and "
            f"{limits.max_megabytes:,.0f} MB."
        )
    listing = pd.DataFrame(
        {
            "name": [info.name for info in datasets],
            "rows": [info.rows for info in datasets],
            "models": [
                ", ".join(
                    key.split("|")[0]
                    for key in store.embedded_models(
                        info.id, store.results_owner(info.id, who.viewer)
                    )
                )
                or "—"
                for info in datasets
            ],
            "created": [info.created.replace("T", " ")[:16] for info in datasets],
            "size (MB)": [round(store.size_bytes(info.id) / 1e6, 2) for info in datasets],
        }
    )
    if who.viewer is not None:
        listing["yours"] = [info.owner == who.owner for info in datasets]
        listing["shared"] = [info.shared for info in datasets]
    if any(info.expires for info in datasets):
        listing["deleted on"] = [
            info.expires.replace("T", " ")[:16] if info.expires else "—" for info in datasets
        ]
    st.dataframe(display_frame(listing), hide_index=True, width="stretch")
    by_id = {info.id: info for info in datasets}
    labels = dataset_labels(datasets)
    if state.value(state.WORKSPACE_PICK) not in by_id:
        state.take(state.WORKSPACE_PICK)
    chosen = st.selectbox(
        "Dataset", list(by_id), format_func=labels.__getitem__, key=state.WORKSPACE_PICK
    )
    info = by_id[chosen]
    acting_user = who.acting_user
    if st.button("Open", type="primary"):
        state.put(state.DATASET_ID, info.id)
        st.switch_page(routes.MAP.path)
    if who.viewer is not None and info.owner != who.owner:
        st.caption("Only its owner can rename, share or delete this dataset.")
        return
    if who.viewer is not None:
        shared = st.toggle("Shared with everyone on this server", value=info.shared)
        if shared != info.shared:
            store.set_shared(info.id, shared, user=acting_user)
            st.rerun()
    rename_col, delete_col = st.columns(2)
    name_key = state.widget_key("rename", info.id)
    rename_col.text_input("New name", value=info.name, key=name_key, max_chars=MAX_NAME_CHARS)
    rename_col.button("Rename", on_click=_rename, args=(info.id, name_key, acting_user))
    confirm = delete_col.checkbox(
        "Yes, delete it and everything computed from it", key=state.widget_key("confirm", info.id)
    )
    delete_col.button("Delete", disabled=not confirm, on_click=_delete, args=(info.id, acting_user))
