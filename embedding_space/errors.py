"""The one exception hierarchy a caller of the core needs to catch."""

from __future__ import annotations

__all__ = ["EmbeddingSpaceError", "InputError", "ModelLoadError"]


class EmbeddingSpaceError(Exception):
    """Base class of every error the core raises on purpose."""


class InputError(EmbeddingSpaceError, ValueError):
    """Something the user can fix: a bad file, a bad parameter, too few rows.

    The message is a full sentence that says what was wrong and what to do.
    """


class ModelLoadError(InputError):
    """An embedding model could not be loaded; the message names it and the reason."""
