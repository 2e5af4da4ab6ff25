"""Rows that sit apart, and rows that say the same thing twice."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import plain_markdown
from components.row_images import show_row_image
from components.settings import setting_input
from components.tables import RowImages, text_table
from embedding_space.analysis.outliers import rows_to_drop
from embedding_space.export.files import export_table, file_stem
from embedding_space.io.images import THUMBNAIL_PX

_METHOD_LABELS = {"knn": "mean distance to the k nearest", "lof": "local outlier factor"}
MAX_SETS_SHOWN = 100


def outliers_panel(current: OpenDataset) -> None:
    """The strangest rows: score, text, and the nearest other row."""
    left, middle, right = st.columns([2, 1, 1])
    method = setting_input(left, state.OUTLIER_METHOD, format_func=_METHOD_LABELS.__getitem__)
    k = setting_input(middle, state.OUTLIER_K)
    top = setting_input(right, state.OUTLIER_TOP)
    found = cached.outliers(current.space, int(k), str(method), int(top))
    if not found:
        st.caption("One row has no neighbours to stand apart from.")
        return
    table = pd.DataFrame(
        {
            "row": [o.row for o in found],
            "score": [round(o.score, 4) for o in found],
            "text": [current.texts[o.row] for o in found],
            "nearest row": [o.nearest for o in found],
            "similarity": [round(o.similarity, 3) for o in found],
            "nearest text": [current.texts[o.nearest] for o in found],
        }
    )
    text_table(
        table,
        rows_shown=8,
        column_config={"nearest row": st.column_config.NumberColumn("nearest", width=70)},
        images=RowImages(
            current.info.id,
            [o.row for o in found],
            beside={"nearest text": [o.nearest for o in found]},
        ),
    )
    st.caption("On the Map page, colour or size by “outlier score” to see where they are.")


def duplicates_panel(current: OpenDataset) -> None:
    """Near-duplicate sets above a cosine threshold, both texts side by side, and the rows to
    drop (one of each set kept) as a download."""
    threshold = setting_input(st.container(), state.DUPLICATE_THRESHOLD, slider=True)
    sets = cached.duplicates(current.space, float(threshold))
    drop = rows_to_drop(sets)
    st.caption(
        f"{len(sets):,} sets of near-duplicates, {sum(len(s.rows) for s in sets):,} rows; "
        f"keeping the first of each set drops {len(drop):,}."
    )
    for group in sets[:MAX_SETS_SHOWN]:
        columns = st.columns(min(len(group.rows), 3))
        for column, row in zip(columns, group.rows, strict=False):
            show_row_image(current.info.id, row, where=column, width=THUMBNAIL_PX)
            column.markdown(
                f"**{row}** · `{group.score:.3f}`  \n{plain_markdown(current.texts[row], 300)}"
            )
        if len(group.rows) > 3:
            st.caption(f"… and {len(group.rows) - 3} more rows: {group.rows[3:]}")
        st.divider()
    if len(sets) > MAX_SETS_SHOWN:
        st.caption(f"Showing the {MAX_SETS_SHOWN} largest sets; the download holds them all.")
    if drop:
        stem = file_stem(current.info.name)
        st.download_button(
            "Rows to drop (CSV)",
            lambda: export_table(current.frame.iloc[drop], row_ids=drop, format="csv"),
            f"{stem}-duplicates-to-drop.csv",
            "text/csv",
            on_click="ignore",
        )
