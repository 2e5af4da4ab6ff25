"""The fair queue's rules (who runs next, when a job counts as abandoned) and the checkpoints
that stop a real UMAP of a job nobody waits for."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from embedding_space.analysis.jobs import AbandonedError, FairQueue, checkpoint, checkpoints
from embedding_space.analysis.projection import ProjectionParams, project


def test_an_owner_with_a_job_running_waits_while_another_owner_starts() -> None:
    queue = FairQueue(abandon_after=60)
    for name in ("a1", "a2", "a3"):
        queue.add(name, "alice", now=0)
    queue.add("b1", "bob", now=1)
    assert queue.take(now=2) == "a1"
    assert queue.take(now=2) == "b1", "bob's map starts beside alice's, not after her pile"
    assert queue.take(now=2) is None, "both owners already have one running"
    queue.finish("a1")
    assert queue.take(now=3) == "a2"


def test_owners_take_turns_the_one_served_longest_ago_first() -> None:
    queue = FairQueue(abandon_after=60)
    for name in ("a1", "a2", "a3"):
        queue.add(name, "alice", now=0)
    queue.add("b1", "bob", now=0)
    queue.add("b2", "bob", now=0)
    queue.add("c1", "carol", now=0)
    assert queue.waiting_order() == ["a1", "b1", "c1", "a2", "b2", "a3"]
    assert queue.take(now=0) == "a1"
    # Alice was just served: the others come before her next job.
    assert queue.waiting_order() == ["b1", "c1", "a2", "b2", "a3"]
    assert queue.position("c1") == 2
    assert queue.position("a1") is None, "a running job has no place in the queue"


def test_a_waiting_job_nobody_asks_about_is_dropped_before_it_starts() -> None:
    queue = FairQueue(abandon_after=30)
    queue.add("a1", "alice", now=0)
    queue.add("a2", "alice", now=0)
    queue.add("b1", "bob", now=0)
    assert queue.take(now=0) == "a1"
    assert queue.take(now=0) == "b1"
    queue.poll("b1", now=25)
    queue.poll("a2", now=10)
    assert queue.drop_abandoned(now=39) == []
    assert queue.drop_abandoned(now=40) == ["a2"]
    assert "a2" not in queue
    # Running jobs are not dropped: they stop at a checkpoint and are finished by their worker.
    assert queue.abandoned("a1", now=40)
    assert not queue.abandoned("b1", now=40)
    assert queue.running() == ["a1", "b1"]


def test_asking_again_for_a_queued_job_polls_it_rather_than_adding_another() -> None:
    queue = FairQueue(abandon_after=30)
    queue.add("map", "alice", now=0)
    queue.add("map", "bob", now=20)
    assert queue.waiting_order() == ["map"]
    assert not queue.abandoned("map", now=45)


def test_checkpoints_only_act_inside_the_block() -> None:
    checkpoint()  # no listener: nothing happens

    def stop() -> None:
        raise AbandonedError("nobody waits")

    with pytest.raises(AbandonedError), checkpoints(stop):
        checkpoint()
    checkpoint()


def test_a_running_umap_stops_at_an_epoch_once_abandoned() -> None:
    vectors = np.random.default_rng(0).normal(size=(400, 16)).astype(np.float32)
    epochs: list[int] = []

    def abandoned_after_five() -> None:
        epochs.append(1)
        if len(epochs) > 5:
            raise AbandonedError("nobody waits")

    with pytest.raises(AbandonedError), checkpoints(abandoned_after_five):
        project(vectors, ProjectionParams(method="umap", n_neighbors=10))
    # A 400-row UMAP checks 500 times (once an epoch) when let run; the raise stopped it at
    # once.
    assert len(epochs) == 6


def test_an_abandoned_umap_leaves_no_lock_held_for_other_progress_bars() -> None:
    # Stopping a map from inside tqdm's writing once left tqdm's process-wide lock held, and
    # every later bar (a model loading, another map) waited for it forever.
    import threading

    from tqdm import tqdm

    vectors = np.random.default_rng(0).normal(size=(200, 16)).astype(np.float32)

    calls: list[int] = []

    def abandoned() -> None:  # in the epoch loop, past the checks before it
        calls.append(1)
        if len(calls) > 5:
            raise AbandonedError("nobody waits")

    def run_abandoned() -> None:
        with contextlib.suppress(AbandonedError), checkpoints(abandoned):
            project(vectors, ProjectionParams(method="umap", n_neighbors=10))

    worker = threading.Thread(target=run_abandoned)
    worker.start()
    worker.join()
    drawn = threading.Event()

    def another_bar() -> None:
        for _ in tqdm(range(3), file=io.StringIO(), mininterval=0):
            pass
        drawn.set()

    threading.Thread(target=another_bar, daemon=True).start()
    assert drawn.wait(timeout=30), "a progress bar waits for a lock an abandoned map kept"


def test_a_running_open_tsne_stops_at_a_callback_once_abandoned() -> None:
    from embedding_space.analysis.tsne import _open_tsne

    vectors = np.random.default_rng(0).normal(size=(1_000, 16)).astype(np.float32)
    checks: list[int] = []

    def abandoned_after_three() -> None:
        checks.append(1)
        if len(checks) > 3:
            raise AbandonedError("nobody waits")

    with pytest.raises(AbandonedError), checkpoints(abandoned_after_three):
        _open_tsne(vectors, perplexity=30.0, metric="cosine", random_state=0)
    # One check every ten iterations of 750: it stopped at the fourth, not at the end.
    assert len(checks) == 4
