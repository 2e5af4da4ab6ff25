"""Where an embedding space keeps what it derives: a results folder, or memory.

Every derived result (a kNN graph, a projection, a clustering, the trust of a map, a
comparison, kept selections) is stored under a relative name such as
``knn/<model>-n15.npz``. :class:`FolderResults` keeps them on disk, in the dataset's own
folder or, for a visitor to a dataset they do not own, in a folder of theirs (read first,
written to); :class:`MemoryResults` keeps them for the life of the handle, for a file read
by the command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from embedding_space.store.artifacts import (
    Artifact,
    load_or_compute,
    read_artifact,
    write_artifact,
    write_json,
)

__all__ = ["FolderResults", "MemoryResults", "ResultStore"]

_A = TypeVar("_A", bound=Artifact)


class ResultStore(Protocol):
    """Named results, each computed once."""

    def load_or_compute(self, name: str, kind: type[_A], compute: Callable[[], _A]) -> _A:
        """The result stored under ``name``, or ``compute()``'s, stored first."""
        ...

    def load(self, name: str, kind: type[_A]) -> _A | None:
        """The result stored under ``name``, or ``None``."""
        ...

    def store(self, name: str, result: Artifact) -> None:
        """Store ``result`` under ``name``, replacing what was there."""
        ...

    def load_json(self, name: str) -> Any:
        """The JSON value stored under ``name``, or ``None``."""
        ...

    def store_json(self, name: str, value: object) -> None:
        """Store a JSON value under ``name``."""
        ...


class FolderResults:
    """Results as files under one or more folders: read from the last folder that has a
    result, written to the last folder.

    Args:
        folders: The folders, the one written to last.
        before_write: Called before a new file is written (a visitor's room is checked).
    """

    def __init__(self, folders: Sequence[Path], before_write: Callable[[], None]) -> None:
        self.folders = list(folders)
        self._before_write = before_write

    def path(self, name: str) -> Path:
        """The file a result is read from (the last folder's first), or written to when no
        folder has it."""
        for folder in reversed(self.folders):
            if (folder / name).is_file():
                return folder / name
        return self.folders[-1] / name

    def load_or_compute(self, name: str, kind: type[_A], compute: Callable[[], _A]) -> _A:
        path = self.path(name)
        if not path.is_file():
            self._before_write()
        return load_or_compute(path, kind, compute)

    def load(self, name: str, kind: type[_A]) -> _A | None:
        return read_artifact(self.path(name), kind)

    def store(self, name: str, result: Artifact) -> None:
        self._before_write()
        write_artifact(self.folders[-1] / name, result)

    def load_json(self, name: str) -> Any:
        try:
            return json.loads(self.folders[-1].joinpath(name).read_text())
        except (OSError, ValueError):
            return None

    def store_json(self, name: str, value: object) -> None:
        self._before_write()
        write_json(self.folders[-1] / name, value)


class MemoryResults:
    """Results kept in memory for as long as the handle lives (a file on the command line,
    where nothing is written beside the user's file)."""

    def __init__(self) -> None:
        self._results: dict[str, object] = {}

    def load_or_compute(self, name: str, kind: type[_A], compute: Callable[[], _A]) -> _A:
        found = self.load(name, kind)
        if found is None:
            found = compute()
            self._results[name] = found
        return found

    def load(self, name: str, kind: type[_A]) -> _A | None:
        found = self._results.get(name)
        return found if isinstance(found, kind) else None

    def store(self, name: str, result: Artifact) -> None:
        self._results[name] = result

    def load_json(self, name: str) -> Any:
        return self._results.get(name)

    def store_json(self, name: str, value: object) -> None:
        self._results[name] = value
