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
    "DuplicateGroup",
    "KeptSelection",
    "MapDescription",
    "OutlierRow",
    "RowMatch",
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
        text_column: The column embedded.
        shared: Whether everyone on the server sees it.
    """

    id: str
    name: str
    rows: int
    models: list[str]
    columns: list[str]
    text_column: str
    shared: bool


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
