"""Excel workbooks: the sheet with the table, its header row, and cells read as they are.

A workbook's first sheet is often a cover note, and its table often starts below a title: the
first sheet that holds a table of two or more columns is read (else the first with any data),
and the header is the first row with as many filled cells as the widest row near the top.
Both can be chosen instead. Rows are read from the cells the file really holds, not from the
size the sheet declares (one cell written at ``XFD1048576`` declares seventeen billion), cell by
cell from the sheet's XML so that a row is never widened to the sheet's last column, and within
the read :class:`~embedding_space.io.budget.Deadline`. The parts the reader loads whole (shared
strings, styles) are counted before it opens them (:mod:`~embedding_space.io.archives`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import Element, TreeBuilder, XMLParser

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.archives import check_workbook_parts
from embedding_space.io.budget import MAX_COLUMNS, MAX_ROWS, Deadline

__all__ = ["MAX_CELL_CHARS", "Workbook", "parse_xlsx"]

_HEADER_SEARCH_ROWS = 50
"""The header is looked for among this many filled rows at the top of a sheet."""
_CHECK_EVERY = 5_000
"""XML elements read between two looks at the budget."""
_MAX_CELL_ELEMENTS = 1_000
"""A cell may hold this many XML elements (runs of rich text) at most."""
_MAX_STRING_ELEMENTS = 10_000
"""A shared string may hold this many XML elements at most (a formatted run takes about eight:
the run, its text and its font's parts)."""

MAX_CELL_CHARS = 40_000
"""A cell (or a shared string) may hold this many characters at most, counted as the XML is
read so that a longer text is never joined in memory (Excel itself keeps 32,767; a 1.5 MB
workbook can inflate one cell to 1.5 GB)."""
_CHUNK = 1 << 16
"""Bytes of XML handed to the parser at a time; no text piece it reports is longer."""

_Row = tuple[int, dict[int, object]]
"""A sheet's row: its number, and its filled cells by column (1-based)."""


@dataclass(frozen=True)
class Workbook:
    """One sheet of a workbook, read as a table.

    Attributes:
        frame: The rows below the header, with the header's names.
        sheet: The sheet read.
        sheets: Every sheet of the workbook, in order.
        header_row: The sheet's row (1-based, as Excel numbers them) that named the columns.
        notes: Sentences about choices made (another sheet than the first, a header below
            row 1).
    """

    frame: pd.DataFrame
    sheet: str
    sheets: tuple[str, ...]
    header_row: int
    notes: tuple[str, ...]


def parse_xlsx(
    data: bytes,
    sheet: str | None = None,
    header_row: int | None = None,
    *,
    deadline: Deadline | None = None,
) -> Workbook:
    """Read one sheet of an ``.xlsx`` workbook as a table.

    Args:
        data: The file's bytes.
        sheet: The sheet to read; the first that holds a table when ``None``.
        header_row: The row (1-based) that names the columns; found when ``None``.
        deadline: When to give up; a fresh :class:`Deadline` when ``None``.

    Raises:
        InputError: The file is no workbook or is damaged, the sheet does not exist or is
            empty, the header row holds nothing, or reading ran past the deadline or
            :data:`~embedding_space.io.budget.MAX_ROWS`.
    """
    from openpyxl.reader.excel import ExcelReader

    deadline = deadline or Deadline()
    check_workbook_parts(data, deadline)
    # A damaged workbook can fail anywhere in zip, zlib or XML parsing, with many exception
    # types; all of them mean the same thing to the user, so both steps catch Exception.
    try:
        # load_workbook, with the shared strings read within the budget
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_strings = lambda: _read_shared_strings(reader, deadline)
        reader.read_worksheets = lambda: _open_sheets(reader)
        reader.read()
        workbook = reader.wb
    except Exception as error:
        if isinstance(error.__cause__, InputError):  # openpyxl rewraps it as a ValueError
            raise error.__cause__ from None
        raise InputError(
            "The file could not be read as an .xlsx workbook. Check that it is an Excel "
            "workbook saved as .xlsx (not an old .xls file) and not damaged."
        ) from error
    try:
        names = tuple(str(name) for name in workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError(
                f"The workbook has no sheet '{sheet}'. Pick one of: {', '.join(names)}."
            )
        candidates = [sheet] if sheet is not None else list(names)
        read: dict[str, list[_Row]] = {}
        for name in candidates:
            read[name] = _filled_rows(workbook[name], name, deadline)
            if sheet is not None or _is_table(read[name]):
                break
    except InputError:
        raise
    except Exception as error:
        raise InputError(
            "The workbook could not be read; it may be damaged. Save it again as .xlsx."
        ) from error
    finally:
        workbook.close()
    chosen = sheet or next((name for name, rows in read.items() if _is_table(rows)), None)
    chosen = chosen or next((name for name, rows in read.items() if rows), None)
    if chosen is None or not read.get(chosen):
        which = f"The sheet '{sheet}' is" if sheet else "Every sheet of the workbook is"
        others = [name for name in names if name != sheet] if sheet else []
        hint = f" Pick another sheet: {', '.join(others)}." if others else ""
        raise InputError(f"{which} empty.{hint}")
    return _as_table(read[chosen], chosen, names, header_row, picked=sheet is not None)


def _read_shared_strings(reader: Any, deadline: Deadline) -> None:
    """openpyxl's ``read_strings``, checking the budget as it goes (openpyxl's own takes a
    minute for a few million): each string's plain text and the text of its runs."""
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

    found = reader.package.find(SHARED_STRINGS)
    if found is None:
        return
    item, text, run = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("si", "t", "r"))
    strings: list[str] = []
    root: Element | None = None
    inside = 0
    with reader.archive.open(found.PartName[1:]) as source:
        for event, node in _bounded_parse(source, item, "A text of the workbook"):
            if root is None:
                root = node
            if event == "start":
                inside = 0 if node.tag == item else inside + 1
                if inside > _MAX_STRING_ELEMENTS:
                    raise InputError(
                        f"A text of the workbook holds more than {_MAX_STRING_ELEMENTS:,} parts; "
                        "the workbook may be damaged. Save it again as .xlsx."
                    )
                continue
            if node.tag != item:
                continue
            parts = [child.text or "" for child in node if child.tag == text]
            parts += [child.findtext(text) or "" for child in node if child.tag == run]
            strings.append("".join(parts).replace("x005F_", ""))
            if len(strings) % _CHECK_EVERY == 0:
                root.clear()
                deadline.check("reading the workbook's texts")
    reader.shared_strings = strings


def _open_sheets(reader: Any) -> None:
    """openpyxl's ``read_worksheets`` (read-only), without the look for each sheet's declared
    size: it parses a sheet that declares none to its end, and a sheet's text whole (one
    cell of 1.5 GB took 4.6 GB there); the size is never used, the cells are read instead."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class Sheet(ReadOnlyWorksheet):  # type: ignore[misc]
        def _get_size(self) -> None:
            pass

    for sheet, relation in reader.parser.find_sheets():
        if relation.target not in reader.valid_files or "chartsheet" in relation.Type:
            continue
        opened = Sheet(reader.wb, sheet.name, relation.target, reader.shared_strings)
        opened.sheet_state = sheet.state
        reader.wb._sheets.append(opened)


def _filled_rows(worksheet: Any, name: str, deadline: Deadline) -> list[_Row]:
    """The sheet's rows that hold anything, each with its filled cells by column."""
    rows: list[_Row] = []
    columns: set[int] = set()
    for number, cells in _sheet_cells(worksheet, name, deadline):
        if not cells:
            continue
        rows.append((number, cells))
        columns.update(cells)
        if len(columns) > MAX_COLUMNS:
            raise InputError(
                f"The sheet '{name}' has more than {MAX_COLUMNS:,} columns. Save only the "
                "columns you need."
            )
        if len(rows) > MAX_ROWS + _HEADER_SEARCH_ROWS:
            raise InputError(
                f"The sheet '{name}' has more than {MAX_ROWS:,} rows. Split it, or save "
                "a sample of the rows."
            )
    return rows


def _sheet_cells(worksheet: Any, name: str, deadline: Deadline) -> Iterator[_Row]:
    """Stream the sheet's XML: each row's number and its filled cells, elements dropped as
    they are read so that memory stays flat whatever the sheet declares or repeats."""
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    book = worksheet.parent
    with worksheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        stack: list[Element] = []
        cells: dict[int, object] = {}
        in_cell = seen = 0
        for event, element in _bounded_parse(source, CELL_TAG, f"A cell of the sheet '{name}'"):
            seen += 1
            if seen % _CHECK_EVERY == 0:
                deadline.check(f"reading the sheet '{name}'")
            if event == "start":
                stack.append(element)
                if element.tag == ROW_TAG:
                    number = element.get("r")
                    parser.row_counter = int(float(number)) if number else parser.row_counter + 1
                    parser.col_counter = 0
                    cells = {}
                elif element.tag == CELL_TAG:
                    in_cell = 1
                elif in_cell:
                    in_cell += 1
                    if in_cell > _MAX_CELL_ELEMENTS:
                        raise InputError(
                            f"A cell of the sheet '{name}' holds more than "
                            f"{_MAX_CELL_ELEMENTS:,} parts; the workbook may be damaged. Save "
                            "it again as .xlsx."
                        )
                continue
            stack.pop()
            if element.tag == CELL_TAG:
                in_cell = 0
                cell = parser.parse_cell(element)
                if _has_value(cell["value"]):
                    cells[int(cell["column"])] = cell["value"]
            elif element.tag == ROW_TAG:
                yield parser.row_counter, cells
                cells = {}
            elif in_cell:
                continue  # the cell's value and text, read when the cell ends
            if stack:
                stack[-1].remove(element)


class _BoundedText:
    """An XML parser's target that builds elements as ``iterparse`` does and keeps its events,
    but refuses as soon as one ``scope`` element's text passes :data:`MAX_CELL_CHARS`: the
    parser hands text over in pieces, so a huge text is refused before it is ever joined."""

    def __init__(self, scope: str, what: str) -> None:
        self.events: list[tuple[str, Element]] = []
        self._builder = TreeBuilder()
        self._scope = scope
        self._what = what
        self._chars = 0
        self._inside = False
        # bound once: these run for every element of a sheet
        self._build_start, self._build_end = self._builder.start, self._builder.end
        self._keep = self.events.append

    def start(self, tag: str, attributes: dict[str, str]) -> Element:
        if tag == self._scope:
            self._chars, self._inside = 0, True
        element = self._build_start(tag, attributes)
        self._keep(("start", element))
        return element

    def end(self, tag: str) -> Element:
        element = self._build_end(tag)
        self._keep(("end", element))
        if tag == self._scope:
            self._chars, self._inside = 0, False
        return element

    def data(self, text: str) -> None:
        self._chars += len(text)
        if self._chars > MAX_CELL_CHARS and not self._inside:
            # text between cells (or strings) is kept too, as the tail of the one before
            raise InputError(
                f"The workbook holds more than {MAX_CELL_CHARS:,} characters between two "
                "cells or texts; it may be damaged. Save it again as .xlsx, or save the table "
                "as CSV."
            )
        if self._chars > MAX_CELL_CHARS:
            raise InputError(
                f"{self._what} holds more than {MAX_CELL_CHARS:,} characters (Excel keeps at "
                "most 32,767 in a cell); the workbook may be damaged. Save it again as .xlsx, "
                "or save the table as CSV."
            )
        self._builder.data(text)

    def close(self) -> Element:
        return self._builder.close()


def _bounded_parse(source: IO[bytes], scope: str, what: str) -> Iterator[tuple[str, Element]]:
    """``iterparse(source, events=("start", "end"))``, with each ``scope`` element's text
    bounded as it is read (see :class:`_BoundedText`)."""
    target = _BoundedText(scope, what)
    parser = XMLParser(target=target)
    while chunk := source.read(_CHUNK):
        parser.feed(chunk)
        events = target.events.copy()
        target.events.clear()
        yield from events
    parser.close()
    yield from target.events


def _width(row: _Row) -> int:
    return len(row[1])


def _is_table(rows: list[_Row]) -> bool:
    """At least two filled columns in some row near the top, and a row below it."""
    top = rows[:_HEADER_SEARCH_ROWS]
    return len(rows) >= 2 and max((_width(row) for row in top), default=0) >= 2


def _as_table(
    rows: list[_Row],
    sheet: str,
    sheets: tuple[str, ...],
    header_row: int | None,
    *,
    picked: bool,
) -> Workbook:
    notes: list[str] = []
    if not picked and sheet != sheets[0]:
        notes.append(
            f"Read the sheet '{sheet}', the first that holds a table; pick another sheet if "
            "that is not the one."
        )
    numbers = [row[0] for row in rows]
    if header_row is None:
        top = rows[:_HEADER_SEARCH_ROWS]
        widest = max(_width(row) for row in top)
        start = next(index for index, row in enumerate(top) if _width(row) == widest)
        if numbers[start] != 1:
            notes.append(
                f"The column names were taken from row {numbers[start]}, the first full row; "
                "pick another header row if that is not the one."
            )
    elif header_row in numbers:
        start = numbers.index(header_row)
    else:
        raise InputError(
            f"Row {header_row} of the sheet '{sheet}' is empty. Pick a row that names the "
            f"columns; the first filled row is {numbers[0]}."
        )
    body = [cells for _, cells in rows[start:]]
    used = sorted({column for cells in body for column in cells})
    table = [[cells.get(column) for column in used] for cells in body]
    names = [
        str(value) if _has_value(value) else f"column_{column}"
        for value, column in zip(table[0], used, strict=True)
    ]
    return Workbook(
        frame=pd.DataFrame(table[1:], columns=pd.Index(names)),
        sheet=sheet,
        sheets=sheets,
        header_row=numbers[start],
        notes=tuple(notes),
    )


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
