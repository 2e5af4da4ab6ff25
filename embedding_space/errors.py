"""The one exception hierarchy a caller of the core needs to catch, and how its sentences count."""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = [
    "DamagedFileError",
    "DiskFullError",
    "EmbeddingSpaceError",
    "InputError",
    "ModelLoadError",
    "disk_full",
    "is_disk_full",
    "plural",
]


class EmbeddingSpaceError(Exception):
    """Base class of every error the core raises on purpose."""


class InputError(EmbeddingSpaceError, ValueError):
    """Something the user can fix: a bad file, a bad parameter, too few rows.

    The message is a full sentence that says what was wrong and what to do.
    """


class ModelLoadError(InputError):
    """An embedding model could not be loaded; the message names it and the reason."""


class DamagedFileError(InputError):
    """A stored file cannot be read back (truncated, overwritten, or missing).

    Attributes:
        path: The file.
        recomputable: Whether it is computed from the dataset's table (embeddings, maps), so
            removing it and computing it again repairs the dataset; else only removing the
            dataset (and adding its file again) does.
    """

    def __init__(self, path: Path, what: str, reason: str, *, recomputable: bool) -> None:
        self.path = path
        self.recomputable = recomputable
        remedy = (
            "Compute it again from the table, or remove the dataset."
            if recomputable
            else "Remove the dataset and add its file again."
        )
        super().__init__(
            f"The {what} file {_shown(path)} is damaged and cannot be read ({reason}). {remedy}"
        )


def _shown(path: Path) -> str:
    # The dataset's folder and the file inside it: enough to find it, short enough to read.
    parts = path.parts
    inside = parts.index("datasets") + 1 if "datasets" in parts else max(len(parts) - 3, 0)
    return "/".join(parts[inside:])


class DiskFullError(InputError):
    """The workspace's disk is full: what was being saved was not, and nothing stored before
    was changed (every write is whole or absent)."""


def disk_full(what: str) -> DiskFullError:
    """The sentence for a write the disk had no room for; ``what`` is what was being saved."""
    return DiskFullError(
        f"The disk is full: {what} could not be saved, and nothing was lost (what was stored "
        "before is unchanged). Free some space on the server, or delete a dataset in the "
        "Workspace tab, and try again."
    )


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the owner's disk quota) had no room: an ``OSError``
    of ``ENOSPC``/``EDQUOT``, or SQLite's "database or disk is full"."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return "database or disk is full" in str(error)


def plural(count: int, noun: str) -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,204 rows"``: a count and its noun, for messages."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
