"""A person's quota in the app: what does not fit is refused with a sentence, and nothing of it
is kept."""

from __future__ import annotations

import pytest

from components import cached, routes, state
from embedding_space.store.owners import ANONYMOUS_PREFIX, MULTI_USER_VARIABLE, Limits
from tests.helpers import new_app


def test_texts_whose_vectors_would_not_fit_are_refused_and_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    app = new_app()
    app.run()
    store = cached.workspace()
    owner = f"{ANONYMOUS_PREFIX}{app.session_state[state.SESSION_OWNER]}"
    # Room for the rows (a few kB), not for their vectors (92 kB in a file, as much cached).
    room = store.owner_bytes(owner) + 50_000
    monkeypatch.setattr(store, "limits", Limits(max_megabytes=room / 1e6))
    before = {info.id for info in store.list_datasets()}
    app.switch_page(routes.DATA.path).run()
    texts = "\n".join(f"note {index} on a parcel that never came" for index in range(60))
    app.text_area[0].set_value(texts).run()
    app.text_input(key="paste_name").set_value("too big").run()
    app.button(key="paste_embed").click().run()
    assert not app.exception
    shown = [error.value.replace("\\", "") for error in app.error]  # markdown escapes
    assert len(shown) == 1 and shown[0].startswith("This would take your workspace past")
    assert {info.id for info in store.list_datasets()} == before, "nothing of it is kept"
    assert store.owner_bytes(owner) <= room - 50_000, "not a byte more than before"
