"""Maps computed beside the page: a UMAP or t-SNE of many rows runs in a worker thread while
the page shows the PCA map at once, and swaps when the result is stored.

A job is keyed by what it computes, so two sessions asking for the same map share one job, and
a rerun (a click, a slider) never starts it again. The work writes its result to the
workspace, so a job whose page was closed is not lost: the next visit reads it from disk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st

INSTANT_MAP_UP_TO = 5_000
"""Maps of up to this many rows are computed while the page waits (seconds, once warm);
larger ones in the background, with PCA shown meanwhile."""


@dataclass
class Job:
    """A computation running (or done) in the background.

    Attributes:
        future: Its result, or the exception it raised.
        label: What it computes, for the screen ("UMAP of 100,000 rows").
        started: When it started (``time.monotonic``).
    """

    future: Future[object]
    label: str
    started: float = field(default_factory=time.monotonic)

    def seconds(self) -> float:
        """How long it has run."""
        return time.monotonic() - self.started


@st.cache_resource(show_spinner=False)
def _registry() -> tuple[ThreadPoolExecutor, dict[Hashable, Job], threading.Lock]:
    # Two workers: on a shared server one person's slow map must not queue everyone else's.
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="map"), {}, threading.Lock()


def job_for(key: Hashable, label: str, work: Callable[[], object]) -> Job:
    """The job computing ``key``: the one already running, or a new one running ``work``.

    Args:
        key: What the job computes (plain, hashable values).
        label: For the screen.
        work: Computes and stores the result; runs without a Streamlit session, so it must not
            draw anything.
    """
    pool, jobs, lock = _registry()
    with lock:
        job = jobs.get(key)
        if job is None:
            job = Job(pool.submit(work), label)
            jobs[key] = job
        return job


def forget(key: Hashable) -> None:
    """Drop a finished job once its result has been read from the store."""
    _, jobs, lock = _registry()
    with lock:
        job = jobs.get(key)
        if job is not None and job.future.done():
            del jobs[key]


@st.fragment(run_every=2)
def wait_for(job: Job) -> None:
    """A line that says how long the job has run, and reruns the page when it is done."""
    if job.future.done():
        st.rerun()
    st.caption(f"{job.label}: {job.seconds():,.0f} s so far…")
