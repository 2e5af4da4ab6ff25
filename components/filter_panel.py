"""The filters beside the map: a strip of small charts, one per chosen column, that filter the
map by a brush (numbers, dates) or a click (categories).

Every chart is drawn from counts (:func:`~embedding_space.analysis.aggregates.chart_aggregates`),
never one mark per row, so a table of 100k rows draws a few hundred bars. The filters live in
the session's view (:data:`components.state.FILTERS`), so a link and a saved view carry them;
the map draws only the rows that pass them all (:func:`embedding_space.views.marks.shown_rows`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import safe
from embedding_space.analysis.aggregates import PERIODS, ChartBins, Period, chart_aggregates
from embedding_space.analysis.filters import (
    CategoryFilter,
    DateFilter,
    Filter,
    FilterCount,
    apply_filters,
    count_rows,
    filter_text,
    is_midnight,
)
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.errors import InputError
from embedding_space.figures.colors import category_palette
from embedding_space.figures.filter_charts import filter_chart

__all__ = [
    "DEFAULT_CHARTS",
    "PLAY_SECONDS",
    "filter_count",
    "filter_panel",
    "filter_toggle",
    "filtered_selection",
    "passing_mask",
    "player",
]

DEFAULT_CHARTS = 4
"""Charts shown before the user picks columns."""
PLAY_SECONDS = 1.2
"""How long a playing date range rests on each period."""
_CHART_HEIGHT = 130
_CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}


def filters_of(dataset_id: str) -> tuple[Filter, ...]:
    """The filters the session holds for a dataset."""
    return tuple(state.of_dataset(state.FILTERS, dataset_id, ()))  # type: ignore[arg-type]


def _set_filters(dataset_id: str, filters: Sequence[Filter]) -> None:
    state.put_for_dataset(state.FILTERS, dataset_id, tuple(filters) or None)


def _with_filter(dataset_id: str, column: str, one: Filter | None) -> None:
    """Replace the filter on ``column`` (``None`` removes it)."""
    kept = [other for other in filters_of(dataset_id) if other.column != column]
    _set_filters(dataset_id, [*kept, one] if one is not None else kept)


def passing_mask(dataset_id: str) -> npt.NDArray[np.bool_] | None:
    """The rows passing the session's filters on a dataset; ``None`` without filters (or
    with filters this table cannot take: a link made for another version of it)."""
    filters = filters_of(dataset_id)
    if not filters:
        return None
    try:
        return apply_filters(cached.filter_table(dataset_id), filters)
    except InputError:
        return None


def filter_count(dataset_id: str) -> FilterCount | None:
    """ "N of M rows" when the dataset is filtered, else ``None``."""
    mask = passing_mask(dataset_id)
    return None if mask is None else count_rows(mask)


def filtered_selection(dataset_id: str, rows: int) -> list[int]:
    """ "The selection" as the pages that take one (Similarity, the exports) read it: the
    map's selected rows that pass the filters; with no selection, every row that passes
    (the filtered map is then what the user has picked); with no filter, the selection."""
    selected = state.selection(dataset_id, rows)
    mask = passing_mask(dataset_id)
    if mask is None:
        return selected
    if not selected:
        return np.flatnonzero(mask).tolist()
    return [row for row in selected if mask[row]]


def filter_toggle(where: Any, dataset_id: str) -> None:
    """The toolbar's "Filters" toggle; it names how many filters are on."""
    count = len(filters_of(dataset_id))
    if state.value(state.FILTERS_SHOWN) is None:
        state.put(state.FILTERS_SHOWN, count > 0)  # a link with filters opens the charts
    where.toggle(f"Filters ({count})" if count else "Filters", **state.bind(state.FILTERS_SHOWN))


def _default_columns(table: FilterTable, dataset_id: str) -> list[str]:
    """Dates first, then label-like columns, then numbers: at most :data:`DEFAULT_CHARTS`."""
    labels = set(cached.label_columns(dataset_id))
    ranked = sorted(
        table.chartable(),
        key=lambda column: {"datetime": 0, "categorical": 1 if column in labels else 3}.get(
            table.kind(column), 2
        ),
    )
    return ranked[:DEFAULT_CHARTS]


def _chosen_columns(table: FilterTable, dataset_id: str) -> list[str]:
    chartable = table.chartable()
    chosen = state.of_dataset(state.FILTER_COLUMNS, dataset_id)
    if not isinstance(chosen, list):
        chosen = _default_columns(table, dataset_id)
    # A filtered column is always charted: its chart is where the filter is seen and undone.
    filtered = [one.column for one in filters_of(dataset_id) if one.column in chartable]
    return [c for c in chosen if c in chartable] + [c for c in filtered if c not in chosen]


def _period_key(dataset_id: str, column: str) -> str:
    return state.widget_key("filter-period", dataset_id, column)


def _play_key(dataset_id: str) -> str:
    return state.widget_key("filter-play", dataset_id)


def filter_panel(current: OpenDataset, selected: Sequence[int]) -> None:
    """The strip of charts above the map, its column picker, chips and counts.

    Args:
        current: The open dataset.
        selected: The map's selection, drawn in every chart as a second series.
    """
    dataset_id = current.info.id
    table = cached.filter_table(dataset_id)
    chartable = table.chartable()
    if not chartable:
        st.caption("This table has no column of numbers, categories or dates to filter by.")
        return
    columns = _chosen_columns(table, dataset_id)
    filters = [one for one in filters_of(dataset_id) if one.column in chartable]
    periods = {
        column: cast(Period, period)
        for column in columns
        if isinstance(period := state.value(_period_key(dataset_id, column)), str)
    }
    try:
        charts = chart_aggregates(table, columns, filters, list(selected) or None, periods=periods)
    except InputError as error:  # a period too fine for the column's span: the automatic one
        st.caption(safe(error))
        charts = chart_aggregates(table, columns, filters, list(selected) or None)
    _header(dataset_id, table, chartable, columns, filters)
    if not columns:
        return
    colors = _map_palette(current)
    strip = st.columns(max(len(columns), 3), gap="small")
    for where, column in zip(strip, columns, strict=False):
        with where:
            _chart(dataset_id, charts[column], colors.get(column))


def _header(
    dataset_id: str,
    table: FilterTable,
    chartable: list[str],
    columns: list[str],
    filters: list[Filter],
) -> None:
    """The column picker, one chip per filter, "Clear all" and "N of M rows"."""
    pick, chips = st.columns([2, 5], gap="small", vertical_alignment="center")
    key = state.widget_key("filter-columns", dataset_id)
    state.put(key, columns)  # the charts shown, a filtered column's included
    pick.multiselect(
        "Charts",
        chartable,
        placeholder="Columns to chart",
        label_visibility="collapsed",
        key=key,
        format_func=lambda column: f"{column} ({_KIND_WORDS[table.kind(column)]})",
        on_change=_pick_columns,
        args=(dataset_id, key),
    )
    with chips:
        row = st.container(horizontal=True, vertical_alignment="center", gap="small")
        if filters:
            count = count_rows(apply_filters(table, filters))
            row.markdown(f"**{count.text}**")
            for number, one in enumerate(filters):
                if row.button(
                    safe(_short(filter_text(one))),
                    icon=":material/close:",
                    key=state.widget_key("filter-chip", dataset_id, number),
                    help="Remove this filter",
                ):
                    _with_filter(dataset_id, one.column, None)
                    st.rerun()
            if row.button("Clear all filters", key=state.widget_key("filter-clear", dataset_id)):
                _set_filters(dataset_id, ())
                state.put(_play_key(dataset_id), None)
                st.rerun()
        else:
            row.caption(
                "Brush a range on a chart, or click a bar, to show only those rows on the map; "
                "filters on several columns combine."
            )


def _short(text: str, chars: int = 44) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _pick_columns(dataset_id: str, key: str) -> None:
    state.put_for_dataset(state.FILTER_COLUMNS, dataset_id, list(state.value(key) or []))


_KIND_WORDS = {"numeric": "numbers", "categorical": "categories", "datetime": "dates"}


def _map_palette(current: OpenDataset) -> dict[str, dict[str, str]]:
    """The colours of the column the map is coloured by, so its bars match the points."""
    column = state.color_column(current.frame.columns)
    return {column: category_palette(current.frame[column])} if column else {}


def _chart_key(dataset_id: str, column: str) -> str:
    """A chart's key changes with its column's filter: a brush that set the filter is then
    not reported again, and a filter undone by a chip leaves no stale brush behind."""
    own = [filter_text(one) for one in filters_of(dataset_id) if one.column == column]
    return state.widget_key("filter-chart", dataset_id, column, abs(hash(tuple(own))))


def _bars_of(points: Sequence[Any]) -> list[int]:
    """The bar indices a selection event lists (each bar's ``customdata`` starts with it)."""
    bars = set()
    for point in points:
        custom = point.get("customdata") if hasattr(point, "get") else None
        if isinstance(custom, dict):
            custom = custom.get("0")
        if isinstance(custom, list | tuple) and custom:
            custom = custom[0]
        if custom is not None:
            bars.add(int(custom))
    return sorted(bars)


def _chart(dataset_id: str, bins: ChartBins, colors: dict[str, str] | None) -> None:
    dated = bins.kind == "datetime" and len(bins.times) > 2
    if dated:
        head, step, play = st.columns([2, 1.7, 0.8], gap="small", vertical_alignment="center")
    else:
        head, step, play = st.container(), None, None
    head.markdown(f"**{safe(bins.column)}**", help=_chart_help(bins))
    if step is not None and play is not None:
        _date_controls(dataset_id, bins, step, play)
    key = _chart_key(dataset_id, bins.column)
    figure = filter_chart(bins, colors=colors, height=_CHART_HEIGHT)
    if bins.kind == "categorical":
        # Plotly reports a click only outside select mode: categories are picked by clicks
        # (each click adds its bar, or takes it out again), numbers and dates brushed.
        figure.update_layout(dragmode=False)
    event = st.plotly_chart(
        figure,
        width="stretch",
        config=_CHART_CONFIG,
        key=key,
        on_select="rerun",
        selection_mode=("box", "points"),
    )
    selection = event.selection if event is not None else None
    bars = _bars_of(selection.get("points", [])) if selection else []
    if bars:
        _with_filter(dataset_id, bins.column, _toggled(dataset_id, bins, bins.filter_for(bars)))
        st.rerun()
    if dated:
        _date_range(dataset_id, bins)


def _toggled(dataset_id: str, bins: ChartBins, clicked: Filter) -> Filter | None:
    """A click on category bars adds them to the column's filter, or takes them out of it;
    a brush over numbers or dates replaces the range."""
    own = [one for one in filters_of(dataset_id) if one.column == bins.column]
    if not own or not isinstance(own[0], CategoryFilter) or not isinstance(clicked, CategoryFilter):
        return clicked
    values = set(own[0].values) ^ set(clicked.values)
    other = own[0].other ^ clicked.other
    if not values and not other:
        return None
    ordered = tuple(label for label in bins.labels if label in values)
    ordered += tuple(sorted(values - set(ordered)))  # a link's categories beyond the bars
    return CategoryFilter(bins.column, ordered, other)


def _chart_help(bins: ChartBins) -> str:
    parts = []
    if bins.date_format:
        parts.append(f"Dates read as {bins.date_format}.")
    if bins.missing:
        parts.append(f"{bins.missing:,} rows have no value here.")
    parts.append(
        "Pale bars: all rows; solid: the rows passing the other columns' filters; "
        "dark and narrow: the map's selection. "
        + (
            "Click bars to filter by them; click again to take one out."
            if bins.kind == "categorical"
            else "Drag across bars to filter by their range."
        )
    )
    return " ".join(parts)


def _moment(when: datetime) -> str:
    return when.date().isoformat() if is_midnight(when) else when.isoformat(sep=" ")[:16]


def _window(dataset_id: str, bins: ChartBins) -> tuple[datetime, datetime]:
    """The column's date filter as period boundaries; the whole span without one."""
    times = list(bins.times)
    own = [one for one in filters_of(dataset_id) if one.column == bins.column]
    start, end = times[0], times[-1]
    if own and isinstance(own[0], DateFilter):
        start = _snap(times, own[0].start, times[0])
        end = _snap(times, own[0].end, times[-1])
        if end <= start:
            end = times[min(times.index(start) + 1, len(times) - 1)]
    return start, end


def _date_range(dataset_id: str, bins: ChartBins) -> None:
    """A range slider over the chart's periods."""
    column, times = bins.column, list(bins.times)
    start, end = _window(dataset_id, bins)
    chosen = st.select_slider(
        "Date range",
        options=times,
        value=(start, end),
        format_func=_moment,
        label_visibility="collapsed",
        key=state.widget_key("filter-dates", dataset_id, column, start, end),
        disabled=state.value(_play_key(dataset_id)) == column,
    )
    low, high = chosen
    if (low, high) != (start, end) and low < high:
        whole = low == times[0] and high == times[-1]
        _with_filter(dataset_id, column, None if whole else DateFilter(column, low, high))
        st.rerun()


def _date_controls(dataset_id: str, bins: ChartBins, step: Any, play: Any) -> None:
    """The period the chart and its slider step by, and Play/Stop."""
    column, times = bins.column, list(bins.times)
    period = step.selectbox(
        "Step",
        PERIODS,
        index=PERIODS.index(bins.period or "month"),
        format_func=lambda option: f"by {option}",
        label_visibility="collapsed",
        key=state.widget_key("filter-step", dataset_id, column),
    )
    if period != bins.period:
        state.put(_period_key(dataset_id, column), period)
        st.rerun()
    if state.value(_play_key(dataset_id)) == column:
        if play.button(":material/stop:", help="Stop", key=f"filter-stop-{column}"):
            state.put(_play_key(dataset_id), None)
            st.rerun()
    elif play.button(
        ":material/play_arrow:",
        help="Play: move the range one period at a time",
        key=f"filter-play-{column}",
    ):
        start, end = _window(dataset_id, bins)
        first, width = times.index(start), max(times.index(end) - times.index(start), 1)
        if width >= len(times) - 1 or first + width >= len(times) - 1:
            first, width = 0, min(width, 1) if width >= len(times) - 1 else width
        state.put(_play_key(dataset_id), column)
        state.put(state.widget_key("filter-play-at", dataset_id), time.monotonic())
        _with_filter(dataset_id, column, DateFilter(column, times[first], times[first + width]))
        st.rerun()


def _snap(times: list[datetime], when: datetime | None, fallback: datetime) -> datetime:
    """The period boundary at or before ``when`` (a filter from a link may fall between)."""
    if when is None:
        return fallback
    earlier = [moment for moment in times if moment <= when]
    return earlier[-1] if earlier else times[0]


def player(current: OpenDataset) -> None:
    """While a date range plays, move it one period every :data:`PLAY_SECONDS` (the whole
    page reruns, so the map follows); it stops at the last period or on Stop."""
    dataset_id = current.info.id
    column = state.value(_play_key(dataset_id))
    if not isinstance(column, str):
        return

    @st.fragment(run_every=PLAY_SECONDS)
    def tick() -> None:
        at_key = state.widget_key("filter-play-at", dataset_id)
        if time.monotonic() - float(state.value(at_key) or 0.0) < PLAY_SECONDS * 0.9:
            return  # the page has just been drawn for this step
        if not _step(current, column):
            state.put(_play_key(dataset_id), None)
        state.put(at_key, time.monotonic())
        st.rerun(scope="app")

    tick()


def _step(current: OpenDataset, column: str) -> bool:
    """Move the column's date window one period on; ``False`` when it is at the end."""
    dataset_id = current.info.id
    table = cached.filter_table(dataset_id)
    period = state.value(_period_key(dataset_id, column))
    periods = {column: cast(Period, period)} if isinstance(period, str) else None
    try:
        bins = chart_aggregates(table, [column], periods=periods)[column]
    except InputError:
        return False
    times = list(bins.times)
    own = [one for one in filters_of(dataset_id) if one.column == column]
    if not own or not isinstance(own[0], DateFilter):
        return False
    start = times.index(_snap(times, own[0].start, times[0]))
    end = times.index(_snap(times, own[0].end, times[-1]))
    width = max(end - start, 1)
    if start + width + 1 > len(times) - 1:
        return False
    _with_filter(dataset_id, column, DateFilter(column, times[start + 1], times[start + 1 + width]))
    return True
