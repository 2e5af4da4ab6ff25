"""The Clusters tab's tree: coarse clusters with their fine clusters inside, each with its
size and how well its label says what its texts are about (weak labels marked)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import display_frame, safe
from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality
from embedding_space.errors import InputError
from embedding_space.figures.cluster_tree import cluster_tree_figure

TREE_COLUMNS = ("cluster", "rows", "quality")
"""The tree's columns on screen; the frame also holds ``level``, ``coarse``, ``fine``,
``label`` (plain), ``score`` and ``weak``, which map a row back to its cluster."""
_BRANCH = "└ "
_WEAK_MARK = "⚠ "


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


def _shown(quality: float | None, reading: str) -> str:
    """A score as the tree shows it: ``0.21 weak``, ``0.45``, or blank when not scored."""
    return "" if quality is None else f"{quality:.2f} {reading}".strip()


def _cluster_cell(label: str, reading: str, branch: str) -> str:
    # The weak mark leads the label too, so a narrow panel that hides the quality shows it.
    return branch + (_WEAK_MARK if reading else "") + label


def tree_frame(
    hierarchy: ClusterHierarchy, quality: LabelQuality, coarse_quality: LabelQuality
) -> pd.DataFrame:
    """The tree as the tab shows it: a row per coarse cluster, followed by a row per fine
    cluster inside it (its label drawn as a branch), each with its rows, label quality and
    ``weak`` where the label is weak."""
    records: list[dict[str, object]] = []
    seen: set[int] = set()
    for row in hierarchy.tree_rows(quality, coarse_quality):
        if row.coarse_id not in seen:
            seen.add(row.coarse_id)
            records.append(
                {
                    "level": "coarse",
                    "coarse": row.coarse_id,
                    "fine": None,
                    "label": row.coarse_label,
                    "cluster": _cluster_cell(row.coarse_label, row.coarse_reading, ""),
                    "rows": row.coarse_size,
                    "quality": _shown(row.coarse_quality, row.coarse_reading),
                    "score": _score(row.coarse_quality),
                    "weak": row.coarse_reading,
                }
            )
        records.append(
            {
                "level": "fine",
                "coarse": row.coarse_id,
                "fine": row.fine_id,
                "label": row.fine_label,
                "cluster": _cluster_cell(row.fine_label, row.reading, _BRANCH),
                "rows": row.fine_size,
                "quality": _shown(row.quality, row.reading),
                "score": _score(row.quality),
                "weak": row.reading,
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame["fine"] = frame["fine"].astype("Int64")
    return frame


def _select_picked(
    current: OpenDataset, hierarchy: ClusterHierarchy, row: pd.Series | None, key: str
) -> None:
    """A row picked in the tree selects its cluster's rows on the map (once per pick: the
    table keeps its pick across reruns, and the user may select something else since)."""
    pick = None if row is None else (str(row["level"]), int(row[str(row["level"])]))
    seen = state.widget_key("cluster-tree-picked", current.info.id, key)
    if pick == state.value(seen):
        return
    state.put(seen, pick)
    if pick is None:
        return
    level, cluster_id = pick
    clusters = hierarchy.coarse if level == "coarse" else hierarchy.fine
    state.set_selection(current.info.id, clusters.rows_of(cluster_id))
    st.rerun()


def cluster_tree(
    current: OpenDataset,
    hierarchy: ClusterHierarchy,
    quality: LabelQuality,
    coarse_quality: LabelQuality,
    key: str,
) -> None:
    """The tree as a compact table, and as a treemap in an expander; picking a row of the
    table selects that cluster's rows on the map. ``key`` names the clusters shown (a new
    clustering starts a new table, with nothing picked)."""
    if hierarchy.note:
        st.info(safe(hierarchy.note))
    frame = tree_frame(hierarchy, quality, coarse_quality)
    event = st.dataframe(
        display_frame(frame),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(frame), 420),
        column_order=TREE_COLUMNS,
        column_config={
            "cluster": st.column_config.TextColumn(
                "cluster",
                width=180,
                help="Each coarse cluster, and under it (└) the clusters it gathers; ⚠ marks "
                "a weak label.",
            ),
            "rows": st.column_config.NumberColumn("rows", width=52),
            "quality": st.column_config.TextColumn(
                "quality",
                width=80,
                help="The mean cosine between the label's embedding and its cluster's texts; "
                f"below {quality.threshold:g} (Settings: weak label below) the label reads as "
                "weak: it says little of what its texts are about.",
            ),
        },
        on_select="rerun",
        selection_mode="single-row",
        key=state.widget_key("cluster-tree", current.info.id, key),
    )
    picked = event.selection.rows if event is not None else []
    _select_picked(current, hierarchy, frame.iloc[picked[0]] if picked else None, key)
    st.caption("Pick a row to select its cluster's points on the map.")
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
