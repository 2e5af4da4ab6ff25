"""The fast preview model: a static model distilled from all-MiniLM-L6-v2, run in NumPy.

A static model keeps one vector per token and embeds a text as the mean of its tokens'
vectors; there is no network to run, so it embeds some 200 times as many texts a second
as MiniLM, at the price of agreeing with it less (its measured agreement ships beside it, in
``embedding_space/data/preview-minilm/measured.json``, and the app shows it). The vectors
were made once, offline, by model2vec's distillation (``embedding_space.demo.preview_build``);
this module reads them with ``tokenizers``, ``safetensors`` and NumPy only and reproduces
model2vec's ``StaticModel.encode`` (``tests/embed/test_static.py`` holds it to that), so
neither torch nor model2vec is imported at run time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding_space.embed.base import ModelIdentity
from embedding_space.errors import ModelLoadError
from embedding_space.types import FloatMatrix

__all__ = [
    "PREVIEW_FOLDER",
    "PREVIEW_MODEL",
    "PREVIEW_NAMES",
    "PreviewMeasure",
    "StaticEmbedder",
    "is_preview",
    "load_preview",
    "preview_identity",
    "preview_measure",
]

PREVIEW_MODEL = "fast preview (distilled from all-MiniLM-L6-v2)"
PREVIEW_NAMES = frozenset({PREVIEW_MODEL, "preview"})
"""What the preview model answers to: its full name, which says what it is wherever it is
shown, and a short one for the command line."""
PREVIEW_FOLDER = Path(__file__).resolve().parent.parent / "data" / "preview-minilm"
_KEY_PREFIX = "preview:all-MiniLM-L6-v2-distilled"


def is_preview(name: str) -> bool:
    """Whether ``name`` names the fast preview model."""
    return name.strip() in PREVIEW_NAMES


class StaticEmbedder:
    """A model2vec static model as an :class:`~embedding_space.embed.base.Embedder`.

    Args:
        name: The name the user gave.
        folder: A folder model2vec saved (``model.safetensors`` with an ``embeddings`` table,
            ``tokenizer.json``, ``config.json``), without per-token weights or a token mapping.

    Raises:
        ModelLoadError: The folder is missing a file or holds a model this does not run.
    """

    fitted_on_corpus = False

    def __init__(self, name: str, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            tables = load_file(str(folder / "model.safetensors"))
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except (OSError, ValueError) as error:
            raise ModelLoadError(f"The static model in {folder} cannot be read: {error}") from error
        if set(tables) != {"embeddings"}:
            raise ModelLoadError(
                f"The static model in {folder} has per-token weights or a token mapping, "
                "which this reader does not apply; distil it without vocabulary quantization."
            )
        self.name = name
        self.cache_key = f"{_KEY_PREFIX}@{_digest(folder)}|normalized"
        # Upcast once: the sum of many float16 or int8 rows loses precision, and the vectors
        # are normalised afterwards, so int8's one global scale needs no undoing.
        self._table = tables["embeddings"].astype(np.float32)
        self.dimension = int(self._table.shape[1])
        self._average = self._table.mean(axis=0)
        limit = config.get("max_length", 512)
        self.max_seq_length: int | None = None if limit is None else int(limit)
        vocabulary = self._tokenizer.get_vocab()
        self._tokenizer.no_padding()
        if self.max_seq_length is not None:
            self._tokenizer.enable_truncation(self.max_seq_length)
        # model2vec cuts each text to max_length times the median token's characters before it
        # tokenizes, so a huge text costs no more than a long one: the same cut, the same vectors.
        median = int(np.median([len(token) for token in vocabulary]))
        self._char_limit = None if self.max_seq_length is None else self.max_seq_length * median
        unknown = getattr(self._tokenizer.model, "unk_token", None)
        self._unknown = None if unknown is None else self._tokenizer.token_to_id(unknown)

    def _ids(self, texts: Sequence[str]) -> list[list[int]]:
        cut = [text[: self._char_limit] for text in texts]
        encodings = self._tokenizer.encode_batch_fast(cut, add_special_tokens=False)
        # Unknown tokens carry no meaning and are dropped, as model2vec drops them.
        return [[i for i in encoding.ids if i != self._unknown] for encoding in encodings]

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed texts: the mean of each text's token vectors, scaled to unit length.

        A text with no known token (only emoji, say), which model2vec leaves as a zero vector,
        gets the mean of all token vectors instead, so every row can be compared by cosine and
        such texts sit together.

        Args:
            texts: ``n`` texts.

        Returns:
            Array of shape ``(n, d)``, float32, each row of unit length.
        """
        ids = self._ids(texts)
        out = np.zeros((len(ids), self.dimension), np.float32)
        # Texts of one token count are averaged together, as model2vec does, so the sums run in
        # the same order and the vectors match its own to the last bits.
        by_length: dict[int, list[int]] = {}
        for row, row_ids in enumerate(ids):
            if row_ids:
                by_length.setdefault(len(row_ids), []).append(row)
            else:
                out[row] = self._average
        for rows in by_length.values():
            matrix = np.array([ids[row] for row in rows], dtype=np.int64)
            out[rows] = self._table[matrix].mean(axis=1)
        norms = np.linalg.norm(out, axis=1, keepdims=True) + 1e-32
        return np.asarray(out / norms, np.float32)

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads."""
        if self.max_seq_length is None or self._char_limit is None:
            return 0
        chars = self._char_limit
        encodings = self._tokenizer.encode_batch_fast(
            [text[:chars] for text in texts], add_special_tokens=False
        )
        # The tokenizer truncates, so what it cut off is in the overflow.
        return sum(
            len(text) > chars or bool(encoding.overflowing)
            for text, encoding in zip(texts, encodings, strict=True)
        )


def _digest(folder: Path) -> str:
    """A short digest of the files that decide the vectors, so a rebuilt model's vectors are
    never mistaken for the old one's in the cache."""
    digest = hashlib.sha256()
    for part in ("model.safetensors", "tokenizer.json"):
        digest.update((folder / part).read_bytes())
    return digest.hexdigest()[:12]


def load_preview(name: str = PREVIEW_MODEL, folder: Path = PREVIEW_FOLDER) -> StaticEmbedder:
    """The fast preview model shipped with the package.

    Raises:
        ModelLoadError: Its files are missing or unreadable.
    """
    return StaticEmbedder(name.strip(), folder)


def preview_identity(folder: Path = PREVIEW_FOLDER) -> ModelIdentity:
    """The preview model's cache key and token limit, read from its files without loading its
    tables.

    Raises:
        ModelLoadError: Its files are missing or unreadable.
    """
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        key = f"{_KEY_PREFIX}@{_digest(folder)}|normalized"
    except (OSError, ValueError) as error:
        raise ModelLoadError(f"The static model in {folder} cannot be read: {error}") from error
    limit = config.get("max_length", 512)
    return ModelIdentity(key, None if limit is None else int(limit))


@dataclass(frozen=True)
class PreviewMeasure:
    """How the preview model compares with all-MiniLM-L6-v2, as measured when it was built
    (``python -m bench.preview_model``).

    Attributes:
        speedup: Texts embedded per second, as a multiple of MiniLM's on the same machine.
        agreement: Mean share, 0 to 1, of each text's 10 nearest neighbours that MiniLM's 10
            nearest also hold, on the demo's texts.
        measured_on: What it was measured on, in words.
    """

    speedup: float
    agreement: float
    measured_on: str


def preview_measure(folder: Path = PREVIEW_FOLDER) -> PreviewMeasure | None:
    """The measurement shipped with the preview model, or ``None`` when it is missing."""
    try:
        measured = json.loads((folder / "measured.json").read_text(encoding="utf-8"))
        return PreviewMeasure(
            speedup=float(measured["speedup"]),
            agreement=float(measured["agreement"]),
            measured_on=str(measured["measured_on"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
