"""A dataset that grows, in a real browser: a file of more rows added on the Data page lands on
the map without moving one old point, colour by batch shows the new rows under the batch's
name, and the Drift tab calls a batch of a new topic drift and lists its rows first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

SUBJECTS = ("my mortgage", "the home loan", "my remortgage", "the fixed-rate deal", "my loan offer")
ASKS = (
    "When will {} be approved?",
    "Can I overpay {} without a fee?",
    "Why did the interest on {} go up?",
    "Is there a penalty if I end {} early?",
    "What documents do you need for {}?",
    "Can I change the term of {}?",
)
MORTGAGE = [ask.format(subject) for ask in ASKS for subject in SUBJECTS]  # a topic BANKING77 lacks

COORDINATES_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  const out = {};
  gd._fullData.forEach((t) => {
    if (t.type !== 'scattergl' || t.mode !== 'markers' || !t.customdata) return;
    for (let j = 0; j < t.x.length; j++) {
      out[Number(t.customdata[j][0])] = [t.x[j], t.y[j], t.name];
    }
  });
  return out;
}
"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("batches")
    home = folder / "workspace"
    ensure_demo(Workspace(home))
    batch = folder / "december.csv"
    pd.DataFrame({"text": MORTGAGE, "category": "mortgage"}).to_csv(batch, index=False)
    with support.app_server(home, folder / "server.log", fresh=True) as url:
        yield url, batch


def _points(page: Any) -> dict[int, tuple[float, float, str]]:
    found = page.evaluate(COORDINATES_JS, support.PLOT)
    return {int(row): (float(x), float(y), str(name)) for row, (x, y, name) in found.items()}


def test_added_rows_land_on_the_map_without_moving_an_old_point(
    demo_server: tuple[str, Path],
) -> None:
    support.require_chromium()
    url, batch = demo_server
    with support.chromium() as browser:
        address = f"{url}/map?dataset={DEMO_DATASET_ID}&method=pca&color=(none)"
        page = support.open_map(browser, address)
        before = _points(page)
        assert len(before) == 3_080

        page.goto(f"{url}/data")
        support.settle(page)
        page.get_by_role("tab", name="Add rows").click()
        uploader = page.locator('[data-testid="stFileUploader"]').filter(
            has_text="A file of more rows"
        )
        uploader.locator("input[type=file]").set_input_files(str(batch))
        support.settle(page)
        page.get_by_role("button", name=f"Add {len(MORTGAGE)} rows").click()
        added = page.get_by_text(f"Added {len(MORTGAGE)} rows as “batch 2”")
        expect(added).to_be_visible(timeout=180_000)
        support.shot(page, "batch-added-1280.png")

        page = support.open_map(
            browser, f"{url}/map?dataset={DEMO_DATASET_ID}&method=pca&color=batch"
        )
        after = _points(page)
        assert len(after) == 3_080 + len(MORTGAGE)
        moved = [
            row for row, (x, y, _) in before.items() if (after[row][0], after[row][1]) != (x, y)
        ]
        assert moved == [], f"{len(moved)} old points moved"
        assert {after[row][2] for row in range(3_080, 3_080 + len(MORTGAGE))} == {"batch 2"}
        assert {after[row][2] for row in before} == {"batch 1"}
        support.shot(page, "batch-coloured-1280.png")

        page.goto(f"{url}/quality?dataset={DEMO_DATASET_ID}")
        support.settle(page)
        page.get_by_role("tab", name="Drift").click()
        page.get_by_role("button", name="Test for drift").click()
        support.settle(page, timeout=180)
        expect(page.get_by_text("Drift (p < 0.001)")).to_be_visible(timeout=60_000)
        novel = page.locator('[data-testid="stDataFrame"]').filter(
            has_text="nearest in the reference"
        )
        expect(novel).to_be_visible()
        support.shot(page, "batch-drift-1280.png")
