"""The filter charts draw one bar per bin, never one mark per row; a bar's customdata maps a
brush back to its range; categories keep the map's colours; user text stays text."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.aggregates import chart_aggregates, chart_bins
from embedding_space.analysis.filters import CategoryFilter, RangeFilter
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.figures.colors import GREY, category_palette
from embedding_space.figures.filter_charts import (
    CHART_HEIGHT,
    FILTERED_COLOR,
    SELECTED_COLOR,
    filter_chart,
)

ROWS = 100_000


@pytest.fixture(scope="module")
def big() -> tuple[pd.DataFrame, FilterTable]:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "score": rng.normal(size=ROWS),
            "topic": rng.choice([f"topic {i}" for i in range(40)], ROWS),
            "day": np.asarray(
                pd.date_range("2020-01-01", periods=ROWS, freq="30min").strftime("%Y-%m-%d")
            ),
        }
    )
    return frame, FilterTable(frame)


@pytest.fixture(scope="module")
def table(big: tuple[pd.DataFrame, FilterTable]) -> FilterTable:
    return big[1]


def test_a_hundred_thousand_rows_draw_a_few_hundred_bars_at_most(table: FilterTable) -> None:
    charts = chart_aggregates(
        table,
        ["score", "topic", "day"],
        [RangeFilter("score", -1, 1)],
        selection=np.arange(0, ROWS, 2),
    )

    for bins in charts.values():
        figure = filter_chart(bins)
        marks = sum(len(trace.x) for trace in figure.data)
        assert [trace.name for trace in figure.data] == ["all rows", "filtered", "selection"]
        assert marks == 3 * len(bins.labels) <= 300


def test_each_bar_carries_its_range_so_a_brush_maps_back(table: FilterTable) -> None:
    bins = chart_bins(table, "score")

    figure = filter_chart(bins)

    custom = figure.data[1].customdata
    index, low, high = custom[4][:3]
    assert (index, low, high) == (4, bins.edges[4], bins.edges[5])
    assert figure.layout.dragmode == "select"
    assert figure.layout.height == CHART_HEIGHT
    assert list(figure.data[0].y) == bins.total.tolist()
    assert list(figure.data[1].y) == bins.filtered.tolist()


def test_a_time_chart_gives_each_period_its_start_and_end(table: FilterTable) -> None:
    bins = chart_bins(table, "day")

    figure = filter_chart(bins)

    assert bins.period == "month"
    assert figure.layout.xaxis.type == "date"
    assert list(figure.data[0].customdata[0][1:3]) == ["2020-01-01T00:00:00", "2020-02-01T00:00:00"]
    assert datetime.fromisoformat(figure.data[0].x[1]) == datetime(2020, 2, 1)


def test_categories_take_the_map_colours_and_fade_outside_their_own_filter(
    big: tuple[pd.DataFrame, FilterTable],
) -> None:
    frame, table = big
    palette = category_palette(frame["topic"])
    second = chart_bins(table, "topic").labels[1]
    bins = chart_bins(table, "topic", [CategoryFilter("topic", (second,))])

    figure = filter_chart(bins, colors=palette)

    colors = list(figure.data[1].marker.color)
    chosen = 1
    assert colors[chosen] == palette[second]
    assert {color for i, color in enumerate(colors) if i != chosen} == {GREY}
    assert figure.data[1].orientation == "h"
    assert figure.layout.height > CHART_HEIGHT  # thirteen bars need more than 140 px


def test_the_selection_is_a_second_series_only_when_there_is_one() -> None:
    table = FilterTable(pd.DataFrame({"n": [1, 2, 2, 3]}))

    without = filter_chart(chart_bins(table, "n"))
    with_selection = filter_chart(chart_bins(table, "n", selection=[1, 2]))

    assert [trace.name for trace in without.data] == ["all rows", "filtered"]
    assert with_selection.data[2].marker.color == SELECTED_COLOR
    assert list(with_selection.data[2].y) == [0, 2, 0]
    assert without.data[1].marker.color[0] == FILTERED_COLOR


def test_a_category_of_markup_is_shown_as_text() -> None:
    table = FilterTable(pd.DataFrame({"c": ["<b>bold</b>", "%{x}", "<b>bold</b>"]}))

    figure = filter_chart(chart_bins(table, "c"))

    assert list(figure.layout.yaxis.ticktext) == ["&lt;b&gt;bold&lt;/b&gt;", "%&#123;x&#125;"]
    assert figure.data[0].customdata[0][4] == "&lt;b&gt;bold&lt;/b&gt;"
