"""Files other tools write, and files that ask for more work than they are worth.

Each test writes its file: Excel workbooks with a cover sheet or a title above the table,
Excel's "Unicode Text" export, JSON tables written as lists, ``.ndjson``; and a workbook that
declares a million rows, JSON nested thousands deep, a text of megabytes.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from embedding_space.errors import InputError
from embedding_space.io.budget import Deadline
from embedding_space.io.formats import MAX_JSON_DEPTH
from embedding_space.io.tables import MAX_TEXT_CHARS, read_table
from tests.helpers import xlsx_bytes

REVIEWS = [("id", "review", "stars"), (1, "Great phone", 5), (2, "Battery died fast", 1)]


def test_a_workbook_opening_on_an_about_sheet_reads_the_first_sheet_with_a_table() -> None:
    data = xlsx_bytes(
        {
            "About": [("Exported from the shop on 2026-11-30",), ("Contact: team",)],
            "Empty": [],
            "Reviews": REVIEWS,
        }
    )
    table = read_table(data, file_name="export.xlsx")
    assert table.sheet == "Reviews"
    assert table.sheets == ("About", "Empty", "Reviews")
    assert table.texts == ["Great phone", "Battery died fast"]
    assert any("the sheet 'Reviews', the first that holds a table" in w for w in table.warnings)


def test_a_header_below_a_title_is_found_and_can_be_chosen() -> None:
    rows = [("Quarterly feedback",), (), ("Report made by the survey tool",), *REVIEWS]
    data = xlsx_bytes({"Feedback": rows})
    table = read_table(data, file_name="report.xlsx")
    assert table.header_row == 4
    assert list(table.frame.columns) == ["id", "review", "stars"]
    assert table.texts == ["Great phone", "Battery died fast"]
    assert any("taken from row 4" in warning for warning in table.warnings)
    title_row = read_table(
        data, file_name="report.xlsx", header_row=1, text_column="Quarterly feedback"
    )
    assert title_row.header_row == 1
    assert title_row.texts[0] == "Report made by the survey tool"


def test_a_chosen_sheet_is_read_even_when_it_is_not_a_table() -> None:
    data = xlsx_bytes({"About": [("note one",), ("note two",)], "Reviews": REVIEWS})
    table = read_table(data, file_name="export.xlsx", sheet="About", header_row=1)
    assert table.sheet == "About" and table.texts == ["note two"]


def test_an_empty_chosen_sheet_or_header_row_says_what_there_is() -> None:
    data = xlsx_bytes({"Empty": [], "Reviews": REVIEWS})
    with pytest.raises(
        InputError, match=r"The sheet 'Empty' is empty\. Pick another sheet: Reviews"
    ):
        read_table(data, file_name="export.xlsx", sheet="Empty")
    with pytest.raises(InputError, match="Row 9 of the sheet 'Reviews' is empty"):
        read_table(data, file_name="export.xlsx", header_row=9)
    with pytest.raises(InputError, match="Every sheet of the workbook is empty"):
        read_table(xlsx_bytes({"A": [], "B": []}), file_name="blank.xlsx")


def test_a_workbook_that_declares_a_million_rows_reads_only_the_cells_it_holds() -> None:
    book = Workbook()
    sheet = book.active
    for row in REVIEWS:
        sheet.append(list(row))
    sheet["XFD1048576"] = " "  # a blank cell written far away declares A1:XFD1048576
    buffer = io.BytesIO()
    book.save(buffer)
    assert sheet.dimensions == "A1:XFD1048576"
    table = read_table(buffer.getvalue(), file_name="tiny.xlsx")
    assert table.texts == ["Great phone", "Battery died fast"]
    assert list(table.frame.columns) == ["id", "review", "stars"]


def test_reading_stops_at_the_deadline_with_a_sentence() -> None:
    rows = [("text",)] + [(f"row {i}",) for i in range(2000)]
    with pytest.raises(InputError, match="took longer than 0 seconds to read"):
        read_table(xlsx_bytes({"Data": rows}), file_name="slow.xlsx", deadline=Deadline(0))
    with pytest.raises(InputError, match="took longer than 0 seconds"):
        read_table(b"text\nhello\n", file_name="a.csv", deadline=Deadline(0))


def test_excels_unicode_text_export_is_read_as_a_table_and_can_be_read_as_lines() -> None:
    data = "text\ttopic\nThe match ended level\tsport\nRates rose again\tmoney\n".encode("utf-16")
    table = read_table(data, file_name="export.txt")
    assert table.txt_layout == "table"
    assert (table.text_column, table.texts) == (
        "text",
        ["The match ended level", "Rates rose again"],
    )
    assert table.frame["topic"].tolist() == ["sport", "money"]
    assert any("read as a table" in warning for warning in table.warnings)
    lines = read_table(data, file_name="export.txt", txt_layout="lines")
    assert lines.txt_layout == "lines"
    assert lines.texts[0] == "text\ttopic"


def test_a_txt_of_sentences_with_a_stray_tab_stays_one_text_per_line() -> None:
    data = b"first line\nsecond\tline with a tab\nthird line\n"
    table = read_table(data, file_name="notes.txt")
    assert table.txt_layout == "lines"
    assert table.texts == ["first line", "second\tline with a tab", "third line"]


def test_json_written_as_lists_under_a_header_is_a_table() -> None:
    document = [["text", "label"], ["good film", "pos"], ["dull plot", "neg"], ["fine"]]
    table = read_table(json.dumps(document).encode(), file_name="rows.json")
    assert table.texts == ["good film", "dull plot", "fine"]
    assert table.frame["label"].tolist()[:2] == ["pos", "neg"]
    with pytest.raises(InputError, match="first list is not a row of column names"):
        read_table(b"[[1, 2], [3, 4]]", file_name="numbers.json")


def test_ndjson_is_read_as_json_lines() -> None:
    data = b'{"text": "one", "n": 1}\n{"text": "two", "n": 2}\n'
    table = read_table(data, file_name="events.ndjson")
    assert (table.format, table.texts) == ("jsonl", ["one", "two"])


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000])
def test_json_nested_too_deep_is_refused_with_a_sentence(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    document = f'[{{"text": "a", "meta": {nested}}}]'.encode()
    for name in ("deep.json", "deep.jsonl"):
        with pytest.raises(InputError, match=f"more than {MAX_JSON_DEPTH} levels deep"):
            read_table(document, file_name=name)


def test_a_text_of_megabytes_is_cut_far_beyond_what_the_model_reads(tmp_path: Path) -> None:
    huge = "word " * 2_000_000  # 10 MB in one cell
    (tmp_path / "huge.csv").write_text(f"text\n{huge}\nshort one\n")
    table = read_table(tmp_path / "huge.csv")
    assert [len(text) for text in table.texts] == [MAX_TEXT_CHARS, len("short one")]
    assert any("cut there" in warning for warning in table.warnings)
