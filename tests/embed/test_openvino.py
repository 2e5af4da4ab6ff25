"""The OpenVINO path, the default on a CPU: torch's vectors in float32, its own key, no torch
import, and a model that is loaded only when a text needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embedding_space.embed import embed
from embedding_space.embed.cache import EmbeddingCache
from embedding_space.embed.models import DeferredEmbedder, load_model, model_identity
from embedding_space.embed.openvino import OpenVinoEmbedder
from embedding_space.embed.sentence import (
    SentenceEmbedder,
    computed_in_bf16,
    load_embedder,
    precision_free_key,
)
from embedding_space.errors import ModelLoadError
from tests.helpers import ROOT

TEXTS = [
    "I lost my card abroad",
    "How do I top up my account with a cheque?",
    "x",
    "Ünïcödé, punctuation!? and   spaces",
    "a very long text " * 120,  # past the 256 tokens the model reads
    "My card payment was declined at the shop",
]


@pytest.fixture(scope="module")
def torch_fp32() -> SentenceEmbedder:
    model = load_embedder(precision="fp32", backend="torch")
    assert isinstance(model, SentenceEmbedder)
    return model


@pytest.fixture(scope="module")
def openvino_fp32() -> OpenVinoEmbedder:
    model = load_embedder(precision="fp32", backend="openvino")
    assert isinstance(model, OpenVinoEmbedder)
    return model


def test_openvino_gives_torchs_float32_vectors_in_one_padded_batch(
    torch_fp32: SentenceEmbedder, openvino_fp32: OpenVinoEmbedder
) -> None:
    # One batch of texts from 1 to 256 tokens: padding must not leak into any vector.
    ours, theirs = openvino_fp32.encode(TEXTS), torch_fp32.encode(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 384)
    assert (ours * theirs).sum(axis=1).min() > 0.99999
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # The same text alone or among longer ones: the same vector.
    alone = openvino_fp32.encode(TEXTS[:1])[0]
    assert float(alone @ ours[0]) > 0.99999


def test_a_paraphrase_lands_nearer_than_an_unrelated_sentence(
    openvino_fp32: OpenVinoEmbedder,
) -> None:
    card, paraphrase, unrelated = openvino_fp32.encode(
        ["My card was declined", "The shop refused my card payment", "The cat sleeps all day"]
    )
    assert float(card @ paraphrase) > float(card @ unrelated) + 0.2


def test_every_stream_gets_work_and_the_order_is_kept(openvino_fp32: OpenVinoEmbedder) -> None:
    # More texts than streams, fewer than streams, one: each row is its own text's vector.
    for count in (len(TEXTS), 1):
        texts = TEXTS[:count]
        one_by_one = np.stack([openvino_fp32.encode([text])[0] for text in texts])
        assert (openvino_fp32.encode(texts) * one_by_one).sum(axis=1).min() > 0.99999
    assert openvino_fp32.encode([]).shape == (0, 384)


def test_the_key_names_the_backend_and_the_precision(
    torch_fp32: SentenceEmbedder, openvino_fp32: OpenVinoEmbedder
) -> None:
    bf16 = load_embedder(precision="bf16", backend="openvino")
    keys = {torch_fp32.cache_key, openvino_fp32.cache_key, bf16.cache_key}
    assert len(keys) == 3  # the cache never mixes them
    assert openvino_fp32.cache_key.endswith("|normalized|openvino")
    assert bf16.cache_key.endswith("|normalized|bf16|openvino")
    assert [computed_in_bf16(key) for key in sorted(keys)] == [False, True, False]
    # One space: compared and drifted against each other freely.
    assert len({precision_free_key(key) for key in keys}) == 1
    # What the files say without loading is what the loaded model says.
    for precision, backend, loaded in (
        ("fp32", "torch", torch_fp32),
        ("fp32", "openvino", openvino_fp32),
        ("bf16", "openvino", bf16),
    ):
        identity = model_identity("all-MiniLM-L6-v2", precision, backend)
        assert identity is not None and identity.cache_key == loaded.cache_key


def test_bfloat16_stays_within_the_quality_gate_of_float32(
    openvino_fp32: OpenVinoEmbedder,
) -> None:
    bf16 = load_embedder(precision="bf16", backend="openvino")
    assert (bf16.encode(TEXTS) * openvino_fp32.encode(TEXTS)).sum(axis=1).min() > 0.999


def test_truncation_is_counted_as_torch_counts_it(
    torch_fp32: SentenceEmbedder, openvino_fp32: OpenVinoEmbedder
) -> None:
    deferred = load_model("all-MiniLM-L6-v2", "fp32")
    counts = [model.count_truncated(TEXTS) for model in (torch_fp32, openvino_fp32, deferred)]
    assert counts == [1, 1, 1]


def test_a_model_openvino_cannot_run_gets_a_clear_message_at_once(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"OpenVINO cannot run '.*': it runs BERT"):
        load_embedder(str(tmp_path), backend="openvino")
    with pytest.raises(ModelLoadError, match="backend must be one of auto, openvino, torch"):
        load_embedder(backend="onnx")


def test_a_run_whose_texts_are_all_cached_never_loads_the_model(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    first = load_model("all-MiniLM-L6-v2")
    assert isinstance(first, DeferredEmbedder) and not first.loaded
    made = embed(TEXTS, first, cache=cache)
    assert first.loaded and made.from_cache == 0
    again = load_model("all-MiniLM-L6-v2")
    assert isinstance(again, DeferredEmbedder)
    cached = embed(TEXTS, again, cache=cache)
    assert not again.loaded
    assert cached.from_cache == len(TEXTS) and cached.truncated == made.truncated == 1
    assert np.array_equal(cached.vectors, made.vectors)


def test_the_cli_embeds_without_torch_and_again_without_the_model(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(TEXTS[:4]) + "\n")
    probe = (
        "import sys, runpy; sys.argv = ['embedding_space', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('embedding_space', run_name='__main__')\n"
        "finally:\n    print('loaded:', sorted(m for m in ('torch', 'sentence_transformers',"
        " 'openvino') if m in sys.modules), file=sys.stderr)\n"
    )
    command = [sys.executable, "-c", probe, "embed", str(source), "-o", str(tmp_path / "o.parquet")]
    env = {**os.environ, "EMBEDDING_SPACE_HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}
    first, second = (
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        for _ in range(2)
    )
    assert "loaded: ['openvino']" in first.stderr
    assert "(0 from the cache)" in first.stderr
    assert "loaded: []" in second.stderr
    assert "(4 from the cache)" in second.stderr


def test_openvino_runs_without_torch_installed_in_the_process() -> None:
    # The module builds its graph from the weights: nothing of torch is needed.
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from embedding_space.embed.sentence import load_embedder\n"
        "print(load_embedder(precision='fp32').encode(['hello']).shape)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "(1, 384)"


def test_sessions_sharing_one_model_each_get_their_own_vectors(
    openvino_fp32: OpenVinoEmbedder,
) -> None:
    # The app hands one loaded model to every session: batches from two threads at once.
    from concurrent.futures import ThreadPoolExecutor

    batches = [TEXTS, list(reversed(TEXTS)), TEXTS[:2], TEXTS[3:]] * 3
    expected = [openvino_fp32.encode(batch) for batch in batches]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(openvino_fp32.encode, batches))
    for mine, alone in zip(got, expected, strict=True):
        assert (mine * alone).sum(axis=1).min() > 0.99999


def test_a_model_that_is_nowhere_is_refused_before_torch_is_imported() -> None:
    code = (
        "import sys\n"
        "from embedding_space.embed.models import load_model\n"
        "from embedding_space.errors import ModelLoadError\n"
        "try:\n    load_model('no-such-org/no-such-model')\n"
        "except ModelLoadError as error:\n    print(error)\n"
        "print('torch' in sys.modules)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    said, torch_imported = done.stdout.strip().splitlines()
    assert "'no-such-org/no-such-model': it is not on this machine" in said
    assert torch_imported == "False"
