"""The hovered point's image beside its label, in Chromium: on the Map page of a dataset of
images on a real server (also after a click redraws the page), and in the exported map and
story opened from disk with every network request refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from playwright.sync_api import expect

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.export import export_figure_html
from embedding_space.io.images import thumbnail_uri
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.views import Slide, Story, View, render_story, story_html, view_figure
from tests.browser import support
from tests.shapes import create_shapes_dataset

pytestmark = pytest.mark.browser

CARD = "#hover-thumbnail"
PCA = ProjectionParams(method="pca")
POINTS_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  const box = gd.getBoundingClientRect(), L = gd._fullLayout, size = L._size;
  const out = [];
  gd._fullData.forEach((t) => {
    if (t.mode !== 'markers' || !t.customdata || !t.xaxis) return;
    for (let j = 0; j < t.x.length; j++) {
      const c = t.customdata[j];
      out.push({row: Number(c.length !== undefined ? c[0] : c),
                x: box.left + size.l + L.xaxis.l2p(t.x[j]),
                y: box.top + size.t + L.yaxis.l2p(t.y[j])});
    }
  });
  return out;
}
"""


class Served(NamedTuple):
    url: str
    dataset_id: str
    uris: list[str]
    """Each row's thumbnail as a ``data:`` URI, made here from the stored thumbnails."""
    home: Path


@pytest.fixture(scope="module")
def shapes_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A server on a workspace holding the shapes, two of each kind."""
    folder = tmp_path_factory.mktemp("hover-images")
    home = folder / "workspace"
    dataset_id = create_shapes_dataset(home, per_kind=2)
    images = Workspace(home).images(dataset_id)
    assert images is not None
    uris = [thumbnail_uri(thumbnail) for thumbnail in images.thumbnails()]
    with support.app_server(home, folder / "server.log", fresh=True) as url:
        yield Served(url, dataset_id, uris, home)


def _shapes_view(served: Served) -> tuple[Workspace, Space, View]:
    """The served workspace, the shapes' space (their own vectors) and a PCA view by shape."""
    store = Workspace(served.home)
    vectors = store.get(served.dataset_id).vectors_model
    assert vectors is not None
    space = store.space(served.dataset_id, vectors)
    return store, space, View(served.dataset_id, projection=PCA, color="shape")


def _points(page: Any, selector: str) -> list[dict[str, Any]]:
    """Where each point of a plot is on the page, once the plot has stopped moving (a map
    narrowed by a side panel is laid out again a moment after the page is idle)."""
    found: list[dict[str, Any]] = support.steady(
        lambda: page.evaluate(POINTS_JS, selector), quiet=0.6, timeout=30
    )
    return found


def _loneliest(points: list[dict[str, Any]], skip: int = 0) -> dict[str, Any]:
    """A point far from every other, so that the pointer on it hovers it and no other
    (``skip`` passes over the loneliest ones)."""

    def room(point: dict[str, Any]) -> float:
        return float(
            min(
                (p["x"] - point["x"]) ** 2 + (p["y"] - point["y"]) ** 2
                for p in points
                if p["row"] != point["row"]
            )
        )

    return sorted(points, key=room, reverse=True)[skip]


def _hover(page: Any, point: dict[str, Any]) -> None:
    page.mouse.move(point["x"] - 40, point["y"] + 40)
    page.mouse.move(point["x"], point["y"], steps=6)


def _expect_thumbnail(page: Any, row: int, uri: str) -> None:
    card = page.locator(CARD)
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-row", str(row))
    assert card.locator("img").get_attribute("src") == uri


def test_hovering_a_point_on_the_map_shows_its_image_beside_its_label(
    browser: Any, shapes_app: Served
) -> None:
    url, dataset_id, uris, _ = shapes_app
    page = support.open_map(browser, f"{url}/map?dataset={dataset_id}&method=pca")
    try:
        assert support.errors_on_page(page) is None
        points = _points(page, support.PLOT)
        first = _loneliest(points)
        _hover(page, first)
        _expect_thumbnail(page, first["row"], uris[first["row"]])
        # Beside the point, clear of plotly's label, whole on the screen.
        card = page.locator(CARD).bounding_box()
        label = page.locator(f"{support.PLOT} .hoverlayer .hovertext").first.bounding_box()
        assert card["width"] >= 128 and card["height"] >= 128
        overlap_x = min(card["x"] + card["width"], label["x"] + label["width"]) - max(
            card["x"], label["x"]
        )
        overlap_y = min(card["y"] + card["height"], label["y"] + label["height"]) - max(
            card["y"], label["y"]
        )
        assert overlap_x <= 0 or overlap_y <= 0, (card, label)
        support.shot(page, "hover-image-map.png")

        page.mouse.move(5, 400)  # off the map: the card goes
        expect(page.locator(CARD)).to_be_hidden()

        # A click redraws the page (and the chart); the hover still shows the right image,
        # from one listener.
        page.mouse.click(first["x"], first["y"])
        support.settle(page)
        points = _points(page, support.PLOT)
        second = _loneliest([p for p in points if p["row"] != first["row"]], skip=1)
        _hover(page, second)
        _expect_thumbnail(page, second["row"], uris[second["row"]])
        listeners = page.evaluate(
            "(s) => document.querySelector(s)._ev.listeners('plotly_hover').length", support.PLOT
        )
        assert listeners == 1  # the thumbnail card's, added once whatever the redraws
        support.shot(page, "hover-image-map-after-click.png")
    finally:
        page.close()


def _opened_offline(browser: Any, path: Path) -> tuple[Any, list[str]]:
    """A page showing a file from disk, every other request refused; and the list of what
    went wrong on it (requests elsewhere, page errors)."""
    url = path.as_uri()
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def only_the_file(route: Any) -> None:
        if route.request.url.split("#")[0] == url:
            route.continue_()
        else:
            problems.append(f"requested {route.request.url}")
            route.abort()

    page.route("**/*", only_the_file)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.goto(url)
    return page, problems


def test_the_exported_map_shows_the_hovered_points_image_offline(
    browser: Any, shapes_app: Served, tmp_path: Path
) -> None:
    store, space, view = _shapes_view(shapes_app)
    images = store.images(shapes_app.dataset_id)
    assert images is not None
    path = tmp_path / "map.html"
    path.write_bytes(export_figure_html(view_figure(space, view), images.thumbnail_uris()))
    page, problems = _opened_offline(browser, path)
    try:
        page.wait_for_function("document.querySelector('.js-plotly-plot')._fullData")
        point = _loneliest(_points(page, ".js-plotly-plot"))
        _hover(page, point)
        _expect_thumbnail(page, point["row"], shapes_app.uris[point["row"]])
        support.shot(page, "hover-image-export.png")
    finally:
        page.close()
    assert not problems, problems


def test_the_exported_story_shows_the_hovered_points_image_on_every_slide(
    browser: Any, shapes_app: Served, tmp_path: Path
) -> None:
    store, space, view = _shapes_view(shapes_app)
    story = Story(
        "Shapes",
        (Slide(view, "Every shape"), Slide(view.with_changes(selection=(0, 1, 2)), "Three")),
    )
    figures = [drawn.figure for drawn in render_story(story, lambda _: space)]

    def thumbnails_of(dataset_id: str) -> list[str] | None:
        images = store.images(dataset_id)
        return None if images is None else images.thumbnail_uris()

    path = tmp_path / "story.html"
    path.write_bytes(story_html(story, figures, thumbnails_of))
    page, problems = _opened_offline(browser, path)
    try:
        for slide in (1, 2):
            page.wait_for_function(
                f"document.getElementById('story-map').getAttribute('data-slide') === '{slide}'"
            )
            page.wait_for_function("document.getElementById('story-map')._fullData")
            point = _loneliest(_points(page, "#story-map"))
            _hover(page, point)
            _expect_thumbnail(page, point["row"], shapes_app.uris[point["row"]])
            support.shot(page, f"hover-image-story-{slide}.png")
            page.keyboard.press("ArrowRight")
    finally:
        page.close()
    assert not problems, problems
