"""How much typed text and how large a link the app and the CLI take: every cap in one place.

Each cap bounds work a visitor can ask for with a few keystrokes or a crafted link; past it
the caller gets an :class:`~embedding_space.errors.InputError` whose message says the limit
and what to do, never a traceback. Measured on the bundled model (all-MiniLM-L6-v2, 2 cores):
embedding costs about 13 CPU-ms a short text, and a model reads at most 256 word pieces
(about 1,000 characters) of any text, so longer typed texts buy nothing but memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from embedding_space.errors import InputError

__all__ = [
    "MAX_AXIS_END_CHARS",
    "MAX_AXIS_END_TEXTS",
    "MAX_EXPRESSION_CHARS",
    "MAX_LINK_PARTS",
    "MAX_LINK_VALUE_CHARS",
    "MAX_PATTERN_CHARS",
    "MAX_PATTERN_UNROLLED",
    "MAX_QUERY_CHARS",
    "MAX_STORED_VALUE_CHARS",
    "MAX_TYPED_TEXTS",
    "MAX_TYPED_TEXT_CHARS",
    "check_typed_texts",
]

MAX_QUERY_CHARS = 1_000
"""A search (text, pattern or meaning), in characters: a model reads no more of it, and a
5 MB query cost 715 MB and 18 CPU-seconds."""
MAX_PATTERN_CHARS = 1_000
"""A regular expression, in characters: a 690 KB pattern took 16.7 s, most of it compiling,
which the search's time limit (``analysis.search.MAX_REGEX_SECONDS``) now counts as well."""
MAX_PATTERN_UNROLLED = 100_000
"""A regular expression written out with every repeat's least count unrolled, in steps: the
``regex`` module compiles ``(?:(?:(?:a{100}){100}){100})`` (40 characters) into a million
steps and 300 MB, and a fourth level ran out of memory; 100,000 steps compile in about 0.1 s
and 40 MB."""
MAX_TYPED_TEXT_CHARS = 2_000
"""One typed text that is embedded (a search by meaning, the Neighbours page's sentence, a
concept axis's text, an expression's term, a text dropped on the map)."""
MAX_TYPED_TEXTS = 64
"""Typed texts embedded in one go: about 1 CPU-second (64 texts of 2,000 characters measured
0.8). ~4,300 axis terms cost 55 CPU-seconds on every rerun."""
MAX_AXIS_END_TEXTS = 16
"""Texts (separated by commas) at one end of a concept axis: four ends make 64 at most, about
1 CPU-second each time the page runs (128 measured 2.0 CPU-seconds)."""
MAX_AXIS_END_CHARS = 2_000
"""One end of a concept axis, in characters, checked before it is split."""
MAX_EXPRESSION_CHARS = 2_000
"""A ``king - man + woman`` expression, in characters, checked before it is parsed (it may
also hold at most ``analysis.concepts.MAX_TERMS`` terms)."""
MAX_LINK_VALUE_CHARS = 4_000
"""One part of a view's link (``sel=``, ``q=``, a filter, a note …), in characters, checked
before it is read: equal to ``views.view.MAX_LINK_SELECTION_CHARS``, the longest selection a
link the app writes carries. A 63 KB ``sel=`` cost 112 CPU-seconds every time the page
opened."""
MAX_STORED_VALUE_CHARS = 2_000_000
"""One part of a view kept in a saved view or a story, which keep the whole selection: room
for ``rows.MAX_DECODED_ROWS`` scattered rows and no more."""
MAX_LINK_PARTS = 200
"""Parts of a view's link at most: the fullest view the app writes has about 160 (its
settings, 100 cluster names, 20 notes, 8 filters)."""


def check_typed_texts(texts: Sequence[str]) -> None:
    """Raise an :class:`~embedding_space.errors.InputError` when typed texts about to be
    embedded are more than :data:`MAX_TYPED_TEXTS` or one is longer than
    :data:`MAX_TYPED_TEXT_CHARS`."""
    if len(texts) > MAX_TYPED_TEXTS:
        raise InputError(
            f"{len(texts):,} typed texts are too many to embed at once; give at most "
            f"{MAX_TYPED_TEXTS}."
        )
    longest = max((len(text) for text in texts), default=0)
    if longest > MAX_TYPED_TEXT_CHARS:
        raise InputError(
            f"A typed text has {longest:,} characters; it may have at most "
            f"{MAX_TYPED_TEXT_CHARS:,} (the model reads no more). Shorten it."
        )
