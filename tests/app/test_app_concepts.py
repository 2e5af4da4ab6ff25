"""The pages of Exploration II through AppTest: concepts, outliers and duplicates, dropped
texts, and the map's trust panel."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import routes, state
from embedding_space.embed import Embedder
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, open_app, plotly_figure, plotly_figures, plotly_values

TEXTS = [text for texts in TOPICS.values() for text in texts]
TOPIC = [topic for topic, texts in TOPICS.items() for _ in texts]


@pytest.fixture(scope="module")
def planted_id(embedder: Embedder) -> str:
    """The forty topic texts, one of them twice, and one sentence about nothing of theirs."""
    texts = [*TEXTS, TEXTS[5], "Purple elephants compose sonnets about violins on Tuesdays."]
    frame = pd.DataFrame({"text": texts, "topic": [*TOPIC, TOPIC[5], "none"]})
    store = Workspace()
    info = store.create_dataset(frame, "text", "planted")
    store.embeddings(info.id, embedder)
    return info.id


def test_an_expression_lists_its_nearest_rows_and_a_bad_one_says_why(planted_id: str) -> None:
    app = open_app(planted_id, routes.CONCEPTS.path)
    box = next(t for t in app.text_input if t.label == "Expression")
    box.set_value("a spiral galaxy - galaxy + planet").run()
    assert not app.exception
    found = app.dataframe[0].value
    assert found["topic"].iloc[0] == "astronomy" and len(found) == 10
    box = next(t for t in app.text_input if t.label == "Expression")
    box.set_value("planet + ").run()
    assert any("sign with no text" in e.value for e in app.error)


def test_a_concept_axis_ranks_the_rows_from_one_end_to_the_other(planted_id: str) -> None:
    app = open_app(planted_id, routes.CONCEPTS.path)
    next(t for t in app.text_input if t.label == "x towards").set_value("cooking, recipe, food")
    next(t for t in app.text_input if t.label == "x away from").set_value("football, match")
    next(b for b in app.button if b.label == "Apply").click().run()
    assert not app.exception
    towards, away = app.dataframe[0].value, app.dataframe[1].value
    topic_of = dict(zip(TEXTS, TOPIC, strict=True))
    assert [topic_of.get(text) for text in towards["text"].head(5)] == ["cooking"] * 5
    assert [topic_of.get(text) for text in away["text"].head(5)] == ["football"] * 5


def test_the_four_concept_axis_ends_are_computed_once_with_apply(planted_id: str) -> None:
    app = open_app(planted_id, routes.CONCEPTS.path)
    ends = {
        "x towards": "cooking, recipe",
        "x away from": "football",
        "y towards (optional)": "planet, star",
        "y away from": "bank loan",
    }

    def fill() -> None:
        for label, value in ends.items():
            next(t for t in app.text_input if t.label == label).set_value(value)

    fill()
    app.run()  # the page runs again (another widget, say) while the ends are typed
    assert len(plotly_figures(app)) == 0, "typed ends compute nothing before Apply"
    assert any("Give both ends of the x axis" in c.value for c in app.caption)
    fill()  # AppTest forgets what a form holds unsent at each run; a browser keeps it
    next(b for b in app.button if b.label == "Apply").click().run()
    assert not app.exception
    figures = plotly_figures(app)
    assert len(figures) == 1, "one map on the two axes"
    assert "planet, star" in str(figures[0]["layout"]), "the y axis is drawn too"


def test_the_planted_rows_are_found_on_the_outliers_and_duplicates_page(planted_id: str) -> None:
    app = open_app(planted_id, routes.QUALITY.path, **{state.DUPLICATE_THRESHOLD: 1.0})
    outliers = app.dataframe[0].value
    assert outliers["row"].iloc[0] == 41, "the off-topic sentence is the strangest"
    assert any("1 sets of near-duplicates, 2 rows" in c.value for c in app.caption)
    assert any("drops 1" in c.value for c in app.caption)


def test_texts_dropped_on_the_map_each_get_a_star(planted_id: str) -> None:
    app = open_app(planted_id, routes.NEIGHBORS.path)
    next(s for s in app.selectbox if s.label == "Search by").set_value(
        "texts to drop on the map"
    ).run()
    _drop(app, "a recipe for lasagne\nthe goalkeeper saved it")
    assert not app.exception
    assert len(_dropped_stars(app)) == 2
    assert any("placed exactly, through the map's own PCA axes" in c.value for c in app.caption)


def _drop(app: AppTest, texts: str) -> None:
    next(t for t in app.text_area if t.label == "Texts, one per line").set_value(texts).run()


def _dropped_stars(app: AppTest) -> list[dict[str, Any]]:
    figure = plotly_figure(app)
    return [t for t in figure["data"] if t.get("name") == "dropped" and t.get("mode") == "markers"]


def test_dropped_texts_stay_on_the_maps_across_pages_until_cleared(planted_id: str) -> None:
    app = open_app(planted_id, routes.NEIGHBORS.path)
    next(s for s in app.selectbox if s.label == "Search by").set_value(
        "texts to drop on the map"
    ).run()
    _drop(app, "a recipe for lasagne\nthe goalkeeper saved it")
    assert len(_dropped_stars(app)) == 2

    app.switch_page(routes.MAP.path).run()
    assert not app.exception
    assert len(_dropped_stars(app)) == 2, "the Map page shows them as a layer too"
    assert any("Stars mark 2 texts dropped on the map" in c.value for c in app.caption)

    app.switch_page(routes.NEIGHBORS.path).run()
    assert not app.exception
    assert next(s for s in app.selectbox if s.label == "Search by").value == (
        "texts to drop on the map"
    )
    box = next(t for t in app.text_area if t.label == "Texts, one per line")
    assert box.value == "a recipe for lasagne\nthe goalkeeper saved it"
    assert len(_dropped_stars(app)) == 2

    next(b for b in app.button if b.label == "Clear dropped texts").click().run()
    assert not app.exception
    assert next(t for t in app.text_area if t.label == "Texts, one per line").value == ""
    assert not any(b.label == "Clear dropped texts" for b in app.button)
    app.switch_page(routes.MAP.path).run()
    assert _dropped_stars(app) == []


def test_the_map_says_how_far_it_can_be_trusted(planted_id: str) -> None:
    app = open_app(planted_id, routes.MAP.path)
    labels = [metric.label for metric in app.metric]
    assert labels[:2] == ["Trustworthiness@10", "kNN recall@10"]
    assert "Label accuracy, full space" in labels, "the topic column gives the label figures"
    value = float(app.metric[0].value)
    assert 0.5 < value <= 1.0
    next(b for b in app.button if b.label == "Colour the map by trust").click().run()
    assert not app.exception
    assert app.session_state[state.COLOR_COLUMN] == state.MAP_TRUST


def test_the_arithmetic_table_ranks_from_one_after_leaving_out_the_terms_rows(
    planted_id: str,
) -> None:
    app = open_app(planted_id, routes.CONCEPTS.path)
    # Two of the terms are rows of the dataset: they are left out, and the ranks close up.
    expression = f'"{TEXTS[20]}" - "{TEXTS[0]}" + planet'
    next(t for t in app.text_input if t.label == "Expression").set_value(expression).run()
    assert not app.exception
    found = app.dataframe[0].value
    assert TEXTS[20] not in set(found["text"]) and TEXTS[0] not in set(found["text"])
    assert found["rank"].tolist() == list(range(1, 11))


def test_one_concept_axis_is_a_strip_whose_dots_do_not_sit_on_one_line(planted_id: str) -> None:
    app = open_app(planted_id, routes.CONCEPTS.path)
    next(t for t in app.text_input if t.label == "x towards").set_value("cooking, recipe, food")
    next(t for t in app.text_input if t.label == "x away from").set_value("football, match")
    next(b for b in app.button if b.label == "Apply").click().run()
    assert not app.exception
    figure = plotly_figure(app)
    points = [trace for trace in figure["data"] if trace.get("customdata") is not None]
    ys = [float(y) for trace in points for y in plotly_values(trace["y"])]
    assert len(ys) == len(TEXTS) + 2
    assert len({round(y, 3) for y in ys}) > len(ys) // 2, "dots spread across the strip"
    assert figure["layout"]["yaxis"]["title"]["text"].endswith("height means nothing")
    # x is still each row's position on the axis, as the ranked table gives it.
    towards = app.dataframe[0].value
    x_of_row = {
        int(row): float(x)
        for trace in points
        for row, x in zip(
            plotly_values(trace["customdata"]), plotly_values(trace["x"]), strict=True
        )
    }
    for row, position in zip(towards["row"], towards["position"], strict=True):
        assert round(x_of_row[int(row)], 3) == pytest.approx(position, abs=1e-3)
