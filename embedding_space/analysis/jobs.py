"""A fair queue for long computations shared by many people, and the checkpoints that let a
running one stop when nobody waits for it any more.

:class:`FairQueue` decides who runs next: each owner has at most one job running, and owners
take turns (the one served longest ago first; an owner's own jobs in the order asked), so one
person's pile of maps cannot hold back another's. A job counts as abandoned when nobody has
asked about it (a page polls while it waits) for ``abandon_after`` seconds: a waiting one is
dropped before it starts, and a running one stops at its next :func:`checkpoint`.

The queue holds no clock and no threads; the caller passes ``now`` and runs the work, so the
rules are tested plainly.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field

__all__ = ["AbandonedError", "FairQueue", "QueuedJob", "checkpoint", "checkpoints"]


class AbandonedError(Exception):
    """Raised at a checkpoint of a computation nobody waits for any more."""


_CHECK: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "checkpoint", default=None
)


def checkpoint() -> None:
    """Stop here if the computation running in this thread was abandoned.

    Raises:
        AbandonedError: The job was abandoned (only inside :func:`checkpoints`).
    """
    check = _CHECK.get()
    if check is not None:
        check()


def checkpointing() -> bool:
    """Whether a caller listens at checkpoints (hooks that cost something install only then)."""
    return _CHECK.get() is not None


@contextlib.contextmanager
def checkpoints(check: Callable[[], None]) -> Iterator[None]:
    """Run the block with ``check`` called at every :func:`checkpoint` in this thread.

    Args:
        check: Raises :class:`AbandonedError` when the work should stop.
    """
    token = _CHECK.set(check)
    try:
        yield
    finally:
        _CHECK.reset(token)


@dataclass
class QueuedJob:
    """What the queue knows of one job.

    Attributes:
        key: What it computes.
        owner: Who asked for it first (whose turn it takes).
        order: When it was asked for, as a count (ties between owners keep this order).
        polled: When someone last asked about it (seconds, the caller's clock).
        running: Whether it has been handed out to run.
    """

    key: Hashable
    owner: str
    order: int
    polled: float
    running: bool = False


@dataclass
class FairQueue:
    """Who runs next: one running job per owner, owners in turn, abandoned jobs dropped.

    Attributes:
        abandon_after: Seconds without a poll after which a job counts as abandoned.
    """

    abandon_after: float
    _jobs: dict[Hashable, QueuedJob] = field(default_factory=dict)
    _served: dict[str, int] = field(default_factory=dict)
    _count: int = 0

    def add(self, key: Hashable, owner: str, now: float) -> None:
        """Queue ``key`` for ``owner``; a key already queued or running is only polled."""
        if key in self._jobs:
            self.poll(key, now)
            return
        self._count += 1
        self._jobs[key] = QueuedJob(key, owner, self._count, now)

    def poll(self, key: Hashable, now: float) -> None:
        """Someone still waits for ``key``."""
        job = self._jobs.get(key)
        if job is not None:
            job.polled = max(job.polled, now)

    def __contains__(self, key: object) -> bool:
        return key in self._jobs

    def abandoned(self, key: Hashable, now: float) -> bool:
        """Whether nobody has asked about ``key`` for ``abandon_after`` seconds."""
        job = self._jobs.get(key)
        return job is not None and now - job.polled >= self.abandon_after

    def drop_abandoned(self, now: float) -> list[Hashable]:
        """Remove the waiting jobs nobody asks about any more, and return their keys (running
        ones stay until they stop at a checkpoint and are :meth:`finish`-ed)."""
        gone = [
            job.key
            for job in self._jobs.values()
            if not job.running and self.abandoned(job.key, now)
        ]
        for key in gone:
            del self._jobs[key]
        return gone

    def take(self, now: float) -> Hashable | None:
        """The job to start now, marked running, or ``None`` when every waiting job's owner
        already has one running (or nothing waits). Abandoned jobs are dropped first."""
        self.drop_abandoned(now)
        order = self.waiting_order()
        busy = {job.owner for job in self._jobs.values() if job.running}
        for key in order:
            job = self._jobs[key]
            if job.owner not in busy:
                job.running = True
                self._count += 1
                self._served[job.owner] = self._count
                return key
        return None

    def finish(self, key: Hashable) -> None:
        """``key`` has finished, failed or stopped: its owner may run the next."""
        self._jobs.pop(key, None)

    def running(self) -> list[Hashable]:
        """The keys handed out and not finished."""
        return [job.key for job in self._jobs.values() if job.running]

    def waiting_order(self) -> list[Hashable]:
        """The waiting keys in the order they would start: owners in turn, the one served
        longest ago (or never) first, and each owner's jobs in the order asked."""
        by_owner: dict[str, list[QueuedJob]] = {}
        for job in sorted(self._jobs.values(), key=lambda job: job.order):
            if not job.running:
                by_owner.setdefault(job.owner, []).append(job)
        owners = sorted(
            by_owner, key=lambda owner: (self._served.get(owner, 0), by_owner[owner][0].order)
        )
        order: list[Hashable] = []
        depth = 0
        while len(order) < sum(len(jobs) for jobs in by_owner.values()):
            order += [by_owner[o][depth].key for o in owners if depth < len(by_owner[o])]
            depth += 1
        return order

    def position(self, key: Hashable) -> int | None:
        """``key``'s place among the waiting jobs (1 starts next), ``None`` when not waiting."""
        order = self.waiting_order()
        return order.index(key) + 1 if key in order else None
