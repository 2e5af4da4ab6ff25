"""Reading the embedding space: scores, neighbours, the kNN graph, projections and search.

Everything here works on arrays already in memory; nothing reads files or loads models.
"""

from embedding_space.analysis.neighbors import (
    GRAPH_NEIGHBORS,
    KnnGraph,
    Neighbor,
    knn_graph,
    top_k,
)
from embedding_space.analysis.projection import (
    METHOD_LABELS,
    METHODS,
    PARAMETERS,
    Method,
    Parameter,
    Projection,
    ProjectionParams,
    place_among_neighbors,
    project,
)
from embedding_space.analysis.search import rows_containing
from embedding_space.analysis.similarity import (
    METRIC_LABELS,
    METRICS,
    Metric,
    RowChoice,
    choose_rows,
    cluster_order,
    higher_is_closer,
    label_contrast,
    pairwise,
    scores_against,
    validate_metric,
)

__all__ = [
    "GRAPH_NEIGHBORS",
    "METHODS",
    "METHOD_LABELS",
    "METRICS",
    "METRIC_LABELS",
    "PARAMETERS",
    "KnnGraph",
    "Method",
    "Metric",
    "Neighbor",
    "Parameter",
    "Projection",
    "ProjectionParams",
    "RowChoice",
    "choose_rows",
    "cluster_order",
    "higher_is_closer",
    "knn_graph",
    "label_contrast",
    "pairwise",
    "place_among_neighbors",
    "project",
    "rows_containing",
    "scores_against",
    "top_k",
    "validate_metric",
]
