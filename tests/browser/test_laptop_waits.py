"""The slow moments on a laptop's screen (1280 × 800) in a real browser: embedding 1,000 texts
shows a bar from the first moment (the first batch, which loads the model) and the time left
from the first batch,
in sight at the top of the Data page however far down "Embed and explore" was; the Similarity
page at 300 rows computes nothing until Apply and draws a label strip one can see, with a
legend."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.demo import DEMO_CSV, ensure_demo
from embedding_space.figures.heatmap import STRIP_PIXELS
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800
WAIT_MS = 180_000
"""A fresh server loads the model on the first embedding; a shared machine may be slow."""

STRIP_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  const strip = gd._fullData.find((t) => t.name === 'labels (rows)');
  if (!strip) return null;
  const x = gd._fullLayout.xaxis;
  return Math.abs(x.l2p(strip.x0 + strip.dx / 2) - x.l2p(strip.x0 - strip.dx / 2));
}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A fresh server (no model loaded yet) on a workspace holding the demo; its URL, the
    demo's id and a folder for files."""
    folder = tmp_path_factory.mktemp("laptop-waits")
    demo = ensure_demo(Workspace(folder / "workspace"))
    with support.app_server(folder / "workspace", folder / "server.log", fresh=True) as url:
        yield url, demo.id, folder


def _thousand_texts(path: Path) -> None:
    """1,000 texts, half short queries and half paragraphs of a dozen of them, as a CSV."""
    demo = pd.read_csv(DEMO_CSV)
    short = demo["text"].astype(str).tolist()
    rng = np.random.default_rng(0)
    rows = []
    for index in range(1000):
        if index % 2:
            rows.append(short[int(rng.integers(len(short)))])
        else:
            picked = rng.integers(len(short), size=12)
            rows.append(" ".join(short[int(i)] for i in picked))
        rows[-1] += f" ({index})"
    pd.DataFrame({"text": rows, "kind": ["paragraph", "query"] * 500}).to_csv(path, index=False)


def _in_sight(locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not drawn"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, f"{what} is out of sight: {box}"


def test_embedding_shows_a_bar_from_the_start_and_the_time_left_in_sight(
    served: tuple[str, str, Path],
) -> None:
    support.require_chromium()
    url, _, folder = served
    csv_path = folder / "thousand.csv"
    _thousand_texts(csv_path)
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/data")
        uploader = page.get_by_test_id("stFileUploader").filter(has_text="A file of texts")
        uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_path))
        expect(page.get_by_text("Read 1,000 rows")).to_be_visible(timeout=WAIT_MS)
        support.settle(page)
        page.get_by_role("button", name="Embed and explore").click()  # scrolled into view

        bar = page.get_by_test_id("stProgress")
        # The model is loaded with the first batch now (in about a second, without torch), so
        # the bar's first words are the first batch's.
        first = re.compile(r"^Embedding 0 of 1,000 texts with \S+ · time left after the first")
        expect(bar.get_by_text(first)).to_be_visible(timeout=WAIT_MS)
        _in_sight(bar, "the bar while the first batch runs")
        expect(bar.get_by_text(re.compile(r"about [\d,]+ (s|min)[\d s]* left"))).to_be_visible(
            timeout=WAIT_MS
        )
        _in_sight(bar, "the bar with the time left")
        assert support.errors_on_page(page) is None
        support.shot(page, "laptop-embedding-progress.png")
        page.close()  # nobody is watching: the embedding stops


def test_the_similarity_heatmap_at_300_rows_waits_for_apply_and_shows_its_labels(
    served: tuple[str, str, Path],
) -> None:
    support.require_chromium()
    url, demo_id, _ = served
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/similarity?dataset={demo_id}&color=category")
        caption = page.get_by_text(re.compile(r"^Showing a random sample of 100 of 3,080"))
        expect(caption).to_be_visible(timeout=WAIT_MS)
        support.settle(page)

        page.get_by_role("button", name=re.compile(r"^100 rows")).click()
        rows = page.get_by_role("spinbutton", name="Rows")
        for _ in range(5):  # keyboard steps: each one reruns the page, none computes
            rows.press("ArrowUp")
            support.settle(page)
        expect(caption).to_be_visible(timeout=WAIT_MS)
        rows.fill("300")
        rows.press("Enter")
        support.settle(page)
        expect(caption).to_be_visible(timeout=WAIT_MS)
        page.get_by_role("button", name="Apply").click()
        expect(
            page.get_by_text(re.compile(r"^Showing a random sample of 300 of 3,080"))
        ).to_be_visible(timeout=WAIT_MS)
        page.keyboard.press("Escape")  # close the popover
        support.settle(page)
        assert support.errors_on_page(page) is None

        width = page.evaluate(STRIP_JS, support.PLOT)
        support.shot(page, "laptop-similarity-300-rows.png")
        assert width is not None and width >= STRIP_PIXELS - 2, f"the strip is {width} px wide"
        legend = page.locator(f"{support.PLOT} .legend .traces")
        assert legend.count() >= 10, "a legend names the strip's colours"
        support.shot(page, "laptop-similarity-300-rows.png")
