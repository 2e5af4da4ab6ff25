"""Finding rows by what their text says."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["rows_containing"]


def rows_containing(texts: Sequence[str], needle: str) -> list[int]:
    """The rows whose text contains ``needle``, ignoring case and surrounding spaces.

    Args:
        texts: ``n`` texts.
        needle: The text to look for; an empty or blank needle matches nothing.

    Returns:
        Row ids, ascending.
    """
    wanted = needle.strip().casefold()
    if not wanted:
        return []
    return [row for row, text in enumerate(texts) if wanted in text.casefold()]
