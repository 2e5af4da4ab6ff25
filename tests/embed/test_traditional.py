"""The traditional embedders: fitted on the corpus, interpretable, and the same fit for a
query embedded after a restart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedding_space.analysis.neighbors import top_k
from embedding_space.embed.models import fitted_on, load_model
from embedding_space.embed.traditional import (
    TraditionalEmbedder,
    lsa_dimension_for,
    parse_traditional,
)
from embedding_space.errors import InputError

CORPUS = [
    "The zeppelin drifted over the harbour at dawn.",
    "A zeppelin was seen above the harbour this morning.",
    "My card payment was declined at the shop.",
    "Why was my card declined when I paid?",
    "The quarterly report shows rising revenue.",
    "Revenue rose again in the quarterly figures.",
    "Cats sleep most of the afternoon.",
    "The weather will be rainy tomorrow.",
]


@pytest.mark.parametrize("kind", ["bow", "onehot", "tfidf", "lsa"])
def test_texts_sharing_rare_words_are_each_others_nearest(kind: str) -> None:
    embedder = fitted_on(load_model(kind), CORPUS)
    vectors = embedder.encode(CORPUS)
    assert vectors.dtype == np.float32 and vectors.shape[0] == len(CORPUS)
    for first, second in ((0, 1), (2, 3), (4, 5)):
        assert top_k(vectors, vectors[first], k=1, exclude=first)[0].row == second
        assert top_k(vectors, vectors[second], k=1, exclude=second)[0].row == first


def test_one_hot_counts_presence_and_bag_of_words_counts_repeats() -> None:
    text = ["zeppelin zeppelin harbour"]
    bow, onehot = (TraditionalEmbedder(kind).fit(text) for kind in ("bow", "onehot"))
    assert bow.top_terms(bow.encode(text)[0])[0][0] == "zeppelin"
    weights = dict(onehot.top_terms(onehot.encode(text)[0]))
    assert weights["zeppelin"] == pytest.approx(weights["harbour"])


def test_the_top_words_of_a_tf_idf_row_are_its_rare_words() -> None:
    embedder = TraditionalEmbedder("tfidf").fit(CORPUS)
    words = [word for word, _ in embedder.top_terms(embedder.encode(CORPUS[:1])[0], 2)]
    assert set(words) <= {"zeppelin", "drifted", "dawn", "harbour"}


def test_a_query_embedded_after_a_restart_equals_the_stored_fit(tmp_path: Path) -> None:
    fitted = TraditionalEmbedder("lsa", 3).fit(CORPUS)
    fitted.save(tmp_path / "fit.npz")
    reloaded = TraditionalEmbedder.load(tmp_path / "fit.npz")
    query = ["a zeppelin over the harbour"]
    np.testing.assert_array_equal(reloaded.encode(query), fitted.encode(query))
    assert reloaded.fingerprint == fitted.fingerprint
    assert reloaded.name == "lsa:3" and reloaded.dimension == 3
    assert reloaded.component_terms(0, 3)


def test_names_dimensions_and_mistakes() -> None:
    assert parse_traditional("LSA:200") == ("lsa", 200)
    assert parse_traditional("tfidf") == ("tfidf", None)
    assert parse_traditional("all-MiniLM-L6-v2") is None
    with pytest.raises(InputError, match="lsa:DIM"):
        parse_traditional("tfidf:10")
    assert lsa_dimension_for(500) == 100 and lsa_dimension_for(1_000_000) == 300
    with pytest.raises(InputError, match="fitted on texts first"):
        _ = TraditionalEmbedder("tfidf").dimension
    with pytest.raises(InputError, match="no words"):
        TraditionalEmbedder("bow").fit(["123", "4 5"])
    unknown = TraditionalEmbedder("tfidf").fit(CORPUS).encode(["qwxz"])
    assert not unknown.any(), "a text of unknown words is the zero vector"
