"""What the small charts beside the map show: counts per bin, never one mark per row.

Each chosen column gets one :class:`ChartBins`: a histogram's bins for numbers, the
commonest categories plus "other" for categories, periods (day, week, month or year) for
dates. Every bar carries three counts: all rows, the rows that pass the *other* columns'
filters (as in crossfilter and Embedding Atlas, a chart's own filter does not hide its own
bars; it marks them as :attr:`ChartBins.chosen`), and the map's selection among those. Each
row is put in its bar once, so every count is one ``bincount``: O(rows), vectorised.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.analysis.filters import (
    CategoryFilter,
    DateFilter,
    Filter,
    RangeFilter,
    filter_mask,
)
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.analysis.table_columns import ColumnKind, FilterTable
from embedding_space.errors import InputError

__all__ = [
    "MAX_BARS",
    "OTHER",
    "PERIODS",
    "ChartBins",
    "Period",
    "Selection",
    "auto_period",
    "chart_aggregates",
    "chart_bins",
]

Selection = Sequence[int] | npt.NDArray[np.integer[Any]] | npt.NDArray[np.bool_]
"""The map's selection: row numbers, or a mask with one value per row."""
Period = Literal["day", "week", "month", "year"]
PERIODS: tuple[Period, ...] = get_args(Period)
"""The steps of a time chart and of its range slider, finest first."""
OTHER = "other"
"""The bar of every category outside the commonest."""
MAX_BARS = 400
"""The most bars a chart may have (a period too fine for a column's span is refused)."""
_AUTO_BARS = 100
"""A time chart's period is the finest that gives at most this many bars."""
_NS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True, eq=False)
class ChartBins:
    """The bars of one column's chart.

    Attributes:
        column: The column.
        kind: ``"numeric"``, ``"categorical"`` or ``"datetime"``.
        labels: Each bar's name: a category, ``"10 – 20"``, ``"2024-03"``.
        total: All rows in each bar, shape ``(bars,)`` (a row of a column of lists, such
            as tags, in the bar of each of its items).
        filtered: The rows in each bar that pass every filter on the other columns.
        selected: The map's selection among :attr:`filtered`; ``None`` with no selection.
        chosen: Whether the column's own filter takes each bar (all true with none).
        active: Whether the column has a filter of its own.
        edges: A histogram's bin edges, ``bars + 1`` numbers (bar ``i`` is
            ``edges[i]`` to ``edges[i + 1]``); ``()`` for other kinds.
        times: A time chart's period starts, then the last period's end: ``bars + 1``
            naive datetimes, the positions of its range slider; ``()`` for other kinds.
        period: A time chart's period.
        other: Whether the last bar is :data:`OTHER`.
        missing: Rows in no bar (no number, no date); categories count empty cells as
            ``"(missing)"`` instead.
        date_format: A date column's format as the upload showed it.
    """

    column: str
    kind: ColumnKind
    labels: tuple[str, ...]
    total: npt.NDArray[np.int64]
    filtered: npt.NDArray[np.int64]
    selected: npt.NDArray[np.int64] | None
    chosen: npt.NDArray[np.bool_]
    active: bool = False
    edges: tuple[float, ...] = ()
    times: tuple[datetime, ...] = ()
    period: Period | None = None
    other: bool = False
    missing: int = 0
    date_format: str | None = None

    def filter_for(self, bars: Sequence[int]) -> Filter:
        """The filter that keeps the rows of some bars (those brushed or clicked): the span
        from the first to the last for numbers and dates, the very bars for categories.

        Raises:
            InputError: No bar, or a bar this chart does not have.
        """
        chosen = sorted({int(bar) for bar in bars})
        if not chosen or chosen[0] < 0 or chosen[-1] >= len(self.labels):
            raise InputError(f"Pick bars 0 to {len(self.labels) - 1} of {self.column!r}.")
        first, last = chosen[0], chosen[-1]
        if self.kind == "numeric":
            high = self.edges[last + 1]
            if last + 1 < len(self.labels):  # a row on an inner edge is in the bar above it
                high = float(np.nextafter(high, -np.inf))
            return RangeFilter(self.column, self.edges[first], high)
        if self.kind == "datetime":
            return DateFilter(self.column, self.times[first], self.times[last + 1])
        other = self.other and last == len(self.labels) - 1
        names = tuple(self.labels[bar] for bar in chosen if not (other and bar == last))
        return CategoryFilter(self.column, names, other)


def auto_period(start: np.datetime64, end: np.datetime64) -> Period:
    """The finest period that spans ``start`` to ``end`` in at most 100 bars."""
    for period in PERIODS:
        first, last = _units(np.array([start, end], dtype="datetime64[ns]"), period)
        if last - first + 1 <= _AUTO_BARS:
            return period
    return "year"


def chart_aggregates(
    table: FilterTable,
    columns: Sequence[str],
    filters: Sequence[Filter] = (),
    selection: Selection | None = None,
    *,
    bins: int | None = None,
    periods: Mapping[str, Period] | None = None,
) -> dict[str, ChartBins]:
    """Every chosen column's bars, each filter's rows found once for all of them.

    Args:
        table: The table.
        columns: The columns to chart (not of kind ``"text"``).
        filters: The filters in force (AND).
        selection: The map's selection: row numbers, or a mask of shape ``(n,)``.
        bins: A histogram's bins; the setting ``filter_bins`` when ``None``.
        periods: A time chart's period by column; chosen from the span when not given.

    Returns:
        Column -> its bars, in the order of ``columns``.

    Raises:
        InputError: A column is missing or holds text, a filter does not fit its column,
            ``bins`` is out of bounds, or a period gives more than :data:`MAX_BARS` bars.
    """
    masks = [(one.column, filter_mask(table, one)) for one in filters]
    picked = _selection_mask(len(table), selection)
    chosen_periods = dict(periods or {})
    found: dict[str, ChartBins] = {}
    for column in columns:
        others = np.ones(len(table), dtype=bool)
        for name, mask in masks:
            if name != column:
                others &= mask
        own = [one for one in filters if one.column == column]
        found[column] = _bins_of(
            table, column, others, picked, own, bins, chosen_periods.get(column)
        )
    return found


def chart_bins(
    table: FilterTable,
    column: str,
    filters: Sequence[Filter] = (),
    selection: Selection | None = None,
    *,
    bins: int | None = None,
    period: Period | None = None,
) -> ChartBins:
    """One column's bars (see :func:`chart_aggregates`)."""
    periods = {column: period} if period is not None else None
    return chart_aggregates(table, [column], filters, selection, bins=bins, periods=periods)[column]


def _selection_mask(rows: int, selection: Selection | None) -> npt.NDArray[np.bool_] | None:
    if selection is None:
        return None
    given = np.asarray(selection)
    if given.dtype == bool:
        if given.shape != (rows,):
            raise InputError(f"A selection mask needs {rows} values, not {given.size}.")
        return given
    mask = np.zeros(rows, dtype=bool)
    ids = given.astype(np.int64, copy=False)
    mask[ids[(ids >= 0) & (ids < rows)]] = True
    return mask


def _bins_of(
    table: FilterTable,
    column: str,
    others: npt.NDArray[np.bool_],
    picked: npt.NDArray[np.bool_] | None,
    own: list[Filter],
    bins: int | None,
    period: Period | None,
) -> ChartBins:
    kind = table.kind(column)
    if kind == "text":
        raise InputError(f"Column {column!r} holds text; no small chart can show it.")
    if kind == "numeric":
        draft = _numeric(table.numbers(column), bins)
    elif kind == "datetime":
        draft = _dated(table.times(column), period)
    else:
        draft = _categorical(table, column)
    place, bars = draft.place, len(draft.labels)
    placed = place >= 0

    def count(mask: npt.NDArray[np.bool_] | None) -> npt.NDArray[np.int64]:
        if mask is None:
            keep = placed
        else:
            keep = placed & (mask if draft.rows is None else mask[draft.rows])
        return np.bincount(place[keep], minlength=bars).astype(np.int64)

    selected = None if picked is None else count(others & picked)
    chosen = np.ones(bars, dtype=bool)
    for one in own:
        chosen &= _takes(draft, one)
    return ChartBins(
        column=column,
        kind=kind,
        labels=draft.labels,
        total=count(None),
        filtered=count(others),
        selected=selected,
        chosen=chosen,
        active=bool(own),
        edges=draft.edges,
        times=draft.times,
        period=draft.period,
        other=draft.other,
        missing=int(np.count_nonzero(~placed)),
        date_format=table.date_formats.get(column),
    )


@dataclass(frozen=True, eq=False)
class _Draft:
    place: npt.NDArray[np.intp]
    """Each row's bar; -1 for none. In a column of lists, each item's bar."""
    labels: tuple[str, ...]
    rows: npt.NDArray[np.intp] | None = None
    """A column of lists: the row of each item of :attr:`place`."""
    edges: tuple[float, ...] = ()
    times: tuple[datetime, ...] = ()
    period: Period | None = None
    other: bool = False


def _numeric(values: npt.NDArray[np.float64], bins: int | None) -> _Draft:
    wanted = default_of("filter_bins", int) if bins is None else bins
    SETTINGS["filter_bins"].check(wanted, "bins")
    present = values[~np.isnan(values)]
    if present.size == 0:
        return _Draft(np.full(values.shape, -1, dtype=np.intp), ())
    low, high = float(present.min()), float(present.max())
    whole = bool(np.all(present == np.round(present)))
    if whole and high - low + 1 <= wanted:
        edges = np.arange(low - 0.5, high + 1.0, 1.0)  # one bar per whole number
    elif low == high:
        edges = np.array([low - 0.5, high + 0.5])
    else:
        edges = _round_edges(low, high, wanted)
    place = np.searchsorted(edges, values, side="right") - 1
    place = np.where(values == edges[-1], len(edges) - 2, place)  # the top edge is in
    place = np.where(np.isnan(values), -1, place).astype(np.intp)
    labels = tuple(_span(float(a), float(b), whole) for a, b in itertools.pairwise(edges))
    return _Draft(place, edges=tuple(float(edge) for edge in edges), labels=labels)


def _round_edges(low: float, high: float, bins: int) -> npt.NDArray[np.float64]:
    """At most ``bins`` (plus one) equal bins whose width is 1, 2, 2.5 or 5 times a power of
    ten, starting on a multiple of it: edges that read as "10 – 20", not "9.87 – 19.73"."""
    rough = (high - low) / bins
    power = 10.0 ** np.floor(np.log10(rough))
    width = next(step * power for step in (1.0, 2.0, 2.5, 5.0, 10.0) if step * power >= rough)
    first, last = np.floor(low / width), np.ceil(high / width)
    if last == first:
        last += 1
    edges: npt.NDArray[np.float64] = np.round(np.arange(first, last + 1) * width, 12)
    return edges


def _span(low: float, high: float, whole: bool) -> str:
    if whole and high - low == 1.0:
        return f"{low + 0.5:g}"
    return f"{low:.4g} – {high:.4g}"


def _units(times: npt.NDArray[np.datetime64], period: Period) -> tuple[int, int]:
    """The first and last period's number (days, Monday-weeks, months or years since 1970)."""
    numbers = _unit_numbers(times[~np.isnat(times)], period)
    return int(numbers.min()), int(numbers.max())


def _unit_numbers(times: npt.NDArray[np.datetime64], period: Period) -> npt.NDArray[np.int64]:
    if period == "month":
        return times.astype("datetime64[M]").astype(np.int64)
    if period == "year":
        return times.astype("datetime64[Y]").astype(np.int64)
    days = times.astype("datetime64[D]").astype(np.int64)
    # 1970-01-01 was a Thursday: weeks start on the Monday before it, three days earlier
    return days if period == "day" else (days + 3) // 7


def _unit_start(number: int, period: Period) -> datetime:
    if period == "month":
        start = np.datetime64(number, "M")
    elif period == "year":
        start = np.datetime64(number, "Y")
    elif period == "week":
        start = np.datetime64(number * 7 - 3, "D")
    else:
        start = np.datetime64(number, "D")
    stamp: datetime = pd.Timestamp(start).to_pydatetime()
    return stamp


def _dated(times: npt.NDArray[np.datetime64], period: Period | None) -> _Draft:
    present = ~np.isnat(times)
    if not present.any():
        return _Draft(np.full(times.shape, -1, dtype=np.intp), (), period=period or "day")
    chosen = period or auto_period(times[present].min(), times[present].max())
    if chosen not in PERIODS:
        raise InputError(f"period must be one of {', '.join(PERIODS)}, not {chosen!r}.")
    first, last = _units(times, chosen)
    bars = last - first + 1
    if bars > MAX_BARS:
        raise InputError(
            f"By {chosen}, the dates span {bars:,} bars; at most {MAX_BARS} fit. "
            "Pick a longer period."
        )
    place = np.full(times.shape, -1, dtype=np.intp)
    place[present] = _unit_numbers(times[present], chosen) - first
    starts = tuple(_unit_start(number, chosen) for number in range(first, last + 2))
    shown = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[chosen]
    labels = tuple(start.strftime(shown) for start in starts[:-1])
    if chosen == "week":
        labels = tuple(f"week of {label}" for label in labels)
    return _Draft(place, labels, times=starts, period=chosen)


def _categorical(table: FilterTable, column: str) -> _Draft:
    found = table.categories(column)
    bar_of = np.full(len(found.names), len(found.top), dtype=np.intp)
    bar_of[list(found.top)] = np.arange(len(found.top))
    other = len(found.names) > len(found.top)
    labels = tuple(found.names[code] for code in found.top) + ((OTHER,) if other else ())
    rows = found.rows if len(found.rows) != len(table) else None  # else one value a row
    return _Draft(bar_of[found.codes], labels, rows=rows, other=other)


def _takes(draft: _Draft, one: Filter) -> npt.NDArray[np.bool_]:
    """Which bars a column's own filter takes (a bar it overlaps at all)."""
    bars = len(draft.labels)
    if isinstance(one, RangeFilter) and draft.edges:
        edges = np.asarray(draft.edges)
        low = -np.inf if one.low is None else one.low
        high = np.inf if one.high is None else one.high
        return np.asarray((edges[1:] > low) & (edges[:-1] <= high))
    if isinstance(one, DateFilter) and draft.times:
        starts = np.array(draft.times, dtype="datetime64[ns]")
        taken = np.ones(bars, dtype=bool)
        if one.start is not None:
            taken &= starts[1:] > np.datetime64(one.start, "ns")
        if one.end is not None:
            taken &= starts[:-1] < np.datetime64(one.end, "ns")
        return taken
    if isinstance(one, CategoryFilter) and not draft.edges and not draft.times:
        names = set(one.values)
        named = [label in names for label in draft.labels]
        if draft.other:
            named[-1] = one.other
        return np.array(named, dtype=bool)
    return np.ones(bars, dtype=bool)
