"""Signing in for real: the app, a fake OpenID Connect provider on 127.0.0.1, and Chromium.

Two people sign in through the provider one after the other, in browsers of their own: each
gets the app only after signing in, sees only their own datasets (and shared ones), and can
sign out again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from tests.browser import support
from tests.browser.oidc import FakeProvider, fake_provider, server_signing_in_at, signed_in_server
from tests.helpers import topics_frame

pytestmark = pytest.mark.server

expect = pytest.importorskip("playwright.sync_api").expect

ALICE = {"sub": "alice-0001", "email": "alice@example.test", "name": "Alice"}
BOB = {"sub": "bob-0002", "email": "bob@example.test", "name": "Bob"}


@pytest.fixture(scope="module")
def signed_app(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, FakeProvider]]:
    """The app with sign-in configured against the fake provider; yields its URL."""
    support.require_chromium()
    folder = tmp_path_factory.mktemp("sign-in")
    store = Workspace(folder / "workspace")
    shared = store.create_dataset(topics_frame(), "text", "four topics", dataset_id="four-topics")
    store.embeddings(shared.id, embedder)
    with signed_in_server(folder) as served:
        yield served


def _sign_in(browser: Any, url: str, provider: FakeProvider, user: dict[str, str]) -> Any:
    """A new browser of ``user``'s own, signed in; returns its page."""
    provider.user = dict(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(90_000)
    page = context.new_page()
    page.goto(f"{url}/data")
    button = page.get_by_test_id("stMain").get_by_role("button", name="Sign in")
    expect(button).to_be_visible()
    assert page.get_by_test_id("stSidebarNav").count() == 0
    button.click()
    shown = user["email"].replace("@", "\u2060@")  # shown as text, never as a mailto link
    expect(page.get_by_text(f"Signed in as {shown}")).to_be_visible()
    assert page.locator("a[href^='mailto:']").count() == 0
    return page


def _paste(page: Any, url: str, text: str, name: str) -> None:
    page.goto(f"{url}/data")
    page.get_by_role("tab", name="Paste texts").click()
    page.get_by_label("Texts, one per line").fill(text)
    name_box = page.get_by_label("Dataset name").last
    name_box.fill(name)
    name_box.press("Enter")
    support.settle(page)
    page.get_by_role("button", name="Embed and explore").last.click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    support.settle(page)


def _listed_datasets(page: Any) -> list[str]:
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset")
    box.click()
    names = [option.inner_text() for option in page.get_by_role("option").all()]
    page.keyboard.press("Escape")
    return names


def test_two_people_sign_in_see_only_their_own_datasets_and_sign_out(
    browser: Any, signed_app: tuple[str, FakeProvider]
) -> None:
    url, provider = signed_app
    alice = _sign_in(browser, url, provider, ALICE)
    _paste(alice, url, "alice's private note about zebras", "alice notes")
    assert any(name.startswith("alice notes") for name in _listed_datasets(alice))
    alice_link = alice.url
    assert re.search(r"dataset=[\w-]+", alice_link)
    support.shot(alice, "sign-in-alice.png")

    bob = _sign_in(browser, url, provider, BOB)
    listed = _listed_datasets(bob)
    assert not any("alice" in name for name in listed), listed
    assert any(name.startswith("four topics") for name in listed), "shared data stays visible"
    # Alice's link, opened by Bob: the dataset stays hers.
    bob.goto(alice_link)
    expect(bob.get_by_text("private to its owner")).to_be_visible()
    assert "zebras" not in bob.locator("body").inner_text()
    support.shot(bob, "sign-in-bob.png")

    bob.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    expect(bob.get_by_test_id("stMain").get_by_role("button", name="Sign in")).to_be_visible()
    assert bob.get_by_test_id("stSidebar").get_by_role("combobox").count() == 0
    assert provider.sign_ins == 2
    for page in (alice, bob):
        assert support.errors_on_page(page) is None
        page.context.close()


@pytest.fixture(scope="module")
def app_with_provider_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app with sign-in configured against a provider that is not running; yields its URL
    and the provider's port (where a provider may be started later)."""
    support.require_chromium()
    folder = tmp_path_factory.mktemp("sign-in-down")
    port, provider_port = support.free_port(), support.free_port()
    absent = FakeProvider(url=f"http://127.0.0.1:{provider_port}")
    with server_signing_in_at(folder, absent, port) as url:
        yield url, provider_port


def test_sign_in_with_the_provider_down_says_so_and_retry_signs_in_once_it_is_back(
    browser: Any, app_with_provider_down: tuple[str, int]
) -> None:
    url, provider_port = app_with_provider_down
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name="Sign in").click()
    expect(
        main.get_by_text(f"The sign-in service at 127.0.0.1:{provider_port} did not answer.")
    ).to_be_visible()
    assert "tell whoever runs this app" in main.inner_text()
    assert "Authentication error" not in page.locator("body").inner_text()
    assert page.url.rstrip("/") == url, "the browser stays on the app"
    support.shot(page, "sign-in-provider-down.png")

    with fake_provider(port=provider_port) as provider:
        provider.user = dict(ALICE)
        main.get_by_role("button", name="Retry").click()
        expect(page.get_by_text("Signed in as alice\u2060@example.test")).to_be_visible()
        assert provider.sign_ins == 1
    assert support.errors_on_page(page) is None
    context.close()
