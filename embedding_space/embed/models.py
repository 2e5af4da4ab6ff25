"""Any model by its name: a traditional embedder (``bow``, ``onehot``, ``tfidf``, ``lsa[:DIM]``),
the fast preview model (``embed.static``) or a sentence-transformers model; and the fitting the
traditional ones need first."""

from __future__ import annotations

from collections.abc import Sequence

from embedding_space.embed.base import Embedder, ModelIdentity
from embedding_space.embed.sentence import (
    BUNDLED_NAMES,
    DEFAULT_MODEL,
    load_embedder,
    read_identity,
)
from embedding_space.embed.static import PREVIEW_MODEL, is_preview, load_preview, preview_identity
from embedding_space.embed.traditional import TraditionalEmbedder, parse_traditional

__all__ = [
    "canonical_name",
    "fitted_on",
    "is_traditional",
    "load_model",
    "load_query_model",
    "model_identity",
]


def is_traditional(name: str) -> bool:
    """Whether ``name`` names a traditional embedder rather than a deep model."""
    return parse_traditional(name) is not None


def canonical_name(name: str) -> str:
    """One name per model, for caches of loaded models: the bundled model answers to
    ``all-MiniLM-L6-v2`` and ``sentence-transformers/all-MiniLM-L6-v2`` alike, the preview model
    to its full name and ``preview``."""
    name = name.strip()
    if is_preview(name):
        return PREVIEW_MODEL
    return DEFAULT_MODEL if name in BUNDLED_NAMES else name


def load_model(name: str, precision: str | None = None) -> Embedder:
    """The embedder a model name stands for; a traditional one comes unfitted.

    Raises:
        ModelLoadError: A deep model that cannot be loaded.
        InputError: A malformed traditional name (``lsa:x``).
    """
    parsed = parse_traditional(name)
    if parsed is not None:
        return TraditionalEmbedder(*parsed)
    if is_preview(name):
        return load_preview()
    return load_embedder(name, precision=precision)


def load_query_model(name: str, precision: str | None = None) -> Embedder:
    """A model for a few typed texts (a query, an expression's terms) in a process that loads
    it for nothing else, the command line: the NumPy path of ``embed.light`` where the model
    is one it runs (the bundled one is; it loads in about a second, where torch and
    sentence-transformers take 10-15 s), else :func:`load_model`.

    Raises:
        ModelLoadError: A deep model that cannot be loaded.
        InputError: A malformed traditional name (``lsa:x``).
    """
    if parse_traditional(name) is None and not is_preview(name):
        from embedding_space.embed.light import load_light

        light = load_light(name, precision)
        if light is not None:
            return light
    return load_model(name, precision)


def model_identity(name: str, precision: str | None = None) -> ModelIdentity | None:
    """Which vectors a model name stands for and how much of each text it reads, without
    loading the model (see ``sentence.read_identity``); a traditional embedder is only a recipe
    and costs nothing to make.

    Returns:
        The identity, or ``None`` when only loading the model can tell (a Hub model): call
        :func:`load_model`, which also says why a model cannot load.

    Raises:
        InputError: A malformed traditional name (``lsa:x``).
    """
    parsed = parse_traditional(name)
    if parsed is not None:
        return ModelIdentity.of(TraditionalEmbedder(*parsed))
    if is_preview(name):
        return preview_identity()
    return read_identity(name, precision)


def fitted_on(embedder: Embedder, texts: Sequence[str]) -> Embedder:
    """The embedder ready to embed ``texts``: fitted on them if it is fitted on a corpus and
    has no fit yet, else itself."""
    if isinstance(embedder, TraditionalEmbedder) and not embedder.fitted:
        return embedder.fit(texts)
    return embedder
