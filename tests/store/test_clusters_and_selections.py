"""Clusters and kept selections live with the dataset: computed once, kept across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedding_space.analysis import clustering as clustering_module
from embedding_space.analysis.clustering import ClusterParams
from embedding_space.embed import SentenceEmbedder
from embedding_space.errors import InputError
from embedding_space.rows import combine_rows
from embedding_space.store.workspace import MAX_SELECTIONS, Workspace
from tests.helpers import topics_frame


@pytest.fixture
def store(tmp_path: Path, embedder: SentenceEmbedder) -> tuple[Workspace, str, str]:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame(), "text", "topics")
    workspace.embeddings(info.id, embedder)
    return workspace, info.id, embedder.cache_key


def test_clusters_are_computed_once_and_a_new_name_survives_a_restart(
    store: tuple[Workspace, str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    workspace, dataset_id, key = store
    vectors = workspace.stored_embeddings(dataset_id, key)
    assert vectors is not None
    calls: list[int] = []
    original = clustering_module.cluster

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("embedding_space.store.workspace.cluster", counting)
    params = ClusterParams(n_clusters=4)
    first = workspace.clustering(dataset_id, key, vectors, params)
    again = workspace.clustering(dataset_id, key, vectors, params)
    assert len(calls) == 1 and (first.labels == again.labels).all()
    workspace.rename_cluster(dataset_id, key, params, 0, "Sport talk")
    reopened = Workspace(tmp_path).clustering(dataset_id, key, vectors, params)
    assert reopened.name_of(0) == "Sport talk" and len(calls) == 1
    other = Workspace(tmp_path).clustering(dataset_id, key, vectors, ClusterParams(n_clusters=3))
    assert len(calls) == 2 and len(other.sizes()) == 3


def test_a_kept_selection_survives_a_restart_and_stays_compact(
    store: tuple[Workspace, str, str], tmp_path: Path
) -> None:
    workspace, dataset_id, _ = store
    workspace.save_selection(dataset_id, "  first   ten ", list(range(10)))
    workspace.save_selection(dataset_id, "evens", list(range(0, 40, 2)))
    reopened = Workspace(tmp_path).selections(dataset_id)
    assert reopened == {"first ten": list(range(10)), "evens": list(range(0, 40, 2))}
    assert combine_rows(reopened["first ten"], reopened["evens"], "difference") == [1, 3, 5, 7, 9]
    workspace.delete_selection(dataset_id, "evens")
    assert list(workspace.selections(dataset_id)) == ["first ten"]


def test_a_selection_of_100k_rows_is_stored_as_ranges(tmp_path: Path) -> None:
    import pandas as pd

    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(
        pd.DataFrame({"text": [f"row {i}" for i in range(150_000)]}), "text", "big"
    )
    rows = [*range(0, 60_000), *range(70_000, 120_000)]
    workspace.save_selection(info.id, "two blocks", rows)
    stored = tmp_path / "datasets" / info.id / "selections.json"
    assert stored.stat().st_size < 100
    assert workspace.selections(info.id)["two blocks"] == rows


def test_bad_selections_are_refused_with_a_sentence(store: tuple[Workspace, str, str]) -> None:
    workspace, dataset_id, _ = store
    with pytest.raises(InputError, match="empty"):
        workspace.save_selection(dataset_id, "none", [])
    with pytest.raises(InputError, match="outside 0 to 39"):
        workspace.save_selection(dataset_id, "beyond", [3, 400])
    with pytest.raises(InputError, match="1 to 60 characters"):
        workspace.save_selection(dataset_id, "x" * 61, [1])
    for index in range(MAX_SELECTIONS):
        workspace.save_selection(dataset_id, f"s{index}", [index % 40])
    with pytest.raises(InputError, match="delete one first"):
        workspace.save_selection(dataset_id, "one more", [1])
