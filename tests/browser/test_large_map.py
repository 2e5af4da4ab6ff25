"""A map of more rows than are drawn as points, in a real browser: every row is shaded, the
sample is said on screen, and a box selection takes every row inside the box."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

from embedding_space.analysis.projection import PCA_FIRST_ABOVE, ProjectionParams
from embedding_space.figures.raster import SAMPLE_POINTS, rows_in_region
from embedding_space.store.workspace import Workspace
from tests.browser import support

pytestmark = pytest.mark.browser

ROWS = PCA_FIRST_ABOVE + 50_000

_AXES_JS = """
(selector) => {
  const layout = document.querySelector(selector)._fullLayout;
  return {x: layout.xaxis.range, y: layout.yaxis.range, left: layout.xaxis._offset,
          top: layout.yaxis._offset, width: layout.xaxis._length, height: layout.yaxis._length};
}
"""


@pytest.fixture(scope="module")
def large_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A server whose workspace holds one dataset of 250,000 rows of uploaded vectors."""
    folder = tmp_path_factory.mktemp("large-map")
    home = folder / "workspace"
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 6, ROWS)
    vectors = (np.eye(16)[groups] * 4 + rng.normal(size=(ROWS, 16))).astype(np.float32)
    frame = pd.DataFrame({"text": [f"row {row}" for row in range(ROWS)], "group": groups})
    frame["group"] = "group " + frame["group"].astype(str)
    info = Workspace(home).create_dataset(frame, "text", "large", shared=True, vectors=vectors)
    log = folder / "server.log"
    with support.app_server(home, log, fresh=True) as url:
        yield url, info.id, home


def test_a_box_on_a_large_map_selects_every_row_inside_it(
    large_app: tuple[str, str, Path],
) -> None:
    url, dataset_id, home = large_app
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/map?dataset={dataset_id}")
        plot = page.locator(support.PLOT).first
        plot.wait_for()
        support.settle(page, timeout=180)
        assert support.errors_on_page(page) is None
        expect(page.get_by_text(re.compile(r"the shading counts every row"))).to_be_visible()
        drawn = support.point_pixels(page)
        assert len(drawn) == SAMPLE_POINTS
        assert (
            page.evaluate(
                f"() => document.querySelector('{support.PLOT}')._fullLayout.images.length"
            )
            == 1
        )
        support.shot(page, "large-map.png")

        plot.hover()
        plot.locator('[data-title="Box Select"]').click()
        axes = page.evaluate(_AXES_JS, support.PLOT)
        origin = plot.bounding_box()
        # A box over the middle third of the map, in pixels and in map units.
        left = origin["x"] + axes["left"] + axes["width"] / 3
        right = origin["x"] + axes["left"] + axes["width"] * 2 / 3
        top = origin["y"] + axes["top"] + axes["height"] / 3
        bottom = origin["y"] + axes["top"] + axes["height"] * 2 / 3
        support.drag_box(page, left, top, right, bottom)
        heading = page.get_by_role("heading", name=re.compile(r"^[\d,]+ selected rows$"))
        expect(heading).to_be_visible(timeout=180_000)
        support.settle(page, timeout=180)
        selected = int(heading.inner_text().split()[0].replace(",", ""))
        sampled_inside = sum(
            left <= point["x"] <= right and top <= point["y"] <= bottom for point in drawn
        )
        support.shot(page, "large-map-selected.png")

    store = Workspace(home)
    key = store.embedded_models(dataset_id)[0]
    # The map the server drew, read back from its store.
    coordinates = (
        store.space(dataset_id, key).projection(ProjectionParams(method="pca")).coordinates
    )
    x_low, x_high = axes["x"]
    y_low, y_high = axes["y"]
    box = {
        "x": [x_low + (x_high - x_low) / 3, x_low + (x_high - x_low) * 2 / 3],
        "y": [y_high - (y_high - y_low) / 3, y_high - (y_high - y_low) * 2 / 3],
    }
    expected = len(rows_in_region(coordinates, boxes=[box]))
    # Every row inside, not only the drawn sample (one in five rows here).
    assert selected > 3 * sampled_inside
    assert abs(selected - expected) <= 0.01 * expected, (selected, expected)
