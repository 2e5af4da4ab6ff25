"""Small files that ask for a great deal of work, made here byte by byte.

Each builder returns ``(file name, bytes)``; ``scale`` sets how hostile it is (the tests use a
size just past each limit, ``bench/read_budget.py`` the sizes of the attack report). Large
parts are streamed into the zip, so building one never holds what it inflates to.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from embedding_space.io.archives import MAX_PART_ELEMENTS, MAX_SHARED_STRINGS
from embedding_space.io.budget import MAX_ARRAY_BYTES, MAX_ROWS

Builder = Callable[[], tuple[str, bytes]]
_SHEET = "xl/worksheets/sheet1.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _in_chunks(pieces: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    buffer: list[bytes] = []
    held = 0
    for piece in pieces:
        buffer.append(piece)
        held += len(piece)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    yield b"".join(buffer)


def workbook_with(parts: dict[str, Iterable[bytes]]) -> bytes:
    """A real openpyxl workbook (a table of two texts) with some parts replaced."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in (("text", "label"), ("first text", "a"), ("second text", "b")):
        sheet.append(row)
    base = io.BytesIO()
    book.save(base)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(base) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info, source.read(info))
        for name, pieces in parts.items():
            with target.open(name, "w", force_zip64=True) as member:
                for chunk in _in_chunks(pieces):
                    member.write(chunk)
    return out.getvalue()


def _sheet(rows: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<worksheet xmlns="{_MAIN}"><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def xlsx_in_columns_a_and_xfd(rows: int) -> tuple[str, bytes]:
    """A text in column A and a number in column XFD (the last, 16,384th) of every row."""

    def body() -> Iterator[bytes]:
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c>'
        yield b'<c r="XFD1" t="inlineStr"><is><t>score</t></is></c></row>'
        for number in range(2, rows + 2):
            yield (
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>text {number}</t>'
                f'</is></c><c r="XFD{number}"><v>{number}</v></c></row>'
            ).encode()

    return "wide.xlsx", workbook_with({_SHEET: _sheet(body())})


def xlsx_of_many_columns(columns: int) -> tuple[str, bytes]:
    """One header row naming ``columns`` columns, and one row of data."""
    from openpyxl.utils import get_column_letter

    def body() -> Iterator[bytes]:
        for number in (1, 2):
            yield f'<row r="{number}">'.encode()
            for column in range(1, columns + 1):
                ref = f"{get_column_letter(column)}{number}"
                yield f'<c r="{ref}"><v>{column}</v></c>'.encode()
            yield b"</row>"

    return "columns.xlsx", workbook_with({_SHEET: _sheet(body())})


def xlsx_of_many_styles(styles: int = MAX_PART_ELEMENTS + 1) -> tuple[str, bytes]:
    """A workbook whose styles part lists ``styles`` cell formats."""

    def part() -> Iterator[bytes]:
        yield f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font/></fonts>'.encode()
        yield b'<fills count="1"><fill/></fills><borders count="1"><border/></borders>'
        yield f'<cellXfs count="{styles}">'.encode()
        yield from (b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' for _ in range(styles))
        yield b"</cellXfs></styleSheet>"

    return "styles.xlsx", workbook_with({"xl/styles.xml": part()})


def xlsx_of_many_strings(strings: int = MAX_SHARED_STRINGS + 1) -> tuple[str, bytes]:
    """A workbook whose shared strings part lists ``strings`` texts; its sheet uses the first
    six (a table of two columns and two rows), as Excel's own files do."""
    more = (b"<si><t>x</t></si>" for _ in range(strings - 6))
    return "strings.xlsx", xlsx_of_shared_strings(more, strings)


def xlsx_of_a_string_of_many_runs(runs: int = 3_000_000) -> tuple[str, bytes]:
    """A workbook whose shared text "second text" is ``runs`` rich-text runs of "xy" (the
    attack's 3,000,000 took 1 GB to read)."""
    pieces = (b"<r><t>xy</t></r>" for _ in range(runs))
    return "runs.xlsx", xlsx_of_shared_strings([], 6, second=pieces)


def xlsx_of_one_huge_cell(megabytes: int = 1_500) -> tuple[str, bytes]:
    """A workbook whose cell A2 is one inline text of ``megabytes`` MB of "a" (the attack's
    1.5 GB, 1.5 MB on disk, took 4.6 GB to read)."""

    def rows() -> Iterator[bytes]:
        yield (
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row>'
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
        )
        yield from (b"a" * (1 << 20) for _ in range(megabytes))
        yield b"</t></is></c></row>"

    return "huge_cell.xlsx", workbook_with({_SHEET: _sheet(rows())})


def xlsx_of_shared_strings(
    more: Iterable[bytes], strings: int, second: Iterable[bytes] | None = None
) -> bytes:
    """A workbook of a table of two columns and two rows, from six shared strings and then
    ``more``; ``second`` replaces the text "second text" with its pieces."""
    table = ("text", "label", "first text", "a", "second text", "b")

    def part() -> Iterator[bytes]:
        yield f'<sst xmlns="{_MAIN}" count="{strings}" uniqueCount="{strings}">'.encode()
        for text in table:
            if text == "second text" and second is not None:
                yield b"<si>"
                yield from second
                yield b"</si>"
            else:
                yield f"<si><t>{text}</t></si>".encode()
        yield from more
        yield b"</sst>"

    def sheet() -> Iterator[bytes]:
        for row in range(3):
            cells = "".join(
                f'<c r="{letter}{row + 1}" t="s"><v>{2 * row + column}</v></c>'
                for column, letter in enumerate("AB")
            )
            yield f'<row r="{row + 1}">{cells}</row>'.encode()

    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    return workbook_with(
        {
            "[Content_Types].xml": [types.encode()],
            _SHEET: _sheet(sheet()),
            "xl/sharedStrings.xml": part(),
        }
    )


def npz_of_zeros(rows: int = MAX_ARRAY_BYTES // 3_600, dims: int = 1_000) -> tuple[str, bytes]:
    """A compressed ``.npz`` of one float32 array of zeros, ``rows`` x ``dims``."""
    out = io.BytesIO()
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (rows, dims)}
    )
    total = rows * dims * 4
    zero = bytes(1 << 20)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("vectors.npy", "w", force_zip64=True) as member,
    ):
        member.write(header.getvalue())
        for start in range(0, total, len(zero)):
            member.write(zero[: min(len(zero), total - start)])
    return "zeros.npz", out.getvalue()


def npz_declaring(rows: int = 10**8, dims: int = 768) -> tuple[str, bytes]:
    """A ``.npz`` whose one array's header declares ``rows`` x ``dims`` float32 values, with
    only 1 MB of data behind it: refused from the header, before numpy allocates."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f4", "fortran_order": False, "shape": (rows, dims)}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vectors.npy", header.getvalue() + bytes(1 << 20))
    return "huge.npz", out.getvalue()


def csv_of_many_columns(columns: int = 1_000_000) -> tuple[str, bytes]:
    """A header of ``columns`` names (about 10 bytes each) and two rows of text."""
    header = ",".join(f"c{index}" for index in range(columns))
    return "wide.csv", f"{header}\nfirst text\nsecond text\n".encode()


def txt_of_short_lines(lines: int = MAX_ROWS + 1) -> tuple[str, bytes]:
    """``lines`` lines of one letter."""
    return "lines.txt", b"a\n" * lines


def json_with_a_huge_integer(digits: int = 5_000) -> tuple[str, bytes]:
    """Two records, one with an integer of ``digits`` digits."""
    return "huge_int.json", (
        '[{"text": "first text", "n": ' + "9" * digits + '}, {"text": "second text", "n": 1}]'
    ).encode()


def json_of_many_keys(keys: int = 10_000, records: int = 1, *, lines: bool = False) -> Builder:
    """Records of ``keys`` keys each (a text and ``keys - 1`` short values), as a JSON list or
    JSON Lines (the attack's one record of 10,000 keys was read as 10,001 columns in 37 s)."""

    def build() -> tuple[str, bytes]:
        record = {"text": "a text"} | {f"k{index}": "t" for index in range(keys - 1)}
        if lines:
            line = json.dumps(record).encode() + b"\n"
            return "wide.jsonl", line * records
        return "wide.json", json.dumps([record] * records).encode()

    return build


def parquet_of_one_long_text(chars: int = 400_000_000) -> tuple[str, bytes]:
    """A Parquet file whose first text is ``chars`` times "a" (the attack's 400 MB took 13 KB
    on disk and 1.66 GB to read)."""
    out = io.BytesIO()
    table = pa.table({"text": ["a" * chars, "b"]})
    pq.write_table(table, out, compression="zstd")
    del table
    return "long.parquet", out.getvalue()


FORGED_PANDAS_METADATA: dict[str, bytes] = {
    "not JSON": b"{not json",
    "a list": b"[1, 2, 3]",
    "columns not a list": json.dumps({"columns": 7, "index_columns": []}).encode(),
    "no columns": json.dumps({"index_columns": ["__index_level_0__"]}).encode(),
    "an index that is not there": json.dumps(
        {
            "index_columns": ["missing"],
            "column_indexes": [],
            "columns": [{"name": "text", "field_name": "text", "pandas_type": "unicode"}],
        }
    ).encode(),
    "a column of an unknown type": json.dumps(
        {
            "index_columns": [],
            "column_indexes": [],
            "columns": [
                {
                    "name": "text",
                    "field_name": "text",
                    "pandas_type": "nonsense",
                    "numpy_type": "nonsense",
                    "metadata": {"unit": 5},
                }
            ],
        }
    ).encode(),
    "index of the wrong kind": json.dumps(
        {
            "index_columns": [{"kind": "range", "start": "a", "stop": None, "step": {}}],
            "column_indexes": [{"name": None, "pandas_type": "x", "numpy_type": "y"}],
            "columns": [],
        }
    ).encode(),
}
"""Values of the ``b"pandas"`` key in a Parquet schema that pandas trips over."""


def parquet_with_pandas_metadata(metadata: bytes) -> tuple[str, bytes]:
    """A Parquet table of two texts whose pandas metadata is ``metadata``."""
    table = pa.table({"text": ["first text", "second text"], "label": ["a", "b"]})
    table = table.replace_schema_metadata({b"pandas": metadata})
    out = io.BytesIO()
    pq.write_table(table, out)
    return "forged.parquet", out.getvalue()


def normal_file(fmt: str, rows: int = 10_000) -> tuple[str, bytes]:
    """A plain file of ``rows`` texts in ``fmt``: the baseline a hostile file is set beside."""
    texts = [f"text number {index} about something" for index in range(rows)]
    frame = pd.DataFrame({"text": texts, "label": [str(index % 7) for index in range(rows)]})
    out = io.BytesIO()
    if fmt == "xlsx":
        frame.to_excel(out, index=False)
    elif fmt == "npz":
        np.savez_compressed(out, vectors=np.ones((rows, 384), dtype=np.float32))
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "txt":
        out.write("\n".join(texts).encode())
    elif fmt == "json":
        frame.to_json(out, orient="records")
    else:
        frame.to_parquet(out)
    return f"normal.{fmt}", out.getvalue()
