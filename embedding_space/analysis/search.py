"""Finding rows by what they say: plain text, regular expressions, and meaning.

Plain text ignores case. A regular expression uses Python's ``re`` syntax and is checked by
``re`` (so its messages are Python's), then run by the ``regex`` module, which understands the
same syntax and can stop: a pattern that backtracks without end (``(x+x+)+y``) would
otherwise hold a core for ever. Semantic search compares a query's vector with every row's.
"""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from embedding_space.analysis.neighbors import Neighbor, top_k
from embedding_space.analysis.parameters import default_of
from embedding_space.errors import InputError
from embedding_space.limits import MAX_PATTERN_CHARS, MAX_PATTERN_UNROLLED, MAX_QUERY_CHARS
from embedding_space.types import FloatMatrix

__all__ = [
    "MAX_REGEX_SECONDS",
    "SEARCH_KINDS",
    "Match",
    "check_query",
    "rows_containing",
    "rows_matching",
    "search",
    "semantic_search",
]

SEARCH_KINDS = ("text", "regex", "semantic")
MAX_REGEX_SECONDS = 5.0
"""A regular expression may be compiled and search all rows for this long at most."""


@dataclass(frozen=True)
class Match:
    """One row a search found.

    Attributes:
        row: Its row id.
        score: 1.0 for a text or pattern match; the cosine similarity for semantic search.
    """

    row: int
    score: float


def check_query(query: str, what: str = "search") -> None:
    """Raise an :class:`InputError` when ``query`` is longer than
    :data:`~embedding_space.limits.MAX_QUERY_CHARS`; ``what`` names it in the message."""
    if len(query) > MAX_QUERY_CHARS:
        raise InputError(
            f"The {what} has {len(query):,} characters; it may have at most "
            f"{MAX_QUERY_CHARS:,}. Shorten it."
        )


def rows_containing(values: Sequence[str], needle: str) -> list[int]:
    """The rows whose value contains ``needle``, ignoring case and surrounding spaces.

    Args:
        values: ``n`` values (a column, as text).
        needle: The text to look for; an empty or blank needle matches nothing.

    Returns:
        Row ids, ascending.
    """
    wanted = needle.strip().casefold()
    if not wanted:
        return []
    return [row for row, value in enumerate(values) if wanted in value.casefold()]


def rows_matching(
    values: Sequence[str], pattern: str, *, seconds: float = MAX_REGEX_SECONDS
) -> list[int]:
    """The rows where a regular expression finds a match (``re.search`` semantics).

    Case matters unless the pattern says otherwise (``(?i)``).

    Args:
        values: ``n`` values.
        pattern: Python ``re`` syntax.
        seconds: How long the whole search may take.

    Returns:
        Row ids, ascending; an empty pattern matches nothing.

    Raises:
        InputError: The pattern is longer than :data:`~embedding_space.limits.MAX_PATTERN_CHARS`,
            not valid (the message names the problem and where), or compiling and searching
            took longer than ``seconds``.
    """
    if not pattern:
        return []
    if len(pattern) > MAX_PATTERN_CHARS:
        raise InputError(
            f"The pattern has {len(pattern):,} characters; a regular expression may have at "
            f"most {MAX_PATTERN_CHARS:,}. Shorten it."
        )
    ends = time.monotonic() + seconds
    try:
        re.compile(pattern)
        size = _unrolled_size(importlib.import_module("re._parser").parse(pattern))
    except re.error as error:
        where = f" at position {error.pos}" if error.pos is not None else ""
        raise InputError(
            f"The pattern is not a valid regular expression: {error.msg}{where}."
        ) from None
    if size > MAX_PATTERN_UNROLLED:
        raise InputError(
            "The pattern repeats a repeat too many times (such as (a{100}){100}): written "
            f"out it would be {size:,} steps long, and at most {MAX_PATTERN_UNROLLED:,} are "
            "allowed. Use fewer or smaller counts."
        )
    import regex

    compiled = regex.compile(pattern, flags=regex.VERSION0)
    found = []
    for row, value in enumerate(values):
        left = ends - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            if compiled.search(value, timeout=left):
                found.append(row)
        except TimeoutError:
            raise InputError(
                f"The pattern took longer than {seconds:g} seconds to search the rows and was "
                "stopped; nested repeats such as (a+)+ can take for ever. Simplify it."
            ) from None
    return found


_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


def _unrolled_size(parsed: Any) -> int:
    """How many steps a parsed pattern (``re._parser``) takes written out with every repeat's
    least count unrolled, as the ``regex`` module compiles it: ``(?:(?:a{100}){100}){100}``
    is 40 characters and a million steps, some 300 MB."""
    total = 0
    for op, argument in parsed:
        name = str(op)
        if name in _REPEATS:
            low, _, body = argument
            total += max(int(low), 1) * _unrolled_size(body)
        elif name == "SUBPATTERN":
            total += _unrolled_size(argument[-1])
        elif name == "ATOMIC_GROUP":
            total += _unrolled_size(argument)
        elif name in ("ASSERT", "ASSERT_NOT"):
            total += _unrolled_size(argument[1])
        elif name == "BRANCH":
            total += sum(_unrolled_size(branch) for branch in argument[1])
        elif name == "GROUPREF_EXISTS":
            total += sum(_unrolled_size(branch) for branch in argument[1:] if branch)
        else:
            total += 1
        if total > MAX_PATTERN_UNROLLED:
            return total  # enough to refuse it; a deeper walk could itself take long
    return total


def semantic_search(
    vectors: FloatMatrix, query: FloatMatrix, k: int = default_of("search_k", int)
) -> list[Match]:
    """The ``k`` rows nearest in meaning to a query vector (cosine), best first.

    Args:
        vectors: Array of shape ``(n, d)``.
        query: Array of shape ``(d,)``, embedded with the model that made ``vectors``.
        k: How many rows.
    """
    neighbors: list[Neighbor] = top_k(vectors, np.asarray(query, dtype=np.float32), k=k)
    return [Match(neighbor.row, neighbor.score) for neighbor in neighbors]


def search(
    kind: str,
    query: str,
    *,
    values: Sequence[str],
    vectors: FloatMatrix,
    embed: Callable[[str], FloatMatrix],
    k: int | None = None,
) -> list[Match]:
    """One search, of any kind: the rows whose value contains ``query`` (``text``), that a
    pattern matches (``regex``), or that are nearest it in meaning (``semantic``).

    Args:
        kind: One of :data:`SEARCH_KINDS`.
        query: What to look for; a blank query finds nothing.
        values: The ``n`` values a text or pattern search reads (a column, as text).
        vectors: The rows, shape ``(n, d)``, for a search by meaning.
        embed: Embeds the query with the rows' model, shape ``(d,)`` (called for
            ``semantic`` only).
        k: At most this many rows; every match when ``None`` (a search by meaning then
            gives the ``search_k`` setting's default).

    Returns:
        The matches: best first by meaning, in row order otherwise.

    Raises:
        InputError: An unknown kind, a query longer than
            :data:`~embedding_space.limits.MAX_QUERY_CHARS`, a bad pattern, or a query that
            cannot be embedded.
    """
    if kind not in SEARCH_KINDS:
        raise InputError(f"kind must be one of {', '.join(SEARCH_KINDS)}, not {kind!r}.")
    check_query(query)
    if k is not None and k < 1:
        raise InputError(f"k must be at least 1, not {k}.")
    if not query.strip():
        return []
    if kind == "semantic":
        return semantic_search(vectors, embed(query), k or default_of("search_k", int))
    rows = rows_containing(values, query) if kind == "text" else rows_matching(values, query)
    return [Match(row, 1.0) for row in rows[:k]]
