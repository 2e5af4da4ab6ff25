"""Sets of row ids written as compact ranges: ``[1, 2, 3, 7]`` is ``"1-3.7"``.

Links, stored selections and widget state carry row ids this way, so a selection of 100,000
neighbouring rows costs a few characters rather than a list of 100,000 numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "COMBINATIONS",
    "MAX_DECODED_ROWS",
    "combine_rows",
    "decode_rows",
    "encode_rows",
    "sample_rows",
]

COMBINATIONS = ("union", "intersection", "difference")
"""How two sets of rows combine: rows in either, in both, or in the first only."""

MAX_DECODED_ROWS = 200_000
""":func:`decode_rows` never gives more rows than this, whatever its ranges claim."""


def encode_rows(rows: Iterable[int]) -> str:
    """Row ids as ranges joined by dots: ``[1, 2, 3, 7]`` -> ``"1-3.7"``; order and repeats
    do not matter."""
    parts: list[str] = []
    ordered = sorted(set(rows))
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[start], ordered[end]
        parts.append(str(first) if first == last else f"{first}-{last}")
        start = end + 1
    return ".".join(parts)


def decode_rows(
    text: str, row_count: int = MAX_DECODED_ROWS, *, limit: int = MAX_DECODED_ROWS
) -> list[int]:
    """The inverse of :func:`encode_rows`, keeping only ids below ``row_count``.

    Anything malformed yields no rows; ranges are clipped before they are expanded, so a
    hand-edited link cannot ask for billions of rows.

    Args:
        text: Ranges such as ``"1-3.7"``.
        row_count: The dataset's number of rows; ids at or above it are dropped.
        limit: The most rows given back; raise it only for ranges the program wrote itself.

    Returns:
        Sorted, distinct row ids, at most ``limit`` of them.
    """
    limit = min(row_count, limit)
    rows: set[int] = set()
    try:
        for part in filter(None, text.split(".")):
            first, _, last = part.partition("-")
            start, end = int(first), int(last or first)
            if start < 0 or end < start:
                return []
            rows.update(range(start, min(end, limit - 1) + 1))
    except ValueError:
        return []
    return sorted(rows)


def combine_rows(first: Iterable[int], second: Iterable[int], how: str) -> list[int]:
    """Two sets of rows combined (see :data:`COMBINATIONS`), sorted.

    Raises:
        ValueError: ``how`` is not one of :data:`COMBINATIONS`.
    """
    a, b = set(first), set(second)
    if how == "union":
        return sorted(a | b)
    if how == "intersection":
        return sorted(a & b)
    if how == "difference":
        return sorted(a - b)
    raise ValueError(f"how must be one of {', '.join(COMBINATIONS)}, not {how!r}")


def sample_rows(count: int, limit: int, random_state: int = 0) -> npt.NDArray[np.intp]:
    """A uniform sample of ``limit`` of ``count`` row ids, sorted, the same for the same
    ``random_state``; every row when there are no more than ``limit``."""
    if count <= limit:
        return np.arange(count, dtype=np.intp)
    chosen = np.random.default_rng(random_state).choice(count, size=limit, replace=False)
    return np.sort(chosen).astype(np.intp)
