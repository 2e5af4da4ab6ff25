"""Drift between a reference and a batch of the demo's real vectors (BANKING77, MiniLM): a
random split of the same intents shows none; a batch half from intents the reference never
saw shows drift, its unseen rows first among the novel, and a shift of cluster shares."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from embedding_space.analysis.drift import (
    DRIFT_P,
    TEST_ROWS,
    ClusterShare,
    cluster_shift,
    measure_drift,
    mmd_test,
    novelty,
)
from embedding_space.analysis.similarity import unit_rows
from embedding_space.errors import InputError
from tests.helpers import SIX_INTENTS, DemoRows, demo_rows

SEEDS = (0, 1, 2)
PERMUTATIONS = 200  # the smallest p-value is 1 / 201, below DRIFT_P


@cache
def _demo() -> DemoRows:
    return demo_rows()


def _unseen_split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Reference: 1,200 rows of 67 intents; batch: 200 more rows of those intents, then 200
    rows of ten intents the reference never saw. Also the batch of 400 rows of the same 67."""
    labels = _demo().labels
    rng = np.random.default_rng(seed)
    unseen = rng.choice(np.unique(labels), 10, replace=False)
    held_out = np.isin(labels, unseen)
    seen = rng.permutation(np.flatnonzero(~held_out))
    new = rng.choice(np.flatnonzero(held_out), 200, replace=False)
    return seen[:1200], np.r_[seen[1200:1400], new], seen[1200:1600]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_random_split_of_the_same_intents_shows_no_drift(seed: int) -> None:
    vectors = _demo().vectors
    order = np.random.default_rng(seed).permutation(len(vectors))
    reference, batch = vectors[order[:1540]], vectors[order[1540:]]
    report = measure_drift(reference, batch, permutations=PERMUTATIONS, seed=seed, auc=False)
    # Measured p = 0.73, 0.48, 0.50 (1,000 permutations) on seeds 0, 1, 2.
    assert report.p_value > 0.05
    assert not report.drifted
    assert report.verdict().startswith("no drift detected (p = 0.")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_batch_half_from_unseen_intents_drifts_and_its_new_rows_are_the_most_novel(
    seed: int,
) -> None:
    vectors = _demo().vectors
    reference, batch, _ = _unseen_split(seed)
    report = measure_drift(
        vectors[reference], vectors[batch], permutations=PERMUTATIONS, seed=seed, auc=False
    )
    assert report.p_value < DRIFT_P and report.drifted
    assert report.p_value == pytest.approx(1 / (PERMUTATIONS + 1))  # no shuffle came near
    assert report.verdict().startswith("drift (p = 0.005)")
    # Batch rows 200.. are the unseen intents'. Measured: 19, 20, 20 of the top 20.
    top = [item.row for item in report.top_novel(20)]
    assert sum(row >= 200 for row in top) >= 15
    distances = [item.distance for item in report.novel]
    assert distances == sorted(distances, reverse=True) and len(distances) == 400


@pytest.mark.parametrize("seed", SEEDS)
def test_unseen_intents_move_more_rows_between_clusters_than_a_same_intent_batch(
    seed: int,
) -> None:
    vectors = _demo().vectors
    reference, batch, same = _unseen_split(seed)
    shifted = cluster_shift(vectors[reference], vectors[batch], n_clusters=8, seed=seed)
    steady = cluster_shift(vectors[reference], vectors[same], n_clusters=8, seed=seed)
    moved = [sum(abs(share.change) for share in shares) / 2 for shares in (shifted, steady)]
    # Measured: 0.14 against 0.06, 0.10 against 0.04, 0.20 against 0.06.
    assert moved[0] > 1.5 * moved[1]
    for shares in (shifted, steady):
        assert sum(share.reference for share in shares) == pytest.approx(1, abs=1e-4)
        assert sum(share.batch for share in shares) == pytest.approx(1, abs=1e-4)
        changes = [abs(share.change) for share in shares]
        assert changes == sorted(changes, reverse=True)


def test_an_intent_the_batch_lacks_leaves_its_cluster_emptied() -> None:
    demo = _demo()
    rows = [np.flatnonzero(demo.labels == intent) for intent in SIX_INTENTS]
    reference = np.concatenate([intent[:20] for intent in rows])
    batch = np.concatenate([intent[20:] for intent in rows[1:]])  # no "age_limit"
    report = measure_drift(
        demo.vectors[reference], demo.vectors[batch], n_clusters=6, permutations=200
    )
    (emptied,) = report.emptied
    share = next(share for share in report.clusters if share.cluster == emptied)
    assert share.batch == 0 and share.reference == pytest.approx(1 / 6, abs=1e-5)
    assert report.clusters[0] == share  # the largest change of all
    assert report.to_dict()["emptied_clusters"] == [emptied]
    # The region is shown by its most central reference row: one of the missing intent's.
    assert demo.labels[reference[share.example]] == SIX_INTENTS[0]


def test_the_classifier_auc_reads_chance_on_a_split_and_more_on_unseen_intents() -> None:
    vectors = _demo().vectors
    reference, batch, same = _unseen_split(0)
    drifted = measure_drift(vectors[reference], vectors[batch], permutations=PERMUTATIONS)
    steady = measure_drift(vectors[reference], vectors[same], permutations=PERMUTATIONS)
    # Measured: AUC 0.72 and 0.5.
    assert drifted.auc > 0.65 and drifted.effect != "small"
    assert abs(steady.auc - 0.5) < 0.08
    assert f"effect {drifted.effect} (AUC" in drifted.verdict()


def test_the_same_seed_gives_the_same_report_and_another_seed_another_p_value() -> None:
    vectors = _demo().vectors
    reference, _, same = _unseen_split(1)
    first, second, other = (
        measure_drift(vectors[reference], vectors[same], permutations=PERMUTATIONS, seed=seed)
        for seed in (4, 4, 5)
    )
    assert first == second
    assert first.to_dict() == second.to_dict()
    assert other.p_value != first.p_value


def test_a_copy_of_a_reference_row_has_novelty_zero_and_names_that_row() -> None:
    vectors = unit_rows(_demo().vectors[:300])
    found = novelty(vectors[:200], vectors[[250, 10, 260]])
    assert [item.row for item in found][-1] == 1
    assert found[-1].distance == pytest.approx(0, abs=1e-5) and found[-1].nearest == 10


def test_two_different_intents_beat_every_permutation() -> None:
    demo = _demo()
    vectors = unit_rows(demo.vectors)
    first, second = (np.flatnonzero(demo.labels == intent) for intent in SIX_INTENTS[:2])
    statistic, p_value, bandwidth = mmd_test(vectors[first], vectors[second], permutations=50)
    assert p_value == pytest.approx(1 / 51)  # the smallest a permutation p-value can be
    assert statistic > 0.1 and 0 < bandwidth < 2


def test_groups_too_small_or_of_other_models_are_refused() -> None:
    vectors = _demo().vectors
    with pytest.raises(InputError, match="at least two rows"):
        measure_drift(vectors[:1], vectors[1:10])
    with pytest.raises(InputError, match="same model"):
        measure_drift(vectors[:10], vectors[10:20, :100])
    with pytest.raises(InputError, match="drift_permutations"):
        measure_drift(vectors[:10], vectors[10:20], permutations=5)


def test_beyond_the_bound_the_test_reads_a_sample_and_the_novel_rows_read_everything() -> None:
    vectors = _demo().vectors
    reference, batch = np.vstack([vectors, vectors]), vectors[:300]
    report = measure_drift(reference, batch, permutations=50, auc=False)
    assert report.reference_rows == 6_160 and report.batch_rows == 300
    assert report.tested_rows == (TEST_ROWS - 300, 300)
    # Every batch row is a copy of a reference row, found among all 6,160 of them.
    assert max(item.distance for item in report.novel) == pytest.approx(0, abs=1e-5)


def test_copies_of_one_row_make_one_cluster_and_no_drift() -> None:
    row = _demo().vectors[:1]
    report = measure_drift(np.repeat(row, 5, axis=0), np.repeat(row, 4, axis=0), permutations=50)
    assert report.clusters == (ClusterShare(0, 1.0, 1.0, example=0),)
    assert not report.drifted and np.isnan(report.auc)  # too few rows for five folds
    assert report.to_dict()["auc"] is None and report.effect == "unknown"
