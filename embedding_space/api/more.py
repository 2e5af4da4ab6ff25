"""The rest of the app's questions, as :class:`~embedding_space.api.explorer.Explorer` asks
them: a map's coordinates, a comparison with another model, drift between groups of rows,
and tags. Apart from :mod:`~embedding_space.api.explorer` only so that each module stays one
screenful; the answers come from the same Space the app opens, with its defaults.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from embedding_space.analysis.drift import measure_drift
from embedding_space.analysis.drift_groups import groups_by_values
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.analysis.projection import Method, ProjectionParams
from embedding_space.api.results import (
    DriftResult,
    EmbeddingComparison,
    MapCoordinates,
    RowMatch,
    RowTag,
    clipped,
)
from embedding_space.embed.base import Embedder
from embedding_space.errors import InputError
from embedding_space.store.datasets import DatasetInfo
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace

__all__ = ["MoreQuestions", "check_row_id"]


def check_row_id(row: object) -> None:
    """Raise :class:`InputError` unless ``row`` is a whole number (``True`` is not)."""
    if isinstance(row, bool) or not isinstance(row, int):
        raise InputError(f"A row is a whole number (a row id), not {row!r}.")


class _Explorer(Protocol):
    """What these questions need of the explorer they are part of."""

    workspace: Workspace
    viewer: str | None

    def space(self, dataset: str) -> Space: ...

    def _info(self, dataset: str) -> DatasetInfo: ...

    def _load(self, name: str) -> Embedder: ...


def _values(given: str | Sequence[str], name: str) -> list[str]:
    values = [given] if isinstance(given, str) else list(given)
    if not values or not all(isinstance(value, str) and value for value in values):
        raise InputError(f"{name} is a value of the column, or a list of them, as text.")
    return values


class MoreQuestions:
    """A mixin of :class:`~embedding_space.api.explorer.Explorer` (see the module's notes)."""

    # -- the map ------------------------------------------------------------------------------

    def project(
        self: _Explorer, dataset: str, method: Method = "umap", dims: int = 2
    ) -> MapCoordinates:
        """The map the app draws with ``method`` in ``dims`` dimensions (its other settings
        the app's defaults): computed once, then read, by the app as well as here.

        Raises:
            InputError: No such dataset, or a method other than ``umap``, ``tsne`` or
                ``pca``, or ``dims`` other than 2 or 3.
        """
        if method not in ("umap", "tsne", "pca"):
            raise InputError(f"method must be one of umap, tsne, pca, not {method!r}.")
        if isinstance(dims, bool) or dims not in (2, 3):
            raise InputError(f"dims must be 2 or 3, not {dims!r}.")
        params = ProjectionParams(method=method, n_components=dims)
        projection = self.space(dataset).projection(params)
        used = ProjectionParams(**{**params.__dict__, "method": projection.method})
        return MapCoordinates(
            method=projection.method,
            note=projection.note,
            projection=used.relevant(),
            coordinates=projection.coordinates.astype(float).tolist(),
        )

    # -- another model ------------------------------------------------------------------------

    def compare(
        self: _Explorer,
        dataset: str,
        other_model: str,
        k: int = default_of("compare_k", int),
        label_column: str | None = None,
    ) -> EmbeddingComparison:
        """The dataset's embedding set beside another model's (embedding it first, once,
        as the app does), as the app's Compare page sums it up.

        Args:
            dataset: The dataset's id.
            other_model: A model name: a sentence-transformers model, or ``tfidf``, ``bow``,
                ``onehot``, ``lsa`` (fitted on the dataset, nothing to download).
            k: Neighbours compared per row.
            label_column: A column of labels, to say how well each side's neighbours
                predict it.

        Raises:
            InputError: No such dataset, a bad ``k`` or column, or a model that does not load.
        """
        SETTINGS["compare_k"].check(k, shown="k")
        if not isinstance(other_model, str) or not other_model.strip():
            raise InputError("Name the other model, such as 'tfidf' or 'all-MiniLM-L6-v2'.")
        mine = self.space(dataset)
        info = self._info(dataset)
        embedder = self._load(other_model.strip())
        self.workspace.embeddings(info.id, embedder, viewer=self.viewer)
        other_key = self.workspace.embedder_for(info.id, embedder).cache_key
        other = self.workspace.space(info.id, other_key, self.viewer, models=self._load)
        if label_column is not None and label_column not in info.columns:
            raise InputError(
                f"There is no column '{label_column}'; pick one of: {', '.join(info.columns)}."
            )
        comparison = mine.comparison(other, k, label_column)
        figures = comparison.summary()
        return EmbeddingComparison(
            model_a=mine.model_key,
            model_b=other.model_key,
            rows=mine.rows,
            k=min(k, max(mine.rows - 1, 1)),
            knn_agreement=round(figures.pop("knn_agreement"), 6),
            chance_agreement=round(comparison.chance, 6),
            similarity_spearman=round(figures.pop("similarity_spearman"), 6),
            cka=round(figures.pop("cka"), 6),
            labels={name: round(value, 6) for name, value in figures.items()},
        )

    # -- drift --------------------------------------------------------------------------------

    def drift(
        self: _Explorer,
        dataset: str,
        column: str,
        reference: str | Sequence[str],
        batch: str | Sequence[str],
        *,
        permutations: int = default_of("drift_permutations", int),
        top: int = default_of("drift_top", int),
        seed: int = 0,
    ) -> DriftResult:
        """Whether the rows holding ``batch`` in ``column`` differ from those holding
        ``reference`` (values compared as text), tested in the full space as the app's
        Drift tab tests them.

        Args:
            dataset: The dataset's id.
            column: The column whose values make the groups.
            reference: A value of it, or several: the reference group.
            batch: Another value, or several: the group tested against it.
            permutations: Shuffles the p-value rests on.
            top: How many of the batch's most novel rows to give.
            seed: The same seed gives the same answer.

        Raises:
            InputError: No such dataset or column, a value in both groups, a group under two
                rows, or a bad setting.
        """
        SETTINGS["drift_permutations"].check(permutations, shown="permutations")
        SETTINGS["drift_top"].check(top, shown="top")
        old, new = _values(reference, "reference"), _values(batch, "batch")
        space = self.space(dataset)
        groups = groups_by_values(space.table, column, old, new)
        vectors = space.vectors
        report = measure_drift(
            vectors[groups.reference],
            vectors[groups.batch],
            permutations=permutations,
            seed=seed,
        )
        novel = [
            RowMatch(
                row=int(groups.batch[item.row]),
                score=round(item.distance, 6),
                text=clipped(space.texts[int(groups.batch[item.row])]),
            )
            for item in report.top_novel(top)
        ]
        return DriftResult(
            reference=groups.reference_name,
            batch=groups.batch_name,
            reference_rows=report.reference_rows,
            batch_rows=report.batch_rows,
            drifted=report.drifted,
            verdict=report.verdict(),
            statistic=report.statistic,
            p_value=report.p_value,
            auc=None if math.isnan(report.auc) else round(report.auc, 6),
            effect=report.effect,
            novel=novel,
        )

    # -- tags ---------------------------------------------------------------------------------

    def tag(
        self: _Explorer, dataset: str, rows: Sequence[int], tag: str, remove: bool = False
    ) -> RowTag:
        """Put a tag on rows (or take it off, ``remove``): the app's tag panel shows it, its
        filters and colours use it.

        Returns:
            The tag and every row it is on now.

        Raises:
            InputError: No such dataset, one this viewer does not own, no rows or rows
                outside the dataset, a bad tag name, or (``remove``) no such tag.
        """
        info = self._info(dataset)
        if self.viewer is not None and info.owner != self.viewer:
            raise InputError(f"Only the owner of '{info.name}' can tag its rows here.")
        for row in rows:
            check_row_id(row)
        tags = self.workspace.tags(info.id, self.viewer)
        kept = tags.untag(rows, tag) if remove else tags.tag(rows, tag)
        return RowTag(name=kept, rows=tags.rows_of(kept))

    def tags(self: _Explorer, dataset: str) -> list[RowTag]:
        """The dataset's tags (as the app's tag panel lists them), by name."""
        info = self._info(dataset)
        tags = self.workspace.tags(info.id, self.viewer)
        return [RowTag(name=name, rows=tags.rows_of(name)) for name in tags.names()]
