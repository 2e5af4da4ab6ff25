"""The handle on an embedding space: each result asks for the graph it needs, is computed
once, and reads the same from a workspace as from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS
from embedding_space.analysis.outliers import outlier_scores
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import SentenceEmbedder
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.store.files import open_file
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from tests.helpers import CountingEmbedder, run_cli, topics_frame


@pytest.fixture
def space(tmp_path: Path, embedder: SentenceEmbedder) -> Space:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame(), "text", "topics")
    workspace.embeddings(info.id, embedder)
    return workspace.space(info.id, embedder.cache_key)


def _stored(tmp_path: Path, folder: str) -> list[str]:
    return sorted(path.name for path in tmp_path.glob(f"datasets/*/{folder}/*"))


def test_each_k_gets_a_graph_of_its_own_size_and_smaller_ones_share_the_default(
    space: Space, tmp_path: Path
) -> None:
    assert space.graph(5).n_neighbors == GRAPH_NEIGHBORS
    assert space.graph(30).n_neighbors == 30
    assert [name.rsplit("-", 1)[1] for name in _stored(tmp_path, "knn")] == ["n15.npz", "n30.npz"]
    # A graph of 15 holds the first 15 neighbours of the graph of 30, the same distances.
    np.testing.assert_allclose(
        space.graph(30).distances[:, :16], space.graph().distances, atol=1e-6
    )


def test_outlier_scores_at_k_read_k_neighbours_and_a_smaller_graph_is_refused(
    space: Space,
) -> None:
    at_30 = space.outlier_scores(30)
    expected = space.graph(30).distances[:, 1:31].mean(axis=1)
    np.testing.assert_allclose(at_30, expected, rtol=1e-6)
    assert not np.allclose(at_30, space.outlier_scores(15))
    with pytest.raises(ValueError, match="k=30 need a graph of k neighbours"):
        outlier_scores(space.graph(15), 30)


def test_results_are_computed_once_and_read_back_after_a_restart(
    space: Space, tmp_path: Path, embedder: SentenceEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = ProjectionParams(method="pca")
    dataset_id = Workspace(tmp_path).list_datasets()[0].id
    other = Workspace(tmp_path).space(dataset_id, embedder.cache_key)
    first = space.comparison(other, 5, "topic")
    map_trust = space.map_trust(params, 5, "topic")
    monkeypatch.setattr("embedding_space.store.space.compare_embeddings", _never)
    monkeypatch.setattr("embedding_space.store.space.map_trust", _never)
    monkeypatch.setattr("embedding_space.store.space.project", _never)
    reopened = Workspace(tmp_path).space(dataset_id, embedder.cache_key)
    again = reopened.comparison(other, 5, "topic")
    assert again.summary() == first.summary() == {**first.summary(), "knn_agreement": 1.0}
    assert (again.neighbors_b == first.neighbors_b).all()
    assert reopened.map_trust(params, 5, "topic").summary() == map_trust.summary()


def _never(*args: object, **kwargs: object) -> object:
    raise AssertionError("computed again instead of read back")


def test_a_space_opened_from_a_file_answers_as_the_workspace_does(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    source = tmp_path / "topics.csv"
    topics_frame().to_csv(source, index=False)
    assert run_cli("embed", str(source), "-o", str(tmp_path / "topics.parquet")).returncode == 0
    from_file = open_file(tmp_path / "topics.parquet", models=lambda _: counting_embedder)
    workspace = Workspace(tmp_path / "home")
    info = workspace.create_dataset(topics_frame(), "text", "topics")
    workspace.embeddings(info.id, counting_embedder)
    from_workspace = workspace.space(info.id, counting_embedder.cache_key)
    np.testing.assert_allclose(from_file.vectors, from_workspace.vectors, atol=1e-6)
    params = ProjectionParams(method="umap")
    np.testing.assert_allclose(
        from_file.projection(params).coordinates,
        from_workspace.projection(params).coordinates,
        atol=1e-3,
    )
    query = "the goalkeeper saved a penalty"
    assert from_file.neighbors(query, 3) == from_workspace.neighbors(query, 3)
    assert from_file.neighbors(query, 3)[0].row == 11


def test_typed_text_against_vectors_of_no_known_model_says_what_to_do(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    info = workspace.create_dataset(topics_frame(), "text", "vectors", vectors=vectors)
    space = workspace.space(info.id, info.vectors_model or "")
    with pytest.raises(InputError, match=r"name it \(when uploading them, or with --model\)"):
        space.search("planets", "semantic")
    assert space.search("planet", "text") != [], "text search needs no model"
    assert space.top_words(0) == []


def test_a_search_of_another_column_reads_that_column(space: Space) -> None:
    found = space.search("astronomy", "text", column="topic")
    assert [match.row for match in found] == list(range(20, 30))
    with pytest.raises(InputError, match="no column 'genre'"):
        space.search("x", "text", column="genre")
    with pytest.raises(InputError, match="kind must be one of"):
        space.search("x", "fuzzy")


def test_typed_texts_are_embedded_with_the_model_that_made_the_vectors(
    space: Space, embedder: SentenceEmbedder, tmp_path: Path
) -> None:
    assert space.query_model == embedder.name
    tfidf = Workspace(tmp_path)
    dataset_id = tfidf.list_datasets()[0].id
    tfidf.embeddings(dataset_id, load_model("tfidf"))
    fitted = tfidf.space(dataset_id, load_model("tfidf").cache_key)
    assert fitted.query_model == "tfidf" and fitted.fit is not None
    # Its own fit on these rows embeds the query: "Saturn" is a word only row 24 has.
    assert fitted.neighbors("the rings of saturn", 1)[0].row == 24
