"""Batches of rows: a dataset (or an embedded file) grows by appending rows, and each upload
is a batch with a name and a date, kept in the rows' ``batch`` column and in a list of
batches (name, date, rows).

Rows are only ever appended, so the id of every row already there stays what it was (and
with it every selection, tag and correction of it). The new rows must hold the same text
column; the other columns are matched by name: a column the batch lacks is empty for its
rows, a column only the batch has is added, empty for the rows before it.

The rows that were there before the first batch was added get a batch name too:
:data:`FIRST_BATCH` (``"batch 1"``) unless they already have a ``batch`` column, whose values
are then kept. A batch's name defaults to ``"batch N"``, N one more than the batches so far.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from embedding_space.errors import InputError

__all__ = [
    "BATCH_COLUMN",
    "BATCH_NAME_CHARS",
    "FIRST_BATCH",
    "Batch",
    "append_batch",
    "batch_name",
    "batches_of",
]

BATCH_COLUMN = "batch"
"""The column that says which batch each row came in."""
FIRST_BATCH = "batch 1"
"""The batch name of the rows a dataset started with."""
BATCH_NAME_CHARS = 60


@dataclass(frozen=True)
class Batch:
    """One upload of rows.

    Attributes:
        name: Its name, as in the ``batch`` column.
        date: When it was added (ISO timestamp, UTC).
        rows: How many rows it brought.
    """

    name: str
    date: str
    rows: int

    def to_json(self) -> dict[str, object]:
        """The batch as a manifest keeps it."""
        return asdict(self)


def batches_of(
    stored: Sequence[Mapping[str, object]], table: pd.DataFrame, created: str
) -> list[Batch]:
    """The batches of a table: the list kept (``stored``), or before any batch was added, the
    rows it started with as one batch (:data:`FIRST_BATCH`, or the values of its own ``batch``
    column, in order of first appearance), dated ``created``."""
    if stored:
        return [Batch(str(b["name"]), str(b["date"]), int(str(b["rows"]))) for b in stored]
    if BATCH_COLUMN not in table.columns:
        return [Batch(FIRST_BATCH, created, len(table))]
    values = table[BATCH_COLUMN].astype("string").fillna("")
    counts = values.value_counts(sort=False)
    return [Batch(str(name), created, int(count)) for name, count in counts.items()]


def batch_name(name: str | None, batches: Sequence[Batch]) -> str:
    """The name a new batch is kept under: ``name`` cleaned (runs of white space made one),
    or ``"batch N"`` when it is ``None`` or blank.

    Raises:
        InputError: The name is too long or another batch has it.
    """
    taken = {batch.name for batch in batches}
    cleaned = " ".join((name or "").split())
    if not cleaned:
        number = len(batches) + 1
        while f"batch {number}" in taken:
            number += 1
        return f"batch {number}"
    if len(cleaned) > BATCH_NAME_CHARS:
        raise InputError(f"A batch name can have at most {BATCH_NAME_CHARS} characters.")
    if cleaned in taken:
        raise InputError(f"There is a batch named '{cleaned}' already; choose another name.")
    return cleaned


def append_batch(
    table: pd.DataFrame,
    more: pd.DataFrame,
    text_column: str,
    name: str,
    first: Sequence[Batch],
) -> pd.DataFrame:
    """``table`` with ``more``'s rows after its own, every row's batch in ``batch``.

    Args:
        table: The rows so far (their ids are their positions, and stay so).
        more: The new rows; the index is dropped.
        text_column: The text column both must hold.
        name: The new rows' batch (see :func:`batch_name`).
        first: The batches so far (:func:`batches_of`): where ``table`` has no ``batch``
            column, its rows get the first one's name.

    Raises:
        InputError: ``more`` has no rows, or not the text column.
    """
    if len(more) == 0:
        raise InputError("The batch has no rows; add at least one text.")
    more = more.reset_index(drop=True)
    more.columns = [str(column) for column in more.columns]
    if text_column not in more.columns:
        raise InputError(
            f"The new rows have no column '{text_column}', the dataset's text column; "
            f"rename one of theirs ({', '.join(map(str, more.columns))}) to it."
        )
    old = table.copy()
    if BATCH_COLUMN not in old.columns:
        old[BATCH_COLUMN] = first[0].name if first else FIRST_BATCH
    more = more.copy()
    more[text_column] = more[text_column].astype("string").fillna("")
    more[BATCH_COLUMN] = name
    columns = [*old.columns, *(column for column in more.columns if column not in old.columns)]
    old = old.reindex(columns=columns)
    more = more.reindex(columns=columns)
    # pandas casts a column that only one side holds to object on its own; keep the rest typed.
    grown = pd.concat([old, more], ignore_index=True)
    grown[BATCH_COLUMN] = grown[BATCH_COLUMN].astype("string")
    grown[text_column] = grown[text_column].astype("string").fillna("")
    return grown
