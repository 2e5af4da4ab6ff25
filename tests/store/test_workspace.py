"""The workspace keeps datasets, embeddings and projections across restarts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.errors import InputError
from embedding_space.store.workspace import Workspace
from tests.helpers import CountingEmbedder


def _frame(count: int = 12) -> pd.DataFrame:
    topics = ["card payment declined", "weather forecast rain", "pizza with cheese"]
    return pd.DataFrame(
        {
            "text": [f"{topics[i % 3]} number {i}" for i in range(count)],
            "topic": [i % 3 for i in range(count)],
        }
    )


def test_dataset_reopens_after_restart_without_recomputing(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    first = Workspace(tmp_path)
    info = first.create_dataset(_frame(), "text", "topics", owner="alice")
    vectors = first.embeddings(info.id, counting_embedder)
    coords = first.space(info.id, counting_embedder.cache_key).projection(ProjectionParams())
    encoded = counting_embedder.texts_encoded
    assert encoded == 12

    reopened = Workspace(tmp_path)
    assert [d.id for d in reopened.list_datasets()] == [info.id]
    again = reopened.embeddings(info.id, counting_embedder)
    assert counting_embedder.texts_encoded == encoded
    np.testing.assert_array_equal(vectors, again)
    stored = reopened.space(info.id, counting_embedder.cache_key).projection(ProjectionParams())
    np.testing.assert_array_equal(coords.coordinates, stored.coordinates)
    pd.testing.assert_frame_equal(reopened.load_table(info.id), first.load_table(info.id))


def test_same_texts_in_a_new_dataset_come_from_the_cache(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    workspace = Workspace(tmp_path)
    a = workspace.create_dataset(_frame(), "text", "a")
    b = workspace.create_dataset(_frame(), "text", "b")
    workspace.embeddings(a.id, counting_embedder)
    workspace.embeddings(b.id, counting_embedder)
    assert counting_embedder.texts_encoded == 12


def test_ids_are_unguessable_and_never_paths(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    ids = {workspace.create_dataset(_frame(2), "text", "x").id for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) >= 16 for i in ids)
    with pytest.raises(InputError, match="not a valid dataset id"):
        workspace.get("../../etc")


def test_only_the_owner_renames_or_deletes(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(_frame(), "text", "mine", owner="alice")
    with pytest.raises(InputError, match="Only the owner"):
        workspace.delete(info.id, user="bob")
    with pytest.raises(InputError, match="Only the owner"):
        workspace.rename(info.id, "stolen", user="bob")
    assert workspace.rename(info.id, "renamed", user="alice").name == "renamed"
    workspace.delete(info.id, user="alice")
    assert workspace.list_datasets() == []


def test_each_viewer_sees_shared_datasets_and_their_own(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    workspace.create_dataset(_frame(), "text", "alice's", owner="alice")
    workspace.create_dataset(_frame(), "text", "bob's", owner="bob")
    ensure_demo(workspace)
    assert {d.name for d in workspace.list_datasets("alice")} == {
        "alice's",
        "Demo: BANKING77 customer queries",
    }
    assert len(workspace.list_datasets()) == 3


def test_demo_dataset_has_every_row_and_a_label(tmp_path: Path) -> None:
    info = ensure_demo(Workspace(tmp_path))
    assert info.id == DEMO_DATASET_ID
    assert info.rows == 3080
    assert "category" in info.columns
    assert ensure_demo(Workspace(tmp_path)).created == info.created


def test_creating_a_dataset_checks_its_input(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    with pytest.raises(InputError, match="no rows"):
        workspace.create_dataset(_frame().iloc[:0], "text", "empty")
    with pytest.raises(InputError, match="no column 'body'"):
        workspace.create_dataset(_frame(), "body", "wrong")
    with pytest.raises(InputError, match="must match"):
        workspace.create_dataset(_frame(), "text", "v", vectors=np.zeros((3, 4), np.float32))


def test_uploaded_vectors_are_stored_as_their_own_model(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    vectors = np.random.default_rng(0).normal(size=(12, 5)).astype(np.float32)
    info = workspace.create_dataset(_frame(), "text", "vectors", vectors=vectors)
    assert info.vectors_model is not None
    np.testing.assert_array_equal(workspace.space(info.id, info.vectors_model).vectors, vectors)


def test_columns_parquet_cannot_type_are_kept_as_text(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "text": ["a", "b", "c"],
            "id": [12, "B7", None],
            "tags": [["x", "y"], ["z"], []],
            "odd": [{"k": 1}, "s", 3],
        }
    )
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(frame, "text", "mixed")
    stored = workspace.load_table(info.id)
    assert stored["id"].tolist()[:2] == ["12", "B7"] and pd.isna(stored["id"].iloc[2])
    assert list(stored["tags"].iloc[0]) == ["x", "y"]
    assert stored["odd"].tolist() == ["{'k': 1}", "s", "3"]


def test_a_failed_write_leaves_no_half_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = Workspace(tmp_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("embedding_space.store.datasets.write_json", broken)
    with pytest.raises(OSError):
        workspace.create_dataset(_frame(), "text", "doomed")
    assert list(workspace.datasets_dir.iterdir()) == []
