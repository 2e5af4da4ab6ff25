"""Tests for embedding_space.io: one loader for every messy file a user may upload."""

from __future__ import annotations

import codecs
import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from embedding_space.errors import InputError
from embedding_space.io.columns import guess_text_column
from embedding_space.io.tables import (
    LARGE_TABLE_ROWS,
    MAX_TEXT_CHARS,
    SUPPORTED_SUFFIXES,
    describe,
    read_table,
)
from tests.helpers import xlsx_bytes

PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(
    range(256)
)
ONE_MB_TEXT = "lorem ipsum " * 87_382  # 1,048,584 characters
LARGE_ROWS = 200_000
HTML_TEXT = '<script>alert("hi")</script><b>bold</b> &amp; <a href="x">link</a>'


def _large_csv() -> bytes:
    lines = [
        f"{index},Sentence number {index} about topic {index % 97}" for index in range(LARGE_ROWS)
    ]
    return ("id,text\n" + "\n".join(lines) + "\n").encode()


def _xlsx(path: Path) -> None:
    reviews: list[list[object]] = [
        ["id", "review", "stars"],
        [1, "Great café, would return", 5],
        [None, None, None],  # a blank row in the middle is skipped
        [2, "Cold coffee", 2],
        [3, 42, 1],  # a number typed into the text column becomes text
    ]
    notes: list[list[object]] = [["note"], ["only on the second sheet"]]
    path.write_bytes(xlsx_bytes({"Reviews": reviews, "Notes": notes}))


def _parquet(path: Path) -> None:
    pd.DataFrame(
        {"sentence": ["first parquet row", "second", None], "score": [0.1, 0.2, 0.3]}
    ).to_parquet(path)


FILES: dict[str, bytes | str] = {
    "utf8.csv": "id,text\n1,café crème\n2,naïve résumé\n".encode(),
    "utf8_bom.csv": codecs.BOM_UTF8 + "id,text\n1,café crème\n2,naïve\n".encode(),
    "utf16_bom.csv": "id,text\n1,café crème\n2,naïve\n".encode("utf-16"),
    "utf16_be_bom.txt": codecs.BOM_UTF16_BE + "première ligne\nzweite Zeile\n".encode("utf-16-be"),
    "utf16_no_bom.csv": "id,text\n1,café crème\n2,naïve\n".encode("utf-16-le"),
    "cp1252.csv": "id,text\n1,café au lait\n2,Ça coûte 5€ — déjà vu\n".encode("cp1252"),
    "cp1251.csv": "id,text\n1,Привет мир как дела\n2,Доброе утро друзья мои\n".encode("cp1251"),
    "semicolons.csv": b"id;text;score\n1;Hello, world;0.5\n2;Bonjour, monde;0.7\n",
    "pipes.csv": b"id|text\n1|pipe, separated\n2|second\n",
    "excel_sep_hint.csv": b"sep=;\nid;text\n1;a, b\n2;c\n",
    "tabs.tsv": b"text\tlabel\nfirst, with a comma\ta\nsecond\tb\n",
    "commas_named.tsv": b"id,text\n1,a tsv that uses commas\n2,second\n",
    "quoted_newlines.csv": b'id,text\n1,"line one\nline two"\n2,"say ""hi"", then go"\n',
    "windows_newlines.csv": b"id,text\r\n1,alpha\r\n2,beta\r\n",
    "single_column.csv": b"text\nhello, world\nfoo, bar, baz\n",
    "lines.txt": b"first line\n\n   \nsecond line\n",
    "records.jsonl": b'{"text": "one", "label": 1}\n\n{"text": "two", "label": 2}\n',
    "records.json": b'[{"text": "one", "label": 1}, {"text": "two"}]',
    "data_key.json": b'{"version": 2, "data": [{"body": "under data"}, {"body": "second"}]}',
    "strings.json": b'["just a string", "another", ""]',
    "columns.json": b'{"text": ["column one", "column two"], "label": [1, 2]}',
    "jsonl_named.json": b'{"text": "lines in a .json"}\n{"text": "second"}\n',
    "pretty.jsonl": b'[\n  {"text": "pretty printed"},\n  {"text": "second"}\n]\n',
    "one_row.csv": b"text\nonly one\n",
    "two_rows.csv": b"text\nfirst\nsecond\n",
    "ragged.csv": b"id,text\n1,fine\n2,broken, with a comma\n3,also fine\n",
    "short_rows.csv": b"id,text,label\n1,full,a\n2,missing label\n",
    "big_text.csv": ("id,text\n1," + ONE_MB_TEXT + "\n").encode(),
    "html.csv": b"id,text\n1,<b>bold</b> <script>alert(1)</script>\n",
    "html_quoted.csv": ('id,text\n1,"' + HTML_TEXT.replace('"', '""') + '"\n').encode(),
    "control.txt": b"bell\x07 ring\nnul\x00 byte\nesc\x1b[31m red\nplain\ttab\n\x01\x02\n",
    "dupes.csv": b"text\nsame\nother\nsame\nsame\n",
    "dup_columns.csv": b"text,text,id\na,b,1\nc,d,2\n",
    "nan_words.csv": b"id,text\n1,NA\n2,null\n3,None\n",
    "guess.csv": (
        b"code,description,title\nA1,A long description of the thing,Short\nB2,Another long one,T\n"
    ),
    "vector_strings.csv": (
        b'name,vec\nalpha,"[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]"\nbeta,"[0.6, 0.5, 0.4, 0.3, 0.2, 0.1]"\n'
    ),
    "mixed.csv": b"id,text,score\n1,hello,0.5\n2,bye,0.7\n",
    # Files that must fail.
    "empty.csv": b"",
    "empty.xlsx": b"",
    "whitespace.csv": b"  \n\t\n   \n",
    "header_only.csv": b"id,text\n",
    "image.csv": PNG_BYTES,
    "noise.csv": random.Random(0).randbytes(4096),
    "numbers.csv": b"id,score\n1,0.5\n2,0.7\n",
    "empty_texts.csv": b"id,text\n1,\n2,   \n",
    "mostly_ragged.csv": b"id,text\n1,a,b\n2,c,d\n3,e\n",
    "unclosed_quote.csv": b'id,text\n1,"never closed\n2,next\n',
    "broken.json": b'[{"text": "a"},',
    "broken.jsonl": b'{"text": "a"}\n{"text": b}\n',
    "numbers.json": b"[1, 2, 3]",
    "mixed_records.json": b'[{"text": "a"}, "b"]',
    "image.xlsx": PNG_BYTES,
    "image.parquet": PNG_BYTES,
    "notes.docx": b"whatever",
    "no_suffix": b"text\nhello\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of messy files, one per case."""
    path = tmp_path_factory.mktemp("tables")
    for name, content in FILES.items():
        (path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    (path / "large.csv").write_bytes(_large_csv())
    _xlsx(path / "book.xlsx")
    _parquet(path / "table.parquet")
    return path


@dataclass(frozen=True)
class Loads:
    """A file that loads: the rows kept, the first text, and anything else to check."""

    name: str
    rows: int
    first: str
    options: dict[str, Any] = field(default_factory=dict)
    expect: dict[str, object] = field(default_factory=dict)
    warns: str | None = None

    def __str__(self) -> str:
        return self.name + ("+" + ",".join(self.options) if self.options else "")


LOADS = [
    Loads("utf8.csv", 2, "café crème", expect={"encoding": "utf-8", "delimiter": ","}),
    Loads(
        "utf8_bom.csv", 2, "café crème", expect={"encoding": "utf-8-sig", "columns": ["id", "text"]}
    ),
    Loads("utf16_bom.csv", 2, "café crème", expect={"encoding": "utf-16"}),
    Loads("utf16_be_bom.txt", 2, "première ligne", expect={"encoding": "utf-16"}),
    Loads("utf16_no_bom.csv", 2, "café crème", expect={"encoding": "utf-16-le"}),
    Loads("cp1252.csv", 2, "café au lait", expect={"encoding": "cp1252"}, warns="not UTF-8"),
    Loads("cp1251.csv", 2, "Привет мир как дела", expect={"encoding": "cp1251"}, warns="cp1251"),
    Loads("cp1252.csv", 2, "café au lait", {"encoding": "latin-1"}, {"encoding": "iso8859-1"}),
    Loads(
        "semicolons.csv",
        2,
        "Hello, world",
        expect={"delimiter": ";", "columns": ["id", "text", "score"]},
    ),
    Loads("pipes.csv", 2, "pipe, separated", expect={"delimiter": "|"}),
    Loads("excel_sep_hint.csv", 2, "a, b", expect={"delimiter": ";"}),
    Loads("tabs.tsv", 2, "first, with a comma", expect={"delimiter": "\t", "format": "tsv"}),
    Loads("commas_named.tsv", 2, "a tsv that uses commas", expect={"delimiter": ","}),
    Loads("quoted_newlines.csv", 2, "line one\nline two"),
    Loads("windows_newlines.csv", 2, "alpha", expect={"texts": ["alpha", "beta"]}),
    Loads(
        "single_column.csv", 2, "hello, world", expect={"texts": ["hello, world", "foo, bar, baz"]}
    ),
    Loads(
        "lines.txt",
        2,
        "first line",
        expect={"format": "txt", "rows_read": 4, "dropped": {"empty text": 2}, "delimiter": None},
    ),
    Loads("records.jsonl", 2, "one", expect={"format": "jsonl", "columns": ["text", "label"]}),
    Loads("records.json", 2, "one", expect={"format": "json", "encoding": "utf-8"}),
    Loads("data_key.json", 2, "under data", expect={"text_column": "body"}),
    Loads("strings.json", 2, "just a string", expect={"dropped": {"empty text": 1}}),
    Loads("columns.json", 2, "column one", expect={"columns": ["text", "label"]}),
    Loads("jsonl_named.json", 2, "lines in a .json"),
    Loads("pretty.jsonl", 2, "pretty printed"),
    Loads(
        "table.parquet",
        2,
        "first parquet row",
        expect={"format": "parquet", "encoding": None, "dropped": {"empty text": 1}},
    ),
    Loads(
        "book.xlsx",
        3,
        "Great café, would return",
        expect={
            "sheet": "Reviews",
            "text_column": "review",
            "texts": ["Great café, would return", "Cold coffee", "42"],
        },
    ),
    Loads("book.xlsx", 1, "only on the second sheet", {"sheet": "Notes"}, {"sheet": "Notes"}),
    Loads("one_row.csv", 1, "only one"),
    Loads("two_rows.csv", 2, "first"),
    Loads(
        "ragged.csv",
        2,
        "fine",
        expect={"rows_read": 3, "dropped": {"extra fields": 1}, "texts": ["fine", "also fine"]},
        warns="line 3",
    ),
    Loads("short_rows.csv", 2, "full"),
    Loads(
        "big_text.csv",
        1,
        ONE_MB_TEXT[:MAX_TEXT_CHARS],
        warns=f"longer than {MAX_TEXT_CHARS:,} characters (the longest had 1,048,584) and was cut",
    ),
    Loads("large.csv", LARGE_ROWS, "Sentence number 0 about topic 0", warns="long time"),
    Loads("html.csv", 1, "<b>bold</b> <script>alert(1)</script>"),
    Loads("html_quoted.csv", 1, HTML_TEXT),
    Loads(
        "control.txt",
        4,
        "bell ring",
        expect={
            "texts": ["bell ring", "nul byte", "esc[31m red", "plain\ttab"],
            "dropped": {"empty text": 1},
        },
        warns="control characters",
    ),
    Loads("dupes.csv", 4, "same", expect={"duplicate_texts": 2, "dropped": {}}),
    Loads(
        "dupes.csv",
        2,
        "same",
        {"drop_duplicates": True},
        {"duplicate_texts": 2, "dropped": {"duplicate text": 2}, "texts": ["same", "other"]},
    ),
    Loads("dup_columns.csv", 2, "a", expect={"columns": ["text", "text.1", "id"]}),
    Loads("nan_words.csv", 3, "NA", expect={"texts": ["NA", "null", "None"]}),
    Loads("guess.csv", 2, "A long description of the thing", expect={"text_column": "description"}),
    Loads("guess.csv", 2, "A long description of the thing", {"text_column": "description"}),
    Loads("guess.csv", 2, "Short", {"text_column": "TITLE"}, {"text_column": "title"}),
    Loads("vector_strings.csv", 2, "alpha", expect={"text_column": "name"}),
    Loads("mixed.csv", 2, "hello", expect={"text_column": "text"}),
]


@pytest.mark.parametrize("case", LOADS, ids=str)
def test_file_loads_with_expected_rows_and_first_text(folder: Path, case: Loads) -> None:
    table = read_table(folder / case.name, **case.options)

    assert len(table.frame) == case.rows
    assert table.texts[0] == case.first
    assert list(table.frame.index) == list(range(case.rows))
    assert all(isinstance(name, str) for name in table.frame.columns)
    assert all(isinstance(text, str) and text.strip() for text in table.texts[:1000])
    for key, wanted in case.expect.items():
        actual = list(table.frame.columns) if key == "columns" else getattr(table, key)
        assert actual == wanted, key
    if case.warns is None:
        assert not [note for note in table.warnings if "not UTF-8" not in note]
    else:
        assert any(case.warns in note for note in table.warnings), table.warnings


FAILS = [
    ("empty.csv", {}, "The file is empty."),
    ("empty.xlsx", {}, "The file is empty."),
    ("whitespace.csv", {}, "only whitespace"),
    ("header_only.csv", {}, "has a header row (id, text) but no data rows"),
    ("image.csv", {}, "looks like a binary file, not text (it starts like a PNG image)"),
    ("noise.csv", {}, "looks like a binary file, not text"),
    ("numbers.csv", {}, "The file has no column of text. Pick one of: id, score."),
    (
        "mixed.csv",
        {"text_column": "score"},
        "Column 'score' holds numbers, not text. Pick one of: text.",
    ),
    (
        "numbers.csv",
        {"text_column": "score"},
        "holds numbers, not text, and the file has no column",
    ),
    (
        "mixed.csv",
        {"text_column": "nope"},
        "Column 'nope' is not in the file. Pick one of: id, text, score.",
    ),
    ("empty_texts.csv", {}, "The file has no column of text. Pick one of: id, text."),
    ("empty_texts.csv", {"text_column": "text"}, "Column 'text' is empty"),
    (
        "mostly_ragged.csv",
        {},
        "2 of 3 rows have more fields than the header (2), the first at line 2",
    ),
    ("unclosed_quote.csv", {}, "is never closed"),
    ("broken.json", {}, "The file is not valid JSON"),
    ("broken.jsonl", {}, "Line 2 of the file is not valid JSON"),
    ("numbers.json", {}, "Record 1 of the file is a number"),
    ("mixed_records.json", {}, "Record 2 of the file is a string"),
    ("image.xlsx", {}, "could not be read as an .xlsx workbook"),
    ("book.xlsx", {"sheet": "Missing"}, "no sheet 'Missing'. Pick one of: Reviews, Notes."),
    ("image.parquet", {}, "could not be read as Parquet"),
    ("notes.docx", {}, "'.docx', which is not a supported format. Use one of: .txt, .csv"),
    ("no_suffix", {}, "has no suffix"),
    ("cp1252.csv", {"encoding": "utf-8"}, "could not be read as utf-8"),
    ("utf8.csv", {"encoding": "klingon"}, "'klingon' is not an encoding Python knows"),
    ("missing.csv", {}, "does not exist"),
]


@pytest.mark.parametrize(
    ("name", "options", "message"), FAILS, ids=[f"{c[0]}{c[1] or ''}" for c in FAILS]
)
def test_bad_file_raises_input_error_with_a_clear_sentence(
    folder: Path, name: str, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_table(folder / name, **options)

    assert message in str(caught.value)
    assert str(caught.value).endswith(".")


@pytest.mark.parametrize("case", [case for case in LOADS if case.name != "large.csv"], ids=str)
def test_uploaded_bytes_load_like_the_path(folder: Path, case: Loads) -> None:
    path = folder / case.name

    from_path = read_table(path, **case.options)
    from_bytes = read_table(path.read_bytes(), file_name=case.name.upper(), **case.options)

    pd.testing.assert_frame_equal(from_path.frame, from_bytes.frame)
    assert describe(from_path) == describe(from_bytes)


def test_bytes_without_file_name_raise_input_error() -> None:
    with pytest.raises(InputError, match="no file name"):
        read_table(b"text\nhello\n")


def test_large_table_loads_with_a_warning_about_time(folder: Path) -> None:
    table = read_table(folder / "large.csv")

    assert len(table.frame) == LARGE_ROWS > LARGE_TABLE_ROWS
    assert (
        table.texts[-1] == f"Sentence number {LARGE_ROWS - 1} about topic {(LARGE_ROWS - 1) % 97}"
    )


def test_describe_is_json_ready_with_every_key(folder: Path) -> None:
    table = read_table(folder / "ragged.csv")

    summary = json.loads(json.dumps(describe(table)))

    assert set(summary) == {
        "format",
        "encoding",
        "sheets",
        "header_row",
        "txt_layout",
        "delimiter",
        "sheet",
        "columns",
        "text_column",
        "date_columns",
        "rows",
        "rows_read",
        "dropped",
        "duplicate_texts",
        "warnings",
        "sample",
    }
    assert summary["rows"] == 2
    assert summary["rows_read"] == 3
    assert summary["dropped"] == {"extra fields": 1}
    assert summary["sample"] == ["fine", "also fine"]
    assert summary["columns"] == ["id", "text"]


def test_describe_samples_the_first_five_texts(folder: Path) -> None:
    summary = describe(read_table(folder / "large.csv"))

    assert summary["sample"] == [
        f"Sentence number {index} about topic {index}" for index in range(5)
    ]


def _one_text(suffix: str) -> bytes:
    """A file holding the one text "hello there" (in a column ``text`` where the format has
    columns), written as files with ``suffix`` are."""
    if suffix == ".parquet":
        buffer = io.BytesIO()
        pd.DataFrame({"text": ["hello there"]}).to_parquet(buffer)
        return buffer.getvalue()
    if suffix == ".xlsx":
        return xlsx_bytes({"Sheet": [["text"], ["hello there"]]})
    return {
        ".txt": b"hello there\n",
        ".csv": b"text\nhello there\n",
        ".tsv": b"text\tid\nhello there\t1\n",
        ".jsonl": b'{"text": "hello there"}\n',
        ".ndjson": b'{"text": "hello there"}\n',
        ".json": b'[{"text": "hello there"}]',
    }[suffix]


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
def test_every_supported_suffix_loads_a_file_of_its_kind_in_any_case(
    tmp_path: Path, suffix: str
) -> None:
    for name in (f"lower{suffix}", f"UPPER{suffix.upper()}"):
        path = tmp_path / name
        path.write_bytes(_one_text(suffix))
        table = read_table(path)
        assert table.texts == ["hello there"], name
        assert table.format == {".ndjson": "jsonl"}.get(suffix, suffix[1:]), name


def test_html_is_kept_as_text_not_interpreted(folder: Path) -> None:
    table = read_table(folder / "html_quoted.csv")

    assert table.texts == [HTML_TEXT]
    assert "<script>" in str(table.frame.loc[0, "text"])


GUESSES = [
    ({"id": [1, 2], "Sentence": ["a", "b"], "notes": ["much longer text", "here too"]}, "Sentence"),
    ({"id": [1, 2], "body": ["a", "b"], "title": ["t", "u"]}, "body"),
    ({"code": ["A1", "B2"], "blurb": ["a long free text", "another long one"]}, "blurb"),
    ({"label": ["x", "y"], "vec": ["[0.1, 0.2, 0.3, 0.4]", "[0.5, 0.6, 0.7, 0.8]"]}, "label"),
    ({"texts": ["plural name", "works"], "other": ["much longer strings", "than texts"]}, "texts"),
]


@pytest.mark.parametrize(("columns", "wanted"), GUESSES, ids=[wanted for _, wanted in GUESSES])
def test_guess_text_column_prefers_known_names_then_the_longest_text(
    columns: dict[str, list[object]], wanted: str
) -> None:
    assert guess_text_column(pd.DataFrame(columns)) == wanted


def test_guess_text_column_without_text_lists_the_columns() -> None:
    frame = pd.DataFrame({"id": [1, 2], "score": [0.5, 0.7]})

    with pytest.raises(
        InputError, match=r"^The file has no column of text\. Pick one of: id, score\.$"
    ):
        guess_text_column(frame)
