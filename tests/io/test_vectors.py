"""Tests for embedding_space.io.vectors: bring-your-own vectors and their metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from embedding_space.errors import InputError
from embedding_space.io import (
    LoadedVectors,
    find_vector_column,
    read_npy,
    read_projector_tsv,
    vectors_from_column,
)
from embedding_space.io.tables import read_table

RNG = np.random.default_rng(0)
MATRIX = RNG.normal(size=(5, 4)).astype(np.float32)
TEXTS = ["alpha", "beta", "gamma", "delta", "epsilon"]


def _npy(array: npt.NDArray[np.generic]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _tsv(array: npt.NDArray[np.floating]) -> bytes:
    return "".join("\t".join(repr(float(x)) for x in row) + "\n" for row in array).encode()


def _assert_well_formed(loaded: LoadedVectors, rows: int, dims: int) -> None:
    assert loaded.vectors.shape == (rows, dims)
    assert loaded.vectors.dtype == np.float32
    assert loaded.vectors.flags["C_CONTIGUOUS"]
    assert np.isfinite(loaded.vectors).all()
    assert len(loaded.frame) == rows
    assert list(loaded.frame.index) == list(range(rows))
    assert loaded.text_column in loaded.frame.columns


# --- .npy ------------------------------------------------------------------------------------


def test_npy_round_trip_keeps_the_values_and_labels_rows(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    np.save(path, MATRIX.astype(np.float64))

    loaded = read_npy(path)

    _assert_well_formed(loaded, 5, 4)
    np.testing.assert_array_equal(loaded.vectors, MATRIX)
    assert loaded.source_format == "npy"
    assert loaded.text_column == "label"
    assert loaded.texts == ["row 0", "row 1", "row 2", "row 3", "row 4"]


def test_npy_bytes_load_like_the_path(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npy"
    np.save(path, MATRIX)

    np.testing.assert_array_equal(read_npy(path.read_bytes()).vectors, read_npy(path).vectors)


def test_npy_with_a_loaded_table_uses_its_text_column(tmp_path: Path) -> None:
    path = tmp_path / "meta.csv"
    path.write_text("id,sentence\n" + "".join(f"{i},{t}\n" for i, t in enumerate(TEXTS)))

    loaded = read_npy(_npy(MATRIX), metadata=read_table(path))

    _assert_well_formed(loaded, 5, 4)
    assert loaded.text_column == "sentence"
    assert loaded.texts == TEXTS
    assert list(loaded.frame.columns) == ["id", "sentence"]


def test_npy_with_a_frame_of_numbers_gets_row_labels() -> None:
    metadata = pd.DataFrame({"cluster": [0, 1, 0, 1, 2]})

    loaded = read_npy(_npy(MATRIX), metadata=metadata)

    assert loaded.text_column == "label"
    assert list(loaded.frame["cluster"]) == [0, 1, 0, 1, 2]
    assert loaded.texts[4] == "row 4"


def test_npz_with_one_array_is_accepted() -> None:
    buffer = io.BytesIO()
    np.savez(buffer, vectors=MATRIX)

    np.testing.assert_array_equal(read_npy(buffer.getvalue()).vectors, MATRIX)


def test_single_row_and_integer_npy_load() -> None:
    loaded = read_npy(_npy(np.arange(3).reshape(1, 3)))

    _assert_well_formed(loaded, 1, 3)
    assert loaded.vectors.tolist() == [[0.0, 1.0, 2.0]]


def _with_nan() -> bytes:
    array = MATRIX.copy()
    array[2, 1] = np.nan
    array[4, 0] = np.inf
    return _npy(array)


NPY_ERRORS: list[tuple[str, Callable[[], bytes], dict[str, object], str]] = [
    (
        "3-D",
        lambda: _npy(np.zeros((2, 3, 4))),
        {},
        "The .npy file holds a 3-D array; it needs a 2-D matrix of shape (rows, dimensions).",
    ),
    ("1-D", lambda: _npy(np.zeros(4)), {}, "holds a 1-D array"),
    (
        "nan",
        _with_nan,
        {},
        "2 rows of the .npy file hold NaN or infinite values (the first is row 2)",
    ),
    ("too big", lambda: _npy(np.full((2, 2), 1e300)), {}, "NaN or infinite values"),
    ("empty matrix", lambda: _npy(np.zeros((0, 4))), {}, "holds no vectors (shape (0, 4))"),
    ("strings", lambda: _npy(np.array([["a", "b"]])), {}, "not numbers"),
    ("objects", lambda: _npy(np.array([[1, "a"]], dtype=object)), {}, "holds Python objects"),
    ("empty file", lambda: b"", {}, "The .npy file is empty."),
    ("not npy", lambda: b"id,text\n1,hello\n", {}, "The file is not a .npy array."),
    ("cut short", lambda: _npy(MATRIX)[:-20], {}, "may be cut short or damaged"),
    (
        "rows differ",
        lambda: _npy(MATRIX),
        {"metadata": pd.DataFrame({"text": ["a", "b"]})},
        "The vectors have 5 rows but the metadata has 2.",
    ),
]


@pytest.mark.parametrize(
    ("source", "options", "message"),
    [case[1:] for case in NPY_ERRORS],
    ids=[case[0] for case in NPY_ERRORS],
)
def test_bad_npy_raises_input_error(
    source: Callable[[], bytes], options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_npy(source(), **options)

    assert message in str(caught.value)


def test_metadata_with_dropped_rows_explains_the_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "meta.txt"
    path.write_text("alpha\n\nbeta\ngamma\ndelta\n")  # a blank line is dropped as an empty text

    with pytest.raises(InputError, match="dropped rows \\(1 for empty text\\)"):
        read_npy(_npy(MATRIX), metadata=read_table(path))


# --- projector TSV ---------------------------------------------------------------------------


def test_projector_pair_with_single_column_metadata_loads_without_header() -> None:
    metadata = "".join(f"{text}\n" for text in TEXTS).encode()

    loaded = read_projector_tsv(_tsv(MATRIX), metadata)

    _assert_well_formed(loaded, 5, 4)
    np.testing.assert_allclose(loaded.vectors, MATRIX)
    assert loaded.source_format == "projector-tsv"
    assert loaded.text_column == "text"
    assert loaded.texts == TEXTS


def test_projector_metadata_with_several_columns_has_a_header(tmp_path: Path) -> None:
    (tmp_path / "vectors.tsv").write_bytes(_tsv(MATRIX))
    rows = "".join(f"{text}\t{index % 2}\n" for index, text in enumerate(TEXTS))
    (tmp_path / "metadata.tsv").write_text("word\tgroup\n" + rows)

    loaded = read_projector_tsv(tmp_path / "vectors.tsv", tmp_path / "metadata.tsv")

    assert list(loaded.frame.columns) == ["word", "group"]
    assert loaded.text_column == "word"
    assert loaded.texts == TEXTS
    assert list(loaded.frame["group"]) == [0, 1, 0, 1, 0]


def test_projector_single_column_with_one_extra_line_reads_it_as_header() -> None:
    metadata = ("label\n" + "".join(f"{text}\n" for text in TEXTS)).encode()

    loaded = read_projector_tsv(_tsv(MATRIX), metadata)

    assert loaded.text_column == "label"
    assert loaded.texts == TEXTS


def test_projector_blank_metadata_line_keeps_alignment() -> None:
    metadata = b"alpha\n\ngamma\ndelta\nepsilon\n"

    loaded = read_projector_tsv(_tsv(MATRIX), metadata)

    assert loaded.texts == ["alpha", "", "gamma", "delta", "epsilon"]


def test_projector_without_metadata_labels_rows_and_tolerates_crlf() -> None:
    vectors = _tsv(MATRIX).replace(b"\n", b"\r\n") + b"\r\n"

    loaded = read_projector_tsv(vectors)

    _assert_well_formed(loaded, 5, 4)
    assert loaded.texts[0] == "row 0"


def test_projector_quotes_in_metadata_are_kept_as_text() -> None:
    metadata = b'"quoted\nit\'s\nsay "hi"\nfour\nfive\n'

    loaded = read_projector_tsv(_tsv(MATRIX), metadata)

    assert loaded.texts[:3] == ['"quoted', "it's", 'say "hi"']


PROJECTOR_ERRORS: list[tuple[str, bytes, bytes | None, str]] = [
    ("empty", b"", None, "The vectors file is empty."),
    ("blank", b"\n \n", None, "only whitespace"),
    (
        "ragged",
        b"1\t2\t3\n4\t5\n",
        None,
        "Line 2 of the vectors file has 2 values but line 1 has 3.",
    ),
    (
        "header",
        b"d0\td1\n1\t2\n",
        None,
        "Line 1 of the vectors file holds 'd0', which is not a number",
    ),
    ("word", b"1\t2\n3\tabc\n", None, "Line 2 of the vectors file holds 'abc'"),
    ("nan", b"1\t2\nnan\t4\n", None, "1 row of the vectors file holds NaN or infinite values"),
    ("binary", b"\x93NUMPY\x01\x00", None, "looks like a binary file, not text"),
    (
        "too few labels",
        _tsv(MATRIX),
        b"a\nb\nc\n",
        "The vectors have 5 rows but the metadata has 3.",
    ),
    (
        "missing header",
        _tsv(MATRIX),
        b"".join(f"{t}\t1\n".encode() for t in TEXTS),
        "its first line is read as a header because it has several columns",
    ),
    (
        "ragged metadata",
        _tsv(MATRIX),
        b"word\tgroup\na\t1\nb\t1\t9\nc\t1\nd\t1\ne\t1\n",
        "Expected 2 fields in line 3, saw 3",
    ),
    ("empty metadata", _tsv(MATRIX), b"", "The metadata file is empty."),
]


@pytest.mark.parametrize(
    ("vectors", "metadata", "message"),
    [case[1:] for case in PROJECTOR_ERRORS],
    ids=[case[0] for case in PROJECTOR_ERRORS],
)
def test_bad_projector_files_raise_input_error(
    vectors: bytes, metadata: bytes | None, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        read_projector_tsv(vectors, metadata)

    assert message in str(caught.value)


# --- a column of lists -----------------------------------------------------------------------


def test_list_column_in_parquet_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "embedded.parquet"
    pd.DataFrame({"text": TEXTS, "embedding": list(MATRIX)}).to_parquet(path)
    table = read_table(path)

    column = find_vector_column(table.frame)
    assert column == "embedding"
    loaded = vectors_from_column(table.frame, column, text_column=table.text_column)

    _assert_well_formed(loaded, 5, 4)
    np.testing.assert_array_equal(loaded.vectors, MATRIX)
    assert list(loaded.frame.columns) == ["text"]
    assert loaded.texts == TEXTS
    assert loaded.source_format == "column"


@pytest.mark.parametrize(
    "cells",
    [
        [str(row.tolist()) for row in MATRIX],  # JSON-style "[0.1, 0.2]"
        [str(row) for row in MATRIX],  # NumPy-style "[0.1 0.2]"
        ["(" + ", ".join(repr(float(x)) for x in row) + ")" for row in MATRIX],
    ],
    ids=["json", "numpy", "tuple"],
)
def test_list_column_in_csv_strings_round_trips(tmp_path: Path, cells: list[str]) -> None:
    path = tmp_path / "embedded.csv"
    pd.DataFrame({"id": range(5), "sentence": TEXTS, "vector": cells}).to_csv(path, index=False)
    table = read_table(path)

    assert table.text_column == "sentence"
    column = find_vector_column(table.frame)
    assert column == "vector"
    loaded = vectors_from_column(table.frame, column)

    np.testing.assert_allclose(loaded.vectors, MATRIX, rtol=1e-6)
    assert loaded.text_column == "sentence"
    assert list(loaded.frame.columns) == ["id", "sentence"]


def test_vector_column_without_text_gets_row_labels() -> None:
    frame = pd.DataFrame({"id": [7, 8], "v": [[1.0, 2.0], [3.0, 4.0]]})

    loaded = vectors_from_column(frame, "v")

    assert loaded.text_column == "label"
    assert loaded.texts == ["row 0", "row 1"]
    assert loaded.vectors.tolist() == [[1.0, 2.0], [3.0, 4.0]]


COLUMN_ERRORS: list[tuple[str, list[object], dict[str, object], str]] = [
    (
        "unequal lengths",
        [[1.0, 2.0], [1.0, 2.0], [1.0]],
        {},
        "Row 2 of column 'v' has 1 numbers but row 0 has 2. Every vector needs the same length.",
    ),
    (
        "unequal strings",
        ["[1, 2]", "[1, 2, 3]"],
        {},
        "Row 1 of column 'v' has 3 numbers but row 0 has 2.",
    ),
    ("missing", [[1.0, 2.0], None], {}, "Row 1 of column 'v' has no vector."),
    ("scalar", [[1.0, 2.0], 5.0], {}, "Row 1 of column 'v' holds 5.0, not a list of numbers."),
    ("words", [[1.0, 2.0], ["a", "b"]], {}, "Row 1 of column 'v' holds ['a', 'b'], which is not"),
    ("bad string", ["[1, 2]", "[1, x]"], {}, "Row 1 of column 'v' holds '[1, x]'"),
    ("nan", [[1.0, 2.0], [float("nan"), 1.0]], {}, "1 row of column 'v' holds NaN"),
    ("nested", [[[1.0], [2.0]], [[3.0], [4.0]]], {}, "hold nested lists"),
    ("no column", [[1.0]], {"column": "w"}, "Column 'w' is not in the table. Pick one of: v, t."),
    ("vector as text", [[1.0]], {"text_column": "v"}, "cannot also be the text column"),
    ("no text column", [[1.0]], {"text_column": "x"}, "Column 'x' is not in the table"),
]


@pytest.mark.parametrize(
    ("cells", "options", "message"),
    [case[1:] for case in COLUMN_ERRORS],
    ids=[case[0] for case in COLUMN_ERRORS],
)
def test_bad_vector_column_raises_input_error_naming_the_row(
    cells: list[object], options: dict[str, Any], message: str
) -> None:
    frame = pd.DataFrame({"v": pd.Series(cells, dtype=object), "t": ["x"] * len(cells)})
    column = str(options.pop("column", "v"))

    with pytest.raises(InputError) as caught:
        vectors_from_column(frame, column, **options)

    assert message in str(caught.value)


def test_empty_table_has_no_vectors() -> None:
    with pytest.raises(InputError, match="no rows"):
        vectors_from_column(pd.DataFrame({"v": []}), "v")


@pytest.mark.parametrize(
    ("columns", "wanted"),
    [
        ({"text": ["a", "b"], "score": [1.0, 2.0]}, None),
        ({"text": ["[1] see note", "b"]}, None),
        ({"text": ["a", "b"], "emb": [np.ones(3), np.zeros(3)]}, "emb"),
        ({"raw": [[1, 2], [3, 4]], "embedding": [[1.0, 2.0], [3.0, 4.0]]}, "embedding"),
        ({"text": ["a", "b"], "v": ["[1.5, 2]", "[3, 4e-3]"]}, "v"),
        ({"tags": [["x", "y"], ["z"]]}, None),
    ],
    ids=["numbers only", "bracketed text", "arrays", "named first", "strings", "lists of words"],
)
def test_find_vector_column_spots_lists_of_numbers_only(
    columns: dict[str, list[object]], wanted: str | None
) -> None:
    assert find_vector_column(pd.DataFrame(columns)) == wanted


def test_the_apps_own_table_export_is_not_mistaken_for_vectors() -> None:

    frame = pd.DataFrame({"row_id": [0, 1], "text": ["a", "b"], "neighbors": [[1, 0], [0, 1]]})
    assert find_vector_column(frame) is None
    frame["embedding"] = [[0.1, 0.2], [0.3, 0.4]]
    assert find_vector_column(frame) == "embedding"
