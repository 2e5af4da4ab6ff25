"""The one exception hierarchy a caller of the core needs to catch, and how its sentences count."""

from __future__ import annotations

__all__ = ["EmbeddingSpaceError", "InputError", "ModelLoadError", "plural"]


class EmbeddingSpaceError(Exception):
    """Base class of every error the core raises on purpose."""


class InputError(EmbeddingSpaceError, ValueError):
    """Something the user can fix: a bad file, a bad parameter, too few rows.

    The message is a full sentence that says what was wrong and what to do.
    """


class ModelLoadError(InputError):
    """An embedding model could not be loaded; the message names it and the reason."""


def plural(count: int, noun: str) -> str:
    """``"1 row"``, ``"2 rows"``, ``"1,204 rows"``: a count and its noun, for messages."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
