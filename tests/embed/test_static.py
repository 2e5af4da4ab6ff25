"""The fast preview model (``embed.static``): model2vec's vectors without model2vec or torch,
under a name and a cache key of its own, and the command line's ``--model preview``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.demo import DEMO_CSV
from embedding_space.embed.models import canonical_name, load_model, model_identity
from embedding_space.embed.sentence import read_identity
from embedding_space.embed.static import (
    PREVIEW_FOLDER,
    PREVIEW_MODEL,
    StaticEmbedder,
    load_preview,
    preview_measure,
)
from tests.helpers import ROOT, run_cli

ODD_TEXTS = [
    "x",
    "Ünïcödé, punctuation!? and   spaces",
    "a very long text " * 700,  # past the 512 tokens it reads: cut as model2vec cuts it
    "é " * 3000,  # past model2vec's cut by characters, before any token
]


@pytest.fixture(scope="module")
def preview() -> StaticEmbedder:
    return load_preview()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [*pd.read_csv(DEMO_CSV)["text"].astype(str).tolist()[:300], *ODD_TEXTS]


def test_vectors_equal_model2vecs_own(preview: StaticEmbedder, texts: list[str]) -> None:
    from model2vec import StaticModel

    reference = StaticModel.from_pretrained(str(PREVIEW_FOLDER))
    # model2vec averages in the table's own int8 and hands back float64 or float16 rows;
    # given the table in float32, as this reader holds it, its arithmetic is the reader's.
    reference.embedding = reference.embedding.astype(np.float32)
    expected = reference.encode(texts, normalize=True)
    np.testing.assert_allclose(preview.encode(texts), expected, atol=1e-6)


def test_vectors_are_float32_unit_rows_even_for_a_text_of_unknown_characters(
    preview: StaticEmbedder,
) -> None:
    # Emoji are all [UNK], which model2vec drops: it would return a zero vector, which no
    # cosine can compare, so the reader gives the mean token vector instead.
    vectors = preview.encode(["I lost my card", "😀😀😀", ""])
    assert vectors.dtype == np.float32 and vectors.shape == (3, preview.dimension)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert preview.encode([]).shape == (0, preview.dimension)


def test_paraphrase_is_nearer_than_unrelated_sentence(preview: StaticEmbedder) -> None:
    card, lost, weather = preview.encode(
        ["My card was stolen yesterday", "Someone took my card", "It rained all week in Oslo"]
    )
    assert float(card @ lost) > float(card @ weather) + 0.2


def test_it_counts_the_texts_cut_to_its_token_limit(preview: StaticEmbedder) -> None:
    assert preview.max_seq_length == 512
    assert preview.count_truncated(ODD_TEXTS) == 2


def test_its_name_and_cache_key_are_its_own(preview: StaticEmbedder) -> None:
    minilm = read_identity("all-MiniLM-L6-v2", "fp32")
    assert minilm is not None
    assert preview.cache_key.startswith("preview:all-MiniLM-L6-v2-distilled@")
    assert preview.cache_key != minilm.cache_key
    assert canonical_name(" preview ") == canonical_name(PREVIEW_MODEL) == PREVIEW_MODEL
    assert isinstance(load_model("preview"), StaticEmbedder)
    identity = model_identity(PREVIEW_MODEL)
    assert identity is not None and identity.cache_key == preview.cache_key


def test_a_rebuilt_model_gets_another_cache_key(tmp_path: Path, preview: StaticEmbedder) -> None:
    for part in ("config.json", "tokenizer.json"):
        (tmp_path / part).write_bytes((PREVIEW_FOLDER / part).read_bytes())
    table = (PREVIEW_FOLDER / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(table[:-1] + bytes([table[-1] ^ 1]))
    assert StaticEmbedder("rebuilt", tmp_path).cache_key != preview.cache_key


def test_it_ships_its_measured_agreement_licence_and_recipe() -> None:
    measured = preview_measure()
    assert measured is not None
    assert 0.3 < measured.agreement < 1 and measured.speedup > 10
    readme = (PREVIEW_FOLDER / "README.md").read_text(encoding="utf-8")
    assert "Apache-2.0" in readme and "MIT" in readme
    assert "python -m embedding_space.demo.preview_build" in readme
    assert f"{measured.agreement:.2f}" in readme


def test_embedding_with_it_never_imports_torch_or_model2vec(tmp_path: Path) -> None:
    script = (
        "import sys; from embedding_space.embed.models import load_model;"
        "v = load_model('preview').encode(['I lost my card']);"
        "print(v.shape, 'torch' in sys.modules, 'model2vec' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "EMBEDDING_SPACE_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert run.stdout.split() == ["(1,", "256)", "False", "False"]


def test_the_command_line_embeds_a_file_with_it_and_queries_it(tmp_path: Path) -> None:
    source, embedded = tmp_path / "texts.csv", tmp_path / "embedded.parquet"
    texts = ["I lost my card", "My card got stolen", "What is the exchange rate?"]
    pd.DataFrame({"text": texts}).to_csv(source, index=False)
    made = run_cli("embed", str(source), "-o", str(embedded), "--model", "preview")
    assert made.returncode == 0, made.stderr
    assert PREVIEW_MODEL in made.stderr
    stored = np.stack(list(pd.read_parquet(embedded)["embedding"]))
    np.testing.assert_allclose(stored, load_preview().encode(texts), atol=1e-6)
    found = run_cli("neighbors", str(embedded), "--query", "euro to dollar rate", "-k", "1")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["text"] == "What is the exchange rate?"
