"""A story exported from a real space, opened from disk in headless Chromium with every
network request refused: the first slide's map holds every row, hover and zoom answer, and
the arrow keys move between slides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from embedding_space.views import Annotation, Slide, Story, View, render_story, story_html
from tests.browser import support

pytestmark = pytest.mark.browser

PCA = ProjectionParams(method="pca")
ROWS_JS = """
() => {
  const gd = document.getElementById('story-map');
  if (!gd || !gd._fullData) return null;
  return gd._fullData
    .filter((t) => t.customdata && t.mode === 'markers')
    .map((t) => ({name: t.name, type: t.type,
                  rows: Array.from(t.customdata, (c) => Number(c.length ? c[0] : c))}));
}
"""
FIRST_POINT_JS = """
() => {
  const gd = document.getElementById('story-map');
  const box = gd.getBoundingClientRect(), L = gd._fullLayout, size = L._size;
  const t = gd._fullData.find((t) => t.customdata && t.mode === 'markers');
  return {x: box.left + size.l + L.xaxis.l2p(t.x[0]), y: box.top + size.t + L.yaxis.l2p(t.y[0])};
}
"""


@pytest.fixture(scope="module")
def story_file(
    topics_dataset_id: str, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    space = Workspace().space(topics_dataset_id, embedder.cache_key)
    whole = View(topics_dataset_id, projection=PCA)
    cooking = whole.with_changes(
        color="(clusters)",
        selection=tuple(range(10)),
        fit_selection=True,
        annotations=(Annotation("The kitchen <b>corner</b>"),),
    )
    story = Story(
        "Four topics <script>alert(1)</script>",
        (
            Slide(whole, "Forty texts", "Four topics, **well apart**.\nSee http://evil.example"),
            Slide(cooking, "Cooking", "Zoomed on *the cooking texts*."),
        ),
    )
    maps = render_story(story, lambda view: space)
    path = tmp_path_factory.mktemp("story") / "story.html"
    path.write_bytes(story_html(story, [drawn.figure for drawn in maps]))
    return path


def cooking_range(path: Path) -> tuple[float, float]:
    """The x range slide 2's figure asks for, as written in the page."""
    text = path.read_text()
    start = text.index('id="story-figures">') + len('id="story-figures">')
    figures = json.loads(text[start : text.index("</script>", start)])
    low, high = figures[1]["layout"]["xaxis"]["range"]
    return low, high


def _plotted(page: Any) -> list[dict[str, Any]]:
    page.wait_for_function("document.getElementById('story-map')._fullData !== undefined")
    return list(page.evaluate(ROWS_JS))


def test_the_story_plays_offline_slide_by_slide(browser: Any, story_file: Path) -> None:
    url = story_file.as_uri()
    requested: list[str] = []
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})

    def refuse_all_but_the_file(route: Any) -> None:
        requested.append(route.request.url)
        if route.request.url.split("#")[0] == url:
            route.continue_()
        else:
            route.abort()

    page.route("**/*", refuse_all_but_the_file)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    try:
        page.goto(url)
        first = _plotted(page)
        assert sorted(row for trace in first for row in trace["rows"]) == list(range(40))
        assert {trace["name"] for trace in first} == {"astronomy", "banking", "cooking", "football"}
        assert page.inner_text("#story-counter") == "1 / 2"
        assert page.inner_text("h1") == "Four topics <script>alert(1)</script>"
        caption = page.locator("section.slide:not([hidden]) .caption")
        assert "See http://evil.example" in caption.inner_text()
        assert page.locator("a").count() == 0
        support.shot(page, "story-export-slide-1.png")

        # Hover: a point's label; zoom: the wheel narrows the axis.
        point = page.evaluate(FIRST_POINT_JS)
        page.mouse.move(point["x"], point["y"])
        page.wait_for_selector("#story-map g.hovertext", timeout=10_000)
        before = page.evaluate("document.getElementById('story-map')._fullLayout.xaxis.range")
        page.mouse.wheel(0, -400)
        support.wait_for(
            lambda: (
                page.evaluate("document.getElementById('story-map')._fullLayout.xaxis.range")
                != before
            ),
            "zooming with the wheel",
            timeout=10,
        )

        page.keyboard.press("ArrowRight")
        support.wait_for(
            lambda: page.inner_text("#story-counter") == "2 / 2", "moving to slide 2", 10
        )
        page.wait_for_function(
            "document.getElementById('story-map').getAttribute('data-slide') === '2'"
        )
        second = _plotted(page)
        # The slide's own camera (fitted to the selection), not the zoom left on slide 1.
        shown = page.evaluate("document.getElementById('story-map')._fullLayout.xaxis.range")
        assert shown == pytest.approx(list(cooking_range(story_file)), rel=1e-6)
        assert "cluster" in page.evaluate(
            "document.getElementById('story-map')._fullLayout.legend.title.text"
        )
        assert {trace["name"] for trace in second}.isdisjoint({"astronomy", "banking"})
        assert page.locator("section.slide:not([hidden]) h2").inner_text() == "Cooking"
        notes = page.eval_on_selector_all(
            "#story-map .annotation-text", "(texts) => texts.map((text) => text.textContent)"
        )
        assert "The kitchen <b>corner</b>" in notes  # as typed, not bold
        support.shot(page, "story-export-slide-2.png")

        page.keyboard.press("ArrowLeft")
        support.wait_for(lambda: page.inner_text("#story-counter") == "1 / 2", "back to 1", 10)
    finally:
        page.close()
    assert requested and all(request.split("#")[0] == url for request in requested), requested
    assert not problems, problems
