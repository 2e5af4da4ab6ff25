"""The map workers with real UMAP jobs: one owner's pile does not hold back another's map, and
the jobs of a page that stopped asking are dropped or stopped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from components import background
from embedding_space.analysis.jobs import AbandonedError
from embedding_space.analysis.projection import ProjectionParams, project
from tests.helpers import APP_TIMEOUT


def _umap(rows: int, seed: int, started: list[str], name: str) -> Callable[[], object]:
    vectors = np.random.default_rng(seed).normal(size=(rows, 16)).astype(np.float32)

    def work() -> object:
        started.append(name)
        return project(vectors, ProjectionParams(method="umap", random_state=seed))

    return work


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + APP_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"waited {APP_TIMEOUT} s for {what}"
        time.sleep(0.05)


def test_another_owners_map_starts_next_and_a_closed_pages_jobs_are_cancelled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(background, "ABANDONED_AFTER", 3.0)
    workers = background.Scheduler(workers=2)
    started: list[str] = []
    # Alice queues three large maps, then closes her tab: nothing asks about them again.
    alice = [
        workers.submit(f"a{n}", "alice", "UMAP", _umap(20_000, n, started, f"a{n}"))
        for n in range(3)
    ]
    _until(lambda: started == ["a0"], "alice's first map to start")
    assert [job.started is None for job in alice] == [False, True, True]
    assert workers.position(alice[2]) == (2, 1)
    bob = workers.submit("b", "bob", "UMAP", _umap(1_000, 9, started, "b"))
    _until(lambda: "b" in started, "bob's map to start")
    assert started == ["a0", "b"], "bob's map starts before alice's waiting ones"
    # Bob's page keeps asking while it waits, as wait_for does every two seconds.
    stop_polling = threading.Event()

    def poll() -> None:
        while not stop_polling.wait(0.5):
            workers.poll(bob)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        assert bob.future.result(timeout=APP_TIMEOUT) is not None
        for waiting in alice[1:]:
            _until(waiting.future.done, "alice's waiting maps to be dropped")
            assert waiting.future.cancelled()
        with pytest.raises(AbandonedError):
            alice[0].future.result(timeout=APP_TIMEOUT)
    finally:
        stop_polling.set()
        poller.join()
    assert started == ["a0", "b"], "alice's abandoned maps never started"
    assert all(job.abandoned for job in alice)
    # Alice comes back: her map is queued afresh rather than answered with the cancellation.
    again = workers.submit("a1", "alice", "UMAP", _umap(500, 1, started, "a1"))
    assert again is not alice[1]
    assert again.future.result(timeout=APP_TIMEOUT) is not None


def test_a_waiting_job_says_its_place_in_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    workers = background.Scheduler(workers=1)
    gate = threading.Event()
    running = workers.submit("first", "alice", "UMAP of 9 rows", lambda: gate.wait(APP_TIMEOUT))
    waiting = workers.submit("second", "bob", "UMAP of 30,000 rows", lambda: None)
    monkeypatch.setattr(background, "scheduler", lambda: workers)
    try:
        _until(lambda: running.started is not None, "the first job to start")
        text = background.progress_text(waiting)
        assert text.startswith(
            "UMAP of 30,000 rows: waiting, 1st in the queue (1 map is computing)"
        )
        assert background.progress_text(running).startswith("UMAP of 9 rows: computing, ")
    finally:
        gate.set()
    assert waiting.future.result(timeout=APP_TIMEOUT) is None
