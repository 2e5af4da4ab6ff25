"""Label issues in a real browser, on real demo rows (six intents, 240 rows) embedded by the
real model with four labels flipped: the Quality page lists a flipped row first with its true
label suggested; Accept takes it off the list and the corrected column is in the table the map
exports; the map coloured by the score is highest on the flipped rows.

Six well-separated intents rather than the whole demo: BANKING77's 77 intents overlap, and ~70
of its own rows are flagged before any flip (measured at k = 10), so planted flips would not be
the first rows; among these six none is flagged until four are flipped."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from embedding_space.embed import Embedder
from embedding_space.store.corrections import corrected_name
from embedding_space.store.workspace import Workspace
from embedding_space.views import LABEL_ISSUE_SCORE
from tests.browser import support
from tests.helpers import FlippedIntents, flipped_intents

pytestmark = pytest.mark.browser

MARKER_COLOURS_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  const out = [];
  gd._fullData.forEach((t) => {
    if (t.mode !== 'markers' || !t.customdata || !t.marker) return;
    const colours = t.marker.color;
    if (colours === undefined || typeof colours === 'string') return;
    for (let j = 0; j < t.customdata.length; j++) {
      out.push([Number(t.customdata[j][0]), Number(colours[j])]);
    }
  });
  return out;
}
"""


@pytest.fixture(scope="module")
def noisy() -> FlippedIntents:
    return flipped_intents()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, noisy: FlippedIntents
) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("label-issues")
    frame = noisy.frame
    with support.served_dataset(folder, frame, "Six intents, four flipped", [embedder]) as (
        url,
        dataset_id,
    ):
        yield url, dataset_id, folder / "workspace"


def _first_row(page: Any) -> int:
    card = page.get_by_text(re.compile(r"^Row \d+ · score")).first
    expect(card).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
    found = re.match(r"Row (\d+)", card.inner_text())
    assert found is not None
    return int(found.group(1))


def test_a_flipped_row_is_listed_first_accepted_and_exported_corrected(
    served: tuple[str, str, Path], noisy: FlippedIntents
) -> None:
    support.require_chromium()
    url, dataset_id, home = served
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/quality?dataset={dataset_id}")
        support.settle(page, timeout=180)
        page.get_by_role("tab", name="Label issues").click()
        expect(page.get_by_text(re.compile(r"^4 rows flagged of 240 checked"))).to_be_visible(
            timeout=support.EXPECT_TIMEOUT_MS
        )
        support.settle(page)
        first = _first_row(page)
        assert first in noisy.flipped
        true_label = noisy.truth[first]
        accept = page.get_by_role("button", name=f"Accept “{true_label}”")
        expect(accept.first).to_be_visible()
        assert support.errors_on_page(page) is None
        support.shot(page, "label-issues-1280.png")
        page.set_viewport_size({"width": 1920, "height": 1080})
        support.settle(page)
        page.get_by_text("neighbours disagree").first.click()
        support.settle(page)
        support.shot(page, "label-issues-1920.png")
        page.set_viewport_size({"width": 1280, "height": 800})

        accept.first.click()
        expect(page.get_by_text(f"Row {first} corrected to “{true_label}”.")).to_be_visible(
            timeout=support.EXPECT_TIMEOUT_MS
        )
        support.settle(page)
        expect(page.get_by_text(re.compile(rf"^Row {first} · score"))).to_have_count(0)
        expect(page.get_by_text(re.compile(r"^Row \d+ · score"))).to_have_count(3)
        workspace = Workspace(home)
        space = workspace.space(dataset_id, workspace.embedded_models(dataset_id)[0])
        assert space.corrected_column("category")[first] == true_label
        support.shot(page, "label-issues-accepted.png")

        page.goto(f"{url}/map?dataset={dataset_id}&method=pca")
        support.settle(page, timeout=180)
        page.get_by_role("button", name="Export").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Table (CSV)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        exported = list(csv.DictReader(io.StringIO(text)))
        assert exported[first][corrected_name("category")] == true_label
        assert exported[first]["category"] == noisy.flipped[first], "the original is kept"
        unchanged = [r for i, r in enumerate(exported) if i != first]
        assert all(r[corrected_name("category")] == r["category"] for r in unchanged)


def test_the_map_coloured_by_the_score_is_highest_on_the_flipped_rows(
    served: tuple[str, str, Path], noisy: FlippedIntents
) -> None:
    support.require_chromium()
    url, dataset_id, _ = served
    with support.chromium() as browser:
        address = f"{url}/map?dataset={dataset_id}&method=pca&color={quote(LABEL_ISSUE_SCORE)}"
        page = support.open_map(browser, address)
        colour_by = page.get_by_role("combobox", name="Colour by")
        expect(colour_by).to_have_value("Colour: label issue score")
        scores = dict(page.evaluate(MARKER_COLOURS_JS, support.PLOT))
        assert len(scores) == 240
        assert min(scores[row] for row in noisy.flipped) > 0.99
        assert max(s for row, s in scores.items() if row not in noisy.flipped) < 0.7
        assert support.errors_on_page(page) is None
        support.shot(page, "label-issues-map-1280.png")
        page.set_viewport_size({"width": 1920, "height": 1080})
        support.settle(page)
        support.shot(page, "label-issues-map-1920.png")
