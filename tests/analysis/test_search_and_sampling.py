"""Finding rows by text, choosing the rows of a heatmap, reading parameters from links."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis.projection import PARAMETERS
from embedding_space.analysis.search import rows_containing
from embedding_space.analysis.similarity import choose_rows, label_contrast, pairwise

TEXTS = ["Refund my card", "card declined", "REFUNDS take days", "hello", "  "]


def test_text_search_ignores_case_and_surrounding_spaces() -> None:
    assert rows_containing(TEXTS, "  refund ") == [0, 2]
    assert rows_containing(TEXTS, "CARD") == [0, 1]


def test_a_blank_search_matches_nothing() -> None:
    assert rows_containing(TEXTS, "   ") == []


def test_a_selection_is_used_whole_up_to_the_limit_then_sampled_with_a_fixed_seed() -> None:
    small = choose_rows(1000, limit=300, selected=[9, 3, 3, 7])
    assert small.rows.tolist() == [3, 7, 9]
    assert small.description == "Showing the 3 selected rows."
    big = choose_rows(1000, limit=300, selected=list(range(500)))
    assert len(big.rows) == 300 and set(big.rows) <= set(range(500))
    assert (
        big.rows.tolist() == choose_rows(1000, limit=300, selected=list(range(500))).rows.tolist()
    )
    assert big.description == "Showing a random 300 of the 500 selected rows."


def test_without_a_selection_rows_are_sampled_or_taken_from_the_top() -> None:
    sampled = choose_rows(3080, limit=300, count=100, sample=True)
    assert len(set(sampled.rows.tolist())) == 100 and sampled.rows.max() < 3080
    assert "random sample of 100 of 3,080 rows (seed 0)" in sampled.description
    first = choose_rows(3080, limit=300, count=100, sample=False)
    assert first.rows.tolist() == list(range(100))
    every = choose_rows(40, limit=300)
    assert every.rows.tolist() == list(range(40))
    assert every.description == "Showing all 40 rows."


def test_the_label_contrast_compares_pairs_within_and_between_labels() -> None:
    points = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
    within, between = label_contrast(pairwise(points), ["a", "a", "b", "b"])  # type: ignore[misc]
    assert within > 0.9 > 0.3 > between
    assert label_contrast(pairwise(points), ["a", "b", "c", "d"]) is None, "no pair shares one"


@pytest.mark.parametrize(
    ("name", "text", "parsed"),
    [
        ("n_neighbors", "30", 30),
        ("n_neighbors", "100000", None),
        ("n_neighbors", "2.5", None),
        ("min_dist", "0.25", 0.25),
        ("min_dist", "x", None),
        ("method", "tsne", "tsne"),
        ("method", "mds", None),
        ("n_components", "3", 3),
        ("n_components", "4", None),
    ],
)
def test_the_parameter_table_reads_values_from_links_and_refuses_the_rest(
    name: str, text: str, parsed: object
) -> None:
    assert PARAMETERS[name].parse(text) == parsed
