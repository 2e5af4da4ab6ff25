"""A view's colour and size, resolved against its dataset: which column, the clusters (with
the names the view gives them), or a computed value (outlier score, map trust)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from embedding_space.analysis.agreement import largest_trust_k
from embedding_space.analysis.clustering import NOISE, Clustering
from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.errors import InputError
from embedding_space.figures.colors import cluster_categories
from embedding_space.io.columns import default_color_column, label_columns
from embedding_space.store.corrections import CORRECTED_SUFFIX
from embedding_space.store.space import Space
from embedding_space.store.tag_columns import tag_colors
from embedding_space.views.view import (
    CLUSTER_COLOR,
    LABEL_ISSUE_SCORE,
    MAP_TRUST,
    NO_COLOR,
    OUTLIER_SCORE,
    TAGS_COLOR,
    View,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "ComputedValues",
    "Encoding",
    "MapEncodings",
    "MapSettings",
    "color_choice",
    "corrected_source",
    "label_issue_column",
    "map_encodings",
    "named_clustering",
    "space_values",
    "tag_encoding",
]

_COMPUTED = (OUTLIER_SCORE, MAP_TRUST, TAGS_COLOR, LABEL_ISSUE_SCORE)
_SHOWN_COLUMNS = 12


@dataclass(frozen=True)
class MapSettings:
    """The settings a map reads that a view does not hold (the app's settings panel has them).

    Attributes:
        outlier_k: Neighbours an outlier score reads.
        outlier_method: How the outlier score is computed.
        trust_k: Neighbours compared for the map's trust (at most half the rows).
        neighbor_k: Neighbours marked around the view's focus row.
        neighbor_metric: The metric those neighbours are found by.
        label_k: Neighbours each row's label is checked against (label issue score).
    """

    outlier_k: int = default_of("outlier_k", int)
    outlier_method: str = default_of("outlier_method", str)
    trust_k: int = default_of("trust_k", int)
    neighbor_k: int = default_of("neighbor_k", int)
    neighbor_metric: str = default_of("neighbor_metric", str)
    label_k: int = default_of("label_k", int)


DEFAULT_SETTINGS = MapSettings()
"""The settings the app starts with."""


@dataclass(frozen=True)
class Encoding:
    """Values the points are coloured or sized by.

    Attributes:
        values: One value per row, or ``None`` for one colour (size).
        name: What the legend and hover call them.
        scale: Colour by a continuous scale even when the numbers take few values.
    """

    values: pd.Series | None = None
    name: str | None = None
    scale: bool = False


@dataclass(frozen=True)
class MapEncodings:
    """A view's colour and size, resolved against a dataset."""

    color: Encoding
    size: Encoding


ComputedValues = Callable[[str], Encoding]
"""Gives the values of :data:`OUTLIER_SCORE`, :data:`MAP_TRUST`, :data:`TAGS_COLOR`,
:data:`LABEL_ISSUE_SCORE` or a corrected label column (see :func:`corrected_source`; the app
passes its cached results; :func:`space_values` asks the space)."""


def label_issue_column(frame: pd.DataFrame, text_column: str) -> str | None:
    """The column :data:`LABEL_ISSUE_SCORE` checks: the first label-like one; ``None`` when
    there is none."""
    found = label_columns(frame, text_column)
    return found[0] if found else None


def corrected_source(choice: str, frame: pd.DataFrame, text_column: str) -> str | None:
    """The label column whose corrected copy ``choice`` names (``"category (corrected)"`` ->
    ``"category"``), when the frame has that column and no column called ``choice``."""
    original = choice.removesuffix(CORRECTED_SUFFIX)
    if original in (choice, text_column) or choice in frame.columns:
        return None
    return original if original in frame.columns else None


def label_issue_encoding(space: Space, k: int) -> Encoding:
    """Each row's label issue score in the first label-like column, NaN for a row left out.

    Raises:
        InputError: The dataset has no label-like column.
    """
    column = label_issue_column(space.table, space.text_column)
    if column is None:
        raise InputError("Colouring by label issue score needs a column of labels.")
    scores = space.label_issues(column, k).scores
    return Encoding(pd.Series(scores), f"label issue score@{k} ({column})", True)


def tag_encoding(space: Space) -> Encoding:
    """Each row's tag as a colour category (see ``store.tag_colors``); one colour for rows
    outside a workspace, which have no tags."""
    tags = space.tags
    if tags is None:
        return Encoding()
    return Encoding(pd.Series(tag_colors(tags.tags_of_rows())), "tags")


def space_values(
    space: Space, params: ProjectionParams, settings: MapSettings = DEFAULT_SETTINGS
) -> ComputedValues:
    """The outlier scores, the map's trust and the tags, asked of the space when first needed.

    Args:
        space: The dataset's space.
        params: The map's projection (its trust is judged on it).
        settings: ``k`` and method of each.
    """

    def computed(option: str) -> Encoding:
        if option == OUTLIER_SCORE:
            k = settings.outlier_k
            scores = space.outlier_scores(k, settings.outlier_method)
            return Encoding(pd.Series(scores), f"outlier score@{k}", True)
        if option == MAP_TRUST:
            k = min(settings.trust_k, largest_trust_k(space.rows))
            return Encoding(pd.Series(space.map_trust(params, k).recall), f"kNN recall@{k}", True)
        if option == TAGS_COLOR:
            return tag_encoding(space)
        if option == LABEL_ISSUE_SCORE:
            return label_issue_encoding(space, settings.label_k)
        original = corrected_source(option, space.table, space.text_column)
        if original is not None:
            return Encoding(space.corrected_column(original), option)
        raise ValueError(f"no computed values called {option!r}")

    return computed


def _no_column(what: str, name: str, choices: Sequence[str]) -> InputError:
    shown = ", ".join(choices[:_SHOWN_COLUMNS]) + (", …" if len(choices) > _SHOWN_COLUMNS else "")
    return InputError(f"The view {what} {name!r}, which is not a column it can use; pick {shown}.")


def color_choice(view: View, frame: pd.DataFrame, text_column: str) -> str:
    """What a view colours by: its own choice, else the dataset's label-like column, else the
    clusters.

    Raises:
        InputError: The view names a column the dataset does not have (or its text column).
    """
    if view.color is None:
        return default_color_column(frame, text_column) or CLUSTER_COLOR
    if view.color in (CLUSTER_COLOR, NO_COLOR, *_COMPUTED):
        return view.color
    if corrected_source(view.color, frame, text_column) is not None:
        return view.color
    columns = [str(column) for column in frame.columns if column != text_column]
    if view.color not in columns:
        raise _no_column("colours by", view.color, [CLUSTER_COLOR, NO_COLOR, *_COMPUTED, *columns])
    return view.color


def map_encodings(
    view: View,
    frame: pd.DataFrame,
    text_column: str,
    *,
    clustering: Clustering | None,
    computed: ComputedValues,
) -> MapEncodings:
    """Each point's colour and size as the view asks for them.

    Args:
        view: The view.
        frame: The dataset's rows.
        text_column: Its column of text.
        clustering: Its clusters (with the view's names applied: :func:`named_clustering`),
            for a map coloured by clusters; ``None`` colours such a map in one colour.
        computed: Gives outlier scores or map trust, called only when the view asks for them.

    Raises:
        InputError: The view names a column the dataset does not have, or sizes by one that
            is not numeric.
    """
    choice = color_choice(view, frame, text_column)
    if choice == CLUSTER_COLOR:
        # Categories in cluster-id order: a renamed cluster keeps its colour.
        named = None if clustering is None else cluster_categories(clustering)
        color = Encoding() if named is None else Encoding(named, "cluster")
    elif choice in _COMPUTED or corrected_source(choice, frame, text_column) is not None:
        color = computed(choice)
    elif choice == NO_COLOR:
        color = Encoding()
    else:
        color = Encoding(frame[choice], choice)
    numeric = [
        str(column)
        for column in frame.columns
        if pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]
    if view.size in (None, NO_COLOR):
        size = Encoding()
    elif view.size == OUTLIER_SCORE:
        size = computed(OUTLIER_SCORE)
    elif view.size in numeric:
        size = Encoding(frame[view.size], view.size)
    else:
        raise _no_column("sizes by", view.size, [NO_COLOR, OUTLIER_SCORE, *numeric])
    return MapEncodings(color, size)


def named_clustering(clustering: Clustering, names: Mapping[int, str]) -> Clustering:
    """The clusters with the names a view gives them over the computed ones.

    Raises:
        InputError: The view names a cluster the clustering does not have.
    """
    found = [cluster_id for cluster_id in clustering.clusters if cluster_id != NOISE]
    for cluster_id in names:
        if cluster_id not in found:
            raise InputError(
                f"The view names cluster {cluster_id}, but the clusters are numbered "
                f"{min(found, default=0)} to {max(found, default=0)}."
            )
    return Clustering(clustering.labels, {**clustering.names, **names}, clustering.note)
