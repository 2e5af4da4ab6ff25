"""Two groups of rows for the drift test: by batch, by a column's values, by a date."""

from __future__ import annotations

import pandas as pd
import pytest

from embedding_space.analysis.drift_groups import (
    date_periods,
    groups_by_date,
    groups_by_values,
    value_periods,
    with_earlier,
)
from embedding_space.errors import InputError

FRAME = pd.DataFrame(
    {
        "text": [f"t{index}" for index in range(8)],
        "batch": ["batch 1"] * 3 + ["march"] * 3 + ["april"] * 2,
        "label": ["a", "b", "a", None, "b", "c", "a", "c"],
        "published": [
            "2024-01-05",
            "2024-02-01",
            None,
            "2024-03-01",
            "2024-03-02",
            "bad",
            "2024-04-01",
            "2024-04-02",
        ],
    }
)


def test_a_batch_is_compared_with_every_batch_added_before_it() -> None:
    earlier, chosen = with_earlier(FRAME["batch"], "april")
    assert (earlier, chosen) == (["batch 1", "march"], ["april"])
    groups = groups_by_values(FRAME, "batch", earlier, chosen)
    assert groups.reference.tolist() == [0, 1, 2, 3, 4, 5]
    assert groups.batch.tolist() == [6, 7]
    assert (groups.reference_name, groups.batch_name) == ("batch 1, march", "april")


def test_the_first_batch_has_nothing_before_it() -> None:
    with pytest.raises(InputError, match="came first"):
        with_earlier(FRAME["batch"], "batch 1")


def test_rows_without_a_value_join_neither_group() -> None:
    groups = groups_by_values(FRAME, "label", ["a", "b"], ["c"])
    assert groups.reference.tolist() == [0, 1, 2, 4, 6]
    assert groups.batch.tolist() == [5, 7]


def test_a_value_in_both_groups_and_a_group_too_small_are_refused() -> None:
    with pytest.raises(InputError, match="'a' is in both groups"):
        groups_by_values(FRAME, "label", ["a"], ["a", "c"])
    with pytest.raises(InputError, match="'zzz' has 0 rows"):
        groups_by_values(FRAME, "label", ["a"], ["zzz"])
    with pytest.raises(InputError, match="no column 'nope'"):
        groups_by_values(FRAME, "nope", ["a"], ["b"])


def test_a_date_splits_the_dated_rows_and_leaves_out_the_undated() -> None:
    dates = pd.to_datetime(FRAME["published"], errors="coerce")
    groups = groups_by_date(dates, pd.Timestamp("2024-03-01"), "published")
    assert groups.reference.tolist() == [0, 1]
    assert groups.batch.tolist() == [3, 4, 6, 7]
    assert (groups.reference_name, groups.batch_name) == ("before 2024-03-01", "from 2024-03-01")
    with pytest.raises(InputError, match="'before 2024-01-01' has 0 rows"):
        groups_by_date(dates, pd.Timestamp("2024-01-01"), "published")


def test_batches_are_periods_in_the_order_they_were_added() -> None:
    periods = value_periods(FRAME["batch"])
    assert periods.names == ("batch 1", "march", "april")
    assert periods.rows_of("march").tolist() == [3, 4, 5]
    assert periods.labels().tolist() == FRAME["batch"].tolist()


def test_dates_are_cut_into_months_and_undated_rows_into_none() -> None:
    periods = date_periods(pd.to_datetime(FRAME["published"], errors="coerce"))
    assert periods.names == ("2024-01", "2024-02", "2024-03", "2024-04")
    assert periods.codes.tolist() == [0, 1, -1, 2, 2, -1, 3, 3]
    assert periods.labels().isna().tolist() == [code == -1 for code in periods.codes]


def test_a_long_span_is_cut_into_quarters_then_years() -> None:
    months = pd.Series(pd.date_range("2020-01-01", periods=48, freq="MS"))
    assert date_periods(months).names[:2] == ("2020Q1", "2020Q2")
    assert len(date_periods(months).names) == 16
    decades = pd.Series(pd.date_range("1980-01-01", periods=40, freq="YS"))
    assert date_periods(decades).names[0] == "1980" and len(date_periods(decades).names) == 40
