"""One handle on an embedding space: one embedding of a dataset's rows, and every result
derived from it.

A :class:`Space` loads its own vectors and texts, and each result it offers is computed once
and then read (its :class:`~embedding_space.store.results.ResultStore`): the kNN graph, a
projection, a clustering, outlier scores, near-duplicates, the trust of a map, a comparison
with another embedding, searches, vector arithmetic; and it holds the selections kept of its
rows (:class:`~embedding_space.store.selections.Selections`). Each asks for the graph it needs,
sized to its own ``k``. The app, the command line and the Python API all go through this one
handle, so the same question gets the same answer from each.

A handle comes from :meth:`Workspace.space <embedding_space.store.workspace.Workspace.space>`
(a dataset in the workspace, results on disk) or
:func:`~embedding_space.store.files.open_file` (a parquet file written by ``embed``,
results in memory).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from functools import cached_property

import pandas as pd

from embedding_space.analysis.agreement import MapTrust, map_trust
from embedding_space.analysis.ann import neighbor_graph
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
from embedding_space.analysis.projection import Projection, ProjectionParams, project
from embedding_space.analysis.search import Match, search
from embedding_space.embed.base import Embedder, check_dimension, embed
from embedding_space.embed.models import load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.store.artifacts import model_slug
from embedding_space.store.embedding_files import VectorSource
from embedding_space.store.results import ResultStore
from embedding_space.store.selections import Selections
from embedding_space.types import FloatMatrix, ScoreVector

__all__ = ["ModelLoader", "Space"]

ModelLoader = Callable[[str], Embedder]
"""Loads a model by name (the app passes its per-process cache of loaded models)."""


class Space:
    """One embedding of a set of rows, and what is derived from it (see the module's notes).

    Args:
        key: What identifies the results: two handles with the same key give the same
            answers (an app caches by it).
        model_key: What made the vectors (a model's cache key, or "uploaded vectors").
        source: Where the vectors are.
        table: Reads the rows (called once, when first needed).
        text_column: The column of ``table`` that holds the text.
        results: Where derived results are kept.
        query_model: The model that embeds typed texts (a query, an expression's terms):
            ``None`` for the one the source says made the vectors, ``""`` when nobody knows
            it (vectors uploaded without its name).
        models: Loads a model by name.
        rows: The number of rows, when it is known without reading them.
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
    ) -> None:
        self.key = key
        self.model_key = model_key
        self.source = source
        self.text_column = text_column
        self.results = results
        self._query_model = query_model
        self._read_table = table
        self._models = models
        self._rows = rows
        self._slug = model_slug(model_key)
        self._graphs: dict[int, KnnGraph] = {}
        self._graph_lock = threading.Lock()

    # -- what it is made of -------------------------------------------------------------------

    @property
    def query_model(self) -> str | None:
        """The model that embeds texts typed against this space; ``None`` when unknown."""
        if self._query_model is None:
            return self.source.model_name()
        return self._query_model or None

    def has_vectors(self) -> bool:
        """Whether the vectors are stored yet (before that, only the rows can be read)."""
        return self.source.exists()

    @cached_property
    def vectors(self) -> FloatMatrix:
        """The vectors, shape ``(n, d)``, read once (share them read-only)."""
        return self.source.vectors()

    @cached_property
    def table(self) -> pd.DataFrame:
        """The rows, read once (read-only: copy before changing)."""
        return self._read_table()

    @cached_property
    def texts(self) -> list[str]:
        """The texts in row order."""
        return [str(text) for text in self.table[self.text_column].tolist()]

    @property
    def rows(self) -> int:
        """The number of rows."""
        return self._rows if self._rows is not None else len(self.table)

    @property
    def dimension(self) -> int:
        """The length of each vector."""
        return int(self.vectors.shape[1])

    def truncated(self) -> int:
        """How many texts were longer than the model reads (only their start was embedded)."""
        return self.source.truncated()

    @cached_property
    def fit(self) -> TraditionalEmbedder | None:
        """For a traditional embedder, its fit on these rows; else ``None``."""
        return self.source.fit()

    @cached_property
    def selections(self) -> Selections:
        """The selections kept for these rows, by whoever the handle is for."""
        return Selections(self.results, self.rows)

    def labels(self, column: str | None) -> list[str] | None:
        """A column's values as text, for the label figures; ``None`` for no column.

        Raises:
            InputError: No such column.
        """
        if column is None:
            return None
        if column not in self.table.columns:
            names = ", ".join(str(name) for name in self.table.columns)
            raise InputError(f"There is no column '{column}'. Pick one of: {names}.")
        return self.table[column].astype(str).tolist()

    # -- typed texts --------------------------------------------------------------------------

    def query_embedder(self) -> Embedder:
        """The model that embeds texts typed against this space (a traditional one: its fit).

        Raises:
            InputError: Nobody named the model, or it does not load.
        """
        name = self.query_model
        if not name:
            raise InputError(
                "These vectors came without the name of their model, so there is nothing to "
                "embed a typed text with; name it (when uploading them, or with --model)."
            )
        model = self._models(name)
        if not model.fitted_on_corpus:
            return model
        if self.fit is None:
            raise InputError(f"The dataset is not embedded with {name} yet.")
        return self.fit

    def embed_texts(self, texts: Sequence[str]) -> FloatMatrix:
        """Typed texts embedded with :meth:`query_embedder`, shape ``(len(texts), d)``.

        Raises:
            InputError: No model for typed texts, or one of another dimension.
        """
        model = self.query_embedder()
        check_dimension(model, self.dimension)
        return embed(list(texts), model).vectors

    def top_words(self, row: int, count: int = 8) -> list[str]:
        """The words weighing most in a row's vector, when a traditional embedder made it."""
        if self.fit is None:
            return []
        return [word for word, _ in self.fit.top_terms(self.vectors[row], count)]

    # -- neighbourhoods -----------------------------------------------------------------------

    def graph(self, n_neighbors: int = GRAPH_NEIGHBORS) -> KnnGraph:
        """The cosine kNN graph with at least ``n_neighbors`` neighbours per row (exact, or
        approximate on large datasets: see ``analysis.ann``); UMAP, exports, outliers,
        duplicates and trust share the default one, and a larger ``k`` gets its own."""
        size = max(GRAPH_NEIGHBORS, n_neighbors)
        with self._graph_lock:  # a map in the background and a page may ask at once
            if size not in self._graphs:  # held, like the vectors: every result reads one
                self._graphs[size] = self.results.load_or_compute(
                    f"knn/{self._slug}-n{size}.npz",
                    KnnGraph,
                    lambda: neighbor_graph(self.vectors, size),
                )
            return self._graphs[size]

    def neighbors(
        self,
        of: int | str,
        k: int = default_of("neighbor_k", int),
        metric: str = default_of("neighbor_metric", str),
    ) -> list[Neighbor]:
        """The ``k`` rows nearest a row (``of`` is its id; it is left out) or a typed text.

        Raises:
            InputError: No such row, a blank text or no model for it, or a bad ``k``/metric.
        """
        if isinstance(of, str):
            if not of.strip():
                raise InputError("The text is empty; type a text to search for.")
            return top_k(self.vectors, self.embed_texts([of])[0], k, metric)
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

        def compute() -> Projection:
            reads_graph = params.method == "umap" and params.metric == "cosine"
            if not reads_graph or self.rows <= params.n_neighbors:
                return project(self.vectors, params)
            # umap-learn's n_neighbors counts the row itself
            return project(self.vectors, params, knn=self.graph(params.n_neighbors - 1))

        return self.results.load_or_compute(
            f"projections/{self._slug}-{params.key()}.npz", Projection, compute
        )

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
        coordinates = self.projection(params).coordinates
        label = f"-{model_slug(label_column)}" if label_column else ""
        return self.results.load_or_compute(
            f"trust/{self._slug}-{params.key()}-k{k}{label}.npz",
            MapTrust,
            lambda: self.trust_of(coordinates, k, label_column),
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
        labels = self.labels(label_column)
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
        """This embedding and another of the same rows, compared (``analysis.comparison``).

        Raises:
            InputError: The other holds other texts, a bad ``k``, or no such column.
        """
        SETTINGS["compare_k"].check(k)
        if other.rows != self.rows or other.texts != self.texts:
            raise InputError("The two embeddings do not hold the same texts in the same order.")
        label = f"-{model_slug(label_column)}" if label_column else ""
        return self.results.load_or_compute(
            f"comparisons/{self._slug}-{other._slug}-k{k}{label}.npz",
            Comparison,
            lambda: compare_embeddings(
                self.vectors, other.vectors, k=k, labels=self.labels(label_column)
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
            values = self.labels(column) or []
        return search(
            kind,
            query,
            values=values,
            vectors=self.vectors,
            embed=lambda text: self.embed_texts([text])[0],
            k=k,
        )

    def arithmetic(self, expression: str, k: int = default_of("arithmetic_k", int)) -> Arithmetic:
        """The rows nearest ``king - man + woman`` (see ``analysis.concepts.arithmetic``).

        Raises:
            InputError: A bad expression, terms that cancel out, or no model for the terms.
        """
        SETTINGS["arithmetic_k"].check(k)
        terms = parse_expression(expression)
        term_vectors = self.embed_texts([term.text for term in terms])
        return arithmetic(self.vectors, self.texts, terms, term_vectors, k)
