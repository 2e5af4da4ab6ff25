"""The Map page's reading of the space, through AppTest: clusters, search, kept selections,
the parameter form, the methods card; and the Similarity page's pairs."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import routes, state
from embedding_space.analysis.cost import cost_sentence
from embedding_space.embed import Embedder
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, open_app, plotly_figure, plotly_values

ALL_TEXTS = [text for texts in TOPICS.values() for text in texts]


@pytest.fixture(scope="module")
def unlabelled_id(embedder: Embedder) -> str:
    """The forty topic texts without their topic column: the map starts coloured by clusters."""
    store = Workspace()
    info = store.create_dataset(pd.DataFrame({"text": ALL_TEXTS}), "text", "unlabelled topics")
    store.embeddings(info.id, embedder)
    return info.id


def _code(app: AppTest) -> str:
    return "\n".join(block.value for block in app.code)


def test_data_without_labels_opens_coloured_by_labelled_clusters(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, **{state.N_CLUSTERS: 4})
    assert app.session_state[state.COLOR_COLUMN] == state.CLUSTER_COLOR
    figure = plotly_figure(app)
    legend = {trace["name"] for trace in figure["data"] if trace.get("showlegend", True)}
    notes = [note["text"] for note in figure["layout"].get("annotations", [])]
    assert len(legend) == 4 and len(notes) == 4
    assert any("star" in name or "solar" in name for name in legend), legend
    assert all(note.startswith("<b>") for note in notes), "labels written on the map"


def test_the_methods_card_shows_the_parameters_in_force(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, random_state=7, **{state.N_CLUSTERS: 4})
    card = _code(app)
    assert "Data: 40 rows, fingerprint " in card
    assert "Model: all-MiniLM-L6-v2, 384 dimensions, reads 256 tokens" in card
    assert "Projection: PCA (n_components=2)" in card
    assert "Clusters: KMeans, n_clusters=4, random_state=42" in card


def test_projection_parameters_apply_only_with_their_button(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id)
    slider = next(s for s in app.slider if s.label.startswith("n_neighbors"))
    slider.set_value(30).run()
    assert app.session_state["n_neighbors"] == 15, "moving a slider computes nothing yet"
    next(b for b in app.button if b.label == "Apply").click().run()
    assert app.session_state["n_neighbors"] == 30


def test_what_a_new_map_costs_is_said_before_it_is_computed(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, method="umap")
    captions = [caption.value for caption in app.caption]
    assert any(
        f"{cost_sentence('umap', 40)}; {cost_sentence('tsne', 40)}." in caption
        for caption in captions
    )
    slider = next(s for s in app.slider if s.label.startswith("n_neighbors"))
    slider.set_value(30).run()
    assert any(
        f"Applying computes a new map: {cost_sentence('umap', 40)}." in caption.value
        for caption in app.caption
    )


def test_a_cluster_renamed_in_the_panel_is_shown_and_kept(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, **{state.N_CLUSTERS: 4, state.SIDE_PANEL: True})
    name = next(t for t in app.text_input if t.label == "New label")
    name.set_value("Space and stars").run()
    next(b for b in app.button if b.label == "Rename").click().run()
    assert not app.exception
    assert "Space and stars" in {trace["name"] for trace in plotly_figure(app)["data"]}
    reopened = open_app(unlabelled_id, **{state.N_CLUSTERS: 4})
    assert "Space and stars" in {trace["name"] for trace in plotly_figure(reopened)["data"]}


def test_a_regex_search_lights_up_its_rows_and_a_bad_one_says_why(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, **{state.SEARCH_KIND: "regex", state.SEARCH_QUERY: r"\bgoal"})
    layers = [t for t in plotly_figure(app)["data"] if str(t.get("name", "")).startswith("matches")]
    assert len(layers) == 1
    expected = [i for i, text in enumerate(ALL_TEXTS) if "goal" in text]
    assert sorted(plotly_values(layers[0]["customdata"]).tolist()) == expected
    assert any(f"{len(expected)} rows matching" in c.value for c in app.caption)
    bad = open_app(unlabelled_id, **{state.SEARCH_KIND: "regex", state.SEARCH_QUERY: "(goal"})
    assert any("not a valid regular expression" in e.value for e in bad.error)


def test_search_matches_can_be_kept_under_a_name(unlabelled_id: str) -> None:
    app = open_app(unlabelled_id, **{state.SEARCH_KIND: "text", state.SEARCH_QUERY: "planet"})
    keep = next(b for b in app.selectbox if b.label == "Keep")
    keep.set_value(next(o for o in keep.options if o.startswith("the search matches"))).run()
    next(t for t in app.text_input if t.label == "under the name").set_value("planets").run()
    next(b for b in app.button if b.label == "Keep it").click().run()
    assert not app.exception
    kept = Workspace().space(unlabelled_id, DEFAULT_MODEL).selections.kept()["planets"]
    assert kept == [i for i, text in enumerate(ALL_TEXTS) if "planet" in text.lower()]


def test_the_similarity_page_lists_the_most_and_least_alike_pairs(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.SIMILARITY.path)
    headers = [header.value for header in app.subheader]
    assert headers[-2:] == ["Most alike", "Least alike"]
    figure = plotly_figure(app)
    assert [trace.get("name") for trace in figure["data"][1:3]] == [
        "labels (rows)",
        "labels (columns)",
    ], "a label strip along both axes"
    legend = [trace["name"] for trace in figure["data"][3:] if trace.get("showlegend")]
    assert sorted(legend) == sorted(TOPICS), "a legend names the strip's colours"


def _rows_shown(app: AppTest) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Showing"))


def test_the_similarity_rows_change_only_with_apply(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.SIMILARITY.path)
    assert _rows_shown(app) == "Showing all 40 rows."
    for count in (39, 38, 37, 10):  # keyboard steps, then a typed number
        next(box for box in app.number_input if box.label == "Rows").set_value(count).run()
        assert _rows_shown(app) == "Showing all 40 rows.", "a new count computes nothing yet"
    assert not app.exception
    next(button for button in app.button if button.label == "Apply").click().run()
    assert _rows_shown(app).startswith("Showing a random sample of 10 of 40 rows")
    assert app.session_state[state.SIMILARITY_ROWS] == 10
