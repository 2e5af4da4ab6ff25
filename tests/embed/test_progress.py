"""The time-left arithmetic of an embedding, on simulated batch times: texts run longest
first, so the first batches cost several times the last; the estimate weighs texts by length."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.embed.base import DEFAULT_BATCH_SIZE, FIRST_BATCH_SIZE
from embedding_space.embed.progress import TimeLeft, text_costs

TOKEN_LIMIT = 256


def _batches(count: int) -> list[tuple[int, int]]:
    """The batches ``embed`` makes of ``count`` texts: a small first one, then full ones."""
    starts = [0, *range(FIRST_BATCH_SIZE, count, DEFAULT_BATCH_SIZE)]
    return list(zip(starts, [*starts[1:], count], strict=True))


def _mixed_lengths(count: int, seed: int = 0) -> list[int]:
    """A mix of short texts (~60 characters) and paragraphs (~800), longest first, as
    ``embed`` runs them."""
    rng = np.random.default_rng(seed)
    short = rng.normal(60, 20, count // 2).clip(10, None)
    long = rng.normal(800, 200, count - count // 2).clip(200, None)
    return sorted((int(n) for n in np.concatenate([short, long])), reverse=True)


def _batch_seconds(lengths: list[int], seed: int = 1) -> list[float]:
    """Seconds a CPU takes for each batch, as all-MiniLM-L6-v2 does on two cores: a fixed cost
    a batch, and a text's fixed cost plus a cost per token (up to the model's limit, padded to
    the batch's longest) with a little quadratic attention; three times as long for the first
    batch (warm-up), and ±10 % noise from a shared machine."""
    rng = np.random.default_rng(seed)
    seconds = []
    for start, stop in _batches(len(lengths)):
        padded = min(lengths[start] / 4.2, TOKEN_LIMIT - 2) + 2
        per_text = 0.0006 + 0.000075 * padded + 0.00000005 * padded**2
        cost = 0.01 + (stop - start) * per_text
        if start == 0:
            cost *= 3
        seconds.append(cost * rng.uniform(0.9, 1.1))
    return seconds


def _run(lengths: list[int], seconds: list[float], cached: int = 0) -> list[tuple[float, bool]]:
    """Feed the reports ``embed`` makes; after each batch, the fraction on the bar and whether
    the time left is within 30 % of the truth (or half a second: the app shows whole seconds)."""
    total = cached + len(lengths)
    estimator = TimeLeft()
    estimator.plan(text_costs(lengths, TOKEN_LIMIT))
    clock = 100.0
    first = estimator.update(cached, total, clock)
    assert first.seconds_left is None, "no batch timed yet: no guess"
    assert first.fraction == pytest.approx(cached / total)
    finished = np.cumsum(seconds)
    results = []
    for index, ((_, stop), batch_seconds) in enumerate(
        zip(_batches(len(lengths)), seconds, strict=True)
    ):
        clock += batch_seconds
        estimate = estimator.update(cached + stop, total, clock)
        truth = float(finished[-1] - finished[index])
        if cached + stop < total:
            assert estimate.seconds_left is not None, "a time left from the first batch on"
            close = abs(estimate.seconds_left - truth) <= max(0.3 * truth, 0.5)
            results.append((estimate.fraction, close))
        else:
            assert estimate.fraction == 1.0 and estimate.seconds_left == 0.0
    return results


def test_time_left_is_within_30_percent_once_a_tenth_is_done() -> None:
    lengths = _mixed_lengths(1000)
    results = _run(lengths, _batch_seconds(lengths))
    late = [close for fraction, close in results if fraction >= 0.1]
    assert len(late) >= 10, "reports come after the first tenth"
    assert all(late), results


def test_counting_texts_instead_would_say_several_times_too_much() -> None:
    """Why texts are weighed: remaining texts at the rate of the first (long) batches."""
    lengths = _mixed_lengths(1000)
    seconds = _batch_seconds(lengths)
    finished = np.cumsum(seconds)
    done = _batches(len(lengths))[3][1]
    by_count = (len(lengths) - done) * finished[3] / done
    assert by_count / (finished[-1] - finished[3]) > 2.5


def test_the_bar_moves_by_work_not_by_count() -> None:
    """Half the time gone is about half the bar, though far fewer than half the texts."""
    lengths = _mixed_lengths(1000)
    seconds = _batch_seconds(lengths)
    estimator = TimeLeft()
    estimator.plan(text_costs(lengths, TOKEN_LIMIT))
    estimator.update(0, 1000, 0.0)
    clock, halfway = 0.0, sum(seconds) / 2
    for (_, stop), batch_seconds in zip(_batches(1000), seconds, strict=True):
        clock += batch_seconds
        estimate = estimator.update(stop, 1000, clock)
        if clock >= halfway:
            break
    assert 0.35 <= estimate.fraction <= 0.65
    assert estimate.done < 500


def test_texts_found_in_the_cache_count_as_done_and_cost_no_time() -> None:
    lengths = _mixed_lengths(600)
    results = _run(lengths, _batch_seconds(lengths), cached=400)
    assert results[0][0] > 0.4, "the 400 cached texts are already on the bar"
    assert all(close for fraction, close in results if fraction >= 0.4 + 0.6 * 0.1), results


def test_without_a_plan_every_text_weighs_the_same() -> None:
    estimator = TimeLeft()
    estimator.update(0, 100, 0.0)
    estimate = estimator.update(50, 100, 10.0)
    assert estimate.fraction == pytest.approx(0.5)
    assert estimate.seconds_left == pytest.approx(10.0)


def test_one_slow_batch_moves_the_estimate_only_part_way() -> None:
    estimator = TimeLeft()
    estimator.plan([1.0] * 400)
    estimator.update(0, 400, 0.0)
    estimator.update(100, 400, 10.0)  # 0.1 s a text
    estimator.update(200, 400, 20.0)
    estimate = estimator.update(300, 400, 50.0)  # one batch three times slower
    assert estimate.seconds_left is not None
    assert 10.0 < estimate.seconds_left < 30.0


def test_the_first_batch_warming_the_model_up_is_a_guess_until_the_second() -> None:
    estimator = TimeLeft()
    estimator.plan([1.0] * 300)
    estimator.update(0, 300, 0.0)
    first = estimator.update(100, 300, 20.0)  # twice as slow as the rest: warming up
    assert first.seconds_left == pytest.approx(40.0), "a time left from the first batch"
    second = estimator.update(200, 300, 30.0)
    assert second.seconds_left == pytest.approx(10.0)


def test_texts_past_the_token_limit_cost_the_same() -> None:
    short, at_limit, past = text_costs([100, 1024, 50_000], token_limit=256)
    assert short < at_limit == past
    assert text_costs([50_000])[0] > past, "a model that reads everything pays for everything"


def test_smoothing_outside_its_range_is_refused() -> None:
    with pytest.raises(ValueError, match="smoothing"):
        TimeLeft(smoothing=0)
