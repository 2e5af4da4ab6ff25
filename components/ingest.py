"""Turning an upload or pasted text into a stored dataset, with messages instead of tracebacks."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, identity, state
from components.embedding import embed_with_progress, load_model, loading_bar
from components.markdown import safe
from embedding_space.embed.base import check_dimension
from embedding_space.errors import InputError
from embedding_space.io.image_sets import LoadedImages, read_image_files
from embedding_space.io.images import PreparedImage
from embedding_space.io.tables import LoadedTable, read_table
from embedding_space.io.vector_sets import read_vector_files
from embedding_space.io.vectors import LoadedVectors
from embedding_space.store.workspace import DatasetInfo


@dataclass(frozen=True)
class ReadChoices:
    """How the user asked for an upload to be read; ``None`` leaves it to the loader."""

    text_column: str | None = None
    drop_duplicates: bool = False
    encoding: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    txt_layout: str | None = None


# A read that is refused raises, and Streamlit caches no exception; what is read is bounded by
# the core's reading budget (rows, columns, array bytes, memory), and leaves the shared cache
# after a while even if nobody uploads another file.
_KEEP_SECONDS = 600


@st.cache_data(show_spinner="Reading the file…", max_entries=4, ttl=_KEEP_SECONDS)
def read_upload(data: bytes, file_name: str, choices: ReadChoices) -> LoadedTable:
    """Read an uploaded file once per (content, name, choices)."""
    return read_table(data, file_name=file_name, **asdict(choices))


# Images make a read tens of megabytes: kept as one object (each is frozen, and never changed
# here) rather than pickled again on every rerun, as st.cache_data would.
@st.cache_resource(show_spinner="Reading the vectors…", max_entries=1, ttl=_KEEP_SECONDS)
def read_vectors_upload(files: tuple[tuple[str, bytes], ...]) -> LoadedVectors:
    """Read uploaded vector files (and a zip of their images) once per content."""
    return read_vector_files(files)


@st.cache_resource(show_spinner="Reading the images…", max_entries=1, ttl=_KEEP_SECONDS)
def read_images_upload(files: tuple[tuple[str, bytes], ...]) -> LoadedImages:
    """Read an upload of images (a zip, and a table naming them) once per content."""
    return read_image_files(files)


def store_vectors(vectors: LoadedVectors, name: str, query_model: str | None) -> DatasetInfo | None:
    """Save uploaded vectors as a new dataset and make it the current one.

    Returns:
        The dataset, or ``None`` after showing an error; the current dataset then stays.
    """
    try:
        if query_model is not None:
            check_dimension(cached.embedder(query_model), vectors.vectors.shape[1])
        info = cached.workspace().create_dataset(
            vectors.frame,
            vectors.text_column,
            name,
            owner=identity.identity().owner,
            source={"format": vectors.source_format},
            vectors=vectors.vectors,
            query_model=query_model,
            images=vectors.images,
        )
    except InputError as error:
        st.error(safe(error))
        return None
    return _make_current(info, "vectors")


def describe_load(table: LoadedTable, file_name: str) -> str:
    """One sentence on how the file was read."""
    parts = [table.format.upper()]
    if table.encoding:
        parts.append(table.encoding)
    if table.delimiter:
        parts.append(
            {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
                table.delimiter, repr(table.delimiter)
            )
            + "-separated"
        )
    if table.sheet:
        parts.append(f"sheet “{table.sheet}”, names from row {table.header_row}")
    if table.txt_layout == "table":
        parts.append("a tab-separated table")
    return f"Read **{len(table.frame):,} rows** from {safe(file_name)} ({safe(', '.join(parts))})."


def describe_dates(table: LoadedTable) -> str | None:
    """The date/time columns the upload holds and how each is read, as safe markdown;
    ``None`` when it has none. Names and sample values come from the file, so escaped."""
    if not table.dates:
        return None
    # each summary reads "date column 'NAME' (format …)…": the caption names the kind once
    found = [summary.removeprefix("date column ") for summary in table.dates.values()]
    return "Dates found: " + " · ".join(safe(one) for one in found) + "."


def store_and_embed(
    frame: pd.DataFrame,
    text_column: str,
    name: str,
    source: dict[str, object],
    progress_area: DeltaGenerator | None = None,
    images: Sequence[PreparedImage] | None = None,
) -> DatasetInfo | None:
    """Save a new dataset (with one image a row, when given), embed it with a progress bar (in
    ``progress_area``, from the moment the model starts loading), and make it the current one.
    A model that reads images embeds the images; any other, the texts.

    Returns:
        The dataset, or ``None`` after showing an error; the current dataset then stays.
    """
    bar = loading_bar(progress_area)
    store = cached.workspace()
    info: DatasetInfo | None = None
    try:
        model = load_model(state.model_name(), bar)
        info = store.create_dataset(
            frame,
            text_column,
            name,
            owner=identity.identity().owner,
            source=source,
            images=images,
        )
        embed_with_progress(store, info.id, model, bar=bar)
    except InputError as error:
        bar.empty()
        if info is not None:
            # No room for its vectors: the rows alone would only hold on to the room left.
            with contextlib.suppress(InputError):
                store.delete(info.id)
        st.error(safe(error))
        return None
    return _make_current(info, "images" if images is not None else "rows")


def _make_current(info: DatasetInfo, unit: str) -> DatasetInfo:
    state.put(state.DATASET_ID, info.id)
    state.put(state.FLASH, f"Added “{safe(info.name)}” with {info.rows:,} {unit}.")
    return info
