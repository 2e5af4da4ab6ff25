"""The cluster controls in the Map popover, in a real browser: Suggest fills in n_clusters and
the controls stay open, with Apply in sight, through Suggest and the next edit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from embedding_space.embed import Embedder
from tests.browser import support
from tests.helpers import topics_frame

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 800


@pytest.fixture(scope="module")
def served_topics(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str]]:
    """A served workspace holding the forty topic texts; its URL and the dataset's id."""
    folder = tmp_path_factory.mktemp("cluster-controls")
    with support.served_dataset(folder, topics_frame(), "four topics", [embedder]) as served:
        yield served


def test_suggest_leaves_the_cluster_controls_open_with_apply_in_sight(
    served_topics: tuple[str, str],
) -> None:
    support.require_chromium()
    url, dataset_id = served_topics
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.set_default_timeout(180_000)
        page.goto(f"{url}/map?dataset={dataset_id}&method=pca&color=%28clusters%29")
        expect(page.locator(support.PLOT).first.locator(".nsewdrag").first).to_be_attached(
            timeout=180_000
        )
        support.settle(page, timeout=180)
        page.get_by_role("button", name=re.compile(r"Map$")).click()
        page.get_by_text("Clusters", exact=True).click()
        suggest = page.get_by_role("button", name="Suggest n_clusters")
        suggest.click()
        support.settle(page)
        note = page.get_by_text(re.compile(r"^Suggested \d+ clusters"))
        expect(note).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        suggested = re.search(r"Suggested (\d+) clusters", note.inner_text())
        assert suggested is not None
        n_clusters = page.get_by_role("spinbutton", name=re.compile(r"^n_clusters"))
        expect(n_clusters).to_have_value(suggested.group(1), timeout=support.EXPECT_TIMEOUT_MS)
        apply = page.locator("button:visible", has_text=re.compile(r"^Apply$"))
        expect(apply).to_be_visible()
        expect(apply).to_be_enabled()
        support.shot(page, "cluster-controls-after-suggest.png")

        # The next edit keeps them open too, and Apply applies it.
        other = "3" if suggested.group(1) != "3" else "5"
        n_clusters.fill(other)
        n_clusters.press("Tab")
        support.settle(page)
        expect(n_clusters).to_be_visible()
        expect(n_clusters).to_have_value(other)
        expect(apply).to_be_enabled()
        apply.click()
        support.settle(page)
        expect(n_clusters).to_be_visible()
        expect(apply).to_be_disabled(timeout=support.EXPECT_TIMEOUT_MS)
        assert support.errors_on_page(page) is None
        names = {t["name"] for t in support.base_traces(support.traces(page))}
        assert len(names) == int(other), names
        support.shot(page, "cluster-controls-after-apply.png")
