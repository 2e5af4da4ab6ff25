"""User text made safe for the screen: no markup, links, images, LaTeX or direction tricks.

``st.markdown`` (and every title, caption and message, which are markdown too) gets text
through :func:`plain_markdown` or :func:`safe`; tables through :func:`display_frame`.
"""

from __future__ import annotations

import re

import pandas as pd

from embedding_space.text import unlinked, without_direction_controls

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$=:&])")
"""Every character markdown gives a meaning, ``&`` included: :func:`~embedding_space.text.unlinked`
has already decoded the character references, and an escaped ``&`` cannot start a new one
that the renderer would decode after the link guards ran."""


def plain_markdown(text: object, max_chars: int = 220) -> str:
    """Text shown as it is, on one line, cut to ``max_chars`` with an ellipsis."""
    flat = " ".join(str(text).split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    return escaped(flat)


def escaped(text: str) -> str:
    """Text escaped for markdown as it is: white space and length kept (a piece of a longer
    line, such as a caption's plain run)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked(text))


def safe(text: object) -> str:
    """Any message that carries user data (names, columns, file names), safe for markdown."""
    return plain_markdown(str(text), max_chars=2000)


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.dataframe``: text cells and column names without
    direction controls, and columns that mix kinds of values (``12`` beside ``"B7"`` in one
    spreadsheet column) shown as text, which Arrow, under ``st.dataframe``, cannot type.
    Tables show no markup or links of their own."""
    shown = frame.copy()
    shown.columns = pd.Index([without_direction_controls(str(name)) for name in frame.columns])
    for position in range(shown.shape[1]):
        column = shown.iloc[:, position]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            shown.isetitem(position, column.map(_display_cell).astype("string"))
    return shown


def _display_cell(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value):
        return pd.NA
    return without_direction_controls(str(value))
