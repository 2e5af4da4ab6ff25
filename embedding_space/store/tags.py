"""The tags of a dataset's rows: names a person gives to rows as they explore (several per
row), kept in the dataset's folder across restarts and changed only by the dataset's owner.

Tags live in one file, ``tags.json`` in the dataset's folder, written atomically: each tag's
rows as row-id ranges (:func:`~embedding_space.rows.encode_rows`), and the last
:data:`UNDO_DEPTH` changes, each as the tags it changed as they were before, so
:meth:`Tags.undo` works after a restart too and a long history stays small.

Who may change them follows the dataset's owner (:class:`~embedding_space.store.DatasetInfo`):
the owner, or anyone on a single-user machine; everyone who can see the dataset can read
them. Tag names are plain text, kept as typed (white space runs made one space); whoever
shows them escapes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from embedding_space.errors import InputError
from embedding_space.rows import decode_rows, encode_rows
from embedding_space.store.artifacts import write_json
from embedding_space.store.tag_columns import SEVERAL, UNTAGGED

__all__ = ["MAX_TAGS", "TAG_NAME_CHARS", "UNDO_DEPTH", "Tags", "clean_tag_name"]

MAX_TAGS = 200
"""Tags one dataset may have."""
TAG_NAME_CHARS = 60
"""The longest tag name."""
UNDO_DEPTH = 20
"""Changes :meth:`Tags.undo` can take back, the latest first."""
FILE_NAME = "tags.json"

_State = dict[str, str]  # tag name -> row-id ranges


def clean_tag_name(name: str) -> str:
    """A tag name as kept: runs of white space (line breaks too) made one space.

    Raises:
        InputError: The name is empty, longer than :data:`TAG_NAME_CHARS`, holds ``;`` (it
            separates tags in CSV) or a control character, or is one of the colour's own
            categories.
    """
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > TAG_NAME_CHARS:
        raise InputError(f"A tag name needs 1 to {TAG_NAME_CHARS} characters.")
    if ";" in cleaned or not cleaned.isprintable():
        raise InputError("A tag name cannot hold ';' or control characters; choose another.")
    if cleaned in (SEVERAL, UNTAGGED):
        raise InputError(f"'{cleaned}' names rows without one tag on the map; choose another.")
    return cleaned


class Tags:
    """The tags of one dataset's rows, as one person sees them.

    Made by :meth:`Workspace.tags <embedding_space.store.workspace.Workspace.tags>`; every
    method reads the file afresh, so two handles on one dataset agree.

    Args:
        path: The tags' file (``tags.json`` in the dataset's folder).
        rows: The dataset's number of rows.
        editable: Whether this person may change the tags.
        refusal: The sentence a change by someone else raises.
        initial: Each row's tags before any change (the uploaded table's own ``tags``
            column); read only while no file exists.
    """

    def __init__(
        self,
        path: Path,
        rows: int,
        *,
        editable: bool = True,
        refusal: str = "Only the dataset's owner can change its tags.",
        initial: Callable[[], Sequence[Sequence[str]]] | None = None,
    ) -> None:
        self.path = path
        self.rows = rows
        self.editable = editable
        self._refusal = refusal
        self._initial = initial

    def _decode(self, ranges: str) -> list[int]:
        # Every row of the dataset: the 200,000-row ceiling guards links typed by anyone, and
        # a dataset may hold more rows than that; this file is ours.
        return decode_rows(ranges, self.rows, limit=self.rows)

    # -- reading --------------------------------------------------------------------------

    def _read(self) -> tuple[_State, list[dict[str, object]]]:
        try:
            stored = json.loads(self.path.read_text())
        except FileNotFoundError:
            return self._seed(), []
        except (OSError, ValueError):
            return {}, []
        tags = stored.get("tags") if isinstance(stored, dict) else None
        history = stored.get("history") if isinstance(stored, dict) else None
        state = {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}
        changes = [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []
        return state, changes

    def _seed(self) -> _State:
        """The table's own tags, when they are ones we could have made; else none."""
        if self._initial is None:
            return {}
        try:
            rows_of: dict[str, list[int]] = {}
            for row, names in enumerate(self._initial()):
                for name in names:
                    rows_of.setdefault(clean_tag_name(name), []).append(row)
        except InputError:
            return {}
        if len(rows_of) > MAX_TAGS:
            return {}
        return {name: encode_rows(rows) for name, rows in rows_of.items() if rows}

    @staticmethod
    def _ordered(state: _State) -> list[str]:
        return sorted(state, key=lambda name: (name.casefold(), name))

    def names(self) -> list[str]:
        """Every tag's name, alphabetically (case-insensitive)."""
        return self._ordered(self._read()[0])

    def rows_of(self, name: str) -> list[int]:
        """The rows a tag is on (ascending); none for an unknown tag."""
        return self._decode(self._read()[0].get(name, ""))

    def counts(self) -> dict[str, int]:
        """Rows per tag, by name (in :meth:`names`' order)."""
        state = self._read()[0]
        return {name: len(self._decode(state[name])) for name in self._ordered(state)}

    def tags_of_rows(self) -> list[list[str]]:
        """Each row's tags, in :meth:`names`' order: one list per row, ``rows`` lists."""
        per_row: list[list[str]] = [[] for _ in range(self.rows)]
        state = self._read()[0]
        for name in self._ordered(state):
            for row in self._decode(state[name]):
                per_row[row].append(name)
        return per_row

    def version(self) -> int:
        """How many changes (undos too) were written: a cache key for :meth:`tags_of_rows`
        on large datasets; 0 before the first."""
        try:
            stored = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return 0
        version = stored.get("version") if isinstance(stored, dict) else None
        return version if isinstance(version, int) else 0

    def last_change(self) -> str | None:
        """What :meth:`undo` would take back, in a few words; ``None`` when nothing."""
        history = self._read()[1]
        return str(history[-1].get("change", "the last change")) if history else None

    # -- changing -------------------------------------------------------------------------

    def _existing(self, state: _State, name: str) -> str | None:
        """The tag called ``name``, matched ignoring case and spacing."""
        cleaned = " ".join(str(name).split()).casefold()
        return next((key for key in state if key.casefold() == cleaned), None)

    def _known(self, state: _State, name: str) -> str:
        found = self._existing(state, name)
        if found is None:
            raise InputError(f"There is no tag '{' '.join(str(name).split())}'.")
        return found

    def _check_rows(self, rows: Iterable[int]) -> list[int]:
        chosen = sorted({int(row) for row in rows})  # a list, a set or a NumPy array alike
        if not chosen:
            raise InputError("No rows are chosen; select some rows first.")
        if chosen[0] < 0 or chosen[-1] >= self.rows:
            raise InputError(f"The rows must lie between 0 and {self.rows - 1}.")
        return chosen

    def _change(self, description: str, new: _State) -> None:
        """Write ``new`` and remember how to take it back."""
        state, history = self._read()
        changed = {name for name in set(state) | set(new) if state.get(name) != new.get(name)}
        before: dict[str, str | None] = {name: state.get(name) for name in changed}
        if not before:
            return
        entry: dict[str, object] = {"change": description, "before": before}
        history = [*history, entry][-UNDO_DEPTH:]
        self._write(new, history)

    def _write(self, state: _State, history: list[dict[str, object]]) -> None:
        version = self.version() + 1
        write_json(self.path, {"tags": state, "history": history, "version": version})

    def _start(self) -> _State:
        if not self.editable:
            raise InputError(self._refusal)
        return dict(self._read()[0])

    def tag(self, rows: Iterable[int], name: str) -> str:
        """Put a tag on rows: a new tag, or more rows for one of that name (in any case).

        Returns:
            The tag's name as kept.

        Raises:
            InputError: Not the owner, no rows or rows outside the dataset, a bad name
                (:func:`clean_tag_name`), or :data:`MAX_TAGS` tags exist already.
        """
        state = self._start()
        chosen = self._check_rows(rows)
        kept = self._existing(state, name) or clean_tag_name(name)
        if kept not in state and len(state) >= MAX_TAGS:
            raise InputError(f"This dataset has {MAX_TAGS} tags already; merge or delete some.")
        state[kept] = encode_rows([*self._decode(state.get(kept, "")), *chosen])
        self._change(f"tag {len(chosen):,} rows '{kept}'", state)
        return kept

    def untag(self, rows: Iterable[int], name: str) -> str:
        """Take a tag off rows; a tag left on no row is gone.

        Returns:
            The tag's name as kept (matched ignoring case and spacing, as :meth:`tag` does).

        Raises:
            InputError: Not the owner, no such tag, or no rows.
        """
        state = self._start()
        kept = self._known(state, name)
        chosen = set(self._check_rows(rows))
        left = [row for row in self._decode(state[kept]) if row not in chosen]
        if left:
            state[kept] = encode_rows(left)
        else:
            del state[kept]
        self._change(f"untag {len(chosen):,} rows '{kept}'", state)
        return kept

    def rename(self, old: str, new: str) -> str:
        """Give a tag another name (another case of the same name too).

        Returns:
            The new name as kept.

        Raises:
            InputError: Not the owner, no tag ``old``, a bad name, or another tag is called
                ``new`` already (merge them instead).
        """
        state = self._start()
        kept = self._known(state, old)
        cleaned = clean_tag_name(new)
        other = self._existing(state, cleaned)
        if other is not None and other != kept:
            raise InputError(f"A tag '{other}' exists already; merge the two instead.")
        state[cleaned] = state.pop(kept)
        self._change(f"rename '{kept}' to '{cleaned}'", state)
        return cleaned

    def merge(self, names: Iterable[str], into: str) -> str:
        """Make several tags one: ``into`` (new or existing) gets all their rows, and the
        others are gone.

        Returns:
            The merged tag's name as kept.

        Raises:
            InputError: Not the owner, an unknown tag among ``names``, none given, or a bad
                name.
        """
        state = self._start()
        sources = list(dict.fromkeys(self._known(state, name) for name in names))
        if not sources:
            raise InputError("Choose the tags to merge.")
        target = self._existing(state, into) or clean_tag_name(into)
        rows = self._decode(state.get(target, ""))
        for source in sources:
            rows.extend(self._decode(state.pop(source)))
        state[target] = encode_rows(rows)
        self._change(f"merge {len(sources)} tags into '{target}'", state)
        return target

    def delete(self, name: str) -> None:
        """Take a tag off every row.

        Raises:
            InputError: Not the owner, or no such tag.
        """
        state = self._start()
        kept = self._known(state, name)
        del state[kept]
        self._change(f"delete '{kept}'", state)

    def undo(self) -> str | None:
        """Take back the last change (up to :data:`UNDO_DEPTH` of them, one a call).

        Returns:
            What was taken back (as :meth:`last_change` said), or ``None`` when nothing was.

        Raises:
            InputError: Not the owner.
        """
        state = self._start()
        history = self._read()[1]
        if not history:
            return None
        last = history.pop()
        before = last.get("before")
        for name, ranges in (before if isinstance(before, dict) else {}).items():
            if ranges is None:
                state.pop(name, None)
            else:
                state[name] = str(ranges)
        self._write(state, history)
        return str(last.get("change", "the last change"))
