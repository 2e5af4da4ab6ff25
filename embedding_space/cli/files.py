"""What every verb shares: the embedded parquet file, messages on stderr, a progress bar."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.embed.base import Embedder
from embedding_space.errors import InputError
from embedding_space.types import ProgressCallback

__all__ = [
    "EMBEDDING_COLUMN",
    "find_text_column",
    "progress_bar",
    "read_embedded",
    "say",
    "write_parquet",
]

EMBEDDING_COLUMN = "embedding"
_METADATA_KEY = b"embedding_space"


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing a tqdm bar on a terminal; none when stderr is not one."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=label, unit="text", file=sys.stderr, dynamic_ncols=True) as bar:

        def report(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        yield report


def say(message: str) -> None:
    print(message, file=sys.stderr)


def read_embedded(
    path: str, *, need_embedding: bool = True
) -> tuple[pd.DataFrame, npt.NDArray[np.float32], dict[str, Any]]:
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
    if not need_embedding and EMBEDDING_COLUMN not in frame.columns:
        return frame, np.zeros((len(frame), 0), dtype=np.float32), metadata
    if EMBEDDING_COLUMN not in frame.columns:
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
    return frame, vectors, metadata


def write_parquet(frame: pd.DataFrame, path: str, metadata: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    if target.suffix.lower() != ".parquet":
        raise InputError(f"The output must be a .parquet file, not '{path}'.")
    if not target.parent.exists():
        raise InputError(f"The folder '{target.parent}' does not exist.")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _METADATA_KEY: json.dumps(metadata).encode()}
    )
    temporary = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, target)


def find_text_column(frame: pd.DataFrame, metadata: dict[str, Any]) -> str:
    from embedding_space.io.columns import guess_text_column

    column = metadata.get("text_column")
    if column in frame.columns:
        return str(column)
    return guess_text_column(frame.drop(columns=[EMBEDDING_COLUMN]))


def fit_path(parquet: str) -> Path:
    """Where ``embed`` keeps a traditional embedder's fit: beside the parquet file."""
    return Path(parquet).with_suffix(".fit.npz")


def query_embedder(path: str, metadata: dict[str, Any], model: str | None) -> Embedder:
    """The embedder that embeds typed texts against a file ``embed`` wrote: ``model``, or the
    one that made the file; a traditional one with the file's own fit.

    Raises:
        InputError: No model is known, or a traditional model's fit is missing.
    """
    from embedding_space.embed.models import is_traditional, load_model
    from embedding_space.embed.traditional import TraditionalEmbedder

    name = model or metadata.get("model")
    if not name:
        raise InputError("The file does not say which model embedded it; pass --model.")
    if not is_traditional(str(name)):
        return load_model(str(name))
    if name != metadata.get("model"):
        raise InputError(
            f"'{name}' is fitted on a corpus: only the fit stored with '{path}' can embed "
            "queries against it."
        )
    stored = fit_path(path)
    if not stored.is_file():
        raise InputError(f"The fit of '{name}' is missing: '{stored}' should lie beside the file.")
    return TraditionalEmbedder.load(stored)
