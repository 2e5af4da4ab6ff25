"""The workspace: every dataset a user loads, with its embeddings and projections, on disk.

Layout under the workspace folder (``$EMBEDDING_SPACE_HOME``, else ``~/.cache/embedding-space``)::

    embeddings.sqlite3                    per-text cache shared by all datasets (embed/cache.py)
    datasets/<id>/manifest.json           name, owner, rows, text column, source
    datasets/<id>/table.parquet           the rows as loaded; row ids are the row positions
    datasets/<id>/embeddings/<model>.npy  (n, d) float32, plus <model>.json saying which model
    datasets/<id>/projections/<model>-<params>.npz   coordinates, method used, note
    datasets/<id>/knn/<model>-n<k>.npz           the cosine kNN graph UMAP and exports share

Parquet keeps the table typed and compact, NumPy files map straight into memory, and every write
is atomic (:mod:`~embedding_space.store.artifacts`), so a process killed at any moment leaves
either the old file or the new one, never half of one. Derived results are keyed by (dataset,
model, parameters): asking again for a result computed before reads it from disk.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS, KnnGraph, knn_graph
from embedding_space.analysis.projection import Projection, ProjectionParams, project
from embedding_space.embed.base import Embedder, embed
from embedding_space.embed.cache import EmbeddingCache
from embedding_space.errors import InputError
from embedding_space.store.artifacts import (
    load_or_compute,
    model_slug,
    table_to_parquet,
    write_bytes,
    write_json,
    write_npy,
)
from embedding_space.types import FloatMatrix, ProgressCallback

__all__ = ["CUSTOM_VECTORS", "MAX_NAME_CHARS", "DatasetInfo", "Workspace", "default_home"]

_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME_CHARS = 120
CUSTOM_VECTORS = "uploaded vectors"
"""The model name of a dataset whose vectors came with the file rather than from a model."""


def default_home() -> Path:
    """The workspace folder: ``$EMBEDDING_SPACE_HOME`` or ``~/.cache/embedding-space``."""
    configured = os.environ.get("EMBEDDING_SPACE_HOME")
    return (
        Path(configured).expanduser() if configured else Path.home() / ".cache" / "embedding-space"
    )


@dataclass(frozen=True)
class DatasetInfo:
    """What the workspace knows of one dataset (its ``manifest.json``).

    Attributes:
        id: Unguessable id, safe as a folder name and in links.
        name: Display name, free text.
        rows: Number of rows.
        text_column: The column that holds the text.
        columns: Every column of the table.
        created: ISO timestamp (UTC).
        owner: Who may rename or delete it; ``None`` for a shared dataset such as the demo.
        shared: Whether everyone can see it.
        source: How it was loaded (file name, format, encoding, ...).
        vectors_model: For uploaded vectors, :data:`CUSTOM_VECTORS`; else ``None``.
        query_model: For uploaded vectors, the model that made them if the user named it
            (free-text search then embeds queries with it); else ``None``.
    """

    id: str
    name: str
    rows: int
    text_column: str
    columns: list[str]
    created: str
    owner: str | None = None
    shared: bool = False
    source: dict[str, object] = field(default_factory=dict)
    vectors_model: str | None = None
    query_model: str | None = None


class Workspace:
    """Datasets and their derived results in one folder.

    Args:
        root: The workspace folder; :func:`default_home` when ``None``.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_home()
        self.datasets_dir = self.root / "datasets"
        self.datasets_dir.mkdir(parents=True, exist_ok=True)
        self.cache = EmbeddingCache(self.root)

    # -- datasets -------------------------------------------------------------------------

    def _folder(self, dataset_id: str) -> Path:
        if not _ID_PATTERN.match(dataset_id):
            raise InputError(f"'{dataset_id}' is not a valid dataset id.")
        return self.datasets_dir / dataset_id

    def create_dataset(
        self,
        frame: pd.DataFrame,
        text_column: str,
        name: str,
        *,
        owner: str | None = None,
        shared: bool = False,
        source: dict[str, object] | None = None,
        dataset_id: str | None = None,
        vectors: FloatMatrix | None = None,
        query_model: str | None = None,
    ) -> DatasetInfo:
        """Store a table (and optionally vectors that came with it) as a new dataset.

        Args:
            frame: The rows; the index is dropped, row ids are positions ``0..n-1``.
            text_column: A column of ``frame`` holding text.
            name: Display name.
            owner: The creating user or session; ``None`` for a shared dataset.
            shared: Visible to everyone.
            source: How it was loaded, kept for display.
            dataset_id: A fixed id (for the demo); a random unguessable id when ``None``.
            vectors: Array of shape ``(n, d)`` uploaded with the table.
            query_model: The model that made ``vectors``, if known.

        Returns:
            The new dataset's info.

        Raises:
            InputError: No rows, the text column is missing, or vectors do not match the rows.
        """
        if len(frame) == 0:
            raise InputError("The dataset has no rows; add at least one text.")
        if text_column not in frame.columns:
            raise InputError(
                f"There is no column '{text_column}'. Pick one of: "
                f"{', '.join(map(str, frame.columns))}."
            )
        if vectors is not None and vectors.shape[0] != len(frame):
            raise InputError(
                f"There are {vectors.shape[0]} vectors for {len(frame)} rows; they must match."
            )
        dataset_id = dataset_id or secrets.token_urlsafe(12)
        folder = self._folder(dataset_id)
        table = frame.reset_index(drop=True)
        table.columns = [str(column) for column in table.columns]
        table[text_column] = table[text_column].astype("string").fillna("")
        info = DatasetInfo(
            id=dataset_id,
            name=name.strip()[:MAX_NAME_CHARS] or "Untitled dataset",
            rows=len(table),
            text_column=text_column,
            columns=list(table.columns),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            owner=owner,
            shared=shared or owner is None,
            source=dict(source or {}),
            vectors_model=CUSTOM_VECTORS if vectors is not None else None,
            query_model=query_model if vectors is not None else None,
        )
        parquet = table_to_parquet(table)
        try:
            write_bytes(folder / "table.parquet", parquet)
            if vectors is not None:
                self._store_embeddings(dataset_id, CUSTOM_VECTORS, np.asarray(vectors, np.float32))
            # The manifest goes last: a dataset without one is unfinished and is not listed.
            write_json(folder / "manifest.json", asdict(info))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return info

    def get(self, dataset_id: str) -> DatasetInfo:
        """Read one dataset's info.

        Raises:
            InputError: No such dataset.
        """
        manifest = self._folder(dataset_id) / "manifest.json"
        try:
            values = json.loads(manifest.read_text())
        except FileNotFoundError:
            raise InputError(f"There is no dataset with id '{dataset_id}'.") from None
        return DatasetInfo(**values)

    def exists(self, dataset_id: str) -> bool:
        """Whether a complete dataset with this id is stored."""
        return (
            _ID_PATTERN.match(dataset_id) is not None
            and (self.datasets_dir / dataset_id / "manifest.json").is_file()
        )

    def list_datasets(self, viewer: str | None = None) -> list[DatasetInfo]:
        """Datasets ``viewer`` may see (shared ones and their own), newest first.

        Args:
            viewer: A user or session id; ``None`` sees every dataset (a single-user machine).
        """
        found = []
        for manifest in self.datasets_dir.glob("*/manifest.json"):
            try:
                info = DatasetInfo(**json.loads(manifest.read_text()))
            except (OSError, ValueError, TypeError):
                continue
            if viewer is None or info.shared or info.owner == viewer:
                found.append(info)
        return sorted(found, key=lambda info: info.created, reverse=True)

    def size_bytes(self, dataset_id: str) -> int:
        """Disk space the dataset's folder takes."""
        folder = self._folder(dataset_id)
        return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())

    def _check_owner(self, info: DatasetInfo, user: str | None) -> None:
        if user is not None and info.owner != user:
            raise InputError(f"Only the owner of '{info.name}' can change or delete it.")

    def rename(self, dataset_id: str, name: str, *, user: str | None = None) -> DatasetInfo:
        """Give a dataset a new display name.

        Raises:
            InputError: Empty name, no such dataset, or ``user`` does not own it.
        """
        if not name.strip():
            raise InputError("A dataset name cannot be empty.")
        if len(name.strip()) > MAX_NAME_CHARS:
            raise InputError(f"A dataset name can have at most {MAX_NAME_CHARS} characters.")
        info = self.get(dataset_id)
        self._check_owner(info, user)
        return self._update(info, name=name.strip())

    def set_shared(self, dataset_id: str, shared: bool, *, user: str | None = None) -> DatasetInfo:
        """Let everyone on this server see a dataset (or only its owner again).

        Raises:
            InputError: No such dataset, or ``user`` does not own it.
        """
        info = self.get(dataset_id)
        self._check_owner(info, user)
        return self._update(info, shared=shared)

    def _update(self, info: DatasetInfo, **changes: object) -> DatasetInfo:
        updated = DatasetInfo(**{**asdict(info), **changes})
        write_json(self._folder(info.id) / "manifest.json", asdict(updated))
        return updated

    def delete(self, dataset_id: str, *, user: str | None = None) -> None:
        """Remove a dataset and everything derived from it.

        Raises:
            InputError: No such dataset, or ``user`` does not own it.
        """
        info = self.get(dataset_id)
        self._check_owner(info, user)
        folder = self._folder(dataset_id)
        # Drop the manifest first so a half-deleted folder is never listed.
        (folder / "manifest.json").unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)

    def load_table(self, dataset_id: str) -> pd.DataFrame:
        """The dataset's rows; row ids are positions."""
        return pd.read_parquet(self._folder(dataset_id) / "table.parquet")

    def texts(self, dataset_id: str) -> list[str]:
        """The dataset's texts in row order."""
        info = self.get(dataset_id)
        frame = pd.read_parquet(
            self._folder(dataset_id) / "table.parquet", columns=[info.text_column]
        )
        return [str(text) for text in frame[info.text_column].tolist()]

    # -- embeddings -----------------------------------------------------------------------

    def _embedding_path(self, dataset_id: str, model_key: str) -> Path:
        return self._folder(dataset_id) / "embeddings" / f"{model_slug(model_key)}.npy"

    def _store_embeddings(
        self, dataset_id: str, model_key: str, vectors: FloatMatrix, truncated: int = 0
    ) -> None:
        path = self._embedding_path(dataset_id, model_key)
        write_npy(path, vectors)
        meta = {"model": model_key, "shape": list(vectors.shape), "truncated": truncated}
        write_json(path.with_suffix(".json"), meta)

    def has_embeddings(self, dataset_id: str, model_key: str) -> bool:
        """Whether vectors for this dataset and model are stored (without reading them)."""
        return self._embedding_path(dataset_id, model_key).is_file()

    def truncated_texts(self, dataset_id: str, model_key: str) -> int:
        """How many of the dataset's texts were longer than the model reads."""
        meta = self._embedding_path(dataset_id, model_key).with_suffix(".json")
        try:
            return int(json.loads(meta.read_text()).get("truncated", 0))
        except (OSError, ValueError):
            return 0

    def stored_embeddings(self, dataset_id: str, model_key: str) -> FloatMatrix | None:
        """Vectors computed before for this dataset and model, or ``None``."""
        path = self._embedding_path(dataset_id, model_key)
        if not path.is_file():
            return None
        vectors: FloatMatrix = np.load(path, allow_pickle=False)
        return vectors

    def embedded_models(self, dataset_id: str) -> list[str]:
        """Model keys this dataset has complete vectors for."""
        folder = self._folder(dataset_id) / "embeddings"
        keys = []
        for meta in sorted(folder.glob("*.json")):
            if meta.with_suffix(".npy").is_file():
                keys.append(str(json.loads(meta.read_text())["model"]))
        return keys

    def embeddings(
        self,
        dataset_id: str,
        embedder: Embedder,
        *,
        batch_size: int = 64,
        progress: ProgressCallback | None = None,
    ) -> FloatMatrix:
        """The dataset's vectors for a model, computed once and then read from disk.

        Texts seen before (in any dataset) come from the shared cache, and each batch is cached
        as it completes, so an interrupted run resumes where it stopped.

        Returns:
            Array of shape ``(n, d)``, float32.
        """
        stored = self.stored_embeddings(dataset_id, embedder.cache_key)
        if stored is not None:
            if progress is not None:
                progress(len(stored), len(stored))
            return stored
        result = embed(
            self.texts(dataset_id),
            embedder,
            cache=self.cache,
            batch_size=batch_size,
            progress=progress,
        )
        self._store_embeddings(dataset_id, embedder.cache_key, result.vectors, result.truncated)
        return result.vectors

    # -- derived results --------------------------------------------------------------------

    def _derived_path(self, dataset_id: str, kind: str, model_key: str, params: str) -> Path:
        return self._folder(dataset_id) / kind / f"{model_slug(model_key)}-{params}.npz"

    def knn(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        n_neighbors: int = GRAPH_NEIGHBORS,
    ) -> KnnGraph:
        """The cosine kNN graph of a dataset's vectors, computed once per (dataset, model,
        n_neighbors); UMAP and the exports share it.

        Args:
            dataset_id: The dataset.
            model_key: Whose vectors.
            vectors: Those vectors, shape ``(n, d)``.
            n_neighbors: Neighbours per row, the row itself not counted.
        """
        return load_or_compute(
            self._derived_path(dataset_id, "knn", model_key, f"n{n_neighbors}"),
            KnnGraph,
            lambda: knn_graph(vectors, n_neighbors=n_neighbors, metric="cosine"),
        )

    def projection(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        params: ProjectionParams,
    ) -> Projection:
        """A projection of the dataset's vectors, computed once per (dataset, model, params).

        A cosine UMAP reuses the stored kNN graph rather than building its own.

        Returns:
            The projection; coordinates of shape ``(n, params.n_components)``.
        """

        def compute() -> Projection:
            graph = None
            if (
                params.method == "umap"
                and params.metric == "cosine"
                and len(vectors) > params.n_neighbors
            ):
                # umap-learn's n_neighbors counts the row itself.
                needed = max(GRAPH_NEIGHBORS, params.n_neighbors - 1)
                graph = self.knn(dataset_id, model_key, vectors, n_neighbors=needed)
            return project(vectors, params, knn=graph)

        return load_or_compute(
            self._derived_path(dataset_id, "projections", model_key, params.key()),
            Projection,
            compute,
        )
