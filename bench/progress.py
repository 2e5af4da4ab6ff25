"""How right the embedding's "time left" is: the real model embeds a mix of short texts and
paragraphs, each batch is timed, and the estimate the app shows after each batch
(``embed.progress.TimeLeft``) is set against the time that really was left, beside the
estimate by count of texts it replaces. Also fits the cost of a text beside its length
(``TEXT_OVERHEAD_CHARS``).

Run alone: ``python -m bench.progress [--rows N] [--kind mixed]``.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from bench.embedding import KINDS, texts_of
from embedding_space.embed import embed, load_embedder
from embedding_space.embed.progress import CHARS_PER_TOKEN, TimeLeft, text_costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--kind", default="mixed", choices=KINDS)
    args = parser.parse_args()
    texts = texts_of(args.kind, args.rows)
    model = load_embedder()
    reports: list[tuple[int, float]] = []
    lengths: list[int] = []
    started = time.monotonic()
    embed(
        texts,
        model,
        progress=lambda done, total: reports.append((done, time.monotonic())),
        plan=lengths.extend,
    )
    total_seconds = time.monotonic() - started
    end = reports[-1][1]
    print(
        f"{args.rows:,} {args.kind} texts embedded in {total_seconds:.1f} s, "
        f"{len(reports) - 1} batches"
    )

    # The cost of a text beside its length: batch seconds ~ a * characters read + b * texts.
    cap = model.max_seq_length * CHARS_PER_TOKEN
    rows, seconds = [], []
    for (before, t0), (after, t1) in itertools.pairwise(reports):
        chars = sum(min(n, cap) for n in lengths[before:after])
        rows.append([chars, after - before])
        seconds.append(t1 - t0)
    fit = np.linalg.lstsq(np.asarray(rows[1:], float), np.asarray(seconds[1:]), rcond=None)[0]
    print(
        f"fit (warm-up batch left out): {fit[0] * 1e6:.1f} µs a character read, "
        f"{fit[1] * 1e3:.2f} ms a text: a text costs {fit[1] / fit[0]:.0f} characters' worth"
    )

    estimator = TimeLeft()
    estimator.plan(text_costs(lengths, model.max_seq_length))
    print(
        f"{'done':>6} {'bar':>5} {'truly left':>10} {'estimate':>9} {'ratio':>6} "
        f"{'by count':>9} {'ratio':>6}"
    )
    worst_after_tenth = 0.0
    for done, now in reports:
        estimate = estimator.update(done, args.rows, now)
        truth = end - now
        if done == 0 or done >= args.rows or estimate.seconds_left is None:
            continue
        by_count = (args.rows - done) * (now - reports[0][1]) / done
        ratio = estimate.seconds_left / truth
        if estimate.fraction >= 0.1:
            worst_after_tenth = max(worst_after_tenth, abs(ratio - 1))
        print(
            f"{done:>6} {estimate.fraction:>5.0%} {truth:>9.1f}s {estimate.seconds_left:>8.1f}s "
            f"{ratio:>6.2f} {by_count:>8.1f}s {by_count / truth:>6.2f}"
        )
    print(f"worst error once a tenth is done: {worst_after_tenth:.0%}")


if __name__ == "__main__":
    main()
