"""Selections kept under a name: rows a person wants back later (a region of the map, a
search's matches, a cluster), stored with the dataset's results as row-id ranges."""

from __future__ import annotations

from collections.abc import Sequence

from embedding_space.errors import InputError
from embedding_space.rows import decode_rows, encode_rows
from embedding_space.store.results import ResultStore

__all__ = ["MAX_SELECTIONS", "SELECTION_NAME_CHARS", "Selections"]

MAX_SELECTIONS = 50
"""Named selections one person may keep per dataset."""
SELECTION_NAME_CHARS = 60
_FILE = "selections.json"


class Selections:
    """The selections kept of a dataset's rows, by whoever its results belong to.

    Args:
        results: Where the dataset's results are kept (one file, ``selections.json``).
        rows: The dataset's number of rows.
    """

    def __init__(self, results: ResultStore, rows: int) -> None:
        self._results = results
        self._rows = rows

    def kept(self) -> dict[str, list[int]]:
        """Every kept selection, name -> row ids (ascending), by name."""
        stored = self._results.load_json(_FILE)
        if not isinstance(stored, dict):
            return {}
        return {str(name): decode_rows(str(ranges), self._rows) for name, ranges in stored.items()}

    def keep(self, name: str, rows: Sequence[int]) -> str:
        """Keep a set of rows under a name (replacing one of that name); stored as row-id
        ranges, so 100,000 neighbouring rows take a few characters.

        Returns:
            The name as kept (runs of white space made one space).

        Raises:
            InputError: The name is empty or too long, no rows, rows outside the dataset, or
                :data:`MAX_SELECTIONS` are kept already.
        """
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > SELECTION_NAME_CHARS:
            raise InputError(f"A selection name needs 1 to {SELECTION_NAME_CHARS} characters.")
        if not rows:
            raise InputError("The selection is empty; select some rows first.")
        if min(rows) < 0 or max(rows) >= self._rows:
            raise InputError(f"The selection names rows outside 0 to {self._rows - 1}.")
        kept = {key: encode_rows(value) for key, value in self.kept().items()}
        if cleaned not in kept and len(kept) >= MAX_SELECTIONS:
            raise InputError(
                f"{MAX_SELECTIONS} selections are kept for this dataset already; delete one first."
            )
        kept[cleaned] = encode_rows(rows)
        self._results.store_json(_FILE, kept)
        return cleaned

    def delete(self, name: str) -> None:
        """Forget a kept selection (nothing happens if there is none of that name)."""
        kept = {key: encode_rows(value) for key, value in self.kept().items()}
        if kept.pop(name, None) is not None:
            self._results.store_json(_FILE, kept)
