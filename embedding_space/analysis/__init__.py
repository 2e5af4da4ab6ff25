"""Reading the embedding space: scores, neighbours, the kNN graph, projections and search.

Everything here works on arrays already in memory; nothing reads files or loads models.
"""

from embedding_space.analysis.agreement import MapTrust, map_trust, neighbor_overlap
from embedding_space.analysis.ann import approximate_knn_graph, neighbor_graph
from embedding_space.analysis.clustering import (
    NOISE,
    Clustering,
    ClusterParams,
    cluster,
    cluster_keywords,
    suggest_n_clusters,
)
from embedding_space.analysis.comparison import Comparison, align_map, compare_embeddings
from embedding_space.analysis.concepts import Arithmetic, arithmetic, parse_expression
from embedding_space.analysis.label_issues import (
    LabelIssue,
    LabelIssues,
    find_label_issues,
    out_of_fold_probabilities,
)
from embedding_space.analysis.methods import MethodsCard, data_fingerprint
from embedding_space.analysis.neighbors import (
    GRAPH_NEIGHBORS,
    KnnGraph,
    Neighbor,
    knn_graph,
    top_k,
)
from embedding_space.analysis.outliers import (
    DuplicateSet,
    Outlier,
    near_duplicates,
    outlier_scores,
    top_outliers,
)
from embedding_space.analysis.parameters import (
    CLUSTER_METHODS,
    OUTLIER_METHODS,
    SETTINGS,
    Parameter,
    default_of,
)
from embedding_space.analysis.projection import (
    METHOD_LABELS,
    METHODS,
    PARAMETERS,
    Method,
    Projection,
    ProjectionParams,
    project,
)
from embedding_space.analysis.search import (
    Match,
    rows_containing,
    rows_matching,
    search,
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
    "OUTLIER_METHODS",
    "PARAMETERS",
    "SETTINGS",
    "Arithmetic",
    "ClusterParams",
    "Clustering",
    "Comparison",
    "DuplicateSet",
    "KnnGraph",
    "LabelIssue",
    "LabelIssues",
    "MapTrust",
    "Match",
    "Method",
    "MethodsCard",
    "Metric",
    "Neighbor",
    "Outlier",
    "Parameter",
    "Projection",
    "ProjectionParams",
    "RowChoice",
    "align_map",
    "approximate_knn_graph",
    "arithmetic",
    "choose_rows",
    "cluster",
    "cluster_keywords",
    "cluster_order",
    "compare_embeddings",
    "data_fingerprint",
    "default_of",
    "extreme_pairs",
    "find_label_issues",
    "higher_is_closer",
    "knn_graph",
    "label_contrast",
    "map_trust",
    "near_duplicates",
    "neighbor_graph",
    "neighbor_overlap",
    "out_of_fold_probabilities",
    "outlier_scores",
    "pairwise",
    "parse_expression",
    "project",
    "rows_containing",
    "rows_matching",
    "scores_against",
    "search",
    "semantic_search",
    "suggest_n_clusters",
    "top_k",
    "top_outliers",
    "validate_metric",
]
