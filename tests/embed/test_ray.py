"""The Ray engine: the same vectors as the local path, from a Ray started by the job."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.cli import main

pytest.importorskip("ray")
# Starting a local Ray takes about 30 s; Ray is a dev tool (requirements-dev.txt).
pytestmark = pytest.mark.slow


def _vectors(path: Path) -> np.ndarray:
    return np.stack(pd.read_parquet(path)["embedding"].to_list())


def test_embedding_on_a_local_ray_equals_the_local_path(tmp_path: Path) -> None:
    texts = [
        "How do I reset my card PIN?",
        "I forgot the PIN of my card, how can I change it?",
        "The transfer has not arrived yet.",
        "",
        "How do I reset my card PIN?",  # a repeat is embedded once and still gets its row
        "Is there a fee for topping up by bank transfer? " * 20,
    ] + [f"Question number {index} about exchange rates" for index in range(30)]
    source = tmp_path / "texts.csv"
    pd.DataFrame({"text": texts}).to_csv(source, index=False)
    local, distributed = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    assert main(["embed", str(source), "-o", str(local), "--no-cache"]) == 0
    assert main(["embed", str(source), "-o", str(distributed), "--engine", "ray"]) == 0
    on_ray, here = _vectors(distributed), _vectors(local)
    assert on_ray.shape == here.shape
    assert (on_ray * here).sum(axis=1).min() >= 0.999
    assert pd.read_parquet(distributed)["text"].tolist() == pd.read_parquet(local)["text"].tolist()
