"""Texts in, vectors out: the :class:`Embedder` protocol, its sentence-transformers
implementation, and the per-text disk cache that makes a second embedding instant."""

from embedding_space.embed.base import (
    DEFAULT_BATCH_SIZE,
    Embedder,
    EmbeddingResult,
    ModelIdentity,
    check_dimension,
    embed,
    embed_query,
)
from embedding_space.embed.cache import SHARED_SCOPE, EmbeddingCache, hash_text
from embedding_space.embed.progress import Estimate, TimeLeft, text_costs
from embedding_space.embed.sentence import (
    DEFAULT_MODEL,
    SentenceEmbedder,
    load_embedder,
    precision_free_key,
    resolve_model_source,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MODEL",
    "SHARED_SCOPE",
    "Embedder",
    "EmbeddingCache",
    "EmbeddingResult",
    "Estimate",
    "ModelIdentity",
    "SentenceEmbedder",
    "TimeLeft",
    "check_dimension",
    "embed",
    "embed_query",
    "hash_text",
    "load_embedder",
    "precision_free_key",
    "resolve_model_source",
    "text_costs",
]
