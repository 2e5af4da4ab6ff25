"""Two groups of a dataset's rows to test for drift (see :mod:`~embedding_space.analysis.drift`):
a batch against the batches added before it, the rows of some values of a column against
those of others, or the rows dated before a day against those dated from it.

Rows with no value (an empty cell, a date that did not read) belong to neither group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError

__all__ = [
    "MAX_PERIODS",
    "MIN_GROUP_ROWS",
    "Periods",
    "RowGroups",
    "date_periods",
    "groups_by_date",
    "groups_by_values",
    "in_order",
    "value_periods",
    "with_earlier",
]

MIN_GROUP_ROWS = 2
"""Each group needs at least this many rows for the test."""
MAX_PERIODS = 36
"""Dates are cut into months, or quarters, or years: the finest that gives at most this many."""


@dataclass(frozen=True)
class RowGroups:
    """A reference and a batch, by row number.

    Attributes:
        reference: The reference's rows, ascending.
        batch: The batch's rows, ascending.
        reference_name: What the reference is, for the screen ("batch 1", "before 2024-03-01").
        batch_name: What the batch is.
    """

    reference: npt.NDArray[np.intp]
    batch: npt.NDArray[np.intp]
    reference_name: str
    batch_name: str


def in_order(values: pd.Series[Any]) -> list[str]:
    """A column's distinct values as text, in the order they first appear (batches, in the
    order they were appended)."""
    return [str(value) for value in pd.unique(values.dropna().astype(str))]


def with_earlier(values: pd.Series[Any], chosen: str) -> tuple[list[str], list[str]]:
    """The values that came before ``chosen`` (in order of first appearance, as batches are
    appended) and ``chosen`` itself: a batch is compared with every batch added before it.

    Raises:
        InputError: ``chosen`` is not a value, or is the first (nothing came before it).
    """
    order = in_order(values)
    if chosen not in order:
        raise InputError(f"There is no '{chosen}' to compare.")
    position = order.index(chosen)
    if position == 0:
        raise InputError(
            f"'{chosen}' came first: there is nothing before it to compare it with. Pick a "
            "later one."
        )
    return order[:position], [chosen]


def groups_by_values(
    frame: pd.DataFrame,
    column: str,
    reference_values: Sequence[str],
    batch_values: Sequence[str],
) -> RowGroups:
    """The rows whose ``column`` holds one of ``reference_values`` against those holding one
    of ``batch_values`` (values compared as text).

    Raises:
        InputError: No such column, a value in both groups, or a group under
            :data:`MIN_GROUP_ROWS` rows.
    """
    if column not in frame.columns:
        raise InputError(f"There is no column '{column}'.")
    both = set(reference_values) & set(batch_values)
    if both:
        raise InputError(
            f"'{sorted(both)[0]}' is in both groups; each value may be in one group only."
        )
    text = frame[column].astype("string")
    reference = np.flatnonzero(text.isin(list(reference_values)).fillna(False).to_numpy(bool))
    batch = np.flatnonzero(text.isin(list(batch_values)).fillna(False).to_numpy(bool))
    return _checked(
        RowGroups(reference, batch, _named(reference_values), _named(batch_values)), column
    )


def groups_by_date(dates: pd.Series[Any], split: pd.Timestamp, column: str) -> RowGroups:
    """The rows dated before ``split`` against the rows dated from it.

    Args:
        dates: The parsed date column (naive ``datetime64``, ``NaT`` where none), in row order.
        split: The first moment of the batch.
        column: The column's name, for messages.

    Raises:
        InputError: A side of the split has under :data:`MIN_GROUP_ROWS` dated rows.
    """
    values = pd.to_datetime(dates, errors="coerce")
    known = values.notna().to_numpy(bool)
    before = (values < split).fillna(False).to_numpy(bool)
    shown = f"{split:%Y-%m-%d %H:%M}".removesuffix(" 00:00")
    return _checked(
        RowGroups(
            np.flatnonzero(known & before),
            np.flatnonzero(known & ~before),
            f"before {shown}",
            f"from {shown}",
        ),
        column,
    )


def _named(values: Sequence[str]) -> str:
    shown = ", ".join(values[:3])
    return shown + (f" and {len(values) - 3} more" if len(values) > 3 else "")


def _checked(groups: RowGroups, column: str) -> RowGroups:
    for name, rows in (
        (groups.reference_name, groups.reference),
        (groups.batch_name, groups.batch),
    ):
        if len(rows) < MIN_GROUP_ROWS:
            raise InputError(
                f"'{name}' has {len(rows)} row{'s' * (len(rows) != 1)} with a value in "
                f"'{column}'; the test needs at least {MIN_GROUP_ROWS} in each group."
            )
    return groups


@dataclass(frozen=True)
class Periods:
    """Rows in periods, to be shown one at a time.

    Attributes:
        names: The periods, in time order.
        codes: Each row's period (an index into ``names``), -1 for a row in none.
    """

    names: tuple[str, ...]
    codes: npt.NDArray[np.intp]

    def rows_of(self, period: str) -> npt.NDArray[np.intp]:
        """The rows of one period, ascending."""
        return np.flatnonzero(self.codes == self.names.index(period))

    def labels(self) -> pd.Series[Any]:
        """Each row's period name (``<NA>`` for none), to colour a map by."""
        names = np.asarray([*self.names, None], dtype=object)
        return pd.Series(names[self.codes], dtype="string")


def value_periods(values: pd.Series[Any]) -> Periods:
    """A column's values as periods in the order they first appear (batches, as appended)."""
    order = in_order(values)
    codes = pd.Categorical(values.astype("string"), categories=order).codes
    return Periods(tuple(order), np.asarray(codes, dtype=np.intp))


def date_periods(dates: pd.Series[Any]) -> Periods:
    """Dated rows by month, quarter or year: the finest cut that makes at most
    :data:`MAX_PERIODS` periods from the first date to the last."""
    values = pd.to_datetime(dates, errors="coerce")
    periods = values.dt.to_period("M")
    for frequency in ("M", "Q", "Y"):
        periods = values.dt.to_period(frequency)
        present = periods.dropna()
        if present.empty or (present.max() - present.min()).n < MAX_PERIODS:
            break
    present = periods.dropna()
    if present.empty:
        return Periods((), np.full(len(values), -1, dtype=np.intp))
    span = pd.period_range(present.min(), present.max())
    codes = pd.Categorical(periods, categories=span).codes
    return Periods(tuple(str(period) for period in span), np.asarray(codes, dtype=np.intp))
