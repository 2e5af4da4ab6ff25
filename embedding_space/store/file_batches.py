"""A batch of rows added to an embedded file (the parquet file ``embed`` writes), as the
``add`` verb does: the same rules as a dataset's batches (:mod:`~embedding_space.store.batches`),
the new rows embedded with the file's own model, and a map the file holds (``x``, ``y`` and
maybe ``z`` from ``project``) extended without moving an old point
(:func:`~embedding_space.analysis.growth.extend_map`).

The file's metadata keeps its batches (``batches``: name, date, rows) and how many of its
rows its map was fitted on (``projection_fitted``), so a second batch counts the first one's
placed rows too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from embedding_space.analysis.growth import MapGrowth, extend_map
from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.projection import (
    MIN_POINTS_FOR_NONLINEAR,
    Projection,
    ProjectionParams,
    params_text,
)
from embedding_space.embed.base import Embedder, embed
from embedding_space.embed.cache import EmbeddingCache
from embedding_space.embed.models import is_traditional
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.io.columns import texts_of
from embedding_space.store.batches import Batch, append_batch, batch_name, batches_of
from embedding_space.store.files import EMBEDDING_COLUMN, EmbeddedFile, fit_path
from embedding_space.types import FloatMatrix

__all__ = ["AXES", "FileBatch", "add_to_file"]

AXES = ("x", "y", "z")
"""The columns of a map that ``project`` adds to a file."""


@dataclass(frozen=True)
class FileBatch:
    """An embedded file with a batch added.

    Attributes:
        frame: Every row, the ``embedding`` column and any map columns included.
        metadata: The file's metadata, with the batches and the map's fitted rows.
        batch: The batch added.
        growth: How the file's map grew; ``None`` when it holds no map.
    """

    frame: pd.DataFrame
    metadata: dict[str, Any]
    batch: Batch
    growth: MapGrowth | None


def add_to_file(
    file: EmbeddedFile,
    more: pd.DataFrame,
    *,
    name: str | None = None,
    models: Callable[[str], Embedder],
    cache: EmbeddingCache | None = None,
    recompute_share: float = default_of("recompute_share", float),
) -> FileBatch:
    """Append ``more``'s rows to an embedded file as a batch (see the module's notes).

    Args:
        file: From :func:`~embedding_space.store.files.read_embedded`.
        more: The new rows, with the file's text column.
        name: The batch's name; ``"batch N"`` when ``None``.
        models: Loads the file's model by name (a traditional one's fit is read beside it).
        cache: Where vectors of texts embedded before are read and kept.
        recompute_share: Past this share of placed rows the map suggests recomputing.

    Raises:
        InputError: No rows or no text column in ``more``, a taken name, the file's model is
            not recorded or its fit is missing, or the model makes vectors of another size.
    """
    metadata = dict(file.metadata)
    model = metadata.get("model")
    if not model:
        raise InputError(f"'{file.path}' does not say which model embedded it; embed it again.")
    rows = file.rows_table
    axes = [axis for axis in AXES if axis in rows.columns]
    old = rows.drop(columns=axes)
    created = datetime.fromtimestamp(file.path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    batches = batches_of(metadata.get("batches") or [], old, created)
    batch_as = batch_name(name, batches)
    incoming = more.drop(columns=[*AXES, EMBEDDING_COLUMN], errors="ignore")
    grown = append_batch(old, incoming, file.text_column, batch_as, batches)
    texts = texts_of(grown.iloc[len(old) :], file.text_column)
    new_vectors = _embed(file, str(model), texts, models, cache)
    if new_vectors.shape[1] != file.vectors.shape[1]:
        raise InputError(
            f"'{model}' now makes {new_vectors.shape[1]}-dimensional vectors where the file "
            f"holds {file.vectors.shape[1]}."
        )
    growth = None
    if len(axes) >= 2:
        growth = extend_map(
            file.vectors,
            _map_of(rows, axes, metadata),
            new_vectors,
            recompute_share=recompute_share,
        )
        for index, axis in enumerate(axes):
            grown[axis] = growth.projection.coordinates[:, index]
        metadata["projection_fitted"] = growth.projection.fitted
    grown[EMBEDDING_COLUMN] = list(np.vstack([file.vectors, new_vectors]))
    batch = Batch(batch_as, datetime.now(UTC).isoformat(timespec="seconds"), len(texts))
    metadata["batches"] = [b.to_json() for b in [*batches, batch]]
    return FileBatch(grown, metadata, batch, growth)


def _embed(
    file: EmbeddedFile,
    model: str,
    texts: list[str],
    models: Callable[[str], Embedder],
    cache: EmbeddingCache | None,
) -> FloatMatrix:
    if is_traditional(model):
        fit = fit_path(file.path)
        if not fit.is_file():
            raise InputError(
                f"The fit of '{model}' is missing: '{fit}' should lie beside the file."
            )
        return embed(texts, TraditionalEmbedder.load(fit)).vectors
    return embed(texts, models(model), cache=cache).vectors


def _map_of(rows: pd.DataFrame, axes: list[str], metadata: dict[str, Any]) -> Projection:
    """The file's map as a projection: its method and parameters from what ``project``
    recorded (a map made elsewhere is read as one without a transform, placed like t-SNE)."""
    coordinates = rows[axes].to_numpy(dtype=np.float32)
    recorded = metadata.get("projection")
    params = ProjectionParams(**recorded) if isinstance(recorded, dict) else None
    method = params.method if params is not None else "tsne"
    if len(coordinates) < MIN_POINTS_FOR_NONLINEAR:
        method = "pca"  # what project() drew for so few rows
    return Projection(
        coordinates,
        method,
        params=params_text(params) if params is not None else "",
        fitted_rows=int(metadata.get("projection_fitted") or 0),
    )
