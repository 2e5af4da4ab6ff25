"""Cached calls into the core, keyed on plain values (dataset id, model key, parameters).

The model is loaded once per process and shared by every session (``st.cache_resource``).
Arrays are cached as resources too: they are large, read-only, and a copy per rerun would cost
more than it protects. The workspace keeps every result on disk as well, so a restart
recomputes nothing.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from components import background, identity, state
from components.markdown import safe
from components.progress import embed_with_progress
from embedding_space.analysis.agreement import MapTrust
from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.methods import MethodsCard, data_fingerprint
from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.outliers import outlier_scores
from embedding_space.analysis.projection import (
    METHOD_LABELS,
    PARAMETERS,
    Projection,
    ProjectionParams,
    warm_up,
)
from embedding_space.demo import ensure_demo
from embedding_space.embed.base import Embedder, check_dimension, embed
from embedding_space.embed.models import load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.figures.labels import HoverLabels
from embedding_space.store.workspace import DatasetInfo, Workspace
from embedding_space.types import FloatMatrix

LONG_HOVER_UP_TO = 20_000
"""Maps of more rows than this cut hover labels at 120 characters instead of 400."""


@st.cache_resource(show_spinner=False)
def workspace() -> Workspace:
    """The workspace folder of this server, with the demo dataset in it."""
    store = Workspace()
    ensure_demo(store)
    store.purge_expired()
    return store


@st.cache_resource(show_spinner=False)
def warm_up_in_background() -> threading.Thread:
    """Once per server process: compile UMAP's kernels in the background (see
    ``analysis.projection.warm_up``) while the first visitor looks around."""
    thread = threading.Thread(target=warm_up, name="umap-warm-up", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Loading the embedding model…", max_entries=4)
def embedder(model_name: str) -> Embedder:
    """One loaded model per name per process; a failure is not cached, so a retry retries.
    A traditional embedder comes unfitted: each dataset is embedded with its own fit."""
    return load_model(model_name)


@st.cache_resource(show_spinner=False, max_entries=8)
def _stored_fit(dataset_id: str, model_key: str, owner: str | None) -> TraditionalEmbedder | None:
    return workspace().stored_fit(dataset_id, model_key, owner)


def stored_fit(dataset_id: str, model_key: str) -> TraditionalEmbedder | None:
    """The traditional embedder fitted on a dataset, as stored with its vectors."""
    return _stored_fit(dataset_id, model_key, results_owner(dataset_id))


def query_embedder(info: DatasetInfo) -> Embedder:
    """The model that embeds texts typed against a dataset: its own model, or for uploaded
    vectors the model their uploader named.

    Raises:
        InputError: Uploaded vectors whose model is unknown; or the model does not load.
    """
    name = info.query_model if info.vectors_model is not None else state.model_name()
    if not name:
        raise InputError(
            "These vectors came without the name of their model, so there is nothing to embed "
            "a typed text with; name the model when uploading them."
        )
    model = embedder(name)
    if model.fitted_on_corpus:
        fit = _stored_fit(info.id, model_key_for(info, name), results_owner(info.id))
        if fit is None:
            raise InputError(f"The dataset is not embedded with {name} yet.")
        return fit
    return model


def top_words(info: DatasetInfo, vector: FloatMatrix, count: int = 8) -> list[str]:
    """The words that weigh most in a row's vector, when a traditional embedder made it (the
    interpretability the deep models lack); empty otherwise."""
    try:
        model = query_embedder(info)
    except InputError:
        return []
    if not isinstance(model, TraditionalEmbedder):
        return []
    return [word for word, _ in model.top_terms(vector, count)]


def embed_texts(info: DatasetInfo, texts: list[str], dimension: int) -> FloatMatrix:
    """Typed texts (a query, the terms of an expression, the ends of an axis) embedded with
    :func:`query_embedder`, checked against the dataset's dimension.

    Raises:
        InputError: No model for typed texts, or one of another dimension.
    """
    model = query_embedder(info)
    check_dimension(model, dimension)
    return embed(texts, model).vectors


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
def hover_labels(dataset_id: str) -> HoverLabels:
    """Escaped, wrapped hover labels, made once per dataset rather than on every redraw."""
    every = texts(dataset_id)
    # A big map sends every label to the browser: keep them short there (the side panel and
    # the table show whole texts).
    longest = 400 if len(every) <= LONG_HOVER_UP_TO else 120
    return HoverLabels(every, max_chars=longest)


def results_owner(dataset_id: str) -> str | None:
    """Whose results this session works with on a dataset (see ``Workspace.results_owner``)."""
    return workspace().results_owner(dataset_id, identity.identity().viewer)


@st.cache_resource(show_spinner=False, max_entries=16)
def _stored_vectors(dataset_id: str, model_key: str, owner: str | None) -> FloatMatrix:
    vectors = workspace().stored_embeddings(dataset_id, model_key, owner)
    if vectors is None:
        raise LookupError("vectors are checked before this is called")
    return vectors


def stored_vectors(dataset_id: str, model_key: str, owner: str | None) -> FloatMatrix:
    """Vectors already stored under a model key (see ``Workspace.embedding_list``)."""
    return _stored_vectors(dataset_id, model_key, owner)


def projection_of(
    dataset_id: str, model_key: str, params: ProjectionParams, owner: str | None
) -> Projection:
    """The map of the vectors stored under a model key, computed once, while the page waits."""
    return _projection(dataset_id, model_key, params, owner)


def vectors(dataset_id: str, model_name: str) -> FloatMatrix:
    """The dataset's vectors, embedding them first (with a progress bar) if needed.

    Raises:
        ModelLoadError: The model could not be loaded.
        InputError: The results would take this person past their limits.
    """
    store = workspace()
    info = store.get(dataset_id)
    model_key = model_key_for(info, model_name)
    owner = results_owner(dataset_id)
    if not store.has_embeddings(dataset_id, model_key, owner):
        if state.value(state.EMBEDDING_STOPPED) == dataset_id:
            st.info(
                "Embedding stopped. The texts embedded so far are kept: resuming goes on from "
                "where it stopped."
            )
            st.button("Resume embedding", on_click=state.put, args=(state.EMBEDDING_STOPPED, None))
            st.stop()
        stop = st.empty()
        stop.button(
            "Stop embedding",
            on_click=state.put,
            args=(state.EMBEDDING_STOPPED, dataset_id),
            help="The texts embedded so far are kept; you can resume later.",
        )
        embed_with_progress(store, dataset_id, embedder(model_name), owner)
        stop.empty()
    return _stored_vectors(dataset_id, model_key, owner)


@st.cache_resource(
    show_spinner="Computing the map… (a large dataset, t-SNE, or the first UMAP in a new server "
    "can take a minute)",
    max_entries=32,
)
def _projection(
    dataset_id: str, model_key: str, params: ProjectionParams, owner: str | None
) -> Projection:
    vectors = _stored_vectors(dataset_id, model_key, owner)
    return workspace().projection(dataset_id, model_key, vectors, params, viewer=owner)


def projection(
    dataset_id: str, model_name: str, params: ProjectionParams
) -> tuple[Projection, background.Job | None]:
    """The map coordinates; computed once per (dataset, model, parameters), then instant.

    A UMAP or t-SNE of more than ``background.INSTANT_MAP_UP_TO`` rows is computed in the
    background: until it is stored, this returns the PCA map and the job computing the one
    asked for.

    Call :func:`vectors` first: the projection reads the stored vectors.
    """
    info = workspace().get(dataset_id)
    model_key, owner = model_key_for(info, model_name), results_owner(dataset_id)
    if params.method == "pca" or info.rows <= background.INSTANT_MAP_UP_TO:
        return _projection(dataset_id, model_key, params, owner), None
    key = (dataset_id, model_key, params, owner)
    store, stored_vectors = workspace(), _stored_vectors(dataset_id, model_key, owner)
    label = f"{METHOD_LABELS[params.method]} of {info.rows:,} rows"
    job = background.job_for(
        key,
        label,
        lambda: store.projection(dataset_id, model_key, stored_vectors, params, viewer=owner),
    )
    with contextlib.suppress(TimeoutError):
        job.future.result(timeout=1.0)  # a map already on disk loads within this
    if job.future.done():
        background.forget(key)
        job.future.result()  # raises what the computation raised
        return _projection(dataset_id, model_key, params, owner), None
    first_look = replace(params, method="pca")
    return _projection(dataset_id, model_key, first_look, owner), job


@st.cache_resource(show_spinner="Finding clusters in the embedding space…", max_entries=32)
def _clustering(
    dataset_id: str, model_key: str, params: ClusterParams, owner: str | None
) -> Clustering:
    vectors = _stored_vectors(dataset_id, model_key, owner)
    return workspace().clustering(dataset_id, model_key, vectors, params, viewer=owner)


def clustering(dataset_id: str, model_name: str, params: ClusterParams) -> Clustering:
    """The dataset's clusters in the full embedding space; computed once, then instant.

    Raises:
        InputError: Fewer than two rows.
    """
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    return _clustering(dataset_id, model_key, params, results_owner(dataset_id))


def rename_cluster(
    dataset_id: str, model_name: str, params: ClusterParams, cluster_id: int, name: str
) -> None:
    """Store a cluster's new name, and forget the clustering held in memory.

    Raises:
        InputError: A bad name.
    """
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    owner = results_owner(dataset_id)
    workspace().rename_cluster(dataset_id, model_key, params, cluster_id, name, viewer=owner)
    _clustering.clear()


@st.cache_resource(show_spinner="Reading each row's neighbourhood…", max_entries=16)
def _outlier_scores(
    dataset_id: str, model_key: str, k: int, method: str, owner: str | None
) -> npt.NDArray[np.float32]:
    vectors = _stored_vectors(dataset_id, model_key, owner)
    graph = workspace().knn(dataset_id, model_key, vectors, viewer=owner)
    return outlier_scores(graph, k, method=method, vectors=vectors)


def outliers(
    dataset_id: str, model_name: str, k: int = 10, method: str = "knn"
) -> npt.NDArray[np.float32]:
    """Each row's outlier score (see ``analysis.outliers``); higher is stranger."""
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    return _outlier_scores(dataset_id, model_key, k, method, results_owner(dataset_id))


def graph(dataset_id: str, model_name: str) -> KnnGraph:
    """The dataset's cosine kNN graph (stored; shared by UMAP, exports, outliers)."""
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    owner = results_owner(dataset_id)
    vectors = _stored_vectors(dataset_id, model_key, owner)
    return workspace().knn(dataset_id, model_key, vectors, viewer=owner)


@st.cache_resource(show_spinner="Judging the map against the full space…", max_entries=16)
def _map_trust(
    dataset_id: str,
    model_key: str,
    params: ProjectionParams,
    k: int,
    label_column: str | None,
    owner: str | None,
) -> MapTrust:
    vectors = _stored_vectors(dataset_id, model_key, owner)
    return workspace().map_trust(
        dataset_id, model_key, vectors, params, k=k, label_column=label_column, viewer=owner
    )


def map_trust(
    dataset_id: str, model_name: str, params: ProjectionParams, k: int, label_column: str | None
) -> MapTrust:
    """How far the map of ``params`` keeps the full space's neighbourhoods.

    Raises:
        InputError: Too few rows for ``k``.
    """
    model_key = model_key_for(workspace().get(dataset_id), model_name)
    return _map_trust(dataset_id, model_key, params, k, label_column, results_owner(dataset_id))


@st.cache_resource(show_spinner=False, max_entries=16)
def fingerprint(dataset_id: str) -> str:
    """A short hash of the dataset's texts, for the methods card."""
    return data_fingerprint(texts(dataset_id))


def methods_card(
    info: DatasetInfo,
    model_name: str,
    projection: Projection,
    params: ProjectionParams,
    clusters: ClusterParams | None,
) -> MethodsCard:
    """What the map on screen was made with."""
    model_key = model_key_for(info, model_name)
    owner = results_owner(info.id)
    uploaded = info.vectors_model is not None
    model = None if uploaded else embedder(model_name)
    return MethodsCard(
        rows=info.rows,
        fingerprint=fingerprint(info.id),
        model=info.vectors_model or model_name,
        dimension=int(_stored_vectors(info.id, model_key, owner).shape[1]),
        truncated=workspace().truncated_texts(info.id, model_key, owner),
        max_tokens=None if model is None else model.max_seq_length,
        projection=projection,
        params=params,
        clusters=clusters,
    )


@dataclass(frozen=True)
class OpenDataset:
    """The current dataset as a page needs it (arrays are shared, read-only)."""

    info: DatasetInfo
    frame: pd.DataFrame
    texts: list[str]
    vectors: FloatMatrix
    projection: Projection | None
    params: ProjectionParams | None = None
    """What ``projection`` was made with (PCA while ``computing``)."""
    computing: background.Job | None = None
    """The job computing the map asked for, while ``projection`` is the PCA map shown meanwhile."""


def open_current(title: str | None = None, *, with_projection: bool = True) -> OpenDataset:
    """Load the sidebar's dataset, its vectors and (optionally) its map, or stop the page.

    The page stops with a hint when there is no dataset, and with the message when the model
    cannot load or the data cannot be projected.

    Args:
        title: The page title, drawn before any slow step so the page never looks empty;
            the dataset's name when ``None``.
        with_projection: Compute the map as well.
    """
    dataset_id = state.value(state.DATASET_ID)
    if dataset_id is None:
        st.info("No dataset yet: add one on the **Data** page.")
        st.stop()
    info = workspace().get(str(dataset_id))
    st.title(title or safe(info.name), anchor=False)
    show_flash()
    model_name = str(state.value(state.MODEL_NAME))
    params = state.projection_params()
    try:
        dataset_vectors = vectors(info.id, model_name)
        coordinates, computing = (
            projection(info.id, model_name, params) if with_projection else (None, None)
        )
    except InputError as error:
        st.error(safe(error))
        st.stop()
    if computing is not None:
        wait, stop = st.columns([4, 1], vertical_alignment="center")
        with wait:
            st.info(
                f"The {computing.label} is being computed in the background; the PCA map is "
                "shown until it is ready, and then replaced."
            )
            background.wait_for(computing)
        stop.button(
            "Keep PCA",
            on_click=state.put,
            args=(PARAMETERS["method"].name, "pca"),
            help="Stop waiting and keep the PCA map. The computation already running still "
            "finishes and is kept, so choosing it again later is instant.",
        )
    shown = replace(params, method="pca") if computing is not None else params
    return OpenDataset(
        info, table(info.id), texts(info.id), dataset_vectors, coordinates, shown, computing
    )


def show_flash() -> None:
    """Show, once, the message the last action left for the next page (e.g. "Added …")."""
    if message := state.take(state.FLASH):
        st.success(str(message))
