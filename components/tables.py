"""Tables of texts: one helper so every table that lists texts shows them the same readable way.

``st.dataframe`` draws a canvas grid that cuts a cell at its column's edge, and gives every
column the same width, so a text got ~15–40 characters beside a row number as wide as itself.
:func:`text_table` gives the text columns the width, the numbers and short labels a narrow one,
and rows tall enough that Streamlit wraps a text onto three lines. For a dataset of images,
given the rows' ids (:class:`RowImages`), it shows each row's thumbnail first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached
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
_TWO_TEXTS_AND_IMAGES = 240
"""Two texts each beside its image (an outlier and its nearest): both still fit beside their
two images and four numbers at 1280×800."""
TEXT_HELP = "Texts wrap onto three lines; double-click a cell to read all of it."
IMAGE = "Image"
"""The title of the column of thumbnails."""
IMAGE_ROW_HEIGHT = 76
"""Rows of a table with images: a thumbnail (96 px at most) is drawn about 70 px high, large
enough to tell one from another; texts still wrap, onto three lines."""
IMAGE_COLUMN_WIDTH = 84
"""The width of a column of thumbnails, in px: a thumbnail drawn in a row of
:data:`IMAGE_ROW_HEIGHT`, with a margin."""
IMAGE_TABLE_ROWS = 1_000
"""The most rows a table of images lists: each row sends its thumbnail (~4 KB as a ``data:``
URI) with the table, ~4 MB for these, where a table of texts alone may list 20,000."""


@dataclass(frozen=True)
class RowImages:
    """Whose rows a table lists, so that :func:`text_table` shows their images.

    Attributes:
        dataset_id: The dataset the rows are of.
        rows: The row id of each of the table's rows, in order: their thumbnails fill the
            :data:`IMAGE` column, shown first.
        beside: The rows of more images, by the column of their texts (an outlier's nearest
            row, by ``"nearest text"``): each such column gets their thumbnails just before it.
    """

    dataset_id: str
    rows: Sequence[int]
    beside: Mapping[str, Sequence[int]] = field(default_factory=dict)


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
    images: RowImages | None = None,
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
        images: The rows' ids, for a thumbnail beside each (none for a dataset of texts
            alone, and no empty column).
        options: More ``st.dataframe`` arguments (``key``, ``on_select`` ...).
    """
    shown = display_frame(frame)
    texts = set(text_columns(shown))
    shown, image_config = _with_images(shown, images)
    text_width, short_width, number_width = _NARROW if narrow else _WIDE
    if len(texts) > 1 and not narrow:
        text_width = _TWO_TEXTS_AND_IMAGES if len(image_config) > 1 else _TWO_TEXTS
    config: dict[str, Any] = {}
    for name in map(str, shown.columns):
        if name in image_config:
            continue
        if name in texts:
            config[name] = st.column_config.TextColumn(name, width=text_width, help=TEXT_HELP)
        elif pd.api.types.is_numeric_dtype(shown[name]):
            config[name] = st.column_config.Column(name, width=number_width)
        else:
            config[name] = st.column_config.Column(name, width=short_width)
    config.update(column_config or {})
    config.update(image_config)
    row_height = IMAGE_ROW_HEIGHT if image_config else WRAPPED_ROW_HEIGHT if texts else None
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


def _with_images(
    shown: pd.DataFrame, images: RowImages | None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``shown`` with the thumbnails of ``images`` as columns, and their settings; ``shown``
    as it is, and no settings, for a dataset of texts alone."""
    every = None if images is None else cached.thumbnails(images.dataset_id)
    if images is None or every is None:
        return shown, {}
    taken = {str(name) for name in shown.columns}
    title = unused_name(IMAGE, taken)
    added = {title: [every[int(row)] for row in images.rows]}
    help_of = {title: "Each row's image."}
    order = [title]
    for name in map(str, shown.columns):
        if name in images.beside:
            beside = unused_name(f"{IMAGE} · {name}", taken)
            added[beside] = [every[int(row)] for row in images.beside[name]]
            help_of[beside] = f"The image of the row whose text is in “{name}”."
            order.append(beside)
        order.append(name)
    config = {
        # The first column reads "Image" (even beside a column of the rows named so); each
        # other one names the text it sits beside.
        column: st.column_config.ImageColumn(
            IMAGE if column == title else column, width=IMAGE_COLUMN_WIDTH, help=help_of[column]
        )
        for column in added
    }
    return shown.assign(**added)[order], config


def unused_name(name: str, taken: set[str]) -> str:
    """``name``, or with a mark after it while a column has that name; added to ``taken``."""
    while name in taken:
        name += " ·"
    taken.add(name)
    return name
