"""What a map costs to compute, said before it starts: "t-SNE of 1,000 rows: about 15 s here".

A small linear model per method, seconds = fixed + rows x per-row, calibrated on this
project's reference machine (2 shared vCPUs) on a quiet moment: t-SNE by ``bench/tsne.py``
and issue 18's timings, UMAP by ``bench/RESULTS.md`` section 4 (a warm UMAP of the 3,080
demo rows). It is a guide for a
person deciding whether to wait, not a promise: on a busy machine the real time can be
several times longer, and a faster one does better. PCA is seconds even at a million rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from embedding_space.analysis.projection import METHOD_LABELS, Method

__all__ = ["RATES", "Rate", "cost_sentence", "projection_seconds", "spoken_seconds"]


@dataclass(frozen=True)
class Rate:
    """A method's cost: ``fixed_seconds + rows * seconds_per_row``.

    Attributes:
        fixed_seconds: Paid whatever the size (imports, setting up).
        seconds_per_row: Each row's share.
    """

    fixed_seconds: float
    seconds_per_row: float


RATES: dict[Method, Rate] = {
    "pca": Rate(0.1, 2e-6),
    # A warm UMAP of the 3,080 demo rows took 6.0 s (bench/RESULTS.md section 4).
    "umap": Rate(1.0, 1.6e-3),
    # scikit-learn's Barnes-Hut t-SNE of 1,000 demo rows: 12 s on a quiet moment (issue 18),
    # 50-100 s on a busy one (bench/tsne.py, bench/RESULTS.md section 8): the quiet figure.
    "tsne": Rate(2.0, 12e-3),
}
"""Each method's calibrated cost on the reference machine."""


def projection_seconds(method: Method, rows: int) -> float:
    """About how many seconds a map of ``rows`` rows takes here with ``method``.

    Args:
        method: ``umap``, ``tsne`` or ``pca``.
        rows: The number of rows mapped; 0 or fewer costs nothing.

    Returns:
        Seconds, 0.0 for no rows.

    Raises:
        ValueError: An unknown method.
    """
    if method not in RATES:
        raise ValueError(f"method must be one of {', '.join(RATES)}, not {method!r}")
    if rows <= 0:
        return 0.0
    rate = RATES[method]
    return rate.fixed_seconds + rows * rate.seconds_per_row


def spoken_seconds(seconds: float) -> str:
    """A duration as a person says it: "a second or two", "about 15 s", "about 3 min"."""
    if seconds < 2.5:
        return "a second or two"
    if seconds < 60:
        # Two significant figures at most: "about 12 s", "about 40 s".
        step = 1 if seconds < 10 else 5
        return f"about {max(step, round(seconds / step) * step)} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"about {round(minutes)} min"
    return f"about {minutes / 60:.1f} h"


def cost_sentence(method: Method, rows: int) -> str:
    """The sentence shown before a map is computed: "t-SNE of 1,000 rows: about 15 s here".

    Raises:
        ValueError: An unknown method.
    """
    seconds = projection_seconds(method, rows)
    return f"{METHOD_LABELS[method]} of {rows:,} rows: {spoken_seconds(seconds)} here"
