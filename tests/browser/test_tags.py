"""Tags in a real browser: a box drawn on the map is tagged in the side panel, the map
coloured by tags shows exactly those rows under the tag's name, the exported table carries
the tag on exactly those rows; undo takes it back."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from embedding_space.demo import DEMO_DATASET_ID, ensure_demo
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

TAG = "lost & <found>"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Workspace]]:
    folder = tmp_path_factory.mktemp("tags")
    home = folder / "workspace"
    workspace = Workspace(home)
    ensure_demo(workspace)
    with support.app_server(home, folder / "server.log", fresh=True) as url:
        yield url, workspace


def _rows_in_trace(page: Any, name: str) -> set[int]:
    trace = support.layer(support.traces(page), name)
    assert trace is not None, f"no trace {name!r} on the map"
    return {int(row) for row in trace["rows"]}


def test_a_box_tagged_on_the_map_is_what_colour_by_tags_shows(
    demo_server: tuple[str, Workspace],
) -> None:
    support.require_chromium()
    url, workspace = demo_server
    with support.chromium() as browser:
        address = f"{url}/map?dataset={DEMO_DATASET_ID}&method=pca&color=(none)"
        page = support.open_map(browser, address, 1600, 1000)
        plot = page.locator(support.PLOT).first

        plot.hover()
        plot.locator('[data-title="Box Select"]').click()
        points = support.point_pixels(page)
        xs = sorted(p["x"] for p in points)
        ys = sorted(p["y"] for p in points)
        left, right = xs[len(xs) // 3], xs[len(xs) // 2]
        top, bottom = ys[len(ys) // 3], ys[len(ys) // 2]
        support.drag_box(page, left, top, right, bottom)
        heading = page.get_by_role("heading", name=re.compile(r"^[\d,]+ selected rows$"))
        expect(heading).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page)
        base = support.base_traces(support.traces(page))
        inside = {row for trace in base for row in (trace["selected"] or [])}

        def within(margin: float) -> set[int]:
            return {
                p["row"]
                for p in points
                if left + margin <= p["x"] <= right - margin
                and top + margin <= p["y"] <= bottom - margin
            }

        # Plotly decides a marker on the box's edge to the pixel: 2 px either way is the box.
        assert within(2) <= inside <= within(-2) and inside
        assert int(heading.inner_text().split()[0].replace(",", "")) == len(inside)

        page.get_by_role("tab", name="Kept").click()
        tag_box = page.get_by_role("combobox", name="with the tag")
        tag_box.click()
        tag_box.fill(TAG)
        tag_box.press("Enter")
        support.settle(page)
        page.get_by_role("button", name="Tag", exact=True).click()
        tagged = page.get_by_text(f"Tagged {len(inside):,} rows “{TAG}”.")
        expect(tagged).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page)
        assert workspace.tags(DEMO_DATASET_ID).rows_of(TAG) == sorted(inside)

        page.get_by_role("combobox", name="Colour by").click()
        page.get_by_role("option", name="Colour: tags").click()
        support.settle(page)
        expect(plot.locator(".nsewdrag").first).to_be_attached()
        assert _rows_in_trace(page, html.escape(TAG)) == inside, "the tagged rows take its colour"
        assert len(_rows_in_trace(page, "(untagged)")) == 3080 - len(inside)
        assert support.errors_on_page(page) is None
        support.shot(page, "tags-coloured.png")

        page.get_by_role("button", name="Export").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Table (CSV)").click()
        exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
        assert {int(r["row_id"]) for r in exported if r["tags"] == TAG} == inside
        assert all(r["tags"] == "" for r in exported if int(r["row_id"]) not in inside)
        page.keyboard.press("Escape")

        page.get_by_role("tab", name="Kept").click()
        page.get_by_role("button", name="Undo", exact=True).click()
        undone = page.get_by_text(f"Undid: tag {len(inside):,} rows")
        expect(undone).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        assert workspace.tags(DEMO_DATASET_ID).rows_of(TAG) == []
