"""Tags as a column of a table: each row's tags as a list of names, read from a file's own
``tags`` column, added to the table, and used as a colour, a filter and a search.

Everything here works on ``list[list[str]]`` (one list of tag names per row), as
:meth:`~embedding_space.store.tags.Tags.tags_of_rows` gives it, so the app, the exports and
the command line share one reading of a tags column.

A table that already has a column named ``tags`` (say one exported earlier, or an upload with
a column of its own by that name) is read in as the dataset's first tags when it holds names
(lists of text, or text with names separated by ``;``); in :func:`with_tags` the table's own
column is kept as ``tags_original`` beside ours, so nothing of the upload is lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.export.files import TAG_SEPARATOR
from embedding_space.io.columns import is_missing

__all__ = [
    "SEVERAL",
    "TAGS_COLUMN",
    "TAG_SEPARATOR",
    "UNTAGGED",
    "read_tags_column",
    "rows_with_tags",
    "search_tags",
    "tag_colors",
    "with_tags",
]

TAGS_COLUMN = "tags"
"""The name of the column of tags."""
SEVERAL = "(several)"
"""The colour category of a row with more than one tag (not a possible tag name)."""
UNTAGGED = "(untagged)"
"""The colour category of a row without tags (not a possible tag name)."""


def _names_in(value: object) -> list[str] | None:
    """One cell's tag names, or ``None`` when the cell cannot be a list of tags."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, (list, tuple, np.ndarray)):
        names: list[str] = []
        for item in list(value):
            if not isinstance(item, str):
                return None
            if item.strip():
                names.append(item.strip())
        return names
    if is_missing(value):
        return []
    return None


def read_tags_column(values: Iterable[Any]) -> list[list[str]]:
    """Each row's tags from a column: a list of texts per row (Parquet's ``list<string>``),
    or a text with the names separated by ``;`` (as CSV holds them); an empty cell has none.

    Returns:
        One list of distinct tag names per row, in the order they appear.

    Raises:
        InputError: A cell is neither (a number, say): the column holds something else.
    """
    rows: list[list[str]] = []
    for position, value in enumerate(values):
        names = _names_in(value)
        if names is None:
            raise InputError(
                f"The column '{TAGS_COLUMN}' holds {type(value).__name__} values (row "
                f"{position}), not tag names; rename it or give lists of texts."
            )
        rows.append(list(dict.fromkeys(names)))
    return rows


def with_tags(table: pd.DataFrame, tags_of_rows: Sequence[Sequence[str]]) -> pd.DataFrame:
    """A copy of the table with a ``tags`` column: each row's list of tag names.

    The table's own ``tags`` column, if any, is kept as ``tags_original`` (or
    ``tags_original2`` ... when that name is taken too).

    Raises:
        InputError: ``tags_of_rows`` has another number of rows than the table.
    """
    if len(tags_of_rows) != len(table):
        raise InputError(
            f"There are tags for {len(tags_of_rows):,} rows but the table has {len(table):,}."
        )
    out = table.reset_index(drop=True)
    if TAGS_COLUMN in out.columns:
        new, suffix = f"{TAGS_COLUMN}_original", 1
        while new in out.columns:
            suffix += 1
            new = f"{TAGS_COLUMN}_original{suffix}"
        out = out.rename(columns={TAGS_COLUMN: new})
    else:
        out = out.copy()
    cells = np.empty(len(out), dtype=object)
    for row, names in enumerate(tags_of_rows):
        cells[row] = list(names)
    out[TAGS_COLUMN] = cells
    return out


def tag_colors(tags_of_rows: Sequence[Sequence[str]]) -> list[str]:
    """A categorical colour per row: its tag when it has one, :data:`SEVERAL` when it has
    more, :data:`UNTAGGED` when none."""
    return [
        names[0] if len(names) == 1 else SEVERAL if names else UNTAGGED for names in tags_of_rows
    ]


def rows_with_tags(tags_of_rows: Sequence[Sequence[str]], names: Iterable[str]) -> list[int]:
    """The rows having any of ``names`` (ascending); none for no names."""
    wanted = set(names)
    return [row for row, tags in enumerate(tags_of_rows) if wanted.intersection(tags)]


def search_tags(tags_of_rows: Sequence[Sequence[str]], text: str) -> list[int]:
    """The rows with a tag whose name contains ``text``, case-insensitively (ascending);
    none for a blank text."""
    needle = text.strip().casefold()
    if not needle:
        return []
    return [
        row
        for row, tags in enumerate(tags_of_rows)
        if any(needle in name.casefold() for name in tags)
    ]
