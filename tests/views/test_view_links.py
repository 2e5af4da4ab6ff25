"""A view written as a link reads back as the same view; a link naming anything the app would
not offer is refused with one line (strict) or opened without that part (lenient)."""

from __future__ import annotations

import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.errors import InputError
from embedding_space.views import (
    CLUSTER_COLOR,
    Annotation,
    Camera,
    SearchSpec,
    Slide,
    Story,
    View,
    caption_lines,
)

WHOLE_VIEW = View(
    dataset="demo-banking77",
    page="neighbors",
    model="all-MiniLM-L6-v2",
    projection=ProjectionParams(method="tsne", n_components=3, perplexity=12.5, random_state=7),
    color=CLUSTER_COLOR,
    size="length",
    clusters=ClusterParams(method="hdbscan", min_cluster_size=12),
    cluster_names={0: "Card problems", 3: "Top-ups & fees"},
    cluster_labels=False,
    density=True,
    search=SearchSpec("card", "regex", "text"),
    selection=(1, 2, 3, 40, 41),
    kept="close up",
    focus=17,
    camera=Camera(x=(-2.5, 3.0), y=(0.0, 1.5), eye=(1.2, -0.4, 0.9)),
    fit_selection=True,
    annotations=(Annotation("Look: refunds", 17), Annotation("the card cluster", None)),
)


def test_every_part_of_a_view_survives_its_link() -> None:
    assert View.from_link(WHOLE_VIEW.link()) == WHOLE_VIEW


def test_a_whole_address_reads_like_its_path() -> None:
    address = "https://explorer.example.org/app" + WHOLE_VIEW.link()
    assert View.from_link(address) == WHOLE_VIEW


def test_a_default_view_writes_a_short_link() -> None:
    link = View("demo-banking77").link()
    assert link == "/map?dataset=demo-banking77&method=umap&dims=2"


def test_clusters_and_their_names_travel_in_the_link() -> None:
    sent = View("d1", clusters=ClusterParams(n_clusters=4), cluster_names={2: "Refunds"})
    received = View.from_link(sent.link())
    assert received.clusters.n_clusters == 4
    assert received.cluster_names == {2: "Refunds"}


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("/map?dataset=d&dims=4", "dims must be one of 2, 3, not 4."),
        ("/map?dataset=d&n_neighbors=abc", "n_neighbors must be a number, not 'abc'."),
        ("/map?dataset=d&n_clusters=500", "n_clusters must be between 2 and 100, not 500."),
        ("/map?dataset=d&bogus=1", "The link has a part this app does not know: 'bogus'."),
        ("/map?method=pca", "The view names no dataset (dataset=…)."),
        (
            "/admin?dataset=d",
            "The page must be one of map, similarity, neighbors, concepts, "
            "quality, compare, not 'admin'.",
        ),
        ("/map?dataset=d&x=3,1", "x must be 2 numbers separated by commas, not '3,1'."),
        ("/map?dataset=d&dims=2&dims=3", "The link names 'dims' twice."),
        ("/map?dataset=../etc", "dataset must be a dataset's id, not '../etc'."),
        ("/map?dataset=d&focus=%C2%B2", "focus must be a row number, not '²'."),
        (
            "/map?dataset=d&focus=" + "9" * 5000,
            # refused for its size before it is read, the message not 5,000 digits long
            "The link's 'focus' part has 5,000 characters; a part may have at most 4,000, "
            "so it was left out.",
        ),
        ("/map?dataset=d&name.%C2%B2=x", "name.² must name a cluster in 1 to 80 characters."),
    ],
)
def test_a_bad_link_is_refused_with_one_line(link: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        View.from_link(link)
    assert str(raised.value) == message


def test_a_lenient_reading_drops_only_the_bad_parts() -> None:
    view = View.from_query(
        {"dataset": "d", "dims": "3", "n_neighbors": "-4", "color": "topic", "bogus": "1"},
        strict=False,
    )
    assert view.projection.n_components == 3
    assert view.projection.n_neighbors == ProjectionParams().n_neighbors
    assert view.color == "topic"


def test_a_huge_selection_is_expanded_only_to_the_decoding_budget() -> None:
    view = View.from_link("/map?dataset=d&sel=0-999999999")
    assert len(view.selection) == 200_000


def test_a_long_selection_stays_out_of_a_link_but_not_out_of_a_saved_view() -> None:
    scattered = View("d", selection=tuple(range(0, 20_000, 2)))
    assert "sel=" not in scattered.link()
    kept = View.from_link(scattered.link(whole_selection=True), stored=True)
    assert kept.selection == scattered.selection


def test_a_note_drops_direction_controls_and_keeps_its_text_as_typed() -> None:
    note = Annotation("see <b>this</b> \u202eexe.txt")
    assert note.text == "see <b>this</b> exe.txt"


def test_a_caption_has_bold_and_italic_and_nothing_else() -> None:
    lines = caption_lines("A **strong** and *soft* [link](http://x.example) <b>tag</b>\nnext")
    first = lines[0]
    assert [(run.text, run.bold, run.italic) for run in first] == [
        ("A ", False, False),
        ("strong", True, False),
        (" and ", False, False),
        ("soft", False, True),
        (" [link](http://x.example) <b>tag</b>", False, False),
    ]
    assert [run.text for run in lines[1]] == ["next"]


def test_a_story_reads_back_from_its_json() -> None:
    story = Story("Tour", (Slide(WHOLE_VIEW, "One", "line 1\nline 2"), Slide(View("d"), "Two")))
    assert Story.loads(story.dumps()) == story


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "The story is not JSON"),
        ('{"title": "t", "slides": []}', "The story needs a list of slides."),
        (
            '{"title": "t", "slides": [{"title": "a", "view": "/map?dataset=d&dims=9"}]}',
            "Slide 1: dims must be one of 2, 3, not 9.",
        ),
        ('{"title": "t", "slides": [{"title": "a"}]}', "Slide 1: it names no view."),
        ('{"title": 3, "slides": [{"view": "/map?dataset=d"}]}', "The story's title must be text."),
    ],
)
def test_a_bad_story_file_is_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        Story.loads(text)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_cluster_name_from_a_link_loses_its_direction_controls() -> None:
    view = View.from_link("/map?dataset=d&name.1=abc%E2%80%AEdef")
    assert view.cluster_names == {1: "abcdef"}
