"""Excel workbooks: the sheet with the table, its header row, and cells read as they are.

A workbook's first sheet is often a cover note, and its table often starts below a title: the
first sheet that holds a table of two or more columns is read (else the first with any data),
and the header is the first row with as many filled cells as the widest row near the top.
Both can be chosen instead. Rows are read from the cells the file really holds, not from the
size the sheet declares (one cell written at ``XFD1048576`` declares seventeen billion), and
within the read :class:`~embedding_space.io.budget.Deadline`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.budget import MAX_ROWS, Deadline

__all__ = ["Workbook", "parse_xlsx"]

_HEADER_SEARCH_ROWS = 50
"""The header is looked for among this many filled rows at the top of a sheet."""
_CHECK_EVERY = 500
"""Rows read between two looks at the clock."""


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
    from openpyxl import load_workbook

    deadline = deadline or Deadline()
    # A damaged workbook can fail anywhere in zip, zlib or XML parsing, with many exception
    # types; all of them mean the same thing to the user, so both steps catch Exception.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
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
        read: dict[str, list[list[object]]] = {}
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


def _filled_rows(worksheet: Any, name: str, deadline: Deadline) -> list[list[object]]:
    """The sheet's rows that hold anything, each as ``[row number, cell, cell, ...]``."""
    worksheet.reset_dimensions()  # iterate the cells the file holds, not its declared size
    rows: list[list[object]] = []
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number % _CHECK_EVERY == 0:
            deadline.check(f"reading the sheet '{name}'")
        if any(_has_value(cell) for cell in row):
            rows.append([number, *row])
            if len(rows) > MAX_ROWS + _HEADER_SEARCH_ROWS:
                raise InputError(
                    f"The sheet '{name}' has more than {MAX_ROWS:,} rows. Split it, or save "
                    "a sample of the rows."
                )
    return rows


def _width(row: Sequence[object]) -> int:
    return sum(_has_value(cell) for cell in row[1:])


def _is_table(rows: list[list[object]]) -> bool:
    """At least two filled columns in some row near the top, and a row below it."""
    top = rows[:_HEADER_SEARCH_ROWS]
    return len(rows) >= 2 and max((_width(row) for row in top), default=0) >= 2


def _as_table(
    rows: list[list[object]],
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
    numbers = [int(row[0]) for row in rows]  # type: ignore[call-overload]
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
    body = [row[1:] for row in rows[start:]]
    width = max(len(row) for row in body)
    used = [index for index in range(width) if any(_has_value(_cell(row, index)) for row in body)]
    table = [[_cell(row, index) for index in used] for row in body]
    names = [
        str(value) if _has_value(value) else f"column_{index + 1}"
        for value, index in zip(table[0], used, strict=True)
    ]
    return Workbook(
        frame=pd.DataFrame(table[1:], columns=pd.Index(names)),
        sheet=sheet,
        sheets=sheets,
        header_row=numbers[start],
        notes=tuple(notes),
    )


def _cell(row: Sequence[object], index: int) -> object:
    return row[index] if index < len(row) else None


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
