"""One handle on an embedding space: one embedding of a dataset's rows, and every result
derived from it.

A :class:`Space` loads its own vectors and texts once, and answers every question about them:
the kNN graphs (:class:`~embedding_space.store.graphs.Graphs`), a projection, a clustering,
outlier scores, the trust of a map and a comparison with another embedding (each computed once
and then read from its :class:`~embedding_space.store.results.ResultStore`); near-duplicates,
neighbours, searches and vector arithmetic (computed from those on each call); and the
selections kept of its rows (:class:`~embedding_space.store.selections.Selections`); the rows
whose label looks wrong and the corrections accepted for them
(:class:`~embedding_space.store.corrections.Corrections`). Each asks
for the graph its ``k`` needs. The app, the command line and the Python API all go through this
one handle, so the same question gets the same answer from each.

A handle comes from :meth:`Workspace.space <embedding_space.store.workspace.Workspace.space>`
(a dataset in the workspace, results on disk) or
:func:`~embedding_space.store.files.open_file` (a parquet file written by ``embed``,
results in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from embedding_space.analysis.agreement import MapTrust, map_trust
from embedding_space.analysis.clustering import Clustering, ClusterParams, cluster
from embedding_space.analysis.comparison import Comparison, compare_embeddings
from embedding_space.analysis.concepts import Arithmetic, arithmetic, parse_expression
from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS, KnnGraph, Neighbor, top_k
from embedding_space.analysis.outliers import (
    DuplicateSet,
    Outlier,
    OutlierScores,
    near_duplicates,
    outlier_scores,
    top_outliers,
)
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.analysis.projection import (
    Projection,
    ProjectionParams,
    params_text,
    project,
)
from embedding_space.analysis.search import Match, search
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.store.artifacts import model_slug
from embedding_space.store.embedded import EmbeddedRows, ModelLoader
from embedding_space.store.embedding_files import VectorSource
from embedding_space.store.graphs import Graphs
from embedding_space.store.labels import LabelsOfSpace
from embedding_space.store.results import ResultStore
from embedding_space.store.selections import Selections
from embedding_space.store.tag_columns import TAG_SEPARATOR, TAGS_COLUMN, with_tags
from embedding_space.store.tags import Tags
from embedding_space.types import FloatMatrix, ScoreVector

__all__ = ["ModelLoader", "Space", "filter_table_of"]


def filter_table_of(table: pd.DataFrame, text_column: str, tags: Tags | None) -> FilterTable:
    """A dataset's rows as filters read them: its columns, and its rows' tags as a column of
    lists (``tags``) once there are any, so a filter can keep the rows with a tag."""
    if tags is not None and tags.names():
        table = with_tags(table, tags.tags_of_rows())
    return FilterTable(table, text_column)


class Space(LabelsOfSpace, EmbeddedRows):
    """One embedding of a set of rows (see :class:`EmbeddedRows` for the arguments they
    share), and what is derived from it (see the module's notes).

    Args:
        key: What identifies the results: two handles with the same key give the same
            answers (an app caches by it).
        results: Where derived results are kept.
        tags: Gives the dataset's tags (see :attr:`tags`).
    """

    def __init__(
        self,
        key: Hashable,
        *,
        model_key: str,
        source: VectorSource,
        table: Callable[[], pd.DataFrame],
        text_column: str,
        results: ResultStore,
        query_model: str | None = None,
        models: ModelLoader = load_model,
        rows: int | None = None,
        tags: Callable[[], Tags] | None = None,
    ) -> None:
        super().__init__(
            model_key=model_key,
            source=source,
            table=table,
            text_column=text_column,
            query_model=query_model,
            models=models,
            rows=rows,
        )
        self.key = key
        self.results = results
        self._slug = model_slug(model_key)
        self._graphs = Graphs(results, self._slug, lambda: self.vectors)
        self._tags = tags

    @property
    def selections(self) -> Selections:
        """The selections kept for these rows, by whoever the handle is for."""
        return Selections(self.results, self.rows)

    @property
    def tags(self) -> Tags | None:
        """The tags of these rows (the dataset's, shared by all its embeddings), as whoever
        the handle is for may use them; ``None`` for rows outside a workspace (a file)."""
        return self._tags() if self._tags is not None else None

    def column_values(self, column: str | None) -> list[str] | None:
        """As :meth:`EmbeddedRows.column_values`, and ``tags`` (when the table has no column
        of that name) gives each row's tags joined by ``"; "``, so a search can read them.

        Raises:
            InputError: No such column.
        """
        tags = self.tags
        if column == TAGS_COLUMN and column not in self.table.columns and tags is not None:
            return [TAG_SEPARATOR.join(names) for names in tags.tags_of_rows()]
        return super().column_values(column)

    def filter_table(self) -> FilterTable:
        """The rows as filters read them (see :func:`filter_table_of`)."""
        return filter_table_of(self.table, self.text_column, self.tags)

    # -- neighbourhoods -----------------------------------------------------------------------

    def graph(self, n_neighbors: int = GRAPH_NEIGHBORS) -> KnnGraph:
        """The cosine kNN graph holding at least ``n_neighbors`` neighbours per row (see
        :mod:`~embedding_space.store.graphs` for the sizes a space keeps)."""
        return self._graphs.of(n_neighbors)

    def neighbors(
        self,
        of: int | str | FloatMatrix,
        k: int = default_of("neighbor_k", int),
        metric: str = default_of("neighbor_metric", str),
    ) -> list[Neighbor]:
        """The ``k`` rows nearest a row (``of`` is its id; it is left out), a typed text, or
        a vector of shape ``(d,)`` from :meth:`embed_texts`.

        Raises:
            InputError: No such row, a blank text or no model for it, or a bad ``k``/metric.
        """
        if isinstance(of, np.ndarray):
            return top_k(self.vectors, of, k, metric)
        if isinstance(of, str):
            if not of.strip():
                raise InputError("The text is empty; type a text to search for.")
            return top_k(self.vectors, self.embed_typed([of])[0], k, metric)
        if not 0 <= of < self.rows:
            raise InputError(f"The row must be between 0 and {self.rows - 1}, not {of}.")
        return top_k(self.vectors, self.vectors[of], k, metric, exclude=of)

    def outlier_scores(
        self,
        k: int = default_of("outlier_k", int),
        method: str = default_of("outlier_method", str),
    ) -> ScoreVector:
        """Each row's outlier score at ``k`` (see ``analysis.outliers``), shape ``(n,)``;
        read from a graph of at least ``k`` neighbours, so every ``k`` gives its own scores."""
        SETTINGS["outlier_k"].check(k)
        SETTINGS["outlier_method"].check(method)
        k = min(k, max(self.rows - 1, 1))  # a k past the other rows scores as all of them
        return self.results.load_or_compute(
            f"outliers/{self._slug}-{method}-k{k}.npz",
            OutlierScores,
            lambda: OutlierScores(
                outlier_scores(self.graph(k), k, method=method, vectors=self.vectors)
            ),
        ).scores

    def outliers(
        self,
        k: int = default_of("outlier_k", int),
        method: str = default_of("outlier_method", str),
        top: int = default_of("outlier_top", int),
    ) -> list[Outlier]:
        """The ``top`` strangest rows, strangest first, each with its nearest row."""
        SETTINGS["outlier_top"].check(top)
        return top_outliers(self.outlier_scores(k, method), self.graph(k), top)

    def duplicates(
        self, threshold: float = default_of("duplicate_threshold", float)
    ) -> list[DuplicateSet]:
        """Sets of rows whose cosine similarity reaches ``threshold``, largest first."""
        SETTINGS["duplicate_threshold"].check(threshold)
        return near_duplicates(self.graph(), threshold)

    # -- maps and groups ----------------------------------------------------------------------

    def projection(self, params: ProjectionParams) -> Projection:
        """The map of these parameters, coordinates of shape ``(n, params.n_components)``.
        A cosine UMAP reads the kNN graph rather than building its own.

        Raises:
            InputError: A visitor out of room.
        """

        return self.results.load_or_compute(
            self.projection_name(params), Projection, lambda: self.compute_projection(params)
        )

    def compute_projection(
        self, params: ProjectionParams, init: FloatMatrix | None = None
    ) -> Projection:
        """The map of ``params`` computed afresh (not read, not stored), UMAP and t-SNE
        starting from ``init`` (shape ``(n, n_components)``) when given."""
        reads_graph = params.method == "umap" and params.metric == "cosine"
        if not reads_graph or self.rows <= params.n_neighbors:
            return project(self.vectors, params, init=init)
        # umap-learn's n_neighbors counts the row itself
        return project(self.vectors, params, knn=self.graph(params.n_neighbors - 1), init=init)

    def keep_projection(self, params: ProjectionParams, projection: Projection) -> None:
        """Keep a map of these vectors made elsewhere (the demo's packaged one) as this
        space's map of ``params``: :meth:`projection` then reads it instead of computing."""
        if len(projection.coordinates) != self.rows:
            raise InputError(
                f"The map has {len(projection.coordinates)} points for {self.rows} rows."
            )
        kept = replace(projection, params=projection.params or params_text(params))
        self.results.store(self.projection_name(params), kept)

    def projection_name(self, params: ProjectionParams) -> str:
        """The name the map of ``params`` is stored under."""
        return f"projections/{self._slug}-{params.key()}.npz"

    def map_trust(
        self,
        params: ProjectionParams,
        k: int = default_of("trust_k", int),
        label_column: str | None = None,
    ) -> MapTrust:
        """How far the map of ``params`` keeps this space's neighbourhoods (see
        ``analysis.agreement``), with the label figures of ``label_column``.

        Raises:
            InputError: Fewer than three rows, a bad ``k``, or no such column.
        """
        return self.results.load_or_compute(
            f"trust/{self._slug}-{params.key()}-k{k}{_column_suffix(label_column)}.npz",
            MapTrust,
            lambda: self.trust_of(self.projection(params).coordinates, k, label_column),
        )

    def trust_of(
        self,
        coordinates: FloatMatrix,
        k: int = default_of("trust_k", int),
        label_column: str | None = None,
    ) -> MapTrust:
        """How far a map made elsewhere (``(n, 2|3)`` coordinates) keeps this space's
        neighbourhoods; computed, not stored.

        Raises:
            InputError: The map has other rows, a bad ``k``, or no such column.
        """
        if len(coordinates) != self.rows:
            raise InputError(f"The map has {len(coordinates)} points for {self.rows} rows.")
        SETTINGS["trust_k"].check(k)
        labels = self.column_values(label_column)
        return map_trust(self.vectors, coordinates, self.graph(k), k=k, labels=labels)

    def clustering(self, params: ClusterParams) -> Clustering:
        """The clusters of the full space (never of the map), with any names given to them.

        Raises:
            InputError: Fewer than two rows, or a visitor out of room.
        """
        return self.results.load_or_compute(
            self._clustering_name(params),
            Clustering,
            lambda: cluster(self.vectors, params, self.texts),
        )

    def keep_clustering(self, params: ClusterParams, clustering: Clustering) -> None:
        """Keep a clustering of these vectors made elsewhere (the demo's packaged one) as this
        space's clustering of ``params``: :meth:`clustering` then reads it."""
        if len(clustering.labels) != self.rows:
            raise InputError(f"The clustering has {len(clustering.labels)} rows, not {self.rows}.")
        self.results.store(self._clustering_name(params), clustering)

    def rename_cluster(self, params: ClusterParams, cluster_id: int, name: str) -> Clustering:
        """Give a computed cluster a name of one's own; it is kept with the clustering (a
        visitor's names go to a copy of their own).

        Raises:
            InputError: The clustering is not computed, no such cluster, or a bad name.
        """
        stored = self.results.load(self._clustering_name(params), Clustering)
        if stored is None:
            raise InputError("Compute the clusters before renaming one.")
        renamed = stored.renamed(cluster_id, name)
        self.results.store(self._clustering_name(params), renamed)
        return renamed

    def _clustering_name(self, params: ClusterParams) -> str:
        return f"clusters/{self._slug}-{params.key()}.npz"

    def comparison(
        self,
        other: Space,
        k: int = default_of("compare_k", int),
        label_column: str | None = None,
    ) -> Comparison:
        """This embedding and another of the same rows, compared (``analysis.comparison``);
        ``k`` is at most the other rows. Each side's neighbours come from its own graph.

        Raises:
            InputError: The other holds other texts, a bad ``k``, or no such column.
        """
        SETTINGS["compare_k"].check(k)
        if other.rows != self.rows or other.texts != self.texts:
            raise InputError("The two embeddings do not hold the same texts in the same order.")
        k = min(k, max(self.rows - 1, 1))
        labels = self.column_values(label_column)
        return self.results.load_or_compute(
            f"comparisons/{self._slug}-{other._slug}-k{k}{_column_suffix(label_column)}.npz",
            Comparison,
            lambda: compare_embeddings(
                self.vectors,
                other.vectors,
                k=k,
                labels=labels,
                graphs=(self.graph(k), other.graph(k)),
            ),
        )

    # -- finding rows -------------------------------------------------------------------------

    def search(
        self, query: str, kind: str = "text", *, column: str | None = None, k: int | None = None
    ) -> list[Match]:
        """Rows by text, by pattern or by meaning (see ``analysis.search.search``).

        Args:
            query: What to look for.
            kind: ``text``, ``regex`` or ``semantic``.
            column: The column a text or pattern search reads; the text column when ``None``.
            k: At most this many rows; for ``text`` and ``regex`` every match when ``None``.

        Raises:
            InputError: No such column, a bad pattern, or no model for a search by meaning.
        """
        values: Sequence[str] = self.texts
        if kind != "semantic" and column not in (None, self.text_column):
            values = self.column_values(column) or []
        return search(
            kind,
            query,
            values=values,
            vectors=self.vectors,
            embed=lambda text: self.embed_typed([text])[0],
            k=k,
        )

    def arithmetic(self, expression: str, k: int = default_of("arithmetic_k", int)) -> Arithmetic:
        """The rows nearest ``king - man + woman`` (see ``analysis.concepts.arithmetic``).

        Raises:
            InputError: A bad expression, terms that cancel out, or no model for the terms.
        """
        SETTINGS["arithmetic_k"].check(k)
        terms = parse_expression(expression)
        term_vectors = self.embed_typed([term.text for term in terms])
        return arithmetic(self.vectors, self.texts, terms, term_vectors, k)


def _column_suffix(column: str | None) -> str:
    """What a result's file name says of the label column it used."""
    return f"-{model_slug(column)}" if column else ""
