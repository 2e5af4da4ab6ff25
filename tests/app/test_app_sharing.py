"""Who sees what, and links that reopen a view: two app sessions side by side."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import identity, routes, state
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.embed.static import PREVIEW_MODEL
from embedding_space.embed.traditional import KINDS as TRADITIONAL_KINDS
from embedding_space.store.owners import MULTI_USER_VARIABLE
from embedding_space.store.workspace import Workspace
from tests.helpers import new_app


def _dataset_choices(app: AppTest) -> list[str]:
    return list(app.sidebar.selectbox[0].options)


def _paste(app: AppTest, lines: str, name: str) -> str:
    app.switch_page(routes.DATA.path).run()
    app.text_area[0].set_value(lines).run()
    app.text_input(key="paste_name").set_value(name).run()
    app.button(key="paste_embed").click().run()
    assert not app.exception
    return str(app.session_state[state.DATASET_ID])


def test_in_multi_user_mode_each_session_sees_only_its_own_datasets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    alice, bob = new_app(), new_app()
    alice.run()
    bob.run()
    alice_id = _paste(alice, "alice's first text\nalice's second text", "alice's notes")
    owner = Workspace().get(alice_id).owner
    assert owner is not None and owner.startswith("session:")

    bob = new_app()
    bob.run()
    names = _dataset_choices(bob)
    assert not any("alice's notes" in name for name in names)
    assert any("Demo" in name for name in names), "shared datasets stay visible"

    # A link to Alice's private dataset does not open it for Bob.
    intruder = new_app()
    intruder.query_params["dataset"] = alice_id
    intruder.run()
    assert not intruder.exception
    assert intruder.session_state[state.DATASET_ID] == DEMO_DATASET_ID
    assert any("private" in warning.value for warning in intruder.warning)

    # Once Alice shares it, the same link works.
    Workspace().set_shared(alice_id, True, user=owner)
    friend = new_app()
    friend.query_params["dataset"] = alice_id
    friend.run()
    assert friend.session_state[state.DATASET_ID] == alice_id


def test_on_a_single_user_machine_every_dataset_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTI_USER_VARIABLE, raising=False)
    info = Workspace().create_dataset(
        pd.DataFrame({"text": ["one", "two"]}), "text", "someone else's", owner="session:x"
    )
    app = new_app()
    app.run()
    assert any("someone else's" in name for name in _dataset_choices(app))
    Workspace().delete(info.id)


def test_a_link_reopens_dataset_projection_colour_and_selection(topics_dataset_id: str) -> None:
    app = new_app()
    app.query_params.update(
        {
            "dataset": topics_dataset_id,
            "method": "pca",
            "dims": "3",
            "color": "topic",
            "sel": "3-7.30",
        }
    )
    app.run()
    assert not app.exception
    assert app.session_state["method"] == "pca"
    assert app.session_state["n_components"] == 3
    assert app.session_state[state.SELECTION][topics_dataset_id] == [3, 4, 5, 6, 7, 30]
    assert any("6 selected rows" in header.value for header in app.subheader)
    assert app.session_state[state.COLOR_COLUMN] == "topic"


def test_the_url_follows_the_current_view(topics_dataset_id: str) -> None:
    app = new_app()
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.session_state["method"] = "pca"
    app.session_state["random_state"] = 7
    app.run()
    view = {name: app.query_params[name] for name in app.query_params}
    assert view["dataset"] == topics_dataset_id
    assert view["method"] == "pca"
    assert view["dims"] == "2", "a link names the parameters as links do (dims, seed)"
    assert view["seed"] == "7"
    assert "n_components" not in view and "random_state" not in view


def test_a_link_selecting_rows_beyond_a_small_dataset_does_not_break_the_pages() -> None:
    small = Workspace().create_dataset(
        pd.DataFrame({"text": [f"short text {i}" for i in range(5)]}), "text", "five texts"
    )
    for page in (routes.MAP.path, routes.SIMILARITY.path, routes.NEIGHBORS.path):
        app = new_app()
        app.query_params.update({"dataset": small.id, "sel": "3-9"})
        app.run()
        app.switch_page(page).run()
        assert not app.exception, page


def test_in_multi_user_mode_the_key_in_the_address_keeps_datasets_across_reloads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    first = new_app()
    first.run()
    dataset_id = _paste(first, "kept across a reload", "my kept notes")
    key = first.session_state[state.SESSION_OWNER]
    reloaded = new_app()
    reloaded.query_params.update({"dataset": dataset_id, "key": key})
    reloaded.run()
    assert reloaded.session_state[state.DATASET_ID] == dataset_id
    assert any("my kept notes" in name for name in _dataset_choices(reloaded))


def test_a_link_carries_projection_parameters_that_differ_from_the_defaults(
    topics_dataset_id: str,
) -> None:
    app = new_app()
    app.query_params.update({"dataset": topics_dataset_id, "method": "pca", "seed": "7"})
    app.run()
    assert app.session_state["random_state"] == 7
    assert app.query_params["seed"] == "7"
    bad = new_app()
    bad.query_params.update({"n_neighbors": "100000", "min_dist": "x"})
    bad.run()
    assert not bad.exception
    assert bad.session_state["n_neighbors"] == 15


def test_with_sign_in_configured_anonymous_visitors_only_see_a_sign_in_button() -> None:
    app = new_app()
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-secret",
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://example.invalid/.well-known/openid-configuration",
    }
    app.run()
    assert not app.exception
    assert [button.label for button in app.button] == ["Sign in"]
    assert not app.get("plotly_chart"), "no data is shown before sign-in"


def test_on_a_shared_server_the_model_box_offers_only_the_allowed_models(
    monkeypatch: pytest.MonkeyPatch, topics_dataset_id: str
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    monkeypatch.setenv(identity.MODELS_VARIABLE, "sentence-transformers/all-mpnet-base-v2")
    app = new_app()
    app.query_params.update({"dataset": topics_dataset_id, "model": "/root"})
    app.run()
    assert not app.exception
    box = next(box for box in app.sidebar.selectbox if box.label == "Embedding model")
    assert list(box.options) == [
        "all-MiniLM-L6-v2",
        PREVIEW_MODEL,  # ships with the package, never the first
        "sentence-transformers/all-mpnet-base-v2",
        *TRADITIONAL_KINDS,  # fitted here, load nothing
    ]
    models = [box for box in app.sidebar.text_input if box.label == "Embedding model"]
    assert not models, "no free text: no folder can be probed"
    assert app.session_state[state.MODEL_NAME] == "all-MiniLM-L6-v2", "the link's path is ignored"


def test_a_key_made_up_in_a_link_is_refused_and_a_new_one_issued(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    made_up = "a" * 16
    app = new_app()
    app.query_params.update({"key": made_up})
    app.run()
    assert not app.exception
    issued = app.session_state[state.SESSION_OWNER]
    assert issued != made_up and Workspace().keys.valid(issued)
    assert app.query_params["key"] == issued


def _cluster_labels_on_map(app: AppTest) -> set[str]:
    from tests.helpers import plotly_figure

    return {
        str(note["text"])
        for note in plotly_figure(app)["layout"].get("annotations", [])
        if note.get("text")
    }


def test_a_link_carries_the_clustering_and_the_names_given(topics_dataset_id: str) -> None:
    sender = new_app()
    sender.session_state[state.DATASET_ID] = topics_dataset_id
    sender.session_state["method"] = "pca"
    sender.session_state[state.N_CLUSTERS] = 4
    sender.session_state[state.COLOR_COLUMN] = state.CLUSTER_COLOR
    sender.session_state[state.COLOR_DATASET] = topics_dataset_id
    sender.session_state[state.SIDE_PANEL] = True
    sender.run()
    next(s for s in sender.selectbox if s.label == "Rename a cluster").set_value(2).run()
    next(t for t in sender.text_input if t.label == "New label").set_value(
        "Sender's own name"
    ).run()
    sender.button[[b.label for b in sender.button].index("Rename")].click().run()
    assert not sender.exception
    link = {name: sender.query_params[name] for name in sender.query_params}
    assert link["n_clusters"] == "4"
    assert link["name.2"] == "Sender's own name"

    recipient = new_app()  # another person: the sender's stored names are not theirs
    recipient.query_params.update(link)
    recipient.run()
    assert not recipient.exception
    assert recipient.session_state[state.N_CLUSTERS] == 4
    assert "<b>Sender&#x27;s own name</b>" in _cluster_labels_on_map(recipient)


def test_a_saved_view_opens_again_after_the_view_changed(topics_dataset_id: str) -> None:
    app = new_app()
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.session_state["method"] = "pca"
    app.session_state[state.COLOR_COLUMN] = "topic"
    app.session_state[state.COLOR_DATASET] = topics_dataset_id
    app.session_state[state.SELECTION] = {topics_dataset_id: [1, 2, 3]}
    app.run()
    app.sidebar.text_input(key=state.widget_key("view-name", topics_dataset_id)).set_value(
        "three rows by topic"
    ).run()
    app.sidebar.button[[b.label for b in app.sidebar.button].index("Save this view")].click().run()
    assert not app.exception
    saved_link = {name: app.query_params[name] for name in app.query_params}

    app.session_state[state.SELECTION] = {topics_dataset_id: [9]}
    app.session_state[state.COLOR_COLUMN] = state.NO_COLOR
    app.session_state["n_components"] = 3
    app.run()
    assert app.query_params["dims"] == "3"
    app.sidebar.button[[b.label for b in app.sidebar.button].index("Open")].click().run()
    assert not app.exception
    assert app.session_state[state.SELECTION][topics_dataset_id] == [1, 2, 3]
    assert app.session_state[state.COLOR_COLUMN] == "topic"
    assert {name: app.query_params[name] for name in app.query_params} == saved_link


def test_in_multi_user_mode_a_saved_view_is_listed_only_to_who_saved_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    alice = new_app()
    alice.session_state["method"] = "pca"
    alice.run()
    alice.sidebar.text_input(key=state.widget_key("view-name", DEMO_DATASET_ID)).set_value(
        "alice's private view"
    ).run()
    alice.sidebar.button[[b.label for b in alice.sidebar.button].index("Save this view")].click()
    alice.run()
    assert not alice.exception
    assert any("Saved views (1)" in e.label for e in alice.sidebar.expander)

    bob = new_app()
    bob.session_state["method"] = "pca"
    bob.run()
    assert any("Saved views (0)" in e.label for e in bob.sidebar.expander)
    shared_views = Workspace().results(DEMO_DATASET_ID, None).folders[-1] / "views.json"
    assert not shared_views.exists(), "a visitor's view never lands in the shared dataset"


def test_a_link_naming_rows_past_the_end_keeps_only_the_rows_there(topics_dataset_id: str) -> None:
    app = new_app()
    app.query_params.update(
        {"dataset": topics_dataset_id, "method": "pca", "sel": "30-99999", "focus": "500"}
    )
    app.run()
    assert not app.exception
    assert app.query_params["sel"] == "30-39", "a saved view of this keeps what can be drawn"
    assert "focus" not in app.query_params
