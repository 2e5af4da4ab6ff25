"""Any model by its name: a traditional embedder (``bow``, ``onehot``, ``tfidf``, ``lsa[:DIM]``),
the fast preview model (``embed.static``) or a sentence-transformers model; and the fitting the
traditional ones need first."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from embedding_space.embed.base import Embedder, ModelIdentity
from embedding_space.embed.model_files import count_truncated, read_tokenizer, runs_in_numpy
from embedding_space.embed.sentence import (
    BUNDLED_NAMES,
    DEFAULT_MODEL,
    load_embedder,
    read_identity,
    resolve_model_source,
)
from embedding_space.embed.static import PREVIEW_MODEL, is_preview, load_preview, preview_identity
from embedding_space.embed.traditional import TraditionalEmbedder, parse_traditional
from embedding_space.types import FloatMatrix

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = [
    "DeferredEmbedder",
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


def load_model(name: str, precision: str | None = None, backend: str | None = None) -> Embedder:
    """The embedder a model name stands for; a traditional one comes unfitted. A model whose
    files say all the embedder must tell before it embeds (see :class:`DeferredEmbedder`)
    loads only when a text needs it: a run whose texts are all in the cache never loads it.

    Args:
        name: A model name or folder.
        precision: As for ``sentence.load_embedder``.
        backend: As for ``sentence.load_embedder``.

    Raises:
        ModelLoadError: A deep model that cannot be loaded.
        InputError: A malformed traditional name (``lsa:x``).
    """
    parsed = parse_traditional(name)
    if parsed is not None:
        return TraditionalEmbedder(*parsed)
    if is_preview(name):
        return load_preview()
    folder = Path(resolve_model_source(name.strip()))
    identity = read_identity(name, precision, backend)
    if identity is not None and runs_in_numpy(folder):
        return DeferredEmbedder(
            name.strip(),
            folder,
            identity,
            lambda: load_embedder(name, precision=precision, backend=backend),
        )
    return load_embedder(name, precision=precision, backend=backend)


class DeferredEmbedder:
    """A BERT sentence model (see ``model_files.runs_in_numpy``) that loads on its first text.

    Its name, dimension, key and token limit come from its files, and its tokenizer counts
    the texts it would truncate, so :func:`~embedding_space.embed.base.embed` finds every
    cached vector and reports truncation without loading torch, OpenVINO or the weights.

    Args:
        name: The model's name as the user gave it.
        folder: Its sentence-transformers folder.
        identity: Its key and token limit, as the loaded model will have them.
        load: Loads the model.
    """

    fitted_on_corpus = False

    def __init__(
        self, name: str, folder: Path, identity: ModelIdentity, load: Callable[[], Embedder]
    ) -> None:
        self.name = name
        self.cache_key = identity.cache_key
        self.max_seq_length = identity.max_seq_length
        self.dimension = int(json.loads((folder / "config.json").read_text())["hidden_size"])
        self._folder = folder
        self._load = load
        self._loaded: Embedder | None = None
        self._tokenizer: Tokenizer | None = None
        self._loading = threading.Lock()  # sessions of the app share one model

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded (a text needed it)."""
        return self._loaded is not None

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed one batch, loading the model first if this is its first."""
        with self._loading:
            if self._loaded is None:
                self._loaded = self._load()
        return self._loaded.encode(texts)

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads, with its tokenizer alone."""
        limit = self.max_seq_length or 512
        if self._tokenizer is None:  # read once, and only when a count is asked for
            self._tokenizer = read_tokenizer(self._folder, limit)
        return count_truncated(self._tokenizer, texts, limit)


def load_query_model(
    name: str, precision: str | None = None, backend: str | None = None
) -> Embedder:
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

        light = load_light(name, precision, backend)
        if light is not None:
            return light
    return load_model(name, precision, backend)


def model_identity(
    name: str, precision: str | None = None, backend: str | None = None
) -> ModelIdentity | None:
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
    return read_identity(name, precision, backend)


def fitted_on(embedder: Embedder, texts: Sequence[str]) -> Embedder:
    """The embedder ready to embed ``texts``: fitted on them if it is fitted on a corpus and
    has no fit yet, else itself."""
    if isinstance(embedder, TraditionalEmbedder) and not embedder.fitted:
        return embedder.fit(texts)
    return embedder
