"""What each column of a table holds, decided once and kept ready for filters and charts.

:class:`FilterTable` reads every column of a table once: numbers as floats, dates and times
parsed (:mod:`~embedding_space.io.dates`), categories (one per row, or several: a column of
lists of names such as tags) coded, and anything else (the text, free text, vectors) marked
``"text"``: no small chart can show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.columns import MAX_LABELS
from embedding_space.io.dates import detect_date_column

__all__ = [
    "CATEGORY_BARS",
    "COLUMN_KINDS",
    "MISSING",
    "CategoryCodes",
    "ColumnKind",
    "FilterTable",
]

ColumnKind = Literal["numeric", "categorical", "datetime", "text"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("numeric", "categorical", "datetime", "text")
"""What a column holds: numbers (a histogram), categories (bars of the commonest), dates or
times (a time histogram), or text and anything else no small chart can show."""
CATEGORY_BARS = 12
"""A category chart's bars by name; the rarer categories share one bar, "other"."""
MISSING = "(missing)"
"""The category of an empty cell (as the map's legend names it)."""
_MAX_MEAN_CATEGORY_CHARS = 60
_LIST_SAMPLE = 200


@dataclass(frozen=True, eq=False)
class CategoryCodes:
    """A column's categories, coded once for counting and testing."""

    codes: npt.NDArray[np.intp]
    """Each value's category, an index into ``names``: one value per row, or, in a column
    of lists (tags), one per item of every row's list (an empty list is :data:`MISSING`)."""
    rows: npt.NDArray[np.intp]
    """The row of each value, shape as :attr:`codes`."""
    names: tuple[str, ...]
    top: tuple[int, ...]
    """The :data:`CATEGORY_BARS` commonest categories' codes, commonest first."""

    def rows_with(self, wanted: npt.NDArray[np.bool_], rows: int) -> npt.NDArray[np.bool_]:
        """The rows holding a category that ``wanted`` (by code) marks, shape ``(rows,)``."""
        mask = np.zeros(rows, dtype=bool)
        mask[self.rows[wanted[self.codes]]] = True
        return mask


class FilterTable:
    """A table's columns ready to be filtered and charted; what each holds decided once.

    Args:
        frame: The table (index ``0..n-1``).
        text_column: Its column of text: never charted.

    Attributes:
        frame: The table.
        kinds: Every column's :data:`ColumnKind`, in the table's order.
        date_formats: Each date column's format as shown ("DD.MM.YYYY").
    """

    def __init__(self, frame: pd.DataFrame, text_column: str | None = None) -> None:
        self.frame = frame
        self.kinds: dict[str, ColumnKind] = {}
        self.date_formats: dict[str, str] = {}
        self._numbers: dict[str, npt.NDArray[np.float64]] = {}
        self._times: dict[str, npt.NDArray[np.datetime64]] = {}
        self._categories: dict[str, CategoryCodes] = {}
        for position, label in enumerate(frame.columns):
            name = str(label)
            series = frame.iloc[:, position]
            self.kinds[name] = "text" if name == text_column else self._read(name, series)

    def __len__(self) -> int:
        return len(self.frame)

    def chartable(self) -> list[str]:
        """The columns a small chart can show, in the table's order."""
        return [name for name, kind in self.kinds.items() if kind != "text"]

    def kind(self, column: str) -> ColumnKind:
        """What ``column`` holds.

        Raises:
            InputError: No such column.
        """
        if column not in self.kinds:
            raise InputError(
                f"The table has no column {column!r}. Pick one of: {', '.join(self.kinds)}."
            )
        return self.kinds[column]

    def numbers(self, column: str) -> npt.NDArray[np.float64]:
        """A numeric column as floats, shape ``(n,)``; NaN where empty."""
        return self._numbers[column]

    def times(self, column: str) -> npt.NDArray[np.datetime64]:
        """A date column as ``datetime64[ns]``, shape ``(n,)``; NaT where empty."""
        return self._times[column]

    def categories(self, column: str) -> CategoryCodes:
        """A column's categories: every row's code, the names, the commonest codes."""
        if column not in self._categories:
            self._categories[column] = _categories_of(self.frame[column])
        return self._categories[column]

    def _read(self, name: str, series: pd.Series[Any]) -> ColumnKind:
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "categorical"
        dates = detect_date_column(series, name)
        if dates is not None:
            self._times[name] = dates.values.to_numpy(dtype="datetime64[ns]")
            self.date_formats[name] = dates.format
            return "datetime"
        if pd.api.types.is_numeric_dtype(dtype):
            numbers = pd.to_numeric(series, errors="coerce").to_numpy(
                dtype=np.float64, na_value=np.nan
            )
            self._numbers[name] = np.where(np.isfinite(numbers), numbers, np.nan)
            return "numeric"
        return "categorical" if _looks_categorical(series) else "text"


def _holds_lists_of_text(series: pd.Series[Any]) -> bool:
    """Whether a column holds lists of names (tags, several per row), not vectors."""
    cells = series.dropna().iloc[:_LIST_SAMPLE].tolist()
    return bool(cells) and all(
        isinstance(cell, (list, tuple, np.ndarray))
        and all(isinstance(item, str) for item in list(cell))
        for cell in cells
    )


def _looks_categorical(series: pd.Series[Any]) -> bool:
    """Few values, or values that repeat and are short: a chart of the commonest reads."""
    present = series.dropna()
    try:
        distinct = int(present.nunique())
    except TypeError:  # lists: tags are categories, anything else (vectors) is not
        return _holds_lists_of_text(series)
    if distinct == 0:
        return False
    if distinct <= MAX_LABELS:
        return True
    mean_chars = float(present.astype(str).str.len().mean())
    return 2 * distinct <= len(present) and mean_chars <= _MAX_MEAN_CATEGORY_CHARS


def _categories_of(series: pd.Series[Any]) -> CategoryCodes:
    series = series.reset_index(drop=True)
    rows = np.arange(len(series), dtype=np.intp)
    if series.map(lambda cell: isinstance(cell, (list, tuple, np.ndarray))).any():
        items = series.map(lambda cell: list(cell) if hasattr(cell, "__len__") else cell)
        series = items.explode()  # an empty list becomes one empty cell
        rows = np.asarray(series.index, dtype=np.intp)
    text = series.astype("string")
    blank = text.isna() | (text.str.strip() == "")
    names_per_row = text.where(~blank, MISSING).astype(object)
    codes, uniques = pd.factorize(names_per_row, sort=False)
    names = tuple(str(name) for name in uniques)
    counts = np.bincount(codes, minlength=len(names))
    # commonest first; ties by name, so the bars (and "other") do not depend on row order
    order = sorted(range(len(names)), key=lambda code: (-int(counts[code]), names[code]))
    return CategoryCodes(codes.astype(np.intp), rows, names, tuple(order[:CATEGORY_BARS]))
