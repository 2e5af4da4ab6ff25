"""Drift between two groups of rows (a reference and a batch), measured in the full embedding
space, never on a map.

* *The test*: the maximum mean discrepancy (MMD, Gretton et al., 2012) with a Gaussian kernel
  on the unit vectors, ``k(x, y) = exp(-‖x - y‖² / (2σ²))`` where ``‖x - y‖² = 2 - 2 cos(x, y)``
  and ``σ²`` is half the median squared distance between the pooled rows (the median
  heuristic, on the pairs of a seeded sample of 1,000 of them). The Gaussian kernel is
  *characteristic*: its MMD is zero only for equal distributions, whereas the plain cosine
  (linear) kernel only compares the two groups' mean vectors and misses a batch that trades
  one topic for another about the same centre. The
  statistic is the unbiased MMD² (about 0 when nothing changed, may dip below); its p-value is
  a permutation test: the group labels are shuffled ``permutations`` times (seeded) and the
  p-value is ``(1 + #{shuffled ≥ observed}) / (1 + permutations)``. The kernel matrix is
  computed once and every permutation is a matrix product on it.
* *Bounds*: the test reads at most :data:`TEST_ROWS` rows in all. Beyond that, each group is
  a seeded uniform sample: the smaller group keeps up to half of the bound, the larger gets
  the rest, so the kernel matrix stays at most 6,000² float32 (144 MB) and the permutations
  a few seconds.
* *Effect*: ``mmd`` (the square root of the statistic, 0 when it is negative: a distance
  between the groups' kernel means, at most √2) and the *classifier two-sample AUC*: a linear
  classifier (ridge, balanced classes: closed-form, so five times faster than a logistic
  regression and within 0.01 of its AUC on the demo) told to tell the groups apart, scored by
  stratified 5-fold cross-validation on the rows tested (0.5: indistinguishable, 1: fully
  separable; a batch half of which is new reaches at most 0.75). The verdict names the effect
  by the AUC: small below 0.6, moderate below 0.75, large beyond.
* *Novel rows*: each batch row's cosine distance to its nearest reference row (every
  reference row, in chunks), most novel first.
* *Cluster shift*: KMeans on the reference rows (unit vectors, so clusters by cosine; fitted
  on a seeded sample of :data:`TEST_ROWS` of them beyond that); every row of either group
  joins the cluster whose centroid is nearest by cosine. Each cluster's
  share of the reference and of the batch, sorted by the absolute change; a cluster *emptied*
  when its batch share fell below :data:`EMPTIED_RATIO` of its reference share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.parameters import default_of
from embedding_space.analysis.similarity import unit_rows
from embedding_space.errors import InputError
from embedding_space.rows import sample_rows
from embedding_space.types import FloatMatrix

__all__ = [
    "DRIFT_P",
    "EMPTIED_RATIO",
    "TEST_ROWS",
    "ClusterShare",
    "DriftReport",
    "NovelRow",
    "classifier_auc",
    "cluster_shift",
    "measure_drift",
    "mmd_test",
    "novelty",
]

DRIFT_P = 0.01
"""A p-value below this is called drift."""
TEST_ROWS = 6_000
"""The most rows (both groups together) the two-sample test reads."""
EMPTIED_RATIO = 0.1
"""A cluster emptied when its batch share fell below this fraction of its reference share."""
_PERMUTATION_BLOCK = 200
# Scores held at once while looking for each batch row's nearest reference row (~200 MB).
_BLOCK_SCORES = 50_000_000
_AUC_FOLDS = 5
_MEDIAN_ROWS = 1_000  # the median heuristic reads the pairs of a sample of this many rows


@dataclass(frozen=True)
class NovelRow:
    """A batch row, by how unlike the reference it is.

    Attributes:
        row: Its row number in the batch (0-based).
        distance: Cosine distance to its nearest reference row (0: a copy of one).
        nearest: That reference row's number.
    """

    row: int
    distance: float
    nearest: int


@dataclass(frozen=True)
class ClusterShare:
    """One reference cluster's share of each group.

    Attributes:
        cluster: Its id (0-based, as KMeans numbered it on the reference).
        reference: The share of the reference rows in it (0 to 1).
        batch: The share of the batch rows nearest its centroid.
        example: The reference row nearest its centroid, to show what the region holds.
    """

    cluster: int
    reference: float
    batch: float
    example: int = -1

    @property
    def change(self) -> float:
        """The batch share less the reference share."""
        return self.batch - self.reference

    @property
    def emptied(self) -> bool:
        """Whether the batch all but left this region of the reference."""
        return self.batch < EMPTIED_RATIO * self.reference


@dataclass(frozen=True)
class DriftReport:
    """How a batch differs from a reference (see the module's notes).

    Attributes:
        statistic: The unbiased MMD² of the rows tested.
        p_value: Its permutation p-value.
        permutations: How many permutations it rests on.
        bandwidth: The kernel's ``σ`` (median heuristic).
        auc: The classifier two-sample AUC (cross-validated), NaN when not computed.
        reference_rows: Rows in the reference.
        batch_rows: Rows in the batch.
        tested_rows: ``(reference, batch)`` rows the test read (all of them up to
            :data:`TEST_ROWS` in all).
        novel: Every batch row, most novel first.
        clusters: Every reference cluster, the largest change of share first.
        seed: The seed of the permutations, samples and clusters.
    """

    statistic: float
    p_value: float
    permutations: int
    bandwidth: float
    auc: float
    reference_rows: int
    batch_rows: int
    tested_rows: tuple[int, int]
    novel: tuple[NovelRow, ...]
    clusters: tuple[ClusterShare, ...]
    seed: int

    @property
    def drifted(self) -> bool:
        """Whether the p-value is below :data:`DRIFT_P`."""
        return self.p_value < DRIFT_P

    @property
    def mmd(self) -> float:
        """The MMD itself: the square root of the statistic, 0 when that is negative."""
        return float(np.sqrt(max(self.statistic, 0.0)))

    @property
    def effect(self) -> str:
        """``small``, ``moderate`` or ``large``, by the AUC (``unknown`` without one)."""
        if np.isnan(self.auc):
            return "unknown"
        return "small" if self.auc < 0.6 else "moderate" if self.auc < 0.75 else "large"

    @property
    def emptied(self) -> list[int]:
        """The clusters the batch all but left, by id."""
        return sorted(share.cluster for share in self.clusters if share.emptied)

    def verdict(self) -> str:
        """One plain sentence: ``no drift detected (p = 0.41)`` or
        ``drift (p < 0.001); effect large (AUC 0.93)``."""
        shown = (
            f"p < {1 / 1000:g}"
            if self.p_value < 0.001
            else f"p = {self.p_value:.3f}"
            if self.p_value < DRIFT_P
            else f"p = {self.p_value:.2f}"
        )
        if not self.drifted:
            return f"no drift detected ({shown})"
        auc = "" if np.isnan(self.auc) else f" (AUC {self.auc:.2f})"
        return f"drift ({shown}); effect {self.effect}{auc}"

    def top_novel(self, count: int) -> list[NovelRow]:
        """The ``count`` batch rows least like the reference, most novel first."""
        return list(self.novel[:count])

    def to_dict(self, top: int = default_of("drift_top", int)) -> dict[str, Any]:
        """The report as plain JSON values, with the ``top`` most novel rows."""
        novel = self.top_novel(top)
        return {
            "statistic": self.statistic,
            "p_value": self.p_value,
            "drifted": self.drifted,
            "verdict": self.verdict(),
            "mmd": self.mmd,
            "auc": None if np.isnan(self.auc) else self.auc,
            "effect": self.effect,
            "permutations": self.permutations,
            "bandwidth": self.bandwidth,
            "reference_rows": self.reference_rows,
            "batch_rows": self.batch_rows,
            "tested_rows": list(self.tested_rows),
            "seed": self.seed,
            "novel_rows": [item.row for item in novel],
            "novel": [
                {"row": item.row, "distance": item.distance, "nearest_reference_row": item.nearest}
                for item in novel
            ],
            "cluster_shift": [
                {
                    "cluster": share.cluster,
                    "reference_share": share.reference,
                    "batch_share": share.batch,
                    "change": share.change,
                    "emptied": share.emptied,
                    "example_reference_row": share.example,
                }
                for share in self.clusters
            ],
            "emptied_clusters": self.emptied,
        }


def _checked(vectors: FloatMatrix, name: str) -> FloatMatrix:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2 or len(array) < 2:
        raise InputError(f"The {name} needs at least two rows of vectors, not {len(array)}.")
    return unit_rows(array)


def _tested(count_a: int, count_b: int, seed: int) -> tuple[npt.NDArray[np.intp], ...]:
    """The rows of each group the test reads (see :data:`TEST_ROWS`)."""
    if count_a + count_b <= TEST_ROWS:
        return np.arange(count_a, dtype=np.intp), np.arange(count_b, dtype=np.intp)
    small = min(count_a, count_b, TEST_ROWS // 2)
    big = TEST_ROWS - small
    limit_a, limit_b = (small, big) if count_a <= count_b else (big, small)
    return sample_rows(count_a, limit_a, seed), sample_rows(count_b, limit_b, seed + 1)


def mmd_test(
    reference: FloatMatrix,
    batch: FloatMatrix,
    *,
    permutations: int = default_of("drift_permutations", int),
    seed: int = 0,
) -> tuple[float, float, float]:
    """The unbiased MMD² of two groups of unit rows, its permutation p-value and the kernel's
    bandwidth ``σ`` (see the module's notes). Reads every row given: sample beforehand.

    Args:
        reference: Shape ``(m, d)``, unit rows.
        batch: Shape ``(n, d)``, unit rows.
        permutations: How many shuffles of the group labels.
        seed: Their seed.
    """
    pooled = np.vstack([reference, batch]).astype(np.float32)
    m, total = len(reference), len(pooled)
    n = total - m
    # One n × n float32 matrix, turned in place from cosines to squared distances to kernel
    # values: at 6,000 rows 144 MB, never two of them at once.
    kernel = pooled @ pooled.T
    kernel *= -2
    kernel += 2
    np.maximum(kernel, 0, out=kernel)
    probe = sample_rows(total, _MEDIAN_ROWS, seed)
    median = float(np.median(kernel[np.ix_(probe, probe)][np.triu_indices(len(probe), k=1)]))
    sigma2 = median / 2 if median > 0 else 1.0
    kernel *= np.float32(-1 / (2 * sigma2))
    np.exp(kernel, out=kernel)
    np.fill_diagonal(kernel, 0.0)
    everything = float(kernel.sum(dtype=np.float64))

    def statistics(members: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        # members: (total, p), 1 for a reference row. With K's diagonal zeroed, a'Ka and
        # a'Kb are the within- and cross-group sums the unbiased estimate needs.
        product = kernel @ members
        within_a = np.einsum("ij,ij->j", members, product, dtype=np.float64)
        cross = np.einsum("ij,ij->j", 1 - members, product, dtype=np.float64)
        within_b = everything - within_a - 2 * cross
        return np.asarray(within_a / (m * (m - 1)) + within_b / (n * (n - 1)) - 2 * cross / (m * n))

    observed = np.zeros((total, 1), dtype=np.float32)
    observed[:m] = 1
    statistic = float(statistics(observed)[0])
    rng = np.random.default_rng(seed)
    beaten = 0
    for start in range(0, permutations, _PERMUTATION_BLOCK):
        size = min(_PERMUTATION_BLOCK, permutations - start)
        order = rng.permuted(np.tile(np.arange(total), (size, 1)), axis=1)
        members = np.zeros((total, size), dtype=np.float32)
        members[order[:, :m].T, np.arange(size)] = 1
        beaten += int(np.count_nonzero(statistics(members) >= statistic))
    return statistic, (1 + beaten) / (1 + permutations), float(np.sqrt(sigma2))


def classifier_auc(reference: FloatMatrix, batch: FloatMatrix, *, seed: int = 0) -> float:
    """The cross-validated ROC AUC of a linear classifier telling the groups apart (NaN when
    a group has fewer rows than there are folds)."""
    from sklearn.linear_model import RidgeClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    if min(len(reference), len(batch)) < _AUC_FOLDS:
        return float("nan")
    rows = np.vstack([reference, batch])
    groups = np.r_[np.zeros(len(reference)), np.ones(len(batch))]
    folds = StratifiedKFold(_AUC_FOLDS, shuffle=True, random_state=seed)
    model = RidgeClassifier(alpha=1.0, class_weight="balanced")
    scores = cross_val_predict(model, rows, groups, cv=folds, method="decision_function")
    return float(roc_auc_score(groups, scores))


def novelty(reference: FloatMatrix, batch: FloatMatrix) -> list[NovelRow]:
    """Every batch row with its cosine distance to the nearest reference row, most novel
    first (ties by row number). Exact; the products are taken in chunks of batch rows."""
    chunk = max(1, _BLOCK_SCORES // max(len(reference), 1))
    distances = np.empty(len(batch), dtype=np.float32)
    nearest = np.empty(len(batch), dtype=np.intp)
    for start in range(0, len(batch), chunk):
        scores = batch[start : start + chunk] @ reference.T
        best = np.argmax(scores, axis=1)
        nearest[start : start + chunk] = best
        distances[start : start + chunk] = 1 - scores[np.arange(len(best)), best]
    order = np.lexsort((np.arange(len(batch)), -distances))
    return [
        NovelRow(int(row), round(float(max(distances[row], 0.0)), 6), int(nearest[row]))
        for row in order
    ]


def cluster_shift(
    reference: FloatMatrix, batch: FloatMatrix, *, n_clusters: int, seed: int = 0
) -> list[ClusterShare]:
    """Each reference cluster's share of the reference and of the batch, the largest
    absolute change first (see the module's notes)."""
    from sklearn.cluster import KMeans

    fitted_on = reference[sample_rows(len(reference), TEST_ROWS, seed)]
    # Never more clusters than distinct rows: copies of one centroid would split a region.
    count = min(n_clusters, len(np.unique(fitted_on, axis=0)))
    fitted = KMeans(n_clusters=count, n_init=3, random_state=seed).fit(fitted_on)
    centroids = unit_rows(np.asarray(fitted.cluster_centers_, dtype=np.float32))
    # Both groups join clusters by the same rule, the nearest centroid by cosine.
    reference_scores = reference @ centroids.T
    before, after = (
        np.bincount(np.argmax(scores, axis=1), minlength=count) / len(scores)
        for scores in (reference_scores, batch @ centroids.T)
    )
    examples = np.argmax(reference_scores, axis=0)
    shares = [
        ClusterShare(
            cluster,
            round(float(before[cluster]), 6),
            round(float(after[cluster]), 6),
            int(examples[cluster]),
        )
        for cluster in range(count)
    ]
    return sorted(shares, key=lambda share: (-abs(share.change), share.cluster))


def measure_drift(
    reference: FloatMatrix,
    batch: FloatMatrix,
    *,
    permutations: int = default_of("drift_permutations", int),
    n_clusters: int = default_of("drift_clusters", int),
    seed: int = 0,
    auc: bool = True,
) -> DriftReport:
    """How ``batch`` differs from ``reference`` in the full space (see the module's notes).

    Args:
        reference: Shape ``(m, d)``; rows need not be unit length.
        batch: Shape ``(n, d)``, from the same model.
        permutations: Shuffles behind the p-value.
        n_clusters: Clusters fitted on the reference for the shift of shares.
        seed: Seed of the permutations, the samples beyond :data:`TEST_ROWS`, the AUC's folds
            and KMeans: the same seed gives the same report.
        auc: Whether to compute the classifier AUC.

    Raises:
        InputError: A group has fewer than two rows, the dimensions differ, or a setting is
            out of bounds.
    """
    from embedding_space.analysis.parameters import SETTINGS

    SETTINGS["drift_permutations"].check(permutations)
    SETTINGS["drift_clusters"].check(n_clusters)
    old, new = _checked(reference, "reference"), _checked(batch, "batch")
    if old.shape[1] != new.shape[1]:
        raise InputError(
            f"The reference has {old.shape[1]} dimensions and the batch {new.shape[1]}: "
            "compare rows embedded by the same model."
        )
    rows_a, rows_b = _tested(len(old), len(new), seed)
    statistic, p_value, bandwidth = mmd_test(
        old[rows_a], new[rows_b], permutations=permutations, seed=seed
    )
    return DriftReport(
        statistic=round(statistic, 8),
        p_value=p_value,
        permutations=permutations,
        bandwidth=round(bandwidth, 6),
        auc=classifier_auc(old[rows_a], new[rows_b], seed=seed) if auc else float("nan"),
        reference_rows=len(old),
        batch_rows=len(new),
        tested_rows=(len(rows_a), len(rows_b)),
        novel=tuple(novelty(old, new)),
        clusters=tuple(cluster_shift(old, new, n_clusters=n_clusters, seed=seed)),
        seed=seed,
    )
