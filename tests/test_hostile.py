"""The app served to a team, tried as an attacker would, on a real server in Chromium.

A dataset whose name, file name, columns and texts hold a URL, an e-mail address, a markdown
link, HTML and a right-to-left override is uploaded and explored on every page: nothing of it
may become a link or markup, or reorder what is shown. And work a visitor walks away from
stops: closing the tab mid-embedding stops the embedding.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from embedding_space.demo import DEMO_CSV
from embedding_space.embed import EmbeddingCache
from embedding_space.store.workspace import Workspace
from tests.browser import support
from tests.helpers import TOPICS

pytestmark = pytest.mark.server

expect = pytest.importorskip("playwright.sync_api").expect

HOSTILE = (
    "http://evil.example/login www.evil.example mail@evil.example "
    "[click](http://evil.example/md) <b>bold</b> <a href='http://evil.example/a'>a</a> "
    "txt.\u202eexe"
)
NAME = "Report http://evil.example/n <b>bold</b> \u202etxt"
COLUMN = "label http://evil.example/c"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A multi-user server with a workspace of its own; yields its URL and the workspace."""
    support.require_chromium()
    folder = tmp_path_factory.mktemp("hostile")
    home = folder / "workspace"
    with support.app_server(
        home,
        folder / "streamlit.log",
        fresh=True,
        environment={"EMBEDDING_SPACE_MULTI_USER": "1"},
    ) as url:
        yield url, home


LEAKS_JS = """
() => {
  const hrefs = Array.from(document.querySelectorAll('a[href]'), (a) => a.getAttribute('href'));
  const svgLinks = Array.from(document.querySelectorAll('a'), (a) =>
    a.getAttribute('xlink:href') || a.getAttribute('href') || '');
  const bold = Array.from(document.querySelectorAll('[data-testid="stMain"] b, svg b'))
    .filter((b) => b.textContent.includes('bold')).length;
  return {
    links: [...hrefs, ...svgLinks].filter((h) => /evil|mailto:/i.test(h)),
    bold: bold,
    reversed: document.body.innerText.includes('\\u202e'),
  };
}
"""


def _assert_inert(page: Any, where: str) -> None:
    support.settle(page)
    assert support.errors_on_page(page) is None, where
    leaks = page.evaluate(LEAKS_JS)
    assert leaks == {"links": [], "bold": 0, "reversed": False}, f"{where}: {leaks}"


def _write_hostile_csv(path: Path) -> None:
    rows = [(text, topic) for topic, texts in TOPICS.items() for text in texts[:4]]
    rows.append((HOSTILE, HOSTILE))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", COLUMN])
        writer.writerows(rows)


def _open_page(page: Any, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()


def _ask(page: Any, title: str, label: str, text: str) -> None:
    """Open a page, type ``text`` into its ``label`` box and wait for the table of answers."""
    _open_page(page, title)
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()


def test_hostile_text_never_becomes_a_link_or_markup_on_any_page(
    server: tuple[str, Path], browser: Any, tmp_path: Path
) -> None:
    url, _ = server
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    upload = tmp_path / "mail@evil.example.csv"
    _write_hostile_csv(upload)
    page.goto(f"{url}/data")
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="A file of texts")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    expect(page.get_by_text("Read 17 rows")).to_be_visible()
    name_box = page.get_by_label("Dataset name").first
    name_box.fill(NAME)
    name_box.press("Enter")
    _assert_inert(page, "the upload preview")
    page.get_by_role("button", name="Embed and explore").first.click()
    expect(page.locator(support.PLOT)).to_be_visible()
    page.get_by_test_id("stSidebar").get_by_text("PCA", exact=True).click()
    _assert_inert(page, "the map")
    support.shot(page, "hostile-map.png")

    _ask(page, "Neighbours", "Sentence", "see http://evil.example/q or write to q@evil.example")
    _assert_inert(page, "the neighbours page")

    _open_page(page, "Similarity")
    expect(page.locator(support.PLOT)).to_be_visible()
    _assert_inert(page, "the similarity page")

    _ask(page, "Concepts", "Expression", "http://evil.example/x + mail@evil.example")
    _assert_inert(page, "the concepts page")
    support.shot(page, "hostile-concepts.png")

    _open_page(page, "Outliers & duplicates")
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.get_by_role("tab", name="Near-duplicates").click()
    _assert_inert(page, "the outliers and duplicates page")
    support.shot(page, "hostile-quality.png")

    _open_page(page, "Data")
    page.get_by_role("tab", name="Workspace").click()
    expect(page.get_by_role("button", name="Rename")).to_be_visible()
    _assert_inert(page, "the workspace tab")
    support.shot(page, "hostile-workspace.png")
    page.context.close()


def test_closing_the_tab_mid_embedding_stops_the_embedding(
    server: tuple[str, Path], browser: Any
) -> None:
    url, home = server
    # The demo comes embedded; the same 3,080 texts under another name are not.
    frame = pd.read_csv(DEMO_CSV, dtype={"text": "string", "category": "string"})
    unembedded = Workspace(home).create_dataset(frame, "text", "not embedded yet", shared=True)
    page = browser.new_context().new_page()
    page.goto(f"{url}/map?dataset={unembedded.id}")  # its texts start embedding
    expect(page.get_by_text("Embedding ", exact=False).first).to_be_visible()
    cache = EmbeddingCache(home)
    support.wait_for(lambda: cache.count() >= 128, "storing the first 128 vectors")
    page.context.close()
    # The batch in flight is stored, then nothing more: the count stands still far longer
    # than a batch takes (under a second), well short of every text.
    stopped_at = support.steady(cache.count, quiet=6.0)
    assert stopped_at < 3080, "nobody is watching: the embedding stopped"
