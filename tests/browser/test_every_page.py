"""Every page of the app on the bundled demo dataset, at a laptop's and a monitor's size, in a
real browser: each draws without an error, and no tab name, metric or button is cut short.

The screenshots it leaves in ``tests/artifacts/page-*.png`` are the ones to look at before a
demo (the README's screenshots come from the same walk).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from components.routes import LISTED_ROUTES
from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

SCREENS = ((1280, 800), (1920, 1080))
PAGES_WITH_A_PLOT = {"map", "similarity"}

CUT_SHORT = """() => {
    // Streamlit draws tab names, metric values and labels and button captions with CSS
    // ellipsis: a box narrower than its text is text the user cannot read.
    const selectors = ['[role="tab"] p', '[data-testid="stMetricValue"] div',
        '[data-testid="stMetricLabel"] p', '[data-testid="stBaseButton-secondary"] p',
        '[data-testid="stBaseButton-primary"] p'];
    const cut = [];
    for (const element of document.querySelectorAll(selectors.join(','))) {
        if (element.offsetParent === null) continue;  // hidden (a closed popover, another tab)
        if (element.scrollWidth > element.clientWidth + 1) cut.push(element.innerText.trim());
    }
    // A row of tabs wider than its box scrolls: the last names are cut off at its edge.
    for (const tabs of document.querySelectorAll('[role="tablist"]')) {
        if (tabs.offsetParent === null) continue;
        if (tabs.scrollWidth > tabs.clientWidth + 1) cut.push('tabs: ' + tabs.innerText.trim());
    }
    return cut;
}"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh server on a workspace holding the demo dataset, as ``make run`` leaves it."""
    folder = tmp_path_factory.mktemp("every-page")
    home = folder / "workspace"
    ensure_demo(Workspace(home))
    with support.app_server(home, folder / "server.log", fresh=True) as url:
        yield url


def _walk(page: Any, url: str, width: int, height: int) -> dict[str, list[str]]:
    cut_short: dict[str, list[str]] = {}
    for route in LISTED_ROUTES:
        page.goto(f"{url}/{route.url_path}?dataset={DEMO_DATASET_ID}")
        expect(page.get_by_role("heading").first).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page, timeout=240)
        if route.url_path in PAGES_WITH_A_PLOT:
            drawn = page.locator(support.PLOT).first.locator(".main-svg").first
            expect(drawn).to_be_attached(timeout=support.EXPECT_TIMEOUT_MS)
        _look(page, f"{route.title} at {width}x{height}", cut_short)
        support.shot(page, f"page-{route.url_path}-{width}x{height}.png")
        if route.url_path == "map":
            page.get_by_text("Side panel", exact=True).click()
            support.settle(page, timeout=240)
            _look(page, f"the Map's side panel at {width}x{height}", cut_short)
            support.shot(page, f"page-map-side-panel-{width}x{height}.png")
    return cut_short


def _look(page: Any, where: str, cut_short: dict[str, list[str]]) -> None:
    shown = support.errors_on_page(page)
    assert shown is None, f"{where} shows an error:\n{shown}"
    cut = page.evaluate(CUT_SHORT)
    if cut:
        cut_short[where] = cut


@pytest.mark.parametrize(("width", "height"), SCREENS, ids=lambda size: str(size))
def test_every_page_draws_and_cuts_nothing_short(demo_server: str, width: int, height: int) -> None:
    support.require_chromium()
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(240_000)
        cut_short = _walk(page, demo_server, width, height)
    assert not cut_short, f"cut short at {width}x{height}: {cut_short}"
    assert Path(support.ARTIFACTS / f"page-map-{width}x{height}.png").exists()
