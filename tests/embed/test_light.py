"""The NumPy path of the bundled model (``embed.light``): the same vectors as the torch model,
for the typed texts the command line embeds without importing torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.embed.base import Embedder
from embedding_space.embed.light import LightEmbedder, load_light
from embedding_space.embed.models import load_query_model
from embedding_space.embed.sentence import (
    SentenceEmbedder,
    computed_in_bf16,
    load_embedder,
    resolve_model_source,
)
from embedding_space.store.files import open_file
from tests.helpers import ROOT, run_cli

TEXTS = [
    "I lost my card abroad",
    "How do I top up my account with a cheque?",
    "x",
    "Ünïcödé, punctuation!? and   spaces",
    "a very long text " * 120,  # past the 256 tokens the model reads: cut as torch cuts it
]


@pytest.fixture(scope="module")
def light() -> LightEmbedder:
    model = load_light(precision="fp32")
    assert model is not None
    return model


def test_light_vectors_match_the_torch_models_in_float32(light: LightEmbedder) -> None:
    torch_fp32 = load_embedder(precision="fp32")
    cosines = (light.encode(TEXTS) * torch_fp32.encode(TEXTS)).sum(axis=1)
    assert cosines.min() > 0.99999


def test_vectors_made_in_bfloat16_are_left_to_the_torch_model() -> None:
    # torch's bf16 autocast moves a cosine in the fourth decimal: a query against such vectors
    # must be embedded the same way, or the app and the command line would disagree.
    assert load_light(precision="bf16") is None
    bf16_query_model = load_query_model("all-MiniLM-L6-v2", "bf16")
    assert not isinstance(bf16_query_model, LightEmbedder)
    assert computed_in_bf16(bf16_query_model.cache_key)
    fp32 = load_light(precision="fp32")
    assert fp32 is not None
    assert fp32.cache_key == load_embedder(precision="fp32").cache_key


def test_light_says_what_the_torch_model_says_of_length_and_truncation(
    light: LightEmbedder, embedder: Embedder
) -> None:
    assert (light.dimension, light.max_seq_length) == (embedder.dimension, 256)
    assert light.count_truncated(TEXTS) == embedder.count_truncated(TEXTS) == 1
    assert light.encode([]).shape == (0, 384)


def test_a_model_with_other_pooling_is_left_to_the_real_loader(tmp_path: Path) -> None:
    folder = tmp_path / "cls-model"
    shutil.copytree(resolve_model_source("all-MiniLM-L6-v2"), folder)
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    assert load_light(str(folder)) is None
    assert isinstance(load_query_model(str(folder)), SentenceEmbedder)


def test_a_query_from_the_command_line_never_imports_torch(tmp_path: Path) -> None:
    source, embedded = tmp_path / "texts.csv", tmp_path / "embedded.parquet"
    pd.DataFrame({"text": ["I lost my card", "My card got lost", "What is the rate?"]}).to_csv(
        source, index=False
    )
    made = run_cli("embed", str(source), "-o", str(embedded), "--precision", "fp32")
    assert made.returncode == 0, made.stderr
    script = (
        "import sys; from embedding_space.cli.main import main;"
        f"main(['neighbors', {str(embedded)!r}, '--query', 'lost card', '-k', '1']);"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EMBEDDING_SPACE_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    nearest, imported = run.stdout.splitlines()
    query = load_embedder(precision="fp32").encode(["lost card"])[0]
    expected = open_file(embedded).neighbors(query, 1)[0].row
    assert json.loads(nearest)["row"] == expected
    assert imported == "False False"
