"""Corrections of a label column: suggestions accepted, rows dismissed, and undo.

Accepting a suggested label (see :mod:`~embedding_space.analysis.label_issues`) never changes
the column itself: it is kept as given, and the corrected labels are a column of their own,
``"<column> (corrected)"`` (:func:`corrected_name`), the original with the accepted labels put
in. A dismissed row is one whose label a person checked and kept, so a list of suspect labels
can leave it out. Every change can be undone, the last first.

They are kept with the dataset's results (one file, ``corrections.json``), so they are the
dataset's own when its owner makes them; a visitor to a dataset they do not own writes to
their own results folder (see :mod:`~embedding_space.store.workspace`), so their corrections
are theirs alone and never change what the owner or anyone else sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.rows import decode_rows, encode_rows
from embedding_space.store.results import ResultStore

__all__ = ["CORRECTED_SUFFIX", "MAX_UNDO", "Corrections", "corrected_name"]

CORRECTED_SUFFIX = " (corrected)"
"""What the corrected column's name adds to the original's."""
MAX_UNDO = 50
"""Changes of one column that can be undone."""
LABEL_CHARS = 200
"""The longest label a correction may set."""
_FILE = "corrections.json"


def corrected_name(column: str) -> str:
    """The name of the corrected copy of ``column``: ``"category (corrected)"``."""
    return f"{column}{CORRECTED_SUFFIX}"


class Corrections:
    """The corrections of one label column of a dataset, by whoever its results belong to.

    Args:
        results: Where the dataset's results are kept.
        rows: The dataset's number of rows.
        column: The label column.
    """

    def __init__(self, results: ResultStore, rows: int, column: str) -> None:
        self._results = results
        self._rows = rows
        self.column = column

    @property
    def name(self) -> str:
        """The corrected column's name."""
        return corrected_name(self.column)

    # -- reading ------------------------------------------------------------------------------

    def _all(self) -> dict[str, Any]:
        stored = self._results.load_json(_FILE)
        return stored if isinstance(stored, dict) else {}

    def _own(self) -> dict[str, Any]:
        own = self._all().get(self.column)
        return own if isinstance(own, dict) else {}

    def accepted(self) -> dict[int, str]:
        """Row id -> the label accepted for it, by row."""
        stored = self._own().get("accepted")
        if not isinstance(stored, dict):
            return {}
        found = {int(row): str(label) for row, label in stored.items() if str(row).isdigit()}
        return {row: found[row] for row in sorted(found) if row < self._rows}

    def dismissed(self) -> list[int]:
        """The rows whose label was checked and kept, ascending."""
        return decode_rows(str(self._own().get("dismissed", "")), self._rows)

    def can_undo(self) -> bool:
        """Whether there is a change to undo."""
        return bool(self._own().get("undo"))

    def corrected(self, original: pd.Series) -> pd.Series:
        """The corrected column: ``original`` (the label column's values, in row order) with
        the accepted labels put in, named :attr:`name`. An accepted label that is one of the
        column's values takes that value's own type (``3``, not ``"3"``, in a column of
        numbers).

        Raises:
            InputError: ``original`` has another number of rows.
        """
        if len(original) != self._rows:
            raise InputError(f"The column has {len(original)} rows, not {self._rows}.")
        accepted = self.accepted()
        if not accepted:
            return original.rename(self.name)
        as_given = {str(value): value for value in original.dropna().unique()}
        fixed = original.astype(object).copy()
        positions = list(accepted)
        fixed.iloc[positions] = [as_given.get(label, label) for label in accepted.values()]
        # A new label in a column of another type (text among numbers): the column holds both.
        with contextlib.suppress(TypeError, ValueError):
            fixed = fixed.astype(original.dtype)
        return fixed.rename(self.name)

    # -- changing -----------------------------------------------------------------------------

    def accept(self, row: int, label: str) -> None:
        """Accept ``label`` for ``row`` (it is no longer dismissed)."""
        self.accept_many({row: label})

    def accept_many(self, labels: Mapping[int, str]) -> None:
        """Accept a label for each of several rows, as one change to undo.

        Raises:
            InputError: No rows, a row outside the dataset, or an empty or too long label.
        """
        self._check_rows(list(labels))
        for label in labels.values():
            if not str(label).strip() or len(str(label)) > LABEL_CHARS:
                raise InputError(f"A label needs 1 to {LABEL_CHARS} characters.")
        self._change({int(row): str(label) for row, label in labels.items()}, dismiss=())

    def dismiss(self, rows: Sequence[int]) -> None:
        """Keep the given label of these rows (an accepted correction of them is dropped), as
        one change to undo.

        Raises:
            InputError: No rows, or a row outside the dataset.
        """
        self._check_rows(rows)
        self._change({}, dismiss=[int(row) for row in rows])

    def undo(self) -> bool:
        """Undo the last change; ``False`` when there was none."""
        own = self._own()
        history = list(own.get("undo") or [])
        if not history:
            return False
        step = history.pop()
        accepted = {str(row): label for row, label in self.accepted().items()}
        dismissed = set(self.dismissed())
        for row, label in dict(step.get("accepted", {})).items():
            if label is None:
                accepted.pop(str(row), None)
            else:
                accepted[str(row)] = str(label)
        for row, was in dict(step.get("dismissed", {})).items():
            (dismissed.add if was else dismissed.discard)(int(row))
        self._write(accepted, dismissed, history)
        return True

    def _check_rows(self, rows: Sequence[int]) -> None:
        if not rows:
            raise InputError("No rows are chosen; choose the rows to change first.")
        if min(rows) < 0 or max(rows) >= self._rows:
            raise InputError(f"The rows must lie between 0 and {self._rows - 1}.")

    def _change(self, accept: dict[int, str], dismiss: Sequence[int]) -> None:
        accepted = {str(row): label for row, label in self.accepted().items()}
        dismissed = set(self.dismissed())
        touched = sorted({*accept, *dismiss})
        # What each touched row was, so that undo puts it back exactly.
        step = {
            "accepted": {str(row): accepted.get(str(row)) for row in touched},
            "dismissed": {str(row): row in dismissed for row in touched},
        }
        for row, label in accept.items():
            accepted[str(row)] = label
            dismissed.discard(row)
        for row in dismiss:
            accepted.pop(str(row), None)
            dismissed.add(row)
        history = [*list(self._own().get("undo") or []), step][-MAX_UNDO:]
        self._write(accepted, dismissed, history)

    def _write(self, accepted: dict[str, str], dismissed: set[int], history: list[Any]) -> None:
        every = self._all()
        every[self.column] = {
            "accepted": accepted,
            "dismissed": encode_rows(sorted(dismissed)),
            "undo": history,
        }
        self._results.store_json(_FILE, every)
