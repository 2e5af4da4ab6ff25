"""The other formats a table of texts comes in: plain text, JSON, JSON Lines and Parquet
(read by :mod:`~embedding_space.io.parquet`).

Each parser takes the decoded text (or, for the binary formats, the bytes) and returns a
DataFrame with the file's own columns; choosing the text column and cleaning it is
:mod:`~embedding_space.io.tables`' job.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.budget import (
    MAX_COLUMNS,
    MAX_READ_MEMORY,
    MAX_ROWS,
    Deadline,
)
from embedding_space.io.parquet import parse_parquet

__all__ = [
    "MAX_JSON_CONTAINERS",
    "MAX_JSON_DEPTH",
    "MAX_JSON_NUMBERS",
    "check_line_count",
    "looks_tab_separated",
    "parse_json",
    "parse_jsonl",
    "parse_parquet",
    "parse_txt",
]

MAX_JSON_DEPTH = 64
"""Lists and objects nested deeper than this are no table; the file is refused."""
MAX_JSON_CONTAINERS = 5 * MAX_ROWS
"""A JSON file may open this many objects and lists at most (counted as ``{`` and ``[``
before parsing: each costs Python about a hundred bytes, a byte of the file one)."""
MAX_JSON_NUMBERS = 10 * MAX_ROWS
"""A JSON file may hold this many numbers at most (32 bytes each to Python)."""
_STRING_BYTES = 64
"""What a short text costs Python once parsed, at least."""
_CONTAINER_BYTES = 100
"""What an object or a list costs Python once parsed, at least."""
_INT_DIGITS = 18
"""Integers with more digits than this are kept as their text: Python refuses to read one of
more than 4,300 digits, and no stored column holds one beyond 64 bits."""
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_LIST_KEYS = ("data", "rows", "records", "items", "examples", "texts", "sentences")


def check_line_count(text: str) -> None:
    """Refuse a text of more than :data:`~embedding_space.io.budget.MAX_ROWS` lines, counted
    before any line is split off."""
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > MAX_ROWS:
        raise InputError(
            f"The file has {lines:,} lines; at most {MAX_ROWS:,} can be loaded. Save a sample "
            "of the lines."
        )


def parse_txt(text: str) -> pd.DataFrame:
    """One text per line, in a column named ``text``."""
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return pd.DataFrame({"text": lines})


def looks_tab_separated(text: str) -> bool:
    """Whether a ``.txt`` file is a table: two or more lines, each with the same number of
    tabs (Excel's "Unicode Text" export is such a file)."""
    tabs: int | None = None
    lines = 0
    for line in io.StringIO(text):
        if not line.strip():
            continue
        count = line.count("\t")
        if count == 0 or (tabs is not None and count != tabs):
            return False
        tabs, lines = count, lines + 1
    return lines >= 2


def parse_jsonl(text: str, deadline: Deadline | None = None) -> pd.DataFrame:
    """JSON Lines (``.jsonl``, ``.ndjson``): one record per line.

    Raises:
        InputError: A line is not JSON, the records nest deeper than :data:`MAX_JSON_DEPTH`,
            or the file opens more than :data:`MAX_JSON_CONTAINERS` objects and lists, holds
            more than :data:`MAX_JSON_NUMBERS` numbers, or more texts than the memory budget.
    """
    _check_cost(text)
    try:
        frame = _parse_jsonl(text, _Numbers(deadline or Deadline()))
    except RecursionError:
        raise _too_deep() from None
    (deadline or Deadline()).check("reading the records")
    return frame


def parse_json(text: str, deadline: Deadline | None = None) -> pd.DataFrame:
    """A JSON document: a list of records, a list of lists under a header, or an object
    holding one of those. Integers of more than 18 digits are read as text.

    Raises:
        InputError: It is not JSON, holds no list of records, nests deeper than
            :data:`MAX_JSON_DEPTH`, opens more than :data:`MAX_JSON_CONTAINERS` objects and
            lists, holds more than :data:`MAX_JSON_NUMBERS` numbers, or more texts than the
            memory budget.
    """
    _check_cost(text)
    try:
        frame = _parse_json(text, _Numbers(deadline or Deadline()))
    except RecursionError:
        raise _too_deep() from None
    (deadline or Deadline()).check("reading the records")
    return frame


def _check_cost(text: str) -> None:
    """Refuse a document whose objects, lists and texts would take more memory than the
    budget once parsed, counted before parsing (a quote more or less changes nothing)."""
    containers = text.count("{") + text.count("[")
    if containers > MAX_JSON_CONTAINERS:
        raise InputError(
            f"The file opens more than {MAX_JSON_CONTAINERS:,} objects and lists; at most "
            f"{MAX_ROWS:,} records can be loaded. Save a sample of the records."
        )
    strings = text.count('"') // 2
    cost = len(text) + strings * _STRING_BYTES + containers * _CONTAINER_BYTES
    if cost > MAX_READ_MEMORY:
        raise InputError(
            f"The file holds {strings:,} texts and {containers:,} objects and lists, about "
            f"{cost / 2**20:,.0f} MB once read; at most {MAX_READ_MEMORY / 2**20:,.0f} MB can "
            "be. Save a sample of the records."
        )


class _Numbers:
    """``json.loads``' number hooks: integers of more than 18 digits kept as their text, and
    the numbers counted, with the budget checked as they go."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self.count = 0

    def _seen(self) -> None:
        self.count += 1
        if self.count % 1_000_000 == 0:
            if self.count > MAX_JSON_NUMBERS:
                raise InputError(
                    f"The file holds more than {MAX_JSON_NUMBERS:,} numbers. Save a sample of "
                    "the records, or only the fields you need."
                )
            self.deadline.check("reading the numbers")

    def integer(self, digits: str) -> int | str:
        self._seen()
        return int(digits) if len(digits.lstrip("-")) <= _INT_DIGITS else digits

    def real(self, digits: str) -> float:
        self._seen()
        return float(digits)

    def loads(self, text: str) -> Any:
        self.count = 0  # a parse that failed leaves nothing behind
        return json.loads(text, strict=False, parse_int=self.integer, parse_float=self.real)


def _too_deep() -> InputError:
    return InputError(
        f"The file nests lists or objects more than {MAX_JSON_DEPTH} levels deep, so it is no "
        "table. Save the records as a flat list of objects."
    )


def _check_depth(document: object) -> None:
    """Refuse a document nested deeper than :data:`MAX_JSON_DEPTH` (walked without recursion)."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        stack.extend((child, depth + 1) for child in children)


def _parse_jsonl(text: str, numbers: _Numbers) -> pd.DataFrame:
    if text.count("\n") >= MAX_ROWS:
        try:  # a pretty-printed JSON document saved as .jsonl has many lines
            return _frame_from_json(numbers.loads(text), text)
        except json.JSONDecodeError:
            check_line_count(text)
    numbered = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
    try:
        records = numbers.loads("[" + ",".join(line for _, line in numbered) + "]")
    except json.JSONDecodeError:
        records = None
    if records is None:
        try:
            # A pretty-printed JSON document saved as .jsonl.
            return _frame_from_json(numbers.loads(text), text)
        except json.JSONDecodeError:
            pass
        for number, line in numbered:
            try:
                numbers.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(
                    f"Line {number} of the file is not valid JSON ({error.msg}). "
                    "Each line of a .jsonl file must hold one JSON object."
                ) from error
        raise InputError("The file is not valid JSON Lines. Put one JSON object on each line.")
    return _frame_from_json(records, text)


def _parse_json(text: str, numbers: _Numbers) -> pd.DataFrame:
    try:
        document = numbers.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            # JSON Lines saved as .json.
            return _parse_jsonl(text, numbers)
        raise InputError(
            f"The file is not valid JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}). Fix it, or save the records as a list of objects."
        ) from error
    return _frame_from_json(document, text)


def _frame_from_json(document: object, raw: str) -> pd.DataFrame:
    _check_depth(document)
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
    if len(document) > MAX_ROWS:
        raise InputError(
            f"The file holds {len(document):,} records; at most {MAX_ROWS:,} can be loaded. "
            "Save a sample of the records."
        )
    first = document[0]
    if isinstance(first, list):
        return _frame_from_rows(document)
    if isinstance(first, dict):
        wanted: tuple[type, ...] = (dict,)
        plural = "objects"
    elif isinstance(first, str):
        wanted, plural = (str, type(None)), "strings"
    else:
        raise InputError(
            f"Record 1 of the file is {_json_kind(first, article=True)}. Each record must be "
            "an object, or each a string, or each a list under a first list of column names."
        )
    keys: set[str] = set()
    for number, record in enumerate(document, 1):
        if not isinstance(record, wanted):
            raise InputError(
                f"Record {number} of the file is {_json_kind(record, article=True)}, but the "
                f"first record is {_json_kind(first, article=True)}. Make every record one of "
                f"{plural}."
            )
        if isinstance(record, dict):
            keys.update(record)
            _check_json_width(len(keys))
    if isinstance(first, dict):
        return pd.DataFrame(document)
    return pd.DataFrame({"text": document})


def _check_json_width(columns: int) -> None:
    """Refuse records of more distinct keys than :data:`MAX_COLUMNS`, before a frame is made."""
    if columns > MAX_COLUMNS:
        raise InputError(
            f"The file's records have more than {MAX_COLUMNS:,} different keys (columns); at "
            f"most {MAX_COLUMNS:,} can be loaded. Save only the keys you need."
        )


def _frame_from_rows(rows: list[Any]) -> pd.DataFrame:
    """A table written as lists: ``[["text", "label"], ["a", "x"], ...]``."""
    header = rows[0]
    if not header or not all(isinstance(name, str) for name in header):
        raise InputError(
            "The file holds lists, but the first list is not a row of column names. Make it "
            'the names, such as ["text", "label"], or save the records as objects.'
        )
    _check_json_width(len(header))
    for number, row in enumerate(rows[1:], 2):
        if not isinstance(row, list) or len(row) > len(header):
            what = f"{len(row)} values" if isinstance(row, list) else _json_kind(row, article=True)
            raise InputError(
                f"Record {number} of the file holds {what}, but the first list names "
                f"{len(header)} columns. Give every row at most one value per column."
            )
    return pd.DataFrame(
        [row + [None] * (len(header) - len(row)) for row in rows[1:]], columns=header
    )


def _records_in_object(document: dict[str, Any]) -> list[Any] | pd.DataFrame:
    values = list(document.values())
    if values and all(isinstance(value, list) for value in values):
        lengths = {len(value) for value in values}
        flat = all(not isinstance(item, dict) for value in values for item in value[:50])
        if len(lengths) == 1 and flat and len(values) > 1:
            _check_json_width(len(values))
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
