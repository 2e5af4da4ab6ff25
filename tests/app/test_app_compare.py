"""Several embeddings of one dataset and the Compare page, through AppTest."""

from __future__ import annotations

import pytest

from components import routes, state
from embedding_space.embed import Embedder
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, new_app, open_app, plotly_figures, plotly_values, topics_frame


@pytest.fixture(scope="module")
def two_models_id(embedder: Embedder) -> str:
    """The forty topic texts embedded with MiniLM and with TF-IDF."""
    store = Workspace()
    info = store.create_dataset(topics_frame(), "text", "two models")
    store.embeddings(info.id, embedder)
    store.embeddings(info.id, TraditionalEmbedder("tfidf"))
    return info.id


def test_the_compare_page_sets_two_embeddings_side_by_side(two_models_id: str) -> None:
    app = open_app(two_models_id, routes.COMPARE.path)
    assert [box.label for box in app.selectbox][:2] == ["Embedding A", "Embedding B"]
    labels = next(box for box in app.selectbox if box.label == "Labels")
    labels.set_value("topic").run()
    assert not app.exception, [e.value for e in app.exception]
    page = "\n".join(block.value for block in app.markdown)
    assert "kNN agreement@10" in page and "linear CKA" in page
    table = next(
        frame.value
        for frame in app.dataframe
        if "model" in frame.value.columns and "silhouette (cosine)" in frame.value.columns
    )
    assert [name.split(" · ")[0] for name in table["model"]] == ["all-MiniLM-L6-v2", "tfidf"]
    deep, sparse = table.iloc[:2, 1].to_numpy(dtype=float)
    assert deep > sparse, "MiniLM knows the topics TF-IDF's words miss"
    maps = plotly_figures(app)[1:]
    assert len(maps) == 2
    for figure in maps:
        assert sum(len(t["customdata"]["bdata"]) > 0 for t in figure["data"]) >= 1
    assert len(app.expander) >= 10 + 1, "the ten most-disagreeing rows, and the list"


def test_every_stored_embedding_is_listed_with_its_size(two_models_id: str) -> None:
    app = open_app(two_models_id, routes.COMPARE.path)
    listed = next(frame.value for frame in app.dataframe if "dimension" in frame.value.columns)
    assert sorted(name.split(" · ")[0] for name in listed["model"]) == ["all-MiniLM-L6-v2", "tfidf"]
    assert listed.loc[listed["model"].str.startswith("all-MiniLM"), "dimension"].item() == 384
    assert (listed["seconds"] >= 0).all() and (listed["MB"] > 0).all()


def test_a_semantic_search_on_tf_idf_uses_the_stored_fit(two_models_id: str) -> None:
    texts = [text for group in TOPICS.values() for text in group]
    word = next(w for w in texts[0].lower().split() if len(w) > 6)
    app = open_app(
        two_models_id,
        **{
            state.MODEL_NAME: "tfidf",
            state.SEARCH_KIND: "semantic",
            state.SEARCH_QUERY: word,
        },
    )
    assert "model tfidf" in "\n".join(caption.value for caption in app.caption)
    assert not app.error, [e.value for e in app.error]


def test_a_clicked_row_of_a_tf_idf_map_shows_its_heaviest_words(two_models_id: str) -> None:
    first_text = topics_frame()["text"][0]
    app = open_app(
        two_models_id, **{state.MODEL_NAME: "tfidf", state.FOCUS_ROW: {two_models_id: 0}}
    )
    caption = next(c.value for c in app.caption if c.value.startswith("Its heaviest words: "))
    words = caption.removeprefix("Its heaviest words: ").split(", ")
    assert words and all(word in first_text.lower() for word in words)


def test_a_filter_from_a_link_narrows_the_rows_compare_takes(two_models_id: str) -> None:
    app = new_app()
    app.query_params.update(
        {"dataset": two_models_id, "method": "pca", "sel": "0-19", "f.topic": "cooking"}
    )
    app.run()
    app.switch_page(routes.COMPARE.path).run()
    assert not app.exception, [e.value for e in app.exception]
    frame = Workspace().load_table(two_models_id)
    cooking = set(frame.index[frame["topic"] == "cooking"])
    assert cooking < set(range(20)), "the selection holds the cooking rows and others"
    captions = " ".join(str(caption.value) for caption in app.caption)
    assert f"Filtered: {len(cooking)} of 40 rows · {len(cooking)} of the 20 selected" in captions
    # Both maps light up the selected rows that pass, not the whole selection.
    maps = [f for f in plotly_figures(app) if any(t["type"] == "scattergl" for t in f["data"])]
    assert len(maps) == 2
    for figure in maps:
        lit = {
            int(plotly_values(trace["customdata"])[index])
            for trace in figure["data"]
            if trace["type"] == "scattergl" and trace.get("customdata") is not None
            for index in trace.get("selectedpoints", [])
        }
        assert lit == cooking
    # The list of disagreeing rows ranks only those rows.
    listed = {int(e.label.split(" ")[1]) for e in app.expander if e.label.startswith("Row ")}
    assert listed == cooking
    assert app.session_state[state.SELECTION][two_models_id] == list(range(20)), "kept as picked"
