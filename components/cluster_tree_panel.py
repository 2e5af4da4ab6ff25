"""The Clusters tab's tree: coarse clusters with their fine clusters inside, each with its
size and how well its label says what its texts are about (weak labels marked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import display_frame, safe
from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.hierarchy import WEAK_LABEL, ClusterHierarchy, LabelQuality
from embedding_space.errors import InputError
from embedding_space.figures.cluster_tree import cluster_tree_figure

TREE_LABEL = "label"
"""The tree table's column of fine labels (a test reads the tree by it)."""


def label_qualities(
    current: OpenDataset, params: ClusterParams, n_coarse: int
) -> tuple[LabelQuality, LabelQuality]:
    """The fine labels' quality and the coarse labels' (empty, with the reason in
    ``unavailable``, where the space has no model to embed a label with)."""
    threshold = state.setting("weak_label_quality", float)
    try:
        fine = cached.label_quality(current.space, params, None, threshold)
        coarse = cached.label_quality(current.space, params, n_coarse, threshold)
    except InputError as error:
        missing = LabelQuality(unavailable=str(error), threshold=threshold)
        return missing, missing
    return fine, coarse


def _score(quality: float | None) -> float | None:
    return None if quality is None else round(quality, 2)


def tree_frame(
    hierarchy: ClusterHierarchy, quality: LabelQuality, coarse_quality: LabelQuality
) -> pd.DataFrame:
    """The tree as the tab shows it: a row per fine cluster, grouped by coarse cluster, the
    coarse cluster's label, size and score written on its first row only (so each group
    reads as one branch)."""
    records = []
    seen: set[int] = set()
    for row in hierarchy.tree_rows(quality, coarse_quality):
        first = row.coarse_id not in seen
        seen.add(row.coarse_id)
        coarse = ""
        if first:
            coarse = f"{row.coarse_label} · {row.coarse_size:,} rows"
            if row.coarse_quality is not None:
                coarse += f" · {row.coarse_quality:.2f}"
            if row.coarse_reading:
                coarse += f" {row.coarse_reading}"
        records.append(
            {
                "coarse": row.coarse_id,
                "coarse cluster": coarse,
                "cluster": row.fine_id,
                TREE_LABEL: row.fine_label,
                "rows": row.fine_size,
                "quality": _score(row.quality),
                "weak": row.reading == WEAK_LABEL,
            }
        )
    return pd.DataFrame.from_records(records)


def cluster_tree(
    current: OpenDataset,
    hierarchy: ClusterHierarchy,
    quality: LabelQuality,
    coarse_quality: LabelQuality,
) -> None:
    """The tree as a compact table, and as a treemap in an expander."""
    if hierarchy.note:
        st.info(safe(hierarchy.note))
    frame = tree_frame(hierarchy, quality, coarse_quality)
    st.dataframe(
        display_frame(frame),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(frame), 360),
        column_config={
            "coarse": st.column_config.NumberColumn("coarse", width=48),
            "coarse cluster": st.column_config.TextColumn(
                "coarse cluster",
                help="A coarse cluster gathers whole clusters; its label, rows and label "
                "quality are written on its first row.",
            ),
            "cluster": st.column_config.NumberColumn("cluster", width=48),
            "rows": st.column_config.NumberColumn("rows", width=56),
            "quality": st.column_config.NumberColumn(
                "quality",
                format="%.2f",
                width=64,
                help="The mean cosine between the label's embedding and its cluster's texts.",
            ),
            "weak": st.column_config.CheckboxColumn(
                "weak",
                width=48,
                help=f"The label's quality is below {quality.threshold:g} (Settings: weak "
                "label below): it says little of what its texts are about.",
            ),
        },
        key=state.widget_key("cluster-tree", current.info.id),
    )
    if quality.unavailable:
        st.caption(f"Label quality not available. {safe(quality.unavailable)}")
    elif weak := quality.weak():
        st.caption(
            f"{len(weak)} weak label{'s' if len(weak) != 1 else ''} (quality below "
            f"{quality.threshold:g}): rename {'them' if len(weak) != 1 else 'it'} below."
        )
    with st.expander("Treemap of the clusters"):
        st.caption("Boxes sized by rows; red: a weak label; pale to deep blue: fair to strong.")
        st.plotly_chart(
            cluster_tree_figure(hierarchy, quality, coarse_quality, height=420),
            width="stretch",
            key=state.widget_key("cluster-treemap", current.info.id),
        )
