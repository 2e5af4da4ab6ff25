"""The level of clusters a view shows (fine or coarse) and its coarse count travel in links
and saved views, are checked like every other part, and decide the clusters its map draws."""

from __future__ import annotations

from pathlib import Path

import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.errors import InputError
from embedding_space.store.workspace import Workspace
from embedding_space.views import CLUSTER_COLOR, SavedViews, View, view_figure
from tests.helpers import topics_frame

COARSE_VIEW = View(
    "d1",
    clusters=ClusterParams(n_clusters=8),
    cluster_names={2: "Refunds"},
    cluster_level="coarse",
    n_coarse=3,
)


def test_the_level_and_coarse_count_survive_a_link() -> None:
    link = COARSE_VIEW.link()
    assert "level=coarse" in link and "n_coarse_clusters=3" in link
    assert View.from_link(link) == COARSE_VIEW


def test_a_fine_view_with_an_automatic_count_writes_neither() -> None:
    assert View.from_link(View("d1").link()).cluster_level == "fine"
    assert "level" not in View("d1").query()
    assert "n_coarse_clusters" not in View("d1").query()


def test_a_saved_view_keeps_its_level(tmp_path: Path) -> None:
    dataset = Workspace(tmp_path).create_dataset(topics_frame(), "text", "topics").id
    saved = SavedViews(Workspace(tmp_path).results(dataset, None))
    view = View(dataset, cluster_level="coarse", n_coarse=2)
    saved.save("two groups", view)
    assert SavedViews(Workspace(tmp_path).results(dataset, None)).get("two groups") == view


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/map?dataset=d&level=medium", "level must be one of fine, coarse, not 'medium'."),
        (
            "/map?dataset=d&n_coarse_clusters=99",
            "n_coarse_clusters must be between 0 and 50, not 99.",
        ),
    ],
)
def test_a_bad_level_or_count_is_refused_with_one_line(link: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        View.from_link(link)
    assert str(raised.value) == message


def test_a_lenient_reading_falls_back_to_the_fine_level() -> None:
    view = View.from_query(
        {"dataset": "d", "level": "medium", "n_coarse_clusters": "x"}, strict=False
    )
    assert (view.cluster_level, view.n_coarse) == ("fine", 0)


def test_a_coarse_view_colours_and_labels_its_map_by_the_coarse_clusters(
    topics_dataset_id: str, embedder: Embedder
) -> None:
    space = Workspace().space(topics_dataset_id, embedder.cache_key)
    view = View(
        topics_dataset_id,
        projection=ProjectionParams(method="pca"),
        color=CLUSTER_COLOR,
        clusters=ClusterParams(n_clusters=6),
        cluster_level="coarse",
        n_coarse=2,
    )
    coarse = space.cluster_hierarchy(view.clusters, 2).coarse
    figure = view_figure(space, view)
    labels = {str(note.text) for note in figure.layout.annotations}
    assert labels == {f"<b>{coarse.name_of(c)}</b>" for c in coarse.clusters}
    fine = view_figure(space, view.with_changes(cluster_level="fine"))
    assert len(fine.layout.annotations) == 6
