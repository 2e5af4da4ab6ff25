"""The other formats a table of texts comes in: plain text, JSON, JSON Lines, Parquet, Excel.

Each parser takes the decoded text (or, for the binary formats, the bytes) and returns a
DataFrame with the file's own columns; choosing the text column and cleaning it is
:mod:`~embedding_space.io.tables`' job.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from embedding_space.errors import InputError

__all__ = ["parse_json", "parse_jsonl", "parse_parquet", "parse_txt", "parse_xlsx"]

_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_LIST_KEYS = ("data", "rows", "records", "items", "examples", "texts", "sentences")


def parse_txt(text: str) -> pd.DataFrame:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return pd.DataFrame({"text": lines})


def parse_jsonl(text: str) -> pd.DataFrame:
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


def parse_json(text: str) -> pd.DataFrame:
    try:
        document = json.loads(text, strict=False)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            # JSON Lines saved as .json.
            return parse_jsonl(text)
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


def parse_parquet(data: bytes) -> pd.DataFrame:
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


def parse_xlsx(data: bytes, sheet: str | None) -> tuple[pd.DataFrame, str]:
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
