"""Read a table of texts from whatever file a user is likely to have.

One loader serves the app (the bytes of an upload plus its file name) and the CLI (a path).
The format comes from the file suffix; the encoding (:mod:`~embedding_space.io.decoding`), the
delimiter (:mod:`~embedding_space.io.delimited`) and the column of text
(:mod:`~embedding_space.io.columns`) are detected, and everything a user can fix is reported as
an :class:`InputError` with a full sentence.

Texts are data, never markup: HTML and script tags are loaded as they are (whoever displays
them must escape them). The only change made to a text is that C0 control characters other
than newline and tab (NUL, bell, escape, ...) and lone UTF-16 surrogates are removed, and
Windows and old Mac line ends become plain newlines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from embedding_space.errors import InputError, plural
from embedding_space.io.budget import MAX_ROWS, Deadline
from embedding_space.io.columns import is_blank, resolve_text_column, unique_names
from embedding_space.io.dates import date_columns
from embedding_space.io.decoding import (
    Source,
    check_not_binary_bytes,
    check_not_binary_text,
    decode_text,
    normalise_newlines,
    read_source,
)
from embedding_space.io.delimited import extra_fields_note, parse_delimited
from embedding_space.io.formats import (
    check_line_count,
    looks_tab_separated,
    parse_json,
    parse_jsonl,
    parse_parquet,
    parse_txt,
)
from embedding_space.io.workbooks import parse_xlsx

__all__ = [
    "LARGE_TABLE_ROWS",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "TXT_LAYOUTS",
    "LoadedTable",
    "describe",
    "read_table",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt",
    ".csv",
    ".tsv",
    ".jsonl",
    ".ndjson",
    ".json",
    ".parquet",
    ".xlsx",
)
"""File suffixes :func:`read_table` understands (matched case-insensitively)."""
MAX_TEXT_CHARS: int = 20_000
"""Texts longer than this are cut here, with a warning: far beyond what a model reads (256
tokens are about 1,000 characters), and a bound on the memory one text can take."""
TXT_LAYOUTS: tuple[str, ...] = ("lines", "table")
"""How a ``.txt`` file can be read: one text per line, or a tab-separated table."""
LARGE_TABLE_ROWS: int = 100_000
"""Tables with more rows than this get a warning about embedding time."""
_TEXT_FORMATS = frozenset({"txt", "csv", "tsv", "jsonl", "json"})
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")


@dataclass(frozen=True, eq=False)
class LoadedTable:
    """A table of texts, read and cleaned, with a report of what was done to it.

    Attributes:
        frame: The rows kept, index ``0..n-1``, every input column kept (names as ``str``,
            made unique). The text column holds ``str`` values only.
        text_column: The column holding the text (``"text"`` for a ``.txt`` file).
        format: ``"txt"``, ``"csv"``, ``"tsv"``, ``"jsonl"``, ``"json"``, ``"parquet"`` or
            ``"xlsx"``.
        encoding: The encoding the file was decoded with (``"utf-8"``, ``"utf-8-sig"``,
            ``"utf-16"``, ``"cp1252"``, ...); ``None`` for binary formats.
        delimiter: The field delimiter of a ``.csv`` or ``.tsv`` file, else ``None``.
        sheet: The name of the ``.xlsx`` sheet read, else ``None``.
        sheets: Every sheet of an ``.xlsx`` workbook (for a sheet picker), else ``()``.
        header_row: The ``.xlsx`` row (1-based) that named the columns, else ``None``.
        txt_layout: How a ``.txt`` file was read (see :data:`TXT_LAYOUTS`), else ``None``.
        dates: The columns read as dates or times, name -> what the upload says of it
            ("date column 'published' (format DD.MM.YYYY)"); their values are left as read.
        rows_read: Data rows seen before any was dropped.
        dropped: Why rows were dropped, reason -> count; only non-zero entries
            (``"empty text"``, ``"duplicate text"``, ``"extra fields"``).
        duplicate_texts: Rows whose text repeats an earlier text, counted whether or not
            they were dropped.
        warnings: Full sentences about anything the user should know (a large table, very
            long texts, skipped rows, a guessed encoding, removed control characters).
    """

    frame: pd.DataFrame
    text_column: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    rows_read: int
    dropped: dict[str, int]
    duplicate_texts: int
    warnings: tuple[str, ...]
    sheets: tuple[str, ...] = ()
    header_row: int | None = None
    txt_layout: str | None = None
    dates: Mapping[str, str] = field(default_factory=dict)

    @property
    def texts(self) -> list[str]:
        """The texts, one per row of :attr:`frame`, in order."""
        return cast(list[str], self.frame[self.text_column].tolist())


def read_table(
    source: Source,
    *,
    file_name: str | None = None,
    text_column: str | None = None,
    drop_duplicates: bool = False,
    sheet: str | None = None,
    header_row: int | None = None,
    txt_layout: str | None = None,
    encoding: str | None = None,
    deadline: Deadline | None = None,
) -> LoadedTable:
    """Read a file of texts into a :class:`LoadedTable`.

    Rows whose text is missing, empty or whitespace only are always dropped (and counted
    under ``"empty text"``).

    Args:
        source: A path, or the raw bytes of an upload (then ``file_name`` is required).
        file_name: The file's name; its suffix picks the format. Defaults to the path's name.
        text_column: The column holding the text; guessed with :func:`guess_text_column`
            when ``None``. Ignored for ``.txt``.
        drop_duplicates: Drop rows whose text repeats an earlier one (the first is kept).
        sheet: The ``.xlsx`` sheet to read; the first that holds a table when ``None``.
        header_row: The ``.xlsx`` row (1-based) that names the columns; the first full row
            when ``None``.
        txt_layout: Read a ``.txt`` file as ``"lines"`` (one text each) or as a tab-separated
            ``"table"``; a table when every line has the same number of tabs, when ``None``.
        encoding: The encoding of a text format; detected when ``None``.
        deadline: When to give up reading; :data:`~embedding_space.io.budget.MAX_READ_SECONDS`
            and :data:`~embedding_space.io.budget.MAX_READ_MEMORY` from now when ``None``.

    Returns:
        The table, with what was dropped and any warnings.

    Raises:
        InputError: The file cannot be read, is empty, has no rows or no column of text, the
            format is not supported, ``text_column`` is missing or holds no text, reading
            went past the deadline's time or memory, or the file holds (or declares) more than
            the budget allows: :data:`~embedding_space.io.budget.MAX_ROWS` rows,
            :data:`~embedding_space.io.budget.MAX_COLUMNS` columns, and the caps of
            :mod:`~embedding_space.io.archives` and :mod:`~embedding_space.io.formats`.
    """
    if txt_layout is not None and txt_layout not in TXT_LAYOUTS:
        raise InputError(f"txt_layout must be one of {', '.join(TXT_LAYOUTS)}, not {txt_layout!r}.")
    deadline = deadline or Deadline()
    data, path_name = read_source(source)
    name = file_name or path_name
    if name is None:
        raise InputError(
            "The upload has no file name, so its format is unknown. "
            f"Give a name ending in one of: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    fmt = _format_of(name)
    if not data:
        raise InputError("The file is empty. Upload a file with at least one row of text.")

    notes: list[str] = []
    used_encoding: str | None = None
    delimiter: str | None = None
    used_sheet: str | None = None
    sheets: tuple[str, ...] = ()
    used_header_row: int | None = None
    used_layout: str | None = None
    extra_field_lines: list[int] = []

    if fmt in _TEXT_FORMATS:
        check_not_binary_bytes(data, fmt)
        text, used_encoding, guessed = decode_text(data, encoding)
        check_not_binary_text(text, fmt)
        if not text.strip():
            raise InputError(
                "The file holds only whitespace. Upload a file with at least one row of text."
            )
        if guessed:
            notes.append(
                f"The file is not UTF-8; it was read as {used_encoding}. "
                "If some letters look wrong, pick the file's encoding."
            )
        text = normalise_newlines(text)
        deadline.check("decoding the text")
        if fmt == "txt":
            check_line_count(text)
            detected = "table" if looks_tab_separated(text) else "lines"
            used_layout = txt_layout or detected
            if used_layout == "table":
                frame, delimiter, extra_field_lines = parse_delimited(text, "tsv", deadline)
                if txt_layout is None:
                    notes.append(
                        "Every line has the same number of tabs, so the file was read as a "
                        "table (the first line names the columns); read it as one text per "
                        "line instead if that is wrong."
                    )
            else:
                frame = parse_txt(text)
                text_column = "text"
        elif fmt in ("csv", "tsv"):
            frame, delimiter, extra_field_lines = parse_delimited(text, fmt, deadline)
        elif fmt == "jsonl":
            frame = parse_jsonl(text, deadline)
        else:
            frame = parse_json(text, deadline)
    elif fmt == "parquet":
        frame = parse_parquet(data, deadline)
    else:
        workbook = parse_xlsx(data, sheet, header_row, deadline=deadline)
        frame, used_sheet, sheets = workbook.frame, workbook.sheet, workbook.sheets
        used_header_row = workbook.header_row
        notes.extend(workbook.notes)

    frame.columns = pd.Index(unique_names(frame.columns))
    if len(frame) > MAX_ROWS:
        raise InputError(
            f"The file has {len(frame):,} rows; at most {MAX_ROWS:,} can be loaded. Save a "
            "sample of the rows."
        )
    deadline.check("reading the rows")
    if len(frame) == 0 and not extra_field_lines:
        raise InputError(
            f"The file has a header row ({', '.join(frame.columns)}) but no data rows. "
            "Add at least one row of text below the header."
        )
    dropped: dict[str, int] = {}
    if extra_field_lines:
        notes.append(extra_fields_note(extra_field_lines, len(frame), delimiter))
        dropped["extra fields"] = len(extra_field_lines)
    rows_read = len(frame) + len(extra_field_lines)

    column = resolve_text_column(frame, text_column)
    frame, stats = _clean_text_column(frame, column, drop_duplicates)
    dropped.update({reason: count for reason, count in stats.dropped.items() if count})
    notes.extend(stats.notes)
    if len(frame) > LARGE_TABLE_ROWS:
        notes.append(
            f"The table has {len(frame):,} rows; embedding them may take a long time. "
            "Try a sample of the rows first."
        )
    return LoadedTable(
        frame=frame,
        text_column=column,
        format=fmt,
        encoding=used_encoding,
        delimiter=delimiter,
        sheet=used_sheet,
        rows_read=rows_read,
        dropped=dropped,
        duplicate_texts=stats.duplicates,
        warnings=tuple(notes),
        sheets=sheets,
        header_row=used_header_row,
        txt_layout=used_layout,
        dates={name: found.summary for name, found in date_columns(frame, column).items()},
    )


def describe(table: LoadedTable) -> dict[str, object]:
    """Summarise a loaded table as plain JSON-ready values.

    Args:
        table: The table from :func:`read_table`.

    Returns:
        ``format``, ``encoding``, ``delimiter``, ``sheet``, ``sheets``, ``header_row``,
        ``txt_layout``, ``columns``, ``text_column``, ``date_columns`` (name -> sentence),
        ``rows`` (rows kept), ``rows_read``, ``dropped``, ``duplicate_texts``, ``warnings``
        and ``sample`` (the first five texts as loaded).
    """
    return {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "sheets": list(table.sheets),
        "header_row": table.header_row,
        "txt_layout": table.txt_layout,
        "columns": [str(name) for name in table.frame.columns],
        "text_column": table.text_column,
        "date_columns": dict(table.dates),
        "rows": len(table.frame),
        "rows_read": int(table.rows_read),
        "dropped": {str(reason): int(count) for reason, count in table.dropped.items()},
        "duplicate_texts": int(table.duplicate_texts),
        "warnings": list(table.warnings),
        "sample": [str(text) for text in table.frame[table.text_column].iloc[:5].tolist()],
    }


def _format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise InputError(
            f"The file '{Path(name).name}' has {shown}, which is not a supported format. "
            f"Use one of: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    return "jsonl" if suffix == ".ndjson" else suffix[1:]


@dataclass(frozen=True)
class _CleanStats:
    dropped: dict[str, int]
    duplicates: int
    notes: list[str]


def _clean_text_column(
    frame: pd.DataFrame, column: str, drop_duplicates: bool
) -> tuple[pd.DataFrame, _CleanStats]:
    """Clean the texts, drop empty (and maybe duplicate) rows, and report what was done."""
    keep: list[bool] = []
    texts: list[str] = []
    seen: set[str] = set()
    empty = duplicates = cleaned = long_texts = longest = 0
    for value in frame[column].tolist():
        if is_blank(value) or (not isinstance(value, str) and pd.isna(value) is True):
            empty += 1
            keep.append(False)
            continue
        text = value if isinstance(value, str) else str(value)
        if _CONTROL_RE.search(text):
            text = _CONTROL_RE.sub("", normalise_newlines(text))
            cleaned += 1
            if not text.strip():
                empty += 1
                keep.append(False)
                continue
        if text in seen:
            duplicates += 1
            if drop_duplicates:
                keep.append(False)
                continue
        else:
            seen.add(text)
        if len(text) > MAX_TEXT_CHARS:
            long_texts += 1
            longest = max(longest, len(text))
            text = text[:MAX_TEXT_CHARS]
        keep.append(True)
        texts.append(text)
    if not texts:
        raise InputError(
            f"Every row has an empty text in column '{column}'. "
            "Pick another column, or fill in the texts."
        )
    if not all(keep):
        frame = frame.loc[keep]
    frame = frame.reset_index(drop=True)
    frame[column] = pd.Series(texts, dtype="str")
    notes: list[str] = []
    if cleaned:
        notes.append(
            f"{plural(cleaned, 'text')} held control characters (such as NUL or escape); "
            "they were removed."
        )
    if long_texts:
        notes.append(
            f"{plural(long_texts, 'text')} {'was' if long_texts == 1 else 'were'} longer than "
            f"{MAX_TEXT_CHARS:,} characters (the longest had {longest:,}) and "
            f"{'was' if long_texts == 1 else 'were'} cut there: embedding models read only "
            "the first thousand characters or so of a text."
        )
    dropped = {"empty text": empty, "duplicate text": duplicates if drop_duplicates else 0}
    return frame, _CleanStats(dropped=dropped, duplicates=duplicates, notes=notes)
