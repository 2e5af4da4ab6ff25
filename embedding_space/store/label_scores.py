"""A clustering's label quality, scored once and kept beside the clustering.

Scoring a label means embedding its text with the dataset's model, so the scores are kept
(as JSON: cluster id -> the label scored and its score) and a label is scored again only when
its text changes (a cluster renamed) or the model does. See
:func:`~embedding_space.analysis.hierarchy.label_quality` for what the score is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from embedding_space.analysis.clustering import Clustering
from embedding_space.analysis.hierarchy import LabelQuality, label_quality
from embedding_space.store.results import ResultStore
from embedding_space.types import FloatMatrix

__all__ = ["NO_MODEL", "TRADITIONAL", "stored_label_quality"]

TRADITIONAL = (
    "Label quality is not measured for a traditional (word-count) model: a label made of a "
    "cluster's own words would score high by construction, not by meaning."
)
"""Why a space embedded by a traditional model has no label quality."""
NO_MODEL = (
    "Label quality needs the model that made the vectors, to embed each label; these vectors "
    "came without its name."
)
"""Why a space of vectors uploaded without their model's name has no label quality."""


def stored_label_quality(
    results: ResultStore,
    name: str,
    clustering: Clustering,
    vectors: FloatMatrix,
    embed_labels: Callable[[Sequence[str]], FloatMatrix],
    model: str,
) -> LabelQuality:
    """The quality of ``clustering``'s labels, read from ``name`` in ``results`` where the
    same label was scored by the same ``model``, the rest scored and stored.

    Args:
        results: Where the scores are kept.
        name: Their name there (one per clustering).
        clustering: The clusters and their labels (a cluster without one is not scored).
        vectors: Array of shape ``(n, d)``, the rows' vectors.
        embed_labels: Embeds label texts into shape ``(m, d)``.
        model: The model ``embed_labels`` uses (a score of another model's is not reused).
    """
    kept = results.load_json(name)
    earlier: dict[str, list[object]] = {}
    if isinstance(kept, dict) and kept.get("model") == model:
        earlier = dict(kept.get("scores") or {})
    scores: dict[int, float] = {}
    missing: list[int] = []
    for cluster_id, label in sorted(clustering.names.items()):
        found = earlier.get(str(cluster_id))
        if found and found[0] == label and isinstance(found[1], float | int):
            scores[cluster_id] = float(found[1])
        else:
            missing.append(cluster_id)
    if missing:
        texts = [clustering.names[cluster_id] for cluster_id in missing]
        fresh = label_quality(embed_labels(texts), missing, vectors, clustering.labels)
        scores.update(fresh.scores)
        results.store_json(
            name,
            {
                "model": model,
                "scores": {
                    str(cluster_id): [clustering.names[cluster_id], score]
                    for cluster_id, score in sorted(scores.items())
                },
            },
        )
    return LabelQuality(scores)
