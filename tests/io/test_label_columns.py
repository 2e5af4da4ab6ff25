"""Which columns are labels: one definition for the colour picker, the trust figures and the
comparison's label figures."""

from __future__ import annotations

import pandas as pd

from embedding_space.io.columns import MAX_LABELS, default_color_column, label_columns


def _frame() -> pd.DataFrame:
    rows = 300
    return pd.DataFrame(
        {
            "text": [f"text {i}" for i in range(rows)],
            "label": [i % 3 for i in range(rows)],
            "label_name": [["Sports", "World", "Tech"][i % 3] for i in range(rows)],
            "city": [f"city {i % 80}" for i in range(rows)],
            "id": list(range(rows)),
            "constant": ["same"] * rows,
            "tags": [["a", "b"]] * rows,
        }
    )


def test_label_columns_are_those_of_2_to_200_values_named_ones_and_words_first() -> None:
    assert label_columns(_frame(), "text") == ["label_name", "label", "city"]


def test_a_column_of_more_values_than_labels_is_no_label() -> None:
    frame = pd.DataFrame(
        {"text": ["x"] * 500, "tag": [str(i % (MAX_LABELS + 1)) for i in range(500)]}
    )
    assert label_columns(frame, "text") == []
    assert default_color_column(frame, "text") is None


def test_the_map_is_first_coloured_by_a_named_label_else_by_a_short_one() -> None:
    frame = _frame()
    assert default_color_column(frame, "text") == "label_name"
    unnamed = frame.drop(columns=["label", "label_name"])
    assert default_color_column(unnamed, "text") is None, "80 cities are too many to colour by"
    assert default_color_column(unnamed.assign(city=unnamed["city"].str[-1]), "text") == "city"
