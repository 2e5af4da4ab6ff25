"""A dataset that grows: a batch of rows appended to it, every stored embedding extended with
the new rows, every stored map extended without moving an old point, and every other result
derived from the rows dropped so that it is computed again for the new row count.

What happens to each kind of result when a batch is added (:func:`grow_folder`):

* embeddings (``embeddings/``): the old vectors are kept as they are; only the new rows are
  embedded (the per-text cache first; a traditional model through its stored fit, so the old
  vectors stay valid). Vectors uploaded with a table cannot be extended by a model: the
  batch must bring vectors of its own.
* maps (``projections/``): extended by :func:`~embedding_space.analysis.growth.extend_map`;
  the old rows keep their coordinates exactly.
* every other folder of results (the kNN graphs, clusters and their coarse levels and label
  quality, outlier scores, map trust, comparisons, label checks): deleted, and computed again
  for every row when next asked for; near-duplicates and neighbours read the kNN graph, so
  they follow. A new row joins the graph of the old ones too, so no graph is extended
  in place.
* selections, tags, corrections, saved views and stories name rows by id, and row ids never
  change, so they are kept.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embedding_space.analysis.comparison import Alignment
from embedding_space.analysis.growth import MapGrowth, extend_map, refit_map
from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.projection import Projection, ProjectionParams
from embedding_space.errors import InputError
from embedding_space.store.artifacts import model_slug, read_artifact, write_artifact
from embedding_space.store.embedding_files import embedding_file, embeddings_in, write_embeddings
from embedding_space.store.space import Space
from embedding_space.types import FloatMatrix

__all__ = [
    "KEPT_FOLDERS",
    "RECOMPUTED",
    "GrownMap",
    "NewVectors",
    "grow_folder",
    "refit_projection",
]

KEPT_FOLDERS = ("embeddings", "projections")
"""The folders of results a batch extends; every other one is dropped and computed again."""
RECOMPUTED = (
    "kNN graphs",
    "clusters",
    "outlier scores",
    "near-duplicates",
    "map trust",
    "comparisons",
    "label checks",
)
"""What is computed again, for every row, when next asked for after a batch is added."""

NewVectors = Callable[[str, Path], FloatMatrix]
"""The new rows' vectors of one embedding: called with its model key and ``.npy`` file."""


@dataclass(frozen=True)
class GrownMap:
    """One stored map extended with a batch.

    Attributes:
        model_key: The embedding it maps.
        growth: The map, how the rows were placed and whether to recompute it.
    """

    model_key: str
    growth: MapGrowth


@dataclass(frozen=True)
class _Pending:
    vectors: dict[Path, tuple[str, FloatMatrix, dict[str, object]]]
    maps: dict[Path, GrownMap]
    dropped_maps: list[Path]


def grow_folder(
    folder: Path,
    old_rows: int,
    new_vectors: NewVectors,
    *,
    recompute_share: float = default_of("recompute_share", float),
) -> Callable[[], list[GrownMap]]:
    """Work out a results folder's embeddings and maps with a batch's rows added, and return
    the step that writes them (and drops the other results): everything that can fail
    (embedding, placing) happens before anything is written.

    Args:
        folder: A dataset's results folder (its own, or a visitor's).
        old_rows: The rows before the batch.
        new_vectors: Embeds the new rows for one embedding.
        recompute_share: Past this share of placed rows a map suggests recomputing.

    Raises:
        InputError: New vectors of the wrong dimension, or no way to embed the new rows.
    """
    pending = _Pending({}, {}, [])
    for stored in embeddings_in(folder):
        path = embedding_file(folder, stored.model_key)
        old: FloatMatrix = np.load(path, allow_pickle=False)
        if len(old) != old_rows:
            pending.dropped_maps.append(path)  # left by a crash: embedded again on demand
            continue
        new = new_vectors(stored.model_key, path)
        if new.shape != (len(new), old.shape[1]):
            raise InputError(
                f"The new rows' vectors have {new.shape[-1]} dimensions where the dataset's "
                f"have {old.shape[1]}."
            )
        meta = json.loads(path.with_suffix(".json").read_text())
        pending.vectors[path] = (stored.model_key, np.vstack([old, new]), meta)
        pattern = re.compile(rf"^{re.escape(model_slug(stored.model_key))}-[0-9a-f]{{16}}\.npz$")
        for map_path in sorted((folder / "projections").glob("*.npz")):
            if not pattern.match(map_path.name):
                continue
            projection = read_artifact(map_path, Projection)
            if projection is None or len(projection.coordinates) != old_rows:
                pending.dropped_maps.append(map_path)
                continue
            growth = extend_map(old, projection, new, recompute_share=recompute_share)
            pending.maps[map_path] = GrownMap(stored.model_key, growth)

    def write() -> list[GrownMap]:
        for path, (model_key, vectors, meta) in pending.vectors.items():
            write_embeddings(
                path,
                model_key,
                vectors,
                int(str(meta.get("truncated") or 0)),
                None if meta.get("seconds") is None else float(str(meta["seconds"])),
                name=None if meta.get("name") is None else str(meta["name"]),
            )
        for map_path, grown in pending.maps.items():
            write_artifact(map_path, grown.growth.projection)
        for path in pending.dropped_maps:
            path.unlink(missing_ok=True)
            if path.suffix == ".npy":
                path.with_suffix(".json").unlink(missing_ok=True)
        if folder.is_dir():
            for child in folder.iterdir():
                if child.is_dir() and child.name not in KEPT_FOLDERS:
                    shutil.rmtree(child, ignore_errors=True)
        return list(pending.maps.values())

    return write


def refit_projection(space: Space, params: ProjectionParams) -> tuple[Projection, Alignment]:
    """Compute a space's map of ``params`` again over every row (rows placed on it since it
    was fitted included), UMAP and t-SNE starting from the stored map, lay it onto the stored
    one by orthogonal Procrustes on the rows that one was fitted on, and store it in its
    place.

    Returns:
        The new map and how well it lies on the old one.

    Raises:
        InputError: There is no stored map of ``params`` to lay it onto.
    """
    name = space.projection_name(params)
    old = space.results.load(name, Projection)
    if old is None:
        raise InputError("There is no map of these settings to recompute; draw it first.")
    # UMAP and t-SNE start from the map as it stands, placed rows and all, so the refit
    # keeps its layout; Procrustes then takes out what moved as a whole.
    start = old.coordinates if len(old.coordinates) == space.rows else None
    aligned, alignment = refit_map(old, space.compute_projection(params, init=start))
    space.results.store(name, aligned)
    return aligned, alignment
