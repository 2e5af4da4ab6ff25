"""The label issue score and a corrected label column as a view's colour, resolved by the core
(what a saved view, a story slide and an export draw), on the four topics embedded by the real
model with one label flipped."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.errors import InputError
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.views import LABEL_ISSUE_SCORE, View
from embedding_space.views.encodings import Encoding, color_choice, map_encodings, space_values
from tests.helpers import topics_frame

PCA = ProjectionParams(method="pca")
FLIPPED = 3


@pytest.fixture
def space(embedder: Embedder) -> Space:
    frame = topics_frame()
    truth = str(frame.loc[FLIPPED, "topic"])
    frame.loc[FLIPPED, "topic"] = next(t for t in frame["topic"] if t != truth)
    store = Workspace()
    info = store.create_dataset(frame, "text", "topics, one flipped")
    store.embeddings(info.id, embedder)
    return store.space(info.id, embedder.cache_key)


def _colour(space: Space, choice: str) -> Encoding:
    view = View("any", projection=PCA, color=choice)
    encodings = map_encodings(
        view, space.table, "text", clustering=None, computed=space_values(space, PCA)
    )
    return encodings.color


def test_the_label_issue_score_colours_the_flipped_row_highest(space: Space) -> None:
    colour = _colour(space, LABEL_ISSUE_SCORE)
    values = np.asarray(colour.values, dtype=float)
    assert colour.scale
    assert int(np.argmax(values)) == FLIPPED
    np.testing.assert_array_equal(values, space.label_issues("topic").scores)


def test_a_corrected_column_is_a_colour_with_the_accepted_labels(space: Space) -> None:
    truth = topics_frame().loc[FLIPPED, "topic"]
    space.corrections("topic").accept(FLIPPED, str(truth))
    colour = _colour(space, "topic (corrected)")
    values = colour.values
    assert values is not None
    assert values.name == "topic (corrected)"
    assert values.tolist() == topics_frame()["topic"].tolist()


def test_a_corrected_name_of_no_label_column_is_refused(space: Space) -> None:
    for name in ("text (corrected)", "nope (corrected)"):
        with pytest.raises(InputError, match="not a column it can use"):
            color_choice(View("any", color=name), space.table, "text")
