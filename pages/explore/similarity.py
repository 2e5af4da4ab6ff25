"""Similarity: a heatmap of pairwise scores, ordered by hierarchical clustering so blocks show."""

import numpy as np
import streamlit as st

from components.cluster_panel import colour_clustering
from components.current import open_current
from components.exports import similarity_export
from components.filter_panel import filter_count, filtered_selection
from components.map_view import map_categories
from components.markdown import safe
from components.neighbor_lists import pair_list
from components.page_layout import compact_page, map_height
from components.similarity_rows import rows_choice
from embedding_space.analysis.similarity import (
    METRIC_LABELS,
    METRICS,
    choose_rows,
    cluster_order,
    extreme_pairs,
    label_contrast,
    pairwise,
)
from embedding_space.figures.colors import category_names, category_palette
from embedding_space.figures.heatmap import heatmap_figure

MAX_ROWS = 300

compact_page()
current = open_current("Similarity", with_projection=False)
info, frame, texts, vectors = current.info, current.frame, current.texts, current.vectors
if len(texts) < 2:
    st.info("A similarity heatmap needs at least two rows; this dataset has one.")
    st.stop()

# "The selection" respects the Map page's filters (see filtered_selection).
selected = filtered_selection(info.id, len(texts))
filtered = filter_count(info.id) is not None
controls = st.columns([1.6, 1.9, 2.2, 1.5], gap="small", vertical_alignment="center")
metric = controls[0].selectbox(
    "Metric", METRICS, format_func=METRIC_LABELS.__getitem__, label_visibility="collapsed"
)
use_selection = bool(selected) and controls[1].toggle(
    f"Use the {'filtered ' if filtered else ''}map selection ({len(selected):,} rows)", value=True
)
count, sample = rows_choice(controls[2], min(MAX_ROWS, len(texts)), disabled=use_selection)
ordered = controls[3].toggle("Order by clustering", value=True)

choice = choose_rows(
    len(texts),
    limit=MAX_ROWS,
    selected=selected if use_selection else (),
    count=count,
    sample=sample,
)
st.caption(choice.description)
matrix = pairwise(vectors[choice.rows], metric)
order = cluster_order(matrix, metric) if ordered else np.arange(len(choice.rows))
rows = choice.rows[order]
matrix = matrix[np.ix_(order, order)]
# The strip names and colours each row as the map does (the same colour for the same label).
categories = map_categories(current, colour_clustering(current))
if categories is not None:
    values, color_column = categories
    labels = category_names(values)[rows].tolist()
    label_colors = category_palette(values)
else:
    color_column, label_colors = None, None
    labels = [str(row) for row in rows]
heatmap_column, pairs_column = st.columns([3, 1.2], gap="medium")
heatmap_column.plotly_chart(
    heatmap_figure(
        matrix,
        [texts[row] for row in rows],
        metric=metric,
        labels=labels,
        label_strip=color_column is not None,
        label_colors=label_colors,
        label_name=color_column,
        height=map_height(),
    ),
    width="stretch",
    config={"displaylogo": False},
)
nearest, farthest = extreme_pairs(matrix, rows.tolist(), metric)
with pairs_column:
    st.subheader("Most alike", anchor=False)
    pair_list(info.id, nearest, texts)
    st.subheader("Least alike", anchor=False)
    pair_list(info.id, farthest, texts)
similarity_export(
    matrix, [f"{row}: {label}" for row, label in zip(rows, labels, strict=True)], info.name
)
if color_column and (contrast := label_contrast(matrix, labels)):
    within, between = contrast
    st.caption(
        f"Mean {metric} within the same {safe(color_column)}: {within:.3f} · "
        f"between different ones: {between:.3f}."
    )
