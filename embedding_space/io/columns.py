"""What the columns of a table hold: empty cells, unique names, and which column is the text.

The loader, the vector readers, the exports and the workspace all ask these questions, so
they are answered once, here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any, cast

import pandas as pd

from embedding_space.errors import InputError

__all__ = [
    "LABEL_HINTS",
    "MAX_LABELS",
    "TEXT_COLUMN_NAMES",
    "default_color_column",
    "guess_text_column",
    "is_blank",
    "is_missing",
    "label_columns",
    "looks_like_vector_string",
    "resolve_text_column",
    "texts_of",
    "unique_names",
]

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

LABEL_HINTS: tuple[str, ...] = (
    "category",
    "label",
    "labels",
    "class",
    "intent",
    "topic",
    "tag",
    "group",
)
"""Column names taken to hold a label to colour the map by (case-insensitive)."""
_SAMPLE_ROWS = 1_000
_VECTOR_STRING_RE = re.compile(r"^\s*[\[(]\s*[-+0-9.eEnaNifINFty,\s]*[\])]\s*$")


def is_missing(value: object) -> bool:
    """Whether a cell is empty: ``None``, ``pd.NA``, ``NaT`` or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def texts_of(frame: pd.DataFrame, text_column: str) -> list[str]:
    """A table's texts in row order, as ``str`` (the column's own objects where they are)."""
    return [str(text) for text in frame[text_column].tolist()]


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
    first = _first_columns(frame)
    candidates = [str(name) for name in frame.columns if _is_text_column(first[name])]
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
    return max(candidates, key=lambda name: _mean_length(first[name]))


def resolve_text_column(frame: pd.DataFrame, wanted: str | None) -> str:
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
    others = [
        str(label)
        for label, column in _first_columns(frame).items()
        if str(label) != wanted and _is_text_column(column)
    ]
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


def _first_columns(frame: pd.DataFrame) -> dict[object, pd.Series[Any]]:
    """Each column name's column (the first, should names repeat), in one pass: looking each
    up by :func:`_column` walks the columns every time (37 s for 10,000 columns)."""
    first: dict[object, pd.Series[Any]] = {}
    for position, label in enumerate(frame.columns):
        if label not in first:
            first[label] = frame.iloc[:, position]
    return first


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
    values = [value for value in _sample_values(series) if not is_blank(value)]
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


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _mean_length(series: pd.Series[Any]) -> float:
    strings = [value for value in _sample_values(series) if isinstance(value, str)]
    return sum(map(len, strings)) / len(strings) if strings else 0.0


def looks_like_vector_string(value: str) -> bool:
    """Whether a string spells a list of numbers, such as ``"[0.1, 0.2]"`` or ``"(1 2 3)"``."""
    return bool(_VECTOR_STRING_RE.match(value))


MAX_LABELS = 200
"""A column with more distinct values than this is no label: too many to colour or score by."""
_FIRST_VIEW_LABELS = 60
"""A column not named like a label colours the map on first view only up to this many values."""


def _named_like_a_label(name: str) -> bool:
    words = re.split(r"[\s_\-.]+", name.lower())
    return name.lower() in LABEL_HINTS or any(word in LABEL_HINTS for word in words)


def _distinct(frame: pd.DataFrame, name: str) -> int:
    try:
        return int(frame[name].nunique(dropna=True))
    except TypeError:  # a column of lists cannot be counted, nor sensibly coloured by
        return 0


def label_columns(frame: pd.DataFrame, text_column: str) -> list[str]:
    """The label-like columns: 2 to :data:`MAX_LABELS` distinct values, the text column not
    counted. The ones named like :data:`LABEL_HINTS` (``label``, ``label_name``, ``topic_id``
    …) come first, and within each group words before numbers: a news file's ``label_name``
    ("Sports") reads better than its ``label`` (3).

    The colour picker's first choice, the trust figures and the comparison's label figures
    all take their labels from here.
    """
    found = [
        str(name)
        for name in frame.columns
        if name != text_column and 2 <= _distinct(frame, str(name)) <= MAX_LABELS
    ]

    def order(name: str) -> tuple[bool, bool]:
        return not _named_like_a_label(name), bool(pd.api.types.is_numeric_dtype(frame[name]))

    return sorted(found, key=order)


def default_color_column(frame: pd.DataFrame, text_column: str) -> str | None:
    """The label-like column (:func:`label_columns`) to colour the map by on first view: the
    first named like a label, else the first of at most 60 values; ``None`` when none is."""
    for name in label_columns(frame, text_column):
        if _named_like_a_label(name) or _distinct(frame, name) <= _FIRST_VIEW_LABELS:
            return name
    return None
