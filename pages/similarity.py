"""Similarity: a heatmap of pairwise scores, ordered by hierarchical clustering so blocks show."""

import numpy as np
import streamlit as st

from components import cached, state
from components.exports import similarity_export
from components.panels import safe
from embedding_space.figures import heatmap_figure
from embedding_space.similarity import METRICS, cluster_order, pairwise

MAX_ROWS = 300

current = cached.open_current("Similarity", with_projection=False)
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
dataset_id = info.id
if len(texts) < 2:
    st.info("A similarity heatmap needs at least two rows; this dataset has one.")
    st.stop()

selected = state.selection(dataset_id, len(texts))
controls = st.columns([2, 2, 2, 2])
metric = controls[0].selectbox(
    "Metric",
    METRICS,
    format_func={
        "cosine": "cosine similarity",
        "dot": "dot product",
        "euclidean": "euclidean distance",
    }.__getitem__,
)
use_selection = bool(selected) and controls[1].toggle(
    f"Use the map selection ({len(selected):,} rows)", value=True
)
upper = min(MAX_ROWS, len(texts))
count = controls[2].slider("Rows", 1, upper, min(100, upper), disabled=use_selection)
how = controls[3].radio(
    "Which rows", ["random sample", "first rows"], horizontal=True, disabled=use_selection
)
ordered = st.toggle("Order by hierarchical clustering", value=True)

rng = np.random.default_rng(0)
if use_selection:
    rows = np.asarray(selected)
    if len(rows) > MAX_ROWS:
        rows = np.sort(rng.choice(rows, MAX_ROWS, replace=False))
        st.caption(f"Showing a random {MAX_ROWS} of the {len(selected):,} selected rows.")
    else:
        st.caption(f"Showing the {len(rows):,} rows selected on the map.")
elif count == len(texts):
    rows = np.arange(count)
    st.caption(f"Showing all {count:,} rows.")
elif how == "random sample":
    rows = np.sort(rng.choice(len(texts), count, replace=False))
    st.caption(f"Showing a random sample of {count:,} of {len(texts):,} rows (seed 0).")
else:
    rows = np.arange(count)
    st.caption(f"Showing the first {count:,} of {len(texts):,} rows.")

matrix = pairwise(vectors[rows], metric)
order = cluster_order(matrix, metric) if ordered else np.arange(len(rows))
rows = rows[order]
matrix = matrix[np.ix_(order, order)]
color_column = st.session_state.get(state.COLOR_COLUMN)
labels = (
    frame[color_column].iloc[rows].astype(str).to_list()
    if color_column in frame.columns
    else [str(row) for row in rows]
)
st.plotly_chart(
    heatmap_figure(matrix, [texts[row] for row in rows], metric=metric, labels=labels),
    width="stretch",
    config={"displaylogo": False},
)
similarity_export(
    matrix, [f"{row}: {label}" for row, label in zip(rows, labels, strict=True)], info.name
)
if color_column in frame.columns and len(rows) > 1:
    same = np.equal.outer(labels, labels)
    off_diagonal = ~np.eye(len(rows), dtype=bool)
    within = matrix[same & off_diagonal]
    between = matrix[~same]
    if within.size and between.size:
        st.caption(
            f"Mean {metric} within the same {safe(color_column)}: {within.mean():.3f} · "
            f"between different ones: {between.mean():.3f}."
        )
