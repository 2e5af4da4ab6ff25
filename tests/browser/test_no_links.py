"""No link forms from user text on any page, however the text is encoded.

A dataset whose name, column names, labels and texts spell addresses in HTML entities
(named, decimal, hexadecimal, double-encoded), percent-encoding, fullwidth and other
look-alike characters is opened on every page of the app, and a second one is uploaded
through the Data page under such a name (the "Added …" message). No page may hold an anchor
that leads away from the app, and the name must still read as the user wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pandas as pd
import pytest
from playwright.sync_api import expect

from components.routes import LISTED_ROUTES
from embedding_space.embed.base import Embedder
from embedding_space.text import WORD_JOINER
from tests.browser import support
from tests.helpers import topics_frame

pytestmark = pytest.mark.browser

NAME = "http&colon;//evil.example/n mail&commat;evil&period;example"
NAME_AS_SHOWN = "http://evil.example/n mail@evil.example"
"""The name as markdown shows it: the entities read, the address not linked."""
UPLOAD_NAME = "http&colon;&sol;&sol;evil.example mail&commat;evil&period;example"
"""A file name cannot hold '/': the upload's name spells it as an entity as well."""
LABEL_COLUMN = "www&period;label&commat;evil&period;example"
ENCODINGS = [
    "http&#58;//evil.example/a",
    "see http&#x3a;//evil.example/b",
    "write to x&commat;evil&period;example",
    "http&amp;colon;//evil.example/c",
    "www&period;evil.example/d",
    "mailto&colon;x&commat;evil.example",
    "javascript&colon;alert(1)",
    "http%3A%2F%2Fevil.example%2Fe",
    "ｈｔｔｐ：／／evil.example/f ｗｗｗ．evil.example",
    "x＠evil.example http∶//evil.example/g www。evil.example",
    "https://evil.example/h plain, and www.evil.example and y@evil.example",
]
LABELS = {
    "cooking": "http&colon;//evil.example/cooking",
    "football": "www&period;football&commat;evil&period;example",
    "astronomy": "ｈｔｔｐ：／／evil.example/astronomy",
    "banking": "x&#64;evil&#46;example",
}
OUTSIDE_ANCHORS = """() => {
    // Every <a> of the page, HTML or SVG (plotly draws its links as <a xlink:href>), whose
    // target leaves the app: another host, or a scheme that is not the page's own.
    const here = location.origin;
    const outside = [];
    for (const a of document.querySelectorAll('a')) {
        const href = a.getAttribute('href') || a.getAttribute('xlink:href') || '';
        if (!href || href.startsWith('#')) continue;
        let target;
        try { target = new URL(href, location.href); } catch (e) { outside.push(href); continue; }
        if (target.origin !== here) outside.push(href + ' «' + (a.textContent || '') + '»');
    }
    return outside;
}"""


def hostile_frame() -> pd.DataFrame:
    frame = topics_frame()
    texts = [f"{text} {ENCODINGS[i % len(ENCODINGS)]}" for i, text in enumerate(frame["text"])]
    # Two equal texts, so the duplicates list of the Outliers page has one to show.
    texts[-1] = texts[-2]
    frame["text"] = texts
    frame["topic"] = frame["topic"].map(LABELS)
    frame["note&colon;//evil.example"] = [ENCODINGS[-i % len(ENCODINGS)] for i in range(len(frame))]
    return frame.rename(columns={"topic": LABEL_COLUMN})


@pytest.fixture(scope="module")
def hostile_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, str, Path]]:
    folder = tmp_path_factory.mktemp("no-links")
    with support.served_dataset(folder, hostile_frame(), NAME, [embedder]) as (url, dataset_id):
        yield url, dataset_id, folder


def _read(page: Any, where: str) -> str:
    shown = support.errors_on_page(page)
    assert shown is None, f"{where} shows an error:\n{shown}"
    outside = page.evaluate(OUTSIDE_ANCHORS)
    assert outside == [], f"{where} has links that leave the app: {outside}"
    return str(page.locator("body").inner_text()).replace(WORD_JOINER, "")


def test_no_page_links_away_and_the_name_still_reads(hostile_app: tuple[str, str, Path]) -> None:
    support.require_chromium()
    url, dataset_id, _ = hostile_app
    color = quote(LABEL_COLUMN, safe="")
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(240_000)
        for route in LISTED_ROUTES:
            page.goto(f"{url}/{route.url_path}?dataset={dataset_id}&method=pca&color={color}")
            expect(page.get_by_role("heading").first).to_be_visible(
                timeout=support.EXPECT_TIMEOUT_MS
            )
            support.settle(page, timeout=240)
            _read(page, route.title)
            support.shot(page, f"no-links-{route.url_path}-1280x800.png")
            # The sidebar's picker shows the name as typed (a select box is plain text).
            picked = page.get_by_role("combobox", name="Dataset").input_value()
            assert picked.startswith(NAME), f"{route.title}'s picker shows {picked!r}"
        page.goto(f"{url}/map?dataset={dataset_id}&method=pca&color={color}")
        support.settle(page, timeout=240)
        # The Map's title is markdown: the entities read as characters, and no link forms.
        heading = page.locator(f"{support.MAIN} h1").first.inner_text()
        assert heading.replace(WORD_JOINER, "") == NAME_AS_SHOWN
        # A clicked point opens the side panel: its text and its neighbours' texts are
        # listed there as markdown.
        page.goto(f"{url}/map?dataset={dataset_id}&method=pca&color={color}&focus=1")
        support.settle(page, timeout=240)
        text = _read(page, "the Map's side panel")
        support.shot(page, "no-links-map-side-panel-1280x800.png")
        assert "see http://evil.example/b" in text, "the clicked row's text reads as written"


def test_an_upload_named_with_entities_is_added_without_a_link(
    hostile_app: tuple[str, str, Path],
) -> None:
    support.require_chromium()
    url, _, folder = hostile_app
    upload = folder / f"{UPLOAD_NAME}.csv"
    hostile_frame().to_csv(upload, index=False)
    with support.chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(240_000)
        page.goto(f"{url}/data")
        support.settle(page, timeout=240)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            str(upload)
        )
        button = page.get_by_role("button", name="Embed and explore").first
        expect(button).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page, timeout=240)
        _read(page, "the Data page with the upload read")
        button.click()
        added = page.get_by_text(re.compile(r"^Added “"))
        expect(added).to_be_visible(timeout=support.EXPECT_TIMEOUT_MS)
        support.settle(page, timeout=240)
        text = _read(page, "the page after the upload")
        support.shot(page, "no-links-added-1280x800.png")
        assert "Added “http://evil.example mail@evil.example” with" in text
