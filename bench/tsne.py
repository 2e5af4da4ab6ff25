"""t-SNE at the sizes the app computes while the page waits: scikit-learn's Barnes-Hut (the
baseline) against openTSNE's FFT path with one and two threads, on real sentence vectors
(the BANKING77 demo, topped up with the STS-B dev sentences past its 3,080 rows). Each
candidate runs in turn, interleaved, ``--repeats`` times; the table gives the median seconds,
the ratio against scikit-learn measured in the same round, and the maps' trustworthiness
(``sklearn.manifold.trustworthiness``, k=10, cosine) so a faster map is not a worse one.
Last, the per-row rates the app's cost estimate (``analysis.cost``) is calibrated with.

Run alone: ``python -m bench.tsne [--rows 1000 5000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.quality import read_stsb
from embedding_space.types import FloatMatrix


def vectors(rows: int) -> FloatMatrix:
    """``rows`` distinct real sentence vectors: the demo's, then STS-B's embedded now."""
    from embedding_space.demo import ensure_demo
    from embedding_space.embed import embed, load_embedder
    from embedding_space.embed.sentence import read_identity
    from embedding_space.store.workspace import Workspace

    home = tempfile.mkdtemp(prefix="bench-tsne-")
    workspace = Workspace(home)
    info = ensure_demo(workspace)
    identity = read_identity("all-MiniLM-L6-v2")
    assert identity is not None
    demo = workspace.space(info.id, identity.cache_key).vectors
    if rows <= len(demo):
        return np.asarray(demo[:rows], np.float32)
    pairs = read_stsb()
    sentences = [one for pair in zip(pairs.first, pairs.second, strict=True) for one in pair]
    extra = list(dict.fromkeys(sentences))[: rows - len(demo)]
    if len(demo) + len(extra) < rows:
        raise SystemExit(f"only {len(demo) + len(extra)} real texts here, not {rows}")
    more = embed(extra, load_embedder()).vectors
    return np.concatenate([demo, more]).astype(np.float32)


def sklearn_tsne(points: FloatMatrix) -> FloatMatrix:
    from sklearn.manifold import TSNE

    return np.asarray(
        TSNE(
            n_components=2, perplexity=30.0, metric="cosine", init="pca", random_state=42
        ).fit_transform(points)
    )


def open_tsne(threads: int) -> Callable[[FloatMatrix], FloatMatrix]:
    def run(points: FloatMatrix) -> FloatMatrix:
        import openTSNE

        return np.asarray(
            openTSNE.TSNE(
                n_components=2,
                perplexity=30.0,
                metric="cosine",
                initialization="pca",
                neighbors="auto",
                negative_gradient_method="fft",
                random_state=42,
                n_jobs=threads,
                verbose=False,
            ).fit(points)
        )

    return run


def ours(points: FloatMatrix) -> FloatMatrix:
    from embedding_space.analysis.tsne import tsne_coordinates

    return tsne_coordinates(
        points, n_components=2, perplexity=30.0, metric="cosine", random_state=42
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--with-ours", action="store_true", help="also time tsne_coordinates")
    args = parser.parse_args()
    from sklearn.manifold import trustworthiness

    candidates: dict[str, Callable[[FloatMatrix], FloatMatrix]] = {
        "scikit-learn Barnes-Hut": sklearn_tsne,
        "openTSNE FFT, n_jobs=1": open_tsne(1),
        "openTSNE FFT, n_jobs=2": open_tsne(2),
    }
    if args.with_ours:
        candidates["tsne_coordinates (the app's)"] = ours
    everything = vectors(max(args.rows))
    # Warm imports and openTSNE's first FFT plan outside the timings.
    for run in candidates.values():
        run(everything[:200])
    print("warm", flush=True)
    print(
        "| rows | method | median s | vs scikit-learn (same round) | trustworthiness k=10 |\n"
        "|---|---|---|---|---|"
    )
    rates: dict[str, list[float]] = {name: [] for name in candidates}
    for rows in args.rows:
        points = everything[:rows]
        seconds: dict[str, list[float]] = {name: [] for name in candidates}
        trust: dict[str, float] = {}
        for _ in range(args.repeats):
            for name, run in candidates.items():
                start = time.perf_counter()
                layout = run(points)
                seconds[name].append(time.perf_counter() - start)
                trust[name] = float(
                    trustworthiness(points, layout, n_neighbors=10, metric="cosine")
                )
                print(f"  {rows:,} rows, {name}: {seconds[name][-1]:.1f} s", flush=True)
        base = seconds["scikit-learn Barnes-Hut"]
        for name in candidates:
            ratios = [b / s for b, s in zip(base, seconds[name], strict=True)]
            median = statistics.median(seconds[name])
            rates[name].append(median / rows)
            print(
                f"| {rows:,} | {name} | {median:.1f} | {statistics.median(ratios):.2f}× "
                f"(min {min(ratios):.2f}, max {max(ratios):.2f}) | {trust[name]:.4f} |"
            )
    print()
    for name, per_row in rates.items():
        print(f"{name}: {', '.join(f'{rate * 1000:.2f} ms a row' for rate in per_row)}")


if __name__ == "__main__":
    main()
