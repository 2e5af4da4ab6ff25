"""The workspace: every dataset a user loads, with its embeddings and derived results on disk.

Results are keyed by (dataset, model, parameters) and computed once: asking again reads them
(:func:`~embedding_space.store.artifacts.load_or_compute`). Whose folder they go to depends on
who asks (``viewer``): the dataset's owner, or anyone on a single-user machine, writes into the
dataset's own folder; someone exploring a dataset they do not own (the shared demo on a team
server) gets results of their own under ``owners/<them>/results/<dataset>/``, counted against
their limits, so no visitor can fill a shared dataset's folder. Results in the dataset's own
folder (precomputed by its owner or the operator) serve every viewer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from embedding_space.analysis.agreement import MapTrust, map_trust
from embedding_space.analysis.ann import neighbor_graph
from embedding_space.analysis.clustering import Clustering, ClusterParams, cluster
from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS, KnnGraph
from embedding_space.analysis.projection import Projection, ProjectionParams, project
from embedding_space.embed.base import Embedder, embed
from embedding_space.embed.models import fitted_on
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.rows import decode_rows, encode_rows
from embedding_space.store.artifacts import (
    Artifact,
    load_or_compute,
    model_slug,
    write_atomically,
    write_json,
)
from embedding_space.store.datasets import (
    CUSTOM_VECTORS,
    MAX_NAME_CHARS,
    DatasetInfo,
    DatasetStore,
    default_home,
)
from embedding_space.store.embedding_files import (
    StoredEmbedding,
    embedding_file,
    embeddings_in,
    write_embeddings,
)
from embedding_space.store.owners import cache_scope
from embedding_space.types import FloatMatrix, ProgressCallback

__all__ = [
    "CUSTOM_VECTORS",
    "MAX_NAME_CHARS",
    "MAX_SELECTIONS",
    "DatasetInfo",
    "Workspace",
    "default_home",
]

MAX_SELECTIONS = 50
"""Named selections one person may keep per dataset."""
_SELECTION_NAME_CHARS = 60

_A = TypeVar("_A", bound=Artifact)


class Workspace(DatasetStore):
    """Datasets and what is computed from them, in one folder (see :class:`DatasetStore`)."""

    # -- where results live -----------------------------------------------------------------

    def _writes_own_folder(self, dataset_id: str, viewer: str | None) -> bool:
        return viewer is None or self.get(dataset_id).owner == viewer

    def results_owner(self, dataset_id: str, viewer: str | None) -> str | None:
        """Whose results ``viewer`` works with on a dataset: ``None`` for the dataset's own
        (its owner, or anyone on a single-user machine), else the viewer's own. Passing it as
        ``viewer`` to the methods below gives the same results and lets callers cache by it."""
        return None if self._writes_own_folder(dataset_id, viewer) else viewer

    def _results_folders(self, dataset_id: str, viewer: str | None) -> list[Path]:
        """The dataset's folder, then (for a visitor) the viewer's own; writes go to the last."""
        folders = [self._folder(dataset_id)]
        if viewer is not None and not self._writes_own_folder(dataset_id, viewer):
            folders.append(self._owner_folder(viewer) / "results" / dataset_id)
        return folders

    def _result_path(self, dataset_id: str, viewer: str | None, relative: str) -> Path:
        """The file a result is read from (the viewer's own copy first), or written to when
        it is not there yet."""
        folders = self._results_folders(dataset_id, viewer)
        for folder in reversed(folders):
            if (folder / relative).is_file():
                return folder / relative
        return folders[-1] / relative

    def _load_or_compute(
        self,
        dataset_id: str,
        viewer: str | None,
        relative: str,
        kind: type[_A],
        compute: Callable[[], _A],
    ) -> _A:
        path = self._result_path(dataset_id, viewer, relative)
        if not path.is_file() and not self._writes_own_folder(dataset_id, viewer):
            self.check_room(viewer)
        return load_or_compute(path, kind, compute)

    # -- embeddings -------------------------------------------------------------------------

    def _embedding_path(self, dataset_id: str, model_key: str, viewer: str | None) -> Path:
        relative = embedding_file(Path(), model_key)
        return self._result_path(dataset_id, viewer, str(relative))

    def has_embeddings(self, dataset_id: str, model_key: str, viewer: str | None = None) -> bool:
        """Whether vectors for this dataset and model are stored (without reading them)."""
        return self._embedding_path(dataset_id, model_key, viewer).is_file()

    def truncated_texts(self, dataset_id: str, model_key: str, viewer: str | None = None) -> int:
        """How many of the dataset's texts were longer than the model reads."""
        meta = self._embedding_path(dataset_id, model_key, viewer).with_suffix(".json")
        try:
            return int(json.loads(meta.read_text()).get("truncated", 0))
        except (OSError, ValueError):
            return 0

    def stored_embeddings(
        self, dataset_id: str, model_key: str, viewer: str | None = None
    ) -> FloatMatrix | None:
        """Vectors computed before for this dataset and model, or ``None``."""
        path = self._embedding_path(dataset_id, model_key, viewer)
        if not path.is_file():
            return None
        vectors: FloatMatrix = np.load(path, allow_pickle=False)
        return vectors

    def embedded_models(self, dataset_id: str, viewer: str | None = None) -> list[str]:
        """Model keys this dataset has complete vectors for (as ``viewer`` sees it)."""
        return [stored.model_key for stored in self.embedding_list(dataset_id, viewer)]

    def embedding_list(self, dataset_id: str, viewer: str | None = None) -> list[StoredEmbedding]:
        """Every embedding of the dataset (as ``viewer`` sees it), with its size and time."""
        found: dict[str, StoredEmbedding] = {}
        for folder in self._results_folders(dataset_id, viewer):
            for stored in embeddings_in(folder):
                found.setdefault(stored.model_key, stored)
        return list(found.values())

    def embeddings(
        self,
        dataset_id: str,
        embedder: Embedder,
        *,
        viewer: str | None = None,
        batch_size: int = 64,
        progress: ProgressCallback | None = None,
    ) -> FloatMatrix:
        """The dataset's vectors for a model, computed once and then read from disk.

        Texts its owner embedded before (in any of their datasets) come from the cache, and
        each batch is cached as it completes, so an interrupted run resumes where it stopped.

        Args:
            dataset_id: The dataset.
            embedder: The model.
            viewer: Who asks (see the module's notes); ``None`` on a single-user machine.
            batch_size: Texts per model call.
            progress: Called as ``progress(done, total)``.

        Returns:
            Array of shape ``(n, d)``, float32.

        Raises:
            InputError: A viewer who does not own the dataset is out of room.
        """
        stored = self.stored_embeddings(dataset_id, embedder.cache_key, viewer)
        if stored is not None:
            if progress is not None:
                progress(len(stored), len(stored))
            return stored
        info = self.get(dataset_id)
        if not self._writes_own_folder(dataset_id, viewer):
            self.check_room(viewer, adding_bytes=info.rows * embedder.dimension * 4)
        started = time.monotonic()
        texts = self.texts(dataset_id)
        embedder = fitted_on(embedder, texts)
        result = embed(
            texts,
            embedder,
            cache=self.cache,
            cache_scope=cache_scope(info.owner),
            batch_size=batch_size,
            progress=progress,
        )
        path = self._embedding_path(dataset_id, embedder.cache_key, viewer)
        if isinstance(embedder, TraditionalEmbedder):
            embedder.save(path.with_suffix(".fit.npz"))  # before the vectors: never one alone
        seconds = time.monotonic() - started
        write_embeddings(path, embedder.cache_key, result.vectors, result.truncated, seconds)
        return result.vectors

    def stored_fit(
        self, dataset_id: str, model_key: str, viewer: str | None = None
    ) -> TraditionalEmbedder | None:
        """The traditional embedder fitted on this dataset, to embed queries with its fit."""
        path = self._embedding_path(dataset_id, model_key, viewer).with_suffix(".fit.npz")
        return TraditionalEmbedder.load(path) if path.is_file() else None

    # -- derived results --------------------------------------------------------------------

    def knn(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        n_neighbors: int = GRAPH_NEIGHBORS,
        *,
        viewer: str | None = None,
    ) -> KnnGraph:
        """The cosine kNN graph of a dataset's vectors (exact, or approximate on large
        datasets: see ``analysis.ann``), computed once per (dataset, model, n_neighbors); UMAP,
        the exports, outliers and duplicates share it.

        Args:
            dataset_id: The dataset.
            model_key: Whose vectors.
            vectors: Those vectors, shape ``(n, d)``.
            n_neighbors: Neighbours per row, the row itself not counted.
            viewer: Who asks (see the module's notes).
        """
        return self._load_or_compute(
            dataset_id,
            viewer,
            f"knn/{model_slug(model_key)}-n{n_neighbors}.npz",
            KnnGraph,
            lambda: neighbor_graph(vectors, n_neighbors),
        )

    def projection(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        params: ProjectionParams,
        *,
        viewer: str | None = None,
    ) -> Projection:
        """A projection of the dataset's vectors, computed once per (dataset, model, params).

        A cosine UMAP reuses the stored kNN graph rather than building its own.

        Returns:
            The projection; coordinates of shape ``(n, params.n_components)``.

        Raises:
            InputError: A viewer who does not own the dataset is out of room.
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
                graph = self.knn(dataset_id, model_key, vectors, needed, viewer=viewer)
            return project(vectors, params, knn=graph)

        return self._load_or_compute(
            dataset_id,
            viewer,
            f"projections/{model_slug(model_key)}-{params.key()}.npz",
            Projection,
            compute,
        )

    def map_trust(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        params: ProjectionParams,
        *,
        k: int = 10,
        label_column: str | None = None,
        viewer: str | None = None,
    ) -> MapTrust:
        """How far the map of these parameters can be trusted (see
        :mod:`~embedding_space.analysis.agreement`); computed once per (map, k, labels).

        Raises:
            InputError: Fewer than three rows, or a bad ``k``.
        """
        projection = self.projection(dataset_id, model_key, vectors, params, viewer=viewer)
        graph = self.knn(dataset_id, model_key, vectors, max(GRAPH_NEIGHBORS, k), viewer=viewer)
        labels = None
        if label_column is not None:
            labels = self.load_table(dataset_id)[label_column].astype(str).tolist()
        suffix = f"{params.key()}-k{k}" + (f"-{model_slug(label_column)}" if label_column else "")
        return self._load_or_compute(
            dataset_id,
            viewer,
            f"trust/{model_slug(model_key)}-{suffix}.npz",
            MapTrust,
            lambda: map_trust(vectors, projection.coordinates, graph, k=k, labels=labels),
        )

    def _clustering_file(self, model_key: str, params: ClusterParams) -> str:
        return f"clusters/{model_slug(model_key)}-{params.key()}.npz"

    def clustering(
        self,
        dataset_id: str,
        model_key: str,
        vectors: FloatMatrix,
        params: ClusterParams,
        *,
        viewer: str | None = None,
    ) -> Clustering:
        """The dataset's clusters, computed once per (dataset, model, method, parameters),
        with any names the user gave them.

        Raises:
            InputError: Fewer than two rows, or a viewer out of room.
        """
        return self._load_or_compute(
            dataset_id,
            viewer,
            self._clustering_file(model_key, params),
            Clustering,
            lambda: cluster(vectors, params, self.texts(dataset_id)),
        )

    def rename_cluster(
        self,
        dataset_id: str,
        model_key: str,
        params: ClusterParams,
        cluster_id: int,
        name: str,
        *,
        viewer: str | None = None,
    ) -> Clustering:
        """Give a computed cluster a name of the user's; it is kept with the clustering (a
        visitor's names go to a copy of their own).

        Raises:
            InputError: The clustering is not computed, no such cluster, or a bad name.
        """
        relative = self._clustering_file(model_key, params)
        source = self._result_path(dataset_id, viewer, relative)
        if not source.is_file():
            raise InputError("Compute the clusters before renaming one.")
        with np.load(source, allow_pickle=False) as stored:
            renamed = Clustering.from_arrays(stored).renamed(cluster_id, name)
        arrays = renamed.to_arrays()
        target = self._results_folders(dataset_id, viewer)[-1] / relative
        write_atomically(target, lambda stream: np.savez(stream, allow_pickle=False, **arrays))
        return renamed

    # -- selections -------------------------------------------------------------------------

    def _selections_path(self, dataset_id: str, viewer: str | None) -> Path:
        return self._results_folders(dataset_id, viewer)[-1] / "selections.json"

    def selections(self, dataset_id: str, viewer: str | None = None) -> dict[str, list[int]]:
        """The selections kept for a dataset (by whoever ``viewer`` is), name -> row ids."""
        path = self._selections_path(dataset_id, viewer)
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            return {}
        rows = self.get(dataset_id).rows
        return {str(name): decode_rows(str(ranges), rows) for name, ranges in stored.items()}

    def save_selection(
        self, dataset_id: str, name: str, rows: list[int], *, viewer: str | None = None
    ) -> None:
        """Keep a set of rows under a name (replacing one of that name); stored as row-id
        ranges, so 100,000 neighbouring rows take a few characters.

        Raises:
            InputError: The name is empty or too long, no rows, ids outside the dataset, or
                :data:`MAX_SELECTIONS` are kept already.
        """
        cleaned = " ".join(name.split())
        if not cleaned or len(cleaned) > _SELECTION_NAME_CHARS:
            raise InputError(f"A selection name needs 1 to {_SELECTION_NAME_CHARS} characters.")
        if not rows:
            raise InputError("The selection is empty; select some rows first.")
        count = self.get(dataset_id).rows
        if min(rows) < 0 or max(rows) >= count:
            raise InputError(f"The selection names rows outside 0 to {count - 1}.")
        kept = {
            key: encode_rows(value) for key, value in self.selections(dataset_id, viewer).items()
        }
        if cleaned not in kept and len(kept) >= MAX_SELECTIONS:
            raise InputError(
                f"{MAX_SELECTIONS} selections are kept for this dataset already; delete one first."
            )
        kept[cleaned] = encode_rows(rows)
        if not self._writes_own_folder(dataset_id, viewer):
            self.check_room(viewer)
        write_json(self._selections_path(dataset_id, viewer), kept)

    def delete_selection(self, dataset_id: str, name: str, *, viewer: str | None = None) -> None:
        """Forget a kept selection (nothing happens if there is none of that name)."""
        kept = {
            key: encode_rows(value) for key, value in self.selections(dataset_id, viewer).items()
        }
        if kept.pop(name, None) is not None:
            write_json(self._selections_path(dataset_id, viewer), kept)
