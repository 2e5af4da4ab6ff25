"""Filters over a table's other columns: typed values, and the rows that pass them all.

A filter is a frozen value (:class:`RangeFilter` for numbers, :class:`CategoryFilter` for
categories, :class:`DateFilter` for dates and times), so a view, a link and a saved view hold
it as they hold any other setting. :class:`FilterTable` decides once what each column holds
(:data:`ColumnKind`) and keeps it ready for vectorised tests: numbers as floats, dates
parsed (:mod:`~embedding_space.io.dates`), categories as codes. :func:`apply_filters` gives
the rows that pass every filter (AND), in one pass over the rows per filter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError, plural
from embedding_space.io.columns import MAX_LABELS
from embedding_space.io.dates import detect_date_column

__all__ = [
    "CATEGORY_BARS",
    "COLUMN_KINDS",
    "MAX_FILTERS",
    "MAX_FILTER_VALUES",
    "MAX_FILTER_VALUE_CHARS",
    "MISSING",
    "CategoryCodes",
    "CategoryFilter",
    "ColumnKind",
    "DateFilter",
    "Filter",
    "FilterCount",
    "FilterTable",
    "RangeFilter",
    "apply_filters",
    "count_rows",
    "filter_mask",
    "usable_filters",
]

ColumnKind = Literal["numeric", "categorical", "datetime", "text"]
COLUMN_KINDS: tuple[ColumnKind, ...] = ("numeric", "categorical", "datetime", "text")
"""What a column holds: numbers (a histogram), categories (bars of the commonest), dates or
times (a time histogram), or text and anything else no small chart can show."""
MAX_FILTERS = 8
"""Filters one view may hold (one per column)."""
MAX_FILTER_VALUES = 50
"""Categories one category filter may name."""
MAX_FILTER_VALUE_CHARS = 200
"""The longest category (or column name) a filter may name."""
CATEGORY_BARS = 12
"""A category chart's bars by name; the rarer categories share one bar, "other"."""
MISSING = "(missing)"
"""The category of an empty cell (as the map's legend names it)."""
_MAX_MEAN_CATEGORY_CHARS = 60
_LIST_SAMPLE = 200


def _check_name(text: str, what: str) -> None:
    if not text or len(text) > MAX_FILTER_VALUE_CHARS:
        raise InputError(f"A filter's {what} needs 1 to {MAX_FILTER_VALUE_CHARS} characters.")


@dataclass(frozen=True)
class RangeFilter:
    """Rows whose number lies from ``low`` to ``high``, both included; an end that is
    ``None`` is open. Empty cells never pass."""

    column: str
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        _check_name(self.column, "column")
        for name in ("low", "high"):  # numpy's numbers too: a link writes them as floats
            end = getattr(self, name)
            object.__setattr__(self, name, None if end is None else float(end))
        for end in (self.low, self.high):
            if end is not None and not math.isfinite(end):
                raise InputError(f"The range of {self.column!r} needs finite numbers.")
        if self.low is None and self.high is None:
            raise InputError(f"The range of {self.column!r} needs a low or a high end.")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InputError(f"The range of {self.column!r} must go from low to high.")


@dataclass(frozen=True)
class DateFilter:
    """Rows whose date or time is at or after ``start`` and before ``end`` (half open, as
    the periods of a time chart are); an end that is ``None`` is open. Naive datetimes, in
    UTC where the column gave a zone."""

    column: str
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        _check_name(self.column, "column")
        for when in (self.start, self.end):
            if when is not None and when.tzinfo is not None:
                raise InputError(f"The dates of {self.column!r} must be naive (UTC).")
        if self.start is None and self.end is None:
            raise InputError(f"The dates of {self.column!r} need a start or an end.")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise InputError(f"The dates of {self.column!r} must go from early to late.")


@dataclass(frozen=True)
class CategoryFilter:
    """Rows whose category is one of ``values`` (:data:`MISSING` for an empty cell); with
    ``other``, also every row outside the column's :data:`CATEGORY_BARS` commonest
    categories (the chart's "other" bar)."""

    column: str
    values: tuple[str, ...] = ()
    other: bool = False

    def __post_init__(self) -> None:
        _check_name(self.column, "column")
        values = tuple(dict.fromkeys(str(value) for value in self.values))
        if not values and not self.other:
            raise InputError(f"The filter on {self.column!r} names no category.")
        if len(values) > MAX_FILTER_VALUES:
            raise InputError(f"A filter names at most {MAX_FILTER_VALUES} categories.")
        for value in values:
            _check_name(value, "category")
        object.__setattr__(self, "values", values)


Filter = RangeFilter | DateFilter | CategoryFilter
"""Any one filter."""


@dataclass(frozen=True)
class FilterCount:
    """How many rows pass: ``passing`` of ``total``."""

    passing: int
    total: int

    @property
    def text(self) -> str:
        """``"1,204 of 100,000 rows"``."""
        return f"{self.passing:,} of {plural(self.total, 'row')}"


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


def filter_mask(table: FilterTable, one: Filter) -> npt.NDArray[np.bool_]:
    """The rows passing one filter, shape ``(n,)``.

    Raises:
        InputError: The filter's column is not in the table, or holds values of another
            kind (a range over categories, dates over numbers).
    """
    kind = table.kind(one.column)
    if isinstance(one, CategoryFilter):
        if kind == "text":
            raise InputError(f"Column {one.column!r} holds text, not categories to filter by.")
        found = table.categories(one.column)
        wanted = np.zeros(len(found.names), dtype=bool)
        codes = {name: code for code, name in enumerate(found.names)}
        for value in one.values:
            if value in codes:
                wanted[codes[value]] = True
        if one.other:
            outside = np.ones(len(found.names), dtype=bool)
            outside[list(found.top)] = False
            wanted |= outside
        return found.rows_with(wanted, len(table))
    if isinstance(one, RangeFilter):
        if kind != "numeric":
            raise InputError(f"Column {one.column!r} holds {_held(kind)}, not numbers.")
        values = table.numbers(one.column)
        with np.errstate(invalid="ignore"):
            mask = ~np.isnan(values)
            if one.low is not None:
                mask &= values >= one.low
            if one.high is not None:
                mask &= values <= one.high
        return mask
    if kind != "datetime":
        raise InputError(f"Column {one.column!r} holds {_held(kind)}, not dates.")
    times = table.times(one.column)
    mask = ~np.isnat(times)
    if one.start is not None:
        mask &= times >= np.datetime64(one.start, "ns")
    if one.end is not None:
        mask &= times < np.datetime64(one.end, "ns")
    return mask


def _held(kind: ColumnKind) -> str:
    return {"numeric": "numbers", "categorical": "categories", "datetime": "dates"}.get(
        kind, "text"
    )


def apply_filters(table: FilterTable, filters: Sequence[Filter]) -> npt.NDArray[np.bool_]:
    """The rows that pass every filter (AND), shape ``(n,)``; all rows when there is none.

    Raises:
        InputError: A filter's column is missing or of another kind (see
            :func:`filter_mask`).
    """
    mask = np.ones(len(table), dtype=bool)
    for one in filters:
        mask &= filter_mask(table, one)
    return mask


def count_rows(mask: npt.NDArray[np.bool_]) -> FilterCount:
    """How many rows a mask lets through, of how many: :attr:`FilterCount.text` says
    "N of M rows"."""
    return FilterCount(int(np.count_nonzero(mask)), int(mask.size))


def usable_filters(
    table: FilterTable, filters: Sequence[Filter]
) -> tuple[tuple[Filter, ...], tuple[str, ...]]:
    """The filters that apply to this table, and a sentence for each left out (a link made
    for another version of the table, a column since removed): for opening a link leniently.
    """
    kept: list[Filter] = []
    reasons: list[str] = []
    for one in filters:
        try:
            filter_mask(table, one)
        except InputError as error:
            reasons.append(str(error))
            continue
        kept.append(one)
    return tuple(kept), tuple(reasons)
