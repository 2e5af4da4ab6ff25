"""The details a demo trips on, in a real browser at 1280 × 800: the eight cluster labels of a
12-row map hide at most one of its points (they hid five); texts dropped on the Neighbours
page are still there after a visit to the Map page, until cleared; the sidebar says what a
t-SNE map will cost before it starts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser import support
from tests.browser.conftest import TWELVE

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800

LABEL_COVER_JS = """
(selector) => {
  // Each cluster label as drawn (its box on the page) and each point's pixel: which points
  // does a label's box hide?
  const gd = document.querySelector(selector);
  const box = gd.getBoundingClientRect();
  const L = gd._fullLayout, size = L._size;
  const labels = Array.from(gd.querySelectorAll('.annotation'))
    .map((a) => a.getBoundingClientRect());
  const hidden = new Set();
  gd._fullData.forEach((t) => {
    if (t.mode !== 'markers' || !t.customdata) return;
    for (let j = 0; j < t.x.length; j++) {
      const x = box.left + size.l + L.xaxis.l2p(t.x[j]);
      const y = box.top + size.t + L.yaxis.l2p(t.y[j]);
      if (labels.some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom)) {
        hidden.add(Number(t.customdata[j][0]));
      }
    }
  });
  return {labels: labels.length, hidden: hidden.size};
}
"""


def _open(browser: Any, url: str) -> Any:
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.set_default_timeout(180_000)
    page.goto(url)
    expect(page.get_by_role("heading").first).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
    support.settle(page, timeout=180)
    return page


def test_labels_on_a_twelve_row_map_hide_almost_none_of_its_points(
    twelve_rows: tuple[str, str],
) -> None:
    support.require_chromium()
    url, dataset_id = twelve_rows
    with support.chromium() as browser:
        page = _open(browser, f"{url}/map?dataset={dataset_id}&method=pca&n_clusters=8")
        plot = page.locator(support.PLOT).first
        expect(plot.locator(".nsewdrag").first).to_be_attached(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page)
        drawn = page.evaluate(LABEL_COVER_JS, support.PLOT)
        support.shot(page, "small-data-labels.png")
        assert drawn["hidden"] <= 0.15 * len(TWELVE), f"labels hide {drawn['hidden']} of 12"
        assert drawn["labels"] == 8, "each cluster found a place that hides almost nothing"
        not_written = page.get_by_text(re.compile("cluster labels? (is|are) not written"))
        expect(not_written).to_have_count(0)
        assert support.errors_on_page(page) is None


def test_dropped_texts_stay_until_cleared_and_t_sne_says_its_cost_first(
    twelve_rows: tuple[str, str],
) -> None:
    support.require_chromium()
    url, dataset_id = twelve_rows
    with support.chromium() as browser:
        page = _open(browser, f"{url}/neighbors?dataset={dataset_id}&method=pca")
        cost = page.get_by_text(re.compile("t-SNE of 12 rows: a second or two here"))
        expect(cost).to_be_visible()

        page.get_by_role("combobox", name="Search by").click()
        page.get_by_role("option", name="texts to drop on the map").click()
        support.settle(page)
        box = page.get_by_role("textbox", name="Texts, one per line")
        box.fill("my card never came\nis there a fee for euros?")
        box.press("Control+Enter")
        support.settle(page)
        stars = page.locator(support.PLOT).first
        expect(stars.locator(".nsewdrag").first).to_be_attached(timeout=support.EXPECT_TIMEOUT_MS)
        assert _dropped_points(page) == 2

        page.get_by_test_id("stSidebarNav").get_by_text("Map", exact=True).click()
        support.settle(page, timeout=180)
        expect(page.get_by_role("button", name="Clear dropped texts")).to_be_visible(
            timeout=support.EXPECT_TIMEOUT_MS
        )
        page.get_by_test_id("stSidebarNav").get_by_text("Neighbours", exact=True).click()
        support.settle(page, timeout=180)
        expect(page.get_by_role("textbox", name="Texts, one per line")).to_have_value(
            "my card never came\nis there a fee for euros?", timeout=support.EXPECT_TIMEOUT_MS
        )
        expect(stars.locator(".nsewdrag").first).to_be_attached(timeout=support.EXPECT_TIMEOUT_MS)
        assert _dropped_points(page) == 2, "the dropped texts came back with the page"
        support.shot(page, "dropped-after-return.png")

        page.get_by_role("button", name="Clear dropped texts").first.click()
        support.settle(page)
        expect(page.get_by_role("textbox", name="Texts, one per line")).to_have_value("")
        assert support.errors_on_page(page) is None


def _dropped_points(page: Any) -> int:
    found = support.traces(page)
    return sum(t["count"] for t in found if t["name"] == "dropped" and t["mode"] == "markers")
