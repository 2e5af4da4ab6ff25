"""Hostile files are refused (or read) inside the reader, before they cost the server.

Each test makes its file (see :mod:`tests.io.hostile_files`), reads it as an upload is read,
and checks the sentence and that the process's resident memory never grew past a bound while
reading; the attack report measured gigabytes for each of these before the budget was kept
inside the readers.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedding_space.errors import InputError
from embedding_space.io import archives, delimited, formats
from embedding_space.io.budget import MAX_PARQUET_BYTES, MAX_ROWS, Deadline, resident_bytes
from embedding_space.io.tables import LoadedTable, read_table
from embedding_space.io.vector_sets import read_vector_files
from tests.io import hostile_files as hostile

BOUND = 150 * 2**20
"""Memory a hostile read may add at most in these tests (each cost gigabytes before)."""


@contextmanager
def peak_growth() -> Iterator[list[int]]:
    """Sample the resident memory while the block runs; yields ``[peak growth in bytes]``."""
    base = resident_bytes()
    found = [0]
    running = True

    def sample() -> None:
        while running:
            found[0] = max(found[0], resident_bytes() - base)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        running = False
        sampler.join()
        found[0] = max(found[0], resident_bytes() - base)


def _refused(build: Callable[[], tuple[str, bytes]], sentence: str) -> None:
    name, data = build()
    with peak_growth() as growth, pytest.raises(InputError, match=sentence):
        if name.endswith(".npz"):
            read_vector_files([(name, data)])
        else:
            read_table(data, file_name=name)
    assert growth[0] < BOUND


def _read(name: str, data: bytes) -> LoadedTable:
    with peak_growth() as growth:
        table = read_table(data, file_name=name)
    assert growth[0] < BOUND
    return table


def test_a_workbook_with_cells_in_columns_a_and_xfd_reads_as_its_two_columns() -> None:
    table = _read(*hostile.xlsx_in_columns_a_and_xfd(3_000))
    assert list(table.frame.columns) == ["text", "score"]
    assert len(table.frame) == 3_000
    assert table.texts[:2] == ["text 2", "text 3"]


def test_a_workbook_of_more_columns_than_the_limit_is_refused_as_it_is_read() -> None:
    _refused(lambda: hostile.xlsx_of_many_columns(2_500), "more than 2,000 columns")


def test_a_workbook_of_millions_of_styles_is_refused_before_it_is_opened() -> None:
    _refused(
        hostile.xlsx_of_many_styles,
        r"part 'xl/styles.xml' holds more than 200,000 entries .* save it as \.csv",
    )


def test_a_large_part_the_reader_never_opens_does_not_count_against_the_workbook() -> None:
    # a pivot table's cache of its source rows: large in real workbooks, unread here
    records = (b"<r><n v='1'/></r>" for _ in range(150_000))
    name, data = "pivot.xlsx", hostile.workbook_with({"xl/pivotCache/records1.xml": records})
    assert _read(name, data).texts == ["first text", "second text"]


def test_a_workbook_of_millions_of_shared_strings_is_refused_before_it_is_opened() -> None:
    _refused(hostile.xlsx_of_many_strings, "more than 2,000,000 distinct texts")


def test_a_workbook_cell_of_a_huge_text_is_refused_before_the_text_is_joined() -> None:
    # 300 MB of text in 300 KB of zip; read whole (and parsed whole by openpyxl looking for
    # the sheet's size), the attack's 1.5 GB cell took 4.6 GB
    _refused(
        lambda: hostile.xlsx_of_one_huge_cell(300),
        r"A cell of the sheet 'Data' holds more than 40,000 characters \(Excel keeps at most "
        r"32,767 in a cell\)",
    )


def test_a_sheet_of_a_huge_run_of_blanks_between_rows_is_refused_as_it_streams() -> None:
    def rows() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
        yield from (b" " * (1 << 20) for _ in range(300))  # kept as the row's tail

    _refused(
        lambda: ("blanks.xlsx", hostile.workbook_with({hostile._SHEET: hostile._sheet(rows())})),
        "The workbook holds more than 40,000 characters between two cells or texts",
    )


def test_a_shared_text_of_a_million_runs_is_refused_by_its_parts() -> None:
    # the attack's 3,000,000 runs of "xy" took 1 GB
    _refused(
        lambda: hostile.xlsx_of_a_string_of_many_runs(1_000_000),
        "A text of the workbook holds more than 10,000 parts",
    )


def test_a_shared_text_of_long_runs_is_refused_as_its_characters_are_counted() -> None:
    runs = (b"<r><t>" + b"x" * 10_000 + b"</t></r>" for _ in range(30_000))  # 300 MB
    _refused(
        lambda: ("runs.xlsx", hostile.xlsx_of_shared_strings([], 6, second=runs)),
        "A text of the workbook holds more than 40,000 characters",
    )


def test_a_shared_text_of_some_runs_reads_as_their_joined_text() -> None:
    table = _read(*hostile.xlsx_of_a_string_of_many_runs(3))
    assert table.texts == ["first text", "xyxyxy"]


def test_a_zip_that_declares_more_than_the_ceiling_is_refused_unopened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archives, "MAX_UNZIPPED_BYTES", 1_000)
    _refused(lambda: hostile.normal_file("xlsx", 50), r"would unpack to 0\.0 GB, more than")


@pytest.mark.slow  # compressing 444 MB of zeros takes seconds; the refusal takes none
def test_an_npz_of_compressed_zeros_is_refused_from_its_header() -> None:
    _refused(
        hostile.npz_of_zeros, r"declares an array of 116,508 x 1,000 float32 values \(444 MB\)"
    )


def test_an_npz_whose_array_declares_a_huge_shape_is_refused_before_numpy_allocates() -> None:
    _refused(
        hostile.npz_declaring,
        r"The array 'vectors' of the \.npz declares an array of 100,000,000 x 768 float32",
    )


def test_an_npy_whose_header_declares_a_huge_array_is_refused_before_numpy_allocates() -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (10**9, 384)}
    )
    with peak_growth() as growth, pytest.raises(InputError, match=r"The \.npy file declares"):
        read_vector_files([("huge.npy", header.getvalue() + bytes(4_096))])
    assert growth[0] < BOUND


def test_a_header_of_a_million_columns_is_refused_before_pandas_parses_it() -> None:
    _refused(hostile.csv_of_many_columns, "The header row names more than 2,000 columns")


def test_a_text_of_more_lines_than_the_row_limit_is_refused_before_it_is_split() -> None:
    _refused(hostile.txt_of_short_lines, f"has 1,000,001 lines; at most {MAX_ROWS:,}")


def test_a_csv_of_more_rows_than_the_limit_stops_at_the_limit() -> None:
    data = b"text\n" + b"a\n" * (MAX_ROWS + 1)
    _refused(lambda: ("rows.csv", data), f"more than {MAX_ROWS:,} rows")


def test_a_csv_read_in_chunks_reads_as_it_would_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a column of numbers in the first chunk and of text in the next is text throughout
    lines = [f"text {row},{row}" for row in range(1_500)] + ["last text,abc"]
    data = ("text,label\n" + "\n".join(lines) + "\n").encode()
    whole = read_table(data, file_name="mixed.csv").frame
    monkeypatch.setattr(delimited, "_CELLS_PER_CHUNK", 10)  # chunks of 1,000 rows
    chunked = read_table(data, file_name="mixed.csv").frame
    assert chunked["label"].tolist() == whole["label"].tolist()
    assert chunked["label"].tolist()[:2] == ["0", "1"]
    assert chunked["label"].tolist()[-1] == "abc"


def test_a_json_integer_of_thousands_of_digits_is_read_as_its_digits() -> None:
    table = _read(*hostile.json_with_a_huge_integer(5_000))
    assert table.texts == ["first text", "second text"]
    assert table.frame["n"].tolist() == ["9" * 5_000, 1]


def test_json_of_millions_of_short_texts_is_refused_before_it_is_parsed() -> None:
    data = b"[" + b'"ab",' * 14_000_000 + b'"ab"]'
    _refused(lambda: ("texts.json", data), r"holds 14,000,001 texts .* at most 800 MB can be")


def test_json_of_too_many_numbers_stops_as_they_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "MAX_JSON_NUMBERS", 1_000_000)
    data = b"[" + b"1.5," * 2_500_000 + b"1.5]"
    _refused(lambda: ("numbers.json", data), "holds more than 1,000,000 numbers")


@pytest.mark.parametrize("lines", [False, True], ids=["json", "jsonl"])
def test_json_records_of_more_keys_than_the_column_limit_are_refused(lines: bool) -> None:
    # the attack's 10,000 keys were read as 10,001 columns after 37 s (67 s as .jsonl)
    _refused(
        hostile.json_of_many_keys(10_000, 3 if lines else 1, lines=lines),
        "The file's records have more than 2,000 different keys \\(columns\\)",
    )


def test_json_records_whose_keys_differ_are_refused_past_the_column_limit_together() -> None:
    rows = [{"text": "a"} | {f"r{row}k{index}": 1 for index in range(700)} for row in range(3)]
    _refused(lambda: ("spread.json", json.dumps(rows).encode()), "more than 2,000 different keys")


def test_json_columns_and_lists_of_too_many_names_are_refused() -> None:
    columns = {f"c{index}": ["x", "y"] for index in range(2_001)}
    _refused(lambda: ("columns.json", json.dumps(columns).encode()), "more than 2,000")
    rows = [[f"c{index}" for index in range(2_001)], ["x"] * 2_001]
    _refused(lambda: ("rows.json", json.dumps(rows).encode()), "more than 2,000")


def test_json_records_of_as_many_keys_as_the_limit_are_read() -> None:
    table = _read(*hostile.json_of_many_keys(2_000, 3, lines=True)())
    assert len(table.frame.columns) == 2_000
    assert table.texts == ["a text"] * 3


def test_json_lines_of_more_lines_than_the_row_limit_are_refused_before_they_are_split() -> None:
    data = b'{"text": "a"}\n' + b"1\n" * MAX_ROWS
    _refused(lambda: ("lines.jsonl", data), f"has 1,000,001 lines; at most {MAX_ROWS:,}")


def test_a_json_list_of_more_records_than_the_row_limit_is_refused() -> None:
    data = b'["a",' + b'"",' * MAX_ROWS + b'"b"]'
    _refused(lambda: ("list.json", data), f"holds 1,000,002 records; at most {MAX_ROWS:,}")


def test_a_projector_tsv_of_more_lines_than_the_row_limit_is_refused() -> None:
    with peak_growth() as growth, pytest.raises(InputError, match="has 1,000,001 lines"):
        read_vector_files([("vectors.tsv", b"0.5\t1\n" * (MAX_ROWS + 1))])
    assert growth[0] < BOUND


@pytest.mark.parametrize("forged", sorted(hostile.FORGED_PANDAS_METADATA))
def test_a_parquet_file_with_forged_pandas_metadata_is_read_by_its_columns(forged: str) -> None:
    table = _read(*hostile.parquet_with_pandas_metadata(hostile.FORGED_PANDAS_METADATA[forged]))
    assert table.texts == ["first text", "second text"]
    assert list(table.frame.columns) == ["text", "label"]


def test_a_parquet_file_of_more_rows_than_the_limit_is_refused_from_its_footer() -> None:
    out = io.BytesIO()
    pq.write_table(pa.table({"text": pa.array(np.zeros(MAX_ROWS + 1, np.int8))}), out)
    _refused(lambda: ("many.parquet", out.getvalue()), f"has 1,000,001 rows; at most {MAX_ROWS:,}")


def test_a_small_parquet_file_of_one_huge_text_is_refused_from_its_footer() -> None:
    # the attack's file was 12.7 KB holding 400 MB; reading it took 1.66 GB
    _refused(
        lambda: hostile.parquet_of_one_long_text(MAX_PARQUET_BYTES + 2**20),
        r"takes 201 MB once uncompressed; at most 200 MB of Parquet can be read\. Save it as "
        "CSV or split it",
    )


def _parquet_of_row_groups() -> bytes:
    out = io.BytesIO()
    texts = [f"text {index}" for index in range(3_000)]
    pq.write_table(pa.table({"text": texts}), out, row_group_size=1_000)
    return out.getvalue()


def test_a_parquet_file_is_read_row_group_by_row_group_whole() -> None:
    frame = formats.parse_parquet(_parquet_of_row_groups())
    assert frame["text"].tolist() == [f"text {index}" for index in range(3_000)]


def test_the_budget_is_checked_between_a_parquet_files_row_groups() -> None:
    with pytest.raises(InputError, match=r"\(reading the Parquet file\) and was stopped"):
        formats.parse_parquet(_parquet_of_row_groups(), Deadline(seconds=-1))


def test_the_budget_stops_a_read_that_grows_memory_past_its_ceiling() -> None:
    budget = Deadline(memory=20 * 2**20)
    held = b"x" * (80 * 2**20)  # written, so resident
    with pytest.raises(InputError, match=r"took more than 20 MB of memory to read \(parsing\)"):
        budget.check("parsing")
    assert len(held) == 80 * 2**20
    Deadline(memory=None).check("parsing")  # no ceiling: nothing to stop
