"""The Python API: the workspace's datasets and what the app computes of them, as plain
typed values, for notebooks, scripts and agents (the MCP server is a thin layer over it).

>>> from embedding_space.api import open_workspace
>>> ws = open_workspace()
>>> ws.search("demo-banking77", "my card never arrived", k=3)  # doctest: +SKIP
"""

from embedding_space.api.explorer import SAMPLE_TEXTS, Explorer, open_workspace
from embedding_space.api.results import (
    TEXT_CHARS,
    ClusterSummary,
    DatasetSummary,
    DriftResult,
    DuplicateGroup,
    EmbeddingComparison,
    KeptSelection,
    MapCoordinates,
    MapDescription,
    OutlierRow,
    RowMatch,
    RowTag,
)

__all__ = [
    "SAMPLE_TEXTS",
    "TEXT_CHARS",
    "ClusterSummary",
    "DatasetSummary",
    "DriftResult",
    "DuplicateGroup",
    "EmbeddingComparison",
    "Explorer",
    "KeptSelection",
    "MapCoordinates",
    "MapDescription",
    "OutlierRow",
    "RowMatch",
    "RowTag",
    "open_workspace",
]
