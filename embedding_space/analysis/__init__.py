"""Reading the embedding space: scores, neighbours, the kNN graph, projections and search.

Everything here works on arrays already in memory; nothing reads files or loads models.
"""

from embedding_space.analysis.ann import approximate_knn_graph, neighbor_graph
from embedding_space.analysis.clustering import (
    CLUSTER_METHODS,
    NOISE,
    Clustering,
    ClusterParams,
    cluster,
    cluster_keywords,
    suggest_n_clusters,
)
from embedding_space.analysis.methods import MethodsCard, data_fingerprint
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
    project,
)
from embedding_space.analysis.search import (
    Match,
    rows_containing,
    rows_matching,
    semantic_search,
)
from embedding_space.analysis.similarity import (
    METRIC_LABELS,
    METRICS,
    Metric,
    RowChoice,
    choose_rows,
    cluster_order,
    extreme_pairs,
    higher_is_closer,
    label_contrast,
    pairwise,
    scores_against,
    validate_metric,
)

__all__ = [
    "CLUSTER_METHODS",
    "GRAPH_NEIGHBORS",
    "METHODS",
    "METHOD_LABELS",
    "METRICS",
    "METRIC_LABELS",
    "NOISE",
    "PARAMETERS",
    "ClusterParams",
    "Clustering",
    "KnnGraph",
    "Match",
    "Method",
    "MethodsCard",
    "Metric",
    "Neighbor",
    "Parameter",
    "Projection",
    "ProjectionParams",
    "RowChoice",
    "approximate_knn_graph",
    "choose_rows",
    "cluster",
    "cluster_keywords",
    "cluster_order",
    "data_fingerprint",
    "extreme_pairs",
    "higher_is_closer",
    "knn_graph",
    "label_contrast",
    "neighbor_graph",
    "pairwise",
    "project",
    "rows_containing",
    "rows_matching",
    "scores_against",
    "semantic_search",
    "suggest_n_clusters",
    "top_k",
    "validate_metric",
]
