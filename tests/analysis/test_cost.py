"""The cost a map is announced with before it starts (``analysis.cost``)."""

from __future__ import annotations

import pytest

from embedding_space.analysis.cost import cost_sentence, projection_seconds, spoken_seconds


def test_more_rows_cost_more_and_none_cost_nothing() -> None:
    for method in ("umap", "tsne", "pca"):
        assert projection_seconds(method, 0) == 0.0
        assert projection_seconds(method, 1_000) < projection_seconds(method, 5_000)


def test_pca_is_announced_as_instant_where_tsne_takes_a_while() -> None:
    assert spoken_seconds(projection_seconds("pca", 100_000)) == "a second or two"
    assert projection_seconds("tsne", 5_000) > 10 * projection_seconds("pca", 5_000)


@pytest.mark.parametrize(
    ("seconds", "spoken"),
    [
        (0.4, "a second or two"),
        (7.4, "about 7 s"),
        (13.0, "about 15 s"),
        (61, "about 1 min"),
        (600, "about 10 min"),
        (7200, "about 2.0 h"),
    ],
)
def test_durations_are_said_as_a_person_says_them(seconds: float, spoken: str) -> None:
    assert spoken_seconds(seconds) == spoken


def test_the_sentence_names_the_method_the_rows_and_the_time() -> None:
    seconds = spoken_seconds(projection_seconds("tsne", 1_000))
    assert cost_sentence("tsne", 1_000) == f"t-SNE of 1,000 rows: {seconds} here"


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="method must be one of"):
        projection_seconds("isomap", 10)  # type: ignore[arg-type]
