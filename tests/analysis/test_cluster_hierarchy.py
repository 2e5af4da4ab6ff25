"""Clusters at two levels on the demo's real vectors: fine clusters nested in coarse ones, and
a label's quality as the mean cosine between its embedding and its cluster's texts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from embedding_space.analysis.clustering import NOISE, Clustering, ClusterParams, cluster
from embedding_space.analysis.hierarchy import (
    WEAK_LABEL,
    ClusterHierarchy,
    LabelQuality,
    coarse_count,
    gather_clusters,
    label_quality,
)
from embedding_space.demo import ensure_demo
from embedding_space.embed.base import Embedder, embed
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.store.label_scores import NO_MODEL, TRADITIONAL
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix
from tests.helpers import CountingEmbedder, topics_frame

FINE = ClusterParams(n_clusters=30)
DENSE = ClusterParams(method="hdbscan", min_cluster_size=10)


class NotingEmbedder(CountingEmbedder):
    """The real model, noting each text it embeds."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        self.texts.extend(texts)
        return super().encode(texts)


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace holding the demo with its packaged vectors (no embedding needed)."""
    home = tmp_path_factory.mktemp("hierarchy-demo")
    ensure_demo(Workspace(home))
    return home


def _open(home: Path, models: Callable[[str], Embedder] = load_model) -> Space:
    """The demo's space in a new Workspace each time (as after a restart)."""
    workspace = Workspace(home)
    info = ensure_demo(workspace)
    (key,) = workspace.embedded_models(info.id)
    return workspace.space(info.id, key, models=models)


@pytest.fixture(scope="module")
def demo(demo_home: Path) -> tuple[FloatMatrix, list[str]]:
    space = _open(demo_home)
    return space.vectors, space.texts


@pytest.fixture(scope="module")
def fine(demo: tuple[FloatMatrix, list[str]]) -> Clustering:
    return cluster(demo[0], FINE, demo[1])


@pytest.fixture(scope="module")
def dense(demo: tuple[FloatMatrix, list[str]]) -> Clustering:
    return cluster(demo[0], DENSE, demo[1])


def _assert_nested(hierarchy: ClusterHierarchy) -> None:
    for fine_id in hierarchy.fine.clusters:
        coarse_ids = np.unique(hierarchy.coarse.labels[hierarchy.fine.labels == fine_id])
        if fine_id == NOISE:
            assert coarse_ids.tolist() == [NOISE]
        else:
            assert coarse_ids.tolist() == [hierarchy.parent[fine_id]]


def test_every_fine_cluster_lies_inside_one_coarse_cluster(
    demo: tuple[FloatMatrix, list[str]], fine: Clustering, dense: Clustering
) -> None:
    vectors, texts = demo
    for clustering in (fine, dense):
        hierarchy = gather_clusters(vectors, clustering, texts, 4)
        _assert_nested(hierarchy)
        # A coarse cluster is exactly the union of the fine clusters under it.
        for coarse_id in range(4):
            children = hierarchy.children(coarse_id)
            assert children
            union = np.isin(clustering.labels, children)
            assert (union == (hierarchy.coarse.labels == coarse_id)).all()


def test_the_coarse_count_is_as_asked_or_about_the_root_of_the_fine_count(
    demo: tuple[FloatMatrix, list[str]], fine: Clustering
) -> None:
    vectors, texts = demo
    for asked in (2, 7):
        hierarchy = gather_clusters(vectors, fine, texts, asked)
        assert sorted(hierarchy.coarse.sizes()) == list(range(asked)) and not hierarchy.note
    suggested = gather_clusters(vectors, fine, texts)
    assert len(suggested.coarse.sizes()) == round(math.sqrt(30)) == 5
    assert coarse_count(200) == 12 and coarse_count(3) == 2 and coarse_count(1) == 1
    # Largest first, so coarse cluster 0 is the biggest.
    sizes = suggested.coarse.sizes()
    assert [sizes[i] for i in range(5)] == sorted(sizes.values(), reverse=True)
    # Every coarse cluster is labelled by the words of its own rows.
    assert set(suggested.coarse.names) == set(range(5))


def test_more_coarse_clusters_than_fine_ones_keeps_each_fine_one_alone_and_says_so(
    demo: tuple[FloatMatrix, list[str]],
) -> None:
    vectors, texts = demo
    few = cluster(vectors, ClusterParams(n_clusters=3), texts)
    hierarchy = gather_clusters(vectors, few, texts, 8)
    assert hierarchy.note == "There are only 3 clusters, so 3 coarse clusters, not 8."
    assert len(set(hierarchy.parent.values())) == 3
    _assert_nested(hierarchy)
    with pytest.raises(InputError, match="n_coarse_clusters must be between 0 and 50"):
        gather_clusters(vectors, few, texts, 51)


def test_noise_rows_stay_noise_at_both_levels(
    demo: tuple[FloatMatrix, list[str]], dense: Clustering
) -> None:
    noise = dense.labels == NOISE
    assert 0 < noise.sum() < len(noise)  # HDBSCAN leaves part of the demo as noise
    hierarchy = gather_clusters(demo[0], dense, demo[1], 5)
    assert ((hierarchy.coarse.labels == NOISE) == noise).all()
    assert NOISE not in hierarchy.parent
    last = hierarchy.tree_rows()[-1]
    assert (last.coarse_id, last.fine_id, last.fine_size) == (NOISE, NOISE, int(noise.sum()))


def test_the_same_random_state_gives_the_same_hierarchy(
    demo: tuple[FloatMatrix, list[str]], fine: Clustering
) -> None:
    vectors, texts = demo
    again = cluster(vectors, FINE, texts)
    first, second = (gather_clusters(vectors, c, texts, 5) for c in (fine, again))
    assert (first.coarse.labels == second.coarse.labels).all()
    assert first.parent == second.parent and first.coarse.names == second.coarse.names


def test_a_clusters_own_label_lies_nearer_its_texts_than_another_clusters_label(
    demo: tuple[FloatMatrix, list[str]],
    fine: Clustering,
    embedder: Embedder,
) -> None:
    vectors, texts = demo
    for clustering in (fine, gather_clusters(vectors, fine, texts, 5).coarse):
        ids = sorted(clustering.names)
        label_vectors = embed([clustering.names[i] for i in ids], embedder).vectors
        own = label_quality(label_vectors, ids, vectors, clustering.labels)
        # Each cluster scored with the label of the cluster after it (a derangement).
        others = label_quality(
            label_vectors[np.roll(np.arange(len(ids)), 1)], ids, vectors, clustering.labels
        )
        assert set(own.scores) == set(ids)
        gains = [own.scores[i] - others.scores[i] for i in ids]
        assert np.mean(gains) > 0.2 and np.mean([g > 0 for g in gains]) > 0.9
        # A label of another cluster mostly reads as weak; the own labels mostly do not.
        assert len(others.weak()) > 0.7 * len(ids) > 0.7 * 10 * len(own.weak())


def test_the_tree_lists_each_fine_cluster_once_under_its_coarse_cluster_with_sizes(
    demo: tuple[FloatMatrix, list[str]], dense: Clustering
) -> None:
    hierarchy = gather_clusters(demo[0], dense, demo[1], 4)
    quality = LabelQuality({fine_id: 0.5 for fine_id in hierarchy.parent} | {0: 0.1})
    rows = hierarchy.tree_rows(quality, LabelQuality({1: 0.2}))
    assert sorted(row.fine_id for row in rows) == sorted(dense.sizes())
    for row in rows:
        assert row.fine_size == dense.sizes()[row.fine_id]
        assert row.coarse_size == hierarchy.coarse.sizes()[row.coarse_id]
        assert row.coarse_label == hierarchy.coarse.name_of(row.coarse_id)
        assert row.reading == (WEAK_LABEL if row.fine_id == 0 else "")
        assert row.coarse_reading == (WEAK_LABEL if row.coarse_id == 1 else "")
    fine_rows = [row for row in rows if row.fine_id != NOISE]
    for coarse_id in range(4):
        under = [row.fine_size for row in fine_rows if row.coarse_id == coarse_id]
        assert sum(under) == hierarchy.coarse.sizes()[coarse_id]
    # Coarse clusters come largest first, and the fine ones inside each largest first.
    order = [row.coarse_id for row in fine_rows]
    assert order == sorted(order)
    assert rows[-1].quality is None and rows[-1].fine_label == "noise"


def test_the_handle_keeps_the_hierarchy_and_label_scores_and_rescores_only_a_renamed_label(
    demo_home: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    noting = NotingEmbedder(embedder)
    embedded = noting.texts
    params = ClusterParams(n_clusters=12)
    space = _open(demo_home, lambda name: noting)
    hierarchy = space.cluster_hierarchy(params, 3)
    fine_quality = space.label_quality(params)
    coarse_quality = space.label_quality(params, n_coarse=3)
    assert sorted(embedded) == sorted(
        [*hierarchy.fine.names.values(), *hierarchy.coarse.names.values()]
    )
    assert set(coarse_quality.scores) == {0, 1, 2} and not fine_quality.unavailable

    def refuse(*args: object, **kwargs: object) -> ClusterHierarchy:
        raise AssertionError("the hierarchy was computed again")

    monkeypatch.setattr("embedding_space.store.labels.gather_clusters", refuse)
    embedded.clear()
    reopened = _open(demo_home, lambda name: noting)
    read = reopened.cluster_hierarchy(params, 3)
    assert (read.coarse.labels == hierarchy.coarse.labels).all()
    assert read.parent == hierarchy.parent and read.coarse.names == hierarchy.coarse.names
    assert reopened.label_quality(params).scores == fine_quality.scores and not embedded
    reopened.rename_cluster(params, 0, "lost or stolen card")
    renamed = reopened.cluster_hierarchy(params, 3)
    assert renamed.fine.name_of(0) == "lost or stolen card"
    rescored = reopened.label_quality(params)
    assert embedded == ["lost or stolen card"]
    assert rescored.scores.keys() == fine_quality.scores.keys()
    assert {i: s for i, s in rescored.scores.items() if i} == {
        i: s for i, s in fine_quality.scores.items() if i
    }


def test_label_quality_is_not_faked_without_a_model_of_meaning(
    tmp_path: Path, embedder: Embedder
) -> None:
    workspace = Workspace(tmp_path)
    words = workspace.create_dataset(topics_frame(), "text", "words")
    workspace.embeddings(words.id, load_model("tfidf"))
    tfidf = workspace.space(words.id, load_model("tfidf").cache_key)
    params = ClusterParams(n_clusters=4)
    assert tfidf.label_quality(params) == LabelQuality(unavailable=TRADITIONAL)
    vectors = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    uploaded = workspace.create_dataset(topics_frame(), "text", "vectors", vectors=vectors)
    (key,) = workspace.embedded_models(uploaded.id)
    unnamed = workspace.space(uploaded.id, key).label_quality(params)
    assert unnamed.unavailable == NO_MODEL and not unnamed.scores


@pytest.mark.parametrize("rows", [2, 3, 5])
def test_a_handful_of_rows_still_nests_and_all_noise_stays_all_noise(rows: int) -> None:
    vectors = np.random.default_rng(rows).normal(size=(rows, 8)).astype(np.float32)
    texts = [f"note number {i} about topic {i % 2}" for i in range(rows)]
    few = cluster(vectors, ClusterParams(n_clusters=rows), texts)
    hierarchy = gather_clusters(vectors, few, texts)
    _assert_nested(hierarchy)
    assert len(hierarchy.coarse.sizes()) == min(2, rows)
    noise = Clustering(np.full(rows, NOISE, dtype=np.int64))
    nothing = gather_clusters(vectors, noise, texts, 3)
    assert (nothing.coarse.labels == NOISE).all() and nothing.parent == {}
    assert nothing.note == "Every row is noise, so there are no clusters to gather."
