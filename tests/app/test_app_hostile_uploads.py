"""Hostile uploads on the Data page (AppTest): a sentence, never an exception, and the tabs
still there. The files are those of :mod:`tests.io.hostile_files`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from components import routes
from tests.helpers import new_app
from tests.io import hostile_files as hostile


def _data_page() -> AppTest:
    app = new_app()
    app.run()
    app.switch_page(routes.DATA.path).run()
    return app


@pytest.mark.parametrize(
    ("build", "sentence"),
    [
        (hostile.xlsx_of_many_styles, "more than 200,000 entries"),
        (hostile.xlsx_of_many_strings, "more than 2,000,000 distinct texts"),
        (hostile.csv_of_many_columns, "more than 2,000 columns"),
        (hostile.txt_of_short_lines, "1,000,001 lines"),
    ],
    ids=["styles", "shared-strings", "csv-columns", "txt-lines"],
)
def test_a_hostile_table_is_refused_with_its_sentence(
    build: Callable[[], tuple[str, bytes]], sentence: str
) -> None:
    app = _data_page()
    name, data = build()
    app.file_uploader[0].upload(name, data).run()
    assert not app.exception
    assert any(sentence in error.value.replace("\\", "") for error in app.error)
    assert app.text_area[0].label == "Texts, one per line", "the Paste tab is still there"


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.json_with_a_huge_integer(5_000),
        lambda: hostile.parquet_with_pandas_metadata(hostile.FORGED_PANDAS_METADATA["a list"]),
    ],
    ids=["json-5000-digits", "parquet-forged-pandas-metadata"],
)
def test_files_that_raised_an_error_box_are_read(build: Callable[[], tuple[str, bytes]]) -> None:
    app = _data_page()
    name, data = build()
    app.file_uploader[0].upload(name, data).run()
    assert not app.exception
    assert not app.error
    markdown = " ".join(block.value for block in app.markdown).replace("\\", "")
    assert "Read **2 rows**" in markdown


def test_vectors_whose_header_declares_gigabytes_are_refused_unread() -> None:
    app = _data_page()
    name, data = hostile.npz_declaring(10**8, 768)
    app.file_uploader(key="vector_files").set_value(
        [(name, data, "application/octet-stream")]
    ).run()
    assert not app.exception
    assert any("declares an array of 100,000,000 x 768" in e.value for e in app.error)
