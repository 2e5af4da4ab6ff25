"""Images beside texts, through AppTest: on a dataset of images every table of rows shows each
row's own thumbnail first, every list puts it before the row's line, and a row in focus is
shown larger; on a dataset of texts alone none of it, and no empty column."""

from __future__ import annotations

import re
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components import routes, state
from components.tables import IMAGE, IMAGE_ROW_HEIGHT
from embedding_space.embed.traditional import TraditionalEmbedder
from embedding_space.io.images import thumbnail_uri
from embedding_space.store.workspace import Workspace
from tests.helpers import open_app
from tests.image_lists_support import (
    blocks,
    create_shapes_dataset,
    image_columns,
    image_url,
    images_beside_texts,
    row_of_text,
    stored_thumbnails,
)


@pytest.fixture(scope="module")
def shapes_id() -> str:
    """36 shapes with their images, their own vectors, and TF-IDF of their captions."""
    store = Workspace()
    dataset_id = create_shapes_dataset(store)
    store.embeddings(dataset_id, TraditionalEmbedder("tfidf"))
    return dataset_id


def _table(app: Any, *columns: str) -> Any:
    """The page's table that has these columns."""
    found = [table for table in app.dataframe if set(columns) <= set(table.value.columns)]
    assert found, [list(table.value.columns) for table in app.dataframe]
    return found[0]


def _lines_show_their_rows_images(app: Any, dataset_id: str) -> list[str]:
    """Check that every image drawn just before a text is the image of the row the text
    shows: its thumbnail, or for the row in focus ("Row 5: …") its working copy, larger;
    returns the texts, in page order."""
    thumbnails = stored_thumbnails(dataset_id)
    images = Workspace().images(dataset_id)
    assert images is not None
    pairs = images_beside_texts(app._tree[0])
    for url, text in pairs:
        row = row_of_text(text)
        in_focus = re.match(rf"(\*\*)?Row {row}:", text)
        assert url == (thumbnail_uri(images.working_copy(row)) if in_focus else thumbnails[row])
    return [text for _, text in pairs]


def test_the_neighbour_table_and_the_query_row_show_each_rows_image(shapes_id: str) -> None:
    app = open_app(shapes_id, routes.NEIGHBORS.path, **{state.FOCUS_ROW: {shapes_id: 14}})
    table = _table(app, "row", "text")
    frame = table.value
    assert image_columns(table) == [IMAGE] == [frame.columns[0]], "the image comes first"
    thumbnails = stored_thumbnails(shapes_id)
    assert frame[IMAGE].tolist() == [thumbnails[row] for row in frame["row"]]
    assert len(frame) == 10
    # The query row: its image larger (its working copy), beside its text.
    texts = _lines_show_their_rows_images(app, shapes_id)
    assert len(texts) == 1 and texts[0].startswith("Row 14:")


def test_search_results_selected_rows_and_the_clicked_rows_neighbours_show_their_images(
    shapes_id: str,
) -> None:
    app = open_app(
        shapes_id,
        routes.MAP.path,
        **{
            state.SEARCH_KIND: "text",
            state.SEARCH_QUERY: "red",
            state.SEARCH_COLUMN: "caption",
            state.SELECTION: {shapes_id: [30, 2, 17]},
            state.FOCUS_ROW: {shapes_id: 5},
        },
    )
    thumbnails = stored_thumbnails(shapes_id)
    found = _table(app, "row", "text")
    assert image_columns(found) == [IMAGE]
    assert found.value["row"].tolist() == [0, 1, 12, 13, 24, 25], "the red shapes"
    assert found.value[IMAGE].tolist() == [thumbnails[row] for row in found.value["row"]]
    selected = _table(app, "row", "caption", "colour")
    assert selected.value["row"].tolist() == [30, 2, 17]
    assert selected.value[IMAGE].tolist() == [thumbnails[30], thumbnails[2], thumbnails[17]]
    # The side panel: the clicked row's image, larger, one before each neighbour's line (its
    # score first), and the picked cluster's sample's.
    texts = _lines_show_their_rows_images(app, shapes_id)
    assert texts[0].startswith("**Row 5:**")
    assert sum(text.startswith("`0.") for text in texts) == 10
    assert sum(text.startswith("Sample of cluster") for text in texts) == 1


def test_outliers_show_their_own_and_their_nearest_rows_images_and_duplicates_both(
    shapes_id: str,
) -> None:
    app = open_app(shapes_id, routes.QUALITY.path)
    thumbnails = stored_thumbnails(shapes_id)
    outliers = _table(app, "row", "score", "nearest row")
    frame = outliers.value
    beside = f"{IMAGE} · nearest text"
    assert image_columns(outliers) == [IMAGE, beside]
    assert list(frame.columns).index(beside) + 1 == list(frame.columns).index("nearest text")
    assert frame[IMAGE].tolist() == [thumbnails[row] for row in frame["row"]]
    assert frame[beside].tolist() == [thumbnails[row] for row in frame["nearest row"]]
    # Near-duplicates side by side: each row's image above its number and text.
    duplicates = [
        (url, text)
        for url, text in images_beside_texts(app._tree[0])
        if re.match(r"\*\*\d+\*\* · `", text)
    ]
    assert len(duplicates) >= 2
    for url, text in duplicates:
        row = int(text.split("**")[1])
        assert url == thumbnails[row] and row == row_of_text(text)


def test_label_issue_cards_and_their_neighbours_show_their_images(shapes_id: str) -> None:
    # By colour the shapes' nearest rows are mostly of other colours: every row is suspect.
    column_key = state.widget_key(state.LABEL_ISSUES, "column", shapes_id)
    flagged_key = state.widget_key(state.LABEL_ISSUES, "flagged", shapes_id)
    app = open_app(shapes_id, routes.QUALITY.path, **{column_key: "colour", flagged_key: False})
    thumbnails = stored_thumbnails(shapes_id)
    cards = [
        list(block.children.values())
        for block in blocks(app._tree[0])
        if block.type == "flex_container"
        and next(iter(block.children.values()), None) is not None
        and str(getattr(next(iter(block.children.values())), "value", "")).startswith("**Row ")
    ]
    assert cards, "rows listed"
    for heading, text, *_ in cards:
        row = int(heading.value.split("**")[1].removeprefix("Row "))
        image = next(iter(text.children.values()))
        assert image.type == "image" and image_url(image) == thumbnails[row], "the card's image"
    texts = _lines_show_their_rows_images(app, shapes_id)
    assert len(texts) > len(cards), "and its disagreeing neighbours', a line each"


def test_the_compare_lists_show_each_neighbours_image(shapes_id: str) -> None:
    app = open_app(shapes_id, routes.COMPARE.path)
    thumbnails = stored_thumbnails(shapes_id)
    rows = [element for element in app.expander if element.label.startswith("Row ")]
    assert len(rows) == 10
    for expander in rows:
        row = int(expander.label.split(" ")[1])
        first = next(iter(expander.children.values()))
        assert first.type == "image" and image_url(first) == thumbnails[row]
        lines = images_beside_texts(expander)
        assert len(lines) == 20, "ten neighbours by each model"
        for url, text in lines:
            assert url == thumbnails[row_of_text(text)], text


def test_a_dataset_of_texts_alone_has_no_image_column_and_no_images(
    topics_dataset_id: str,
) -> None:
    dataset_id = topics_dataset_id
    pages = [
        open_app(
            dataset_id,
            routes.MAP.path,
            **{
                state.SEARCH_KIND: "text",
                state.SEARCH_QUERY: "the",
                state.SELECTION: {dataset_id: [0, 1, 2]},
                state.FOCUS_ROW: {dataset_id: 3},
            },
        ),
        open_app(
            dataset_id,
            routes.NEIGHBORS.path,
            **{state.NEIGHBOR_MODE: "a row of the dataset", state.FOCUS_ROW: {dataset_id: 3}},
        ),
        open_app(dataset_id, routes.QUALITY.path),
    ]
    tables = [table for app in pages for table in app.dataframe]
    listing_rows = [table for table in tables if "row" in table.value.columns]
    assert len(listing_rows) >= 4, "search, selection, neighbours, outliers"
    for table in tables:
        assert image_columns(table) == [] and IMAGE not in table.value.columns
    assert all(not app.get("image") for app in pages)


def test_a_column_of_the_rows_named_image_is_kept_beside_the_thumbnails(shapes_id: str) -> None:
    def script(dataset_id: str) -> None:
        import pandas as pd

        from components.tables import RowImages, text_table

        rows = [3, 0]
        frame = pd.DataFrame(
            {"row": rows, "Image": ["photo-3.jpg", "photo-0.jpg"], "text": ["a" * 50, "b" * 50]}
        )
        text_table(frame, images=RowImages(dataset_id, rows))

    app = AppTest.from_function(script, kwargs={"dataset_id": shapes_id}).run()
    assert not app.exception
    table = app.dataframe[0]
    thumbnails = stored_thumbnails(shapes_id)
    assert image_columns(table) == [f"{IMAGE} ·"]
    assert table.value[f"{IMAGE} ·"].tolist() == [thumbnails[3], thumbnails[0]]
    assert table.value[IMAGE].tolist() == ["photo-3.jpg", "photo-0.jpg"], "the rows' own"
    assert table.proto.row_height == IMAGE_ROW_HEIGHT


def test_the_most_and_least_alike_pairs_show_both_images_in_their_order(shapes_id: str) -> None:
    app = open_app(shapes_id, routes.SIMILARITY.path)
    thumbnails = stored_thumbnails(shapes_id)
    by_line: dict[str, list[str]] = {}
    for url, text in images_beside_texts(app._tree[0]):
        by_line.setdefault(text, []).append(url)
    assert len(by_line) >= 10, "the most and the least alike pairs"
    for text, urls in by_line.items():
        first, second = (int(number) for number in re.findall(r"\*\*(\d+)\*\*", text))
        assert urls == [thumbnails[first], thumbnails[second]], text
