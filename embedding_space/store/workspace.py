"""The workspace: every dataset a user loads, with its embeddings and derived results on disk.

A dataset's embedding and everything derived from it are reached through one handle,
:meth:`Workspace.space` (see :mod:`~embedding_space.store.space`). Results are keyed by
(dataset, model, parameters) and computed once. Whose folder they go to depends on who asks
(``viewer``): the dataset's owner, or anyone on a single-user machine, writes into the
dataset's own folder; someone exploring a dataset they do not own (the shared demo on a team
server) gets results of their own under ``owners/<them>/results/<dataset>/``, counted against
their limits, so no visitor can fill a shared dataset's folder. Results in the dataset's own
folder (precomputed by its owner or the operator) serve every viewer. Whoever writes, the
writer's room is checked first: an owner's own embeddings, maps and graphs count against their
limits as much as a visitor's (see :mod:`~embedding_space.store.owners`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from embedding_space.analysis.parameters import default_of
from embedding_space.embed.base import Embedder, ModelIdentity, embed
from embedding_space.embed.images import ImageEmbedder, embedding_key, reads_images
from embedding_space.embed.models import fitted_on, load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.io.columns import texts_of
from embedding_space.store.artifacts import table_to_parquet, write_bytes
from embedding_space.store.batches import Batch, append_batch, batch_name, batches_of
from embedding_space.store.datasets import (
    CUSTOM_VECTORS,
    MAX_NAME_CHARS,
    DatasetInfo,
    default_home,
)
from embedding_space.store.embedding_files import (
    EmbeddingFile,
    StoredEmbedding,
    embeddings_in,
    write_embeddings,
)
from embedding_space.store.growing import RECOMPUTED, GrownMap, grow_folder
from embedding_space.store.owned import OwnedStore
from embedding_space.store.owners import cache_scope
from embedding_space.store.results import FolderResults
from embedding_space.store.space import ModelLoader, Space
from embedding_space.store.tag_columns import TAGS_COLUMN, read_tags_column
from embedding_space.store.tags import FILE_NAME as TAGS_FILE
from embedding_space.store.tags import Tags
from embedding_space.types import FloatMatrix, ProgressCallback

__all__ = [
    "CUSTOM_VECTORS",
    "MAX_NAME_CHARS",
    "BatchAdded",
    "DatasetInfo",
    "Workspace",
    "default_home",
]


class Workspace(OwnedStore):
    """Datasets and what is computed from them, in one folder (see :class:`DatasetStore` and
    :class:`~embedding_space.store.owned.OwnedStore`)."""

    def _writer(self, info: DatasetInfo, viewer: str | None) -> str | None:
        """Whose room a new result of ``viewer`` on this dataset takes: theirs when they
        visit it, else its owner's."""
        return self._visitor(info, viewer) or info.owner

    # -- where results live -----------------------------------------------------------------

    @staticmethod
    def _visitor(info: DatasetInfo, viewer: str | None) -> str | None:
        """``viewer`` when they explore a dataset they do not own, else ``None``."""
        return viewer if viewer is not None and info.owner != viewer else None

    def results_owner(self, dataset_id: str, viewer: str | None) -> str | None:
        """Whose results ``viewer`` works with on a dataset: ``None`` for the dataset's own
        (its owner, or anyone on a single-user machine), else the viewer's own. Passing it as
        ``viewer`` gives the same results and lets callers cache by it."""
        return self._visitor(self.get(dataset_id), viewer)

    def results(self, dataset_id: str, viewer: str | None = None) -> FolderResults:
        """Where ``viewer``'s results on a dataset are read and written: the dataset's folder,
        then (for a visitor) a folder of their own, which is written to and counted against
        their limits."""
        return self._results_of(self.get(dataset_id), viewer)

    def _results_of(self, info: DatasetInfo, viewer: str | None) -> FolderResults:
        folders = [self._folder(info.id)]
        visitor = self._visitor(info, viewer)
        if visitor is not None:
            folders.append(self._owner_folder(visitor) / "results" / info.id)

        writer = self._writer(info, viewer)

        def check_room() -> None:
            self.check_room(writer)

        return FolderResults(folders, check_room)

    def space(
        self,
        dataset_id: str,
        model_key: str,
        viewer: str | None = None,
        *,
        query_model: str | None = None,
        models: ModelLoader = load_model,
        table: pd.DataFrame | None = None,
    ) -> Space:
        """The handle on one embedding of a dataset, as ``viewer`` sees it: its vectors and
        every result derived from them (see :class:`~embedding_space.store.space.Space`).

        Args:
            dataset_id: The dataset.
            model_key: Which of its embeddings (see :meth:`embedding_list`); the vectors need
                not be stored yet (:meth:`Space.has_vectors`, :meth:`embeddings`).
            viewer: Who asks (see the module's notes); ``None`` on a single-user machine.
            query_model: The model that embeds typed texts; by default, for uploaded vectors
                the one their uploader named (if any), else the one that made the vectors.
            models: Loads a model by name (the app passes its cache of loaded models).
            table: The dataset's rows when the caller holds them already (else read once).

        Raises:
            InputError: No such dataset.
        """
        info = self.get(dataset_id)
        results = self._results_of(info, viewer)
        if model_key == info.vectors_model and query_model is None:
            query_model = info.query_model or ""  # "": nobody knows which model made them
        return Space(
            # The row count too: a batch added makes every result of the handle new.
            (dataset_id, model_key, self._visitor(info, viewer), info.rows),
            model_key=model_key,
            source=EmbeddingFile(results, model_key),
            table=(lambda: table) if table is not None else (lambda: self.load_table(dataset_id)),
            text_column=info.text_column,
            results=results,
            query_model=query_model,
            models=models,
            rows=info.rows,
            tags=lambda: self.tags(dataset_id, viewer),
        )

    def tags(self, dataset_id: str, viewer: str | None = None) -> Tags:
        """The tags of a dataset's rows, as ``viewer`` may use them: everyone who can see the
        dataset reads them; only its owner (or anyone on a single-user machine, ``viewer``
        ``None``) changes them. A dataset uploaded with a ``tags`` column of names starts
        with those tags (see :mod:`~embedding_space.store.tag_columns`).

        Raises:
            InputError: No such dataset.
        """
        info = self.get(dataset_id)
        folder = self._folder(info.id)

        def initial() -> list[list[str]]:
            if TAGS_COLUMN not in info.columns:
                return []
            frame = pd.read_parquet(folder / "table.parquet", columns=[TAGS_COLUMN])
            return read_tags_column(frame[TAGS_COLUMN])

        return Tags(
            folder / TAGS_FILE,
            info.rows,
            editable=self._visitor(info, viewer) is None,
            refusal=f"Only the owner of '{info.name}' can change its tags.",
            initial=initial,
        )

    # -- embeddings -------------------------------------------------------------------------

    def embedding_list(self, dataset_id: str, viewer: str | None = None) -> list[StoredEmbedding]:
        """Every embedding of the dataset (as ``viewer`` sees it), with its size and time."""
        found: dict[str, StoredEmbedding] = {}
        for folder in self.results(dataset_id, viewer).folders:
            for stored in embeddings_in(folder):
                found.setdefault(stored.model_key, stored)
        return list(found.values())

    def embedded_models(self, dataset_id: str, viewer: str | None = None) -> list[str]:
        """Model keys this dataset has complete vectors for (as ``viewer`` sees it)."""
        return [stored.model_key for stored in self.embedding_list(dataset_id, viewer)]

    def embeddings(
        self,
        dataset_id: str,
        embedder: Embedder,
        *,
        viewer: str | None = None,
        batch_size: int = 64,
        progress: ProgressCallback | None = None,
        plan: Callable[[list[int]], None] | None = None,
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
            plan: Called with the lengths of the texts to embed (see ``embed.base.embed``).

        Returns:
            Array of shape ``(n, d)``, float32.

        Raises:
            InputError: A viewer who does not own the dataset is out of room.
        """
        embedder = self.embedder_for(dataset_id, embedder)
        stored = EmbeddingFile(self.results(dataset_id, viewer), embedder.cache_key)
        if stored.exists():
            vectors = stored.vectors()
            if progress is not None:
                progress(len(vectors), len(vectors))
            return vectors
        info = self.get(dataset_id)
        started = time.monotonic()
        images = self.images(dataset_id) if isinstance(embedder, ImageEmbedder) else None
        texts = images.keys() if images is not None else self.texts(dataset_id)
        embedder = fitted_on(embedder, texts)  # a traditional model knows its size once fitted
        # The vectors file, and as much again in the cache of the dataset's owner (a shared
        # dataset caches in no one's scope; the file then sits in the visitor's folder).
        vector_bytes = info.rows * embedder.dimension * 4
        writer = self._writer(info, viewer)
        self.check_room(writer, adding_bytes=vector_bytes * (2 if writer == info.owner else 1))
        result = embed(
            texts,
            embedder,
            cache=self.cache,
            cache_scope=cache_scope(info.owner),
            batch_size=batch_size,
            progress=progress,
            plan=plan,
        )
        if isinstance(embedder, TraditionalEmbedder):
            embedder.save(stored.path.with_suffix(".fit.npz"))  # before the vectors: never alone
        seconds = time.monotonic() - started
        write_embeddings(
            stored.path,
            embedder.cache_key,
            result.vectors,
            result.truncated,
            seconds,
            name=embedder.name,
        )
        return result.vectors

    def embedder_for(self, dataset_id: str, embedder: Embedder) -> Embedder:
        """What embeds a dataset: a model that reads images embeds a dataset's images when it
        has them (see ``embed.images``), any other its texts."""
        images = self.images(dataset_id)
        if images is None or not reads_images(embedder) or isinstance(embedder, ImageEmbedder):
            return embedder
        return ImageEmbedder(embedder, images.working_copies)

    def model_key(self, dataset_id: str, identity: Callable[[], ModelIdentity]) -> str:
        """The key of the vectors a dataset is explored with by a model: its uploaded ones
        when it has them (``identity``, which may load the model, is then not called), else
        the model's, of its images when the model reads them."""
        info = self.get(dataset_id)
        return info.vectors_model or embedding_key(identity(), info.images)

    # -- batches ----------------------------------------------------------------------------

    def add_batch(
        self,
        dataset_id: str,
        frame: pd.DataFrame,
        *,
        name: str | None = None,
        user: str | None = None,
        models: ModelLoader = load_model,
        vectors: FloatMatrix | None = None,
        recompute_share: float = default_of("recompute_share", float),
    ) -> BatchAdded:
        """Append a batch of rows to a dataset (see :mod:`~embedding_space.store.batches`):
        every stored embedding is extended with the new rows (only they are embedded, the
        cache first), every stored map places them without moving an old point, and the
        other results are computed again when next asked for (see
        :mod:`~embedding_space.store.growing`), for the owner and every visitor alike.

        Args:
            dataset_id: The dataset.
            frame: The new rows, with the dataset's text column.
            name: The batch's name; ``"batch N"`` when ``None``.
            user: Who adds it: only the owner may (``None``: a single-user machine).
            models: Loads the model of an embedding by its name.
            vectors: The new rows' vectors, shape ``(m, d)``, for a dataset of uploaded
                vectors.
            recompute_share: Past this share of placed rows a map suggests recomputing.

        Raises:
            InputError: No such dataset, not the owner, a dataset of images, no rows, no text
                column, a taken or too long name, vectors missing or of another shape, or no
                room.
        """
        info = self.get(dataset_id)
        self._check_owner(info, user)
        if info.images:  # its images file would no longer have one image per row
            raise InputError(
                f"'{info.name}' is a dataset of images; rows cannot be added to it yet. Upload "
                "the old and the new images together as a new dataset."
            )
        table = self.load_table(dataset_id)
        batches = batches_of(info.batches, table, info.created)
        batch_as = batch_name(name, batches)
        grown = append_batch(table, frame, info.text_column, batch_as, batches)
        added = len(grown) - len(table)
        if vectors is not None and vectors.shape[0] != added:
            raise InputError(f"There are {vectors.shape[0]} vectors for {added} new rows.")
        new_texts = texts_of(grown.iloc[len(table) :], info.text_column)
        parquet = table_to_parquet(grown)
        table_path = self._folder(dataset_id) / "table.parquet"
        # The longer table, and each stored embedding of the owner's grown by the new rows
        # (in its file and in the cache).
        dimensions = sum(stored.dimension for stored in embeddings_in(self._folder(dataset_id)))
        self.check_room(
            info.owner,
            adding_bytes=max(0, len(parquet) - table_path.stat().st_size)
            + added * dimensions * 4 * 2,
        )
        scope = cache_scope(info.owner)
        made: dict[str, FloatMatrix] = {}

        def new_vectors(model_key: str, path: Path) -> FloatMatrix:
            if model_key not in made:
                made[model_key] = self._embed_new(
                    model_key, path, new_texts, scope, models, vectors
                )
            return made[model_key]

        folders = [self._folder(dataset_id), *self.root.glob(f"owners/*/results/{dataset_id}")]
        writes = [
            grow_folder(folder, len(table), new_vectors, recompute_share=recompute_share)
            for folder in folders
        ]
        maps = [grown_map for write in writes for grown_map in write()]
        write_bytes(table_path, parquet)
        batch = Batch(batch_as, datetime.now(UTC).isoformat(timespec="seconds"), added)
        updated = self._update(
            info,
            rows=len(grown),
            columns=list(grown.columns),
            batches=[b.to_json() for b in [*batches, batch]],
        )
        return BatchAdded(updated, batch, sorted(made), maps)

    def batches(self, dataset_id: str) -> list[Batch]:
        """The dataset's batches, the rows it started with first (one batch until a batch
        is added)."""
        info = self.get(dataset_id)
        if info.batches:
            return batches_of(info.batches, pd.DataFrame(), info.created)
        table = self.load_table(dataset_id)
        return batches_of([], table, info.created)

    def _embed_new(
        self,
        model_key: str,
        path: Path,
        texts: list[str],
        scope: str,
        models: ModelLoader,
        vectors: FloatMatrix | None,
    ) -> FloatMatrix:
        """The new rows' vectors of one embedding (see :meth:`add_batch`)."""
        if model_key == CUSTOM_VECTORS:
            if vectors is None:
                raise InputError(
                    "This dataset's vectors were uploaded with it; the new rows need vectors "
                    "of their own, from the same model."
                )
            return np.asarray(vectors, dtype=np.float32)
        fit = path.with_suffix(".fit.npz")
        if fit.is_file():  # a traditional model embeds new rows with the fit of the old ones
            return embed(texts, TraditionalEmbedder.load(fit)).vectors
        folder = FolderResults([path.parent.parent], lambda: None)
        name = EmbeddingFile(folder, model_key).model_name()
        model = models(name or model_key.split("|", 1)[0])
        return embed(texts, model, cache=self.cache, cache_scope=scope).vectors


@dataclass(frozen=True)
class BatchAdded:
    """What adding a batch did.

    Attributes:
        info: The dataset's info now.
        batch: The batch added.
        models: The embeddings extended (model keys).
        maps: The stored maps extended, each with how its rows were placed and whether to
            recompute it.
        recomputed: What is computed again when next asked for (see
            :data:`~embedding_space.store.growing.RECOMPUTED`).
    """

    info: DatasetInfo
    batch: Batch
    models: list[str]
    maps: list[GrownMap]
    recomputed: tuple[str, ...] = RECOMPUTED

    @property
    def recompute_suggested(self) -> bool:
        """Whether any map has more placed rows than the share that suggests recomputing."""
        return any(grown.growth.recompute_suggested for grown in self.maps)
