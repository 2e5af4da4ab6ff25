"""A dataset grows by batches: old rows keep their ids and their places on every map, new rows
are embedded alone and placed beside what they resemble, and what is derived from the rows is
computed again for all of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.embed.models import load_model
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.errors import InputError
from embedding_space.store import BATCH_COLUMN, FIRST_BATCH, BatchAdded, refit_projection
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, CountingEmbedder, topics_frame

PARAPHRASES = {
    # new text -> the row of the old one it paraphrases (topics_frame's order)
    "Knead the dough for about ten minutes until it is smooth and stretchy.": 0,
    "The forward scored a brilliant goal in the final minute of the game.": 10,
    "Jupiter is the biggest planet of our solar system.": 20,
    "My bank card got declined at the ATM this morning.": 31,
}
MAPS = {method: ProjectionParams(method=method) for method in ("pca", "umap")}


@dataclass(frozen=True)
class Grown:
    workspace: Workspace
    dataset_id: str
    model_key: str
    before: dict[str, np.ndarray]
    added: BatchAdded


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Grown:
    """The forty topic texts with a PCA and a UMAP map, their clusters and outliers, and then
    a batch of four paraphrases (with a column of its own, without ``topic``) plus an exact
    copy of an old row."""
    workspace = Workspace(tmp_path_factory.mktemp("batches"))
    info = workspace.create_dataset(topics_frame(), "text", "four topics")
    workspace.embeddings(info.id, embedder)
    space = workspace.space(info.id, embedder.cache_key)
    before = {name: space.projection(params).coordinates.copy() for name, params in MAPS.items()}
    space.outliers()
    space.duplicates()
    space.selections.keep("football", list(range(10, 20)))
    more = pd.DataFrame({"text": [*PARAPHRASES, TOPICS["banking"][0]], "source": ["forum"] * 5})
    added = workspace.add_batch(info.id, more, name="paraphrases", models=lambda name: embedder)
    return Grown(workspace, info.id, embedder.cache_key, before, added)


@pytest.mark.parametrize("method", MAPS)
def test_old_points_keep_their_coordinates_exactly(grown: Grown, method: str) -> None:
    space = grown.workspace.space(grown.dataset_id, grown.model_key)
    after = space.projection(MAPS[method]).coordinates
    assert after.shape == (45, 2)
    np.testing.assert_array_equal(after[:40], grown.before[method])


@pytest.mark.parametrize("method", MAPS)
def test_each_new_row_lands_nearer_its_paraphrase_than_the_median_row(
    grown: Grown, method: str
) -> None:
    coordinates = grown.workspace.space(grown.dataset_id, grown.model_key).projection(MAPS[method])
    for offset, original in enumerate(PARAPHRASES.values()):
        distances = np.linalg.norm(
            coordinates.coordinates[:40] - coordinates.coordinates[40 + offset], axis=1
        )
        assert distances[original] < np.median(distances) / 2, (method, original)


def test_the_maps_say_how_the_new_rows_were_placed(grown: Grown) -> None:
    by_method = {g.growth.projection.method: g.growth for g in grown.added.maps}
    assert set(by_method) == {"pca", "umap"}
    assert "PCA axes" in by_method["pca"].how and "fuzzy membership" in by_method["umap"].how
    assert by_method["pca"].placed == 5 and not by_method["pca"].recompute_suggested
    assert by_method["pca"].projection.fitted == 40


def test_the_batch_column_and_the_batch_list(grown: Grown) -> None:
    table = grown.workspace.load_table(grown.dataset_id)
    assert table[BATCH_COLUMN].tolist() == [FIRST_BATCH] * 40 + ["paraphrases"] * 5
    batches = grown.workspace.batches(grown.dataset_id)
    assert [(b.name, b.rows) for b in batches] == [(FIRST_BATCH, 40), ("paraphrases", 5)]
    info = grown.workspace.get(grown.dataset_id)
    assert batches[0].date == info.created and batches[1].date >= info.created
    assert info.rows == 45 and info.columns == ["text", "topic", BATCH_COLUMN, "source"]
    assert grown.added.batch == batches[1] and grown.added.info == info


def test_columns_are_matched_by_name_missing_ones_empty(grown: Grown) -> None:
    table = grown.workspace.load_table(grown.dataset_id)
    assert table["topic"][:40].tolist() == topics_frame()["topic"].tolist()
    assert table["topic"][40:].isna().all() and table["source"][:40].isna().all()
    assert table["source"][40:].tolist() == ["forum"] * 5
    assert table["text"].tolist() == [*topics_frame()["text"], *PARAPHRASES, TOPICS["banking"][0]]


def test_derived_results_are_computed_again_for_every_row(grown: Grown) -> None:
    space = grown.workspace.space(grown.dataset_id, grown.model_key)
    assert space.graph().neighbor_ids(10).shape == (45, 10)
    assert space.outlier_scores().shape == (45,)
    # The exact copy of row 30 is found: the duplicates read a graph of the new rows too.
    assert any({30, 44} <= set(found.rows) for found in space.duplicates(0.99))
    assert space.vectors.shape == (45, 384)
    assert "kNN graphs" in grown.added.recomputed and "clusters" in grown.added.recomputed


def test_selections_keep_their_rows(grown: Grown) -> None:
    space = grown.workspace.space(grown.dataset_id, grown.model_key)
    assert space.selections.kept() == {"football": list(range(10, 20))}


def test_a_refit_laid_on_the_old_map_moves_old_rows_little(grown: Grown) -> None:
    space = grown.workspace.space(grown.dataset_id, grown.model_key)
    # Measured here: PCA 0.10 of the old map's spread, UMAP 0.47 (45 rows: UMAP of so few
    # wobbles; on 2,500 demo rows plus 580 it is 0.21, and 0.76 when refit from scratch).
    for method, tolerance in (("pca", 0.2), ("umap", 0.6)):
        old = space.projection(MAPS[method]).coordinates.copy()
        refit, fit = refit_projection(space, MAPS[method])
        moved = np.linalg.norm(refit.coordinates[:40] - old[:40], axis=1)
        spread = np.sqrt(np.mean(np.sum((old[:40] - old[:40].mean(axis=0)) ** 2, axis=1)))
        # The residual of the fit is the old rows' root-mean-square move, read against the
        # old map's spread.
        assert fit.residual == pytest.approx(np.sqrt(np.mean(moved**2)), rel=1e-4)
        assert fit.relative_residual == pytest.approx(fit.residual / spread, rel=1e-4)
        assert fit.relative_residual < tolerance, (method, fit.relative_residual)
        assert 0 <= fit.disparity < tolerance**2
        assert refit.fitted == 45 and "Recomputed" in refit.note
        stored = space.results.load(space.projection_name(MAPS[method]), type(refit))
        assert stored is not None
        np.testing.assert_array_equal(stored.coordinates, refit.coordinates)


def test_only_new_rows_are_embedded_and_the_cache_comes_first(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    workspace = Workspace(tmp_path)
    frame = topics_frame()
    info = workspace.create_dataset(frame[:30], "text", "thirty")
    workspace.embeddings(info.id, counting_embedder)
    assert counting_embedder.texts_encoded == 30
    workspace.add_batch(info.id, frame[30:35], models=lambda name: counting_embedder)
    assert counting_embedder.texts_encoded == 35
    other = workspace.create_dataset(frame[:30], "text", "thirty again")
    workspace.embeddings(other.id, counting_embedder)
    added = workspace.add_batch(other.id, frame[30:35], models=lambda name: counting_embedder)
    assert counting_embedder.texts_encoded == 35  # both from the cache
    assert added.batch.name == "batch 2"
    key = counting_embedder.cache_key
    np.testing.assert_array_equal(
        workspace.space(other.id, key).vectors, workspace.space(info.id, key).vectors
    )


def test_only_the_owner_adds_a_batch(tmp_path: Path, embedder: Embedder) -> None:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame()[:12], "text", "mine", owner="alice")
    more = topics_frame()[12:14]
    with pytest.raises(InputError, match="Only the owner"):
        workspace.add_batch(info.id, more, user="bob", models=lambda name: embedder)
    assert workspace.get(info.id).rows == 12
    assert workspace.add_batch(info.id, more, user="alice").info.rows == 14


def test_a_batch_without_the_text_column_is_refused_in_one_line(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame()[:12], "text", "mine")
    with pytest.raises(InputError) as refused:
        workspace.add_batch(info.id, pd.DataFrame({"body": ["hello there"]}))
    message = str(refused.value)
    assert "'text'" in message and "body" in message and "\n" not in message
    with pytest.raises(InputError, match="already"):
        workspace.add_batch(info.id, topics_frame()[12:13], name=FIRST_BATCH)
    assert workspace.get(info.id).rows == 12


def test_a_batch_for_uploaded_vectors_brings_its_own(tmp_path: Path, embedder: Embedder) -> None:
    workspace = Workspace(tmp_path)
    frame = topics_frame()
    vectors = embedder.encode(frame["text"].tolist())
    info = workspace.create_dataset(frame[:30], "text", "uploaded", vectors=vectors[:30])
    with pytest.raises(InputError, match="vectors of their own"):
        workspace.add_batch(info.id, frame[30:])
    workspace.add_batch(info.id, frame[30:], vectors=vectors[30:])
    space = workspace.space(info.id, workspace.embedded_models(info.id)[0])
    np.testing.assert_array_equal(space.vectors, vectors)


def test_a_traditional_model_embeds_the_new_rows_with_the_old_rows_fit(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    frame = topics_frame()
    info = workspace.create_dataset(frame[:30], "text", "tfidf")
    old = workspace.embeddings(info.id, load_model("tfidf"))
    key = workspace.embedded_models(info.id)[0]
    fit = workspace.space(info.id, key).fit
    assert isinstance(fit, TraditionalEmbedder)
    added = workspace.add_batch(info.id, frame[30:])
    assert added.models == [key]
    grown = workspace.space(info.id, key).vectors
    np.testing.assert_array_equal(grown[:30], old)
    np.testing.assert_allclose(grown[30:], fit.encode(frame["text"][30:].tolist()), atol=1e-6)
