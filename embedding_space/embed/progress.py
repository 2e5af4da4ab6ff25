"""How far an embedding has got and how long it has left, from the batches done so far.

:func:`~embedding_space.embed.base.embed` runs the texts longest first, so its first batches
cost several times its last: a rate of texts per second measured on the first batches says
far too much time is left (3-5 times too much on a mix of short texts and paragraphs). Each
text is weighed here by its length instead, up to what the model reads, plus a fixed cost, and a
batch by its longest text (the model pads the others to its length);
the time a unit of that weight takes is measured from the first batch on (a guess until the
second, since the first also warms the model up), and smoothed.
The clock is the caller's: every method takes the time (``time.monotonic()``), so the
arithmetic is tested with simulated batch times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CHARS_PER_TOKEN", "Estimate", "TimeLeft", "text_costs"]

CHARS_PER_TOKEN = 4.0
"""About how many characters of English make one word-piece token: where the model stops
reading a long text (its token limit) in characters."""
TEXT_OVERHEAD_CHARS = 12.0
"""The cost of a text beside its length, in characters: its two special tokens, tokenising,
pooling, copying a vector. All-MiniLM-L6-v2 on 2 CPU cores took about 29 µs a character of
a batch of texts cut at 1,024, and 38 µs one of texts of 32 (``python -m bench.progress``):
the time a batch takes grows with its longest text, times its texts."""
SMOOTHING = 0.3
"""How much each new batch moves the measured rate (an exponential moving average): the first
batch's warm-up fades within a few batches, one slow batch moves the estimate a little."""


def text_costs(lengths: Sequence[int], token_limit: int | None = None) -> list[float]:
    """The cost of embedding each text, in characters' worth of work.

    Args:
        lengths: Each text's length in characters.
        token_limit: How many tokens the model reads of a text (longer ones cost as much as
            one that long); ``None`` when it reads everything.

    Returns:
        One positive cost per text.
    """
    cap = float("inf") if token_limit is None else token_limit * CHARS_PER_TOKEN
    return [min(float(length), cap) + TEXT_OVERHEAD_CHARS for length in lengths]


@dataclass(frozen=True)
class Estimate:
    """Where an embedding stands.

    Attributes:
        done: Texts embedded (or found in the cache).
        total: Texts in all.
        fraction: How much of the work is done, 0 to 1, by weight rather than by count (so a
            bar drawn from it moves at an even pace).
        seconds_left: The time left, or ``None`` until a batch has been timed.
    """

    done: int
    total: int
    fraction: float
    seconds_left: float | None


class TimeLeft:
    """Estimates an embedding's time left from the time its batches took.

    Call :meth:`plan` with the costs of the texts still to embed, in the order they are
    embedded (see :func:`text_costs`), then :meth:`update` at every progress report: the first
    report (before any batch) starts the clock. Without a plan, every text weighs the same.

    Args:
        smoothing: See :data:`SMOOTHING`.

    Raises:
        ValueError: ``smoothing`` is not in (0, 1].
    """

    def __init__(self, smoothing: float = SMOOTHING) -> None:
        if not 0 < smoothing <= 1:
            raise ValueError(f"smoothing must be in (0, 1], not {smoothing}.")
        self._smoothing = smoothing
        self._costs: list[float] | None = None
        self._start_done: int | None = None
        self._last: tuple[int, float] | None = None  # (texts done, time) at the last report
        self._rate: float | None = None  # seconds per unit of cost
        self._batches = 0  # batches timed
        self._batch_size = 1  # the most texts a batch has held
        self._work_done = 0.0

    def plan(self, costs: Sequence[float]) -> None:
        """Say what each text still to embed costs, in the order they are embedded (longest
        first: a batch costs its first text's cost for each of its texts)."""
        self._costs = [float(cost) for cost in costs]

    def _cost(self, index: int) -> float:
        return 1.0 if self._costs is None else self._costs[index]

    def _count(self, total: int) -> int:
        return len(self._costs) if self._costs is not None else total - (self._start_done or 0)

    def _padded(self, start: int, stop: int, batch: int) -> float:
        """The work of texts ``start:stop`` in batches of ``batch`` from ``start``: the model
        pads each batch to its longest text, the first (they run longest first)."""
        work = 0.0
        for first in range(start, stop, max(batch, 1)):
            work += (min(stop, first + batch) - first) * self._cost(first)
        return work

    def update(self, done: int, total: int, now: float) -> Estimate:
        """Take a progress report: ``done`` of ``total`` texts at time ``now`` (seconds).

        Returns:
            The estimate after it.
        """
        if self._start_done is None:
            self._start_done = done  # found in the cache: no time measured on them
        start = self._start_done
        count = self._count(total)
        if self._last is not None and done > self._last[0]:
            first = min(self._last[0] - start, count)
            size = min(done - start, count) - first
            batch_work = size * self._cost(first) if size > 0 else 0.0
            self._batch_size = max(self._batch_size, size)
            self._work_done += batch_work
            seconds = now - self._last[1]
            if batch_work > 0 and seconds >= 0:
                rate = seconds / batch_work
                self._batches += 1
                if self._rate is None or self._batches == 2:
                    # The first batch also warms the model up: a guess until the second.
                    self._rate = rate
                else:
                    self._rate = self._smoothing * rate + (1 - self._smoothing) * self._rate
        if self._last is None or done > self._last[0]:
            self._last = (done, now)
        computed = max(0, min(done - start, count))
        work_left = self._padded(computed, count, self._batch_size)
        total_work = self._work_done + work_left
        share = 1.0 if total_work <= 0 else self._work_done / total_work
        computed_share = (total - start) / total if total else 0.0
        fraction = 1.0 if total == 0 else start / total + computed_share * share
        left = None if self._rate is None else work_left * self._rate
        return Estimate(done, total, min(max(fraction, 0.0), 1.0), left)
