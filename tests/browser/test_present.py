"""Presentation mode and the Stories editor in a real browser: a story built from saved
views, presented with no sidebar, moved through with the arrow keys, hostile captions shown
as typed, and a visitor kept away from another person's story."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from embedding_space.views import Annotation, SavedStories, SavedViews, Slide, Story, View
from tests.browser import support
from tests.helpers import topics_frame

pytestmark = pytest.mark.browser

HOSTILE = (
    "Look <img src=x onerror=alert(1)> and <script>alert(2)</script> "
    "[click me](http://evil.example) http://evil.example \u202eexe.txt"
)
_POINT_ROWS_JS = """
() => { const gd = document.querySelector('.js-plotly-plot');
  return [...new Set(gd._fullData.flatMap((t) => t.customdata ? Array.from(t.customdata,
    (c) => Number(c.length !== undefined ? c[0] : c)) : []))].length; }
"""


@pytest.fixture(scope="module")
def story_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("present")
    with support.served_dataset(folder, topics_frame(), "topics", [embedder]) as served:
        _save_a_story(Workspace(folder / "workspace"), served[1])
        yield served


def _save_a_story(store: Workspace, dataset_id: str) -> None:
    """Two saved views and a story of them, one caption hostile (read by the server on
    request, so they may be written after it starts)."""
    pca = ProjectionParams(method="pca")
    by_topic = View(dataset_id, projection=pca, color="topic")
    clusters = View(
        dataset_id,
        projection=pca,
        color="(clusters)",
        clusters=ClusterParams(n_clusters=4),
        cluster_names={1: "Named by the presenter"},
        selection=tuple(range(10)),
        annotations=(Annotation("these ten rows", None),),
    )
    views = SavedViews(store.results(dataset_id, None))
    views.save("By topic", by_topic)
    views.save("Clusters", clusters)
    story = Story(
        "Four topics",
        (
            Slide(by_topic, "Topics make regions", HOSTILE),
            Slide(clusters, "Clusters without labels", "**Four** clusters."),
        ),
    )
    SavedStories(store.results(dataset_id, None)).save(story)


def _present(url: str, dataset_id: str, slide: int) -> str:
    query = urlencode({"dataset": dataset_id, "story": "Four topics", "slide": slide})
    return f"{url}/story?{query}"


def test_a_story_is_presented_without_the_sidebar_and_moves_with_the_arrow_keys(
    story_app: tuple[str, str],
) -> None:
    url, dataset_id = story_app
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(180_000)
        page.goto(_present(url, dataset_id, 1))
        expect(page.locator(support.PLOT)).to_have_count(1, timeout=180_000)
        support.settle(page)
        assert support.errors_on_page(page) is None
        expect(page.get_by_text("1 / 2")).to_be_visible()
        expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
        assert page.evaluate(_POINT_ROWS_JS) == 40, "the slide's map shows every row"
        plot = page.locator(support.PLOT).bounding_box()
        assert plot["y"] + plot["height"] <= 800, "the map fits the first screen"
        assert plot["width"] >= 0.6 * 1280

        caption = page.get_by_text(re.compile("Look <img src=x"))
        expect(caption).to_be_visible()
        assert "evil.example" in caption.inner_text()
        assert page.locator('a[href*="evil"]').count() == 0
        assert page.locator('img[src="x"]').count() == 0
        assert "\u202e" not in caption.inner_text()
        support.shot(page, "present-slide-1.png")

        page.keyboard.press("ArrowRight")
        expect(page.get_by_text("2 / 2")).to_be_visible()
        expect(page.get_by_text("Clusters without labels")).to_be_visible()
        support.settle(page)
        assert "slide=2" in page.url, "the address names the slide shown"
        legend = page.locator(support.PLOT).inner_text()
        assert "Named by the presenter" in legend
        support.shot(page, "present-slide-2.png")

        page.keyboard.press("ArrowLeft")
        expect(page.get_by_text("1 / 2")).to_be_visible()


def test_a_share_link_opens_the_story_at_its_slide(story_app: tuple[str, str]) -> None:
    url, dataset_id = story_app
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.set_default_timeout(180_000)
        page.goto(_present(url, dataset_id, 2))
        expect(page.get_by_text("2 / 2")).to_be_visible(timeout=180_000)
        expect(page.get_by_text("Clusters without labels")).to_be_visible()
        support.settle(page)
        support.shot(page, "present-1920.png")


def test_a_story_that_is_not_the_visitors_is_not_shown(story_app: tuple[str, str]) -> None:
    url, _ = story_app
    with support.chromium() as browser:
        page: Any = browser.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{url}/story?" + urlencode({"dataset": "no-such", "story": "Four topics"}))
        expect(page.get_by_text(re.compile("This story is not here"))).to_be_visible()
        assert page.locator(support.PLOT).count() == 0


def test_a_story_is_built_from_saved_views_in_the_editor(story_app: tuple[str, str]) -> None:
    url, dataset_id = story_app
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/stories?dataset={dataset_id}&method=pca")
        support.settle(page)
        page.get_by_role("textbox", name="New story").fill("Built in the browser")
        page.get_by_role("button", name="Create").click()
        expect(page.get_by_text(re.compile("Created"))).to_be_visible()
        support.settle(page)
        page.get_by_role("button", name="Add slide").click()
        support.settle(page)
        expect(page.get_by_text("1 slide", exact=True)).to_be_visible()
        page.get_by_role("button", name="Add slide").click()
        support.settle(page)
        expect(page.get_by_text("2 slides")).to_be_visible()
        page.get_by_text("1. By topic").click()
        page.get_by_role("textbox", name="Caption").first.fill(HOSTILE + "\nA **bold** line")
        page.get_by_role("button", name="Save", exact=True).first.click()
        support.settle(page)
        expect(page.get_by_text("Slide 1 saved.")).to_be_visible()
        expect(page.get_by_text(re.compile("Look <img src=x")).first).to_be_visible()
        assert page.locator('a[href*="evil"]').count() == 0
        assert page.locator('img[src="x"]').count() == 0
        page.get_by_role("button", name="Export HTML").click()
        support.settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the HTML").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert exported.count("Built in the browser") >= 1
        assert exported.count('<section class="slide"') == 2, "one section a slide"
        assert "<img src=x" not in exported and 'href="http://evil' not in exported
        page.get_by_role("button", name="Slides as PNG").click()
        support.settle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the PNGs (zip)").click()
        with zipfile.ZipFile(download.value.path()) as pictures:
            names = sorted(pictures.namelist())
            assert names == ["slide-01.png", "slide-02.png", "story.json"]
            assert pictures.read("slide-01.png").startswith(b"\x89PNG")
        support.shot(page, "stories-editor.png")
        page.get_by_role("button", name="Present").click()
        expect(page.get_by_text("1 / 2")).to_be_visible()
        support.settle(page)
        assert support.errors_on_page(page) is None
