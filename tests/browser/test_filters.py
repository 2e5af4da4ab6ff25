"""Filters in a real browser: a brush over a number chart and a click on a category bar hide
the other rows from the map, "N of M rows" says how many are left (pandas agrees, on the
predicate the link now carries), and clearing brings every row back."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.embed import load_embedder
from tests.browser import support

pytestmark = pytest.mark.browser

ROWS = 600
COUNT = re.compile(r"^([\d,]+) of ([\d,]+) rows$")

BAR_PIXEL_JS = """
(index) => {
  const gd = document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot')[index];
  const bar = 0;
  const box = gd.getBoundingClientRect(), L = gd._fullLayout, size = L._size;
  const t = gd._fullData[0];
  return {x: box.left + size.l + L.xaxis.l2p(t.x[bar] / 2),
          y: box.top + size.t + L.yaxis.l2p(t.y[bar]),
          label: gd._fullData[0].customdata[bar][1]};
}
"""


def _frame() -> pd.DataFrame:
    texts = pd.read_csv(Path(__file__).parents[2] / "embedding_space/data/banking77.csv")
    frame = texts.head(ROWS).reset_index(drop=True)
    rng = np.random.default_rng(0)
    frame["amount"] = np.round(rng.gamma(2.0, 40.0, ROWS), 2)
    days = rng.integers(0, 365, ROWS)
    frame["posted"] = [str(np.datetime64("2024-01-01") + np.timedelta64(int(d), "D")) for d in days]
    return frame


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, pd.DataFrame]]:
    frame = _frame()
    folder = tmp_path_factory.mktemp("filters")
    with support.served_dataset(folder, frame, "banking with dates", [load_embedder()]) as (
        url,
        dataset_id,
    ):
        yield url, dataset_id, frame


def _chart(page: Any, column: str) -> Any:
    """The drag layer of the small chart under the title ``column``."""
    title = page.locator("strong", has_text=re.compile(f"^{column}$"))
    column_box = page.locator('[data-testid="stColumn"]').filter(has=title)
    return column_box.locator(".nsewdrag").first


def _chart_index(page: Any, column: str) -> int:
    """Which plotly chart on the page (in document order) is the chart of ``column``."""
    handle = _chart(page, column).element_handle()
    return int(
        page.evaluate(
            """(el) => Array.from(document.querySelectorAll(
                 '[data-testid="stMain"] .js-plotly-plot'))
               .indexOf(el.closest('.js-plotly-plot'))""",
            handle,
        )
    )


def _link_filters(page: Any) -> dict[str, str]:
    # Read from the page: Playwright's page.url is not refreshed while the test sleeps.
    query = parse_qs(urlparse(page.evaluate("location.href")).query)
    return {name[2:]: values[0] for name, values in query.items() if name.startswith("f.")}


def _pandas_count(frame: pd.DataFrame, filters: dict[str, str]) -> int:
    """The rows passing the link's filters, by pandas: ``low~high`` on numbers (both ends
    in), categories joined by ``|``."""
    mask = pd.Series(True, index=frame.index)
    for column, value in filters.items():
        if "~" in value:
            low, high = (float(end) for end in value.split("~"))
            mask &= frame[column].between(low, high)
        else:
            mask &= frame[column].isin(value.split("|"))
    return int(mask.sum())


TAG_MAP_JS = """
() => {
  const plots = Array.from(document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot'));
  plots.forEach((gd) => gd.removeAttribute('data-map-under-test'));
  const map = plots.find((gd) => (gd._fullData || []).some((t) => t.type === 'scattergl'));
  if (map) map.setAttribute('data-map-under-test', '1');
  return Boolean(map);
}
"""


def _drawn(page: Any) -> int:
    """The points the map draws (the charts above it are plotly charts too)."""
    assert page.evaluate(TAG_MAP_JS), "no map on the page"
    found = support.traces(page, "[data-map-under-test]")
    return sum(trace["count"] for trace in support.base_traces(found))


def _shown_count(page: Any) -> tuple[int, int]:
    text = page.get_by_text(COUNT).first
    expect(text).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
    found = COUNT.match(text.inner_text().strip())
    assert found is not None
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def test_brushing_and_clicking_the_charts_filter_the_map_and_clearing_restores_it(
    served: tuple[str, str, pd.DataFrame],
) -> None:
    support.require_chromium()
    url, dataset_id, frame = served
    with support.chromium() as browser:
        page = support.open_map(browser, f"{url}/map?dataset={dataset_id}&method=pca&color=(none)")
        assert _drawn(page) == ROWS
        page.get_by_text("Filters", exact=True).click()
        support.settle(page)
        amount = _chart(page, "amount")
        expect(amount).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        expect(_chart(page, "category")).to_be_visible()
        expect(page.get_by_text("Brush a range on a chart")).to_be_visible()
        support.settle(page)

        # Brush the lower third of the amount histogram.
        box = amount.bounding_box()
        assert box is not None
        support.drag_box(
            page,
            box["x"] + 2,
            box["y"] + 10,
            box["x"] + box["width"] * 0.3,
            box["y"] + box["height"] - 10,
        )
        support.wait_for(lambda: "amount" in _link_filters(page), "the brush filtering amount")
        support.settle(page)
        filters = _link_filters(page)
        expected = _pandas_count(frame, filters)
        assert 0 < expected < ROWS
        assert _shown_count(page) == (expected, ROWS)
        assert _drawn(page) == expected, "the map draws only the rows that pass"
        support.shot(page, "filters-brushed-1280.png")

        # Click the first category bar: the filters combine.
        bar = page.evaluate(BAR_PIXEL_JS, _chart_index(page, "category"))
        page.mouse.click(bar["x"], bar["y"])
        support.wait_for(lambda: "category" in _link_filters(page), "the click filtering category")
        support.settle(page)
        filters = _link_filters(page)
        assert filters["category"] == bar["label"]
        both = _pandas_count(frame, filters)
        assert 0 < both < expected
        assert _shown_count(page) == (both, ROWS)
        assert _drawn(page) == both
        assert support.errors_on_page(page) is None

        page.set_viewport_size({"width": 1920, "height": 1080})
        time.sleep(1)  # plotly redraws the charts to the new width
        support.settle(page)
        support.shot(page, "filters-combined-1920.png")

        page.get_by_role("button", name="Clear all filters").click()
        support.wait_for(lambda: not _link_filters(page), "the filters being cleared")
        support.settle(page)
        assert _drawn(page) == ROWS
        expect(page.get_by_text(COUNT)).to_have_count(0)
