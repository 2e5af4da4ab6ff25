"""Embedded files: the parquet file ``embed`` writes (the rows, an ``embedding`` column, and
what made it in the file's metadata), and the handle on the space such a file holds.

:func:`open_file` gives the same :class:`~embedding_space.store.space.Space` a dataset of the
workspace gives, with its results kept in memory, so the command line answers every question
exactly as the app does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from embedding_space.embed.models import is_traditional, load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError, disk_full, is_disk_full
from embedding_space.io.columns import guess_text_column
from embedding_space.store.artifacts import parquet_ready
from embedding_space.store.results import MemoryResults
from embedding_space.store.space import ModelLoader, Space
from embedding_space.types import FloatMatrix

__all__ = [
    "EMBEDDING_COLUMN",
    "EmbeddedFile",
    "fit_path",
    "open_file",
    "read_embedded",
    "space_of",
    "write_parquet",
]

EMBEDDING_COLUMN = "embedding"
_METADATA_KEY = b"embedding_space"


@dataclass(frozen=True)
class EmbeddedFile:
    """A parquet file written by ``embed`` (or a verb after it), as read.

    Attributes:
        path: Where it is.
        frame: Every column, the ``embedding`` column included.
        vectors: The vectors, shape ``(n, d)``; ``(n, 0)`` when read without them.
        metadata: What ``embed`` recorded: ``model``, ``cache_key``, ``text_column``, ...
    """

    path: Path
    frame: pd.DataFrame
    vectors: FloatMatrix
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def text_column(self) -> str:
        """The column of text: the one ``embed`` recorded, else the best guess."""
        column = self.metadata.get("text_column")
        if column in self.frame.columns:
            return str(column)
        return guess_text_column(self.rows_table)

    @property
    def rows_table(self) -> pd.DataFrame:
        """The rows without the ``embedding`` column."""
        return self.frame.drop(columns=[EMBEDDING_COLUMN], errors="ignore")


def read_embedded(path: str | Path, *, need_embedding: bool = True) -> EmbeddedFile:
    """A parquet file written by ``embed`` (or ``project``): its rows, vectors and metadata.

    Raises:
        InputError: No such file, not parquet, or no usable ``embedding`` column (unless
            ``need_embedding`` is false, and then the vectors are empty).
    """
    import pyarrow.parquet as pq

    source = Path(path)
    if not source.is_file():
        raise InputError(f"There is no file '{path}'.")
    try:
        table = pq.read_table(source)
    except Exception as error:
        raise InputError(f"'{path}' is not a readable parquet file ({error}).") from error
    raw = (table.schema.metadata or {}).get(_METADATA_KEY)
    metadata: dict[str, Any] = json.loads(raw) if raw else {}
    frame = table.to_pandas()
    if EMBEDDING_COLUMN not in frame.columns:
        if not need_embedding:
            return EmbeddedFile(source, frame, np.zeros((len(frame), 0), np.float32), metadata)
        raise InputError(
            f"'{path}' has no '{EMBEDDING_COLUMN}' column; create it with 'embedding-space embed'."
        )
    try:
        vectors = np.stack(
            [np.asarray(value, dtype=np.float32) for value in frame[EMBEDDING_COLUMN]]
        )
    except ValueError as error:
        raise InputError(
            f"The '{EMBEDDING_COLUMN}' column of '{path}' has rows of unequal length."
        ) from error
    return EmbeddedFile(source, frame, vectors, metadata)


def write_parquet(
    frame: pd.DataFrame,
    path: str | Path,
    metadata: dict[str, Any],
    *,
    string_lists: Sequence[str] = (),
) -> None:
    """Write rows (with an ``embedding`` column or not) and their metadata, atomically.
    The columns named in ``string_lists`` are written as ``list<string>`` (a column of empty
    lists would otherwise have no type).

    Raises:
        InputError: The name does not end in ``.parquet``, or its folder does not exist.
        DiskFullError: The disk had no room; a file already there is unchanged.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    if target.suffix.lower() != ".parquet":
        raise InputError(f"The output must be a .parquet file, not '{path}'.")
    if not target.parent.exists():
        raise InputError(f"The folder '{target.parent}' does not exist.")
    table = pa.Table.from_pandas(parquet_ready(frame), preserve_index=False)
    for name in string_lists:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).cast(pa.list_(pa.string())))
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _METADATA_KEY: json.dumps(metadata).encode()}
    )
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if is_disk_full(error):
            raise disk_full(f"the file {target.name}") from error
        raise


def fit_path(parquet: str | Path) -> Path:
    """Where ``embed`` keeps a traditional embedder's fit: beside the parquet file."""
    return Path(parquet).with_suffix(".fit.npz")


@dataclass(frozen=True)
class _FileVectors:
    """An embedded file's vectors, as a space's source (``embedding_files.VectorSource``)."""

    file: EmbeddedFile

    def exists(self) -> bool:
        return True

    def vectors(self) -> FloatMatrix:
        return self.file.vectors

    def fit(self) -> TraditionalEmbedder | None:
        model = self.file.metadata.get("model")
        if not model or not is_traditional(str(model)):
            return None
        stored = fit_path(self.file.path)
        if not stored.is_file():
            raise InputError(
                f"The fit of '{model}' is missing: '{stored}' should lie beside the file."
            )
        return TraditionalEmbedder.load(stored)

    def truncated(self) -> int:
        return int(self.file.metadata.get("truncated", 0))

    def model_name(self) -> str | None:
        model = self.file.metadata.get("model")
        return str(model) if model else None


def open_file(
    path: str | Path, *, model: str | None = None, models: ModelLoader | None = None
) -> Space:
    """The space an embedded file holds, its results kept in memory (see :func:`space_of`).

    Raises:
        InputError: The file cannot be read as an embedded file, or see :func:`space_of`.
    """
    return space_of(read_embedded(path), model=model, models=models)


def space_of(
    file: EmbeddedFile, *, model: str | None = None, models: ModelLoader | None = None
) -> Space:
    """The space an embedded file holds, its results kept in memory.

    Args:
        file: From :func:`read_embedded`.
        model: The model that embeds typed texts against it; the one that embedded the file
            when ``None``.
        models: Loads a model by name (default: :func:`~embedding_space.embed.models.load_model`).

    Raises:
        InputError: ``model`` is another traditional embedder than the one fitted on the file
            (only its own fit can embed queries against it).
    """
    path = file.path
    embedded_with = file.metadata.get("model")
    if model is not None and is_traditional(model) and model != embedded_with:
        raise InputError(
            f"'{model}' is fitted on a corpus: only the fit stored with '{path}' can embed "
            "queries against it."
        )
    rows = file.rows_table
    return Space(
        (str(file.path.resolve()), file.path.stat().st_mtime_ns),
        model_key=str(file.metadata.get("cache_key") or embedded_with or file.path.name),
        source=_FileVectors(file),
        table=lambda: rows,
        text_column=file.text_column,
        results=MemoryResults(),
        query_model=model,
        models=models or load_model,
    )
