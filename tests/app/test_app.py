"""The Streamlit app, run headless with AppTest against the real model and a real workspace."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import routes, state
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.store.workspace import Workspace
from tests.helpers import new_app, open_app, page_heading, plotly_figure, plotly_values

DEMO_NAME = "Demo: BANKING77 customer queries"


def _assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not [e for e in app.error], [e.value for e in app.error]


def _plotted_rows(figure: dict[str, Any]) -> set[int]:
    base = [
        t
        for t in figure["data"]
        if t.get("name") not in {"selected", "neighbours", "clicked", "query"}
    ]
    return {int(row) for trace in base for row in plotly_values(trace.get("customdata", []))}


def _headings(app: AppTest) -> list[str]:
    return [title.value.replace("\\", "") for title in app.title]


def _open_on(route: routes.Route, dataset_id: str | None = None) -> AppTest:
    """The app opened on ``route``, on a dataset or (``None``) the demo a first visitor gets;
    fails on any exception or error shown. (The first run opens the map: AppTest switches
    pages only after it, as the pages have addresses of their own.)"""
    app = new_app()
    if dataset_id is not None:
        app.session_state[state.DATASET_ID] = dataset_id
    app.run()
    if route != routes.MAP:
        app.switch_page(route.path).run()
    _assert_clean(app)
    return app


@pytest.fixture
def app() -> AppTest:
    return new_app()


@pytest.fixture(scope="module")
def one_text_id() -> str:
    return Workspace().create_dataset(pd.DataFrame({"text": ["only me"]}), "text", "one text").id


@pytest.fixture(scope="module")
def two_texts_id() -> str:
    frame = pd.DataFrame({"text": ["The cat sits on the mat", "Stocks fell today"]})
    return Workspace().create_dataset(frame, "text", "two texts").id


@pytest.fixture(scope="module")
def tiny_dataset_id() -> str:
    frame = pd.DataFrame(
        {
            "text": ["The cat sits on the mat", "Stocks fell today", "I love pizza"],
            "kind": ["pet", "money", "food"],
        }
    )
    return Workspace().create_dataset(frame, "text", "three texts").id


def test_first_start_shows_the_demo_map_with_every_row(app: AppTest) -> None:
    app.run()
    _assert_clean(app)
    assert _headings(app) == [DEMO_NAME]
    figure = plotly_figure(app)
    assert _plotted_rows(figure) == set(range(3080))
    assert len(figure["data"]) == 77, "one legend entry per intent"
    assert app.session_state[state.COLOR_COLUMN] == "category"


@pytest.mark.parametrize("route", routes.LISTED_ROUTES, ids=lambda route: route.url_path)
def test_every_page_renders_with_the_demo(route: routes.Route) -> None:
    app = _open_on(route)
    assert _headings(app) == [page_heading(route.url_path, DEMO_NAME)]


@pytest.mark.parametrize("route", routes.LISTED_ROUTES, ids=lambda route: route.url_path)
def test_every_page_renders_with_one_text(route: routes.Route, one_text_id: str) -> None:
    app = _open_on(route, one_text_id)
    assert _headings(app) == [page_heading(route.url_path, "one text")]


@pytest.mark.parametrize("route", routes.LISTED_ROUTES, ids=lambda route: route.url_path)
def test_every_page_renders_with_two_texts(route: routes.Route, two_texts_id: str) -> None:
    # Two rows leave one neighbour: every "k" box and slider must still draw.
    app = _open_on(route, two_texts_id)
    assert _headings(app) == [page_heading(route.url_path, "two texts")]


@pytest.mark.parametrize("route", routes.LISTED_ROUTES, ids=lambda route: route.url_path)
def test_every_page_renders_with_three_texts(route: routes.Route, tiny_dataset_id: str) -> None:
    app = _open_on(route, tiny_dataset_id)
    assert _headings(app) == [page_heading(route.url_path, "three texts")]
    if route == routes.MAP:
        assert _plotted_rows(plotly_figure(app)) == {0, 1, 2}
        assert any("PCA" in info.value for info in app.info), "the fallback is said on screen"


def test_pasted_texts_become_the_current_dataset() -> None:
    app = _open_on(routes.DATA)
    app.text_area[0].set_value(
        "Where is my new card?\nHow do I reset my PIN?\n\nI was charged twice"
    ).run()
    app.text_input(key="paste_name").set_value("my pasted texts").run()
    app.button(key="paste_embed").click().run()
    _assert_clean(app)
    dataset_id = app.session_state[state.DATASET_ID]
    info = Workspace().get(dataset_id)
    assert info.name == "my pasted texts"
    assert Workspace().texts(dataset_id) == [
        "Where is my new card?",
        "How do I reset my PIN?",
        "I was charged twice",
    ]


def test_empty_paste_says_what_to_fix_and_keeps_the_dataset() -> None:
    app = _open_on(routes.DATA)
    before = app.session_state[state.DATASET_ID]
    app.text_area[0].set_value("   \n  ").run()
    app.button(key="paste_embed").click().run()
    assert not app.exception
    assert any("no text to embed" in e.value.replace("\\", "") for e in app.error)
    assert app.session_state[state.DATASET_ID] == before


def test_changing_the_projection_method_updates_the_map(
    app: AppTest, topics_dataset_id: str
) -> None:
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.run()
    umap_x = plotly_values(plotly_figure(app)["data"][0]["x"])
    app.sidebar.radio[0].set_value("pca").run()
    _assert_clean(app)
    pca_x = plotly_values(plotly_figure(app)["data"][0]["x"])
    assert pca_x.shape == umap_x.shape
    assert not np.allclose(pca_x, umap_x)
    assert any("PCA 2-D" in caption.value for caption in app.caption)


def test_three_dimensional_map_draws_scatter3d(app: AppTest, topics_dataset_id: str) -> None:
    app.session_state[state.DATASET_ID] = topics_dataset_id
    app.run()
    app.sidebar.radio[1].set_value(3).run()
    _assert_clean(app)
    figure = plotly_figure(app)
    assert {t["type"] for t in figure["data"]} == {"scatter3d"}
    assert _plotted_rows(figure) == set(range(40))


def test_unloadable_model_says_why_and_keeps_the_working_one(
    app: AppTest, topics_dataset_id: str
) -> None:
    # Typing a name in the sidebar files this request; the next run tries to load it.
    # (AppTest loses sidebar elements after a second run, so the request is set directly.)
    app.session_state[state.MODEL_REQUEST] = "no-such-org/no-such-model"
    app.session_state[state.DATASET_ID] = topics_dataset_id
    # The default model runs without torch now; trying another imports sentence-transformers
    # (5-12 s here) before it can say the name is unknown.
    app.run(timeout=90)
    assert not app.exception
    assert any("no-such-org/no-such-model" in e.value.replace("\\", "") for e in app.error)
    assert app.session_state[state.MODEL_NAME] == "all-MiniLM-L6-v2"
    assert _plotted_rows(plotly_figure(app)) == set(range(40))


def test_neighbour_query_finds_a_paraphrase_first() -> None:
    app = _open_on(routes.NEIGHBORS, DEMO_DATASET_ID)
    app.text_input(key="neighbor_query").set_value("my card has not arrived yet").run()
    _assert_clean(app)
    table = app.dataframe[0].value
    assert len(table) == 10
    # The demo holds this very sentence (with a full stop): it comes first, almost identical.
    assert table["text"].iloc[0] == "My card has not arrived yet."
    assert table["score"].iloc[0] > 0.95
    assert (table["category"].isin(["card_arrival", "card_delivery_estimate"])).all()
    assert table["score"].is_monotonic_decreasing
    figure = plotly_figure(app)
    assert any(t.get("name") == "query" for t in figure["data"])


def test_a_small_datasets_bound_on_k_is_not_kept_for_the_next_dataset(
    tiny_dataset_id: str,
) -> None:
    app = open_app(tiny_dataset_id, routes.NEIGHBORS.path)
    k = next(slider for slider in app.slider if slider.label == "k")
    assert k.value == 3 and k.max == 3, "three rows: at most three neighbours"
    assert app.session_state[state.NEIGHBOR_K] == 10, "the choice stays 10 for larger datasets"
