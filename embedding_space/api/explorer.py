"""The workspace for notebooks and agents: datasets by id, and the questions the app asks of
them, answered with plain values (:mod:`~embedding_space.api.results`).

Every answer comes from the same :class:`~embedding_space.store.space.Space` the app opens,
with the app's default settings (``analysis.parameters``) and its default model, so a cluster
label, a kept selection or an outlier here is the one the app shows, and the other way round.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.methods import MethodsCard, data_fingerprint
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.analysis.search import SEARCH_KINDS
from embedding_space.api.more import MoreQuestions, check_row_id
from embedding_space.api.results import (
    ClusterSummary,
    DatasetSummary,
    DuplicateGroup,
    KeptSelection,
    MapDescription,
    OutlierRow,
    RowMatch,
    clipped,
)
from embedding_space.embed.base import Embedder, ModelIdentity
from embedding_space.embed.images import IMAGES_SUFFIX, check_images_embeddable, reads_images
from embedding_space.embed.models import load_model, model_identity
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.errors import InputError
from embedding_space.io.image_sets import holds_images, read_image_files
from embedding_space.io.tables import read_table
from embedding_space.store.datasets import DatasetInfo
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace

__all__ = ["SAMPLE_TEXTS", "Explorer", "open_workspace"]

SAMPLE_TEXTS = 3
"""Texts shown of each cluster."""


def open_workspace(
    home: str | Path | None = None, *, viewer: str | None = None, model: str = DEFAULT_MODEL
) -> Explorer:
    """The workspace in ``home`` (``$EMBEDDING_SPACE_HOME`` or ``~/.cache/embedding-space``
    when ``None``), the one the app opens.

    Args:
        home: The workspace folder.
        viewer: Who asks, on a server shared by several people: they see the shared
            datasets and their own, and change only their own. ``None``: the machine's one
            user, who sees and changes every dataset.
        model: The model datasets are explored and added with (see :class:`Explorer`).
    """
    return Explorer(Workspace(home), viewer=viewer, model=model)


class Explorer(MoreQuestions):
    """Questions about the datasets of one workspace, by dataset id (see the module's notes).

    Args:
        workspace: The workspace.
        viewer: Who asks (see :func:`open_workspace`).
        model: The model whose embedding is explored when a dataset has one of it; a dataset
            of uploaded vectors is explored with those.
    """

    def __init__(
        self, workspace: Workspace, *, viewer: str | None = None, model: str = DEFAULT_MODEL
    ) -> None:
        self.workspace = workspace
        self.viewer = viewer
        self.model = model
        self._loaded: dict[str, Embedder] = {}
        self._spaces: dict[tuple[str, str, int], Space] = {}

    # -- datasets -----------------------------------------------------------------------------

    def datasets(self) -> list[DatasetSummary]:
        """The datasets this viewer may see, newest first."""
        return [self._summary(info) for info in self.workspace.list_datasets(self.viewer)]

    def add_file(
        self,
        path: str | Path,
        text_column: str | None = None,
        name: str | None = None,
        model: str | None = None,
    ) -> DatasetSummary:
        """Read a file of texts, store it as a dataset and embed it, so the app opens it.

        Args:
            path: A .txt, .csv, .tsv, .jsonl, .json, .parquet or .xlsx file of texts; or a
                .zip of images (with a table naming them, if any) or a .parquet of images,
                whose images a model that reads images embeds, their captions a text model.
            text_column: The column of text; guessed when ``None``.
            name: The dataset's name; the file's name when ``None``.
            model: The model to embed with; this explorer's when ``None``.

        Raises:
            InputError: The file cannot be read, has no text, holds images a text model cannot
                embed (no captions), or the model does not load.
        """
        file = Path(path)
        embedder = self._load(model or self.model)
        images = None
        if file.suffix.lower() in (".zip", ".parquet") and holds_images(
            file.name, data := file.read_bytes()
        ):
            loaded = read_image_files([(file.name, data)])
            check_images_embeddable(embedder.name, reads_images(embedder), loaded.has_captions)
            frame, column, kind, images = (
                loaded.frame,
                loaded.text_column,
                loaded.source_format,
                loaded.images,
            )
        else:
            table = read_table(file, text_column=text_column)
            frame, column, kind = table.frame, table.text_column, table.format
        info = self.workspace.create_dataset(
            frame,
            column,
            name or file.name,
            owner=self.viewer,
            source={"file": file.name, "format": kind},
            images=images,
        )
        self.workspace.embeddings(info.id, embedder, viewer=self.viewer)
        return self._summary(info)

    def _summary(self, info: DatasetInfo) -> DatasetSummary:
        return DatasetSummary(
            id=info.id,
            name=info.name,
            rows=info.rows,
            models=self.workspace.embedded_models(info.id, self.viewer),
            columns=list(info.columns),
            text_column=info.text_column,
            shared=info.shared,
            images=info.images,
        )

    def _info(self, dataset: str) -> DatasetInfo:
        """The dataset, if this viewer may see it."""
        if not isinstance(dataset, str) or not dataset:
            raise InputError("Name a dataset by its id; list_datasets gives them.")
        missing = InputError(f"There is no dataset with id '{dataset}'; list_datasets gives them.")
        if not self.workspace.exists(dataset):
            raise missing
        info = self.workspace.get(dataset)  # a damaged one says so, with what to do
        if self.viewer is not None and not info.shared and info.owner != self.viewer:
            raise missing  # another person's dataset is not there for this viewer
        return info

    def space(self, dataset: str) -> Space:
        """The embedding the app explores the dataset with: its uploaded vectors, or the
        model's (for a dataset of images, the embedding of its images when there is one), as
        this viewer sees them (one handle per dataset, its vectors read once).

        Raises:
            InputError: No such dataset, or it has no embedding of the model yet.
        """
        info = self._info(dataset)
        model_key = self.workspace.model_key(info.id, self._identity)
        if info.images and not model_key.endswith(IMAGES_SUFFIX):
            # A text model would read an image dataset's captions; its images' embedding, if
            # one was made (in the app, with a CLIP model), is what a person explores.
            stored = self.workspace.embedded_models(info.id, self.viewer)
            model_key = next((k for k in stored if k.endswith(IMAGES_SUFFIX)), model_key)
        key = (info.id, model_key, info.rows)
        if key not in self._spaces:
            handle = self.workspace.space(info.id, model_key, self.viewer, models=self._load)
            if not handle.has_vectors():
                raise InputError(
                    f"'{info.name}' is not embedded with {self.model} yet; open it in the app "
                    "or add it again with add_file."
                )
            self._spaces[key] = handle
        return self._spaces[key]

    def _identity(self) -> ModelIdentity:
        identity = model_identity(self.model)
        return identity if identity is not None else ModelIdentity.of(self._load(self.model))

    def image(self, dataset: str, row: int) -> bytes:
        """A row's image as WebP bytes (at most 384 px a side, no metadata), for a person or
        an agent to look at.

        Raises:
            InputError: No such dataset or row, or the dataset has no images.
        """
        info = self._info(dataset)
        images = self.workspace.images(info.id)
        if images is None:
            raise InputError(f"'{info.name}' has no images; its rows are texts.")
        check_row_id(row)
        if not 0 <= row < info.rows:
            raise InputError(f"The row must be between 0 and {info.rows - 1}, not {row}.")
        return images.working_copy(row)

    def _load(self, name: str) -> Embedder:
        # One loaded model per process (~300 MB and seconds each): a server answers many calls.
        if name not in self._loaded:
            self._loaded[name] = load_model(name)
        return self._loaded[name]

    def _match(self, space: Space, row: int, score: float) -> RowMatch:
        return RowMatch(row=row, score=round(float(score), 6), text=clipped(space.texts[row]))

    # -- finding rows -------------------------------------------------------------------------

    def search(
        self,
        dataset: str,
        query: str,
        mode: str = "semantic",
        k: int = default_of("search_k", int),
    ) -> list[RowMatch]:
        """Rows by meaning (``semantic``), containing a text (``text``, any case) or matching
        a Python regular expression (``regex``), best first.

        Raises:
            InputError: No such dataset, a bad mode, ``k`` or pattern, or an empty query.
        """
        if mode not in SEARCH_KINDS:
            raise InputError(f"mode must be one of {', '.join(SEARCH_KINDS)}, not {mode!r}.")
        SETTINGS["search_k"].check(k, shown="k")
        space = self.space(dataset)
        return [self._match(space, m.row, m.score) for m in space.search(query, mode, k=k)]

    def neighbors(
        self,
        dataset: str,
        row: int,
        k: int = default_of("neighbor_k", int),
        metric: str = default_of("neighbor_metric", str),
    ) -> list[RowMatch]:
        """The ``k`` rows nearest a row in the full embedding space (the row left out).

        Raises:
            InputError: No such dataset or row, or a bad ``k`` or metric.
        """
        SETTINGS["neighbor_k"].check(k, shown="k")
        SETTINGS["neighbor_metric"].check(metric, shown="metric")
        check_row_id(row)
        space = self.space(dataset)
        return [self._match(space, n.row, n.score) for n in space.neighbors(row, k, metric)]

    def clusters(self, dataset: str) -> list[ClusterSummary]:
        """The clusters the app's map shows by default (its default clustering settings, in
        the full space), largest first, with the names given to them in the app."""
        space = self.space(dataset)
        clustering = space.clustering(ClusterParams())
        sizes = clustering.sizes()
        return [
            ClusterSummary(
                cluster=cluster_id,
                label=clustering.name_of(cluster_id),
                size=sizes[cluster_id],
                sample=[
                    clipped(space.texts[row])
                    for row in clustering.rows_of(cluster_id)[:SAMPLE_TEXTS]
                ],
            )
            for cluster_id in clustering.clusters
        ]

    def outliers(
        self,
        dataset: str,
        k: int = default_of("outlier_k", int),
        top: int = default_of("outlier_top", int),
    ) -> list[OutlierRow]:
        """The ``top`` rows furthest from their ``k`` nearest rows, strangest first.

        Raises:
            InputError: No such dataset, or a bad ``k`` or ``top``.
        """
        SETTINGS["outlier_k"].check(k, shown="k")
        SETTINGS["outlier_top"].check(top, shown="top")
        space = self.space(dataset)
        return [
            OutlierRow(
                row=o.row,
                score=round(float(o.score), 6),
                text=clipped(space.texts[o.row]),
                nearest=o.nearest,
                similarity=round(float(o.similarity), 6),
            )
            for o in space.outliers(k, top=top)
        ]

    def duplicates(
        self, dataset: str, threshold: float = default_of("duplicate_threshold", float)
    ) -> list[DuplicateGroup]:
        """Groups of rows whose cosine similarity reaches ``threshold``, largest first.

        Raises:
            InputError: No such dataset, or a bad threshold.
        """
        SETTINGS["duplicate_threshold"].check(threshold, shown="threshold")
        space = self.space(dataset)
        return [
            DuplicateGroup(
                rows=list(group.rows),
                score=round(float(group.score), 6),
                texts=[clipped(space.texts[row]) for row in group.rows],
            )
            for group in space.duplicates(threshold)
        ]

    # -- kept selections ----------------------------------------------------------------------

    def keep_selection(self, dataset: str, name: str, rows: Sequence[int]) -> KeptSelection:
        """Keep rows under a name (replacing a selection of that name); the app's Kept tab
        lists it.

        Raises:
            InputError: No such dataset, one this viewer does not own, a bad name, no rows,
                or rows outside the dataset.
        """
        info = self._info(dataset)
        if self.viewer is not None and info.owner != self.viewer:
            raise InputError(f"Only the owner of '{info.name}' can keep selections of it here.")
        for row in rows:
            check_row_id(row)
        distinct = sorted(set(rows))
        kept = self.space(dataset).selections.keep(name, distinct)
        return KeptSelection(name=kept, rows=distinct)

    def kept_selections(self, dataset: str) -> list[KeptSelection]:
        """The selections kept of the dataset (in the app or here), by name."""
        kept = self.space(dataset).selections.kept()
        return [KeptSelection(name=name, rows=rows) for name, rows in kept.items()]

    # -- the map ------------------------------------------------------------------------------

    def describe_map(self, dataset: str) -> MapDescription:
        """The app's default map of the dataset: its methods card, its projection's
        parameters, and how far it keeps the full space's neighbourhoods (computed once, so
        a large dataset's first call waits for its map).

        Raises:
            InputError: No such dataset.
        """
        info = self._info(dataset)
        space = self.space(dataset)
        params = ProjectionParams()
        projection = space.projection(params)
        trust_k = default_of("trust_k", int)
        trust = space.map_trust(params, trust_k)
        identity = None if info.vectors_model else model_identity(self.model)
        images = space.model_key.endswith(IMAGES_SUFFIX)
        card = MethodsCard(
            rows=space.rows,
            fingerprint=data_fingerprint(space.texts),
            model=info.vectors_model or (space.query_model if images else None) or self.model,
            dimension=space.dimension,
            truncated=space.truncated(),
            max_tokens=identity.max_seq_length if identity is not None else None,
            projection=projection,
            params=params,
            clusters=ClusterParams(),
            images=images,
        )
        used = ProjectionParams(**{**params.__dict__, "method": projection.method})
        return MapDescription(
            methods=card.lines(),
            projection=used.relevant(),
            trust_k=trust_k,
            trustworthiness=round(float(trust.trustworthiness), 4),
            knn_recall=round(float(trust.knn_recall), 4),
        )
