"""CSV and TSV: the delimiter sniffed, quoted newlines kept, rows with extra fields reported.

Rows with more fields than the header (a text with an unquoted delimiter) are skipped and
named by line, so one stray comma does not block a whole upload. When such rows outnumber the
good ones, the delimiter or the quoting is wrong for the whole file and an
:class:`~embedding_space.errors.InputError` names the first bad line instead. Rows with fewer
fields than the header are kept, the missing fields left empty.

A header wider than :data:`~embedding_space.io.budget.MAX_COLUMNS` is refused before a row is
parsed, and rows are parsed in chunks with the budget checked between them, so a file of too
many rows stops at :data:`~embedding_space.io.budget.MAX_ROWS` instead of after all are read.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator, Sequence

import pandas as pd

from embedding_space.errors import InputError, plural
from embedding_space.io.budget import MAX_COLUMNS, MAX_ROWS, Deadline
from embedding_space.io.decoding import SNIFF_CHARS

__all__ = ["extra_fields_note", "parse_delimited"]

_DELIMITERS = ",;\t|"
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes"}
_SKIPPED_LINE_RE = re.compile(r"Skipping line (\d+)")
_CELLS_PER_CHUNK = 2_000_000
"""Cells parsed between two looks at the budget."""


def parse_delimited(
    text: str, fmt: str, deadline: Deadline | None = None
) -> tuple[pd.DataFrame, str, list[int]]:
    """Parse CSV or TSV text with a header row.

    Returns:
        The frame, the delimiter, and the line numbers of rows skipped for having more
        fields than the header.

    Raises:
        InputError: The header has more than :data:`~embedding_space.io.budget.MAX_COLUMNS`
            columns, the file more than :data:`~embedding_space.io.budget.MAX_ROWS` rows, the
            budget ran out, or the file is no table.
    """
    deadline = deadline or Deadline()
    hinted: str | None = None
    first_line, _, rest = text.partition("\n")
    if first_line.lower().startswith("sep=") and len(first_line.strip()) == 5:
        hinted, text = first_line.strip()[4], rest
    delimiter = hinted or _sniff_delimiter(text, fmt)
    header = _first_record(text, delimiter)
    if len(header) > MAX_COLUMNS:
        raise InputError(
            f"The header row names more than {MAX_COLUMNS:,} columns. Save only the columns "
            "you need."
        )
    separator = delimiter
    if len(header) < 2:
        # One column: split on nothing, so commas inside unquoted texts stay in the text.
        separator = next((char for char in "\x1f\x1e\x1d\x1c\x01" if char not in text), delimiter)
    chunk_rows = max(1_000, _CELLS_PER_CHUNK // max(len(header), 1))
    frame, skipped, truncated = _read_csv_text(text, separator, chunk_rows, deadline)
    if truncated:
        # The first data row is longer than the header, and pandas then cuts every long row
        # short without saying which; find them with the csv module and parse the rest again.
        text, skipped = _without_long_records(text, separator, len(header))
        frame, _, _ = _read_csv_text(text, separator, chunk_rows, deadline)
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


def _read_csv_text(
    text: str, separator: str, chunk_rows: int, deadline: Deadline
) -> tuple[pd.DataFrame, list[int], bool]:
    """Parse delimited text with pandas' C engine, ``chunk_rows`` at a time.

    Returns:
        The frame, the line numbers pandas skipped for having too many fields, and whether
        pandas cut long rows short instead (it does when the first data row is the long one).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chunks = pd.read_csv(
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
                chunksize=chunk_rows,
            )
            frame = _joined(chunks, deadline)
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


def _joined(chunks: Iterator[pd.DataFrame], deadline: Deadline) -> pd.DataFrame:
    """The chunks as one frame, the budget and the row limit checked after each."""
    parts: list[pd.DataFrame] = []
    rows = 0
    for chunk in chunks:
        parts.append(chunk)
        rows += len(chunk)
        if rows > MAX_ROWS:
            raise InputError(
                f"The file has more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,} can be loaded. "
                "Save a sample of the rows."
            )
        deadline.check("reading the rows")
    if len(parts) == 1:
        return parts[0]
    # A column read as numbers in one chunk and as text in another is text, as it would be
    # had the file been read at once.
    for column in parts[0].columns:
        texts = [_is_text(part[column]) for part in parts]
        if any(texts) and not all(texts):
            for part, text in zip(parts, texts, strict=True):
                if not text:
                    part[column] = part[column].astype("str")
    return pd.concat(parts, ignore_index=True)


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


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
    sample = text[:SNIFF_CHARS]
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
    sample = text[:SNIFF_CHARS]
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


def extra_fields_note(lines: Sequence[int], kept: int, delimiter: str | None) -> str:
    shown = ", ".join(str(number) for number in lines[:5])
    more = f" and {len(lines) - 5:,} more" if len(lines) > 5 else ""
    what = _DELIMITER_NAMES.get(delimiter or ",", "the delimiter")
    return (
        f"{plural(len(lines), 'row')} had more fields than the header and "
        f"{'was' if len(lines) == 1 else 'were'} skipped (line {shown}{more}); {kept:,} "
        f"{'row was' if kept == 1 else 'rows were'} kept. Put quotes around texts that contain "
        f"{what} to keep them."
    )
