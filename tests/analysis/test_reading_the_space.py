"""Outliers, near-duplicates, arithmetic, concept axes, dropped texts and map trust, on real
embeddings where it matters."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from embedding_space.analysis.agreement import knn_label_accuracy, map_trust, neighbor_overlap
from embedding_space.analysis.concepts import (
    axis_between,
    combine_terms,
    concept_map,
    parse_expression,
    parse_side,
)
from embedding_space.analysis.neighbors import knn_graph, top_k
from embedding_space.analysis.outliers import (
    near_duplicates,
    outlier_scores,
    rows_to_drop,
    top_outliers,
)
from embedding_space.analysis.placement import place_texts
from embedding_space.analysis.projection import ProjectionParams, project
from embedding_space.embed import Embedder, embed
from embedding_space.errors import InputError
from tests.helpers import TOPICS

TEXTS = [text for texts in TOPICS.values() for text in texts]
LABELS = [topic for topic, texts in TOPICS.items() for _ in texts]
COPY = TEXTS[3]
PARAPHRASE = "Jupiter is the biggest planet of the solar system."  # of TEXTS[20]
PLANTED = "Purple elephants compose sonnets about violins on Tuesdays."


@pytest.fixture(scope="module")
def planted(embedder: Embedder) -> tuple[list[str], np.ndarray]:
    texts = [*TEXTS, COPY, PARAPHRASE, PLANTED]
    return texts, embed(texts, embedder).vectors


def test_exact_and_paraphrase_duplicates_are_found_at_their_thresholds(
    planted: tuple[list[str], np.ndarray],
) -> None:
    _, vectors = planted
    graph = knn_graph(vectors)
    exact = near_duplicates(graph, threshold=1.0)
    assert [group.rows for group in exact] == [[3, 40]]
    loose = near_duplicates(graph, threshold=0.9)
    assert {tuple(group.rows) for group in loose} == {(3, 40), (20, 41)}
    assert rows_to_drop(loose) == [40, 41]
    paraphrase = next(group for group in loose if group.rows == [20, 41])
    assert 0.9 <= paraphrase.score < 1.0
    football, banking = 10, 30  # an unrelated pair never joins, even at a low threshold
    assert not any({football, banking} <= set(g.rows) for g in near_duplicates(graph, 0.5))


def test_a_planted_off_topic_sentence_is_among_the_top_outliers(
    planted: tuple[list[str], np.ndarray],
) -> None:
    _, vectors = planted
    graph = knn_graph(vectors)
    for method in ("knn", "lof"):
        scores = outlier_scores(graph, 10, method=method, vectors=vectors)
        top = top_outliers(scores, graph, 3)
        assert 42 in [outlier.row for outlier in top], method
    best = top_outliers(outlier_scores(graph, 10), graph, 1)[0]
    assert best.row == 42 and 0 <= best.similarity < 0.5


def test_king_minus_man_plus_woman_is_queen(embedder: Embedder) -> None:
    words = ["king", "queen", "man", "woman", "prince", "boy", "girl", "apple", "car", "table"]
    vectors = embed(words, embedder).vectors
    terms = parse_expression("king - man + woman")
    query = combine_terms(embed([t.text for t in terms], embedder).vectors, [t.sign for t in terms])
    own = {words.index(term.text) for term in terms}
    nearest = [n for n in top_k(vectors, query, 6) if n.row not in own]
    assert words[nearest[0].row] == "queen"


def test_expressions_read_signs_quotes_and_hyphens() -> None:
    assert [(t.text, t.sign) for t in parse_expression('"rock - paper" + e-mail - top-up')] == [
        ("rock - paper", 1),
        ("e-mail", 1),
        ("top-up", -1),
    ]
    assert parse_expression("- a + b")[0].sign == -1
    for bad in ["", "a + ", "a + - b", '"open']:
        with pytest.raises(InputError):
            parse_expression(bad)
    assert parse_side(" he, him ,his,, ") == ["he", "him", "his"]


def test_a_concept_axis_orders_boiling_above_freezing(embedder: Embedder) -> None:
    texts = ["freezing cold ice", "chilly morning", "lukewarm tea", "boiling water"]
    hot = embed(["hot", "heat"], embedder).vectors
    cold = embed(["cold", "chill"], embedder).vectors
    axis = axis_between(hot, cold, "hot – cold")
    positions = axis.positions(embed(texts, embedder).vectors)
    assert positions[3] > positions[2] > positions[0] and positions[3] > 0 > positions[0]
    coordinates = concept_map(embed(texts, embedder).vectors, axis)
    assert coordinates.shape == (4, 2) and (coordinates[:, 1] == 0).all()
    with pytest.raises(InputError, match="mean the same"):
        axis_between(hot, hot)


@pytest.mark.parametrize("method", ["pca", "umap", "tsne"])
def test_a_dropped_text_lands_beside_its_paraphrase(embedder: Embedder, method: str) -> None:
    vectors = embed(TEXTS, embedder).vectors
    params = ProjectionParams(method=method)  # type: ignore[arg-type]
    projection = project(vectors, params, knn=knn_graph(vectors))
    dropped = embed([PARAPHRASE], embedder).vectors
    placement = place_texts(vectors, projection, params, dropped, k=5)
    assert placement.neighbors[0, 0] == 20
    distances = np.linalg.norm(projection.coordinates - placement.points[0], axis=1)
    astronomy = [i for i, label in enumerate(LABELS) if label == "astronomy"]
    assert np.argsort(distances)[0] in astronomy
    assert distances[20] < np.median(distances)


def test_pca_drops_a_training_row_exactly_onto_itself(embedder: Embedder) -> None:
    vectors = embed(TEXTS, embedder).vectors
    params = ProjectionParams(method="pca")
    projection = project(vectors, params)
    placement = place_texts(vectors, projection, params, vectors[[7]])
    np.testing.assert_allclose(placement.points[0], projection.coordinates[7], atol=1e-4)


def test_a_pca_map_of_data_that_is_truly_flat_is_fully_trustworthy() -> None:
    rng = np.random.default_rng(0)
    flat = rng.normal(size=(200, 2)) @ rng.normal(size=(2, 12))
    vectors = (flat + 5.0).astype(np.float32)  # off the origin, so cosine neighbours are sane
    coordinates = project(vectors, ProjectionParams(method="pca")).coordinates
    euclidean = trustworthiness(vectors, coordinates, n_neighbors=5)
    assert euclidean == pytest.approx(1.0)


def test_trust_figures_match_scikit_learn_and_their_definitions(
    embedder: Embedder,
) -> None:
    vectors = embed(TEXTS, embedder).vectors
    graph = knn_graph(vectors)
    coordinates = project(vectors, ProjectionParams(method="pca")).coordinates
    trust = map_trust(vectors, coordinates, graph, k=5, labels=LABELS)
    expected = trustworthiness(vectors, coordinates, n_neighbors=5, metric="cosine")
    assert trust.trustworthiness == pytest.approx(expected, abs=1e-12)
    assert trust.recall.shape == (40,) and trust.knn_recall == pytest.approx(trust.recall.mean())
    assert 0.9 <= trust.knn_accuracy_full <= 1.0
    assert trust.silhouette_full > 0
    assert set(trust.summary()) == {
        "trustworthiness",
        "knn_recall",
        "knn_accuracy_full",
        "knn_accuracy_map",
        "silhouette_full",
        "silhouette_map",
    }
    same = neighbor_overlap(graph.neighbor_ids(5), graph.neighbor_ids(5))
    assert (same == 1).all()
    assert knn_label_accuracy(np.array([[1], [0], [0]]), ["a", "a", "b"]) == pytest.approx(2 / 3)


def test_trust_figures_survive_being_stored(embedder: Embedder) -> None:
    from embedding_space.analysis.agreement import MapTrust

    vectors = embed(TEXTS, embedder).vectors
    coordinates = project(vectors, ProjectionParams(method="pca")).coordinates
    trust = map_trust(vectors, coordinates, knn_graph(vectors), k=5)
    back = MapTrust.from_arrays(trust.to_arrays())
    assert back.summary() == trust.summary() and (back.recall == trust.recall).all()
