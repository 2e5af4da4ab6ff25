"""Tables the pages share: neighbour lists and row listings."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from embedding_space.neighbors import Neighbor
from embedding_space.similarity import higher_is_closer, validate_metric

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$=:])")

LABEL_HINTS = ("category", "label", "labels", "class", "intent", "topic", "tag", "group")


def default_color_column(frame: pd.DataFrame, text_column: str) -> str | None:
    """A label-like column to colour by on first view, if there is one."""
    candidates = [column for column in frame.columns if column != text_column]
    for column in candidates:
        if column.lower() in LABEL_HINTS:
            return column
    for column in candidates:
        try:
            distinct = frame[column].nunique(dropna=True)
        except TypeError:  # a column of lists cannot be counted, nor sensibly coloured by
            continue
        if 2 <= distinct <= 60:
            return column
    return None


def plain_markdown(text: str, max_chars: int = 220) -> str:
    """User text made safe for ``st.markdown``: no markup, links, images or LaTeX."""
    flat = " ".join(str(text).split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def safe(text: object) -> str:
    """Any message that carries user data (names, columns, file names), safe for markdown."""
    return plain_markdown(str(text), max_chars=2000)


def neighbor_list(
    neighbors: Sequence[Neighbor],
    texts: Sequence[str],
    labels: pd.Series | None = None,
) -> None:
    """A compact neighbour list for a narrow column: score, text, label."""
    for neighbor in neighbors:
        line = f"`{neighbor.score:.2f}` {plain_markdown(texts[neighbor.row])}"
        if labels is not None:
            line += f" · *{plain_markdown(str(labels.iloc[neighbor.row]), 60)}*"
        st.markdown(line)


def neighbor_table(
    neighbors: Sequence[Neighbor],
    frame: pd.DataFrame,
    text_column: str,
    *,
    metric: str,
    label_column: str | None = None,
    key: str | None = None,
) -> None:
    """Show neighbours best first: rank, score, text (and a label column when chosen)."""
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
    similarity = higher_is_closer(checked)
    score_title = {"cosine": "cosine", "dot": "dot product", "euclidean": "distance"}[checked]
    score_column = (
        st.column_config.ProgressColumn(score_title, min_value=0.0, max_value=1.0, format="%.3f")
        if checked == "cosine"
        else st.column_config.NumberColumn(score_title, format="%.3f")
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "score": score_column,
            "text": st.column_config.TextColumn("text", width="large"),
            "rank": st.column_config.NumberColumn("#", width="small"),
            "row": st.column_config.NumberColumn("row", width="small"),
        },
    )
    if not similarity:
        st.caption("Smaller distance is nearer.")
