"""views.story: a story survives being written as STORY.json and read back, whole."""

from __future__ import annotations

import json

import pytest

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.errors import InputError
from embedding_space.views import Annotation, Camera, SearchSpec, Slide, Story, View


def _story() -> Story:
    full = View(
        "abc123",
        model="all-MiniLM-L6-v2",
        projection=ProjectionParams(method="pca", n_components=3),
        color="(clusters)",
        size="(outlier score)",
        clusters=ClusterParams(n_clusters=5),
        cluster_names={0: "refunds", 3: "cards & PINs"},
        cluster_labels=False,
        density=True,
        search=SearchSpec("card", "regex", "text"),
        selection=(0, 1, 2, 3, 10, 99),
        kept="mine",
        focus=7,
        camera=Camera(eye=(1.25, -0.5, 0.75)),
        fit_selection=True,
        annotations=(Annotation("look here", 7), Annotation("and the selection")),
    )
    return Story(
        "A story",
        (
            Slide(View("abc123", projection=ProjectionParams(method="pca")), "One", "plain"),
            Slide(full, "Two", "**bold** then *italic*\nsecond line: http://example.org"),
        ),
    )


def test_a_story_reads_back_equal_from_its_json_and_writes_the_same_text() -> None:
    story = _story()
    text = story.dumps()
    again = Story.loads(text)
    assert again == story
    assert again.dumps() == text
    assert json.loads(text)["slides"][1]["view"].startswith("/map?dataset=abc123&model=")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not JSON"),
        ("[]", "JSON object"),
        ('{"title": "t", "slides": []}', "needs a list of slides"),
        ('{"title": "t", "slides": [{"view": "/map?dataset=a&dims=4"}]}', "Slide 1: dims"),
        ('{"title": "t", "slides": [{"view": "/map?dataset=a&colour=x"}]}', "Slide 1: the link"),
    ],
)
def test_a_malformed_story_is_refused_in_one_line(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as raised:
        Story.loads(text)
    assert "\n" not in str(raised.value)
