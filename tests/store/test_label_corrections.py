"""Label issues through the Space handle, and the corrections accepted for them: computed once
per column and k, kept across restarts, the original column kept, undo, and a visitor's
corrections their own."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import embedding_space.analysis.label_issues as label_issues_module
from embedding_space.analysis.label_issues import LabelIssues
from embedding_space.embed import Embedder
from embedding_space.errors import InputError
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from tests.helpers import topics_frame

Reopen = Callable[[], Space]
WRONG_ROW = 0
"""A cooking text labelled football."""


def _frame() -> pd.DataFrame:
    frame = topics_frame()
    frame.loc[WRONG_ROW, "topic"] = "football"
    frame["code"] = frame["topic"].map({"cooking": 0, "football": 1, "astronomy": 2})
    frame["code"] = frame["code"].fillna(3).astype("int64")
    return frame


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A workspace holding the dataset, embedded once for the module's tests to copy."""
    folder = tmp_path_factory.mktemp("corrections")
    workspace = Workspace(folder)
    workspace.embeddings(workspace.create_dataset(_frame(), "text", "topics").id, embedder)
    return folder


@pytest.fixture
def reopen(tmp_path: Path, embedded: Path, embedder: Embedder) -> Reopen:
    """Opens the dataset's space in a new Workspace each time (a restart)."""
    shutil.copytree(embedded, tmp_path / "home")
    (info,) = Workspace(tmp_path / "home").list_datasets()
    return lambda: Workspace(tmp_path / "home").space(info.id, embedder.cache_key)


def test_label_issues_are_computed_once_per_column_and_k_and_read_after_a_restart(
    reopen: Reopen, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = label_issues_module.find_label_issues

    def counting(*args: object, **kwargs: object) -> LabelIssues:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("embedding_space.store.labels.find_label_issues", counting)
    found = reopen().label_issues("topic", 5)
    first = found.top(1)[0]
    assert (first.row, first.label, first.suggested, first.flagged) == (
        WRONG_ROW,
        "football",
        "cooking",
        True,
    )
    assert reopen().label_issues("topic", 5).top(3) == found.top(3)
    assert len(calls) == 1
    reopen().label_issues("topic", 6)
    reopen().label_issues("code", 5)
    assert len(calls) == 3


def test_accepting_a_suggestion_writes_a_corrected_column_and_keeps_the_original(
    reopen: Reopen,
) -> None:
    reopen().corrections("topic").accept(WRONG_ROW, "cooking")
    space = reopen()
    corrected = space.corrected_column("topic")
    assert corrected.name == "topic (corrected)"
    assert corrected[WRONG_ROW] == "cooking"
    assert space.table["topic"][WRONG_ROW] == "football"
    assert (corrected.drop(index=WRONG_ROW) == space.table["topic"].drop(index=WRONG_ROW)).all()
    rechecked = space.label_issues("topic (corrected)", 5)
    assert rechecked.column == "topic (corrected)"
    assert rechecked.flagged_count == 0
    assert space.label_issues("topic", 5).issue(WRONG_ROW).flagged


def test_dismissing_hides_a_row_and_undo_takes_back_each_change_in_turn(
    reopen: Reopen,
) -> None:
    corrections = reopen().corrections("topic")
    assert not corrections.undo()
    corrections.dismiss([3, 4])
    corrections.accept(3, "astronomy")
    assert (corrections.accepted(), corrections.dismissed()) == ({3: "astronomy"}, [4])
    corrections.accept_many({5: "banking", 6: "banking"})
    corrections = reopen().corrections("topic")  # the history survives a restart
    assert corrections.undo()
    assert (corrections.accepted(), corrections.dismissed()) == ({3: "astronomy"}, [4])
    assert corrections.undo()
    assert (corrections.accepted(), corrections.dismissed()) == ({}, [3, 4])
    assert corrections.undo()
    assert (corrections.accepted(), corrections.dismissed(), corrections.can_undo()) == (
        {},
        [],
        False,
    )


def test_a_corrected_column_of_numbers_stays_numbers(reopen: Reopen) -> None:
    space = reopen()
    space.corrections("code").accept(WRONG_ROW, "0")
    corrected = space.corrected_column("code")
    assert corrected.dtype == "int64" and corrected[WRONG_ROW] == 0
    space.corrections("code").accept(1, "unsure")
    mixed = space.corrected_column("code")
    assert mixed[1] == "unsure" and mixed[WRONG_ROW] == 0 and mixed[2] == 0


def test_a_visitors_corrections_are_their_own(
    tmp_path: Path, embedded: Path, embedder: Embedder
) -> None:
    shutil.copytree(embedded, tmp_path / "home")
    workspace = Workspace(tmp_path / "home")
    (info,) = workspace.list_datasets()
    visitor = workspace.space(info.id, embedder.cache_key, viewer="user:bob")
    visitor.corrections("topic").accept(WRONG_ROW, "cooking")
    owners = Workspace(tmp_path / "home").space(info.id, embedder.cache_key)
    assert owners.corrections("topic").accepted() == {}
    assert owners.corrected_column("topic")[WRONG_ROW] == "football"
    again = Workspace(tmp_path / "home").space(info.id, embedder.cache_key, viewer="user:bob")
    assert again.corrections("topic").accepted() == {WRONG_ROW: "cooking"}
    assert (workspace.datasets_dir / info.id).is_dir()
    assert not (workspace.datasets_dir / info.id / "corrections.json").exists()


def test_corrections_check_their_input(reopen: Reopen) -> None:
    space = reopen()
    with pytest.raises(InputError, match="no column 'nope'"):
        space.corrections("nope")
    with pytest.raises(InputError, match="between 0 and 39"):
        space.corrections("topic").accept(40, "cooking")
    with pytest.raises(InputError, match="1 to 200 characters"):
        space.corrections("topic").accept(1, "  ")
    with pytest.raises(InputError, match="No rows"):
        space.corrections("topic").dismiss([])
    with pytest.raises(InputError, match="no column 'nope'"):
        space.label_issues("nope")
