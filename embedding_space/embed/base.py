"""What every embedder offers, and the batched embedding loop that caches and resumes.

An embedder is anything with the :class:`Embedder` protocol's few attributes: a
sentence-transformers model (:mod:`~embedding_space.embed.sentence`) today, the traditional
bag-of-words and TF-IDF embedders tomorrow. :func:`embed` runs any of them in batches, reading
and filling the per-text disk cache, so callers never depend on which kind they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from embedding_space.embed.cache import SHARED_SCOPE, EmbeddingCache, hash_text
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix, ProgressCallback

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FIRST_BATCH_SIZE",
    "Embedder",
    "EmbeddingResult",
    "ModelIdentity",
    "check_dimension",
    "embed",
    "embed_query",
    "reads_images",
]

DEFAULT_BATCH_SIZE = 64
FIRST_BATCH_SIZE = 8
"""The first batch is this small, so the first progress report (and the first time left) comes
within a second or two rather than after a full batch of the longest texts, which also pays
for the model's warm-up."""


class Embedder(Protocol):
    """Turns texts into vectors of one fixed dimension.

    Attributes:
        name: The name the user gave (shown in messages, stored with results).
        dimension: The length ``d`` of each vector.
        cache_key: Identifies the vectors this embedder makes: two embedders with the same key
            give the same vector for the same text.
        fitted_on_corpus: Whether the vectors depend on the whole corpus the embedder was
            fitted on (TF-IDF weights, say) rather than on each text alone; the per-text cache
            is then skipped, since a text's vector changes with its neighbours.
        max_seq_length: How many tokens of each text the embedder reads, or ``None`` when it
            reads the whole text.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def cache_key(self) -> str: ...

    @property
    def fitted_on_corpus(self) -> bool: ...

    @property
    def max_seq_length(self) -> int | None: ...

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed one batch, no cache: ``n`` texts in, an ``(n, d)`` float32 array out."""
        ...

    def count_truncated(self, texts: Sequence[str]) -> int:
        """How many of the texts are longer than the embedder reads."""
        ...


@dataclass(frozen=True)
class ModelIdentity:
    """What the app must know of a model before it embeds anything: which stored vectors are
    its, and how much of each text it reads. Read from the model's files where they say
    (see ``embed.models.model_identity``), so a stored map is shown without loading it.

    Attributes:
        cache_key: The key the loaded model's :attr:`Embedder.cache_key` will have.
        max_seq_length: Its :attr:`Embedder.max_seq_length`.
        reads_images: Whether it embeds images as well (see ``embed.images``).
    """

    cache_key: str
    max_seq_length: int | None
    reads_images: bool = False

    @classmethod
    def of(cls, embedder: Embedder) -> ModelIdentity:
        """The identity of a loaded embedder."""
        return cls(embedder.cache_key, embedder.max_seq_length, reads_images(embedder))


def reads_images(embedder: object) -> bool:
    """Whether an embedder's model embeds images (a CLIP model) as well as texts (see
    ``embed.images``)."""
    return bool(getattr(embedder, "reads_images", False))


@dataclass(frozen=True)
class EmbeddingResult:
    """Vectors for a list of texts and what happened on the way.

    Attributes:
        vectors: Array of shape ``(n, d)``, float32, in input order.
        truncated: How many texts were longer than the model reads.
        from_cache: How many texts were found in the cache rather than run through the model.
    """

    vectors: FloatMatrix
    truncated: int
    from_cache: int


def embed(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    cache_scope: str = SHARED_SCOPE,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    plan: Callable[[list[int]], None] | None = None,
) -> EmbeddingResult:
    """Embed texts, reusing and filling the disk cache.

    A text embedded before with the same model is read from the cache and never runs the model
    again. Each batch is stored as soon as it is done, so an interrupted run resumes where it
    stopped. Repeated texts run through the model once. The texts still to embed are sorted by
    length across the whole input, longest first, before they are batched (the first batch
    holds only :data:`FIRST_BATCH_SIZE` texts, so progress shows at once); the result is in
    input order. An embedder fitted on its corpus
    bypasses the cache (see :attr:`Embedder.fitted_on_corpus`).

    Args:
        texts: ``n`` texts.
        embedder: Any :class:`Embedder`.
        cache: Where vectors are kept between runs; ``None`` computes everything.
        cache_scope: Whose texts these are (see :mod:`~embedding_space.embed.cache`): only
            vectors of this scope are read, and new ones are stored in it.
        batch_size: Texts per model call.
        progress: Called as ``progress(done, total)``; cached texts count as done at once.
        plan: Called once, before ``progress`` is first called, with the length in characters
            of each text still to embed, in the order they are embedded (longest first): what
            :class:`~embedding_space.embed.progress.TimeLeft` weighs the batches by.

    Returns:
        The vectors, shape ``(n, d)``, and counts of truncated and cached texts.

    Raises:
        InputError: ``batch_size`` is not positive.
    """
    if batch_size < 1:
        raise InputError(f"batch_size must be a positive number, not {batch_size}.")
    if embedder.fitted_on_corpus:
        cache = None
    total = len(texts)
    vectors = np.zeros((total, embedder.dimension), dtype=np.float32)
    hashes = [hash_text(text) for text in texts]
    known = {} if cache is None else cache.get_many(embedder.cache_key, hashes, scope=cache_scope)
    missing_by_hash: dict[str, list[int]] = {}
    for row, text_hash in enumerate(hashes):
        if text_hash in known:
            vectors[row] = known[text_hash]
        else:
            missing_by_hash.setdefault(text_hash, []).append(row)
    done = total - sum(len(rows) for rows in missing_by_hash.values())
    # Longest first, so each batch holds texts of about one length: padding, which the model
    # computes and throws away, shrinks; the rows map every vector back to its place.
    pending = sorted(missing_by_hash.items(), key=lambda item: -len(texts[item[1][0]]))
    if plan is not None:
        plan([len(texts[rows[0]]) for _, rows in pending for _ in rows])
    if progress is not None:
        progress(done, total)
    first = min(batch_size, FIRST_BATCH_SIZE)
    starts = [0, *range(first, len(pending), batch_size)]
    for start, stop in zip(starts, [*starts[1:], len(pending)], strict=True):
        batch = pending[start:stop]
        if not batch:
            break
        batch_vectors = embedder.encode([texts[rows[0]] for _, rows in batch])
        for (_, rows), vector in zip(batch, batch_vectors, strict=True):
            vectors[rows] = vector
        if cache is not None:
            batch_hashes = [text_hash for text_hash, _ in batch]
            cache.put_many(embedder.cache_key, batch_hashes, batch_vectors, scope=cache_scope)
        done += sum(len(rows) for _, rows in batch)
        if progress is not None:
            progress(done, total)
    return EmbeddingResult(
        vectors=vectors,
        truncated=embedder.count_truncated(texts),
        from_cache=len(texts) - sum(len(rows) for _, rows in pending),
    )


def check_dimension(embedder: Embedder, dimension: int) -> None:
    """Refuse an embedder whose vectors cannot be compared with vectors of ``dimension``.

    Raises:
        InputError: The dimensions differ; the message names the model.
    """
    if embedder.dimension != dimension:
        raise InputError(
            f"The model '{embedder.name}' makes {embedder.dimension}-dimensional vectors but "
            f"these vectors have {dimension}; choose the model that made them."
        )


def embed_query(text: str, embedder: Embedder, *, dimension: int | None = None) -> FloatMatrix:
    """Embed one search text (never cached: queries are one-off).

    Args:
        text: The query.
        embedder: The model that made the vectors it is compared with.
        dimension: Their dimension, checked with :func:`check_dimension` when given.

    Returns:
        Array of shape ``(d,)``.

    Raises:
        InputError: The text is blank, or the dimensions differ.
    """
    if not text.strip():
        raise InputError("The query is empty; type a text to search for.")
    if dimension is not None:
        check_dimension(embedder, dimension)
    return np.ascontiguousarray(embedder.encode([text])[0], dtype=np.float32)
