"""Caps on typed text and links, as the user meets them: a sentence on the page that names
the limit, never an exception box."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from components import routes, state
from embedding_space.limits import (
    MAX_AXIS_END_TEXTS,
    MAX_LINK_VALUE_CHARS,
    MAX_TYPED_TEXT_CHARS,
)
from embedding_space.rows import encode_rows
from embedding_space.text import WORD_JOINER
from tests.helpers import new_app, open_app


def _said(app: AppTest) -> str:
    """The errors and warnings on the page as they read (markdown escapes and the invisible
    word joiners of ``text.unlinked`` taken out)."""
    assert not app.exception, [e.value for e in app.exception]
    markdown = " ".join(message.value for message in [*app.error, *app.warning])
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def _open_link(query: dict[str, str]) -> AppTest:
    app = new_app()
    app.query_params.update(query)
    app.run()
    return app


def test_nan_and_infinity_in_a_link_open_the_map_with_a_sentence(topics_dataset_id: str) -> None:
    app = _open_link(
        {"dataset": topics_dataset_id, "method": "pca", "min_dist": "nan", "perplexity": "inf"}
    )
    said = _said(app)
    assert "min_dist must be a finite number, not nan." in said
    assert "perplexity must be a finite number, not inf." in said
    assert app.session_state[state.DATASET_ID] == topics_dataset_id, "the rest of the link opened"


def test_a_selection_too_long_for_a_link_is_left_out_with_a_sentence(
    topics_dataset_id: str,
) -> None:
    huge = encode_rows(range(0, 40_000, 2))
    assert len(huge) > MAX_LINK_VALUE_CHARS
    app = _open_link({"dataset": topics_dataset_id, "method": "pca", "sel": huge})
    assert f"The link's 'sel' part has {len(huge):,} characters" in _said(app)
    assert "sel" not in app.query_params, "no selection was read from it"


def test_four_thousand_axis_terms_are_refused_with_a_sentence(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.CONCEPTS.path)
    terms = ", ".join(f"word{i}" for i in range(4_300))[:1_900]  # within the characters
    next(t for t in app.text_input if t.label == "x towards").set_value(terms)
    next(t for t in app.text_input if t.label == "x away from").set_value("football")
    next(b for b in app.button if b.label == "Apply").click().run()
    assert f"it may have at most {MAX_AXIS_END_TEXTS}" in _said(app)


def test_a_search_longer_than_the_cap_says_so(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.MAP.path)
    app.session_state[state.SEARCH_KIND] = "semantic"
    query = "card " * 1_000
    next(t for t in app.text_input if t.label == "for").set_value(query).run()
    assert f"The search has {len(query.strip()):,} characters; it may have at most " in _said(app)
    assert "q" not in app.query_params, "the link leaves out what the search refused"


def test_a_regex_that_unrolls_into_millions_of_steps_says_so(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.MAP.path)
    app.session_state[state.SEARCH_KIND] = "regex"
    pattern = "(?:(?:(?:(?:a{100}){100}){100}){100})"
    next(t for t in app.text_input if t.label == "for").set_value(pattern).run()
    assert "The pattern repeats a repeat too many times" in _said(app)


def test_a_neighbours_sentence_longer_than_the_cap_says_so(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, routes.NEIGHBORS.path)
    sentence = "my card never came " * 200
    next(t for t in app.text_input if t.label == "Sentence").set_value(sentence).run()
    assert f"it may have at most {MAX_TYPED_TEXT_CHARS:,}" in _said(app)
