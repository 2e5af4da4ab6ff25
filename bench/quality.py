"""The quality gate of every embed path: Spearman on STS-B, cosine to float32 torch, top-10
neighbour agreement, and the speed of each, all against torch float32 measured in this run.

A path may become a default only if it keeps Spearman (x100, cosine of each pair against the
human score) within 0.5 points of torch float32 on the STS Benchmark dev split (1,500 pairs),
a mean cosine of at least 0.99 to torch float32's vectors, and a top-10 neighbour agreement
of at least 0.95 with them. STS-B is read in place from ``../shared/datasets/stsb-dev``
(evaluation data, never copied into the project).

Run alone: ``python -m bench.quality [--rows N] [--int8]`` (``--int8`` also measures a static
int8 OpenVINO model quantised with NNCF on the demo's texts: ``pip install nncf``).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.embedding import processor, texts_of
from embedding_space.embed.base import Embedder
from embedding_space.types import FloatMatrix

STSB = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "stsb-dev" / "sts-dev.csv"
"""Evaluation data beside the project (``../shared``), read in place, never copied."""
SPEARMAN_POINTS = 0.5
MIN_COSINE = 0.99
MIN_AGREEMENT = 0.95


@dataclass(frozen=True)
class Pairs:
    """STS-B pairs: the sentences of each side and the human score (0-5)."""

    first: list[str]
    second: list[str]
    scores: np.ndarray


def read_stsb(path: Path = STSB) -> Pairs:
    """The STS-B dev pairs, tab-separated: genre, file, year, id, score, sentence 1, 2."""
    first, second, scores = [], [], []
    with path.open(encoding="utf-8") as file:
        for line in csv.reader(file, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(line) >= 7:
                scores.append(float(line[4]))
                first.append(line[5])
                second.append(line[6])
    return Pairs(first, second, np.asarray(scores))


def spearman(pairs: Pairs, encode: Callable[[Sequence[str]], FloatMatrix]) -> float:
    """Spearman x100 of each pair's cosine against its human score."""
    return pair_spearman(encode(pairs.first), encode(pairs.second), pairs.scores)


def pair_spearman(left: FloatMatrix, right: FloatMatrix, scores: np.ndarray) -> float:
    """Spearman x100 of the cosine of each row of ``left`` with its row of ``right`` (unit
    vectors) against ``scores``."""
    from scipy.stats import spearmanr

    return float(100 * spearmanr((left * right).sum(axis=1), scores).statistic)


def neighbours(vectors: FloatMatrix, k: int = 10) -> np.ndarray:
    """Each row's ``k`` nearest rows by cosine (unit vectors), itself left out, unordered."""
    similarity = vectors @ vectors.T
    np.fill_diagonal(similarity, -np.inf)
    return np.argpartition(-similarity, k, axis=1)[:, :k]


def shared_share(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Mean share of each row's neighbour list that both lists hold."""
    k = ours.shape[1]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(ours, theirs, strict=True)]))


def agreement(reference: FloatMatrix, other: FloatMatrix, k: int = 10) -> float:
    """Top-``k`` neighbour agreement of two spaces of the same rows (see :func:`shared_share`)."""
    return shared_share(neighbours(reference, k), neighbours(other, k))


def batched(embedder: Embedder) -> Callable[[Sequence[str]], FloatMatrix]:
    """Embed as the embed loop does (sorted by length, batches of 64), with no cache."""
    from embedding_space.embed.base import embed

    return lambda texts: embed(texts, embedder).vectors


def paths(int8: bool) -> dict[str, Callable[[], Embedder]]:
    """Every way this installation can embed with the default model, by name."""
    from embedding_space.embed.light import load_light
    from embedding_space.embed.sentence import load_embedder, native_bf16

    found: dict[str, Callable[[], Embedder]] = {
        "torch fp32 (reference)": lambda: load_embedder(precision="fp32", backend="torch"),
        "openvino fp32": lambda: load_embedder(precision="fp32", backend="openvino"),
    }
    if native_bf16():  # elsewhere bfloat16 is emulated: slower, never chosen
        found["torch bf16"] = lambda: load_embedder(precision="bf16", backend="torch")
        found["openvino bf16"] = lambda: load_embedder(precision="bf16", backend="openvino")
    found["numpy fp32 (typed queries)"] = lambda: _required(load_light(precision="fp32"))
    if int8:
        found["openvino int8 (NNCF static, not offered)"] = _int8
    return found


def _required(embedder: Embedder | None) -> Embedder:
    assert embedder is not None, "the bundled model runs in NumPy"
    return embedder


def _int8() -> Embedder:
    """The OpenVINO graph quantised to int8 (NNCF, 300 demo texts for calibration)."""
    import nncf
    import pandas as pd

    from embedding_space.demo import DEMO_CSV
    from embedding_space.embed.openvino import OpenVinoEmbedder, sentence_graph
    from embedding_space.embed.sentence import load_embedder

    fp32 = load_embedder(precision="fp32", backend="openvino")
    assert isinstance(fp32, OpenVinoEmbedder)
    texts = pd.read_csv(DEMO_CSV)["text"].astype(str).sample(300, random_state=0).tolist()
    calibration = [fp32.inputs(texts[start : start + 8]) for start in range(0, 300, 8)]
    quantised = nncf.quantize(
        sentence_graph(fp32.folder),
        nncf.Dataset(calibration),
        model_type=nncf.ModelType.TRANSFORMER,
        subset_size=len(calibration),
    )
    return OpenVinoEmbedder("int8", fp32.folder, "int8", graph=quantised)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000, help="news-length texts for kNN")
    parser.add_argument("--int8", action="store_true", help="also a static int8 model (NNCF)")
    parser.add_argument(
        "--only", default="", help="the paths whose name holds this, after the reference"
    )
    args = parser.parse_args()
    pairs = read_stsb()
    news = texts_of("news", args.rows)
    print(processor())
    print(f"STS-B dev: {len(pairs.scores):,} pairs; kNN and speed on {len(news):,} news texts")
    print(
        f"{'path':<42} {'Spearman':>9} {'vs ref':>7} {'cosine':>8} {'top-10':>7} "
        f"{'texts/s':>8} {'speed':>6}  gate"
    )
    reference: FloatMatrix | None = None
    reference_spearman = reference_speed = 0.0
    for number, (name, load) in enumerate(paths(args.int8).items()):
        if number and args.only not in name:
            continue
        embedder = load()
        encode = batched(embedder)
        encode(news[:64])  # warm-up: first-call compilation is not throughput
        started = time.perf_counter()
        vectors = encode(news)
        speed = len(news) / (time.perf_counter() - started)
        score = spearman(pairs, encode)
        if reference is None:
            reference, reference_spearman, reference_speed = vectors, score, speed
        cosine = float((vectors * reference).sum(axis=1).mean())
        shared = agreement(reference, vectors)
        passes = (
            abs(score - reference_spearman) <= SPEARMAN_POINTS
            and cosine >= MIN_COSINE
            and shared >= MIN_AGREEMENT
        )
        print(
            f"{name:<42} {score:9.2f} {score - reference_spearman:+7.2f} {cosine:8.5f} "
            f"{shared:7.3f} {speed:8.1f} {speed / reference_speed:5.2f}x  "
            f"{'pass' if passes else 'FAIL'}"
        )


if __name__ == "__main__":
    main()
