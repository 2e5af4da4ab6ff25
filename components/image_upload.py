"""Images on the Data page: a zip of them (and a table naming them) or a Parquet file that holds
them, shown as thumbnails before anything is stored, then embedded by the sidebar's model: the
images by a model that reads images (a CLIP model), their captions by one that reads texts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from components import cached, routes, state
from components.ingest import read_images_upload, store_and_embed
from components.markdown import safe
from components.tables import text_table, unused_name
from embedding_space.embed.images import CLIP_HINT, check_images_embeddable
from embedding_space.errors import InputError
from embedding_space.io.image_sets import holds_images
from embedding_space.io.images import IMAGE_SUFFIXES, PreparedImage, thumbnail_uri

PREVIEW_ROWS = 50
"""Rows shown (with their thumbnails) before the images are added."""


def is_image_upload(files: Sequence[UploadedFile]) -> bool:
    """Whether an upload is images: a zip among the files, or one Parquet file of images."""
    if any(file.name.lower().endswith((".zip", *IMAGE_SUFFIXES)) for file in files):
        return True
    return len(files) == 1 and holds_images(files[0].name, files[0].getvalue())


def image_preview(frame: pd.DataFrame, images: Sequence[PreparedImage], rows_shown: int) -> None:
    """The first rows with their thumbnails, as ``data:`` URIs: the page gets the pixels,
    never a link, and every other cell is shown as text."""
    shown = frame.head(PREVIEW_ROWS).reset_index(drop=True)
    column = unused_name("thumbnail", {str(name) for name in shown.columns})
    shown.insert(0, column, [thumbnail_uri(image.thumbnail) for image in images[:PREVIEW_ROWS]])
    text_table(
        shown,
        rows_shown=rows_shown,
        column_config={column: st.column_config.ImageColumn(" ", width="small")},
    )


def images_flow(files: Sequence[UploadedFile], progress_area: DeltaGenerator | None) -> None:
    """Read an upload of images, preview it, and add it with the sidebar's model."""
    names = [file.name for file in files]
    try:
        loaded = read_images_upload(tuple((file.name, file.getvalue()) for file in files))
    except InputError as error:  # its sentence names the file
        st.error(safe(error))
        st.caption("Nothing was added; the dataset you had open is unchanged.")
        return
    described = f"Read **{len(loaded.images):,} images** from {safe(' and '.join(names))}"
    if loaded.has_captions:
        described += f", with captions in “{safe(loaded.text_column)}”"
    st.markdown(described + ".")
    for sentence in loaded.skipped:
        st.warning(safe(sentence))
    image_preview(loaded.frame, loaded.images, rows_shown=4)
    model = state.model_name()
    try:
        reads_images = cached.model_identity(model).reads_images
    except InputError as error:  # the model cannot be loaded: the sidebar says which
        st.error(safe(error))
        return
    if reads_images:
        st.caption(f"{safe(model)} reads images: the images themselves will be embedded.")
        button = "Embed the images and explore"
    elif loaded.has_captions:
        st.info(
            safe(
                f"{model} reads texts only, so the captions in “{loaded.text_column}” will be "
                f"embedded, not the images (their thumbnails are kept). {CLIP_HINT}"
            )
        )
        button = "Embed the captions and explore"
    else:
        try:
            check_images_embeddable(model, reads_images, loaded.has_captions)
        except InputError as refusal:
            st.warning(safe(refusal))
            return
    name = st.text_input("Dataset name", value=Path(names[0]).stem, key="images_name")
    if st.button(button, type="primary", key="images_embed"):
        source = {"file_name": ", ".join(names), "format": loaded.source_format}
        info = store_and_embed(
            loaded.frame, loaded.text_column, name, source, progress_area, images=loaded.images
        )
        if info is not None:
            st.switch_page(routes.MAP.path)
