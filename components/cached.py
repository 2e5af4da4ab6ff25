"""Cached calls into the core, keyed on plain values (dataset id, model key, parameters).

The model is loaded once per process and shared by every session (``st.cache_resource``).
Arrays are cached as resources too: they are large, read-only, and a copy per rerun would cost
more than it protects. The workspace keeps every result on disk as well, so a restart
recomputes nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from components import state
from components.panels import safe
from embedding_space.demo import ensure_demo
from embedding_space.embedding import Embedder, load_embedder
from embedding_space.errors import InputError
from embedding_space.figures import hover_label
from embedding_space.projection import Projection, ProjectionParams
from embedding_space.workspace import DatasetInfo, Workspace

FloatMatrix = npt.NDArray[np.float32]


@st.cache_resource(show_spinner=False)
def workspace() -> Workspace:
    """The workspace folder of this server, with the demo dataset in it."""
    store = Workspace()
    ensure_demo(store)
    return store


@st.cache_resource(show_spinner="Loading the embedding model…", max_entries=4)
def embedder(model_name: str) -> Embedder:
    """One loaded model per name per process; a failure is not cached, so a retry retries."""
    return load_embedder(model_name)


def model_key_for(info: DatasetInfo, model_name: str) -> str:
    """The key of the vectors a dataset is explored with: its own uploaded ones, or a model's."""
    if info.vectors_model is not None:
        return info.vectors_model
    return embedder(model_name).cache_key


@st.cache_resource(show_spinner=False, max_entries=16)
def table(dataset_id: str) -> pd.DataFrame:
    """The dataset's rows (read-only: copy before changing)."""
    return workspace().load_table(dataset_id)


@st.cache_resource(show_spinner=False, max_entries=16)
def texts(dataset_id: str) -> list[str]:
    """The dataset's texts in row order, taken from the cached table (no second read)."""
    column = workspace().get(dataset_id).text_column
    return [str(text) for text in table(dataset_id)[column].tolist()]


@st.cache_resource(show_spinner=False, max_entries=16)
def hover_labels(dataset_id: str) -> list[str]:
    """Escaped, wrapped hover labels, made once per dataset rather than on every redraw."""
    return [hover_label(text) for text in texts(dataset_id)]


@st.cache_resource(show_spinner=False, max_entries=16)
def _stored_vectors(dataset_id: str, model_key: str) -> FloatMatrix:
    vectors = workspace().stored_embeddings(dataset_id, model_key)
    if vectors is None:
        raise LookupError("vectors are checked before this is called")
    return vectors


def vectors(dataset_id: str, model_name: str) -> FloatMatrix:
    """The dataset's vectors, embedding them first (with a progress bar) if needed.

    Raises:
        ModelLoadError: The model could not be loaded.
    """
    store = workspace()
    info = store.get(dataset_id)
    model_key = model_key_for(info, model_name)
    if not store.has_embeddings(dataset_id, model_key):
        embed_with_progress(dataset_id, embedder(model_name))
    return _stored_vectors(dataset_id, model_key)


def embed_with_progress(dataset_id: str, model: Embedder) -> None:
    """Embed a dataset, showing the count done and the time left."""
    bar = st.progress(0.0, text="Embedding…")
    started = time.monotonic()
    first_done: list[int] = []

    def report(done: int, total: int) -> None:
        if not first_done:
            first_done.append(done)  # cached texts arrive at once; do not count them in the rate
        elapsed = time.monotonic() - started
        computed = done - first_done[0]
        text = f"Embedding {done:,} of {total:,} texts with {model.name}"
        if computed > 0 and done < total:
            left = (total - done) * elapsed / computed
            text += f" · about {left:,.0f} s left"
        bar.progress(done / max(total, 1), text=text)

    workspace().embeddings(dataset_id, model, progress=report)
    bar.empty()


@st.cache_resource(
    show_spinner="Computing the map… (a large dataset, t-SNE, or the first UMAP in a new server "
    "can take a minute)",
    max_entries=32,
)
def _projection(dataset_id: str, model_key: str, params: ProjectionParams) -> Projection:
    return workspace().projection(
        dataset_id, model_key, _stored_vectors(dataset_id, model_key), params
    )


def projection(dataset_id: str, model_name: str, params: ProjectionParams) -> Projection:
    """The map coordinates; computed once per (dataset, model, parameters), then instant.

    Call :func:`vectors` first: the projection reads the stored vectors.
    """
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    return _projection(dataset_id, model_key, params)


@dataclass(frozen=True)
class OpenDataset:
    """The current dataset as a page needs it (arrays are shared, read-only)."""

    info: DatasetInfo
    frame: pd.DataFrame
    texts: list[str]
    vectors: FloatMatrix
    projection: Projection | None


def open_current(title: str | None = None, *, with_projection: bool = True) -> OpenDataset:
    """Load the sidebar's dataset, its vectors and (optionally) its map, or stop the page.

    The page stops with a hint when there is no dataset, and with the message when the model
    cannot load or the data cannot be projected.

    Args:
        title: The page title, drawn before any slow step so the page never looks empty;
            the dataset's name when ``None``.
        with_projection: Compute the map as well.
    """
    dataset_id = st.session_state.get(state.DATASET_ID)
    if dataset_id is None:
        st.info("No dataset yet: add one on the **Data** page.")
        st.stop()
    info = workspace().get(dataset_id)
    st.title(title or safe(info.name))
    if message := st.session_state.pop(state.FLASH, None):
        st.success(message)
    model_name = st.session_state[state.MODEL_NAME]
    try:
        dataset_vectors = vectors(dataset_id, model_name)
        coordinates = (
            projection(dataset_id, model_name, state.projection_params())
            if with_projection
            else None
        )
    except InputError as error:
        st.error(safe(error))
        st.stop()
    return OpenDataset(info, table(dataset_id), texts(dataset_id), dataset_vectors, coordinates)
