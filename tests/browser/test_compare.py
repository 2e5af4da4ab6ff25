"""The Compare page in a real browser: two embeddings of the topic texts, and a box on one
map lights the same rows on the other."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from embedding_space.embed.base import Embedder
from embedding_space.embed.traditional import TraditionalEmbedder
from tests.browser import support
from tests.helpers import topics_frame

pytestmark = pytest.mark.browser

_SELECTED_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).slice(1).map((gd) =>
  gd._fullData.flatMap((t) => (t.selectedpoints || []).map((i) => Number(t.customdata[i][0]))))
"""


@pytest.fixture(scope="module")
def compare_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("compare")
    embedders: list[Embedder] = [embedder, TraditionalEmbedder("tfidf")]
    with support.served_dataset(folder, topics_frame(), "topics", embedders) as served:
        yield served


def test_a_box_on_one_map_selects_the_same_rows_on_the_other(
    compare_app: tuple[str, str],
) -> None:
    url, dataset_id = compare_app
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/compare?dataset={dataset_id}&method=pca")
        plots = page.locator(support.PLOT)
        expect(plots).to_have_count(3, timeout=180_000)  # the histogram, map A, map B
        support.settle(page, timeout=180)
        assert support.errors_on_page(page) is None
        expect(page.get_by_text(re.compile(r"kNN agreement@10")).first).to_be_visible()
        first = plots.nth(1)
        first.scroll_into_view_if_needed()
        first.hover()
        first.locator('[data-title="Box Select"]').click()
        area = first.locator(".nsewdrag").first.bounding_box()
        left, top = area["x"] + 2, area["y"] + 2
        right, bottom = area["x"] + area["width"] * 0.6, area["y"] + area["height"] - 2
        support.drag_box(page, left, top, right, bottom)
        note = page.get_by_text(re.compile(r"^[\d,]+ rows selected on the maps\.$"))
        expect(note).to_be_visible(timeout=120_000)
        support.settle(page, timeout=120)
        count = int(note.inner_text().split()[0])
        on_a, on_b = page.evaluate(_SELECTED_JS, support.PLOT)
        assert 0 < count < 40
        assert sorted(on_a) == sorted(on_b) and len(on_a) == count
        support.shot(page, "compare-linked.png")
