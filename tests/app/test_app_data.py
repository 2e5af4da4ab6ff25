"""The Data page through AppTest: real uploads, bad files, vectors, the workspace list."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from components import routes, state
from components.ingest import describe_dates
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.io.tables import read_table
from embedding_space.store.workspace import Workspace
from tests.helpers import new_app, xlsx_bytes


def _data_page() -> AppTest:
    app = new_app()
    app.run()
    app.switch_page(routes.DATA.path).run()
    return app


def _markdown(app: AppTest) -> str:
    return " ".join(block.value for block in app.markdown).replace("\\", "")


def test_uploaded_csv_is_previewed_embedded_and_opened() -> None:
    app = _data_page()
    csv = "id,body,label\n" + "".join(
        f'{i},"Sentence number {i}, about things",x{i % 2}\n' for i in range(6)
    )
    app.file_uploader[0].upload("notes.csv", csv.encode(), "text/csv").run()
    assert not app.exception
    assert "Read **6 rows** from notes.csv" in _markdown(app)
    assert (
        app.selectbox(
            key=next(k for k in app.session_state if str(k).startswith("text_column:"))
        ).value
        == "body"
    )
    app.button[0].click().run()
    assert not app.exception
    dataset_id = app.session_state[state.DATASET_ID]
    assert dataset_id != DEMO_DATASET_ID
    info = Workspace().get(dataset_id)
    assert (info.rows, info.text_column, info.name) == (6, "body", "notes")


def test_bad_file_says_what_to_fix_and_keeps_the_open_dataset() -> None:
    app = _data_page()
    before = app.session_state[state.DATASET_ID]
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    app.file_uploader[0].upload("photo.csv", png, "text/csv").run()
    assert not app.exception
    assert any("could not be used" in e.value and "binary" in e.value for e in app.error)
    assert app.session_state[state.DATASET_ID] == before


def test_cp1252_file_says_which_encoding_was_used() -> None:
    app = _data_page()
    app.file_uploader[0].upload(
        "accents.csv", "text\ncafé crème\nnaïve résumé\n".encode("cp1252")
    ).run()
    assert not app.exception
    assert "cp1252" in _markdown(app)
    assert any("not UTF-8" in w.value.replace("\\", "") for w in app.warning)


def test_uploaded_vectors_open_on_the_map_without_a_model() -> None:
    app = _data_page()
    vectors = np.random.default_rng(0).normal(size=(12, 8)).astype(np.float32)
    buffer = io.BytesIO()
    np.save(buffer, vectors)
    labels = pd.DataFrame({"name": [f"item {i}" for i in range(12)], "kind": ["a", "b"] * 6})
    app.file_uploader(key="vector_files").set_value(
        [
            ("vectors.npy", buffer.getvalue(), "application/octet-stream"),
            ("labels.csv", labels.to_csv(index=False).encode(), "text/csv"),
        ]
    ).run()
    assert not app.exception
    assert "Read **12 vectors** of 8 dimensions" in _markdown(app)
    next(b for b in app.button if b.label == "Explore these vectors").click().run()
    assert not app.exception
    dataset_id = app.session_state[state.DATASET_ID]
    store = Workspace()
    info = store.get(dataset_id)
    assert info.vectors_model is not None and info.query_model is None
    np.testing.assert_array_equal(store.space(dataset_id, info.vectors_model).vectors, vectors)
    app.switch_page(routes.NEIGHBORS.path).run()
    assert not app.exception
    search_by = next(box for box in app.selectbox if box.label == "Search by")
    assert list(search_by.options) == ["a row of the dataset"]


def test_workspace_tab_lists_datasets_with_rows_and_models() -> None:
    app = _data_page()
    listing = app.dataframe[0].value
    assert {"name", "rows", "models", "created", "size (MB)"} <= set(listing.columns)
    demo = listing[listing["name"].str.startswith("Demo")]
    assert demo["rows"].iloc[0] == 3080
    assert "all-MiniLM-L6-v2" in demo["models"].iloc[0]


def test_a_column_of_numbers_picked_as_text_is_refused_and_the_guess_restored() -> None:
    app = _data_page()
    csv = "score,review\n1,Great phone\n2,Battery died fast\n3,Works as expected\n"
    app.file_uploader[0].upload("reviews.csv", csv.encode(), "text/csv").run()
    picker = next(box for box in app.selectbox if box.label == "Text column")
    assert picker.value == "review"
    picker.set_value("score").run()
    assert not app.exception
    assert any("holds numbers" in e.value.replace("\\", "") for e in app.error)
    assert next(box for box in app.selectbox if box.label == "Text column").value == "review"
    assert "Read **3 rows**" in _markdown(app)


def test_a_workbook_opens_on_its_table_and_the_sheet_and_header_row_can_be_picked() -> None:
    app = _data_page()
    data = xlsx_bytes(
        {
            "About": [["Exported by the survey tool"], ["Questions: 12"]],
            "Answers": [["Survey 2026"], [], ["id", "answer"], [1, "Too slow"], [2, "Love it"]],
        }
    )
    app.file_uploader[0].upload("survey.xlsx", data).run()
    assert not app.exception
    sheet = next(box for box in app.selectbox if box.label == "Sheet")
    header = next(box for box in app.number_input if box.label == "Header row")
    assert (sheet.value, list(sheet.options), header.value) == ("Answers", ["About", "Answers"], 3)
    assert "Read **2 rows**" in _markdown(app)
    assert next(box for box in app.selectbox if box.label == "Text column").value == "answer"

    sheet.set_value("About").run()
    assert not app.exception
    assert next(box for box in app.number_input if box.label == "Header row").value == 1
    assert "Read **1 rows**" in _markdown(app)

    next(box for box in app.selectbox if box.label == "Sheet").set_value("Answers").run()
    next(box for box in app.number_input if box.label == "Header row").set_value(1).run()
    assert not app.exception
    text_column = next(box for box in app.selectbox if box.label == "Text column")
    assert list(text_column.options) == ["Survey 2026", "column_2"]
    assert text_column.value == "column_2", "the column of answers, not the one of ids"


def test_a_tab_separated_txt_is_read_as_a_table_and_can_be_read_as_lines() -> None:
    app = _data_page()
    data = "text\ttopic\nThe match ended level\tsport\nRates rose again\tmoney\n".encode("utf-16")
    app.file_uploader[0].upload("export.txt", data).run()
    assert not app.exception
    layout = next(radio for radio in app.radio if radio.label == "Read the file as")
    assert layout.value == "table"
    assert "Read **2 rows**" in _markdown(app)
    layout.set_value("lines").run()
    assert not app.exception
    assert "Read **3 rows**" in _markdown(app)
    assert next(box for box in app.selectbox if box.label == "Text column").value == "text"


def test_json_nested_too_deep_is_refused_and_the_other_tabs_still_draw() -> None:
    app = _data_page()
    nested = "[" * 10_000 + "]" * 10_000
    app.file_uploader[0].upload("deep.json", f'[{{"text": "a", "m": {nested}}}]'.encode()).run()
    assert not app.exception
    assert any("levels deep" in error.value for error in app.error)
    assert app.text_area[0].label == "Texts, one per line", "the Paste tab is still there"
    assert app.dataframe, "the Workspace tab still lists the datasets"


def test_an_uploaded_date_column_is_named_with_its_format_before_embedding() -> None:
    app = _data_page()
    days = ["03.01.2024", "25.12.2023", "14.02.2024", "01.03.2024", "30.06.2024", "07.07.2024"]
    csv = "body,published\n" + "".join(
        f'"Sentence number {i}, about things",{day}\n' for i, day in enumerate(days)
    )
    app.file_uploader[0].upload("notes.csv", csv.encode(), "text/csv").run()
    assert not app.exception
    dates = [str(c.value).replace("\\", "") for c in app.caption if "Dates found" in c.value]
    assert len(dates) == 1
    # 25.12.2023 can only be day first; the caption says so and why
    assert dates[0].startswith("Dates found: 'published' (format DD.MM.YYYY); day first:")
    assert "'25.12.2023'" in dates[0]


def test_an_upload_without_dates_says_nothing_of_dates() -> None:
    app = _data_page()
    csv = "body,label\n" + "".join(f'"Sentence number {i}, about things",x{i}\n' for i in range(6))
    app.file_uploader[0].upload("notes.csv", csv.encode(), "text/csv").run()
    assert not app.exception
    assert "Read **6 rows** from notes.csv" in _markdown(app)
    assert not [c for c in app.caption if "Dates found" in c.value]


def test_a_date_columns_name_is_shown_as_text_not_markup() -> None:
    csv = "body,[when](https://example.com)\n" + "".join(
        f'"Sentence number {i}, about things",2024-01-0{i + 1}\n' for i in range(6)
    )
    table = read_table(csv.encode(), file_name="links.csv")
    caption = describe_dates(table)
    assert caption is not None
    assert "[when](https" not in caption, "a markdown link would be drawn from the file's name"
    # as read on screen: the escapes and the word joiner that stops autolinking are unseen
    shown = caption.replace("\\", "").replace("\u2060", "")
    assert shown == "Dates found: '[when](https://example.com)' (format YYYY-MM-DD)."
