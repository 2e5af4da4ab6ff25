"""Bring your own vectors: read embeddings a user already has, with their metadata.

Three sources are understood: a ``.npy`` matrix (with an optional table of metadata), the
TensorFlow Embedding Projector's pair of TSV files, and a column of a table whose cells are
lists of numbers (Parquet) or strings that spell them (``"[0.1, 0.2]"`` in a CSV).

Every reader returns :class:`LoadedVectors`: a finite ``float32`` matrix of shape ``(n, d)``
and a frame of ``n`` metadata rows in the same order. Rows are never dropped or reordered, so
row ``i`` of the frame always describes vector ``i``; a source without labels gets a
``"label"`` column of ``"row 0"``, ``"row 1"``, ...
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.tables import (
    _VECTOR_STRING_RE,
    LoadedTable,
    _check_not_binary_bytes,
    _decode_text,
    _normalise_newlines,
    _read_bytes,
    guess_text_column,
    is_missing,
    unique_names,
)

__all__ = [
    "LoadedVectors",
    "find_vector_column",
    "read_npy",
    "read_projector_tsv",
    "read_vector_files",
    "vectors_from_column",
]

Source = str | os.PathLike[str] | bytes
"""A path, or the raw bytes of an upload."""

Metadata = LoadedTable | pd.DataFrame
"""Rows describing the vectors, one per vector, in the same order."""

_VECTOR_NAME_RE = re.compile(r"embed|vector|vec$|^emb", re.IGNORECASE)
_NOT_A_NUMBER_RE = re.compile(r"could not convert string '(.*?)' to \w+ at row (\d+)")
_DETECT_SAMPLE = 50
_NOT_VECTOR_NAMES = frozenset({"neighbors", "neighbours", "neighbor_ids", "row_id"})
"""Columns of row ids that look like vectors (this app's own table export writes them)."""


@dataclass(frozen=True, eq=False)
class LoadedVectors:
    """Vectors and the metadata rows that describe them.

    Attributes:
        vectors: ``(n, d)`` float32, C-contiguous, every value finite.
        frame: ``n`` metadata rows aligned with ``vectors`` (index ``0..n-1``, ``str`` column
            names). Without labels it has one ``"label"`` column: ``"row 0"``, ``"row 1"``, ...
        text_column: The column of :attr:`frame` that names or holds each row's text.
        source_format: ``"npy"``, ``"projector-tsv"`` or ``"column"``.
    """

    vectors: npt.NDArray[np.float32]
    frame: pd.DataFrame
    text_column: str
    source_format: str

    @property
    def texts(self) -> list[str]:
        """The label or text of each row, as strings (``""`` where missing)."""
        return [
            "" if is_missing(value) else str(value)
            for value in self.frame[self.text_column].tolist()
        ]


def read_npy(source: Source, *, metadata: Metadata | None = None) -> LoadedVectors:
    """Read a ``.npy`` matrix of vectors, saved with ``numpy.save``.

    Args:
        source: A path to the ``.npy`` file, or its bytes. A ``.npz`` archive holding one
            array is accepted too.
        metadata: Rows describing the vectors, in the same order: a table from
            :func:`~embedding_space.tables.read_table` or a DataFrame. ``None`` labels the
            rows ``"row 0"``, ``"row 1"``, ...

    Returns:
        The vectors, shape ``(n, d)``, with their metadata.

    Raises:
        InputError: The file is not a ``.npy`` array, is not a 2-D matrix of numbers, is
            empty, holds NaN or infinite values, or its row count differs from the metadata's.
    """
    data, _ = _read_bytes(source)
    if not data:
        raise InputError("The .npy file is empty. Save the vectors with numpy.save and try again.")
    array = _load_npy(data)
    if array.ndim != 2:
        raise InputError(
            f"The .npy file holds a {array.ndim}-D array; it needs a 2-D matrix of shape "
            "(rows, dimensions)."
        )
    if array.dtype.kind not in "biuf":
        raise InputError(
            f"The .npy file holds values of type {array.dtype}, not numbers. Save a matrix of "
            "floats, for example array.astype('float32')."
        )
    vectors = _as_matrix(array, "the .npy file", "row")
    frame, text_column = _metadata_frame(metadata, len(vectors))
    return LoadedVectors(vectors, frame, text_column, "npy")


def read_projector_tsv(
    vectors_source: Source, metadata_source: Source | Metadata | None = None
) -> LoadedVectors:
    """Read the TensorFlow Embedding Projector format: a vectors TSV and a metadata TSV.

    The vectors file has no header and one vector per line, its numbers separated by tabs.
    The metadata file has one line per vector; with several columns its first line is a
    header, with a single column there is no header (though a single-column file with
    exactly one line more than there are vectors is read as having one). Blank lines inside
    a metadata file are rows with an empty label, so alignment is kept.

    Args:
        vectors_source: The vectors TSV, as a path or bytes.
        metadata_source: The metadata TSV (path or bytes), an already loaded table or
            DataFrame, or ``None`` to label the rows ``"row 0"``, ``"row 1"``, ...

    Returns:
        The vectors, shape ``(n, d)``, with their metadata.

    Raises:
        InputError: A value is not a number, lines hold different numbers of values, a value
            is NaN or infinite, a file is empty, or the metadata has another row count.
    """
    data, _ = _read_bytes(vectors_source)
    vectors = _parse_vectors_tsv(data)
    if metadata_source is None or isinstance(metadata_source, (LoadedTable, pd.DataFrame)):
        frame, text_column = _metadata_frame(metadata_source, len(vectors))
    else:
        metadata_bytes, _ = _read_bytes(metadata_source)
        frame, text_column = _parse_metadata_tsv(metadata_bytes, len(vectors))
    return LoadedVectors(vectors, frame, text_column, "projector-tsv")


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
    vectors = _as_matrix(_stack_cells(values, column), f"column '{column}'", "row")
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
    rest, label = _with_label(rest)
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


# --- .npy ----------------------------------------------------------------------------------


def _load_npy(data: bytes) -> npt.NDArray[Any]:
    if not data.startswith((b"\x93NUMPY", b"PK\x03\x04")):
        raise InputError(
            "The file is not a .npy array. Save the vectors with numpy.save(path, array)."
        )
    damaged = (
        "The .npy file could not be read; it may be cut short or damaged. Save it again with "
        "numpy.save(path, array)."
    )
    try:
        loaded = np.load(io.BytesIO(data), allow_pickle=False)
        if isinstance(loaded, np.ndarray):
            return loaded
        with loaded as archive:  # an .npz archive
            names = list(archive.files)
            if len(names) != 1:
                raise InputError(
                    f"The .npz archive holds {len(names)} arrays ({', '.join(names) or 'none'});"
                    " it needs exactly one. Save the vectors alone with numpy.save."
                )
            array: npt.NDArray[Any] = archive[names[0]]
            return array
    except InputError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise InputError(
                "The .npy file holds Python objects, not numbers. Save a numeric matrix, for "
                "example numpy.save(path, array.astype('float32'))."
            ) from error
        raise InputError(damaged) from error
    except Exception as error:
        # A damaged file fails in header, zip or zlib parsing, with many exception types;
        # all of them mean the same thing to the user.
        raise InputError(damaged) from error


def _as_matrix(array: npt.NDArray[Any], where: str, unit: str) -> npt.NDArray[np.float32]:
    """Check a 2-D array of numbers and return it as finite float32, C-contiguous."""
    rows, dims = array.shape
    if rows == 0 or dims == 0:
        raise InputError(
            f"{where[0].upper()}{where[1:]} holds no vectors (shape ({rows}, {dims})). "
            "It needs at least one row and one dimension."
        )
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = np.ascontiguousarray(array, dtype=np.float32)
    bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
    if bad.size:
        count = int(bad.size)
        first = int(bad[0]) + (1 if unit == "line" else 0)
        noun = "row" if count == 1 else "rows"
        verb = "holds" if count == 1 else "hold"
        raise InputError(
            f"{count:,} {noun} of {where} {verb} NaN or infinite values (the first is {unit} "
            f"{first}), or numbers too large for float32. Remove or fix them and load the "
            "vectors again."
        )
    return matrix


# --- metadata ------------------------------------------------------------------------------


def _metadata_frame(metadata: Metadata | None, rows: int) -> tuple[pd.DataFrame, str]:
    if metadata is None:
        return pd.DataFrame({"label": [f"row {index}" for index in range(rows)]}), "label"
    if isinstance(metadata, LoadedTable):
        frame, text_column = metadata.frame.reset_index(drop=True), metadata.text_column
    else:
        frame = metadata.reset_index(drop=True)
        frame.columns = pd.Index(unique_names(frame.columns))
        frame, text_column = _with_label(frame)
    if len(frame) != rows:
        hint = ""
        if isinstance(metadata, LoadedTable) and metadata.dropped:
            reasons = ", ".join(f"{count:,} for {why}" for why, count in metadata.dropped.items())
            hint = (
                f" Loading the metadata dropped rows ({reasons}); fill them in, or drop the "
                "same rows from the vectors."
            )
        raise InputError(
            f"The vectors have {rows:,} rows but the metadata has {len(frame):,}. They must "
            f"match one to one, in the same order.{hint}"
        )
    return frame, text_column


def _with_label(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return the frame and its text column, adding ``"row 0"`` labels when none holds text."""
    try:
        return frame, guess_text_column(frame)
    except InputError:
        pass
    label = "label" if "label" not in frame.columns else "row label"
    frame = frame.copy()
    frame[label] = [f"row {index}" for index in range(len(frame))]
    return frame, label


def _parse_metadata_tsv(data: bytes, rows: int) -> tuple[pd.DataFrame, str]:
    if not data:
        raise InputError("The metadata file is empty. Give one line per vector, or no file.")
    _check_not_binary_bytes(data, "tsv")
    text, _, _ = _decode_text(data, None)
    lines = _normalise_newlines(text).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError("The metadata file holds only whitespace. Give one line per vector.")
    if "\t" not in lines[0]:
        has_header = len(lines) == rows + 1
        name = (lines[0].strip() or "text") if has_header else "text"
        labels = lines[1:] if has_header else lines
        return _metadata_frame(pd.DataFrame({name: pd.Series(labels, dtype="str")}), rows)
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines)),
            sep="\t",
            quoting=3,  # csv.QUOTE_NONE: the projector never quotes
            index_col=False,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            low_memory=False,
        )
    except pd.errors.ParserError as error:
        detail = str(error).replace("Error tokenizing data. C error: ", "").strip()
        raise InputError(
            f"The metadata file could not be read ({detail}). Every line needs as many "
            "tab-separated fields as the header."
        ) from error
    frame.columns = pd.Index(unique_names(frame.columns))
    if len(frame) == rows - 1:
        raise InputError(
            f"The vectors have {rows:,} rows but the metadata has {len(frame):,}: its first "
            "line is read as a header because it has several columns. Add a header line."
        )
    return _metadata_frame(frame, rows)


# --- the projector's vectors TSV -----------------------------------------------------------


def _parse_vectors_tsv(data: bytes) -> npt.NDArray[np.float32]:
    if not data:
        raise InputError("The vectors file is empty. Give one vector per line.")
    _check_not_binary_bytes(data, "tsv")
    text, _, _ = _decode_text(data, None)
    numbered = [
        (number, line.strip())
        for number, line in enumerate(_normalise_newlines(text).split("\n"), 1)
        if line.strip()
    ]
    if not numbered:
        raise InputError("The vectors file holds only whitespace. Give one vector per line.")
    first = numbered[0][1]
    delimiter: str | None = "\t" if "\t" in first else "," if "," in first else None
    width = _count_fields(first, delimiter)
    for number, line in numbered:
        count = _count_fields(line, delimiter)
        if count != width:
            raise InputError(
                f"Line {number} of the vectors file has {count:,} values but line "
                f"{numbered[0][0]} has {width:,}. Every vector needs the same length."
            )
    try:
        array = np.loadtxt(
            io.StringIO("\n".join(line for _, line in numbered)),
            delimiter=delimiter,
            dtype=np.float64,
            ndmin=2,
            comments=None,
        )
    except ValueError as error:
        found = _NOT_A_NUMBER_RE.search(str(error))
        if found:
            line_number = numbered[int(found.group(2))][0]
            raise InputError(
                f"Line {line_number} of the vectors file holds '{found.group(1)[:40]}', which "
                "is not a number. The vectors file needs numbers separated by tabs, and no "
                "header line."
            ) from error
        raise InputError(
            "The vectors file holds values that are not numbers. It needs numbers separated "
            "by tabs, and no header line."
        ) from error
    return _as_matrix(array, "the vectors file", "row")


def _count_fields(line: str, delimiter: str | None) -> int:
    return line.count(delimiter) + 1 if delimiter else len(line.split())


# --- a column of lists ---------------------------------------------------------------------


def _looks_like_vector(value: object) -> bool:
    if isinstance(value, str):
        inner = value.strip()[1:-1].replace(",", " ").split()
        return bool(_VECTOR_STRING_RE.match(value)) and len(inner) >= 2
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


def read_vector_files(files: Sequence[tuple[str, bytes]]) -> LoadedVectors:
    """Read vectors from the files a user brought together, telling which file is which.

    Understood combinations: one ``.npy``/``.npz`` (plus, optionally, one table of metadata in
    any format :func:`~embedding_space.tables.read_table` reads); one or two ``.tsv`` files in
    the Embedding Projector format (the one whose first line is all numbers holds the vectors);
    one ``.parquet`` or ``.csv`` with a column of vectors.

    Args:
        files: ``(file name, bytes)`` pairs.

    Returns:
        The vectors with their metadata.

    Raises:
        InputError: No files, a combination that is not understood, or any reader's error.
    """
    if not files:
        raise InputError("No file was given. Add a .npy, a Projector .tsv pair, or a table.")
    by_suffix: dict[str, list[tuple[str, bytes]]] = {}
    for name, data in files:
        suffix = os.path.splitext(name)[1].lower()
        by_suffix.setdefault(suffix, []).append((name, data))
    arrays = by_suffix.pop(".npy", []) + by_suffix.pop(".npz", [])
    rest = [item for items in by_suffix.values() for item in items]
    if arrays:
        if len(arrays) > 1 or len(rest) > 1:
            raise InputError(
                "Give one .npy file of vectors and at most one table of metadata, not "
                f"{len(arrays)} arrays and {len(rest)} other files."
            )
        metadata = None
        if rest:
            from embedding_space.tables import read_table

            name, data = rest[0]
            metadata = read_table(data, file_name=name)
        return read_npy(arrays[0][1], metadata=metadata)
    tsvs = [item for item in rest if item[0].lower().endswith(".tsv")]
    if tsvs and len(tsvs) == len(rest) and len(tsvs) <= 2:
        numeric = [item for item in tsvs if _first_line_is_numbers(item[1])]
        if len(numeric) != 1:
            raise InputError(
                "Of the .tsv files, exactly one must hold the vectors (numbers only, no "
                "header) and the other the metadata."
            )
        labels = [item for item in tsvs if item is not numeric[0]]
        return read_projector_tsv(numeric[0][1], labels[0][1] if labels else None)
    if len(rest) == 1 and rest[0][0].lower().endswith((".parquet", ".csv")):
        name, data = rest[0]
        try:
            if name.lower().endswith(".parquet"):
                frame = pd.read_parquet(io.BytesIO(data))
            else:
                frame = pd.read_csv(io.BytesIO(data))
        except Exception as error:  # any parser failure means the file is unreadable
            raise InputError(f"'{name}' could not be read as a table ({error}).") from error
        column = find_vector_column(frame)
        if column is None:
            raise InputError(
                f"'{name}' has no column of vectors (lists of numbers). Columns: "
                f"{', '.join(map(str, frame.columns))}."
            )
        return vectors_from_column(frame, column)
    raise InputError(
        "These files are not a known set of vectors. Give a .npy (and a table of labels), "
        "the Projector's vectors.tsv and metadata.tsv, or one .parquet/.csv with a column of "
        "vectors."
    )


def _first_line_is_numbers(data: bytes) -> bool:
    first = data.split(b"\n", 1)[0].strip()
    if not first:
        return False
    try:
        [float(value) for value in first.split(b"\t")]
    except ValueError:
        return False
    return True
