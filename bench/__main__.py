"""Run every benchmark: ``python -m bench [--rows N] [--embed-rows N] [--upload-rows N]``.

The parts run alone too: ``python -m bench.embedding``, ``python -m bench.scale``,
``python -m bench.first_map``, ``python -m bench.read_budget``, ``python -m bench.quality``,
``python -m bench.preview_model``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from embedding_space.analysis.neighbors import knn_graph
from embedding_space.analysis.projection import ProjectionParams, project
from embedding_space.demo import DEMO_CSV
from embedding_space.embed import EmbeddingCache, embed, load_embedder
from embedding_space.figures import hover_label, scatter_figure


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def report(name: str, baseline_name: str, baseline: float, candidate: float) -> None:
    print(
        f"{name:<44} {candidate:8.2f} s   {baseline_name}: {baseline:8.2f} s   "
        f"ratio {baseline / candidate:6.1f}x"
    )


_PEAK_MEMORY_SCRIPT = """
import resource, sys
from embedding_space.embed import embed, load_embedder
from embedding_space.io.tables import read_table
model = load_embedder()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
embed(read_table(sys.argv[1]).texts, model)
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory_of_upload(path: Path) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process before and after reading and embedding ``path``."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", _PEAK_MEMORY_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "HF_HUB_OFFLINE": "1"},
    )
    before, after = map(int, result.stdout.split())
    return before / 1024, after / 1024


def report_upload_memory() -> None:
    """One 30 MB text against a file of one short text: what reading and embedding cost."""
    with tempfile.TemporaryDirectory() as folder:
        small, huge = Path(folder) / "small.csv", Path(folder) / "huge.csv"
        small.write_text("text\nhello there\n")
        huge.write_text("text\n" + "word " * 6_000_000 + "\n")
        base_before, base_after = peak_memory_of_upload(small)
        huge_before, huge_after = peak_memory_of_upload(huge)
    print(
        f"{'peak RSS, one 30 MB text read and embedded':<44} {huge_after - huge_before:8.0f} MB "
        f"  one short text: {base_after - base_before:8.0f} MB   (process with the model: "
        f"{huge_before:.0f} MB, peak {huge_after:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=3080, help="demo rows to use (max 3080)")
    parser.add_argument("--embed-rows", type=int, default=2000, help="texts per throughput run")
    parser.add_argument("--upload-rows", type=int, default=10_000, help="texts uploaded to a map")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    texts = pd.read_csv(DEMO_CSV)["text"].astype(str).tolist()[: args.rows]
    embedder = load_embedder()
    print(f"{len(texts)} BANKING77 texts, model {embedder.name}, {os.cpu_count()} CPU cores\n")

    with tempfile.TemporaryDirectory() as folder:
        cache = EmbeddingCache(folder)
        cold = timed(lambda: embed(texts, embedder, cache=cache))
        warm = timed(lambda: embed(texts, embedder, cache=cache))
        report("embed, every text from the disk cache", "model", cold, warm)
    vectors = embed(texts, embedder).vectors

    import umap

    def plain_umap() -> None:
        umap.UMAP(n_neighbors=15, min_dist=0.1, metric="cosine", random_state=42).fit_transform(
            vectors
        )

    # The first fit of each code path in a process compiles numba code: warm both up.
    plain_umap()
    project(vectors, ProjectionParams(), knn=knn_graph(vectors, n_neighbors=14))
    graph_time = timed(lambda: knn_graph(vectors, n_neighbors=14))
    graph = knn_graph(vectors, n_neighbors=14)
    plain = timed(plain_umap)
    shared = timed(lambda: project(vectors, ProjectionParams(), knn=graph))
    report("UMAP 2-D reusing the stored kNN graph", "umap-learn alone", plain, shared)
    report("UMAP 2-D computing the kNN graph too", "umap-learn alone", plain, shared + graph_time)

    from sklearn.neighbors import NearestNeighbors

    def sklearn_graph() -> None:
        NearestNeighbors(n_neighbors=15, metric="cosine", algorithm="brute").fit(
            vectors
        ).kneighbors(vectors)

    report(
        "exact cosine kNN graph (14 neighbours + self)",
        "scikit-learn brute",
        timed(sklearn_graph),
        graph_time,
    )
    pca = timed(lambda: project(vectors, ProjectionParams(method="pca")))
    report("PCA 2-D", "UMAP 2-D", shared, pca)
    points = 100_000
    rng = np.random.default_rng(0)
    coordinates = rng.normal(size=(points, 2)).astype(np.float32)
    many_texts = [texts[i % len(texts)] for i in range(points)]
    colour = pd.Series(rng.integers(0, 77, points).astype(str))
    labels = [hover_label(text) for text in many_texts]
    rebuilt = timed(lambda: scatter_figure(coordinates, many_texts, color=colour))
    kept = timed(lambda: scatter_figure(coordinates, many_texts, color=colour, hover=labels))
    report("map figure, 100k points, hover labels kept", "labels rebuilt", rebuilt, kept)
    report_upload_memory()
    from embedding_space.analysis.ann import approximate_knn_graph, recall

    approximate_knn_graph(vectors[:500], n_neighbors=14)  # compile pynndescent first
    ann_time = timed(lambda: approximate_knn_graph(vectors, n_neighbors=14))
    found = recall(
        approximate_knn_graph(vectors, n_neighbors=14).neighbor_ids(14), graph.neighbor_ids(14)
    )
    report("approximate kNN graph (pynndescent)", "exact graph", graph_time, ann_time)
    print(f"{'  recall@14 of the approximate graph':<44} {found:8.4f}")
    from bench.embedding import KINDS, compare

    for kind in KINDS:
        compare(kind, args.embed_rows)
    print(
        f"\nThe map of {len(texts)} points: PCA {pca:.2f} s, UMAP {shared:.2f} s (graph "
        f"{graph_time:.2f} s); peak arrays {vectors.nbytes / 1e6:.1f} MB of vectors.\n"
    )
    from bench import scale

    scale.upload_to_map(args.upload_rows)
    scale.first_map()
    scale.browser_cost([10_000, 100_000, 1_000_000])
    scale.server_memory()
    from bench import first_map
    from tests.browser.support import free_port

    first_map.first_map(free_port())
    from bench import read_budget

    print()
    read_budget.run()


if __name__ == "__main__":
    main()
