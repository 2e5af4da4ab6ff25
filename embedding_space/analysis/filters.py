"""Filters over a table's other columns: typed values, and the rows that pass them all.

A filter is a frozen value (:class:`RangeFilter` for numbers, :class:`CategoryFilter` for
categories, :class:`DateFilter` for dates and times), so a view, a link and a saved view hold
it as they hold any other setting. Over a
:class:`~embedding_space.analysis.table_columns.FilterTable` (each column read once),
:func:`apply_filters` gives the rows that pass every filter (AND), in one vectorised pass over
the rows per filter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.table_columns import ColumnKind, FilterTable
from embedding_space.errors import InputError, plural

__all__ = [
    "MAX_FILTERS",
    "MAX_FILTER_VALUES",
    "MAX_FILTER_VALUE_CHARS",
    "CategoryFilter",
    "DateFilter",
    "Filter",
    "FilterCount",
    "RangeFilter",
    "apply_filters",
    "count_rows",
    "filter_mask",
    "filter_text",
    "is_midnight",
    "usable_filters",
]

MAX_FILTERS = 8
"""Filters one view may hold (one per column)."""
MAX_FILTER_VALUES = 50
"""Categories one category filter may name."""
MAX_FILTER_VALUE_CHARS = 200
"""The longest category (or column name) a filter may name."""


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


def filter_text(one: Filter) -> str:
    """A filter in a few words, plain text (escape it before it becomes markup):
    ``price 10 – 50``, ``price ≤ 5``, ``shop: a, b, other``, ``published 2024-01-01 –
    2024-03-31`` (a date range is shown by its last day; the filter ends before the next).
    """
    if isinstance(one, RangeFilter):
        if one.low is None:
            return f"{one.column} ≤ {one.high:.6g}"
        if one.high is None:
            return f"{one.column} ≥ {one.low:.6g}"
        return f"{one.column} {one.low:.6g} – {one.high:.6g}"
    if isinstance(one, DateFilter):
        start = "" if one.start is None else _moment(one.start)
        if one.end is None:
            return f"{one.column} from {start}"
        last = _moment(one.end - timedelta(days=1)) if is_midnight(one.end) else ""
        last = last or f"before {_moment(one.end)}"
        return f"{one.column} {start} – {last}" if start else f"{one.column} to {last}"
    names = [*one.values, "other"] if one.other else list(one.values)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{one.column}: {shown}"


def is_midnight(when: datetime) -> bool:
    """Whether a moment is the start of its day (written as a date alone)."""
    return when == datetime(when.year, when.month, when.day)


def _moment(when: datetime) -> str:
    if is_midnight(when):
        return when.date().isoformat()
    return when.isoformat(sep=" ", timespec="minutes")


@dataclass(frozen=True)
class FilterCount:
    """How many rows pass: ``passing`` of ``total``."""

    passing: int
    total: int

    @property
    def text(self) -> str:
        """``"1,204 of 100,000 rows"``."""
        return f"{self.passing:,} of {plural(self.total, 'row')}"


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
