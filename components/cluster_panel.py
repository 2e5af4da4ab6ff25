"""The clusters of the open dataset: how they are found, what they are called, how big."""

from __future__ import annotations

import zlib

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from components.current import OpenDataset
from components.map_view import pending_inputs
from components.markdown import plain_markdown, safe
from components.settings import parameter_input
from components.tables import text_table
from embedding_space.analysis.clustering import (
    CLUSTER_NAME_CHARS,
    NOISE,
    Clustering,
    suggest_n_clusters,
)
from embedding_space.analysis.parameters import SETTINGS
from embedding_space.errors import InputError
from embedding_space.store.space import Space

_METHOD_LABELS = {"kmeans": "KMeans", "hdbscan": "HDBSCAN"}
_CONTROLS = (state.CLUSTER_METHOD, state.N_CLUSTERS, state.MIN_CLUSTER_SIZE)


def _suggest(current: OpenDataset) -> None:
    """Put the suggested ``n_clusters`` (and KMeans) in the pending inputs; Apply uses it."""
    best, scores = suggest_n_clusters(current.vectors)
    for name, chosen in ((state.N_CLUSTERS, best), (state.CLUSTER_METHOD, "kmeans")):
        state.put(state.widget_key("pending", name), chosen)
    shown = ", ".join(f"{k}: {score:.2f}" for k, score in scores.items())
    state.put(
        state.widget_key("cluster-suggestion", current.info.id),
        f"Suggested {best} clusters: the best silhouette (cosine) for k from 2 to "
        f"{max(scores)} ({shown}).",
    )


def _cluster_input(column: DeltaGenerator, name: str, key: str) -> None:
    parameter_input(column, SETTINGS[name], key=key, format_func=_METHOD_LABELS.__getitem__)


def cluster_controls(current: OpenDataset) -> None:
    """An expander with the clustering method and its parameters, applied with one button.

    The expander keeps its state in the session (it stays open across the reruns its own
    inputs cause); *Suggest* fills in the inputs and leaves *Apply* to the user.
    """
    with st.expander("Clusters", key=state.widget_key("expander", "clusters"), on_change="rerun"):
        pending_inputs(list(_CONTROLS), _cluster_input)
        can_suggest = len(current.texts) >= 3
        st.button(
            "Suggest n_clusters",
            on_click=_suggest,
            args=(current,),
            disabled=not can_suggest,
            help="Tries KMeans with 2 to 12 clusters and keeps the best silhouette; Apply "
            "then uses it.",
        )
        if suggestion := state.value(state.widget_key("cluster-suggestion", current.info.id)):
            st.caption(safe(suggestion))
        left, right = st.columns(2)
        left.toggle("Cluster labels on the map", **state.bind(state.CLUSTER_LABELS))
        right.toggle("Density contours (2-D)", **state.bind(state.DENSITY))


def current_clustering(current: OpenDataset) -> Clustering | None:
    """The open dataset's clusters as the controls ask for them; ``None`` (with a message)
    for a dataset of one row or parameters that do not fit."""
    if len(current.texts) < 2:
        return None
    params = state.cluster_params()
    try:
        clustering = cached.clustering(current.space, params)
    except InputError as error:
        st.error(safe(error))
        return None
    for cluster_id, name in state.given_cluster_names(current.info.id, params).items():
        if cluster_id in clustering.sizes():
            clustering = clustering.renamed(cluster_id, name)
    return clustering


def colour_clustering(current: OpenDataset) -> Clustering | None:
    """The clusters the maps are coloured by: the current ones when *Colour by* is clusters,
    else ``None``."""
    return current_clustering(current) if state.colored_by_clusters() else None


def _rename(space: Space, dataset_id: str, cluster_id: int, key: str) -> None:
    params = state.cluster_params()
    try:
        renamed = cached.rename_cluster(space, params, cluster_id, str(state.value(key)))
    except InputError as error:
        state.put(state.widget_key("cluster-error", dataset_id), str(error))
        return
    state.give_cluster_names(dataset_id, params, {cluster_id: renamed.name_of(cluster_id)})


def cluster_table(current: OpenDataset, clustering: Clustering) -> None:
    """Every cluster with its label, size and a sample text; a label can be renamed."""
    if clustering.note:
        st.info(safe(clustering.note))
    sizes = clustering.sizes()
    ids = clustering.clusters
    samples = [current.texts[clustering.rows_of(cluster_id)[0]] for cluster_id in ids]
    text_table(
        pd.DataFrame(
            {
                "cluster": ids,
                "label": [clustering.name_of(i) for i in ids],
                "rows": [sizes[i] for i in ids],
                "sample": samples,
            }
        ),
        narrow=True,
        rows_shown=5,
        column_config={"cluster": st.column_config.NumberColumn("#", width=40)},
    )
    named = [cluster_id for cluster_id in ids if cluster_id != NOISE]
    if not named:
        return
    if error := state.take(state.widget_key("cluster-error", current.info.id)):
        st.error(safe(error))
    # Keyed by the clustering and its names, so that the box never offers a stale label; the
    # cluster picked is kept across a rename or a new clustering that still has it.
    params = state.cluster_params()
    signature = zlib.crc32("\n".join(clustering.name_of(i) for i in named).encode())
    pick_key = state.widget_key("rename-cluster", current.info.id, params.key(), signature)
    picked_key = state.widget_key("rename-picked", current.info.id)
    if state.value(pick_key) not in named and state.value(picked_key) in named:
        state.put(pick_key, state.value(picked_key))
    chosen = st.selectbox(
        "Rename a cluster",
        named,
        format_func=lambda i: f"{i}: {clustering.name_of(i)}",
        key=pick_key,
    )
    state.put(picked_key, chosen)
    name_key = state.widget_key("cluster-name", current.info.id, params.key(), signature, chosen)
    st.text_input(
        "New label",
        value=clustering.name_of(chosen),
        key=name_key,
        max_chars=CLUSTER_NAME_CHARS,
    )
    st.button("Rename", on_click=_rename, args=(current.space, current.info.id, chosen, name_key))
    st.caption(f"Sample of cluster {chosen}: {plain_markdown(samples[ids.index(chosen)], 160)}")
