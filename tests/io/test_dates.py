"""Date columns are found by one explicit format that reads nearly every value, shown to the
user as that format; day and month are told apart by the data, and said so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.io.dates import date_columns, detect_date_column
from embedding_space.io.tables import describe, read_table

MARCH_FIRST = datetime(2024, 3, 1)


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (["2024-03-01", "2024-03-25", "2023-12-31"], "YYYY-MM-DD"),
        (["03/01/2024", "03/25/2024", "12/31/2023"], "MM/DD/YYYY"),
        (["01.03.2024", "25.03.2024", "31.12.2023"], "DD.MM.YYYY"),
        (["1 Mar 2024", "25 Mar 2024", "31 Dec 2023"], "D Mon YYYY"),
    ],
)
def test_each_format_reads_every_value_to_the_same_dates(values: list[str], shown: str) -> None:
    found = detect_date_column(pd.Series(values, name="published"))

    assert found is not None
    assert found.format == shown
    assert found.values.tolist() == [MARCH_FIRST, datetime(2024, 3, 25), datetime(2023, 12, 31)]
    assert found.parsed == 1.0


def test_iso_times_with_a_zone_are_read_as_utc_and_shown_as_iso_8601() -> None:
    values = ["2024-03-01T12:30:00Z", "2024-03-01T14:30:00+02:00", "2024-03-02 08:00"]

    found = detect_date_column(pd.Series(values, name="when"))

    assert found is not None
    assert found.format == "YYYY-MM-DDTHH:MM:SS (ISO 8601)"
    assert found.values.tolist() == [
        datetime(2024, 3, 1, 12, 30),
        datetime(2024, 3, 1, 12, 30),
        datetime(2024, 3, 2, 8, 0),
    ]


def test_a_day_above_twelve_decides_day_first_and_says_which_value_told() -> None:
    values = ["03/01/2024", "04/02/2024", "25/03/2024"]

    found = detect_date_column(pd.Series(values, name="day"))

    assert found is not None
    assert found.format == "DD/MM/YYYY"
    assert found.values.iloc[0] == pd.Timestamp(2024, 1, 3)
    assert found.note == "day first: a value above 12 in the first place (such as '25/03/2024')"
    assert found.summary.startswith("date column 'day' (format DD/MM/YYYY); day first")


def test_when_no_value_tells_day_from_month_the_separator_decides_and_it_is_said() -> None:
    slashes = detect_date_column(pd.Series(["03/01/2024", "04/02/2024"], name="d"))
    dots = detect_date_column(pd.Series(["03.01.2024", "04.02.2024"], name="d"))

    assert slashes is not None and dots is not None
    assert (slashes.format, dots.format) == ("MM/DD/YYYY", "DD.MM.YYYY")
    assert slashes.values.iloc[0] == pd.Timestamp(2024, 3, 1)
    assert dots.values.iloc[0] == pd.Timestamp(2024, 1, 3)
    assert "could be either; read month first" in slashes.note


def test_a_column_is_dates_with_a_few_bad_values_but_not_with_many() -> None:
    good = [f"2024-01-{day:02d}" for day in range(1, 29)] * 40
    one_bad = pd.Series([*good[:-1], "not a date"], name="d")
    bad_after_the_start = pd.Series(good[:1000] + ["n/a"] * 120, name="d")
    impossible = pd.Series(good[:1000] + ["2024-02-30"] * 120, name="d")

    found = detect_date_column(one_bad)

    assert found is not None and found.values.isna().sum() == 1
    assert detect_date_column(bad_after_the_start) is None
    assert detect_date_column(impossible) is None


@pytest.mark.parametrize(
    "values",
    [
        ["hello", "world", "2024"],
        ["2019", "2020", "2021"],
        ["1.5", "2.25", "3"],
        ["12/40/2024", "13/13/2024", "99/99/2024"],
        ["v1.2.3", "v2.0.0", "v3.1.4"],
    ],
)
def test_text_years_and_impossible_dates_are_not_dates(values: list[str]) -> None:
    assert detect_date_column(pd.Series(values, name="published")) is None


def test_numbers_are_epoch_seconds_only_when_the_name_says_time() -> None:
    seconds = pd.Series([1_709_251_200, 1_709_337_600], name="created_at")

    found = detect_date_column(seconds)

    assert found is not None and found.format == "epoch seconds"
    assert found.values.iloc[0] == pd.Timestamp(2024, 3, 1)
    assert detect_date_column(seconds.rename("followers")) is None
    assert detect_date_column(pd.Series([3, 5], name="created_at")) is None


def test_a_table_already_holding_datetimes_is_a_date_column() -> None:
    frame = pd.DataFrame(
        {"text": ["a", "b"], "when": pd.to_datetime(["2024-03-01", "2024-03-02"]), "n": [1, 2]}
    )

    found = date_columns(frame, "text")

    assert list(found) == ["when"]
    assert found["when"].format == "date/time values"


def test_the_upload_summary_names_each_date_column_and_its_format(tmp_path: Path) -> None:
    path = tmp_path / "news.csv"
    rows = ["text,published,score"]
    rows += [f"Story {i},{1 + i % 28:02d}.0{1 + i % 9}.2024,{i}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    table = read_table(path)

    assert describe(table)["date_columns"] == {
        "published": "date column 'published' (format DD.MM.YYYY); day first: a value above "
        "12 in the first place (such as '13.04.2024')"
    }
    assert table.frame["published"].iloc[0] == "01.01.2024"  # the file's values are kept


def test_a_hundred_thousand_times_all_read_in_the_one_format_found() -> None:
    days = pd.date_range("2000-01-01", periods=100_000, freq="h").strftime("%m/%d/%Y %H:%M")
    series = pd.Series(np.asarray(days), name="posted")

    found = detect_date_column(series)

    assert found is not None and found.format == "MM/DD/YYYY HH:MM"
    assert found.values.notna().all()
