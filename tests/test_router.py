"""Every request goes through the router, even the very first one after a server starts.

Streamlit runs a folder named ``pages/`` as an old-style multipage app until some session has
reached ``st.navigation`` after a server start: a page script found there would then run
alone, without the sign-in gate, the session's state or the view its link describes. AppTest
resets that flag, so only a real server shows it: each case here starts one, opens one page
address as its first request in headless Chromium, and looks at what a visitor sees.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components import routes
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from tests.browser import support
from tests.helpers import page_heading, topics_frame

pytestmark = pytest.mark.server

pytest.importorskip("playwright.sync_api")

HEADINGS = {route: page_heading(route.url_path, "four topics") for route in routes.LISTED_ROUTES}
"""What each page's heading reads when it opens on the dataset of the link."""
DRAWN = {
    routes.MAP: support.PLOT,
    routes.SIMILARITY: support.PLOT,
    routes.NEIGHBORS: f"{support.MAIN} [data-testid='stTextInput']",
    routes.CONCEPTS: f"{support.MAIN} [data-testid='stTextInput']",
    routes.QUALITY: f"{support.MAIN} [data-testid='stDataFrame']",
    routes.COMPARE: f"{support.MAIN} [data-testid='stAlert']",  # "needs two embeddings"
    routes.STORIES: f"{support.MAIN} [data-testid='stTextInput']",
    routes.DATA: f"{support.MAIN} [data-testid='stFileUploader']",
}
"""Something each page shows only once it has finished drawing."""
AUTH_SECRETS = """\
[auth]
redirect_uri = "http://127.0.0.1:8501/oauth2callback"
cookie_secret = "a-secret-for-the-router-test-only"
client_id = "router-test"
client_secret = "router-test-secret"
server_metadata_url = "https://example.invalid/.well-known/openid-configuration"
"""


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """A workspace with the four-topics dataset embedded, so no page waits for the model."""
    home = tmp_path_factory.mktemp("router-workspace")
    store = Workspace(home)
    info = store.create_dataset(topics_frame(), "text", "four topics", dataset_id="four-topics")
    store.embeddings(info.id, embedder)
    return home


def _first_visit(
    browser: Any, workspace: Path, tmp_path: Path, address: str, *, sign_in: bool, ready: str
) -> Any:
    """Start a server, open ``address`` as its first request, wait for ``ready`` (a CSS
    selector); return the page."""
    extra: list[str] = []
    if sign_in:
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(AUTH_SECRETS)
        extra = ["--secrets.files", str(secrets)]
    log = tmp_path / "streamlit.log"
    with support.app_server(workspace, log, extra_args=extra, fresh=True) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(90_000)
        page.goto(f"{url}{address}")
        page.locator(ready).first.wait_for()
        support.settle(page)
        problem = support.errors_on_page(page)
        assert problem is None, f"{address}: {problem}\n{support.last_traceback(log)}"
        assert "Page not found" not in page.locator("body").inner_text(), address
        return page


ADDRESSES = [(f"/{route.url_path}", route) for route in routes.LISTED_ROUTES] + [("/", routes.MAP)]
"""Each page's own address, and the root, which opens the first page."""


@pytest.mark.parametrize(("path", "route"), ADDRESSES, ids=[path for path, _ in ADDRESSES])
def test_a_page_address_opened_first_runs_through_the_router(
    browser: Any, workspace: Path, tmp_path: Path, path: str, route: routes.Route
) -> None:
    address = f"{path}?dataset=four-topics&method=pca"
    heading = HEADINGS[route]
    page = _first_visit(browser, workspace, tmp_path, address, sign_in=False, ready=DRAWN[route])
    try:
        # The router's navigation lists its pages by title (the old mode lists file names).
        nav = page.get_by_test_id("stSidebarNav")
        titles = [
            link.inner_text().split("\n")[-1].strip() for link in nav.get_by_role("link").all()
        ]
        assert titles == [route.title for route in routes.LISTED_ROUTES]
        # The sidebar drew, and adopted the link's dataset.
        dataset = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset")
        assert dataset.input_value() == "four topics · 40 rows"
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        # The page sits at its own address, and the link's view is kept in it.
        assert page.url.split("?")[0].endswith(f"/{route.url_path}")
        assert "dataset=four-topics" in page.url and "method=pca" in page.url
        support.shot(page, f"router-{path.strip('/') or 'root'}.png")
    finally:
        page.close()


@pytest.mark.parametrize("route", routes.LISTED_ROUTES, ids=lambda route: route.url_path)
def test_with_sign_in_configured_a_first_visitor_sees_only_the_sign_in_button(
    browser: Any, workspace: Path, tmp_path: Path, route: routes.Route
) -> None:
    address = f"/{route.url_path}?dataset=four-topics"
    ready = f"{support.MAIN} [data-testid='stButton']"
    page = _first_visit(browser, workspace, tmp_path, address, sign_in=True, ready=ready)
    try:
        main = page.get_by_test_id("stMain")
        buttons = [button.inner_text().strip() for button in main.get_by_role("button").all()]
        assert buttons == ["Sign in"]
        assert page.get_by_test_id("stSidebarNav").count() == 0, "no links to the pages"
        assert page.get_by_test_id("stSidebar").get_by_role("combobox").count() == 0
        body = page.locator("body").inner_text()
        assert "four topics" not in body and HEADINGS[route] not in body.replace("Sign in", "")
        support.shot(page, f"router-sign-in-{route.url_path}.png")
    finally:
        page.close()
