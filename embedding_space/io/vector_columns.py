"""Vectors in a column of a table: lists of numbers (Parquet) or strings that spell them.

A CSV written by another tool often holds its embeddings as ``"[0.1, 0.2, ...]"`` in one
column; :func:`find_vector_column` finds such a column and :func:`vectors_from_column` reads
it, naming the first row that is not a list of numbers of the same length as the others.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.columns import looks_like_vector_string, unique_names
from embedding_space.io.vectors import LoadedVectors, as_matrix, with_label

__all__ = ["find_vector_column", "vectors_from_column"]

_VECTOR_NAME_RE = re.compile(r"embed|vector|vec$|^emb", re.IGNORECASE)
_DETECT_SAMPLE = 50
_NOT_VECTOR_NAMES = frozenset({"neighbors", "neighbours", "neighbor_ids", "row_id"})
"""Columns of row ids that look like vectors (this app's own table export writes them)."""


def vectors_from_column(
    frame: pd.DataFrame, column: str, *, text_column: str | None = None
) -> LoadedVectors:
    """Take the vectors from a column of a table.

    Each cell holds a list or array of numbers (as Parquet stores them), or a string that
    spells one: ``"[0.1, 0.2]"`` (JSON) or ``"[0.1 0.2]"`` (as NumPy prints arrays).

    Args:
        frame: The table; row ``i`` becomes vector ``i``.
        column: The column holding the vectors.
        text_column: The column naming each row; guessed when ``None`` (and rows are
            labelled ``"row 0"``, ... when no column holds text).

    Returns:
        The vectors, shape ``(n, d)``; the frame without the vector column.

    Raises:
        InputError: The column is missing, a cell is empty or not a list of numbers, the
            lists differ in length (the first bad row is named), or a value is NaN or
            infinite.
    """
    columns = [str(name) for name in frame.columns]
    if column not in columns:
        raise InputError(
            f"Column '{column}' is not in the table. Pick one of: {', '.join(columns)}."
        )
    if len(frame) == 0:
        raise InputError("The table has no rows, so there are no vectors to load.")
    position = columns.index(column)
    values: list[Any] = frame.iloc[:, position].tolist()
    vectors = as_matrix(_stack_cells(values, column), f"column '{column}'", "row")
    rest = frame.drop(columns=frame.columns[position]).reset_index(drop=True)
    rest.columns = pd.Index(unique_names(rest.columns))
    if text_column is not None:
        if text_column == column:
            raise InputError(
                f"Column '{column}' holds the vectors, so it cannot also be the text column. "
                "Pick another column for the text."
            )
        if text_column not in rest.columns:
            raise InputError(
                f"Column '{text_column}' is not in the table. "
                f"Pick one of: {', '.join(map(str, rest.columns))}."
            )
        return LoadedVectors(vectors, rest, text_column, "column")
    rest, label = with_label(rest)
    return LoadedVectors(vectors, rest, label, "column")


def find_vector_column(frame: pd.DataFrame) -> str | None:
    """Find a column that holds vectors: lists or arrays of numbers, or ``"[...]"`` strings.

    Columns named like ``embedding`` or ``vector`` are tried first. Only a sample of each
    column is checked; :func:`vectors_from_column` checks every row.

    Args:
        frame: The table.

    Returns:
        The column's name, or ``None`` when no column holds vectors.
    """
    names = [str(name) for name in frame.columns]
    ordered = sorted(range(len(names)), key=lambda index: not _VECTOR_NAME_RE.search(names[index]))
    for index in ordered:
        if names[index].strip().lower() in _NOT_VECTOR_NAMES:
            continue
        series = frame.iloc[:, index]
        if pd.api.types.is_numeric_dtype(series.dtype):
            continue
        sample: list[Any] = series.dropna().iloc[:_DETECT_SAMPLE].tolist()
        if sample and all(_looks_like_vector(value) for value in sample):
            return names[index]
    return None


def _looks_like_vector(value: object) -> bool:
    if isinstance(value, str):
        inner = value.strip()[1:-1].replace(",", " ").split()
        return looks_like_vector_string(value) and len(inner) >= 2
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and value.size >= 1 and value.dtype.kind in "biuf"
    if isinstance(value, (list, tuple)):
        return len(value) >= 1 and all(
            isinstance(item, (int, float, np.number)) and not isinstance(item, bool)
            for item in value
        )
    return False


def _stack_cells(values: list[Any], column: str) -> npt.NDArray[np.float64]:
    """Stack the cells of a vector column into an ``(n, d)`` array, naming the first bad row."""
    if all(isinstance(value, str) for value in values):
        try:
            parsed = json.loads("[" + ",".join(values) + "]")
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and len(parsed) == len(values):
            values = parsed
        else:
            values = [
                _parse_vector_string(value, index, column) for index, value in enumerate(values)
            ]
    lengths: list[int] = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            value = values[index] = _parse_vector_string(value, index, column)
        if value is None or (isinstance(value, float) and value != value):
            raise InputError(
                f"Row {index} of column '{column}' has no vector. Fill it in, or drop the row."
            )
        flat = not isinstance(value, np.ndarray) or value.ndim == 1
        if not isinstance(value, (list, tuple, np.ndarray)) or not flat:
            raise InputError(
                f"Row {index} of column '{column}' holds {_short(value)}, not a list of numbers."
            )
        lengths.append(len(value))
        if lengths[-1] != lengths[0]:
            raise InputError(
                f"Row {index} of column '{column}' has {lengths[-1]:,} numbers but row 0 has "
                f"{lengths[0]:,}. Every vector needs the same length."
            )
    try:
        stacked = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        for index, value in enumerate(values):
            try:
                np.asarray(value, dtype=np.float64)
            except (TypeError, ValueError):
                raise InputError(
                    f"Row {index} of column '{column}' holds {_short(value)}, which is not a "
                    "list of numbers."
                ) from error
        raise InputError(f"Column '{column}' does not hold lists of numbers.") from error
    if stacked.ndim != 2:
        raise InputError(
            f"The cells of column '{column}' hold nested lists; each cell needs one flat list "
            "of numbers."
        )
    return stacked


def _parse_vector_string(value: str, index: int, column: str) -> list[float]:
    inner = value.strip()
    if inner[:1] in "[(" and inner[-1:] in "])":
        inner = inner[1:-1]
    try:
        return [float(part) for part in inner.replace(",", " ").split()]
    except ValueError:
        raise InputError(
            f"Row {index} of column '{column}' holds {_short(value)}, which is not a list of "
            'numbers such as "[0.1, 0.2]".'
        ) from None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
