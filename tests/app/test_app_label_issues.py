"""The Quality page's Label issues tab, through AppTest, on real demo rows embedded by the real
model with four labels flipped: the flipped rows come first with their true label suggested;
Accept writes the corrected column and takes the row off the list; Dismiss hides a row; the
map can be coloured by the score and by the corrected column."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from components import routes, state
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.embed import Embedder
from embedding_space.store.corrections import corrected_name
from embedding_space.store.owners import MULTI_USER_VARIABLE
from embedding_space.store.workspace import Workspace
from tests.helpers import (
    FlippedIntents,
    flipped_intents,
    new_app,
    open_app,
    plotly_figure,
    plotly_values,
)

_ROW = re.compile(r"\*\*Row (\d+)\*\*")


@pytest.fixture(scope="module")
def noisy() -> FlippedIntents:
    return flipped_intents()


@pytest.fixture
def noisy_dataset_id(embedder: Embedder, noisy: FlippedIntents) -> str:
    """A fresh dataset each test: corrections and dismissals are kept with it."""
    store = Workspace()
    info = store.create_dataset(noisy.frame, "text", "six intents, four flipped")
    store.embeddings(info.id, embedder)
    return info.id


def _listed(app: AppTest) -> list[int]:
    return [int(found.group(1)) for m in app.markdown if (found := _ROW.search(m.value))]


def _button(app: AppTest, dataset_id: str, action: str, row: int) -> Button:
    key = state.widget_key(state.LABEL_ISSUES, f"{action}-category-{row}", dataset_id)
    return app.button(key=key)


def _quality(dataset_id: str) -> AppTest:
    return open_app(dataset_id, routes.QUALITY.path)


def test_the_flipped_rows_come_first_with_their_true_label_suggested(
    noisy_dataset_id: str, noisy: FlippedIntents
) -> None:
    app = _quality(noisy_dataset_id)
    assert any("4 rows flagged" in m.value and "240 checked" in m.value for m in app.markdown)
    listed = _listed(app)
    assert sorted(listed) == sorted(noisy.flipped), "flagged only: the four flipped rows"
    for row in listed:
        accept = _button(app, noisy_dataset_id, "accept", row)
        true_label = noisy.truth[row].replace("_", "\\_")
        assert accept.label == f"Accept “{true_label}”"


def test_accept_writes_the_corrected_column_and_takes_the_row_off_the_list(
    noisy_dataset_id: str, noisy: FlippedIntents
) -> None:
    app = _quality(noisy_dataset_id)
    first = _listed(app)[0]
    _button(app, noisy_dataset_id, "accept", first).click().run()
    assert not app.exception
    assert first not in _listed(app)
    assert len(_listed(app)) == 3
    space = Workspace().space(noisy_dataset_id, Workspace().embedded_models(noisy_dataset_id)[0])
    corrected = space.corrected_column("category")
    assert corrected.name == corrected_name("category")
    assert corrected[first] == noisy.truth[first]
    assert space.table["category"][first] == noisy.flipped[first], "the original is kept"
    changed = np.flatnonzero(corrected.to_numpy() != space.table["category"].to_numpy())
    assert changed.tolist() == [first]
    # Undo puts the row back on the list and the column as it was.
    app.button(key=state.widget_key(state.LABEL_ISSUES, "undo", noisy_dataset_id)).click().run()
    assert first in _listed(app)
    assert space.corrected_column("category")[first] == noisy.flipped[first]


def test_dismiss_hides_the_row_until_dismissed_rows_are_shown(
    noisy_dataset_id: str, noisy: FlippedIntents
) -> None:
    app = _quality(noisy_dataset_id)
    first = _listed(app)[0]
    _button(app, noisy_dataset_id, "dismiss", first).click().run()
    assert first not in _listed(app)
    shown = state.widget_key(state.LABEL_ISSUES, "dismissed", noisy_dataset_id)
    app.toggle(key=shown).set_value(True).run()
    assert first in _listed(app)


def test_tag_puts_the_shared_tag_name_on_the_row(noisy_dataset_id: str) -> None:
    app = _quality(noisy_dataset_id)
    first = _listed(app)[0]
    app.text_input(key=state.widget_key(state.LABEL_ISSUES, "tag", noisy_dataset_id)).input(
        "to relabel"
    ).run()
    _button(app, noisy_dataset_id, "tag", first).click().run()
    assert Workspace().tags(noisy_dataset_id).rows_of("to relabel") == [first]


def test_the_map_coloured_by_the_score_is_highest_on_the_flipped_rows(
    noisy_dataset_id: str, noisy: FlippedIntents
) -> None:
    app = open_app(
        noisy_dataset_id,
        **{state.COLOR_COLUMN: state.LABEL_ISSUE_SCORE, state.COLOR_DATASET: noisy_dataset_id},
    )
    figure = plotly_figure(app)
    scored = [t for t in figure["data"] if "color" in t.get("marker", {})]
    colours = np.concatenate([plotly_values(t["marker"]["color"]) for t in scored])
    rows = np.concatenate([plotly_values(t["customdata"]).astype(int) for t in scored])
    by_row = dict(zip(rows.tolist(), colours.tolist(), strict=True))
    flipped_scores = [by_row[row] for row in noisy.flipped]
    others = [score for row, score in by_row.items() if row not in noisy.flipped]
    assert min(flipped_scores) > 0.99
    assert max(others) < 0.7


def test_the_corrected_column_is_a_colour_once_a_label_is_corrected(
    noisy_dataset_id: str, noisy: FlippedIntents
) -> None:
    app = _quality(noisy_dataset_id)
    first = _listed(app)[0]
    _button(app, noisy_dataset_id, "accept", first).click().run()
    app.switch_page(routes.MAP.path).run()
    picker = next(s for s in app.selectbox if s.label == "Colour by")
    assert f"Colour: {corrected_name('category')}" in picker.options
    picker.set_value(corrected_name("category")).run()
    assert not app.exception
    names = {str(t.get("name")) for t in plotly_figure(app)["data"]}
    assert noisy.truth[first] in names


def test_a_visitor_corrects_for_themselves_and_cannot_tag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(MULTI_USER_VARIABLE, "1")
    app = new_app()
    app.session_state["method"] = "pca"
    app.run()
    app.switch_page(routes.QUALITY.path).run()
    assert not app.exception
    assert any("Only the owner of this dataset can tag" in c.value for c in app.caption)
    first = _listed(app)[0]
    with pytest.raises(KeyError):
        _button(app, DEMO_DATASET_ID, "tag", first)
    _button(app, DEMO_DATASET_ID, "dismiss", first)  # the row's other actions are there
    _button(app, DEMO_DATASET_ID, "accept", first).click().run()
    assert first not in _listed(app)
    shared = Workspace().results(DEMO_DATASET_ID, None).folders[-1] / "corrections.json"
    assert not shared.exists(), "a visitor's corrections never land in the shared dataset"
    owner = Workspace().space(DEMO_DATASET_ID, Workspace().embedded_models(DEMO_DATASET_ID)[0])
    assert owner.corrections("category").accepted() == {}
