"""Bring your own vectors: read embeddings a user already has, with their metadata.

Three sources are understood: a ``.npy`` matrix (with an optional table of metadata) and the
TensorFlow Embedding Projector's pair of TSV files, read here, and a column of a table whose
cells are lists of numbers (:mod:`~embedding_space.io.vector_columns`);
:mod:`~embedding_space.io.vector_sets` tells which file of an upload is which.

Every reader returns :class:`LoadedVectors`: a finite ``float32`` matrix of shape ``(n, d)``
and a frame of ``n`` metadata rows in the same order. Rows are never dropped or reordered, so
row ``i`` of the frame always describes vector ``i``; a source without labels gets a
``"label"`` column of ``"row 0"``, ``"row 1"``, ...
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.archives import check_npy_header, open_zip
from embedding_space.io.columns import (
    guess_text_column,
    is_missing,
    unique_names,
)
from embedding_space.io.decoding import (
    Source,
    check_not_binary_bytes,
    decode_text,
    normalise_newlines,
    read_source,
)
from embedding_space.io.formats import check_line_count
from embedding_space.io.images import PreparedImage
from embedding_space.io.tables import LoadedTable

__all__ = [
    "LoadedVectors",
    "Metadata",
    "as_matrix",
    "metadata_frame",
    "read_npy",
    "read_projector_tsv",
    "with_label",
]

Metadata = LoadedTable | pd.DataFrame
"""Rows describing the vectors, one per vector, in the same order."""

_NOT_A_NUMBER_RE = re.compile(r"could not convert string '(.*?)' to \w+ at row (\d+)")


@dataclass(frozen=True, eq=False)
class LoadedVectors:
    """Vectors and the metadata rows that describe them.

    Attributes:
        vectors: ``(n, d)`` float32, C-contiguous, every value finite.
        frame: ``n`` metadata rows aligned with ``vectors`` (index ``0..n-1``, ``str`` column
            names). Without labels it has one ``"label"`` column: ``"row 0"``, ``"row 1"``, ...
        text_column: The column of :attr:`frame` that names or holds each row's text.
        source_format: ``"npy"``, ``"projector-tsv"`` or ``"column"`` (with ``"+images"``
            when images came with them).
        images: One image per row, in row order, when the vectors came with their images
            (see :mod:`~embedding_space.io.image_vectors`); else ``None``.
    """

    vectors: npt.NDArray[np.float32]
    frame: pd.DataFrame
    text_column: str
    source_format: str
    images: list[PreparedImage] | None = None

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
            :func:`~embedding_space.io.tables.read_table` or a DataFrame. ``None`` labels the
            rows ``"row 0"``, ``"row 1"``, ...

    Returns:
        The vectors, shape ``(n, d)``, with their metadata.

    Raises:
        InputError: The file is not a ``.npy`` array, is not a 2-D matrix of numbers, is
            empty, holds NaN or infinite values, or its row count differs from the metadata's.
    """
    data, _ = read_source(source)
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
    vectors = as_matrix(array, "the .npy file", "row")
    frame, text_column = metadata_frame(metadata, len(vectors))
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
    data, _ = read_source(vectors_source)
    vectors = _parse_vectors_tsv(data)
    if metadata_source is None or isinstance(metadata_source, (LoadedTable, pd.DataFrame)):
        frame, text_column = metadata_frame(metadata_source, len(vectors))
    else:
        metadata_bytes, _ = read_source(metadata_source)
        frame, text_column = _parse_metadata_tsv(metadata_bytes, len(vectors))
    return LoadedVectors(vectors, frame, text_column, "projector-tsv")


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
    _check_declared_size(data, damaged)
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


def _check_declared_size(data: bytes, damaged: str) -> None:
    """Refuse an array (or an ``.npz`` member) whose header declares too much, before
    numpy allocates it."""
    if data.startswith(b"\x93NUMPY"):
        check_npy_header(io.BytesIO(data), "The .npy file")
        return
    with open_zip(data, "The .npz archive", damaged) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".npy"):
                with archive.open(info) as member:
                    check_npy_header(member, f"The array '{info.filename[:-4]}' of the .npz")


def as_matrix(array: npt.NDArray[Any], where: str, unit: str) -> npt.NDArray[np.float32]:
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


def metadata_frame(metadata: Metadata | None, rows: int) -> tuple[pd.DataFrame, str]:
    if metadata is None:
        return pd.DataFrame({"label": [f"row {index}" for index in range(rows)]}), "label"
    if isinstance(metadata, LoadedTable):
        frame, text_column = metadata.frame.reset_index(drop=True), metadata.text_column
    else:
        frame = metadata.reset_index(drop=True)
        frame.columns = pd.Index(unique_names(frame.columns))
        frame, text_column = with_label(frame)
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


def with_label(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
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
    check_not_binary_bytes(data, "tsv")
    text, _, _ = decode_text(data, None)
    check_line_count(text)
    lines = normalise_newlines(text).split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise InputError("The metadata file holds only whitespace. Give one line per vector.")
    if "\t" not in lines[0]:
        has_header = len(lines) == rows + 1
        name = (lines[0].strip() or "text") if has_header else "text"
        labels = lines[1:] if has_header else lines
        return metadata_frame(pd.DataFrame({name: pd.Series(labels, dtype="str")}), rows)
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
    return metadata_frame(frame, rows)


# --- the projector's vectors TSV -----------------------------------------------------------


def _parse_vectors_tsv(data: bytes) -> npt.NDArray[np.float32]:
    if not data:
        raise InputError("The vectors file is empty. Give one vector per line.")
    check_not_binary_bytes(data, "tsv")
    text, _, _ = decode_text(data, None)
    check_line_count(text)
    numbered = [
        (number, line.strip())
        for number, line in enumerate(normalise_newlines(text).split("\n"), 1)
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
    return as_matrix(array, "the vectors file", "row")


def _count_fields(line: str, delimiter: str | None) -> int:
    return line.count(delimiter) + 1 if delimiter else len(line.split())
