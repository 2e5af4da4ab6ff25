"""End to end in headless Chromium: the demo map, an upload, clicks, selections, every page.

One test walks the app as a user would, each step building on the one before; screenshots land
in ``tests/artifacts/`` (``failure.png`` when a step fails). The first page load in a fresh
workspace embeds and projects the 3,080-row demo dataset: a minute or more on a small machine.

Run only this: ``pytest tests/test_browser.py`` (or ``-m browser``). To work on the test itself
against an app that is already running, set ``EMBEDDING_SPACE_TEST_URL=http://127.0.0.1:PORT``.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser import support
from tests.helpers import TOPICS, write_topics_csv

pytestmark = pytest.mark.browser

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

FIRST_MAP_TIMEOUT_MS = 240_000
STEP_TIMEOUT_MS = 90_000
# A reused server still holds the datasets of earlier runs; a unique name keeps them apart.
UPLOAD_NAME = (
    f"four_topics_{int(time.time())}" if os.environ.get(support.URL_VARIABLE) else "four_topics"
)
QUERY = "a recipe for baking bread"


@dataclass(frozen=True)
class App:
    url: str
    log: Path | None


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The app, served from the repository root with a fresh workspace of its own."""
    folder = tmp_path_factory.mktemp("browser-app")
    log = folder / "streamlit.log"
    with support.app_server(folder / "workspace", log) as url:
        yield App(url, None if os.environ.get(support.URL_VARIABLE) else log)


@pytest.fixture(scope="module")
def page(app: App) -> Iterator[Any]:
    """One Chromium tab for the whole journey; uncaught page errors are collected on it."""
    support.require_chromium()
    for stale in [*support.ARTIFACTS.glob("[01]?-*.png"), support.ARTIFACTS / "failure.png"]:
        stale.unlink(missing_ok=True)  # every screenshot left is from this run
    with support.chromium() as browser:
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.page_errors = errors
        try:
            yield tab
        finally:
            context.close()


class Journey:
    """The steps, in order; each leaves the app where the next one starts."""

    def __init__(self, page: Any, app: App, tmp: Path) -> None:
        self.page = page
        self.app = app
        self.tmp = tmp
        self.topic_of: dict[str, str] = {}
        self.problems: list[str] = []
        """Things that are wrong but that the journey could get round; reported at the end."""

    # --- helpers ------------------------------------------------------------------------------

    def check_clean(self, where: str) -> None:
        problem = support.errors_on_page(self.page)
        if problem is not None:
            raise AssertionError(
                f"{where}: the page shows an error:\n{problem}\n"
                f"{support.last_traceback(self.app.log)}"
            )

    def sidebar_link(self, title: str) -> None:
        nav = self.page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=title, exact=True).click()

    def chart(self, expression: str) -> Any:
        """Evaluate a JS expression over ``gd``, the first chart of the main area."""
        return self.page.evaluate(
            f"(() => {{ const gd = document.querySelector('{support.PLOT}');"
            f" return {expression}; }})()"
        )

    def wait_chart(self, condition: str, timeout: int = STEP_TIMEOUT_MS) -> None:
        """Wait until a JS predicate over ``gd`` holds, or the app shows an exception."""
        self.page.wait_for_function(
            f"""() => {{
                if (document.querySelector('[data-testid="stException"]')) return true;
                const gd = document.querySelector('{support.PLOT}');
                if (!gd || !gd._fullData || !gd._fullLayout) return false;
                try {{ return Boolean({condition}); }} catch (e) {{ return false; }}
            }}""",
            timeout=timeout,
        )
        self.check_clean(f"waiting for the chart ({condition})")

    def text_uploader(self) -> Any:
        """The file input of the "Upload a file" tab (other tabs have uploaders too)."""
        uploader = self.page.get_by_test_id("stFileUploader").filter(has_text="A file of texts")
        return uploader.get_by_test_id("stFileUploaderDropzoneInput")

    def modebar(self, title: str) -> None:
        """Press a button of the chart's modebar (it shows while the mouse is over the chart)."""
        plot = self.page.locator(support.PLOT).first  # the map; the side panel has charts too
        plot.hover()
        plot.locator(f'[data-title="{title}"]').click()

    def click_a_point(self) -> dict[str, Any]:
        """Click a marker in the middle of a cluster of its own topic, with room around it."""
        page = self.page
        page.locator(support.PLOT).first.scroll_into_view_if_needed()
        points = support.point_pixels(page)
        assert len(points) == 40, f"{len(points)} markers on the map"

        def distance(a: dict[str, Any], b: dict[str, Any]) -> float:
            return math.dist((a["x"], a["y"]), (b["x"], b["y"]))

        def room(point: dict[str, Any]) -> float:
            return min(distance(point, other) for other in points if other is not point)

        def among_its_own(point: dict[str, Any]) -> bool:
            nearest = sorted(points, key=lambda other: distance(point, other))[1:4]
            return all(other["trace"] == point["trace"] for other in nearest)

        def off_centre(point: dict[str, Any]) -> float:
            own = [other for other in points if other["trace"] == point["trace"]]
            centre = {
                "x": sum(o["x"] for o in own) / len(own),
                "y": sum(o["y"] for o in own) / len(own),
            }
            return distance(point, centre)

        # A typical member of its topic (near the middle of its cluster), clear of other markers.
        candidates = [p for p in points if among_its_own(p) and room(p) >= 8]
        target = min(candidates, key=off_centre) if candidates else max(points, key=room)
        page.mouse.move(target["x"] - 30, target["y"] - 30)
        page.mouse.move(target["x"], target["y"], steps=5)
        page.wait_for_timeout(300)  # plotly finds the point under the mouse as it moves
        page.mouse.click(target["x"], target["y"])
        return target

    def tall_shot(self, name: str, height: int = 1700) -> None:
        """A screenshot of a taller window, for pages whose point is below the fold."""
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": size["width"], "height": height})
        try:
            self.page.wait_for_timeout(500)  # let the charts take the new size
            support.shot(self.page, name)
        finally:
            self.page.set_viewport_size(size)

    def topic(self, hover: str) -> str:
        text = support.plain_text(hover)
        assert text in self.topic_of, f"{text!r} is not one of the uploaded texts"
        return self.topic_of[text]

    # --- the steps ----------------------------------------------------------------------------

    def demo_map(self) -> None:
        page = self.page
        page.goto(self.app.url)
        # Scattergl draws on WebGL canvases; its SVG scatter layer exists but stays empty.
        self.wait_chart(
            "gd.querySelector('canvas') && gd._fullData.length > 0", FIRST_MAP_TIMEOUT_MS
        )
        support.settle(page, timeout=120)
        expect(page.get_by_role("heading", name="Demo: BANKING77 customer queries")).to_be_visible()
        found = support.traces(page)
        assert {t["type"] for t in found} == {"scattergl"}, found[:3]
        shown = sum(t["count"] for t in support.base_traces(found))
        assert shown == 3080, f"the demo map shows {shown} points"
        self.check_clean("demo map")
        support.shot(page, "01-demo-map.png")

    def upload(self) -> None:
        page = self.page
        csv_path = self.tmp / f"{UPLOAD_NAME}.csv"
        self.topic_of = write_topics_csv(csv_path)
        self.sidebar_link("Data")
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
        self.text_uploader().set_input_files(str(csv_path))
        expect(page.get_by_text("Read 40 rows")).to_be_visible()
        support.settle(page)
        self.check_clean("upload preview")
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
        support.shot(page, "02-upload-preview.png")

        page.get_by_role("button", name="Embed and explore").click()
        # The model is loaded only now, when a text must be embedded for the first time.
        expect(page.get_by_role("heading", name=UPLOAD_NAME, exact=True)).to_be_visible(
            timeout=STEP_TIMEOUT_MS
        )
        self.wait_chart(
            "gd._fullData.some(t => t.name === 'cooking') && gd.querySelector('canvas')"
        )
        support.settle(page)
        base = support.base_traces(support.traces(page))
        plotted = sum(t["count"] for t in base)
        distinct = {row for t in base for row in t["rows"]}
        assert plotted == 40, f"{plotted} points plotted for 40 uploaded rows"
        assert distinct == set(range(40)), sorted(distinct)
        assert {t["name"] for t in base} == set(TOPICS), "coloured by topic"
        for trace in base:  # every point sits in its own topic's trace
            assert {self.topic(hover) for hover in trace["hover"]} == {trace["name"]}
        self.check_clean("uploaded map")
        support.shot(page, "03-uploaded-map.png")

    def click_point(self) -> None:
        page = self.page
        # The side panel heads the list with "Row N" (bold), then the clicked text.
        row_label = page.get_by_text(re.compile(r"^Row \d+:?$"))
        listed = row_label.or_(page.get_by_test_id("stException")).first
        dragmode = self.chart("gd._fullLayout.dragmode")
        clickmode = self.chart("gd._fullLayout.clickmode")
        self.click_a_point()
        try:
            expect(listed).to_be_visible(timeout=10_000)
        except AssertionError:
            if dragmode not in ("lasso", "select"):
                raise
            # Streamlit sets clickmode 'event' (no selection) in these drag modes.
            self.problems.append(
                f"A click on a point in the map's initial drag mode ({dragmode!r}) does not list "
                f"its neighbours: with that drag mode plotly's clickmode is {clickmode!r}, so "
                "Streamlit never sends the click to the app. It works after choosing 'Pan'."
            )
            self.modebar("Pan")
            self.click_a_point()
            expect(listed).to_be_visible()
        self.check_clean("after a click on the map")
        self.wait_chart("gd._fullData.some(t => t.name === 'neighbours')")
        support.settle(page)

        found = support.traces(page)
        clicked, neighbours = support.layer(found, "clicked"), support.layer(found, "neighbours")
        assert clicked is not None and neighbours is not None, [t["name"] for t in found]
        row = clicked["rows"][0]
        expect(page.get_by_text(re.compile(rf"^Row {row}:?$"))).to_be_visible()
        clicked_topic = self.topic(clicked["hover"][0])
        assert len(neighbours["rows"]) == 10 and row not in neighbours["rows"]
        topics = Counter(self.topic(hover) for hover in neighbours["hover"])
        assert topics[clicked_topic] >= 6, f"row {row} ({clicked_topic}) has neighbours {topics}"
        # The panel beside the map shows the clicked text; and its neighbours, unless they are
        # in a table (a canvas: its cells are not in the DOM).
        side = page.get_by_test_id("stColumn").filter(has_text="Whole texts").last
        expect(side).to_contain_text(support.plain_text(clicked["hover"][0]))
        if not side.get_by_test_id("stDataFrame").count():
            for hover in neighbours["hover"]:
                expect(side).to_contain_text(support.plain_text(hover))
        self.check_clean("neighbours of a click")
        support.shot(page, "04-neighbours.png")

    def box_select(self) -> None:
        page = self.page
        self.modebar("Box Select")
        points = support.point_pixels(page)
        # A box around the points of one topic (and whatever else falls inside it).
        cluster = [p for p in points if p["trace"] == "astronomy"]
        left, right = min(p["x"] for p in cluster) - 6, max(p["x"] for p in cluster) + 6
        top, bottom = min(p["y"] for p in cluster) - 6, max(p["y"] for p in cluster) + 6
        inside = {p["row"] for p in points if left <= p["x"] <= right and top <= p["y"] <= bottom}
        support.drag_box(page, left, top, right, bottom)
        heading = page.get_by_role("heading", name=re.compile(r"^\d+ selected rows$"))
        expect(heading).to_be_visible()
        support.settle(page)
        self.check_clean("box selection")
        count = int(heading.inner_text().split()[0])
        assert count == len(inside) > 0, f"{count} selected; the box held rows {sorted(inside)}"
        # The map keeps the selection after the rerun: the other points are dimmed.
        base = support.base_traces(support.traces(page))
        kept = {row for trace in base for row in (trace["selected"] or [])}
        assert kept == inside, f"the map marks {sorted(kept)}; the box held {sorted(inside)}"
        self.tall_shot("05-selection.png")

    def keep_selection(self) -> None:
        """Keep the box selection under a name, then open the heatmap of exactly its rows."""
        page = self.page
        count = int(
            page.get_by_role("heading", name=re.compile(r"^\d+ selected rows$"))
            .inner_text()
            .split()[0]
        )
        page.get_by_role("tab", name="Kept").click()
        page.get_by_label("under the name").fill("the astronomy box")
        page.get_by_role("button", name="Keep it").click()
        expect(page.get_by_text(f"Kept “the astronomy box” ({count} rows).")).to_be_visible()
        support.settle(page)
        page.get_by_role("tab", name="Kept").click()
        page.get_by_role("button", name="Heatmap", exact=True).click()
        expect(page.get_by_role("heading", name="Similarity", exact=True)).to_be_visible()
        self.wait_chart(
            f"gd._fullData[0].type === 'heatmap' && gd._fullData[0].z.length === {count}"
        )
        support.settle(page)
        expect(page.get_by_text(f"Showing the {count} selected rows.")).to_be_visible()
        expect(page.get_by_role("heading", name="Most alike")).to_be_visible()
        self.check_clean("heatmap of a kept selection")
        self.tall_shot("06-kept-heatmap.png", height=1200)

    def query(self) -> None:
        page = self.page
        self.sidebar_link("Neighbours")
        expect(page.get_by_role("heading", name="Nearest neighbours")).to_be_visible()
        sentence = page.get_by_label("Sentence", exact=True)
        sentence.fill(QUERY)
        sentence.press("Enter")
        self.wait_chart(
            "gd._fullData.some(t => t.name === 'query') && "
            "gd._fullData.some(t => t.name === 'neighbours')"
        )
        support.settle(page)
        neighbours = support.layer(support.traces(page), "neighbours")
        assert neighbours is not None
        first = support.plain_text(neighbours["hover"][0])
        assert self.topic_of.get(first) == "cooking", f"nearest to {QUERY!r}: {first!r}"
        topics = Counter(self.topic(hover) for hover in neighbours["hover"])
        assert topics["cooking"] >= 6, topics
        shown = page.get_by_test_id("stDataFrame").or_(page.get_by_text(first, exact=True))
        expect(shown.first).to_be_visible()
        self.check_clean("query")
        support.shot(page, "07-query.png")

    def heatmap(self) -> None:
        page = self.page
        self.sidebar_link("Similarity")
        expect(page.get_by_role("heading", name="Similarity", exact=True)).to_be_visible()
        self.wait_chart("gd._fullData[0].type === 'heatmap'")
        support.settle(page)
        # It starts on the map's selection (one topic); all 40 rows show the four blocks.
        use_selection = page.get_by_text("Use the map selection (", exact=False)
        if use_selection.count():
            use_selection.click()
        self.wait_chart("gd._fullData[0].type === 'heatmap' && gd._fullData[0].z.length === 40")
        support.settle(page)
        caption = page.get_by_text(re.compile(r"^Mean cosine within the same topic"))
        expect(caption).to_be_visible()
        within, between = map(float, re.findall(r"\d+\.\d+", caption.inner_text()))
        assert within > between + 0.1, caption.inner_text()
        self.check_clean("similarity")
        self.tall_shot("08-heatmap.png", height=1200)

    def map_3d(self) -> None:
        page = self.page
        self.sidebar_link("Map")
        expect(page.get_by_role("heading", name=UPLOAD_NAME, exact=True)).to_be_visible()
        self.wait_chart("gd._fullData[0].type === 'scattergl'")
        support.settle(page)
        page.get_by_test_id("stSidebar").get_by_text("3-D", exact=True).click()
        self.wait_chart("gd._fullData[0].type === 'scatter3d' && gd.querySelector('canvas')")
        support.settle(page)
        assert sum(t["count"] for t in support.base_traces(support.traces(page))) == 40
        expect(page.get_by_text("40 points · UMAP 3-D")).to_be_visible()
        self.check_clean("3-D map")
        support.shot(page, "09-map-3d.png")

    def bad_file(self) -> None:
        page = self.page
        broken = self.tmp / "broken.csv"
        broken.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
        self.sidebar_link("Data")
        expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
        self.text_uploader().set_input_files(str(broken))
        alert = page.get_by_test_id("stAlert").filter(has_text="could not be used")
        expect(alert).to_be_visible()
        support.settle(page)
        expect(alert).to_contain_text("broken.csv")
        self.check_clean("bad file")
        dataset = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset")
        expect(dataset).to_have_value(f"{UPLOAD_NAME} · 40 rows")
        support.shot(page, "10-bad-file.png")


STEPS = (
    "demo_map",
    "upload",
    "click_point",
    "box_select",
    "keep_selection",
    "query",
    "heatmap",
    "map_3d",
    "bad_file",
)


def test_user_journey(page: Any, app: App, tmp_path: Path) -> None:
    """Demo map, upload, click, box selection kept and opened as a heatmap, query, heatmap,
    3-D, a bad file: in that order."""
    journey = Journey(page, app, tmp_path)
    timings: list[str] = []
    try:
        for step in STEPS:
            started = time.monotonic()
            try:
                getattr(journey, step)()
            except Exception as error:
                exception = page.get_by_test_id("stException")
                if exception.count():
                    exception.first.scroll_into_view_if_needed()
                support.shot(page, "failure.png")
                message = support.describe_failure(step, error, page, app.log)
                if journey.problems:
                    message += "\nAlso found before:\n" + "\n".join(journey.problems)
                pytest.fail(message, pytrace=False)
            timings.append(f"{step} {time.monotonic() - started:.1f} s")
    finally:
        print("\nstep timings:", ", ".join(timings))
    if page.page_errors:
        pytest.fail("uncaught errors in the page:\n" + "\n".join(page.page_errors), pytrace=False)
    if journey.problems:
        pytest.fail("\n".join(journey.problems), pytrace=False)
