"""What the Python API answers: plain, typed, JSON-ready values (no arrays, no handles), so a
notebook can print them and the MCP server can send them as structured results as they are.

Every text in a result is cut to :data:`TEXT_CHARS` characters, so one pasted novel in a
dataset cannot flood an agent's context.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "TEXT_CHARS",
    "ClusterSummary",
    "DatasetSummary",
    "DriftResult",
    "DuplicateGroup",
    "EmbeddingComparison",
    "KeptSelection",
    "MapCoordinates",
    "MapDescription",
    "OutlierRow",
    "RowMatch",
    "RowTag",
    "clipped",
]

TEXT_CHARS = 500
"""The most characters of a row's text a result carries."""


def clipped(text: str, limit: int = TEXT_CHARS) -> str:
    """``text``, or its first ``limit - 1`` characters and an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class DatasetSummary:
    """One dataset of the workspace.

    Attributes:
        id: What every other call names it by.
        name: Its display name.
        rows: Number of rows (row ids are ``0`` to ``rows - 1``).
        models: The embeddings it has (model keys); searches and maps use the first.
        columns: Its columns.
        text_column: The column of texts (embedded, unless a model that reads images
            embedded the images).
        shared: Whether everyone on the server sees it.
        images: Whether each row has an image (``Explorer.image`` gives it).
    """

    id: str
    name: str
    rows: int
    models: list[str]
    columns: list[str]
    text_column: str
    shared: bool
    images: bool = False


@dataclass(frozen=True)
class RowMatch:
    """A row a search or a neighbour list found.

    Attributes:
        row: The row id.
        score: Cosine similarity for meaning and neighbours (higher is nearer), the
            metric's distance for ``euclidean`` neighbours, 1.0 for a text or pattern match.
        text: The row's text (clipped).
    """

    row: int
    score: float
    text: str


@dataclass(frozen=True)
class ClusterSummary:
    """One cluster of the full embedding space, as the app's map colours it.

    Attributes:
        cluster: Its id (``-1``: the rows HDBSCAN puts in no cluster).
        label: Its keywords, or the name a person gave it in the app.
        size: Its number of rows.
        sample: The texts of its first few rows (clipped).
    """

    cluster: int
    label: str
    size: int
    sample: list[str]


@dataclass(frozen=True)
class OutlierRow:
    """A row far from the rest, with the row nearest it.

    Attributes:
        row: The row id.
        score: Its outlier score (higher is stranger).
        text: Its text (clipped).
        nearest: The row nearest it.
        similarity: The cosine similarity to that row.
    """

    row: int
    score: float
    text: str
    nearest: int
    similarity: float


@dataclass(frozen=True)
class DuplicateGroup:
    """Rows whose texts mean nearly the same.

    Attributes:
        rows: The row ids, ascending.
        score: The lowest cosine similarity that joins them.
        texts: Their texts (clipped), in the order of ``rows``.
    """

    rows: list[int]
    score: float
    texts: list[str]


@dataclass(frozen=True)
class KeptSelection:
    """A named set of rows, as the app's Kept tab lists it.

    Attributes:
        name: Its name.
        rows: The row ids, ascending.
    """

    name: str
    rows: list[int]


@dataclass(frozen=True)
class MapDescription:
    """The default map of a dataset, and how far it can be trusted.

    Attributes:
        methods: The methods card, a line per fact (data, model, projection, clusters).
        projection: The projection's parameters as used (method and what changes it).
        trust_k: The neighbours each row's neighbourhood is compared over.
        trustworthiness: How far the map's neighbours are true neighbours (0 to 1).
        knn_recall: The share of each row's ``trust_k`` true neighbours that are also its
            neighbours on the map (0 to 1).
    """

    methods: list[str]
    projection: dict[str, object]
    trust_k: int
    trustworthiness: float
    knn_recall: float


@dataclass(frozen=True)
class MapCoordinates:
    """A map of a dataset, the one the app shows for the same settings.

    Attributes:
        method: The method actually used (``pca`` when a tiny dataset forced a fallback).
        note: A sentence when the map differs from what was asked, else ``""``.
        projection: The parameters that made it (method and what changes it).
        coordinates: One point per row, in row order: ``rows`` lists of ``dims`` numbers.
    """

    method: str
    note: str
    projection: dict[str, object]
    coordinates: list[list[float]]


@dataclass(frozen=True)
class EmbeddingComparison:
    """Two embeddings of the same rows compared, as the app's Compare page shows them.

    Attributes:
        model_a: The embedding explored (model key).
        model_b: The other one (model key).
        rows: Rows compared.
        k: Neighbours compared per row.
        knn_agreement: The mean share of a row's ``k`` neighbours both embeddings agree on.
        chance_agreement: What ``knn_agreement`` would be for neighbours drawn at random.
        similarity_spearman: Rank correlation of the pairwise similarities (-1 to 1).
        cka: Linear centred kernel alignment of the two embeddings (0 to 1).
        labels: With a label column, how well each side's neighbours predict the label
            (``knn_accuracy_a``/``_b``) and how well it separates them
            (``silhouette_a``/``_b``); empty without one.
    """

    model_a: str
    model_b: str
    rows: int
    k: int
    knn_agreement: float
    chance_agreement: float
    similarity_spearman: float
    cka: float
    labels: dict[str, float]


@dataclass(frozen=True)
class DriftResult:
    """Whether one group of rows differs from another in the full space, as the app's
    Drift tab says it.

    Attributes:
        reference: The reference group, by its values.
        batch: The batch, by its values.
        reference_rows: Rows in the reference.
        batch_rows: Rows in the batch.
        drifted: Whether the p-value is below 0.05.
        verdict: One plain sentence with the p-value and the effect.
        statistic: The unbiased MMD² of the rows tested.
        p_value: Its permutation p-value.
        auc: How well a classifier tells the groups apart (0.5: not at all).
        effect: ``small``, ``moderate`` or ``large`` (by the AUC).
        novel: The batch's rows least like the reference, most novel first; ``score`` is the
            cosine distance to the nearest reference row.
    """

    reference: str
    batch: str
    reference_rows: int
    batch_rows: int
    drifted: bool
    verdict: str
    statistic: float
    p_value: float
    auc: float | None
    effect: str
    novel: list[RowMatch]


@dataclass(frozen=True)
class RowTag:
    """A tag and the rows it is on, as the app's tag panel shows it.

    Attributes:
        name: The tag's name as kept.
        rows: The row ids, ascending (none once the tag was taken off every row).
    """

    name: str
    rows: list[int]
