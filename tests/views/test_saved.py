"""Saved views and stories: kept with whoever's results they are, read back after a restart
exactly as saved, and never listed to anyone else."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.errors import InputError
from embedding_space.store.workspace import Workspace
from embedding_space.views import Camera, SavedStories, SavedViews, Slide, Story, View
from tests.helpers import topics_frame

OWNER, VISITOR = "user:ada", "user:bob"


@pytest.fixture
def shared_dataset(tmp_path: Path) -> str:
    workspace = Workspace(tmp_path)
    return workspace.create_dataset(topics_frame(), "text", "topics", owner=OWNER, shared=True).id


def _views(root: Path, dataset_id: str, viewer: str | None) -> SavedViews:
    return SavedViews(Workspace(root).results(dataset_id, viewer))


def test_a_saved_view_reads_back_the_same_after_a_restart(
    tmp_path: Path, shared_dataset: str
) -> None:
    view = View(
        shared_dataset,
        color="topic",
        clusters=ClusterParams(n_clusters=4),
        cluster_names={1: "Space"},
        selection=tuple(range(0, 40, 3)),
        camera=Camera(x=(-1.0, 1.0), y=(-0.5, 0.5)),
    )
    name = _views(tmp_path, shared_dataset, OWNER).save("  Space,   close up ", view)
    assert name == "Space, close up"
    assert _views(tmp_path, shared_dataset, OWNER).get(name) == view


def test_a_visitors_views_stay_theirs(tmp_path: Path, shared_dataset: str) -> None:
    _views(tmp_path, shared_dataset, OWNER).save("owner's", View(shared_dataset))
    _views(tmp_path, shared_dataset, VISITOR).save("visitor's", View(shared_dataset, color="topic"))
    assert _views(tmp_path, shared_dataset, OWNER).names() == ["owner's"]
    assert _views(tmp_path, shared_dataset, VISITOR).names() == ["visitor's"]
    dataset_folder = next(tmp_path.glob(f"datasets/{shared_dataset}"))
    assert "visitor's" not in (dataset_folder / "views.json").read_text()
    with pytest.raises(InputError):
        _views(tmp_path, shared_dataset, VISITOR).get("owner's")


def test_views_are_renamed_in_place_and_deleted(tmp_path: Path, shared_dataset: str) -> None:
    views = _views(tmp_path, shared_dataset, None)
    for name in ("first", "second", "third"):
        views.save(name, View(shared_dataset))
    views.rename("second", "middle")
    assert views.names() == ["first", "middle", "third"]
    with pytest.raises(InputError, match="exists already"):
        views.rename("first", "third")
    views.delete("first")
    assert views.names() == ["middle", "third"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_bad_name_is_refused(tmp_path: Path, shared_dataset: str, name: str) -> None:
    with pytest.raises(InputError, match="1 to 120 characters"):
        _views(tmp_path, shared_dataset, None).save(name, View(shared_dataset))


def test_a_story_keeps_its_slides_in_order_and_its_name_follows_a_rename(
    tmp_path: Path, shared_dataset: str
) -> None:
    stories = SavedStories(Workspace(tmp_path).results(shared_dataset, OWNER))
    slides = tuple(Slide(View(shared_dataset, focus=row), f"Row {row}") for row in (3, 1, 2))
    stories.save(Story("Tour", slides))
    stories.rename("Tour", "Grand tour")
    kept = SavedStories(Workspace(tmp_path).results(shared_dataset, OWNER)).get("Grand tour")
    assert kept.title == "Grand tour"
    assert [slide.title for slide in kept.slides] == ["Row 3", "Row 1", "Row 2"]
    assert SavedStories(Workspace(tmp_path).results(shared_dataset, VISITOR)).names() == []
