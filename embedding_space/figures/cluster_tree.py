"""The two levels of clusters as the Clusters tab shows them: a table with a row per fine
cluster under its coarse one, and a treemap sized by rows and coloured by label quality, so a
weak label stands out.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from embedding_space.analysis.clustering import NOISE
from embedding_space.analysis.hierarchy import ClusterHierarchy, LabelQuality
from embedding_space.figures.labels import hover_label, plain_label

__all__ = ["TREE_COLUMNS", "cluster_tree_figure", "cluster_tree_frame"]

TREE_COLUMNS = (
    "coarse_id",
    "Coarse cluster",
    "Coarse rows",
    "Coarse label quality",
    "cluster_id",
    "Cluster",
    "Rows",
    "Label quality",
    "Reading",
)
"""The columns of :func:`cluster_tree_frame`; the two ids map a picked row back to clusters."""
_NO_SCORE_COLOR = "#c9ced6"
_WEAK_COLOR = "#e34a33"
_STRONG_SCALE = [[0.0, "#deebf7"], [1.0, "#3182bd"]]


def cluster_tree_frame(
    hierarchy: ClusterHierarchy,
    quality: LabelQuality | None = None,
    coarse_quality: LabelQuality | None = None,
) -> pd.DataFrame:
    """The tree as a table (:data:`TREE_COLUMNS`): coarse clusters largest first, the fine
    ones inside each largest first, noise last. Qualities are blank where not scored; the
    ``Reading`` column says ``weak`` for a weak fine label, ``weak coarse label`` for a weak
    coarse one (both when both are). The labels are plain text: show them as text, not markup.
    """
    records = []
    for row in hierarchy.tree_rows(quality, coarse_quality):
        readings = [row.reading, f"{row.coarse_reading} coarse label" if row.coarse_reading else ""]
        records.append(
            (
                row.coarse_id,
                row.coarse_label,
                row.coarse_size,
                row.coarse_quality,
                row.fine_id,
                row.fine_label,
                row.fine_size,
                row.quality,
                ", ".join(reading for reading in readings if reading),
            )
        )
    return pd.DataFrame.from_records(records, columns=list(TREE_COLUMNS))


def cluster_tree_figure(
    hierarchy: ClusterHierarchy,
    quality: LabelQuality | None = None,
    coarse_quality: LabelQuality | None = None,
    *,
    height: int = 520,
) -> go.Figure:
    """A treemap: each coarse cluster a box holding its fine clusters, sized by rows and
    coloured by label quality (red for a weak label, pale to deep blue for fair to strong,
    grey where not scored); noise is left out.

    Returns:
        The figure; each box's ``customdata`` is ``[coarse id, fine id]`` (fine id
        :data:`NOISE` for a coarse box), so a click maps back to clusters.
    """
    fine_scores, coarse_scores = quality or LabelQuality(), coarse_quality or LabelQuality()
    threshold = fine_scores.threshold if quality else coarse_scores.threshold
    ids: list[str] = []
    parents: list[str] = []
    labels: list[str] = []
    values: list[int] = []
    scores: list[float | None] = []
    hovers: list[str] = []
    custom: list[list[int]] = []

    def add(
        box: str, parent: str, label: str, size: int, score: float | None, at: list[int]
    ) -> None:
        ids.append(box)
        parents.append(parent)
        labels.append(plain_label(label))
        values.append(size)
        scores.append(score)
        shown = "not scored" if score is None else f"{score:.2f}"
        hovers.append(f"{hover_label(label)}<br>{size:,} rows · label quality {shown}")
        custom.append(at)

    sizes = hierarchy.coarse.sizes()
    fine_sizes = hierarchy.fine.sizes()
    for coarse_id in hierarchy.coarse.clusters:
        if coarse_id == NOISE:
            continue
        coarse_box = f"c{coarse_id}"
        add(
            coarse_box,
            "",
            hierarchy.coarse.name_of(coarse_id),
            sizes[coarse_id],
            coarse_scores.scores.get(coarse_id),
            [coarse_id, NOISE],
        )
        for fine_id in hierarchy.children(coarse_id):
            add(
                f"{coarse_box}/f{fine_id}",
                coarse_box,
                hierarchy.fine.name_of(fine_id),
                fine_sizes[fine_id],
                fine_scores.scores.get(fine_id),
                [coarse_id, fine_id],
            )
    figure = go.Figure(
        go.Treemap(
            ids=ids,
            parents=parents,
            labels=labels,
            values=values,
            branchvalues="total",
            customdata=custom,
            root_color="white",
            hovertext=hovers,
            hoverinfo="text",
            marker={"colors": _quality_colors(scores, threshold)},
            textinfo="label+value",
        )
    )
    figure.update_layout(height=height, margin={"l": 4, "r": 4, "t": 4, "b": 4})
    return figure


def _quality_colors(scores: list[float | None], threshold: float) -> list[str]:
    """A colour per box: one red for every weak label (below ``threshold``), so each stands
    out; pale to deep blue from the threshold to the best score; grey where there is no score
    (a colour scale would give it a false one)."""
    from plotly.colors import sample_colorscale

    best = max((score for score in scores if score is not None), default=threshold)
    span = max(best - threshold, 1e-6)
    colors = []
    for score in scores:
        if score is None:
            colors.append(_NO_SCORE_COLOR)
        elif score < threshold:
            colors.append(_WEAK_COLOR)
        else:
            colors.append(sample_colorscale(_STRONG_SCALE, [(score - threshold) / span])[0])
    return colors
