"""Directions in the space: vector arithmetic (``king - man + woman``) and concept axes.

An expression is texts joined by `` + `` and `` - `` (quotes keep a term that holds those
characters: ``"rock - paper" + scissors``); each term is embedded with the dataset's model and
the signed sum, made unit length, is a point to search around. A concept axis runs from one
set of texts to another (``hot, boiling`` against ``cold, freezing``): every row is placed by
how far it lies along it, as the TensorFlow Projector's custom projection does with labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from embedding_space.analysis.neighbors import Neighbor, top_k
from embedding_space.errors import InputError
from embedding_space.limits import MAX_AXIS_END_CHARS, MAX_AXIS_END_TEXTS, MAX_EXPRESSION_CHARS
from embedding_space.types import FloatMatrix

__all__ = [
    "Arithmetic",
    "ConceptAxis",
    "Term",
    "arithmetic",
    "axis_between",
    "combine_terms",
    "concept_map",
    "parse_expression",
    "parse_side",
]

MAX_TERMS = 20


@dataclass(frozen=True)
class Term:
    """One text of an expression, with its sign (+1 or -1)."""

    text: str
    sign: int


def parse_expression(expression: str) -> list[Term]:
    """Split ``"king - man + woman"`` into signed terms.

    Terms are separated by `` + `` or `` - `` with a space on each side (so ``e-mail`` and
    ``top-up`` stay one term); a term in double quotes may hold anything. A leading ``-``
    negates the first term.

    Raises:
        InputError: The expression is empty, longer than
            :data:`~embedding_space.limits.MAX_EXPRESSION_CHARS`, has an empty term, an
            unclosed quote, or more than :data:`MAX_TERMS` terms.
    """
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise InputError(
            f"The expression has {len(expression):,} characters; it may have at most "
            f"{MAX_EXPRESSION_CHARS:,}. Shorten it."
        )
    text = " ".join(expression.split())
    if not text:
        raise InputError("The expression is empty; write texts joined by ' + ' and ' - '.")
    if text.count('"') % 2:
        raise InputError("A quote in the expression is not closed.")
    sign = 1
    if text[:2] in ("- ", "+ "):
        sign, text = (-1 if text[0] == "-" else 1), text[2:]
    pieces: list[tuple[int, str]] = []
    current: list[str] = []
    quoted = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and text[index : index + 3] in (" + ", " - "):
            pieces.append((sign, "".join(current)))
            sign = -1 if text[index + 1] == "-" else 1
            current = []
            index += 3
            continue
        else:
            current.append(char)
        index += 1
    pieces.append((sign, "".join(current)))
    terms = [Term(body.strip(), term_sign) for term_sign, body in pieces]
    dangling = re.compile(r"^[+-]( |$)|(^| )[+-]$")
    if any(dangling.search(term.text) for term in terms if not term.text.startswith('"')):
        raise InputError("The expression has a sign with no text after it (or two in a row).")
    if any(not term.text for term in terms):
        raise InputError("The expression has an empty term; put a text on both sides of each sign.")
    if len(terms) > MAX_TERMS:
        raise InputError(f"An expression may have at most {MAX_TERMS} terms, not {len(terms)}.")
    return terms


def combine_terms(vectors: FloatMatrix, signs: Sequence[int]) -> FloatMatrix:
    """The signed sum of the terms' unit vectors, made unit length: shape ``(d,)``.

    Raises:
        InputError: The terms cancel out (the sum is zero).
    """
    units = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    total = (np.asarray(signs, dtype=np.float32)[:, None] * units).sum(axis=0)
    norm = float(np.linalg.norm(total))
    if norm < 1e-6:
        raise InputError("The terms cancel out; there is no direction left to search.")
    return np.asarray(total / norm, dtype=np.float32)


@dataclass(frozen=True)
class Arithmetic:
    """What an expression's vector finds.

    Attributes:
        terms: The expression's signed texts.
        vector: The signed sum of their unit vectors, made unit length, shape ``(d,)``.
        neighbors: The rows nearest it, ranked from 1, the terms' own rows left out.
    """

    terms: list[Term]
    vector: FloatMatrix
    neighbors: list[Neighbor]


def arithmetic(
    vectors: FloatMatrix,
    texts: Sequence[str],
    terms: Sequence[Term],
    term_vectors: FloatMatrix,
    k: int,
) -> Arithmetic:
    """The ``k`` rows nearest an expression's vector (cosine), leaving out every row whose
    text is one of the terms: ``king - man + woman`` would otherwise find "king" itself.

    Args:
        vectors: The rows, shape ``(n, d)``.
        texts: Their ``n`` texts.
        terms: From :func:`parse_expression`.
        term_vectors: The terms embedded with the rows' model, shape ``(len(terms), d)``.
        k: How many rows.

    Raises:
        InputError: The terms cancel out.
    """
    vector = combine_terms(term_vectors, [term.sign for term in terms])
    wanted = {term.text for term in terms}
    own = {row for row, text in enumerate(texts) if text in wanted}
    found = [n for n in top_k(vectors, vector, k + len(own)) if n.row not in own][:k]
    ranked = [replace(neighbor, rank=rank) for rank, neighbor in enumerate(found, start=1)]
    return Arithmetic(list(terms), vector, ranked)


def parse_side(text: str) -> list[str]:
    """The texts of one end of an axis: ``"he, him, his"`` -> ``["he", "him", "his"]``.

    Raises:
        InputError: The end is longer than :data:`~embedding_space.limits.MAX_AXIS_END_CHARS`
            or holds more than :data:`~embedding_space.limits.MAX_AXIS_END_TEXTS` texts.
    """
    if len(text) > MAX_AXIS_END_CHARS:
        raise InputError(
            f"An end of the axis has {len(text):,} characters; it may have at most "
            f"{MAX_AXIS_END_CHARS:,}. Use fewer or shorter texts."
        )
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > MAX_AXIS_END_TEXTS:
        raise InputError(
            f"An end of the axis has {len(parts):,} texts; it may have at most "
            f"{MAX_AXIS_END_TEXTS}. Keep the ones that say the concept best."
        )
    return parts


@dataclass(frozen=True)
class ConceptAxis:
    """A direction from one set of texts to another.

    Attributes:
        direction: Unit vector of shape ``(d,)``, from the second end towards the first.
        midpoint: Shape ``(d,)``: halfway between the ends' means (where a row scores 0).
        name: ``"hot – cold"``.
    """

    direction: FloatMatrix
    midpoint: FloatMatrix
    name: str

    def positions(self, vectors: FloatMatrix) -> FloatMatrix:
        """Each row's place along the axis: positive towards the first end, shape ``(n,)``."""
        units = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.asarray((units - self.midpoint) @ self.direction, dtype=np.float32)


def axis_between(first: FloatMatrix, second: FloatMatrix, name: str = "axis") -> ConceptAxis:
    """The axis from the mean of ``second``'s vectors to the mean of ``first``'s.

    Args:
        first: Shape ``(a, d)``: the texts of the positive end.
        second: Shape ``(b, d)``: the texts of the negative end.
        name: What to call it.

    Raises:
        InputError: An end has no texts, or both ends mean the same.
    """
    if len(first) == 0 or len(second) == 0:
        raise InputError("Each end of an axis needs at least one text.")

    def mean(vectors: FloatMatrix) -> FloatMatrix:
        units = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return np.asarray(units.mean(axis=0), dtype=np.float32)

    a, b = mean(first), mean(second)
    norm = float(np.linalg.norm(a - b))
    if norm < 1e-6:
        raise InputError("The two ends of the axis mean the same; choose texts that differ.")
    direction = np.asarray((a - b) / norm, dtype=np.float32)
    return ConceptAxis(direction, np.asarray((a + b) / 2, dtype=np.float32), name)


def concept_map(vectors: FloatMatrix, x: ConceptAxis, y: ConceptAxis | None = None) -> FloatMatrix:
    """Rows placed by their positions on one or two axes: shape ``(n, 2)`` (y is 0 without a
    second axis)."""
    xs = x.positions(vectors)
    ys = y.positions(vectors) if y is not None else np.zeros_like(xs)
    return np.ascontiguousarray(np.stack([xs, ys], axis=1), dtype=np.float32)
