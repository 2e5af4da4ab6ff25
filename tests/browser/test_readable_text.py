"""Text a user can read on a laptop's screen (1280 × 800) in a real browser: a search result
shows most of its text, no tab, metric or button is cut, and the map's hover card is dark
text on a light card.

``st.dataframe`` paints its cells on a canvas, so the test records what the grid paints
(``fillText``: each string, where, and how wide) and counts the characters that land inside
the cell: what the eye can read, not what the server sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.embed import Embedder
from tests.browser import support

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800
PAGES = ["data", "map", "neighbors", "similarity", "concepts", "quality", "compare", "stories"]
SUBJECTS = ["parcel", "refund", "password", "invoice"]


def _text(row: int) -> str:
    subject = SUBJECTS[row % len(SUBJECTS)]
    return (
        f"Note {row}: the customer wrote again about the {subject}, saying that nobody had "
        f"answered the last three messages and that the {subject} still had not been sorted "
        "out after two weeks of waiting."
    )


# Every string a canvas paints, in CSS pixels of its canvas, for the grids' canvases.
_RECORD_CANVAS_TEXT = """
window.__painted = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
  const grid = this.canvas.closest && this.canvas.closest('[data-testid="stDataFrame"]');
  if (grid && window.__painted.length < 50000) {
    const m = this.getTransform(), ratio = window.devicePixelRatio || 1;
    const box = this.canvas.getBoundingClientRect();
    window.__painted.push({
      text: String(text),
      x: box.left + (m.a * x + m.e) / ratio,
      y: box.top + (m.d * y + m.f) / ratio,
      width: (this.measureText(String(text)).width * m.a) / ratio,
    });
  }
  return fillText.call(this, text, x, y, ...rest);
};
"""

# Elements of the main area whose own text runs past their box (an ellipsis or a clip).
_CUT_JS = """
(selector) => Array.from(document.querySelectorAll(selector))
  .filter((e) => e.offsetParent !== null && e.innerText.trim())
  .filter((e) => [e, ...e.querySelectorAll('*')].some((p) => p.scrollWidth > p.clientWidth + 1))
  .map((e) => e.innerText.trim().slice(0, 60))
"""

# Tabs drawn, wholly or partly, outside their tab bar (the bar scrolls them out of sight).
_TABS_OUT_OF_SIGHT_JS = """
() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stTabs"]'))
  .filter((tabs) => tabs.offsetParent !== null)
  .flatMap((tabs) => {
    const bar = tabs.getBoundingClientRect();
    return Array.from(tabs.querySelectorAll('[data-testid="stTab"]'))
      .filter((tab) => {
        const r = tab.getBoundingClientRect();
        return r.left < bar.left - 0.5 || r.right > bar.right + 0.5;
      })
      .map((tab) => tab.innerText.trim());
  })
"""


@pytest.fixture(scope="module")
def long_texts(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    """A served workspace holding 40 texts of ~170 characters with a label; URL and id."""
    folder = tmp_path_factory.mktemp("readable")
    frame = pd.DataFrame(
        {
            "text": [_text(row) for row in range(40)],
            "label": [SUBJECTS[row % len(SUBJECTS)] for row in range(40)],
        }
    )
    with support.served_dataset(folder, frame, "long texts", [embedder]) as served:
        yield served


def _open_map(page: Any, url: str, dataset_id: str) -> None:
    page.goto(f"{url}/map?dataset={dataset_id}&method=pca")
    plot = page.locator(support.PLOT).first
    expect(plot.locator(".nsewdrag").first).to_be_attached(timeout=180_000)
    support.settle(page, timeout=180)


def _search(page: Any, query: str) -> None:
    box = page.get_by_placeholder("Search, e.g. refund")
    box.fill(query)
    box.press("Enter")
    support.settle(page)
    page.get_by_role("tab", name="Search").click()
    support.settle(page)


def _readable_characters(page: Any, text: str) -> int:
    """How many characters of ``text`` the visible grid paints inside its cell: the lines of
    its cell (between the row's neighbours' row numbers), each cut at the grid's right edge."""
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    box = grid.bounding_box()
    painted = page.evaluate("() => window.__painted")
    inside = [p for p in painted if box["x"] <= p["x"] <= box["x"] + box["width"]]
    lines = {(p["text"], round(p["y"])): p for p in inside if p["text"] and p["text"] in text}
    row_numbers = sorted({round(p["y"]) for p in inside if p["text"] in ("0", "4")})
    assert len(row_numbers) == 2, f"rows 0 and 4 are listed first: {row_numbers}"
    row_height = row_numbers[1] - row_numbers[0]
    top, bottom = row_numbers[0] - row_height / 2, row_numbers[0] + row_height / 2
    right = box["x"] + box["width"]
    seen = 0
    for line in lines.values():
        if not top <= line["y"] <= bottom + 2:  # a baseline at the edge is still readable
            continue
        width = max(line["width"], 1.0)
        share = min(1.0, max(0.0, (right - line["x"]) / width))
        seen += int(len(line["text"]) * share)
    return seen


def test_a_search_result_shows_most_of_its_text_on_a_laptop(
    long_texts: tuple[str, str],
) -> None:
    support.require_chromium()
    url, dataset_id = long_texts
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(180_000)
        page.add_init_script(_RECORD_CANVAS_TEXT)
        _open_map(page, url, dataset_id)
        page.evaluate("() => { window.__painted = []; }")
        _search(page, "parcel")
        page.wait_for_timeout(1000)  # the grid paints on the next animation frames
        support.shot(page, "readable-search-1280.png")
        assert support.errors_on_page(page) is None
        seen = _readable_characters(page, _text(0))
        assert seen >= 80, f"the first result shows {seen} of its {len(_text(0))} characters"


def test_no_tab_metric_or_button_is_cut_on_a_laptop(long_texts: tuple[str, str]) -> None:
    support.require_chromium()
    url, dataset_id = long_texts
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(180_000)
        _open_map(page, url, dataset_id)
        _search(page, "refund")  # opens the side panel and its five tabs
        page.get_by_text("How far to trust this map").click()
        support.settle(page)
        expect(page.get_by_text("Trustworthiness@").first).to_be_visible()
        # What the checks below read is there: the panel's five tabs and the trust metrics.
        expect(page.locator(f"{support.MAIN} [data-testid='stTab']")).to_have_count(5)
        assert page.locator(f"{support.MAIN} [data-testid='stMetric']").count() >= 2
        found: dict[str, list[str]] = {
            "map": page.evaluate(_TABS_OUT_OF_SIGHT_JS)
            + page.evaluate(_CUT_JS, '[data-testid="stMain"] [data-testid="stMetric"]')
            + page.evaluate(_CUT_JS, '[data-testid="stMain"] [data-testid="stTab"]')
            + page.evaluate(_CUT_JS, '[data-testid="stMain"] button')
        }
        for name in PAGES:
            if name == "map":
                continue
            page.goto(f"{url}/{name}?dataset={dataset_id}")
            support.settle(page, timeout=180)
            found[name] = (
                page.evaluate(_TABS_OUT_OF_SIGHT_JS)
                + page.evaluate(_CUT_JS, '[data-testid="stMain"] [data-testid="stMetric"]')
                + page.evaluate(_CUT_JS, '[data-testid="stMain"] [data-testid="stTab"]')
                + page.evaluate(_CUT_JS, '[data-testid="stMain"] button')
            )
        assert {name: cut for name, cut in found.items() if cut} == {}


def _luminance(rgb: str) -> float:
    """WCAG relative luminance of a CSS ``rgb(r, g, b)`` colour."""
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_maps_hover_card_is_dark_text_on_a_light_card(long_texts: tuple[str, str]) -> None:
    support.require_chromium()
    url, dataset_id = long_texts
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(180_000)
        _open_map(page, url, dataset_id)
        point = support.point_pixels(page)[0]
        page.mouse.move(point["x"], point["y"])
        card = page.locator(f"{support.PLOT} .hoverlayer .hovertext").first
        expect(card).to_be_visible()
        support.shot(page, "readable-hover-1280.png")
        style = card.evaluate(
            """(g) => {
              const box = getComputedStyle(g.querySelector('path'));
              const text = getComputedStyle(g.querySelector('text'));
              return {fill: box.fill, stroke: box.stroke, color: text.fill,
                      size: parseFloat(text.fontSize), words: g.textContent};
            }"""
        )
        assert "Note" in style["words"], "the card shows the point's text"
        background, ink = _luminance(style["fill"]), _luminance(style["color"])
        assert background > 0.9, f"the card is {style['fill']}"
        assert (background + 0.05) / (ink + 0.05) >= 7, f"text {style['color']} on {style['fill']}"
        assert (background + 0.05) / (_luminance(style["stroke"]) + 0.05) >= 3, style["stroke"]
        assert style["size"] >= 13
