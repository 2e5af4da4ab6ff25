"""Maps computed beside the page: a UMAP or t-SNE of many rows runs in a worker thread while
the page shows the PCA map at once, and swaps when the result is stored.

A job is keyed by what it computes, so two sessions asking for the same map share one job, and
a rerun (a click, a slider) never starts it again. Jobs wait in a fair queue
(``analysis.jobs.FairQueue``): each owner has at most one map computing, and owners take
turns, so one visitor's pile of maps does not hold back another's. A page waiting for a job
asks about it every two seconds (:func:`wait_for`); a job nobody has asked about for
:data:`ABANDONED_AFTER` seconds (its tab was closed) is dropped before it starts, or stopped at
its next checkpoint while it runs (every UMAP epoch, every ten openTSNE iterations;
scikit-learn's t-SNE of up to 20,000 rows only before it starts). A finished map is stored in
the workspace, so the next visit reads it from disk.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field

import streamlit as st

from embedding_space.analysis.jobs import AbandonedError, FairQueue, checkpoints

INSTANT_MAP_UP_TO = 5_000
"""Maps of up to this many rows are computed while the page waits (seconds, once warm);
larger ones in the background, with PCA shown meanwhile."""

WORKERS = 2
"""Maps computing at once (each owner has at most one of them)."""

ABANDONED_AFTER = 90.0
"""Seconds without a page asking after which a job is abandoned. A waiting page asks every two
seconds; browsers slow the timers of a hidden tab to about one a minute, so this is longer."""


@dataclass
class Job:
    """A computation waiting, running or done in the background.

    Attributes:
        key: What it computes.
        future: Its result, or the exception it raised (:class:`AbandonedError` when abandoned).
        label: What it computes, for the screen ("UMAP of 100,000 rows").
        queued: When it was asked for (``time.monotonic``).
        started: When it started running; ``None`` while it waits.
    """

    key: Hashable
    future: Future[object]
    label: str
    queued: float = field(default_factory=time.monotonic)
    started: float | None = None

    def seconds(self) -> float:
        """How long it has waited and run."""
        return time.monotonic() - self.queued

    @property
    def abandoned(self) -> bool:
        """Whether it was dropped or stopped because nobody asked about it."""
        if self.future.cancelled():
            return True
        return self.future.done() and isinstance(self.future.exception(), AbandonedError)


class Scheduler:
    """The worker threads of this server and the fair queue they take jobs from."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._queue = FairQueue(ABANDONED_AFTER)
        self._jobs: dict[Hashable, Job] = {}
        self._work: dict[Hashable, Callable[[], object]] = {}
        self._changed = threading.Condition()
        for number in range(workers):
            threading.Thread(target=self._serve, name=f"map-{number}", daemon=True).start()

    def submit(self, key: Hashable, owner: str, label: str, work: Callable[[], object]) -> Job:
        """The job computing ``key``: the one already queued or running (now asked about
        again), or a new one queued for ``owner``."""
        with self._changed:
            self._queue.abandon_after = ABANDONED_AFTER
            self._drop_abandoned()
            job = self._jobs.get(key)
            if job is None or job.abandoned:
                job = Job(key, Future(), label)
                self._jobs[key] = job
                self._work[key] = work
                self._queue.add(key, owner, time.monotonic())
                self._changed.notify_all()
            else:
                self._queue.poll(key, time.monotonic())
            return job

    def poll(self, job: Job) -> None:
        """A page still waits for ``job`` (and the jobs nobody waits for are dropped now, not
        when a worker is next free)."""
        with self._changed:
            self._queue.poll(job.key, time.monotonic())
            self._drop_abandoned()

    def position(self, job: Job) -> tuple[int | None, int]:
        """``job``'s place among the waiting jobs (``None`` when not waiting), and how many
        jobs are running."""
        with self._changed:
            return self._queue.position(job.key), len(self._queue.running())

    def forget(self, key: Hashable) -> None:
        """Drop a finished job once its result has been read from the store."""
        with self._changed:
            job = self._jobs.get(key)
            if job is not None and job.future.done():
                del self._jobs[key]

    def _drop_abandoned(self) -> None:
        for key in self._queue.drop_abandoned(time.monotonic()):
            self._work.pop(key, None)
            job = self._jobs.pop(key, None)
            if job is not None:
                job.future.cancel()

    def _stop_if_abandoned(self, key: Hashable) -> None:
        with self._changed:
            if self._queue.abandoned(key, time.monotonic()):
                raise AbandonedError(f"Nobody has asked for {key!r} for {ABANDONED_AFTER:.0f} s.")

    def _serve(self) -> None:
        while True:
            with self._changed:
                self._drop_abandoned()
                key = self._queue.take(time.monotonic())
                if key is None:
                    # Woken by a new job or a finished one; the timeout drops abandoned ones.
                    self._changed.wait(timeout=1.0)
                    continue
                job, work = self._jobs[key], self._work.pop(key)
                job.started = time.monotonic()
                job.future.set_running_or_notify_cancel()
            try:
                with checkpoints(functools.partial(self._stop_if_abandoned, key)):
                    result = work()
            except BaseException as error:  # handed to whoever reads the future
                job.future.set_exception(error)
            else:
                job.future.set_result(result)
            finally:
                with self._changed:
                    self._queue.finish(key)
                    self._changed.notify_all()


@st.cache_resource(show_spinner=False)
def scheduler() -> Scheduler:
    """This server's scheduler (one per process, shared by every session)."""
    return Scheduler()


def job_for(key: Hashable, label: str, work: Callable[[], object], owner: str) -> Job:
    """The job computing ``key``: the one already queued or running, or a new one running
    ``work`` when ``owner``'s turn comes.

    Args:
        key: What the job computes (plain, hashable values).
        label: For the screen.
        work: Computes and stores the result; runs without a Streamlit session, so it must not
            draw anything.
        owner: Whose turn it takes (see ``components.identity``).
    """
    return scheduler().submit(key, owner, label, work)


def forget(key: Hashable) -> None:
    """Drop a finished job once its result has been read from the store."""
    scheduler().forget(key)


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10)
    return f"{number:,}{suffix or 'th'}"


def progress_text(job: Job) -> str:
    """Where ``job`` stands, for the line under the waiting map."""
    place, running = scheduler().position(job)
    if place is not None:
        ahead = "1 map is" if running == 1 else f"{running:,} maps are"
        return (
            f"{job.label}: waiting, {_ordinal(place)} in the queue ({ahead} computing); "
            f"{job.seconds():,.0f} s so far…"
        )
    return f"{job.label}: computing, {job.seconds():,.0f} s so far…"


@st.fragment(run_every=2)
def wait_for(job: Job) -> None:
    """A line that says where the job stands, and reruns the page when it is done. Each run
    tells the scheduler this page still waits for it."""
    scheduler().poll(job)
    if job.future.done():
        st.rerun()
    st.caption(progress_text(job))
