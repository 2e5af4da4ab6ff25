"""Saved views and stories of a dataset, kept with whoever's results they are.

Both live in the dataset's results (:class:`~embedding_space.store.results.ResultStore`):
the owner's folder for the owner, a visitor's own folder for a visitor of a shared dataset,
so a visitor's views never land in someone else's dataset, and nobody lists views that are
not theirs. A saved view is kept as its link (selection whole); a story as its JSON.
"""

from __future__ import annotations

from embedding_space.errors import InputError
from embedding_space.store.results import ResultStore
from embedding_space.text import without_direction_controls
from embedding_space.views.story import MAX_TITLE_CHARS, Story
from embedding_space.views.view import View

__all__ = ["MAX_SAVED", "SAVED_NAME_CHARS", "SavedStories", "SavedViews"]

MAX_SAVED = 100
"""Views (and, apart, stories) one person may keep per dataset."""
SAVED_NAME_CHARS = MAX_TITLE_CHARS
"""A saved view's or story's name (a story's name is its title, so the same limit)."""


def _clean_name(name: str, what: str) -> str:
    cleaned = without_direction_controls(" ".join(name.split()))
    if not cleaned or len(cleaned) > SAVED_NAME_CHARS:
        raise InputError(f"A {what} name needs 1 to {SAVED_NAME_CHARS} characters.")
    return cleaned


class _Named:
    """Named JSON records in one file of the results, in the order they were first saved."""

    _file = ""
    _what = ""

    def __init__(self, results: ResultStore) -> None:
        self._results = results

    def _records(self) -> dict[str, object]:
        stored = self._results.load_json(self._file)
        return (
            {str(name): value for name, value in stored.items()} if isinstance(stored, dict) else {}
        )

    def names(self) -> list[str]:
        """Every name kept, in the order first saved."""
        return list(self._records())

    def _put(self, name: str, record: object, *, replace: bool = True) -> str:
        cleaned = _clean_name(name, self._what)
        records = self._records()
        if cleaned in records and not replace:
            raise InputError(f"A {self._what} named {cleaned!r} exists already.")
        if cleaned not in records and len(records) >= MAX_SAVED:
            raise InputError(f"{MAX_SAVED} {self._what}s are kept already; delete one first.")
        records[cleaned] = record
        self._results.store_json(self._file, records)
        return cleaned

    def rename(self, old: str, new: str) -> str:
        """Give a kept record another name, keeping its place in the list.

        Raises:
            InputError: No record of that name, a bad new name, or one that is taken.
        """
        records = self._records()
        if old not in records:
            raise InputError(f"There is no {self._what} named {old!r}.")
        cleaned = _clean_name(new, self._what)
        if cleaned != old and cleaned in records:
            raise InputError(f"A {self._what} named {cleaned!r} exists already.")
        renamed = {cleaned if name == old else name: value for name, value in records.items()}
        self._results.store_json(self._file, renamed)
        return cleaned

    def delete(self, name: str) -> None:
        """Forget a record (nothing happens if there is none of that name)."""
        records = self._records()
        if records.pop(name, None) is not None:
            self._results.store_json(self._file, records)


class SavedViews(_Named):
    """The views a person saved of a dataset, by name."""

    _file = "views.json"
    _what = "view"

    def save(self, name: str, view: View) -> str:
        """Keep a view under a name (replacing one of that name).

        Returns:
            The name as kept (runs of white space made one space).
        """
        return self._put(name, view.link(whole_selection=True))

    def get(self, name: str) -> View:
        """The view kept under ``name``.

        Raises:
            InputError: None of that name.
        """
        link = self._records().get(name)
        if not isinstance(link, str):
            raise InputError(f"There is no view named {name!r}.")
        return View.from_link(link, stored=True)

    def all(self) -> dict[str, View]:
        """Every kept view, name -> view; one that no longer reads is left out."""
        views: dict[str, View] = {}
        for name in self.names():
            try:
                views[name] = self.get(name)
            except InputError:
                continue
        return views


class SavedStories(_Named):
    """The stories a person made of a dataset, by name (a story's own title is its name)."""

    _file = "stories.json"
    _what = "story"

    def save(self, story: Story, *, replace: bool = True) -> str:
        """Keep a story under its title (replacing one of that title unless ``replace`` is
        false)."""
        return self._put(story.title, story.to_json(), replace=replace)

    def get(self, name: str) -> Story:
        """The story kept under ``name``.

        Raises:
            InputError: None of that name.
        """
        record = self._records().get(name)
        if record is None:
            raise InputError(f"There is no story named {name!r}.")
        return Story.from_json(record, require_slides=False)

    def rename(self, old: str, new: str) -> str:
        cleaned = super().rename(old, new)
        story = self.get(cleaned)
        self._put(cleaned, Story(cleaned, story.slides).to_json())
        return cleaned
