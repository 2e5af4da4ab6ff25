"""Neighbour lists as the pages show them: a compact list beside the map, a full table."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from components import state
from components.markdown import plain_markdown
from components.row_images import row_lines
from components.settings import setting_input
from components.tables import RowImages, text_table
from embedding_space.analysis.neighbors import Neighbor
from embedding_space.analysis.similarity import METRIC_LABELS, higher_is_closer, validate_metric


def neighbor_controls() -> None:
    """How many neighbours the map's side panel lists, by which metric, and whether whole."""
    k, metric = st.columns([1, 1])
    setting_input(k, state.NEIGHBOR_K)
    setting_input(metric, state.NEIGHBOR_METRIC, select=True)
    st.toggle("Whole texts", **state.bind(state.FULL_TEXTS))


def neighbor_list(
    dataset_id: str,
    neighbors: Sequence[Neighbor],
    texts: Sequence[str],
    labels: pd.Series | None = None,
    *,
    whole: bool = False,
) -> None:
    """A compact neighbour list for a narrow column: image, score, text (cut, or whole),
    label."""
    limit = 20_000 if whole else 220
    lines = []
    for neighbor in neighbors:
        line = f"`{neighbor.score:.2f}` {plain_markdown(texts[neighbor.row], limit)}"
        if labels is not None:
            line += f" · *{plain_markdown(str(labels.iloc[neighbor.row]), 60)}*"
        lines.append((neighbor.row, line))
    row_lines(dataset_id, lines, bullets=False)


def neighbor_table(
    dataset_id: str,
    neighbors: Sequence[Neighbor],
    frame: pd.DataFrame,
    text_column: str,
    *,
    metric: str,
    label_column: str | None = None,
    key: str | None = None,
) -> None:
    """Show neighbours best first: image, rank, score, text (and a label column when
    chosen)."""
    if not neighbors:
        st.info("No neighbours: the dataset has only this row.")
        return
    rows = [n.row for n in neighbors]
    shown = pd.DataFrame(
        {
            "rank": [n.rank for n in neighbors],
            "score": [n.score for n in neighbors],
            "text": frame[text_column].iloc[rows].astype(str).to_list(),
        }
    )
    if label_column and label_column in frame.columns and label_column != text_column:
        shown[label_column] = frame[label_column].iloc[rows].astype(str).to_list()
    shown["row"] = rows
    checked = validate_metric(metric)
    score_title = METRIC_LABELS[checked]
    score_column = (
        st.column_config.ProgressColumn(
            score_title, min_value=0.0, max_value=1.0, format="%.3f", width=120
        )
        if checked == "cosine"
        else st.column_config.NumberColumn(score_title, format="%.3f", width=90)
    )
    text_table(
        shown,
        narrow=True,
        rows_shown=8,
        key=key,
        images=RowImages(dataset_id, rows),
        column_config={
            "score": score_column,
            "rank": st.column_config.NumberColumn("#", width=48),
        },
    )
    if not higher_is_closer(checked):
        st.caption("Smaller distance is nearer.")


def pair_list(
    dataset_id: str, pairs: Sequence[tuple[int, int, float]], texts: Sequence[str]
) -> None:
    """Pairs of rows with their score, both texts shown (cut to a line each), and both
    images."""
    if not pairs:
        st.caption("Two rows are needed for a pair.")
    lines = [
        (
            (first, second),
            f"`{score:.2f}` **{first}** {plain_markdown(texts[first], 120)}  \n"
            f"— **{second}** {plain_markdown(texts[second], 120)}",
        )
        for first, second, score in pairs
    ]
    row_lines(dataset_id, lines, bullets=False)
