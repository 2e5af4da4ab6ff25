"""Clusters found on real embeddings, labelled with words a person can read."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.metrics import v_measure_score

from embedding_space.analysis.clustering import (
    NOISE,
    ClusterParams,
    cluster,
    cluster_keywords,
    suggest_n_clusters,
)
from embedding_space.analysis.search import rows_containing, rows_matching, semantic_search
from embedding_space.embed import Embedder, embed, embed_query
from embedding_space.errors import InputError
from tests.helpers import TOPICS

PLANTED = "Purple elephants compose sonnets about violins on Tuesdays."


@pytest.fixture(scope="module")
def topics(embedder: Embedder) -> tuple[list[str], list[str], np.ndarray]:
    texts = [text for texts in TOPICS.values() for text in texts]
    topics = [topic for topic, texts in TOPICS.items() for _ in texts]
    return texts, topics, embed(texts, embedder).vectors


def test_two_topics_fall_into_two_clusters_labelled_with_their_words(
    embedder: Embedder,
) -> None:
    texts = TOPICS["banking"] + TOPICS["astronomy"]
    result = cluster(embed(texts, embedder).vectors, ClusterParams(n_clusters=2), texts)
    first, second = result.labels[:10], result.labels[10:]
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0]
    banking, astronomy = result.name_of(int(first[0])), result.name_of(int(second[0]))
    assert {"account", "bank", "card"} & set(re.split(r", | ", banking)), banking
    assert {"star", "stars", "sun", "planet"} & set(re.split(r", | ", astronomy)), astronomy


def test_kmeans_finds_the_four_topics(topics: tuple[list[str], list[str], np.ndarray]) -> None:
    texts, truth, vectors = topics
    result = cluster(vectors, ClusterParams(n_clusters=4), texts)
    assert v_measure_score(truth, result.labels) > 0.9
    assert result.clusters[:4] == sorted(result.sizes(), key=lambda c: -result.sizes()[c])


def test_the_suggested_number_of_clusters_is_the_number_of_topics(
    topics: tuple[list[str], list[str], np.ndarray],
) -> None:
    best, scores = suggest_n_clusters(topics[2])
    assert best == 4 and scores[4] == max(scores.values())


def test_hdbscan_marks_a_planted_off_topic_sentence_as_noise(embedder: Embedder) -> None:
    texts = TOPICS["banking"] + TOPICS["astronomy"] + [PLANTED]
    result = cluster(
        embed(texts, embedder).vectors, ClusterParams(method="hdbscan", min_cluster_size=5), texts
    )
    assert result.labels[-1] == NOISE
    assert result.name_of(NOISE) == "noise"
    assert len({label for label in result.labels[:-1] if label != NOISE}) == 2


def test_same_seed_same_clusters_and_a_rename_is_kept_in_the_arrays(
    topics: tuple[list[str], list[str], np.ndarray],
) -> None:
    texts, _, vectors = topics
    one = cluster(vectors, ClusterParams(n_clusters=3, random_state=5), texts)
    two = cluster(vectors, ClusterParams(n_clusters=3, random_state=5), texts)
    np.testing.assert_array_equal(one.labels, two.labels)
    renamed = one.renamed(0, "  my   group ")
    back = type(one).from_arrays(renamed.to_arrays())
    assert back.name_of(0) == "my group" and back.names[1] == one.names[1]
    with pytest.raises(InputError, match="no cluster 9"):
        one.renamed(9, "x")


def test_words_common_to_every_cluster_do_not_label_any() -> None:
    texts = ["card lost abroad", "card stolen abroad", "card rates exchange", "card rates fee"]
    names = cluster_keywords(texts, np.array([0, 0, 1, 1]), n_words=2)
    assert "card" not in names[0].split(", ") and "card" not in names[1].split(", ")
    assert names[0].startswith("abroad") and names[1].startswith("rates")


def test_image_paths_are_labelled_by_the_folder_that_sets_them_apart() -> None:
    # An image dataset without captions is labelled by its file names: the folder every file
    # shares and the ".png" every name ends with label no cluster.
    paths = [f"shapes/{shape}/{n:04d}.png" for shape in ("circle", "square") for n in range(9)]
    names = cluster_keywords(paths, np.repeat(np.arange(2), 9))
    assert names == {0: "circle", 1: "square"}
    # Nor do endings a dataset mixes, and an underscore joins a file name's words.
    mixed = [f"photos/sunset_{n:04d}.{'jpg' if n % 2 else 'png'}" for n in range(6)]
    mixed += [f"photos/stripes_{n:04d}.jpg" for n in range(6)]
    assert cluster_keywords(mixed, np.repeat(np.arange(2), 6)) == {0: "sunset", 1: "stripes"}


def test_bad_cluster_parameters_are_refused_with_their_name() -> None:
    with pytest.raises(InputError, match="n_clusters must be between 2 and 100"):
        ClusterParams(n_clusters=1)
    with pytest.raises(InputError, match="min_cluster_size must be between 2 and 10000"):
        ClusterParams(method="hdbscan", min_cluster_size=1)
    with pytest.raises(InputError, match="method must be one of kmeans, hdbscan, not 'dbscan'"):
        ClusterParams(method="dbscan")  # type: ignore[arg-type]


def test_a_regex_matches_what_pythons_re_matches() -> None:
    values = ["Card declined", "my card", "CARD", "cardboard box", "no match", "c4rd"]
    for pattern in [r"\bcard\b", r"(?i)\bcard\b", r"^c\w+", r"c[0-9]rd", r"box$"]:
        expected = [row for row, value in enumerate(values) if re.search(pattern, value)]
        assert rows_matching(values, pattern) == expected, pattern
    assert rows_containing(values, "CARD") == [0, 1, 2, 3]


def test_a_bad_pattern_says_what_is_wrong_and_a_runaway_one_is_stopped() -> None:
    with pytest.raises(
        InputError,
        match=r"not a valid regular expression: missing \), unterminated subpattern at position 0",
    ):
        rows_matching(["a"], "(abc")
    with pytest.raises(InputError, match=r"took longer than 0\.5 seconds"):
        rows_matching(["x" * 5000], r"(x+x+)+y", seconds=0.5)


def test_semantic_search_ranks_a_paraphrase_first(
    embedder: Embedder, topics: tuple[list[str], list[str], np.ndarray]
) -> None:
    texts, _, vectors = topics
    query = embed_query("Which planet is the biggest one we have?", embedder)
    found = semantic_search(vectors, query, k=3)
    assert texts[found[0].row] == "Jupiter is the largest planet in our solar system."
    assert found[0].score > found[1].score >= found[2].score
