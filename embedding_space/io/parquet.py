"""Parquet tables: the size a file declares checked in its footer before any row is read,
then the rows read one row group at a time within the read's budget."""

from __future__ import annotations

import io
from types import ModuleType
from typing import TYPE_CHECKING

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.budget import MAX_COLUMNS, MAX_PARQUET_BYTES, MAX_ROWS, Deadline

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = ["declared_bytes", "parse_parquet"]


def parse_parquet(data: bytes, deadline: Deadline | None = None) -> pd.DataFrame:
    """A Parquet file, its size checked in its footer before any row is read, then read one
    row group at a time within ``deadline`` (a footer can understate what its pages hold).

    A file whose pandas metadata (the index, the column types pandas wrote) is damaged or
    forged is read by its columns alone.

    Raises:
        InputError: It is no Parquet file, is damaged, or declares more than
            :data:`~embedding_space.io.budget.MAX_ROWS` rows, more than
            :data:`~embedding_space.io.budget.MAX_COLUMNS` columns or more than
            :data:`~embedding_space.io.budget.MAX_PARQUET_BYTES` bytes of data once
            uncompressed.
    """
    import pyarrow
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        groups = range(meta.num_row_groups)
        _check_parquet_size(meta.num_rows, meta.num_columns, declared_bytes(parquet))
        deadline = deadline or Deadline()
        groups_read = []
        for group in groups:
            groups_read.append(parquet.read_row_group(group))
            _release_unused(pyarrow)
            deadline.check("reading the Parquet file")
        table = pyarrow.concat_tables(groups_read) if groups_read else parquet.read()
    except InputError:
        raise
    except (pyarrow.ArrowException, OSError, ValueError, TypeError, KeyError) as error:
        raise InputError(
            f"The file could not be read as Parquet ({error}). "
            "Check that it is a Parquet file and not damaged."
        ) from error
    # pyarrow trusts the b"pandas" metadata; forged, it fails with TypeError, KeyError, ...
    try:
        frame: pd.DataFrame = table.to_pandas()
    except Exception:
        try:
            frame = table.replace_schema_metadata(None).to_pandas()
        except Exception as error:  # a column type pandas cannot hold
            raise InputError(
                f"The file's columns could not be read ({type(error).__name__}: {error}). Save "
                "it again with plain text and number columns."
            ) from error
    del table, groups_read
    _release_unused(pyarrow)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return frame


def _release_unused(pyarrow: ModuleType) -> None:
    """Give back to the system what Arrow's allocator keeps of memory it freed: reading the
    pages of 200 MB of bytes left 750 MB held once their table was gone, which counts against
    the read's memory budget (and the server's) as if it were still in use."""
    pyarrow.default_memory_pool().release_unused()


def declared_bytes(parquet: pq.ParquetFile) -> int:
    """The bytes a Parquet file's footer says its data takes once uncompressed: the larger of
    its row groups' sizes and its column chunks' (a row group's size may leave out what its
    pages inflate to)."""
    meta = parquet.metadata
    groups = range(meta.num_row_groups)
    declared = sum(meta.row_group(index).total_byte_size for index in groups)
    unpacked = sum(
        meta.row_group(group).column(column).total_uncompressed_size
        for group in groups
        for column in range(meta.num_columns)
    )
    return int(max(declared, unpacked))


def _check_parquet_size(rows: int, columns: int, declared: int) -> None:
    if rows > MAX_ROWS:
        raise InputError(
            f"The file has {rows:,} rows; at most {MAX_ROWS:,} can be loaded. Save a sample of "
            "the rows."
        )
    if columns > MAX_COLUMNS:
        raise InputError(
            f"The file has {columns:,} columns; at most {MAX_COLUMNS:,} can be loaded. Save "
            "only the columns you need."
        )
    if declared > MAX_PARQUET_BYTES:
        raise InputError(
            f"The file's data takes {declared / 2**20:,.0f} MB once uncompressed; at most "
            f"{MAX_PARQUET_BYTES / 2**20:,.0f} MB of Parquet can be read. Save it as CSV or "
            "split it, or save a sample of the rows."
        )
