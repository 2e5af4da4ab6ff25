"""The app's caches, and nothing else: one handle on each embedding space, and one cached
function per result, keyed on the space and the result's own inputs.

The core computes and stores every result (:class:`~embedding_space.store.space.Space`); this
module keeps what a rerun needs in memory, shared by every session of the server
(``st.cache_resource``: arrays are large and read-only, and a copy per rerun would cost more
than it protects). A space is resolved once per run (:func:`space`): which vectors the
sidebar's model means, and whose results the session works with; the handle holds its
vectors and kNN graphs once read. Every stored result is cached by the space's key and its
parameters, so a rerun neither recomputes nor rereads them (a query typed on the page, a
search or an expression, is answered afresh: it is cheap and rarely asked twice).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import replace

import pandas as pd
import streamlit as st

from components import background, identity
from embedding_space.analysis.agreement import MapTrust
from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.comparison import Comparison
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality
from embedding_space.analysis.label_issues import LabelIssues
from embedding_space.analysis.methods import data_fingerprint
from embedding_space.analysis.outliers import DuplicateSet, Outlier
from embedding_space.analysis.projection import (
    METHOD_LABELS,
    Projection,
    ProjectionParams,
    warm_up,
)
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.demo import ensure_demo
from embedding_space.embed.base import Embedder, ModelIdentity
from embedding_space.embed.models import canonical_name, is_traditional, load_model
from embedding_space.embed.models import model_identity as read_model_identity
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.figures.labels import HoverLabels
from embedding_space.io.columns import label_columns as find_label_columns
from embedding_space.io.columns import texts_of
from embedding_space.io.images import thumbnail_uri
from embedding_space.store.owners import NEW_KEYS_PER_HOUR, KeyIssueLimit
from embedding_space.store.space import Space, filter_table_of
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix, ScoreVector


def _space_key(space: Space) -> object:
    return space.key


_BY_SPACE = {Space: _space_key}
"""Cached functions that take a space are keyed by what identifies its results."""


@st.cache_resource(show_spinner=False)
def workspace() -> Workspace:
    """The workspace folder of this server, with the demo dataset in it."""
    store = Workspace()
    ensure_demo(store)
    store.purge_expired()
    return store


NEW_KEYS_VARIABLE = "EMBEDDING_SPACE_NEW_KEYS_PER_HOUR"
"""New keys one client address may be issued an hour (default ``NEW_KEYS_PER_HOUR``)."""


@st.cache_resource(show_spinner=False)
def new_keys() -> KeyIssueLimit:
    """The server's count of new session keys by client address (one for every session)."""
    try:
        per_hour = int(os.environ.get(NEW_KEYS_VARIABLE, NEW_KEYS_PER_HOUR))
    except ValueError:
        per_hour = NEW_KEYS_PER_HOUR
    return KeyIssueLimit(per_hour=max(1, per_hour))


@st.cache_resource(show_spinner=False)
def warm_up_in_background() -> threading.Thread:
    """Once per server process: compile UMAP's kernels in the background (see
    ``analysis.projection.warm_up``) while the first visitor looks around, then load the
    default model, so the first search of a stored map does not wait ~10-25 s for it (a
    dataset opened meanwhile may have started that load already: this then waits for it)."""

    def warm() -> None:
        warm_up()
        if preloading():
            _load_quietly(DEFAULT_MODEL)

    thread = threading.Thread(target=warm, name="warm-up", daemon=True)
    thread.start()
    return thread


PRELOAD_VARIABLE = "EMBEDDING_SPACE_PRELOAD"
"""``0`` loads a model only when a page needs it (a server short of memory: a loaded model
holds ~300 MB); otherwise a model is loaded ahead of need (:func:`load_in_background`)."""


def preloading() -> bool:
    """Whether models are loaded ahead of need (see :data:`PRELOAD_VARIABLE`)."""
    return os.environ.get(PRELOAD_VARIABLE, "1").strip() != "0"


def load_in_background(model_name: str) -> None:
    """Start loading a model into :func:`embedder`'s cache in a thread, once per model per
    process, unless it is loaded already; the page goes on at once. A search asked for before
    it is done waits for this load rather than starting another (``st.cache_resource`` lets
    one thread compute a key while the others wait for its value)."""
    if preloading() and not is_traditional(model_name):
        _background_load(canonical_name(model_name))


@st.cache_resource(show_spinner=False, max_entries=8)
def _background_load(model_name: str) -> threading.Thread:
    thread = threading.Thread(
        target=_load_quietly, args=(model_name,), name=f"load-{model_name}", daemon=True
    )
    thread.start()
    return thread


def _load_quietly(model_name: str) -> None:
    # Loading only: no warm-up encode, whose torch threads would compete with the page's work.
    # A model that fails is not cached (Streamlit keeps no exceptions), so the search that
    # asks for it later shows the reason.
    with contextlib.suppress(Exception):
        _embedder(canonical_name(model_name))


def embedder(model_name: str, *, spinner: bool = True) -> Embedder:
    """One loaded model per model per process (whichever of its names is asked); a failure
    is not cached, so a retry retries. A traditional embedder comes unfitted: each dataset is
    embedded with its own fit. While it loads a spinner says so, unless ``spinner`` is false
    (the caller says so itself: a progress bar, see ``components.embedding``)."""
    if not spinner:
        return _embedder(canonical_name(model_name))
    # Streamlit shows a spinner only after half a second: a model already loaded shows none.
    with st.spinner("Loading the embedding model…"):
        return _embedder(canonical_name(model_name))


@st.cache_resource(show_spinner=False, max_entries=4)
def _embedder(model_name: str) -> Embedder:
    return load_model(model_name)


def model_identity(model_name: str) -> ModelIdentity:
    """A model's cache key and token limit: read from its files where they say, so a stored
    map is shown without loading the model (~25 s); else from the loaded model, so a model
    that cannot load says so at once. One per model per process."""
    return _model_identity(canonical_name(model_name))


@st.cache_resource(show_spinner=False, max_entries=16)
def _model_identity(model_name: str) -> ModelIdentity:
    read = read_model_identity(model_name)
    return read if read is not None else ModelIdentity.of(embedder(model_name))


# -- datasets ---------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=16)
def table(dataset_id: str) -> pd.DataFrame:
    """The dataset's rows (read-only: copy before changing)."""
    return workspace().load_table(dataset_id)


@st.cache_resource(show_spinner=False, max_entries=16)
def hover_labels(dataset_id: str) -> HoverLabels:
    """Escaped, wrapped hover labels, made once per dataset rather than on every redraw."""
    return HoverLabels.for_map(_texts(dataset_id))


@st.cache_resource(show_spinner=False, max_entries=16)
def fingerprint(dataset_id: str) -> str:
    """A short hash of the dataset's texts, for the methods card."""
    return data_fingerprint(_texts(dataset_id))


@st.cache_resource(show_spinner=False, max_entries=16)
def label_columns(dataset_id: str) -> list[str]:
    """The dataset's label-like columns (see ``io.columns.label_columns``)."""
    return find_label_columns(table(dataset_id), workspace().get(dataset_id).text_column)


def filter_table(dataset_id: str) -> FilterTable:
    """The dataset's columns read once for filters and their charts (dates parsed), with its
    tags as a column once there are any (``Space.filter_table``); read anew when they change."""
    return _filter_table(dataset_id, workspace().tags(dataset_id).version())


@st.cache_resource(show_spinner=False, max_entries=16)
def _filter_table(dataset_id: str, tags_version: int) -> FilterTable:
    # ``tags_version`` only keys the cache: whether there are tags to add is the core's call.
    tags = workspace().tags(dataset_id)
    return filter_table_of(table(dataset_id), workspace().get(dataset_id).text_column, tags)


@st.cache_resource(show_spinner=False, max_entries=4)
def thumbnails(dataset_id: str) -> list[str] | None:
    """Each row's thumbnail as a ``data:`` URI, for tables and the map's hover; ``None`` for
    a dataset of texts alone. Made once per dataset (about 4 KB a row)."""
    images = workspace().images(dataset_id)
    return None if images is None else images.thumbnail_uris()


@st.cache_resource(show_spinner=False, max_entries=32)
def working_image(dataset_id: str, row: int) -> str | None:
    """One row's working copy (up to 384 px) as a ``data:`` URI, for the row a page holds in
    focus, shown larger than its thumbnail; ``None`` for a dataset of texts alone."""
    images = workspace().images(dataset_id)
    return None if images is None else thumbnail_uri(images.working_copy(row))


@st.cache_resource(show_spinner=False, max_entries=4)
def image_sizes(dataset_id: str) -> list[tuple[int, int]] | None:
    """Each row's image's upright (width, height), or ``None`` for a dataset of texts alone."""
    images = workspace().images(dataset_id)
    return None if images is None else images.sizes()


def _texts(dataset_id: str) -> list[str]:
    return texts_of(table(dataset_id), workspace().get(dataset_id).text_column)


# -- spaces -----------------------------------------------------------------------------------


def results_owner(dataset_id: str) -> str | None:
    """Whose results this session works with on a dataset (see ``Workspace.results_owner``)."""
    return workspace().results_owner(dataset_id, identity.identity().viewer)


@st.cache_resource(show_spinner=False, max_entries=16)
def _space(dataset_id: str, model_key: str, owner: str | None) -> Space:
    return workspace().space(dataset_id, model_key, owner, models=embedder, table=table(dataset_id))


def space(dataset_id: str, model_name: str) -> Space:
    """The handle on a dataset's embedding by the sidebar's model (or its uploaded vectors),
    with this session's results.

    Raises:
        ModelLoadError: The model cannot be loaded.
    """
    key = workspace().model_key(dataset_id, lambda: model_identity(model_name))
    return space_by_key(dataset_id, key)


def space_by_key(dataset_id: str, model_key: str) -> Space:
    """The handle on one of a dataset's embeddings by its key (the Compare page's two), with
    this session's results: one per key, whichever page asks, so its vectors are held once.
    Typed texts are embedded with the model that made the vectors (``Space.query_model``),
    which starts loading in the background now, so the first search does not wait for it."""
    handle = _space(dataset_id, model_key, results_owner(dataset_id))
    if handle.has_vectors() and handle.query_model:
        load_in_background(handle.query_model)
    return handle


def forget_dataset(dataset_id: str) -> None:
    """Drop from memory what was held of a deleted dataset: its table, labels and texts by
    its id; and every space and result, since those of the deleted dataset cannot be told
    apart by their arguments (the other datasets' are read back from disk when asked)."""
    for by_dataset in (table, label_columns, hover_labels, fingerprint, thumbnails, image_sizes):
        by_dataset.clear(dataset_id)
    for held in (_space, _filter_table, working_image, *_RESULTS):
        held.clear()


# -- results ----------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=_BY_SPACE)
def embedded_texts(space: Space, texts: tuple[str, ...]) -> FloatMatrix:
    """Typed texts embedded with a space's model, shape ``(len(texts), d)``, read-only: texts
    dropped on a map are drawn again on every rerun of its page (50 texts take seconds).

    Raises:
        InputError: No model for the texts, or too many or too long (not cached: a retry
            retries).
    """
    vectors = space.embed_typed(list(texts))
    vectors.setflags(write=False)
    return vectors


@st.cache_resource(
    show_spinner="Computing the map… (a large dataset, t-SNE, or the first UMAP in a new server "
    "can take a minute)",
    max_entries=32,
    hash_funcs=_BY_SPACE,
)
def projection(space: Space, params: ProjectionParams) -> Projection:
    """The map of ``params``, computed while the page waits (see :func:`map_of`)."""
    return space.projection(params)


def map_of(space: Space, params: ProjectionParams) -> tuple[Projection, background.Job | None]:
    """The map coordinates; computed once per (space, parameters), then instant.

    A UMAP or t-SNE of more than ``background.INSTANT_MAP_UP_TO`` rows is computed in the
    background: until it is stored, this returns the PCA map and the job computing the one
    asked for.
    """
    if params.method == "pca" or space.rows <= background.INSTANT_MAP_UP_TO:
        return projection(space, params), None
    label = f"{METHOD_LABELS[params.method]} of {space.rows:,} rows"
    key = (space.key, params)
    owner = identity.identity().owner
    job = background.job_for(key, label, lambda: space.projection(params), owner)
    with contextlib.suppress(TimeoutError):
        job.future.result(timeout=1.0)  # a map already on disk loads within this
    if job.future.done():
        background.forget(key)
        job.future.result()  # raises what the computation raised
        return projection(space, params), None
    return projection(space, replace(params, method="pca")), job


@st.cache_resource(
    show_spinner="Finding clusters in the embedding space…", max_entries=32, hash_funcs=_BY_SPACE
)
def clustering(space: Space, params: ClusterParams) -> Clustering:
    """The clusters of the full space (see ``Space.clustering``).

    Raises:
        InputError: Fewer than two rows.
    """
    return space.clustering(params)


def rename_cluster(space: Space, params: ClusterParams, cluster_id: int, name: str) -> Clustering:
    """Store a cluster's new name, and forget the clusterings held in memory.

    Raises:
        InputError: A bad name.
    """
    renamed = space.rename_cluster(params, cluster_id, name)
    for named in (clustering, cluster_hierarchy, label_quality):
        named.clear()
    return renamed


@st.cache_resource(
    show_spinner="Gathering the clusters into coarse ones…", max_entries=16, hash_funcs=_BY_SPACE
)
def cluster_hierarchy(space: Space, params: ClusterParams, n_coarse: int) -> ClusterHierarchy:
    """The clusters of ``params`` gathered into ``n_coarse`` coarse ones (see
    ``Space.cluster_hierarchy``).

    Raises:
        InputError: Fewer than two rows, or a bad ``n_coarse``.
    """
    return space.cluster_hierarchy(params, n_coarse)


@st.cache_resource(show_spinner="Scoring the cluster labels…", max_entries=32, hash_funcs=_BY_SPACE)
def label_quality(
    space: Space, params: ClusterParams, n_coarse: int | None, threshold: float
) -> LabelQuality:
    """How near each label lies to its cluster's texts: the clusters of ``params``, or with
    ``n_coarse`` the coarse ones (see ``Space.label_quality``); ``unavailable`` says why
    there are no scores.

    Raises:
        InputError: A bad ``n_coarse`` or threshold, or the model does not load.
    """
    return space.label_quality(params, n_coarse, threshold)


@st.cache_resource(
    show_spinner="Reading each row's neighbourhood…", max_entries=16, hash_funcs=_BY_SPACE
)
def outlier_scores(space: Space, k: int, method: str) -> ScoreVector:
    """Each row's outlier score at ``k`` (see ``Space.outlier_scores``)."""
    return space.outlier_scores(k, method)


@st.cache_resource(
    show_spinner="Reading each row's neighbourhood…", max_entries=16, hash_funcs=_BY_SPACE
)
def outliers(space: Space, k: int, method: str, top: int) -> list[Outlier]:
    """The ``top`` strangest rows (see ``Space.outliers``)."""
    return space.outliers(k, method, top)


@st.cache_resource(show_spinner="Finding near-duplicates…", max_entries=16, hash_funcs=_BY_SPACE)
def duplicates(space: Space, threshold: float) -> list[DuplicateSet]:
    """Sets of near-duplicate rows (see ``Space.duplicates``)."""
    return space.duplicates(threshold)


@st.cache_resource(
    show_spinner="Judging the map against the full space…", max_entries=16, hash_funcs=_BY_SPACE
)
def map_trust(space: Space, params: ProjectionParams, k: int, label_column: str | None) -> MapTrust:
    """How far the map of ``params`` keeps the full space's neighbourhoods.

    Raises:
        InputError: Too few rows for ``k``.
    """
    return space.map_trust(params, k, label_column)


@st.cache_resource(
    show_spinner="Comparing the two spaces row by row…", max_entries=8, hash_funcs=_BY_SPACE
)
def comparison(first: Space, second: Space, k: int, label_column: str | None) -> Comparison:
    """Two embeddings of the dataset compared (see ``Space.comparison``)."""
    return first.comparison(second, k, label_column)


@st.cache_resource(
    show_spinner="Checking each row's label against its neighbours'…",
    max_entries=16,
    hash_funcs=_BY_SPACE,
)
def label_issues(space: Space, column: str, k: int) -> LabelIssues:
    """Each row's label in ``column`` checked against its ``k`` nearest rows' (see
    ``Space.label_issues``); a column as given, not a corrected one, which changes with every
    accept.

    Raises:
        InputError: No such column, no labels, or too many distinct values.
    """
    return space.label_issues(column, k)


_RESULTS = (
    projection,
    clustering,
    cluster_hierarchy,
    label_quality,
    outlier_scores,
    outliers,
    duplicates,
    map_trust,
    comparison,
    label_issues,
)
"""Every cached result of a space."""
