"""What a space says of its labels: the rows whose label looks wrong and the corrections
accepted for them, and the clusters' labels at two levels with how well each fits its texts.

Part of :class:`~embedding_space.store.space.Space` (a mixin, so the handle stays one object
with one set of methods): each method here reads the handle's graph, clustering, vectors and
result store through :class:`SpaceParts`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

import pandas as pd

from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality, gather_clusters
from embedding_space.analysis.label_issues import LabelIssues, find_label_issues
from embedding_space.analysis.methods import data_fingerprint
from embedding_space.analysis.neighbors import KnnGraph
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.embed.base import Embedder
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.store.artifacts import model_slug
from embedding_space.store.corrections import CORRECTED_SUFFIX, Corrections
from embedding_space.store.label_scores import NO_MODEL, TRADITIONAL, stored_label_quality
from embedding_space.store.results import ResultStore
from embedding_space.types import FloatMatrix

__all__ = ["LabelsOfSpace", "SpaceParts"]


class SpaceParts(Protocol):
    """What :class:`LabelsOfSpace` reads of the handle it is part of."""

    results: ResultStore
    _slug: str
    _models: Callable[[str], Embedder]

    @property
    def rows(self) -> int: ...
    @property
    def table(self) -> pd.DataFrame: ...
    @property
    def texts(self) -> list[str]: ...
    @property
    def vectors(self) -> FloatMatrix: ...
    @property
    def query_model(self) -> str | None: ...
    @property
    def fit(self) -> TraditionalEmbedder | None: ...
    def column_values(self, column: str | None) -> list[str] | None: ...
    def graph(self, n_neighbors: int = ...) -> KnnGraph: ...
    def clustering(self, params: ClusterParams) -> Clustering: ...
    def embed_texts(self, texts: Sequence[str]) -> FloatMatrix: ...
    def corrections(self, column: str) -> Corrections: ...
    def corrected_column(self, column: str) -> pd.Series: ...
    def cluster_hierarchy(self, params: ClusterParams, n_coarse: int = ...) -> ClusterHierarchy: ...


class LabelsOfSpace:
    """The label questions of a :class:`~embedding_space.store.space.Space`."""

    def corrections(self: SpaceParts, column: str) -> Corrections:
        """The corrections of a label column, by whoever the handle is for (a visitor's are
        their own: see :mod:`~embedding_space.store.corrections`).

        Raises:
            InputError: No such column.
        """
        self.column_values(column)
        return Corrections(self.results, self.rows, column)

    def corrected_column(self: SpaceParts, column: str) -> pd.Series:
        """The label column with its accepted corrections, named ``"<column> (corrected)"``;
        the column itself is kept as it was.

        Raises:
            InputError: No such column.
        """
        return self.corrections(column).corrected(self.table[column])

    def label_issues(
        self: SpaceParts, column: str, k: int = default_of("label_k", int)
    ) -> LabelIssues:
        """Each row's label in ``column`` checked against its ``k`` nearest rows' labels in
        the full space, out of fold (see ``analysis.label_issues``); rows without a label
        are left out. ``column`` may be a corrected column (``"category (corrected)"``),
        checked as it stands now.

        Raises:
            InputError: No such column, a bad ``k``, no labels, or too many distinct values.
        """
        SETTINGS["label_k"].check(k)
        k = min(k, max(self.rows - 1, 1))
        original = column.removesuffix(CORRECTED_SUFFIX)
        if column not in self.table.columns and original in self.table.columns:
            # Corrections change with every accept, so their check is not kept.
            labels = self.corrected_column(original).tolist()
            return find_label_issues(labels, self.graph(k), k, column=column)
        self.column_values(column)  # no such column: says which there are
        values = self.table[column].tolist()
        # Keyed by the labels themselves, so a column whose values change is checked anew.
        fingerprint = data_fingerprint([str(value) for value in values])
        return self.results.load_or_compute(
            f"label-issues/{self._slug}-{model_slug(column)}-{fingerprint}-k{k}.npz",
            LabelIssues,
            lambda: find_label_issues(values, self.graph(k), k, column=column),
        )

    def cluster_hierarchy(
        self: SpaceParts,
        params: ClusterParams,
        n_coarse: int = default_of("n_coarse_clusters", int),
    ) -> ClusterHierarchy:
        """The clusters of ``params`` (fine, with any names given to them) gathered into
        ``n_coarse`` coarse ones (``0``: about the square root of the fine count); see
        ``analysis.hierarchy``.

        Raises:
            InputError: A bad ``n_coarse``, fewer than two rows, or a visitor out of room.
        """
        SETTINGS["n_coarse_clusters"].check(n_coarse)
        fine = self.clustering(params)
        stored = self.results.load_or_compute(
            f"clusters/{self._slug}-{params.key()}-coarse{n_coarse}.npz",
            ClusterHierarchy,
            lambda: gather_clusters(self.vectors, fine, self.texts, n_coarse),
        )
        # The fine names are the clustering's own, so a cluster renamed since reads anew.
        return replace(stored, fine=fine)

    def label_quality(
        self: SpaceParts,
        params: ClusterParams,
        n_coarse: int | None = None,
        threshold: float = default_of("weak_label_quality", float),
    ) -> LabelQuality:
        """How near each cluster's label lies to its texts (``analysis.hierarchy``): the
        clusters of ``params``, or with ``n_coarse`` the coarse clusters of that hierarchy.
        Scored once per label and kept; without a model to embed a label with (uploaded
        vectors, or a traditional model) there are no scores and ``unavailable`` says why.

        Raises:
            InputError: A bad ``n_coarse`` or threshold, or the model does not load.
        """
        SETTINGS["weak_label_quality"].check(threshold)
        model = self.query_model
        if not model:
            return LabelQuality(unavailable=NO_MODEL, threshold=threshold)
        if self.fit is not None or self._models(model).fitted_on_corpus:
            return LabelQuality(unavailable=TRADITIONAL, threshold=threshold)
        name = f"label-quality/{self._slug}-{params.key()}"
        if n_coarse is None:
            clustering = self.clustering(params)
        else:
            clustering = self.cluster_hierarchy(params, n_coarse).coarse
            name += f"-coarse{n_coarse}"
        quality = stored_label_quality(
            self.results,
            f"{name}.json",
            clustering,
            self.vectors,
            self.embed_texts,
            model,
        )
        return replace(quality, threshold=threshold)
