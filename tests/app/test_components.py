"""Small pure pieces of the UI layer."""

from __future__ import annotations

import re

from components.map_view import rows_of
from components.markdown import plain_markdown
from components.sidebar import dataset_labels
from embedding_space.store.workspace import DatasetInfo


def test_selection_rows_are_read_in_every_shape_the_browser_sends() -> None:
    points = [
        {"customdata": {"0": 24}},  # numpy customdata arrives as a typed array
        {"customdata": [3]},
        {"customdata": 7},
        {"curve_number": 1},  # a line trace without row ids
        {"customdata": {"0": 24}},
    ]
    assert rows_of(points) == [3, 7, 24]


def test_datasets_with_the_same_name_and_size_get_distinct_labels() -> None:
    def info(dataset_id: str, created: str) -> DatasetInfo:
        return DatasetInfo(dataset_id, "notes", 40, "text", ["text"], created)

    labels = dataset_labels(
        [info("aaaa1", "2026-01-01T10:00:00"), info("bbbb2", "2026-01-02T11:00:00")]
    )
    assert len(set(labels.values())) == 2
    single = dataset_labels([info("aaaa1", "2026-01-01T10:00:00")])
    assert single == {"aaaa1": "notes · 40 rows"}


def test_user_text_in_markdown_cannot_make_links_images_or_latex() -> None:
    shown = plain_markdown("![x](http://evil) [click](http://evil) $x^2$ <b>hi</b> **bold**")
    for special in "![]()$<>*":
        assert re.search(rf"(?<!\\){re.escape(special)}", shown) is None, special


def test_the_legend_lists_category_names_as_plain_text_and_finds_them_by_word() -> None:
    import pandas as pd

    from components.legend import legend_rows, long_legend, matching

    names = [f"intent {i}" for i in range(25)] + ["<img src=x onerror=alert(1)> card"]
    legend = long_legend(pd.Series(names * 2), scale=False)
    assert legend is not None and len(legend.colors) == 26
    assert long_legend(pd.Series(names[:20]), scale=False) is None, "plotly's own legend"
    assert matching(list(legend.colors), "CARD") == [names[-1]]
    found = matching(list(legend.colors), "2 INTENT")
    assert found == [name for name in legend.colors if "2" in name and "intent" in name]
    assert len(matching(list(legend.colors), "")) == 26
    drawn = legend_rows([names[-1]], legend.colors, legend.counts())
    assert "<img" not in drawn and "&lt;img" in drawn and ">2<" in drawn
    assert legend.rows_of([names[-1]]) == [25, 51]
