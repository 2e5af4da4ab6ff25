"""Tables of texts: one helper so every table that lists texts shows them the same readable way.

``st.dataframe`` draws a canvas grid that cuts a cell at its column's edge, and gives every
column the same width, so a text got ~15–40 characters beside a row number as wide as itself.
:func:`text_table` gives the text columns the width, the numbers and short labels a narrow one,
and rows tall enough that Streamlit wraps a text onto three lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components.markdown import display_frame

WRAPPED_ROW_HEIGHT = 68
"""Streamlit's grid wraps a cell's text only in rows taller than 4 rem (64 px); 68 px holds
three lines of its 14 px type."""
LONG_TEXT_CHARS = 40
"""A column of strings any of which is longer than this is a column of texts."""
_HEADER = 38
# (text, short string, number) column widths in px; the columns grow to fill a wider space.
# Two texts side by side (a row and its nearest) get 300 each, so both fit beside four numbers
# at 1280×800. Narrow: a side panel or a half-page column, about 350 px at 1280×800, where a
# 420 px text column would push the rest out of sight.
_WIDE = (420, 180, 70)
_NARROW = (160, 90, 48)
_TWO_TEXTS = 300
TEXT_HELP = "Texts wrap onto three lines; double-click a cell to read all of it."


def text_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` that hold texts (strings past :data:`LONG_TEXT_CHARS`)."""
    found = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            lengths = column.dropna().astype(str).str.len()
            if len(lengths) and int(lengths.max()) > LONG_TEXT_CHARS:
                found.append(str(name))
    return found


def text_table(
    frame: pd.DataFrame,
    *,
    where: DeltaGenerator | None = None,
    narrow: bool = False,
    rows_shown: int = 6,
    column_config: Mapping[str, Any] | None = None,
    **options: Any,
) -> Any:
    """Show ``frame`` (through :func:`~components.markdown.display_frame`) with its texts
    readable: text columns wide and wrapped, the rest narrow; returns what ``st.dataframe``
    returns (the selection event when ``on_select`` is given).

    Args:
        frame: The rows; its index is not shown.
        where: The container to draw in; the page when ``None``.
        narrow: Widths for a side panel rather than the page's width.
        rows_shown: How many rows fit before the table scrolls.
        column_config: Settings that replace the defaults for these columns (a score bar).
        options: More ``st.dataframe`` arguments (``key``, ``on_select`` ...).
    """
    shown = display_frame(frame)
    texts = set(text_columns(shown))
    text_width, short_width, number_width = _NARROW if narrow else _WIDE
    if len(texts) > 1 and not narrow:
        text_width = _TWO_TEXTS
    config: dict[str, Any] = {}
    for name in map(str, shown.columns):
        if name in texts:
            config[name] = st.column_config.TextColumn(name, width=text_width, help=TEXT_HELP)
        elif pd.api.types.is_numeric_dtype(shown[name]):
            config[name] = st.column_config.Column(name, width=number_width)
        else:
            config[name] = st.column_config.Column(name, width=short_width)
    config.update(column_config or {})
    row_height = WRAPPED_ROW_HEIGHT if texts else None
    height = _HEADER + min(len(shown), rows_shown) * (row_height or 35) + 2
    return (where or st).dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height,
        row_height=row_height,
        column_config=config,
        **options,
    )
