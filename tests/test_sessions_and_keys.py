"""Sessions that end on the server and keys that cannot be minted for free, on real servers.

With sign-in configured (a fake OpenID Connect provider on 127.0.0.1): a copy of the sign-in
cookie kept before signing out no longer opens the app; a sign-in older than
``EMBEDDING_SPACE_SESSION_HOURS`` must sign in again; Streamlit's upload endpoint keeps no
file of a session that has not signed in. In multi-user mode without sign-in: one browser
keeps one key, and one address gets only a few new keys an hour.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf.message import DecodeError
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from embedding_space.store.workspace import Workspace
from tests.browser import support
from tests.browser.oidc import FakeProvider, signed_in_server
from tests.helpers import topics_frame

pytestmark = pytest.mark.server

expect = pytest.importorskip("playwright.sync_api").expect

ALICE = {"sub": "alice-0001", "email": "alice@example.test", "name": "Alice"}
PRIVATE = "alice private zebras"


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeProvider]]:
    """The app with sign-in configured and a one-hour session lifetime, holding a dataset
    private to Alice; yields its URL and the provider."""
    support.require_chromium()
    folder = tmp_path_factory.mktemp("sessions")
    store = Workspace(folder / "workspace")
    store.create_dataset(
        topics_frame(), "text", PRIVATE, owner=f"user:{ALICE['sub']}", dataset_id="alices"
    )
    with signed_in_server(folder, environment={"EMBEDDING_SPACE_SESSION_HOURS": "1"}) as served:
        yield served


def _page(browser: Any, cookies: list[dict[str, Any]] | None = None) -> tuple[Any, list[bytes]]:
    """A page in a browser of its own (with ``cookies``), and the websocket frames it gets."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(90_000)
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    frames: list[bytes] = []
    page.on(
        "websocket",
        lambda socket: socket.on(
            "framereceived",
            lambda frame: frames.append(frame if isinstance(frame, bytes) else frame.encode()),
        ),
    )
    return page, frames


def _sign_in_button(page: Any) -> Any:
    return page.get_by_test_id("stMain").get_by_role("button", name="Sign in")


def _signed_in(page: Any) -> Any:
    return page.get_by_text("Signed in as alice\u2060@example.test")


def _shows_private_dataset(page: Any) -> None:
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Dataset")
    expect(box).to_match_aria_snapshot(f'- combobox "Dataset": /{PRIVATE}.*/')


def _session_id(frames: list[bytes]) -> str:
    """The id of the last session the server opened for this page (its NewSession)."""
    found = ""
    for frame in frames:
        with contextlib.suppress(DecodeError):
            message = ForwardMsg.FromString(frame)
            if message.WhichOneof("type") == "new_session":
                found = message.new_session.initialize.session_id
    assert found, "the server opened no session"
    return found


def _upload(page: Any, frames: list[bytes], url: str) -> int:
    """PUT a 1 MB file to Streamlit's upload endpoint for this page's session, as its own
    browser would (its cookies and XSRF token); returns the status."""
    session = _session_id(frames)
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
    response = page.request.put(
        f"{url}/_stcore/upload_file/{session}/probe-file",
        headers={"X-Xsrftoken": xsrf},
        multipart={
            "file": {"name": "big.txt", "mimeType": "text/plain", "buffer": b"x" * 1_000_000}
        },
    )
    return int(response.status)


def test_a_cookie_kept_from_before_sign_out_no_longer_opens_the_app(
    browser: Any, signed_app: tuple[str, FakeProvider]
) -> None:
    url, provider = signed_app
    provider.user = dict(ALICE)
    page, _ = _page(browser)
    page.goto(f"{url}/data")
    _sign_in_button(page).click()
    expect(_signed_in(page)).to_be_visible()
    page.goto(f"{url}/data?dataset=alices")
    _shows_private_dataset(page)
    kept = page.context.cookies()
    assert any(cookie["name"] == "_streamlit_user" for cookie in kept)

    # Before the sign-out, a copy of the cookie opens Alice's data in another browser:
    thief, _ = _page(browser, kept)
    thief.goto(f"{url}/data?dataset=alices")
    expect(_signed_in(thief)).to_be_visible()
    _shows_private_dataset(thief)
    thief.context.close()

    page.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
    expect(_sign_in_button(page)).to_be_visible()

    # ... and after it, no longer.
    thief, _ = _page(browser, kept)
    thief.goto(f"{url}/data?dataset=alices")
    expect(_sign_in_button(thief)).to_be_visible()
    support.settle(thief)
    assert PRIVATE not in thief.locator("body").inner_text()
    assert _signed_in(thief).count() == 0
    assert thief.get_by_test_id("stSidebar").get_by_role("combobox").count() == 0
    support.shot(thief, "sign-out-old-cookie.png")
    thief.context.close()

    # Alice herself signs in again as before: the new sign-in counts.
    _sign_in_button(page).click()
    expect(_signed_in(page)).to_be_visible()
    assert support.errors_on_page(page) is None
    page.context.close()


def test_a_sign_in_older_than_the_session_lifetime_must_sign_in_again(
    browser: Any, signed_app: tuple[str, FakeProvider]
) -> None:
    url, provider = signed_app
    provider.user = dict(ALICE)
    provider.issued_ago = 2 * 3600  # a sign-in kept from two hours ago; the lifetime is one
    try:
        page, _ = _page(browser)
        page.goto(f"{url}/data")
        _sign_in_button(page).click()
        expect(_sign_in_button(page)).to_be_visible()
        support.settle(page)
        assert _signed_in(page).count() == 0
        assert PRIVATE not in page.locator("body").inner_text()
    finally:
        provider.issued_ago = 0
    _sign_in_button(page).click()
    expect(_signed_in(page)).to_be_visible()
    page.context.close()


def test_no_upload_is_kept_before_sign_in(
    browser: Any, signed_app: tuple[str, FakeProvider]
) -> None:
    url, provider = signed_app
    anonymous, frames = _page(browser)
    anonymous.goto(f"{url}/data")
    expect(_sign_in_button(anonymous)).to_be_visible()
    support.settle(anonymous)
    assert _upload(anonymous, frames, url) == 403
    anonymous.context.close()

    provider.user = dict(ALICE)
    signed, frames = _page(browser)
    signed.goto(f"{url}/data")
    _sign_in_button(signed).click()
    expect(_signed_in(signed)).to_be_visible()
    support.settle(signed)
    assert _upload(signed, frames, url) == 204
    signed.context.close()


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app in multi-user mode without sign-in, three new keys an hour per address."""
    support.require_chromium()
    folder = tmp_path_factory.mktemp("keys")
    with support.app_server(
        folder / "workspace",
        folder / "streamlit.log",
        fresh=True,
        environment={
            "EMBEDDING_SPACE_MULTI_USER": "1",
            "EMBEDDING_SPACE_NEW_KEYS_PER_HOUR": "3",
        },
    ) as url:
        yield url


def _key_of_visit(page: Any, url: str) -> str:
    page.goto(f"{url}/data")
    page.wait_for_url(re.compile(r"key=[\w-]{44}"))
    found = re.search(r"key=([\w-]{44})", page.url)
    assert found is not None
    return found.group(1)


def test_a_browser_keeps_its_key_and_an_address_gets_few_new_ones(
    browser: Any, shared_app: str
) -> None:
    url = shared_app
    first, first_frames = _page(browser)
    key = _key_of_visit(first, url)
    support.settle(first)
    assert _upload(first, first_frames, url) == 204, "a visitor with a key may upload"
    assert _key_of_visit(first, url) == key, "a second visit without a link is the same owner"
    again = first.context.new_page()
    assert _key_of_visit(again, url) == key, "and so is another tab"

    others = [_page(browser) for _ in range(3)]
    keys = {_key_of_visit(other, url) for other, _ in others[:2]}
    assert len(keys) == 2 and key not in keys, "a browser of its own, a key of its own"

    refused, refused_frames = others[2]
    refused.goto(f"{url}/data")
    expect(refused.get_by_text("more new sessions in the last hour")).to_be_visible()
    support.settle(refused)
    assert "key=" not in refused.url
    assert refused.get_by_test_id("stSidebar").get_by_role("combobox").count() == 0
    support.shot(refused, "keys-rate-limited.png")
    assert _upload(refused, refused_frames, url) == 403, "nor may it keep an upload"

    assert _key_of_visit(first, url) == key, "a browser with its key still comes in"
    for page in (first, *(other for other, _ in others)):
        page.context.close()
