"""Filters keep exactly the rows pandas keeps with the same predicates; the charts count all
rows, the rows passing the other columns' filters, and the selection, from bins."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.aggregates import OTHER, auto_period, chart_aggregates, chart_bins
from embedding_space.analysis.filters import (
    CategoryFilter,
    DateFilter,
    Filter,
    RangeFilter,
    apply_filters,
    count_rows,
    filter_text,
    usable_filters,
)
from embedding_space.analysis.table_columns import CATEGORY_BARS, MISSING, FilterTable
from embedding_space.errors import InputError

ROWS = 100_000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    price = rng.gamma(2.0, 10.0, ROWS)
    price[rng.random(ROWS) < 0.02] = np.nan
    shops = np.array([f"shop {i}" for i in range(30)])
    weights = np.r_[np.full(10, 0.08), np.full(20, 0.01)]
    published = pd.date_range("2021-01-01", periods=ROWS, freq="17min")
    return pd.DataFrame(
        {
            "text": [f"review {i}" for i in range(ROWS)],
            "price": price,
            "stars": rng.integers(1, 6, ROWS),
            "shop": rng.choice(shops, ROWS, p=weights),
            "published": np.asarray(published.strftime("%d.%m.%Y %H:%M")),
        }
    )


@pytest.fixture(scope="module")
def table(frame: pd.DataFrame) -> FilterTable:
    return FilterTable(frame, "text")


def test_each_column_kind_is_decided_once_from_its_values(table: FilterTable) -> None:
    assert table.kinds == {
        "text": "text",
        "price": "numeric",
        "stars": "numeric",
        "shop": "categorical",
        "published": "datetime",
    }
    assert table.date_formats == {"published": "DD.MM.YYYY HH:MM"}
    assert table.chartable() == ["price", "stars", "shop", "published"]


def test_combined_filters_keep_the_rows_pandas_keeps(
    frame: pd.DataFrame, table: FilterTable
) -> None:
    filters: list[Filter] = [
        RangeFilter("price", 10, 50),
        CategoryFilter("shop", ("shop 1", "shop 3")),
        DateFilter("published", datetime(2021, 3, 1), datetime(2022, 1, 1)),
    ]
    when = pd.to_datetime(frame["published"], format="%d.%m.%Y %H:%M")
    expected = (
        frame["price"].between(10, 50)
        & frame["shop"].isin(["shop 1", "shop 3"])
        & (when >= pd.Timestamp(2021, 3, 1))
        & (when < pd.Timestamp(2022, 1, 1))
    )

    mask = apply_filters(table, filters)

    assert np.array_equal(mask, expected.to_numpy())
    assert count_rows(mask).passing == int(expected.sum()) > 0
    assert count_rows(mask).text == f"{int(expected.sum()):,} of 100,000 rows"


def test_an_open_range_and_no_filter_at_all(frame: pd.DataFrame, table: FilterTable) -> None:
    assert apply_filters(table, []).all()
    cheap = apply_filters(table, [RangeFilter("price", None, 5)])
    assert np.array_equal(cheap, (frame["price"] <= 5).to_numpy())


def test_other_keeps_every_row_outside_the_commonest_categories(
    frame: pd.DataFrame, table: FilterTable
) -> None:
    common = frame["shop"].value_counts().index[:CATEGORY_BARS]

    mask = apply_filters(table, [CategoryFilter("shop", ("shop 0",), other=True)])

    expected = ~frame["shop"].isin(common) | (frame["shop"] == "shop 0")
    assert np.array_equal(mask, expected.to_numpy())


def test_empty_cells_are_the_missing_category_and_pass_no_range(table: FilterTable) -> None:
    small = FilterTable(pd.DataFrame({"size": [1.0, None, 3.0], "colour": ["red", None, " "]}))

    assert apply_filters(small, [RangeFilter("size", 0, 5)]).tolist() == [True, False, True]
    missing = CategoryFilter("colour", (MISSING,))
    assert apply_filters(small, [missing]).tolist() == [False, True, True]


def test_a_filter_that_does_not_fit_its_column_is_refused_or_left_out(
    table: FilterTable,
) -> None:
    with pytest.raises(InputError, match="holds categories, not numbers"):
        apply_filters(table, [RangeFilter("shop", 1, 2)])
    with pytest.raises(InputError, match="no column 'gone'"):
        apply_filters(table, [CategoryFilter("gone", ("a",))])
    kept, reasons = usable_filters(
        table, [RangeFilter("price", 1, 2), DateFilter("stars", datetime(2020, 1, 1))]
    )
    assert kept == (RangeFilter("price", 1, 2),)
    assert reasons == ("Column 'stars' holds numbers, not dates.",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: RangeFilter("p", 5, 1), "from low to high"),
        (lambda: RangeFilter("p", float("nan"), 1), "finite"),
        (lambda: RangeFilter("p"), "a low or a high end"),
        (lambda: CategoryFilter("c", ()), "names no category"),
        (lambda: CategoryFilter("c", tuple(str(i) for i in range(51))), "at most 50"),
        (lambda: CategoryFilter("c", ("x" * 201,)), "1 to 200 characters"),
        (lambda: DateFilter("d", datetime(2024, 2, 1), datetime(2024, 1, 1)), "early to late"),
    ],
)
def test_a_filter_out_of_bounds_is_refused(make: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make()  # type: ignore[operator]


def test_a_chart_counts_every_row_once_and_the_others_filters_not_its_own(
    frame: pd.DataFrame, table: FilterTable
) -> None:
    filters: list[Filter] = [RangeFilter("price", 10, 50), CategoryFilter("shop", ("shop 2",))]
    selection = np.arange(0, ROWS, 3)

    charts = chart_aggregates(table, ["price", "shop"], filters, selection)

    price, shop = charts["price"], charts["shop"]
    assert price.total.sum() + price.missing == ROWS
    in_shop = frame["shop"] == "shop 2"
    assert price.filtered.sum() == int((in_shop & frame["price"].notna()).sum())
    in_range = frame["price"].between(10, 50)
    assert shop.filtered[shop.labels.index("shop 2")] == int((in_range & in_shop).sum())
    assert shop.filtered.sum() == int(in_range.sum())
    picked = np.zeros(ROWS, dtype=bool)
    picked[selection] = True
    assert shop.selected is not None
    assert shop.selected.sum() == int((in_range & picked).sum())
    assert shop.chosen.tolist() == [label == "shop 2" for label in shop.labels]
    assert price.active and not chart_bins(table, "stars").active


def test_categories_are_the_commonest_then_other(frame: pd.DataFrame, table: FilterTable) -> None:
    bins = chart_bins(table, "shop")

    counts = frame["shop"].value_counts()
    assert len(bins.labels) == CATEGORY_BARS + 1 and bins.labels[-1] == OTHER
    assert bins.total[:-1].tolist() == counts.iloc[:CATEGORY_BARS].tolist()
    assert bins.total[-1] == counts.iloc[CATEGORY_BARS:].sum()
    assert bins.filter_for([0, CATEGORY_BARS]) == CategoryFilter("shop", (bins.labels[0],), True)


def test_a_brush_over_bins_keeps_the_rows_of_those_bins(
    frame: pd.DataFrame, table: FilterTable
) -> None:
    bins = chart_bins(table, "price")

    brushed = bins.filter_for([2, 3, 4])

    kept = apply_filters(table, [brushed])
    assert count_rows(kept).passing == int(bins.total[2:5].sum())
    assert bins.labels[2] == "20 – 30"


def test_whole_numbers_get_one_bar_each(table: FilterTable) -> None:
    bins = chart_bins(table, "stars")

    assert bins.labels == ("1", "2", "3", "4", "5")
    assert bins.filter_for([3]) == RangeFilter("stars", 3.5, float(np.nextafter(4.5, 0)))


def test_dates_bin_by_a_period_chosen_from_their_span(
    frame: pd.DataFrame, table: FilterTable
) -> None:
    bins = chart_bins(table, "published")

    when = pd.to_datetime(frame["published"], format="%d.%m.%Y %H:%M")
    months = when.dt.to_period("M").value_counts().sort_index()
    assert bins.period == "month"
    assert bins.labels[0] == "2021-01" and len(bins.labels) == len(months)
    assert bins.total.tolist() == months.tolist()
    assert bins.times[0] == datetime(2021, 1, 1) and len(bins.times) == len(bins.labels) + 1
    march = bins.filter_for([2])
    assert march == DateFilter("published", datetime(2021, 3, 1), datetime(2021, 4, 1))


def test_weeks_start_on_monday_and_a_too_fine_period_is_refused(table: FilterTable) -> None:
    weeks = chart_bins(table, "published", period="week")

    assert weeks.times[0] == datetime(2020, 12, 28)  # the Monday before 1 January 2021
    assert all(start.weekday() == 0 for start in weeks.times)
    with pytest.raises(InputError, match="Pick a longer period"):
        chart_bins(table, "published", period="day")
    assert auto_period(np.datetime64("2024-01-01"), np.datetime64("2024-02-15")) == "day"
    assert auto_period(np.datetime64("2000-01-01"), np.datetime64("2024-02-15")) == "year"


def test_a_table_of_one_row_charts_without_fuss() -> None:
    one = FilterTable(pd.DataFrame({"n": [4.2], "c": ["x"], "d": ["2024-03-01"]}))

    charts = chart_aggregates(one, ["n", "c", "d"])

    assert [chart.total.tolist() for chart in charts.values()] == [[1], [1], [1]]
    assert charts["d"].period == "day"


def test_a_column_of_tag_lists_is_categories_and_vectors_are_not() -> None:
    frame = pd.DataFrame(
        {
            "tags": [["urgent", "refund"], [], ["refund"], None, ("urgent",)],
            "vector": [[0.1, 0.2]] * 5,
        }
    )
    table = FilterTable(frame)

    refund = apply_filters(table, [CategoryFilter("tags", ("refund",))])
    untagged = apply_filters(table, [CategoryFilter("tags", (MISSING,))])
    bins = chart_bins(table, "tags", selection=[0])

    assert table.kinds == {"tags": "categorical", "vector": "text"}
    assert refund.tolist() == [True, False, True, False, False]
    assert untagged.tolist() == [False, True, False, True, False]
    assert dict(zip(bins.labels, bins.total.tolist(), strict=True)) == {
        MISSING: 2,
        "refund": 2,
        "urgent": 2,
    }
    assert bins.selected is not None and bins.selected.sum() == 2  # row 0 has two tags


@pytest.mark.parametrize(
    ("one", "text"),
    [
        (RangeFilter("price", 10, 50), "price 10 – 50"),
        (RangeFilter("price", None, 5), "price ≤ 5"),
        (CategoryFilter("shop", ("a", "<b>"), other=True), "shop: a, <b>, other"),
        (CategoryFilter("n", tuple("abcdefg")), "n: a, b, c, d, e and 2 more"),
        (
            DateFilter("published", datetime(2024, 1, 1), datetime(2024, 4, 1)),
            "published 2024-01-01 – 2024-03-31",
        ),
        (DateFilter("at", None, datetime(2024, 4, 1, 12, 30)), "at to before 2024-04-01 12:30"),
        (DateFilter("at", datetime(2024, 4, 1)), "at from 2024-04-01"),
    ],
)
def test_a_filter_says_itself_in_a_few_words(one: Filter, text: str) -> None:
    assert filter_text(one) == text
