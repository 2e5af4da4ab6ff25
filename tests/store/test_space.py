"""The handle on an embedding space: each result asks for the graph it needs, is computed
once, and reads the same from a workspace as from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embedding_space.analysis.outliers import outlier_scores
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.store.files import open_file
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from tests.helpers import CountingEmbedder, run_cli, topics_frame


@pytest.fixture
def space(tmp_path: Path, embedder: Embedder) -> Space:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame(), "text", "topics")
    workspace.embeddings(info.id, embedder)
    return workspace.space(info.id, embedder.cache_key)


def _stored(tmp_path: Path, folder: str) -> list[str]:
    return sorted(path.name for path in tmp_path.glob(f"datasets/*/{folder}/*"))


def test_graphs_are_kept_in_three_sizes_however_many_k_are_asked(
    space: Space, tmp_path: Path
) -> None:
    for k in (1, 5, 15, 16, 30, 50):
        assert space.graph(k).n_neighbors >= min(k, space.rows - 1)
    assert space.graph(5) is space.graph(15), "held once read"
    assert space.graph(16) is space.graph(50)
    assert [name.rsplit("-", 1)[1] for name in _stored(tmp_path, "knn")] == ["n15.npz", "n50.npz"]
    # The larger graph begins with the smaller one: the same neighbours, the same distances.
    np.testing.assert_allclose(
        space.graph(30).distances[:, :16], space.graph().distances, atol=1e-6
    )
    with pytest.raises(InputError, match="at most 100 neighbours"):
        space.graph(101)


def test_outlier_scores_at_k_read_k_neighbours_and_a_smaller_graph_is_refused(
    space: Space,
) -> None:
    at_30 = space.outlier_scores(30)
    expected = space.graph(30).distances[:, 1:31].mean(axis=1)
    np.testing.assert_allclose(at_30, expected, rtol=1e-6)
    assert not np.allclose(at_30, space.outlier_scores(15))
    with pytest.raises(ValueError, match="k=30 need a graph of k neighbours"):
        outlier_scores(space.graph(15), 30)
    # Numbers from numpy are numbers; a k past the setting's bounds is refused before any
    # graph is built for it.
    np.testing.assert_array_equal(space.outlier_scores(np.int64(30)), at_30)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="outlier_k must be between 1 and 50, not 5000"):
        space.outlier_scores(5000)


def test_results_are_computed_once_and_read_back_after_a_restart(
    space: Space, tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
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
    with pytest.raises(InputError, match="the model that made them has to be named"):
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
    space: Space, embedder: Embedder, tmp_path: Path
) -> None:
    assert space.query_model == embedder.name
    tfidf = Workspace(tmp_path)
    dataset_id = tfidf.list_datasets()[0].id
    tfidf.embeddings(dataset_id, load_model("tfidf"))
    fitted = tfidf.space(dataset_id, load_model("tfidf").cache_key)
    assert fitted.query_model == "tfidf" and fitted.fit is not None
    # Its own fit on these rows embeds the query: "Saturn" is a word only row 24 has.
    assert fitted.neighbors("the rings of saturn", 1)[0].row == 24


def test_a_visitors_handle_finds_vectors_the_owner_stores_after_it_was_made(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    workspace = Workspace(tmp_path)
    shared = workspace.create_dataset(topics_frame(), "text", "demo")
    early = workspace.space(shared.id, counting_embedder.cache_key, "user:bob")
    assert not early.has_vectors()
    workspace.embeddings(shared.id, counting_embedder)  # the operator prepares the demo
    assert early.has_vectors() and early.vectors.shape == (40, counting_embedder.dimension)
    assert workspace.embeddings(shared.id, counting_embedder, viewer="user:bob") is not None
    assert counting_embedder.texts_encoded == 40, "the visitor embeds nothing of their own"


def test_only_the_uploaded_vectors_are_typed_with_the_model_their_uploader_named(
    tmp_path: Path,
) -> None:
    workspace = Workspace(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(40, 384)).astype(np.float32)
    info = workspace.create_dataset(
        topics_frame(), "text", "mine", vectors=vectors, query_model="all-MiniLM-L6-v2"
    )
    assert workspace.space(info.id, info.vectors_model or "").query_model == "all-MiniLM-L6-v2"
    tfidf_key = load_model("tfidf").cache_key
    workspace.embeddings(info.id, load_model("tfidf"))
    assert workspace.space(info.id, tfidf_key).query_model == "tfidf"
