"""Files that are whole or absent: atomic writes, and the load-or-compute of derived results.

Every write goes to a temporary file in the same folder that is renamed into place, so a
process killed at any moment leaves either the old file or the new one, never half of one.
A derived result (a kNN graph, a projection, and whatever analysis comes next) is stored as a
``.npz`` of named arrays by :func:`load_or_compute`: asked for again, it is read, not
recomputed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyarrow import ArrowException

from embedding_space.errors import disk_full, is_disk_full
from embedding_space.io.columns import is_missing

__all__ = [
    "Artifact",
    "load_or_compute",
    "model_slug",
    "parquet_ready",
    "read_artifact",
    "table_to_parquet",
    "write_artifact",
    "write_atomically",
    "write_bytes",
    "write_json",
    "write_npy",
]

_A = TypeVar("_A", bound="Artifact")


class Artifact(Protocol):
    """A result that can be stored as named arrays and read back."""

    def to_arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The result as named arrays, for :func:`numpy.savez`."""
        ...

    @classmethod
    def from_arrays(cls: type[_A], arrays: Mapping[str, npt.NDArray[Any]]) -> _A:
        """The result back from :meth:`to_arrays`' arrays."""
        ...


def write_atomically(path: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Write a file through ``write(stream)``, all or nothing (see the module's notes).

    Raises:
        DiskFullError: The disk had no room; the file is as it was.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        if is_disk_full(error):
            raise disk_full(f"the file {path.name}") from error
        raise
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as error:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and is_disk_full(error):
            raise disk_full(f"the file {path.name}") from error
        raise


def write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically."""

    def write(stream: io.BufferedWriter) -> None:
        stream.write(payload)

    write_atomically(path, write)


def write_json(path: Path, value: object) -> None:
    """Write ``value`` as indented, key-sorted JSON, atomically."""
    write_bytes(path, json.dumps(value, indent=2, sort_keys=True).encode())


def write_npy(path: Path, array: npt.NDArray[Any]) -> None:
    """Write one array as ``.npy`` (no pickled objects), atomically."""
    write_atomically(path, lambda stream: np.save(stream, array, allow_pickle=False))


def load_or_compute(path: Path, kind: type[_A], compute: Callable[[], _A]) -> _A:
    """The result stored at ``path``, or ``compute()``'s, stored there first.

    A file that cannot be read back (damaged, or written by an older version in another
    shape) is computed again and replaced, rather than failing the page that asked.

    Args:
        path: Where the result lives, a ``.npz`` file.
        kind: Its class, which reads it back with ``from_arrays``.
        compute: Makes the result when it is not stored.

    Returns:
        The result.
    """
    stored = read_artifact(path, kind)
    if stored is not None:
        return stored
    result = compute()
    write_artifact(path, result)
    return result


def read_artifact(path: Path, kind: type[_A]) -> _A | None:
    """The result stored at ``path``; ``None`` when there is none, or it cannot be read back
    (damaged, or written by an older version in another shape)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as stored:
            return kind.from_arrays(stored)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None


def write_artifact(path: Path, result: Artifact) -> None:
    """Store a result at ``path`` as a ``.npz`` of its named arrays, atomically."""
    arrays = result.to_arrays()
    write_atomically(path, lambda stream: np.savez(stream, allow_pickle=False, **arrays))


def model_slug(model_key: str) -> str:
    """A file-name-safe, collision-free name for a model key."""
    readable = re.sub(r"[^A-Za-z0-9]+", "-", model_key.split("|")[0]).strip("-")[-40:]
    return f"{readable}-{hashlib.sha256(model_key.encode()).hexdigest()[:10]}"


def _as_text(value: object) -> str | None:
    if is_missing(value):
        return None
    return value if isinstance(value, str) else str(value)


def table_to_parquet(table: pd.DataFrame) -> bytes:
    """The table as Parquet (see :func:`parquet_ready`)."""
    buffer = io.BytesIO()
    parquet_ready(table).to_parquet(buffer)
    return buffer.getvalue()


def parquet_ready(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every column Parquet cannot type (``12`` beside ``"B7"`` in one Excel
    column, a 5,000-digit number kept as text beside numbers, lists beside numbers) as text,
    so writing it never fails; the table itself when every column types."""
    import pyarrow as pa

    fixed = table
    for column in table.columns:
        if table[column].dtype != object:
            continue
        try:
            pa.array(table[column], from_pandas=True)
        except (ArrowException, ValueError, TypeError, OverflowError):
            fixed = fixed.copy() if fixed is table else fixed
            fixed[column] = table[column].map(_as_text).astype("string")
    return fixed
