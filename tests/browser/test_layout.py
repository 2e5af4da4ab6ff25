"""The Map page on a laptop's screen (1280 × 800) in a real browser: the map is in the first
screen and takes most of its width, and a legend too long for the plot is a searchable list."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.embed import Embedder
from tests.browser import support

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800
CATEGORIES = [f"topic {index:02d}" for index in range(24)] + ["card payments"]


@pytest.fixture(scope="module")
def many_labels(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    """A served workspace holding 100 texts in 25 labelled categories; its URL and id."""
    folder = tmp_path_factory.mktemp("layout")
    frame = pd.DataFrame(
        {
            "text": [f"a note number {row} about {CATEGORIES[row % 25]}" for row in range(100)],
            "label": [CATEGORIES[row % 25] for row in range(100)],
        }
    )
    with support.served_dataset(folder, frame, "many labels", [embedder]) as served:
        yield served


def test_the_map_fills_a_laptop_screen_and_its_long_legend_is_searchable(
    many_labels: tuple[str, str],
) -> None:
    support.require_chromium()
    url, dataset_id = many_labels
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/map?dataset={dataset_id}&method=pca")
        plot = page.locator(support.PLOT).first
        expect(plot.locator(".nsewdrag").first).to_be_attached(timeout=180_000)
        support.settle(page, timeout=180)
        assert support.errors_on_page(page) is None
        support.shot(page, "layout-test-map.png")

        area = plot.locator(".nsewdrag").first.bounding_box()
        assert area["y"] + area["height"] <= HEIGHT, f"the plot area ends at {area}"
        assert area["width"] >= 0.6 * WIDTH, f"the plot area is {area['width']:.0f} px wide"
        shown = [t for t in support.traces(page) if t["name"] in CATEGORIES]
        assert len(shown) == 25, "every category is drawn in its colour"

        page.get_by_role("button", name=re.compile(r"^Legend \(25\)")).click()
        listed = page.locator(".es-legend-row")
        expect(listed).to_have_count(25)
        find = page.get_by_role("textbox", name="Find a category")
        find.fill("card")
        find.press("Enter")
        expect(listed).to_have_count(1)
        expect(listed.first).to_contain_text("card payments")
        expect(page.get_by_text("1 of 25 categories")).to_be_visible()
        support.shot(page, "layout-test-legend.png")
