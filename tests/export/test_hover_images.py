"""export.hover_images: which thumbnails a map carries for its hover, and the exported map
and story of a dataset of images, which hold each of them once beside the hover script; an
export of texts holds neither."""

from __future__ import annotations

import json
import re
from typing import Any

import plotly.graph_objects as go
import pytest

from embedding_space.export import export_figure_html, export_story_html
from embedding_space.export.hover_images import (
    HOVER_SCRIPT,
    HOVER_THUMBNAILS,
    hover_thumbnails,
    map_rows,
)
from embedding_space.export.story import SlideContent
from embedding_space.figures.layers import Highlight, focus_layer, neighbors_layer
from embedding_space.figures.map import map_figure
from embedding_space.io.images import thumbnail_uri
from embedding_space.views import Slide, Story, View, story_html
from tests.shapes import shapes_frame

FRAME, IMAGES, VECTORS = shapes_frame(per_kind=2)
ROWS = len(FRAME)
URIS = [thumbnail_uri(image.thumbnail) for image in IMAGES]
TEXTS = FRAME["caption"].tolist()
COORDINATES = VECTORS[:, :2].copy()
HOVER_CALL = "hoverThumbnails("
_URI = re.compile(r"data:image/webp;base64,[A-Za-z0-9+/]+={0,2}")


def _map(**layers: Any) -> go.Figure:
    return map_figure(COORDINATES, TEXTS, color=FRAME["shape"], **layers)


def _uris_in(page: str) -> list[str]:
    return _URI.findall(page)


def test_an_exported_map_of_images_holds_each_rows_thumbnail_once_and_the_hover_script() -> None:
    # A click, its neighbours and a selection draw some rows twice; their image is held once.
    figure = map_figure(
        COORDINATES,
        TEXTS,
        color=FRAME["shape"],
        highlights=[neighbors_layer([1, 2, 3]), focus_layer([0])],
        selected=[4, 5],
    )
    page = export_figure_html(figure, URIS).decode("utf-8")
    assert len(set(URIS)) == ROWS  # every picture differs: counting them counts rows
    assert sorted(_uris_in(page)) == sorted(URIS)
    assert HOVER_SCRIPT in page
    assert HOVER_CALL in page.replace(HOVER_SCRIPT, "")


def test_an_exported_map_of_texts_has_no_thumbnail_and_no_hover_script() -> None:
    page = export_figure_html(_map()).decode("utf-8")
    assert "data:image/webp" not in page
    assert "hoverThumbnails" not in page and "hover-thumbnail" not in page


def test_a_story_of_images_holds_each_thumbnail_once_however_many_slides_show_it() -> None:
    view = View("shapes")
    story = Story("Shapes", (Slide(view, "All"), Slide(view, "Again"), Slide(View("t"), "Texts")))
    figures = [_map(), _map(selected=[0, 1]), _map()]
    asked: list[str] = []

    def thumbnails_of(dataset: str) -> list[str] | None:
        asked.append(dataset)
        return URIS if dataset == "shapes" else None

    page = story_html(story, figures, thumbnails_of).decode("utf-8")
    assert sorted(_uris_in(page)) == sorted(URIS)
    assert asked == ["shapes", "t"]  # read once a dataset
    assert HOVER_SCRIPT in page
    start = page.index('id="story-thumbnails">') + len('id="story-thumbnails">')
    tables = json.loads(page[start : page.index("</script>", start)])
    assert tables["slides"] == [0, 0, None]  # the slide of texts shows no image
    assert tables["tables"][0] == {str(row): uri for row, uri in enumerate(URIS)}


def test_a_story_of_texts_is_the_page_it_was_without_images() -> None:
    slides = [SlideContent("One", [], _map())]
    page = export_story_html("Texts", slides).decode("utf-8")
    assert "data:image/webp" not in page
    assert "hoverThumbnails" not in page and "story-thumbnails" not in page
    assert page == export_story_html("Texts", [SlideContent("One", [], _map())]).decode("utf-8")


def test_map_rows_reads_the_drawn_rows_and_the_marked_ones_from_the_figure() -> None:
    figure = map_figure(
        COORDINATES,
        TEXTS,
        color=FRAME["shape"],
        highlights=[Highlight([7, 8], "kept")],
        selected=[2, 3],
        shown=list(range(12)),
    )
    drawn, marked = map_rows(figure)
    assert drawn.tolist() == list(range(12))  # a filter's hidden rows are not drawn
    assert marked.tolist() == [2, 3, 7, 8]


def test_a_3d_map_reads_its_selection_from_the_layer_that_rings_it() -> None:
    coordinates = VECTORS[:, :3].copy()
    figure = map_figure(coordinates, TEXTS, color=FRAME["shape"], selected=[5, 6])
    drawn, marked = map_rows(figure)
    assert drawn.tolist() == list(range(ROWS)) and marked.tolist() == [5, 6]
    assert sorted(hover_thumbnails(figure, URIS).by_row) == list(range(ROWS))


def test_past_the_limit_a_fixed_sample_and_apart_from_it_the_marked_rows() -> None:
    figure = _map(highlights=[focus_layer([20])], selected=[1, 2, 3])
    chosen = hover_thumbnails(figure, URIS, limit=10, marked_limit=3)
    unmarked = hover_thumbnails(_map(), URIS, limit=10, marked_limit=3)
    assert chosen.sample == unmarked.sample and len(chosen.sample) == 10  # marks move nothing
    outside = sorted({1, 2, 3, 20} - set(chosen.sample))
    assert outside and sorted(chosen.marked) == outside[:3]
    assert all(URIS[row] == uri for row, uri in chosen.by_row.items())
    assert chosen.points == ROWS and chosen.left_out == ROWS - len(chosen.by_row)
    assert f"{len(chosen.by_row)} of the 24 points" in (chosen.note() or "")
    assert unmarked.marked == {} and unmarked.left_out == 14


def test_within_the_limit_every_drawn_row_is_carried_and_nothing_is_said() -> None:
    chosen = hover_thumbnails(_map(), URIS)
    assert ROWS <= HOVER_THUMBNAILS
    assert sorted(chosen.by_row) == list(range(ROWS)) and chosen.note() is None


@pytest.mark.parametrize(
    "bad",
    [
        "https://evil.example/a.webp",
        "data:text/html;base64,PHNjcmlwdD4=",
        'data:image/webp;base64,AAAA"</script><script>alert(1)//',
        "/workspace/datasets/x/images.parquet",
    ],
)
def test_a_thumbnail_that_is_not_a_base64_webp_data_uri_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="row 3"):
        hover_thumbnails(_map(), [*URIS[:3], bad, *URIS[4:]])


def test_a_map_drawing_rows_beyond_the_thumbnails_is_refused() -> None:
    with pytest.raises(ValueError, match="23 is drawn"):
        hover_thumbnails(_map(), URIS[:10])


def test_the_hover_script_writes_no_markup() -> None:
    assert "innerHTML" not in HOVER_SCRIPT and "insertAdjacentHTML" not in HOVER_SCRIPT
    assert "document.write" not in HOVER_SCRIPT and "</script" not in HOVER_SCRIPT.lower()
    # The one image source it sets is a checked data: URI.
    assert HOVER_SCRIPT.count(".src = ") == 1
    assert 'HOVER_IMAGE_PREFIX = "data:image/webp;base64,"' in HOVER_SCRIPT
