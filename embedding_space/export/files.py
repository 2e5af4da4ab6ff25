"""Data as files a user can download: the table, the vectors and a similarity matrix.

Every function returns ``bytes``; the app hands them to ``st.download_button`` and the CLI
writes them to files.

* :func:`export_table`: the current table as CSV or Parquet, with the row ids, the map's
  coordinates, the selection, the clusters and the nearest neighbours.
* :func:`export_vectors_npy` and :func:`export_projector_tsv`: the vectors, in forms that
  :func:`~embedding_space.io.vectors.read_npy` and
  :func:`~embedding_space.io.vectors.read_projector_tsv` (and the TensorFlow Embedding
  Projector) read back to the same values.
* :func:`export_similarity_csv`: a similarity matrix with its labels.

CSV files are opened by spreadsheets, which run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula. Text from a user's file is therefore neutralised in every CSV export
(:func:`neutralize_formula`); Parquet and the Projector's TSV files keep the text as it is.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.columns import is_missing, unique_names

__all__ = [
    "FORMULA_PREFIXES",
    "TAG_SEPARATOR",
    "export_projector_tsv",
    "export_similarity_csv",
    "export_table",
    "export_vectors_npy",
    "file_stem",
    "neutralize_formula",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP)."""

TableFormat = Literal["csv", "parquet"]

# Names of the columns export_table adds; a column of the table with one of these names is
# kept under "<name>_original" ("tags" only when tags are added).
_ADDED_COLUMNS = ("row_id", "x", "y", "z", "selected", "cluster", "neighbors")
TAG_SEPARATOR = "; "  # joins a row's tags in a CSV cell


# --- text safety ---------------------------------------------------------------------------


def file_stem(name: str) -> str:
    """A safe file name (without suffix) from a dataset's display name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:60] or "dataset"


def neutralize_formula(text: str) -> str:
    """Make a text harmless in a spreadsheet by prefixing a single quote when needed.

    A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
    formula by Excel, LibreOffice and Google Sheets when the CSV is opened (CSV injection);
    OWASP's advice is to prefix such cells with ``'`` so they are shown as text.

    Args:
        text: Any cell text.

    Returns:
        ``text`` unchanged, or ``"'" + text`` when it begins with a formula character.
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, complex, np.number, np.bool_)) and not isinstance(
        value, str
    )


def _neutralize_cell(value: object) -> object:
    """Neutralise a text cell; numbers, booleans and missing values stay as they are."""
    if isinstance(value, str):
        return neutralize_formula(value)
    if is_missing(value) or _is_number(value):
        return value
    # Any other object (a list, a date, a timedelta) is written as its str() form.
    return neutralize_formula(str(value))


def _neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe in a spreadsheet."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        series = safe.iloc[:, position]
        dtype = series.dtype
        if (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)
        ):
            continue
        cells = np.empty(len(series), dtype=object)
        for row, value in enumerate(series.astype(object).tolist()):
            cells[row] = _neutralize_cell(value)
        safe.isetitem(position, cells)
    safe.columns = pd.Index([neutralize_formula(str(name)) for name in safe.columns])
    return safe


def _to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # CRLF as RFC 4180 has it. It also makes the csv module quote a cell holding a bare "\r":
    # with a "\n" terminator such a cell is written unquoted and breaks its row in two.
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


# --- the table -----------------------------------------------------------------------------


def export_table(
    frame: pd.DataFrame,
    *,
    coordinates: npt.NDArray[np.floating[Any]] | None = None,
    selected_rows: Sequence[int] = (),
    clusters: Sequence[int | str] | None = None,
    neighbor_ids: npt.NDArray[np.integer[Any]] | None = None,
    row_ids: Sequence[int] | None = None,
    tags: Sequence[Sequence[str]] | None = None,
    format: TableFormat,
) -> bytes:
    """The current table, with what the app knows about each row, as CSV or Parquet.

    Columns, in order: ``row_id`` (``0..n-1``, the row's stable id), the table's own columns,
    then ``x``, ``y`` (and ``z``) when ``coordinates`` are given, ``selected``, ``cluster``
    when ``clusters`` are given, ``neighbors`` when ``neighbor_ids`` are given and ``tags``
    when ``tags`` are given. A column of the table that has one of these names is kept as
    ``"<name>_original"``.

    ``neighbors`` is a ``list<int64>`` column in Parquet and a space-separated string of row
    ids (``"4 17 2"``) in CSV; ``tags`` is ``list<string>`` in Parquet and the names joined
    by ``"; "`` in CSV. The CSV is UTF-8 with a header row and no index; its text cells and
    column names are passed through :func:`neutralize_formula`, numbers are not. Parquet
    keeps the text as it is.

    Args:
        frame: The table, ``n`` rows in row-id order (its index is ignored).
        coordinates: The map's positions, shape ``(n, 2)`` or ``(n, 3)``.
        selected_rows: Row ids of the selected rows; the rest are ``False``.
        clusters: ``n`` cluster ids or names, one per row.
        neighbor_ids: The top-k neighbour row ids of each row, shape ``(n, k)``, nearest
            first, the row itself already left out.
        row_ids: The rows' ids when ``frame`` is part of a dataset (a kept selection);
            ``0..n-1`` when ``None``.
        tags: ``n`` lists of tag names, one per row (``Tags.tags_of_rows``).
        format: ``"csv"`` or ``"parquet"``.

    Returns:
        The file's bytes.

    Raises:
        InputError: The format is unknown, or an array's shape or a row id does not fit the
            table's ``n`` rows.
    """
    if format not in ("csv", "parquet"):
        raise InputError(f"The table can be exported as csv or parquet, not {format!r}.")
    count = len(frame)
    table = frame.reset_index(drop=True)
    table.columns = pd.Index(unique_names(table.columns))
    if row_ids is not None and len(row_ids) != count:
        raise InputError(f"There are {len(row_ids):,} row ids for {count:,} rows.")
    ids = np.arange(count) if row_ids is None else np.asarray(list(row_ids))
    added: dict[str, Any] = {"row_id": ids.astype(np.int64)}
    if coordinates is not None:
        points = np.asarray(coordinates)
        if points.ndim != 2 or points.shape[0] != count or points.shape[1] not in (2, 3):
            raise InputError(
                f"The coordinates have shape {points.shape}, but the table has {count:,} rows; "
                f"they need shape ({count}, 2) or ({count}, 3). Project the data again."
            )
        for index, axis in enumerate("xyz"[: points.shape[1]]):
            added[axis] = points[:, index]
    added["selected"] = _selection_mask(selected_rows, count)
    if clusters is not None:
        labels = list(clusters)
        if len(labels) != count:
            raise InputError(
                f"There are {len(labels):,} cluster labels for {count:,} rows; give one label "
                "per row. Run the clustering again."
            )
        added["cluster"] = labels
    neighbors = None if neighbor_ids is None else _check_neighbor_ids(neighbor_ids, count)
    if tags is not None and len(tags) != count:
        raise InputError(f"There are tags for {len(tags):,} rows but the table has {count:,}.")
    adding = (*_ADDED_COLUMNS, "tags") if tags is not None else _ADDED_COLUMNS

    names = list(table.columns)
    clashes = set(adding) & set(names)
    if clashes:
        taken = set(names) | set(adding)
        renames: dict[str, str] = {}
        for name in sorted(clashes):
            new, suffix = f"{name}_original", 1
            while new in taken:
                suffix += 1
                new = f"{name}_original{suffix}"
            taken.add(new)
            renames[name] = new
        table = table.rename(columns=renames)

    out = table.copy()
    out.insert(0, "row_id", added.pop("row_id"))
    for name, values in added.items():
        out[name] = values
    if format == "csv":
        if neighbors is not None:
            out["neighbors"] = [" ".join(map(str, row)) for row in neighbors.tolist()]
        if tags is not None:
            out["tags"] = [TAG_SEPARATOR.join(names) for names in tags]
        return _to_csv_bytes(_neutralize_frame(out))
    return _to_parquet_bytes(out, neighbors, tags)


def _selection_mask(selected_rows: Sequence[int], count: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros(count, dtype=bool)
    rows = np.asarray(list(selected_rows), dtype=np.int64)
    if rows.size:
        bad = rows[(rows < 0) | (rows >= count)]
        if bad.size:
            raise InputError(
                f"The selection names row {int(bad[0])}, but the table has rows 0 to "
                f"{count - 1}. Clear the selection and select the points again."
            )
        mask[rows] = True
    return mask


def _check_neighbor_ids(neighbor_ids: npt.NDArray[Any], count: int) -> npt.NDArray[np.int64]:
    ids = np.asarray(neighbor_ids)
    if ids.ndim != 2 or ids.shape[0] != count:
        raise InputError(
            f"The neighbour ids have shape {ids.shape}, but the table has {count:,} rows; they "
            f"need shape ({count}, k). Compute the neighbours again."
        )
    if ids.size and ids.dtype.kind not in "iu":
        raise InputError(
            f"The neighbour ids are of type {ids.dtype}; they need to be integer row ids. "
            "Compute the neighbours again."
        )
    ids = ids.astype(np.int64, copy=False)
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        raise InputError(
            f"A neighbour id lies outside rows 0 to {count - 1}. Compute the neighbours again."
        )
    return ids


def _to_parquet_bytes(
    frame: pd.DataFrame,
    neighbors: npt.NDArray[np.int64] | None,
    tags: Sequence[Sequence[str]] | None = None,
) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise InputError(
            f"The table could not be written as Parquet ({error}). A column mixes kinds of "
            "values; export as CSV instead."
        ) from error
    if neighbors is not None:
        rows, k = neighbors.shape
        offsets = pa.array(
            np.arange(0, rows * k + 1, k, dtype=np.int32)
            if k
            else np.zeros(rows + 1, dtype=np.int32)
        )
        values = pa.array(neighbors.reshape(-1), type=pa.int64())
        arrow = arrow.append_column("neighbors", pa.ListArray.from_arrays(offsets, values))
    if tags is not None:
        lists = pa.array([list(names) for names in tags], type=pa.list_(pa.string()))
        arrow = arrow.append_column("tags", lists)
    sink = io.BytesIO()
    pq.write_table(arrow, sink)
    return sink.getvalue()


# --- vectors -------------------------------------------------------------------------------


def _check_vectors(vectors: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    array = np.asarray(vectors)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(
            f"The vectors have shape {array.shape}; they need a non-empty matrix of shape "
            "(rows, dimensions)."
        )
    if array.dtype.kind not in "biuf":
        raise InputError(f"The vectors are of type {array.dtype}; they need to be numbers.")
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise InputError(
            "The vectors hold NaN or infinite values (or numbers too large for float32), "
            "which no reader accepts. Fix them before exporting."
        )
    return matrix


def export_vectors_npy(vectors: npt.NDArray[Any]) -> bytes:
    """The vectors as a ``.npy`` file of float32, as ``numpy.save`` writes it.

    Args:
        vectors: Array of shape ``(n, d)``.

    Returns:
        The ``.npy`` bytes (no pickled objects); ``numpy.load`` and
        :func:`~embedding_space.io.vectors.read_npy` read them back to the same float32 values.

    Raises:
        InputError: The vectors are not a non-empty 2-D matrix of finite numbers.
    """
    sink = io.BytesIO()
    np.save(sink, _check_vectors(vectors), allow_pickle=False)
    return sink.getvalue()


def _tsv_cell(value: object) -> str:
    """A metadata cell on one line: tabs and line breaks become spaces."""
    if is_missing(value):
        return ""
    text = str(value)
    for separator in ("\r\n", "\t", "\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85"):
        text = text.replace(separator, " ")
    return text.replace("\u2028", " ").replace("\u2029", " ")


def export_projector_tsv(vectors: npt.NDArray[Any], metadata: pd.DataFrame) -> tuple[bytes, bytes]:
    """The vectors and their metadata as the TensorFlow Embedding Projector's pair of TSVs.

    The vectors file has no header and one vector per line, its numbers tab-separated with
    nine significant digits (enough to give back the same float32). The metadata file has a
    header row when it has several columns and none for a single column, as the Projector
    expects; tabs and line breaks inside cells become spaces so every row stays on its line.

    Both can be loaded at https://projector.tensorflow.org and read back with
    :func:`~embedding_space.io.vectors.read_projector_tsv`. The text is written as it is, not
    neutralised against spreadsheet formulas: the files are data for the Projector.

    Args:
        vectors: Array of shape ``(n, d)``.
        metadata: ``n`` rows describing the vectors, in the same order (index ignored).

    Returns:
        ``(vectors_tsv, metadata_tsv)``, both UTF-8.

    Raises:
        InputError: The vectors are not a 2-D matrix of finite numbers, or the metadata has
            another number of rows or no columns.
    """
    matrix = _check_vectors(vectors)
    if len(metadata) != len(matrix):
        raise InputError(
            f"The vectors have {len(matrix):,} rows but the metadata has {len(metadata):,}. "
            "They must match one to one, in the same order."
        )
    if metadata.shape[1] == 0:
        raise InputError("The metadata has no columns. Give at least one column of labels.")
    sink = io.BytesIO()
    # "%.9g" round-trips every float32 exactly; savetxt formats one row per call in C.
    np.savetxt(sink, matrix, fmt="%.9g", delimiter="\t", newline="\n", encoding="utf-8")
    columns = [
        [_tsv_cell(value) for value in metadata.iloc[:, position].astype(object)]
        for position in range(metadata.shape[1])
    ]
    lines = ["\t".join(cells) for cells in zip(*columns, strict=True)]
    if metadata.shape[1] > 1:
        lines.insert(0, "\t".join(_tsv_cell(name) for name in metadata.columns))
    return sink.getvalue(), ("\n".join(lines) + "\n").encode("utf-8")


# --- similarity ----------------------------------------------------------------------------


def export_similarity_csv(matrix: npt.NDArray[Any], labels: Sequence[str]) -> bytes:
    """A square similarity matrix as CSV, the labels as header row and first column.

    The top-left cell is empty. Labels are passed through :func:`neutralize_formula`.

    Args:
        matrix: Array of shape ``(n, n)``.
        labels: ``n`` labels, one per row and column.

    Returns:
        UTF-8 CSV bytes; ``pandas.read_csv(..., index_col=0)`` gives the matrix back.

    Raises:
        InputError: The matrix is not square or numeric, or the labels do not match it.
    """
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InputError(f"The similarity matrix has shape {array.shape}; it needs to be square.")
    if array.dtype.kind not in "biuf":
        raise InputError(f"The similarity matrix is of type {array.dtype}, not numbers.")
    names = [neutralize_formula(str(label)) for label in labels]
    if len(names) != array.shape[0]:
        raise InputError(
            f"There are {len(names):,} labels for a {array.shape[0]:,}×{array.shape[0]:,} "
            "matrix; give one label per row."
        )
    frame = pd.DataFrame(array, columns=pd.Index(names, dtype=object))
    frame.insert(0, "", pd.Series(names, dtype=object))
    return _to_csv_bytes(frame)
