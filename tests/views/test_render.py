"""views.render: the map a view describes, drawn from a real space (the bundled model over the
forty texts of four topics), with every part of the view honoured."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.errors import InputError
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.views import (
    CLUSTER_COLOR,
    OUTLIER_SCORE,
    Annotation,
    Camera,
    SearchSpec,
    View,
    view_figure,
    view_map,
)
from tests.helpers import TOPICS

PCA = ProjectionParams(method="pca")
LAYER_NAMES = ("selected", "neighbours", "clicked")


@pytest.fixture(scope="module")
def space(topics_dataset_id: str, embedder: Embedder) -> Space:
    return Workspace().space(topics_dataset_id, embedder.cache_key)


@pytest.fixture(scope="module")
def base(topics_dataset_id: str) -> View:
    return View(topics_dataset_id, projection=PCA)


def _rows(trace: Any) -> list[int]:
    return [int(row) for row in np.asarray(trace.customdata).reshape(-1)]


def point_traces(figure: go.Figure) -> list[Any]:
    """The traces of the points themselves (every row once), not the layers on top."""
    return [
        trace
        for trace in figure.data
        if trace.customdata is not None
        and trace.name not in LAYER_NAMES
        and not str(trace.name).startswith(("contains", "matches", "nearest", "kept"))
    ]


def layer(figure: go.Figure, name: str) -> Any:
    found = [trace for trace in figure.data if trace.name == name]
    assert len(found) == 1, [trace.name for trace in figure.data]
    return found[0]


def notes(figure: go.Figure) -> list[Any]:
    return [note for note in figure.layout.annotations if note.name == "note"]


def test_the_map_draws_every_row_of_the_dataset_once(space: Space, base: View) -> None:
    figure = view_figure(space, base)
    drawn = [row for trace in point_traces(figure) for row in _rows(trace)]
    assert sorted(drawn) == list(range(space.rows)) == list(range(40))
    # Each point sits where the projection puts its row.
    coordinates = space.projection(PCA).coordinates
    for trace in point_traces(figure):
        rows = _rows(trace)
        assert np.allclose(np.asarray(trace.x), coordinates[rows, 0])
        assert np.allclose(np.asarray(trace.y), coordinates[rows, 1])


def test_a_view_without_colour_takes_the_label_column_and_one_with_a_column_its_values(
    space: Space, base: View
) -> None:
    by_default = {trace.name for trace in point_traces(view_figure(space, base))}
    assert by_default == set(TOPICS)
    figure = view_figure(space, base.with_changes(color="(none)", cluster_labels=False))
    assert len(point_traces(figure)) == 1
    assert not figure.layout.annotations


def test_clusters_are_coloured_and_labelled_by_the_names_the_view_gives_them(
    space: Space, base: View
) -> None:
    clusters = space.clustering(base.clusters)
    largest = clusters.clusters[0]
    named = base.with_changes(
        color=CLUSTER_COLOR, cluster_names={largest: "<b>Mine</b> {x}"}, cluster_labels=True
    )
    figure = view_figure(space, named)
    escaped = "&lt;b&gt;Mine&lt;/b&gt; &#123;x&#125;"
    legend = [str(trace.name) for trace in point_traces(figure)]
    assert escaped in legend
    assert {clusters.name_of(c) for c in clusters.clusters if c != largest} <= {
        html.unescape(name) for name in legend
    }
    labels = [str(note.text) for note in figure.layout.annotations]
    assert f"<b>{escaped}</b>" in labels
    # The names travel with the view, not the stored clustering.
    assert space.clustering(base.clusters).name_of(largest) != "<b>Mine</b> {x}"
    unlabelled = view_figure(space, named.with_changes(cluster_labels=False))
    assert not unlabelled.layout.annotations


def test_a_computed_colour_is_a_scale_and_a_size_column_sizes_the_points(
    space: Space, base: View
) -> None:
    figure = view_figure(space, base.with_changes(color=OUTLIER_SCORE, size=OUTLIER_SCORE))
    (points,) = point_traces(figure)
    scores = space.outlier_scores()
    rows = _rows(points)
    assert np.allclose(np.asarray(points.marker.color), scores[rows])
    sizes = np.asarray(points.marker.size)
    assert sizes[np.argmax(scores[rows])] == sizes.max() > sizes.min()


def test_the_selection_stays_bright_and_the_rest_is_dimmed(space: Space, base: View) -> None:
    selection = (0, 1, 2, 15, 33)
    figure = view_figure(space, base.with_changes(selection=selection))
    bright = {
        _rows(trace)[index]
        for trace in point_traces(figure)
        for index in (trace.selectedpoints or [])
    }
    assert bright == set(selection)


def test_search_matches_and_the_focus_row_are_drawn_as_layers(space: Space, base: View) -> None:
    view = base.with_changes(search=SearchSpec("goal"), focus=25)
    figure = view_figure(space, view)
    goal_rows = [row for row, text in enumerate(space.texts) if "goal" in text.lower()]
    assert sorted(_rows(layer(figure, "contains “goal”"))) == goal_rows
    assert _rows(layer(figure, "clicked")) == [25]
    nearest = [neighbor.row for neighbor in space.neighbors(25)]
    assert _rows(layer(figure, "neighbours")) == nearest


def test_a_kept_selection_is_marked_by_its_name(space: Space, base: View) -> None:
    space.selections.keep("stars", [20, 21, 22])
    figure = view_figure(space, base.with_changes(kept="stars"))
    assert _rows(layer(figure, "kept: stars")) == [20, 21, 22]
    with pytest.raises(InputError, match="no kept selection named 'planets'"):
        view_figure(space, base.with_changes(kept="planets"))


def test_the_camera_of_the_view_sets_the_axes(space: Space, base: View) -> None:
    figure = view_figure(space, base.with_changes(camera=Camera(x=(-0.5, 0.1), y=(0.0, 0.4))))
    assert tuple(figure.layout.xaxis.range) == (-0.5, 0.1)
    assert tuple(figure.layout.yaxis.range) == (0.0, 0.4)
    turned = view_figure(
        space,
        base.with_changes(
            projection=ProjectionParams(method="pca", n_components=3),
            camera=Camera(eye=(1.5, 0.2, 0.3)),
        ),
    )
    eye = turned.layout.scene.camera.eye
    assert (eye.x, eye.y, eye.z) == (1.5, 0.2, 0.3)


def test_fitting_the_selection_frames_its_points_and_leaves_far_ones_out(
    space: Space, base: View
) -> None:
    cooking = tuple(range(10))
    figure = view_figure(space, base.with_changes(selection=cooking, fit_selection=True))
    coordinates = space.projection(PCA).coordinates
    (x_low, x_high), (y_low, y_high) = figure.layout.xaxis.range, figure.layout.yaxis.range

    def inside(row: int) -> bool:
        x, y = coordinates[row]
        return bool(x_low < x < x_high and y_low < y < y_high)

    assert all(inside(row) for row in cooking)
    assert sum(inside(row) for row in range(10, 40)) < 10  # most of the other topics are out
    # A margin on each side: no selected point touches the edge.
    span = x_high - x_low
    xs = coordinates[list(cooking), 0]
    assert xs.min() - x_low > 0.05 * span and x_high - xs.max() > 0.05 * span


def _box_of(note: Any, x_span: float, y_span: float) -> tuple[float, float, float, float]:
    lines = str(note.text).split("<br>")
    width = (max(len(html.unescape(line)) for line in lines) + 2) / 75 * x_span
    return (note.ax, note.ay, width / 2, len(lines) / 30 * y_span / 2)


def _overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    return abs(a[0] - b[0]) < a[2] + b[2] and abs(a[1] - b[1]) < a[3] + b[3]


def test_notes_point_at_their_row_or_the_selections_centre_and_show_as_typed(
    space: Space, base: View
) -> None:
    hostile = '<a href="http://evil.example">click</a> %{x} <b>bold</b>'
    view = base.with_changes(
        selection=(0, 1, 2, 3),
        annotations=(Annotation(hostile, 12), Annotation("near it", 13), Annotation("cooking")),
    )
    figure = view_figure(space, view)
    coordinates = space.projection(PCA).coordinates
    first, second, third = notes(figure)
    assert "<a" not in first.text and "<b>" not in first.text and "%{x}" not in first.text
    assert html.unescape(first.text.replace("<br>", " ")) == hostile
    assert (first.x, first.y) == pytest.approx(tuple(coordinates[12]))
    assert first.showarrow and (first.ax, first.ay) != (first.x, first.y)
    assert (third.x, third.y) == pytest.approx(tuple(coordinates[:4].mean(axis=0)))
    # Inside the map, and the two notes on neighbouring rows do not cover each other.
    x_range = float(np.ptp(coordinates[:, 0])) * 1.1
    y_range = float(np.ptp(coordinates[:, 1])) * 1.1
    low = coordinates.min(axis=0) - 0.05 * np.ptp(coordinates, axis=0)
    high = coordinates.max(axis=0) + 0.05 * np.ptp(coordinates, axis=0)
    boxes = [_box_of(note, x_range, y_range) for note in (first, second, third)]
    for x, y, half_x, half_y in boxes:
        assert low[0] <= x - half_x + 1e-6 and x + half_x <= high[0] + 1e-6
        assert low[1] <= y - half_y + 1e-6 and y + half_y <= high[1] + 1e-6
    assert not _overlap(boxes[0], boxes[1])


def test_notes_on_a_3d_map_are_scene_annotations(space: Space, base: View) -> None:
    view = base.with_changes(
        projection=ProjectionParams(method="pca", n_components=3),
        annotations=(Annotation("<img src=x onerror=alert(1)>", 5),),
    )
    figure = view_figure(space, view)
    (note,) = [note for note in figure.layout.scene.annotations if note.name == "note"]
    coordinates = space.projection(view.projection).coordinates
    assert (note.x, note.y, note.z) == pytest.approx(tuple(coordinates[5]))
    assert note.text == "&lt;img src=x onerror=alert(1)&gt;" and note.showarrow


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"color": "colour"}, "colours by 'colour', which is not a column"),
        ({"color": "text"}, "colours by 'text'"),
        ({"size": "topic"}, "sizes by 'topic', which is not a column it can use"),
        ({"selection": (3, 40)}, "names row 40, but the dataset has rows 0 to 39"),
        ({"focus": 99}, "names row 99"),
        ({"annotations": (Annotation("x", 41),)}, "names row 41"),
        ({"cluster_names": {77: "no such"}}, "names cluster 77"),
        ({"search": SearchSpec("(", "regex")}, "pattern"),
    ],
)
def test_a_view_naming_what_the_dataset_lacks_is_one_line(
    space: Space, base: View, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as raised:
        view_figure(space, base.with_changes(**changes))
    assert "\n" not in str(raised.value)


def test_the_map_reports_its_points_and_what_differs_from_the_view(
    space: Space, base: View
) -> None:
    drawn = view_map(space, base)
    assert drawn.points == 40 and drawn.notes == ()


def test_a_filtered_view_draws_only_the_rows_that_pass_and_says_how_many(
    space: Space, base: View
) -> None:
    from embedding_space.analysis.filters import CategoryFilter

    kept = ("cooking", "football")
    view = base.with_changes(
        filters=(CategoryFilter("topic", kept),),
        search=SearchSpec("the", "text", None),
        selection=(0, 39),
    )
    drawn = view_map(space, view)
    rows = sorted(row for trace in point_traces(drawn.figure) for row in _rows(trace))
    passing = space.table.index[space.table["topic"].isin(kept)].tolist()
    assert rows == passing and drawn.points == len(passing) == 20
    # A search's matches outside the filter are not drawn either.
    matches = _rows(layer(drawn.figure, "contains “the”"))
    assert matches and set(matches) <= set(passing)
    assert f"{len(passing)} of 40 rows" in drawn.notes[-1]
    # The frame stays the whole map's: the passing points keep their places on screen.
    whole = view_figure(space, base)
    filtered = view_figure(space, base.with_changes(filters=view.filters))
    assert filtered.layout.xaxis.range == whole.layout.xaxis.range
    assert filtered.layout.yaxis.range == whole.layout.yaxis.range


def test_a_filter_on_a_column_the_dataset_lacks_is_refused(space: Space, base: View) -> None:
    from embedding_space.analysis.filters import RangeFilter

    with pytest.raises(InputError, match="no column 'price'"):
        view_map(space, base.with_changes(filters=(RangeFilter("price", 1, 2),)))


def test_a_view_filtered_by_a_tag_draws_the_tagged_rows(embedder: Embedder) -> None:
    from embedding_space.analysis.filters import CategoryFilter
    from tests.helpers import topics_frame

    workspace = Workspace()
    info = workspace.create_dataset(topics_frame(), "text", "four topics, tagged")
    workspace.embeddings(info.id, embedder)
    space = workspace.space(info.id, embedder.cache_key)
    tagged = [3, 4, 17, 30]
    assert space.tags is not None
    space.tags.tag(tagged, "look again")
    space.tags.tag([4, 5], "other")

    view = View(info.id, projection=PCA, filters=(CategoryFilter("tags", ("look again",)),))
    drawn = view_map(space, view)
    rows = sorted(row for trace in point_traces(drawn.figure) for row in _rows(trace))
    assert rows == tagged, "a row with several tags passes when one of them is asked for"
    assert "4 of 40 rows" in drawn.notes[-1]
