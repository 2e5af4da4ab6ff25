"""Clusters and kept selections live with the dataset: computed once, kept across restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.analysis import clustering as clustering_module
from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.embed import Embedder
from embedding_space.errors import InputError
from embedding_space.rows import combine_rows
from embedding_space.store.selections import MAX_SELECTIONS
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from tests.helpers import topics_frame

Reopen = Callable[[], Space]


@pytest.fixture
def reopen(tmp_path: Path, embedder: Embedder) -> Reopen:
    """Opens the four-topics dataset's space in a new Workspace each time (a restart)."""
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(topics_frame(), "text", "topics")
    workspace.embeddings(info.id, embedder)
    return lambda: Workspace(tmp_path).space(info.id, embedder.cache_key)


def test_clusters_are_computed_once_and_a_new_name_survives_a_restart(
    reopen: Reopen, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = clustering_module.cluster

    def counting(*args: object, **kwargs: object) -> Clustering:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("embedding_space.store.space.cluster", counting)
    params = ClusterParams(n_clusters=4)
    space = reopen()
    first, again = space.clustering(params), space.clustering(params)
    assert len(calls) == 1 and (first.labels == again.labels).all()
    space.rename_cluster(params, 0, "Sport talk")
    assert reopen().clustering(params).name_of(0) == "Sport talk" and len(calls) == 1
    other = reopen().clustering(ClusterParams(n_clusters=3))
    assert len(calls) == 2 and len(other.sizes()) == 3


def test_renaming_a_cluster_not_computed_yet_says_so(reopen: Reopen) -> None:
    with pytest.raises(InputError, match="Compute the clusters before renaming one"):
        reopen().rename_cluster(ClusterParams(n_clusters=5), 0, "too early")


def test_a_kept_selection_survives_a_restart_and_stays_compact(reopen: Reopen) -> None:
    selections = reopen().selections
    assert selections.keep("  first   ten ", list(range(10))) == "first ten"
    selections.keep("evens", list(range(0, 40, 2)))
    kept = reopen().selections.kept()
    assert kept == {"first ten": list(range(10)), "evens": list(range(0, 40, 2))}
    assert combine_rows(kept["first ten"], kept["evens"], "difference") == [1, 3, 5, 7, 9]
    selections.delete("evens")
    assert list(reopen().selections.kept()) == ["first ten"]


def test_a_selection_of_100k_rows_is_stored_as_ranges(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    info = workspace.create_dataset(
        pd.DataFrame({"text": [f"row {i}" for i in range(150_000)]}), "text", "big"
    )
    rows = [*range(0, 60_000), *range(70_000, 120_000)]
    # Selections belong to the rows: a space's handle on them needs no vectors.
    selections = workspace.space(info.id, "all-MiniLM-L6-v2").selections
    selections.keep("two blocks", rows)
    stored = tmp_path / "datasets" / info.id / "selections.json"
    assert stored.stat().st_size < 100
    assert selections.kept()["two blocks"] == rows


def test_bad_selections_are_refused_with_a_sentence(reopen: Reopen) -> None:
    selections = reopen().selections
    with pytest.raises(InputError, match="empty"):
        selections.keep("none", [])
    with pytest.raises(InputError, match="outside 0 to 39"):
        selections.keep("beyond", [3, 400])
    with pytest.raises(InputError, match="1 to 60 characters"):
        selections.keep("x" * 61, [1])
    for index in range(MAX_SELECTIONS):
        selections.keep(f"s{index}", [index % 40])
    with pytest.raises(InputError, match="delete one first"):
        selections.keep("one more", [1])
