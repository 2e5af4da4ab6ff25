"""Read a table of texts from whatever file a user is likely to have.

One loader serves the app (the bytes of an upload plus its file name) and the CLI (a path).
The format comes from the file suffix; the encoding, the delimiter and the column of text are
detected, and everything a user can fix is reported as an :class:`InputError` with a full
sentence.

Texts are data, never markup: HTML and script tags are loaded as they are (whoever displays
them must escape them). The only change made to a text is that C0 control characters other
than newline and tab (NUL, bell, escape, ...) and lone UTF-16 surrogates are removed, and
Windows and old Mac line ends become plain newlines.

Behaviour on rows with more fields than the header (a text with an unquoted delimiter): the
row is skipped, counted under ``dropped["extra fields"]`` and named by line in a warning, so
one stray comma does not block a whole upload. When such rows outnumber the good ones, the
delimiter or the quoting is wrong for the whole file and an :class:`InputError` names the
first bad line instead. Rows with fewer fields than the header are kept, the missing fields
left empty.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from embedding_space.errors import InputError

__all__ = [
    "LARGE_TABLE_ROWS",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "LoadedTable",
    "describe",
    "guess_text_column",
    "read_table",
]

SUPPORTED_SUFFIXES: tuple[str, ...] = (
    ".txt",
    ".csv",
    ".tsv",
    ".jsonl",
    ".json",
    ".parquet",
    ".xlsx",
)
"""File suffixes :func:`read_table` understands (matched case-insensitively)."""

MAX_TEXT_CHARS: int = 100_000
"""Texts longer than this are kept but reported in a warning."""

LARGE_TABLE_ROWS: int = 100_000
"""Tables with more rows than this get a warning about embedding time."""

TEXT_COLUMN_NAMES: tuple[str, ...] = (
    "text",
    "sentence",
    "content",
    "body",
    "document",
    "review",
    "comment",
    "message",
    "description",
    "abstract",
    "summary",
    "question",
    "utterance",
    "query",
    "title",
)
"""Column names taken to hold the text, in order of preference (case-insensitive)."""

_TEXT_FORMATS = frozenset({"txt", "csv", "tsv", "jsonl", "json"})
_DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
_SNIFF_CHARS = 64_000
_SAMPLE_ROWS = 1_000
_BINARY_SHARE = 0.05
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")
_BINARY_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SKIPPED_LINE_RE = re.compile(r"Skipping line (\d+)")
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_VECTOR_STRING_RE = re.compile(r"^\s*[\[(]\s*[-+0-9.eEnaNifINFty,\s]*[\])]\s*$")
_JSON_LIST_KEYS = ("data", "rows", "records", "items", "examples", "texts", "sentences")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "it starts like a PNG image"),
    (b"\xff\xd8\xff", "it starts like a JPEG image"),
    (b"GIF8", "it starts like a GIF image"),
    (b"%PDF", "it starts like a PDF document"),
    (b"PK\x03\x04", "it starts like a zip archive, such as an .xlsx workbook"),
    (b"\x1f\x8b", "it starts like a gzip archive"),
    (b"PAR1", "it starts like a Parquet file"),
    (b"\x93NUMPY", "it starts like a NumPy .npy array"),
    (b"SQLite format 3\x00", "it starts like an SQLite database"),
    (b"\xd0\xcf\x11\xe0", "it starts like an old Office document, such as an .xls workbook"),
    (b"7z\xbc\xaf", "it starts like a 7z archive"),
    (b"\x7fELF", "it starts like a program"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


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

    @property
    def texts(self) -> list[str]:
        """The texts, one per row of :attr:`frame`, in order."""
        return cast(list[str], self.frame[self.text_column].tolist())


def read_table(
    source: str | os.PathLike[str] | bytes,
    *,
    file_name: str | None = None,
    text_column: str | None = None,
    drop_duplicates: bool = False,
    sheet: str | None = None,
    encoding: str | None = None,
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
        sheet: The ``.xlsx`` sheet to read; the first sheet when ``None``.
        encoding: The encoding of a text format; detected when ``None``.

    Returns:
        The table, with what was dropped and any warnings.

    Raises:
        InputError: The file cannot be read, is empty, has no rows or no column of text, the
            format is not supported, or ``text_column`` is missing or holds no text.
    """
    data, path_name = _read_bytes(source)
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
    extra_field_lines: list[int] = []

    if fmt in _TEXT_FORMATS:
        _check_not_binary_bytes(data, fmt)
        text, used_encoding, guessed = _decode_text(data, encoding)
        _check_not_binary_text(text, fmt)
        if not text.strip():
            raise InputError(
                "The file holds only whitespace. Upload a file with at least one row of text."
            )
        if guessed:
            notes.append(
                f"The file is not UTF-8; it was read as {used_encoding}. "
                "If some letters look wrong, pick the file's encoding."
            )
        text = _normalise_newlines(text)
        if fmt == "txt":
            frame = _parse_txt(text)
            text_column = "text"
        elif fmt in ("csv", "tsv"):
            frame, delimiter, extra_field_lines = _parse_delimited(text, fmt)
        elif fmt == "jsonl":
            frame = _parse_jsonl(text)
        else:
            frame = _parse_json(text)
    elif fmt == "parquet":
        frame = _parse_parquet(data)
    else:
        frame, used_sheet = _parse_xlsx(data, sheet)

    frame.columns = pd.Index(unique_names(frame.columns))
    if len(frame) == 0 and not extra_field_lines:
        raise InputError(
            f"The file has a header row ({', '.join(frame.columns)}) but no data rows. "
            "Add at least one row of text below the header."
        )
    dropped: dict[str, int] = {}
    if extra_field_lines:
        notes.append(_extra_fields_note(extra_field_lines, len(frame), delimiter))
        dropped["extra fields"] = len(extra_field_lines)
    rows_read = len(frame) + len(extra_field_lines)

    column = _resolve_text_column(frame, text_column)
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
    )


def guess_text_column(frame: pd.DataFrame) -> str:
    """Pick the column of a table that obviously holds the text.

    A column named like ``text``, ``sentence``, ``content``, ``body``, ``document``,
    ``review``, ``comment``, ``message`` or ``title`` (case-insensitive, in that order of
    preference) wins if it holds text; otherwise the column of text with the longest mean
    length. Columns of numbers, dates, lists, or strings that spell vectors (``"[0.1, 0.2]"``)
    do not count as text.

    Args:
        frame: The table, with ``str`` column names.

    Returns:
        The name of the text column.

    Raises:
        InputError: No column holds text; the message lists the columns.
    """
    candidates = [str(name) for name in frame.columns if _is_text_column(_column(frame, name))]
    if not candidates:
        columns = ", ".join(str(name) for name in frame.columns) or "(none)"
        raise InputError(f"The file has no column of text. Pick one of: {columns}.")
    by_name: dict[str, str] = {}
    for name in candidates:
        by_name.setdefault(name.strip().lower(), name)
    for wanted in TEXT_COLUMN_NAMES:
        for variant in (wanted, wanted + "s"):
            if variant in by_name:
                return by_name[variant]
    return max(candidates, key=lambda name: _mean_length(_column(frame, name)))


def describe(table: LoadedTable) -> dict[str, object]:
    """Summarise a loaded table as plain JSON-ready values.

    Args:
        table: The table from :func:`read_table`.

    Returns:
        ``format``, ``encoding``, ``delimiter``, ``sheet``, ``columns``, ``text_column``,
        ``rows`` (rows kept), ``rows_read``, ``dropped``, ``duplicate_texts``, ``warnings``
        and ``sample`` (the first five texts as loaded).
    """
    return {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "sheet": table.sheet,
        "columns": [str(name) for name in table.frame.columns],
        "text_column": table.text_column,
        "rows": len(table.frame),
        "rows_read": int(table.rows_read),
        "dropped": {str(reason): int(count) for reason, count in table.dropped.items()},
        "duplicate_texts": int(table.duplicate_texts),
        "warnings": list(table.warnings),
        "sample": [str(text) for text in table.frame[table.text_column].iloc[:5].tolist()],
    }


# --- reading bytes and decoding ------------------------------------------------------------


def _read_bytes(source: str | os.PathLike[str] | bytes) -> tuple[bytes, str | None]:
    """Return the bytes of ``source`` and, for a path, the file's name."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except FileNotFoundError as error:
        raise InputError(f"The file '{path}' does not exist. Check the path.") from error
    except IsADirectoryError as error:
        raise InputError(f"'{path}' is a folder, not a file. Give the path of a file.") from error
    except OSError as error:
        raise InputError(
            f"The file '{path}' could not be read ({error.strerror or error}). "
            "Check that it exists and that you may read it."
        ) from error


def _format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise InputError(
            f"The file '{Path(name).name}' has {shown}, which is not a supported format. "
            f"Use one of: {', '.join(SUPPORTED_SUFFIXES)}."
        )
    return suffix[1:]


def _check_not_binary_bytes(data: bytes, fmt: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(
                f"The file looks like a binary file, not text ({what}). "
                f"Upload a .{fmt} file saved as text, or give the file its real suffix."
            )


def _check_not_binary_text(text: str, fmt: str) -> None:
    sample = text[:_SNIFF_CHARS]
    controls = len(_BINARY_CONTROL_RE.findall(sample))
    if controls >= 8 and controls > _BINARY_SHARE * len(sample):
        raise InputError(
            "The file looks like a binary file, not text (it is full of control characters). "
            f"Upload a .{fmt} file saved as text."
        )


def _decode_text(data: bytes, encoding: str | None) -> tuple[str, str, bool]:
    """Decode the bytes of a text file.

    Tries, in order: the given encoding, a byte-order mark (UTF-8, UTF-16, UTF-32), UTF-16
    without a mark, strict UTF-8, cp1252 for Western text, charset-normalizer's guess, and
    latin-1 (which never fails).

    Returns:
        The text, the encoding's canonical name, and whether the encoding was a guess.

    Raises:
        InputError: The given encoding is unknown or does not fit the bytes, or the bytes
            are no text in any encoding.
    """
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError as error:
            raise InputError(
                f"'{encoding}' is not an encoding Python knows. "
                "Use a name such as utf-8, utf-16 or cp1252, or let the app detect it."
            ) from error
        try:
            return data.decode(name), name, False
        except UnicodeDecodeError as error:
            raise InputError(
                f"The file could not be read as {name} (byte {error.start} does not fit). "
                "Pick another encoding, or let the app detect it."
            ) from error
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name, False
            except UnicodeDecodeError as error:
                raise InputError(
                    f"The file starts with a {name} byte-order mark but is not valid {name} "
                    f"(byte {error.start} does not fit). Save it again as UTF-8."
                ) from error
    utf16 = _utf16_without_bom(data[:_SNIFF_CHARS])
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16, False
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    western: str | None
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return western, "cp1252", True
    guess = _charset_normalizer_guess(data)
    if guess is not None:
        try:
            return data.decode(guess), guess, True
        except (UnicodeDecodeError, LookupError):
            pass
    if western is not None:
        return western, "cp1252", True
    return data.decode("latin-1"), "iso8859-1", True


def _utf16_without_bom(sample: bytes) -> str | None:
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0 : 2 * pairs : 2].count(0)
    odd_nuls = sample[1 : 2 * pairs : 2].count(0)
    if odd_nuls > 0.4 * pairs and even_nuls < 0.05 * pairs:
        return "utf-16-le"
    if even_nuls > 0.4 * pairs and odd_nuls < 0.05 * pairs:
        return "utf-16-be"
    return None


def _looks_western(text: str) -> bool:
    """Whether cp1252-decoded text reads like a Western language (mostly ASCII letters).

    Cyrillic or Greek bytes decoded as cp1252 come out as runs of accented letters, which
    Western text almost never has.
    """
    sample = text[:_SNIFF_CHARS]
    letters = sum(1 for char in sample if char.isalpha())
    accented = sum(1 for char in sample if char.isalpha() and not char.isascii())
    return letters == 0 or accented <= 0.3 * letters


def _charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 4 * _SNIFF_CHARS]).best()
    if best is None:
        return None
    try:
        return codecs.lookup(best.encoding).name
    except LookupError:
        return None


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- parsing each format -------------------------------------------------------------------


def _parse_txt(text: str) -> pd.DataFrame:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return pd.DataFrame({"text": lines})


def _parse_delimited(text: str, fmt: str) -> tuple[pd.DataFrame, str, list[int]]:
    """Parse CSV or TSV text with a header row.

    Returns:
        The frame, the delimiter, and the line numbers of rows skipped for having more
        fields than the header.
    """
    hinted: str | None = None
    first_line, _, rest = text.partition("\n")
    if first_line.lower().startswith("sep=") and len(first_line.strip()) == 5:
        hinted, text = first_line.strip()[4], rest
    delimiter = hinted or _sniff_delimiter(text, fmt)
    header = _first_record(text, delimiter)
    separator = delimiter
    if len(header) < 2:
        # One column: split on nothing, so commas inside unquoted texts stay in the text.
        separator = next((char for char in "\x1f\x1e\x1d\x1c\x01" if char not in text), delimiter)
    frame, skipped, truncated = _read_csv_text(text, separator)
    if truncated:
        # The first data row is longer than the header, and pandas then cuts every long row
        # short without saying which; find them with the csv module and parse the rest again.
        text, skipped = _without_long_records(text, separator, len(header))
        frame, _, _ = _read_csv_text(text, separator)
    offset = 1 if hinted else 0
    skipped = [number + offset for number in skipped]
    if skipped and len(skipped) > len(frame):
        raise InputError(
            f"{len(skipped):,} of {len(skipped) + len(frame):,} rows have more fields than the "
            f"header ({len(frame.columns)}), the first at line {skipped[0]}, so the file was not "
            f"split on the right character ({_DELIMITER_NAMES.get(delimiter, repr(delimiter))})."
            " Check the delimiter, or put quotes around texts that contain it."
        )
    return frame, delimiter, skipped


def _read_csv_text(text: str, separator: str) -> tuple[pd.DataFrame, list[int], bool]:
    """Parse delimited text with pandas' C engine.

    Returns:
        The frame, the line numbers pandas skipped for having too many fields, and whether
        pandas cut long rows short instead (it does when the first data row is the long one).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                engine="c",
                quotechar='"',
                index_col=False,
                keep_default_na=False,
                na_values=[""],
                low_memory=False,
                on_bad_lines="warn",
                skip_blank_lines=True,
            )
        except pd.errors.EmptyDataError as error:
            raise InputError(
                "The file holds only whitespace. Upload a file with at least one row of text."
            ) from error
        except pd.errors.ParserError as error:
            raise InputError(_parser_error_sentence(str(error))) from error
    messages = [
        str(warning.message)
        for warning in caught
        if issubclass(warning.category, pd.errors.ParserWarning)
    ]
    skipped = [int(number) for message in messages for number in _SKIPPED_LINE_RE.findall(message)]
    truncated = any("loss of data" in message for message in messages)
    return frame, skipped, truncated


def _without_long_records(text: str, separator: str, width: int) -> tuple[str, list[int]]:
    """Drop the records with more than ``width`` fields.

    Returns:
        The text of the other records, and the line numbers where the dropped ones start.
    """
    if len(text) >= csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)
    kept = io.StringIO()
    writer = csv.writer(kept, delimiter=separator, lineterminator="\n")
    skipped: list[int] = []
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    line = 1
    for record in reader:
        if len(record) > width:
            skipped.append(line)
        elif record:
            writer.writerow(record)
        line = reader.line_num + 1
    return kept.getvalue(), skipped


def _sniff_delimiter(text: str, fmt: str) -> str:
    """Pick the delimiter that splits the first rows most consistently.

    csv.Sniffer gives a first opinion; each candidate is then scored by the share of sampled
    rows with as many fields as the header (which needs two fields or more).
    """
    sample = text[:_SNIFF_CHARS]
    truncated = len(text) > len(sample)
    if truncated and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    order = "\t,;|" if fmt == "tsv" else ",;\t|"
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample[:16_384], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores: dict[str, float] = {}
    for candidate in order:
        try:
            records = [row for row in csv.reader(io.StringIO(sample), delimiter=candidate) if row]
        except csv.Error:
            continue
        if truncated and len(records) > 1:
            records.pop()
        if not records or len(records[0]) < 2:
            continue
        width, body = len(records[0]), records[1:]
        scores[candidate] = sum(len(row) == width for row in body) / len(body) if body else 1.0
    if not scores:
        return order[0]
    best = max(scores.values())
    if sniffed is not None and scores.get(sniffed, -1.0) >= best:
        return sniffed
    return next(candidate for candidate in order if scores.get(candidate) == best)


def _first_record(text: str, delimiter: str) -> list[str]:
    sample = text[:_SNIFF_CHARS]
    try:
        for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
            if row:
                return row
    except csv.Error:
        pass
    return sample.split("\n", 1)[0].split(delimiter)


def _parser_error_sentence(message: str) -> str:
    eof = re.search(r"EOF inside string starting at row (\d+)", message)
    if eof:
        return (
            f"A quote opened in data row {eof.group(1)} is never closed, so the rest of the file "
            'reads as one field. Close the quote, or double quotes inside texts ("").'
        )
    detail = message.replace("Error tokenizing data. C error: ", "").strip().rstrip(".")
    return f"The file could not be read as a table ({detail}). Check the delimiter and quotes."


def _extra_fields_note(lines: Sequence[int], kept: int, delimiter: str | None) -> str:
    shown = ", ".join(str(number) for number in lines[:5])
    more = f" and {len(lines) - 5:,} more" if len(lines) > 5 else ""
    what = _DELIMITER_NAMES.get(delimiter or ",", "the delimiter")
    return (
        f"{_plural(len(lines), 'row')} had more fields than the header and "
        f"{'was' if len(lines) == 1 else 'were'} skipped (line {shown}{more}); {kept:,} "
        f"{'row was' if kept == 1 else 'rows were'} kept. Put quotes around texts that contain "
        f"{what} to keep them."
    )


def _parse_jsonl(text: str) -> pd.DataFrame:
    numbered = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    try:
        records = json.loads("[" + ",".join(line for _, line in numbered) + "]", strict=False)
    except json.JSONDecodeError:
        records = None
    if records is None:
        try:
            # A pretty-printed JSON document saved as .jsonl.
            return _frame_from_json(json.loads(text, strict=False), text)
        except json.JSONDecodeError:
            pass
        for number, line in numbered:
            try:
                json.loads(line, strict=False)
            except json.JSONDecodeError as error:
                raise InputError(
                    f"Line {number} of the file is not valid JSON ({error.msg}). "
                    "Each line of a .jsonl file must hold one JSON object."
                ) from error
        raise InputError("The file is not valid JSON Lines. Put one JSON object on each line.")
    return _frame_from_json(records, text)


def _parse_json(text: str) -> pd.DataFrame:
    try:
        document = json.loads(text, strict=False)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            # JSON Lines saved as .json.
            return _parse_jsonl(text)
        raise InputError(
            f"The file is not valid JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}). Fix it, or save the records as a list of objects."
        ) from error
    return _frame_from_json(document, text)


def _frame_from_json(document: object, raw: str) -> pd.DataFrame:
    if _SURROGATE_ESCAPE_RE.search(raw):
        document = _without_surrogates(document)
    if isinstance(document, dict):
        document = _records_in_object(document)
        if isinstance(document, pd.DataFrame):
            return document
    if not isinstance(document, list):
        raise InputError(
            f"The file holds a single {_json_kind(document)}. "
            "It needs a list of records (objects) or a list of strings."
        )
    if not document:
        raise InputError("The file holds an empty list. Add at least one record with a text.")
    first = document[0]
    if isinstance(first, dict):
        wanted: tuple[type, ...] = (dict,)
        plural = "objects"
    elif isinstance(first, str):
        wanted, plural = (str, type(None)), "strings"
    else:
        raise InputError(
            f"Record 1 of the file is {_json_kind(first, article=True)}. Each record must be "
            "an object, or each a string."
        )
    for number, record in enumerate(document, 1):
        if not isinstance(record, wanted):
            raise InputError(
                f"Record {number} of the file is {_json_kind(record, article=True)}, but the "
                f"first record is {_json_kind(first, article=True)}. Make every record one of "
                f"{plural}."
            )
    if isinstance(first, dict):
        return pd.DataFrame(document)
    return pd.DataFrame({"text": document})


def _records_in_object(document: dict[str, Any]) -> list[Any] | pd.DataFrame:
    values = list(document.values())
    if values and all(isinstance(value, list) for value in values):
        lengths = {len(value) for value in values}
        flat = all(not isinstance(item, dict) for value in values for item in value[:50])
        if len(lengths) == 1 and flat and len(values) > 1:
            return pd.DataFrame(document)  # columns: {"text": [...], "label": [...]}
    for key in _JSON_LIST_KEYS:
        if isinstance(document.get(key), list):
            return document[key]  # type: ignore[no-any-return]
    lists = [value for value in values if isinstance(value, list)]
    if len(lists) == 1:
        return lists[0]
    if values and not lists and not any(isinstance(value, dict) for value in values):
        return [document]  # one record
    raise InputError(
        "The file holds an object without one list of records. Put the records in a list, "
        'or under a key such as "data".'
    )


def _without_surrogates(value: object) -> object:
    if isinstance(value, str):
        return _SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_surrogates(item) for key, item in value.items()}
    return value


def _json_kind(value: object, *, article: bool = False) -> str:
    kinds = {dict: "object", list: "list", str: "string", bool: "true/false value"}
    kind = kinds.get(type(value), "number" if isinstance(value, (int, float)) else "null")
    if not article:
        return kind
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _parse_parquet(data: bytes) -> pd.DataFrame:
    import pyarrow

    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except (pyarrow.ArrowException, OSError, ValueError) as error:
        raise InputError(
            f"The file could not be read as Parquet ({error}). "
            "Check that it is a Parquet file and not damaged."
        ) from error
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return frame


def _parse_xlsx(data: bytes, sheet: str | None) -> tuple[pd.DataFrame, str]:
    from openpyxl import load_workbook

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
        names = list(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise InputError(
                f"The workbook has no sheet '{sheet}'. Pick one of: {', '.join(names)}."
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = [
            list(row)
            for row in worksheet.iter_rows(values_only=True)
            if any(_has_value(cell) for cell in row)
        ]
        title = str(worksheet.title)
    except InputError:
        raise
    except Exception as error:
        raise InputError(
            "The workbook could not be read; it may be damaged. Save it again as .xlsx."
        ) from error
    finally:
        workbook.close()
    if not rows:
        others = [name for name in names if name != title]
        hint = f" Pick another sheet: {', '.join(others)}." if others else ""
        raise InputError(f"The sheet '{title}' is empty.{hint}")
    width = max(len(row) for row in rows)
    used = [index for index in range(width) if any(_has_value(_cell(row, index)) for row in rows)]
    table = [[_cell(row, index) for index in used] for row in rows]
    header = [table[0][position] for position in range(len(used))]
    names_out = [
        str(value) if _has_value(value) else f"column_{index + 1}"
        for value, index in zip(header, used, strict=True)
    ]
    return pd.DataFrame(table[1:], columns=pd.Index(names_out)), title


def _cell(row: Sequence[object], index: int) -> object:
    return row[index] if index < len(row) else None


def _has_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def is_missing(value: object) -> bool:
    """Whether a cell is empty: ``None``, ``pd.NA``, ``NaT`` or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def unique_names(names: Iterable[object]) -> list[str]:
    """Column names as unique strings: ``a, a`` become ``a, a.1``; blanks get a name."""
    out: list[str] = []
    taken: set[str] = set()
    raw = [
        f"column_{index + 1}" if name is None or str(name) == "" else str(name)
        for index, name in enumerate(names)
    ]
    wanted = set(raw)
    for name in raw:
        unique, suffix = name, 0
        while unique in taken or (suffix and unique in wanted):
            suffix += 1
            unique = f"{name}.{suffix}"
        taken.add(unique)
        out.append(unique)
    return out


# --- the text column -----------------------------------------------------------------------


def _resolve_text_column(frame: pd.DataFrame, wanted: str | None) -> str:
    if wanted is None:
        return guess_text_column(frame)
    columns = [str(name) for name in frame.columns]
    if wanted not in columns:
        folded = [name for name in columns if name.strip().lower() == wanted.strip().lower()]
        if len(folded) != 1:
            raise InputError(
                f"Column '{wanted}' is not in the file. Pick one of: {', '.join(columns)}."
            )
        wanted = folded[0]
    series = _column(frame, wanted)
    if _is_text_column(series):
        return wanted
    others = [name for name in columns if name != wanted and _is_text_column(_column(frame, name))]
    kind = _content_kind(series)
    opening = (
        f"Column '{wanted}' is empty" if kind == "nothing" else f"Column '{wanted}' holds {kind}"
    )
    if not_text := (kind != "nothing"):
        opening += ", not text"
    if others:
        raise InputError(f"{opening}. Pick one of: {', '.join(others)}.")
    raise InputError(
        f"{opening}{',' if not_text else ''} and the file has no column of text. Add a column "
        "of text and load the file again."
    )


def _column(frame: pd.DataFrame, name: object) -> pd.Series[Any]:
    """One column as a Series (the first, should names repeat)."""
    for position, label in enumerate(frame.columns):
        if label == name:
            return frame.iloc[:, position]
    raise KeyError(name)


def _sample_values(series: pd.Series[Any]) -> list[object]:
    return cast(list[object], series.dropna().iloc[:_SAMPLE_ROWS].tolist())


def _is_text_column(series: pd.Series[Any]) -> bool:
    """Whether most values of a column are strings that are not blank and not vectors."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return False
    values = _sample_values(series)
    strings = [value for value in values if isinstance(value, str) and value.strip()]
    if not strings or 2 * len(strings) < len(values):
        return False
    return not all(_VECTOR_STRING_RE.match(value) for value in strings)


def _content_kind(series: pd.Series[Any]) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "true/false values"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return "numbers"
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "dates"
    values = [value for value in _sample_values(series) if not _is_blank(value)]
    if not values:
        return "nothing"
    if all(isinstance(value, bool) for value in values):
        return "true/false values"
    if all(isinstance(value, (int, float)) for value in values):
        return "numbers"
    strings = [value for value in values if isinstance(value, str)]
    if strings and all(_VECTOR_STRING_RE.match(value) for value in strings):
        return "lists of numbers (vectors)"
    if all(isinstance(value, (list, tuple)) or hasattr(value, "__array__") for value in values):
        return "lists"
    return "values that are mostly not text"


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _mean_length(series: pd.Series[Any]) -> float:
    strings = [value for value in _sample_values(series) if isinstance(value, str)]
    return sum(map(len, strings)) / len(strings) if strings else 0.0


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
        if _is_blank(value) or (not isinstance(value, str) and pd.isna(value) is True):
            empty += 1
            keep.append(False)
            continue
        text = value if isinstance(value, str) else str(value)
        if _CONTROL_RE.search(text):
            text = _CONTROL_RE.sub("", _normalise_newlines(text))
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
            f"{_plural(cleaned, 'text')} held control characters (such as NUL or escape); "
            "they were removed."
        )
    if long_texts:
        notes.append(
            f"{_plural(long_texts, 'text')} {'is' if long_texts == 1 else 'are'} longer than "
            f"{MAX_TEXT_CHARS:,} characters (the longest has {longest:,}). They are kept, but "
            "embedding models read only the start of a text, and long texts slow the app down."
        )
    dropped = {"empty text": empty, "duplicate text": duplicates if drop_duplicates else 0}
    return frame, _CleanStats(dropped=dropped, duplicates=duplicates, notes=notes)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
