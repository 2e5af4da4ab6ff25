"""Colours and figures that hold whatever the map is coloured by, and cluster controls that
leave the user in charge, through AppTest: the trust panel's label figures, the side maps'
cluster colours, the heatmap strip's colours, Suggest and the rename box."""

from __future__ import annotations

from typing import Any

import numpy as np
from streamlit.testing.v1 import AppTest

from components import routes, state
from tests.helpers import TOPICS, open_app, plotly_figure, plotly_values

TOPIC_OF_ROW = [topic for topic, texts in TOPICS.items() for _ in texts]


def _by_clusters(dataset_id: str, **session: object) -> dict[str, object]:
    return {
        state.COLOR_COLUMN: state.CLUSTER_COLOR,
        state.COLOR_DATASET: dataset_id,
        state.N_CLUSTERS: 4,
        **session,
    }


def _category_colours(figure: dict[str, Any]) -> dict[str, str]:
    """Category -> marker colour, from the traces that hold one category each."""
    return {
        str(trace["name"]): str(trace["marker"]["color"])
        for trace in figure["data"]
        if trace.get("meta") == "category"
    }


def _metric_labels(app: AppTest) -> list[str]:
    return [metric.label for metric in app.metric]


def test_the_trust_panel_shows_label_figures_whatever_the_map_is_coloured_by(
    topics_dataset_id: str,
) -> None:
    app = open_app(topics_dataset_id, **_by_clusters(topics_dataset_id))
    assert "Label accuracy, full space" in _metric_labels(app), "coloured by clusters"
    assert "Silhouette, map" in _metric_labels(app)
    next(b for b in app.button if b.label == "Colour the map by trust").click().run()
    assert not app.exception
    assert app.session_state[state.COLOR_COLUMN] == state.MAP_TRUST
    assert "Label accuracy, full space" in _metric_labels(app), "coloured by trust"
    assert any("“topic”" in caption.value for caption in app.caption)


def test_the_neighbours_map_has_the_cluster_colours_of_the_map(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, **_by_clusters(topics_dataset_id))
    on_map = _category_colours(plotly_figure(app))
    assert len(on_map) == 4
    app.switch_page(routes.NEIGHBORS.path).run()
    next(s for s in app.selectbox if s.label == "Search by").set_value("a row of the dataset").run()
    assert not app.exception
    assert _category_colours(plotly_figure(app)) == on_map


def test_the_concept_axes_map_has_the_cluster_colours_of_the_map(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, **_by_clusters(topics_dataset_id))
    on_map = _category_colours(plotly_figure(app))
    app.switch_page(routes.CONCEPTS.path).run()
    # The axes wait for Apply (a form: AppTest keeps what it holds only until the next run).
    next(t for t in app.text_input if t.label == "x towards").set_value("cooking, food")
    next(t for t in app.text_input if t.label == "x away from").set_value("football")
    next(b for b in app.button if b.label == "Apply").click().run()
    assert not app.exception
    assert _category_colours(plotly_figure(app)) == on_map


def test_the_heatmap_strip_colours_each_label_as_the_map_does(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id)
    on_map = _category_colours(plotly_figure(app))
    assert set(on_map) == set(TOPICS)
    # A selection of two of the four topics: the strip still gives each the map's colour.
    rows = [row for row, topic in enumerate(TOPIC_OF_ROW) if topic in ("football", "banking")]
    app.session_state[state.SELECTION] = {topics_dataset_id: rows}
    app.switch_page(routes.SIMILARITY.path).run()
    assert not app.exception
    strip = next(t for t in plotly_figure(app)["data"] if t.get("name") == "labels (rows)")
    codes = plotly_values(strip["z"]).astype(int)
    names = np.asarray(strip["customdata"], dtype=object).ravel()
    colours = {str(n): strip["colorscale"][2 * c][1] for n, c in zip(names, codes, strict=True)}
    assert colours == {topic: on_map[topic] for topic in ("football", "banking")}


def test_suggest_fills_in_n_clusters_and_the_rename_box_follows_the_clusters(
    topics_dataset_id: str,
) -> None:
    app = open_app(
        topics_dataset_id, **_by_clusters(topics_dataset_id, n_clusters=8, side_panel=True)
    )
    next(s for s in app.selectbox if s.label == "Rename a cluster").set_value(1).run()
    next(b for b in app.button if b.label == "Suggest n_clusters").click().run()
    assert not app.exception
    pending = next(n for n in app.number_input if n.label.startswith("n_clusters"))
    suggested = int(pending.value or 0)
    assert suggested != 8
    assert app.session_state[state.N_CLUSTERS] == 8, "Suggest applies nothing by itself"
    assert any(f"Suggested {suggested} clusters" in c.value for c in app.caption)
    apply = next(b for b in app.button if b.label == "Apply" and not b.disabled)
    apply.click().run()
    assert not app.exception
    assert app.session_state[state.N_CLUSTERS] == suggested
    tree = next(d.value for d in app.dataframe if "label" in d.value.columns)
    table = tree[tree["level"] == "fine"]
    assert len(table) == suggested, "the side panel lists the applied clusters"
    name_of = {int(i): str(name) for i, name in zip(table["fine"], table["label"], strict=True)}
    assert set(name_of.values()) == set(_category_colours(plotly_figure(app)))
    box = next(s for s in app.selectbox if s.label == "Rename a cluster")
    assert list(box.options) == [f"{i}: {name}" for i, name in name_of.items()]
    assert box.value == 1, "the cluster picked stays picked"
    label = next(t for t in app.text_input if t.label == "New label")
    assert label.value == name_of[1]
