"""How a results folder keeps its embeddings: one ``.npy`` per model, a ``.json`` beside it
saying which model made it, its shape and how long it took, and for a traditional embedder its
fit (``.fit.npz``); and what any keeper of a space's vectors offers (:class:`VectorSource`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.store.artifacts import model_slug, write_json, write_npy
from embedding_space.store.results import FolderResults
from embedding_space.types import FloatMatrix

__all__ = [
    "CUSTOM_VECTORS",
    "EmbeddingFile",
    "StoredEmbedding",
    "VectorSource",
    "embedding_file",
    "embeddings_in",
    "write_embeddings",
]


CUSTOM_VECTORS = "uploaded vectors"
"""The model name of a dataset whose vectors came with the file rather than from a model."""


def embedding_file(folder: Path, model_key: str) -> Path:
    """Where a results folder keeps one model's vectors (``.npy``, with a ``.json`` beside)."""
    return folder / "embeddings" / f"{model_slug(model_key)}.npy"


def write_embeddings(
    path: Path,
    model_key: str,
    vectors: FloatMatrix,
    truncated: int = 0,
    seconds: float | None = None,
    name: str | None = None,
) -> None:
    """Store vectors at ``path`` and, beside them, which model made them (its key, and the
    name it was asked for by, which loads it again for a query) and how long it took."""
    write_npy(path, vectors)
    meta = {
        "model": model_key,
        "name": name,
        "shape": list(vectors.shape),
        "truncated": truncated,
        "seconds": seconds,
    }
    write_json(path.with_suffix(".json"), meta)


def read_vectors(path: Path, *, recomputable: bool) -> FloatMatrix:
    """The vectors stored at ``path`` (a ``.npy`` of shape ``(n, d)``).

    Raises:
        DamagedFileError: Truncated, not an array, or not a matrix of numbers.
    """
    try:
        vectors: FloatMatrix = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise DamagedFileError(
            path, "embeddings", _reason(error), recomputable=recomputable
        ) from None
    if vectors.ndim != 2 or vectors.dtype.kind != "f":
        reason = f"an array of shape {vectors.shape} and type {vectors.dtype}, not vectors"
        raise DamagedFileError(path, "embeddings", reason, recomputable=recomputable)
    return vectors


def _reason(error: BaseException) -> str:
    said = str(error)
    if any(sign in said for sign in ("cannot reshape", "EOF", "not fully written", "truncated")):
        return "it is shorter than its header says: it was cut off"
    # said may name the server's folders: the kind of failure is enough
    return f"it is not a file of vectors ({type(error).__name__})"


class VectorSource(Protocol):
    """Where a space's vectors are kept, with what was stored beside them."""

    def exists(self) -> bool:
        """Whether the vectors are there (without reading them)."""
        ...

    def vectors(self) -> FloatMatrix:
        """The vectors, shape ``(n, d)``; raises ``InputError`` when they are not there."""
        ...

    def fit(self) -> TraditionalEmbedder | None:
        """A traditional embedder's fit on these rows, or ``None`` for any other model."""
        ...

    def truncated(self) -> int:
        """How many texts were longer than the model reads."""
        ...

    def model_name(self) -> str | None:
        """The name of the model that made the vectors, to load it by; ``None`` if unknown."""
        ...


@dataclass(frozen=True)
class EmbeddingFile:
    """One model's vectors in a dataset's results folders, and what is kept beside them.

    Which folder holds them is looked up on each use: vectors the dataset's owner (or the
    operator) stores after a visitor's handle was made serve that visitor too.

    Attributes:
        folders: The dataset's results folders, as one viewer sees them.
        model_key: Whose vectors.
    """

    folders: FolderResults
    model_key: str

    @property
    def path(self) -> Path:
        """The ``.npy`` file: where it is stored, or where it will be written."""
        return self.folders.path(str(embedding_file(Path(), self.model_key)))

    def exists(self) -> bool:
        """Whether the vectors are stored (without reading them)."""
        return self.path.is_file()

    def vectors(self) -> FloatMatrix:
        """The vectors, shape ``(n, d)``.

        Raises:
            InputError: They are not stored (the dataset is not embedded with this model).
        Raises:
            DamagedFileError: The file cannot be read back as a matrix.
        """
        if not self.path.is_file():
            raise InputError("The dataset is not embedded with this model yet.")
        return read_vectors(self.path, recomputable=self.model_key != CUSTOM_VECTORS)

    def _meta(self) -> dict[str, object]:
        try:
            meta = json.loads(self.path.with_suffix(".json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def truncated(self) -> int:
        """How many texts were longer than the model reads."""
        return int(str(self._meta().get("truncated") or 0))

    def model_name(self) -> str | None:
        """The name the model was asked for by; for vectors stored before names were kept,
        the name in the model's key (a local folder's without its fingerprint)."""
        meta = self._meta()
        if meta.get("name"):
            return str(meta["name"])
        name = str(meta.get("model") or "").split("|", 1)[0]
        folder = name.rsplit("@", 1)[0]
        return (folder if "@" in name and Path(folder).is_dir() else name) or None

    def fit(self) -> TraditionalEmbedder | None:
        """A traditional embedder's fit on the dataset, to embed queries with; else ``None``."""
        stored = self.path.with_suffix(".fit.npz")
        return TraditionalEmbedder.load(stored) if stored.is_file() else None


@dataclass(frozen=True)
class StoredEmbedding:
    """One embedding a dataset holds.

    Attributes:
        model_key: What made it (a model's cache key, or "uploaded vectors").
        rows: Rows embedded.
        dimension: Length of each vector.
        seconds: How long embedding took, when it was measured.
        bytes: Size on disk.
    """

    model_key: str
    rows: int
    dimension: int
    seconds: float | None
    bytes: int

    @property
    def model(self) -> str:
        """The model's name as people know it (the key without its settings)."""
        name = self.model_key.split("|", 1)[0]
        return name.removeprefix("sentence-transformers/")

    @property
    def label(self) -> str:
        """The model, what it read when that was images, how it computed when that is not
        float32, and the dimension."""
        settings = self.model_key.split("|")[1:]
        images = " · images" if "images" in settings else ""
        precision = " · bf16" if "bf16" in settings else ""
        return f"{self.model}{images}{precision} · {self.dimension:,}-d"


def embeddings_in(folder: Path) -> list[StoredEmbedding]:
    """The complete embeddings a results folder holds, in name order."""
    found = []
    for meta_path in sorted((folder / "embeddings").glob("*.json")):
        vectors = meta_path.with_suffix(".npy")
        if not vectors.is_file():
            continue  # still being written, or left by a crash
        meta = json.loads(meta_path.read_text())
        rows, dimension = ([*list(meta.get("shape") or [0, 0]), 0, 0])[:2]
        seconds = meta.get("seconds")
        fit = vectors.with_suffix(".fit.npz")
        size = vectors.stat().st_size + (fit.stat().st_size if fit.is_file() else 0)
        found.append(
            StoredEmbedding(
                str(meta["model"]),
                int(rows),
                int(dimension),
                None if seconds is None else float(seconds),
                size,
            )
        )
    return found
