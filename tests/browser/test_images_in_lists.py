"""Images beside texts in a real browser: the Neighbours page of a dataset of shapes draws each
neighbour's thumbnail in the table's first column (on the grid's canvas, in the row's own
colour), and the chosen row's image larger beside its text."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import expect

from components.tables import IMAGE_COLUMN_WIDTH
from embedding_space.store.workspace import Workspace
from tests.browser import support
from tests.image_lists_support import COLOURS, create_shapes_dataset, shapes, stored_thumbnails

pytestmark = pytest.mark.browser

QUERY_ROW = 14
"""A large orange square: its nearest rows are squares, in several colours and sizes."""
ROWS_CHECKED = 6
"""The table's rows in sight without scrolling it."""

_GRID_ROWS_JS = """
(grid) => Array.from(grid.querySelectorAll('table [role=row]'))
  .map((row) => Array.from(row.querySelectorAll('[role=gridcell]')).map((cell) => cell.textContent))
  .filter((cells) => cells.length)
"""
"""The text of each cell the grid lists for screen readers, row by row, for the rows in sight
(its canvas draws the cells themselves)."""


@pytest.fixture(scope="module")
def shapes_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Workspace]]:
    folder = tmp_path_factory.mktemp("images-in-lists")
    store = Workspace(folder / "workspace")
    dataset_id = create_shapes_dataset(store, shared=True)
    with support.app_server(store.root, folder / "server.log", fresh=True) as url:
        yield url, dataset_id, store


def _drawn_shapes(strip: np.ndarray) -> list[np.ndarray]:
    """The colours of the shapes drawn down a strip of pixels, top to bottom: each run of
    lines holding vivid pixels (a shape's fill and outline) is one shape; its colour is the
    median of its vivid pixels."""
    values = strip.astype(int)
    vivid = (values.max(axis=2) - values.min(axis=2)) > 60
    found, start = [], None
    for line, lit in enumerate([*(vivid.sum(axis=1) >= 3), False]):
        if lit and start is None:
            start = line
        elif not lit and start is not None:
            block, mask = values[start:line], vivid[start:line]
            if mask.sum() > 40:
                found.append(np.median(block[mask], axis=0))
            start = None
    return found


def test_the_neighbour_table_draws_each_rows_thumbnail_in_its_image_column(
    shapes_app: tuple[str, str, Workspace],
) -> None:
    from PIL import Image

    url, dataset_id, store = shapes_app
    thumbnails = stored_thumbnails(dataset_id, store)
    rows = shapes()
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/neighbors?dataset={dataset_id}&method=pca&focus={QUERY_ROW}")
        grid = page.get_by_test_id("stDataFrame").first
        expect(grid).to_be_visible(timeout=180_000)
        support.settle(page, timeout=180)
        assert support.errors_on_page(page) is None
        # The chosen row's image, larger than a thumbnail, decoded by the browser.
        query = page.get_by_role("img", name=f"The image of row {QUERY_ROW}")
        expect(query).to_be_visible()
        assert query.evaluate("img => img.complete && img.naturalWidth") > 96
        assert str(query.get_attribute("src")).startswith("data:image/webp;base64,")
        # The rows in sight as the grid lists them: each row's own image first, its number last.
        listed = grid.evaluate(_GRID_ROWS_JS)
        assert len(listed) >= ROWS_CHECKED
        listed_rows = [int(cells[-1]) for cells in listed]
        assert [cells[0] for cells in listed] == [thumbnails[row] for row in listed_rows]
        assert {rows[row].shape for row in listed_rows[:ROWS_CHECKED]} == {"square"}
        # And drawn on the canvas: down the image column, one shape a row, in its row's colour.
        grid.scroll_into_view_if_needed()
        support.settle(page)
        support.shot(page, "images-in-lists-neighbours.png")
        pixels = np.asarray(Image.open(io.BytesIO(grid.screenshot())).convert("RGB"))
        scale = pixels.shape[1] / grid.bounding_box()["width"]
        strip = pixels[:, int(4 * scale) : int((IMAGE_COLUMN_WIDTH - 4) * scale)]
        drawn = _drawn_shapes(strip)
        assert len(drawn) >= ROWS_CHECKED
        for colour, row in zip(drawn, listed_rows[:ROWS_CHECKED], strict=False):
            expected = np.array(COLOURS[rows[row].colour])
            assert np.abs(colour - expected).max() < 40, (row, colour.tolist(), expected.tolist())
