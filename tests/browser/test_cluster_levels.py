"""Clusters at two levels in a real browser, on the demo: switching the Map settings' cluster
level to coarse colours and labels the map by the coarse clusters, the side panel's Clusters
tab shows them as the branches of the tree (its treemap), and picking a coarse cluster's row
in the tree selects its points."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

COARSE = 3
MAP_LABELS_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  return (gd.layout.annotations || []).map((note) => note.text);
}
"""
TREEMAP_JS = """
() => {
  const charts = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const tree = charts.find((gd) => gd.data && gd.data[0] && gd.data[0].type === 'treemap');
  if (!tree) return null;
  const t = tree.data[0];
  return {
    labels: Array.from(t.labels),
    parents: Array.from(t.parents),
    values: Array.from(t.values),
  };
}
"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("cluster-levels")
    home = folder / "workspace"
    ensure_demo(Workspace(home))
    # Port 8701: this piece's own range on a machine shared with other servers.
    with support.app_server(home, folder / "server.log", fresh=True, port=8701) as url:
        yield url


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"</?b>", "", text))


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1920, 1080)])
def test_switching_to_coarse_shows_the_coarse_clusters_on_the_map_and_in_the_tree(
    demo_server: str, width: int, height: int
) -> None:
    support.require_chromium()
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(180_000)
        page.goto(
            f"{demo_server}/map?dataset={DEMO_DATASET_ID}&method=pca"
            "&color=%28clusters%29&n_clusters=8"
        )
        plot = page.locator(support.PLOT).first
        expect(plot.locator(".nsewdrag").first).to_be_attached(timeout=180_000)
        support.settle(page, timeout=180)
        fine = {t["name"] for t in support.base_traces(support.traces(page))}
        assert len(fine) == 8, fine

        page.get_by_role("button", name=re.compile(r"Map$")).click()
        page.get_by_text("Clusters", exact=True).click()
        page.get_by_role("radio", name="coarse", exact=True).click()
        support.settle(page)
        count = page.get_by_role("spinbutton", name=re.compile(r"^Coarse clusters"))
        count.fill(str(COARSE))
        count.press("Tab")
        support.settle(page)
        expect(
            page.get_by_text("Renamed labels are the fine clusters'", exact=False)
        ).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.shot(page, f"cluster-levels-switch-{width}x{height}.png")
        page.keyboard.press("Escape")
        support.settle(page)
        assert support.errors_on_page(page) is None
        coarse = {_plain(t["name"]) for t in support.base_traces(support.traces(page))}
        assert len(coarse) == COARSE, coarse
        written = {_plain(text) for text in page.evaluate(MAP_LABELS_JS, support.PLOT)}
        assert written == coarse, "the map's labels are the coarse clusters'"
        support.shot(page, f"cluster-levels-coarse-map-{width}x{height}.png")

        page.get_by_text("Side panel", exact=True).click()
        support.settle(page)
        page.get_by_role("tab", name=re.compile(r"^Clusters")).click()
        expect(page.get_by_text("Rename a cluster")).to_be_visible(
            timeout=support.EXPECT_TIMEOUT_MS
        )
        page.get_by_text("Treemap of the clusters").click()
        support.settle(page)
        support.wait_for(lambda: page.evaluate(TREEMAP_JS) is not None, "the treemap")
        tree = page.evaluate(TREEMAP_JS)
        branches = {
            _plain(label)
            for label, parent in zip(tree["labels"], tree["parents"], strict=True)
            if not parent
        }
        assert branches == coarse, "the tree's branches are the map's coarse clusters"
        leaves = [parent for parent in tree["parents"] if parent]
        assert len(leaves) == 8, "each fine cluster is a leaf under one branch"
        support.shot(page, f"cluster-levels-tree-{width}x{height}.png")
        page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
        support.shot(page, f"cluster-levels-treemap-{width}x{height}.png")

        # The table lists the tree in the treemap's order, a row per box; a row's tick box
        # sits at its left edge. Picking the second branch selects its rows.
        second = [i for i, parent in enumerate(tree["parents"]) if not parent][1]
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 16, box["y"] + 35 * (second + 1) + 17)
        heading = page.get_by_role("heading", name=f"{int(tree['values'][second]):,} selected rows")
        expect(heading).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page)
        base = support.base_traces(support.traces(page))
        chosen = _plain(tree["labels"][second])
        bright = {t["name"]: len(t["selected"] or []) for t in base}
        assert {_plain(name) for name, count in bright.items() if count} == {chosen}
        support.shot(page, f"cluster-levels-picked-{width}x{height}.png")
