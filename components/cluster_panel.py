"""The clusters of the open dataset: how they are found, what they are called, how big."""

from __future__ import annotations

import zlib
from dataclasses import replace

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from components.cluster_tree_panel import cluster_tree, label_qualities
from components.current import OpenDataset
from components.map_view import pending_inputs
from components.markdown import plain_markdown, safe
from components.row_images import show_row_image
from components.settings import parameter_input
from embedding_space.analysis.clustering import (
    CLUSTER_NAME_CHARS,
    NOISE,
    Clustering,
    suggest_n_clusters,
)
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality
from embedding_space.analysis.parameters import SETTINGS
from embedding_space.errors import InputError
from embedding_space.io.images import THUMBNAIL_PX
from embedding_space.store.space import Space

_METHOD_LABELS = {"kmeans": "KMeans", "hdbscan": "HDBSCAN"}
_CONTROLS = (state.CLUSTER_METHOD, state.N_CLUSTERS, state.MIN_CLUSTER_SIZE)
COARSE = "coarse"
"""The level of gathered clusters (``state.CLUSTER_LEVEL``); the other is ``"fine"``."""


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
        # The level and the coarse count apply at once: gathering the clusters is quick.
        level, count = st.columns([1.2, 1], vertical_alignment="bottom")
        level.segmented_control(
            "Cluster level",
            ["fine", COARSE],
            required=True,
            help="Fine: the clusters as found. Coarse: whole clusters gathered into fewer "
            "groups (Ward's linkage of their centres), each labelled by its own words.",
            **state.bind(state.CLUSTER_LEVEL),
        )
        parameter_input(count, SETTINGS[state.N_COARSE], **state.bind(state.N_COARSE))
        if is_coarse():
            st.caption("Renamed labels are the fine clusters'; the coarse ones keep their words.")
        left, right = st.columns(2)
        left.toggle("Cluster labels on the map", **state.bind(state.CLUSTER_LABELS))
        right.toggle("Density contours (2-D)", **state.bind(state.DENSITY))


def is_coarse() -> bool:
    """Whether the maps show the coarse clusters rather than the fine ones."""
    return state.value(state.CLUSTER_LEVEL) == COARSE


def fine_clustering(current: OpenDataset) -> Clustering | None:
    """The open dataset's clusters as found, with the names given to them; ``None`` (with a
    message) for a dataset of one row or parameters that do not fit."""
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


def current_hierarchy(current: OpenDataset, fine: Clustering) -> ClusterHierarchy | None:
    """The fine clusters (as :func:`fine_clustering` gives them) gathered into the coarse
    count the controls ask for; ``None`` (with a message) where they cannot be."""
    try:
        hierarchy = cached.cluster_hierarchy(
            current.space, state.cluster_params(), state.setting(state.N_COARSE, int)
        )
    except InputError as error:
        st.error(safe(error))
        return None
    return replace(hierarchy, fine=fine)


def current_clustering(current: OpenDataset) -> Clustering | None:
    """The clusters the maps show: the fine ones, or at the coarse level the coarse ones;
    ``None`` (with a message) for a dataset of one row or parameters that do not fit."""
    fine = fine_clustering(current)
    if fine is None or not is_coarse():
        return fine
    hierarchy = current_hierarchy(current, fine)
    return hierarchy.coarse if hierarchy is not None else fine


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
    """The clusters as a tree, coarse clusters holding fine ones, with sizes and label
    quality; a fine cluster's label can be renamed, its quality shown beside it.

    Args:
        current: The open dataset.
        clustering: The clusters the map shows (fine or coarse); the tree is drawn from the
            hierarchy of the fine ones whichever it is.
    """
    fine = fine_clustering(current)
    if fine is None:
        return
    if fine.note:
        st.info(safe(fine.note))
    params = state.cluster_params()
    n_coarse = state.setting(state.N_COARSE, int)
    hierarchy = current_hierarchy(current, fine)
    quality, coarse_quality = label_qualities(current, params, n_coarse)
    # A name a link gave (kept in the session, not stored) was never scored: the stored
    # label's score would pass for it, so it shows none.
    stored = cached.clustering(current.space, params)
    given = {i for i in fine.clusters if fine.name_of(i) != stored.name_of(i)}
    if given:
        scores = {i: score for i, score in quality.scores.items() if i not in given}
        quality = replace(quality, scores=scores)
    if hierarchy is not None:
        cluster_tree(current, hierarchy, quality, coarse_quality, f"{params.key()}-{n_coarse}")
    # In the tree's order, so the box reads like the table above it.
    listed = [row.fine_id for row in hierarchy.tree_rows()] if hierarchy else fine.clusters
    named = [cluster_id for cluster_id in listed if cluster_id != NOISE]
    if not named:
        return
    if error := state.take(state.widget_key("cluster-error", current.info.id)):
        st.error(safe(error))
    if is_coarse():
        st.caption("Renaming applies to the fine clusters (the rows of the tree).")
    # Keyed by the clustering and its names, so that the box never offers a stale label; the
    # cluster picked is kept across a rename or a new clustering that still has it.
    signature = zlib.crc32("\n".join(fine.name_of(i) for i in named).encode())
    pick_key = state.widget_key("rename-cluster", current.info.id, params.key(), signature)
    picked_key = state.widget_key("rename-picked", current.info.id)
    if state.value(pick_key) not in named and state.value(picked_key) in named:
        state.put(pick_key, state.value(picked_key))
    chosen = st.selectbox(
        "Rename a cluster",
        named,
        format_func=lambda i: f"{i}: {fine.name_of(i)}",
        key=pick_key,
    )
    state.put(picked_key, chosen)
    name_key = state.widget_key("cluster-name", current.info.id, params.key(), signature, chosen)
    st.text_input(
        "New label",
        value=fine.name_of(chosen),
        key=name_key,
        max_chars=CLUSTER_NAME_CHARS,
    )
    st.button("Rename", on_click=_rename, args=(current.space, current.info.id, chosen, name_key))
    st.caption(_quality_line(quality, chosen))
    sample = fine.rows_of(chosen)[0]
    show_row_image(current.info.id, sample, width=THUMBNAIL_PX)
    st.caption(f"Sample of cluster {chosen}: {plain_markdown(current.texts[sample], 160)}")


def _quality_line(quality: LabelQuality, cluster_id: int) -> str:
    """What the rename box says of the picked label's quality."""
    if quality.unavailable:
        return f"Label quality not available. {safe(quality.unavailable)}"
    score = quality.scores.get(cluster_id)
    if score is None:
        return "Label quality: not scored."
    if quality.reading(cluster_id):
        return (
            f"Label quality {score:.2f}: **weak** (below {quality.threshold:g}), the label says "
            "little of what its texts are about; a better one can be given here."
        )
    return f"Label quality {score:.2f} (weak below {quality.threshold:g})."
