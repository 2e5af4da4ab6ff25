"""The fast preview model chosen in a real browser: typed into the sidebar's model box, it
embeds the dataset there and then, draws every row, and says beside the box how far its
neighbours agree with all-MiniLM-L6-v2's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from embedding_space.embed.static import PREVIEW_MODEL, preview_measure
from tests.browser import support
from tests.browser.conftest import TWELVE

pytestmark = pytest.mark.browser


def test_typing_preview_draws_the_map_with_it_and_states_its_agreement(
    twelve_rows: tuple[str, str],
) -> None:
    support.require_chromium()
    measured = preview_measure()
    assert measured is not None
    url, dataset_id = twelve_rows
    with support.chromium() as browser:
        page = support.open_map(browser, f"{url}/map?dataset={dataset_id}&method=pca")
        note = page.get_by_text(re.compile("^Fast preview"))
        expect(note).to_have_count(0)
        before = {p["row"]: (round(p["x"]), round(p["y"])) for p in support.point_pixels(page)}
        box = page.get_by_role("textbox", name="Embedding model")
        box.fill("preview")
        box.press("Enter")
        support.settle(page, timeout=180)
        expect(note).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        expect(box).to_have_value(PREVIEW_MODEL)
        support.settle(page, timeout=180)
        expect(note).to_contain_text(f"only {100 * measured.agreement:.0f} % are also among")
        expect(note).to_contain_text("measured on the BANKING77 demo")
        rows = sorted(row for t in support.base_traces(support.traces(page)) for row in t["rows"])
        assert rows == list(range(len(TWELVE)))
        after = {p["row"]: (round(p["x"]), round(p["y"])) for p in support.point_pixels(page)}
        assert after != before, "the map was redrawn from the preview's vectors"
        support.shot(page, "preview-model-map.png")
        assert support.errors_on_page(page) is None
