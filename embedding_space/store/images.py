"""A dataset's images, kept beside its rows: ``datasets/<id>/images.parquet``.

One row per dataset row, in row order: the image's key (see
:attr:`~embedding_space.io.images.PreparedImage.key`), its thumbnail and its working copy (both
WebP, re-encoded when the image came in) and its upright size. The originals are never kept:
nothing of an uploaded file but its pixels reaches the disk. Written before the manifest, so a
dataset that lists images always has them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from embedding_space.errors import DamagedFileError
from embedding_space.io.images import PreparedImage, thumbnail_uri
from embedding_space.store.artifacts import write_bytes

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["IMAGES_FILE", "DatasetImages", "images_parquet", "read_images", "write_images"]

IMAGES_FILE = "images.parquet"
ROWS_A_GROUP = 256
"""Rows of images written, and read back, at a time: a group's images are at most 40 MB in
memory, and rows that share an image keep it once a group (Parquet's dictionary), where one
table of all rows held a copy a row (10,000 rows naming one image took 2.5 GB to store)."""


def images_parquet(images: Sequence[PreparedImage]) -> bytes:
    """The images of a new dataset as the bytes of its :data:`IMAGES_FILE`, written
    :data:`ROWS_A_GROUP` rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("key", pa.string()),
            ("thumbnail", pa.binary()),
            ("working", pa.binary()),
            ("width", pa.int64()),
            ("height", pa.int64()),
        ]
    )
    out = io.BytesIO()
    with pq.ParquetWriter(out, schema) as writer:
        for start in range(0, len(images), ROWS_A_GROUP):
            group = images[start : start + ROWS_A_GROUP]
            columns = {
                "key": [image.key for image in group],
                "thumbnail": [image.thumbnail for image in group],
                "working": [image.working for image in group],
                "width": [image.width for image in group],
                "height": [image.height for image in group],
            }
            writer.write_table(pa.table(columns, schema=schema))
    return out.getvalue()


def write_images(folder: Path, payload: bytes) -> None:
    """Write :func:`images_parquet`'s bytes into a dataset's folder, atomically."""
    write_bytes(folder / IMAGES_FILE, payload)


class DatasetImages:
    """The images of one dataset, read when first asked for.

    Args:
        folder: The dataset's folder.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / IMAGES_FILE

    def thumbnails(self) -> list[bytes]:
        """Every row's thumbnail (WebP bytes), in row order."""
        return [bytes(value) for value in read_images(self.path, ["thumbnail"])["thumbnail"]]

    def thumbnail_uris(self) -> list[str]:
        """Every row's thumbnail as a ``data:`` URI (``io.images.thumbnail_uri``), in row
        order: what a page shows, never a link to the workspace."""
        return [thumbnail_uri(thumbnail) for thumbnail in self.thumbnails()]

    def sizes(self) -> list[tuple[int, int]]:
        """Every row's upright (width, height) in pixels, in row order."""
        frame = read_images(self.path, ["width", "height"])
        return list(zip(frame["width"].astype(int), frame["height"].astype(int), strict=True))

    def keys(self) -> list[str]:
        """Every row's image key, in row order: what the embedding cache knows each by."""
        return [str(value) for value in read_images(self.path, ["key"])["key"]]

    def working_copy(self, row: int) -> bytes:
        """One row's working copy (WebP bytes); only the rows written with it are read.

        Raises:
            IndexError: No such row.
            DamagedFileError: The file is missing, cut off, or not a table of images.
        """
        import pyarrow.parquet as pq

        first = 0
        with _said_as_damage(self.path):
            parquet = pq.ParquetFile(self.path)
            # The footer says how many rows each group holds: only the one with the row is read.
            for group in range(parquet.num_row_groups) if row >= 0 else ():
                count = parquet.metadata.row_group(group).num_rows
                if row < first + count:
                    working = parquet.read_row_group(group, columns=["working"]).column(0)
                    return bytes(working[row - first].as_py())
                first += count
        raise IndexError(f"There is no row {row} among the dataset's images.")

    def working_copies(self) -> dict[str, bytes]:
        """The working copy of every image, by key (one per distinct image), read a group of
        rows at a time: rows that name one image hold it once in memory."""
        copies: dict[str, bytes] = {}
        for group in _groups(self.path, ["key", "working"]):
            keys = group.column("key").to_pylist()
            workings = group.column("working")
            for index, key in enumerate(keys):
                if key not in copies:
                    copies[str(key)] = bytes(workings[index].as_py())
        return copies


def read_images(path: Path, columns: list[str]) -> pd.DataFrame:
    """Columns of an :data:`IMAGES_FILE`.

    Raises:
        DamagedFileError: Missing, cut off, or not a table of images.
    """
    with _said_as_damage(path):
        return pd.read_parquet(path, columns=columns)


def _groups(path: Path, columns: list[str]) -> Iterator[pa.Table]:
    """The columns of an :data:`IMAGES_FILE`, a row group at a time.

    Raises:
        DamagedFileError: As :func:`read_images`.
    """
    import pyarrow.parquet as pq

    with _said_as_damage(path):
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            yield parquet.read_row_group(group, columns=columns)


@contextmanager
def _said_as_damage(path: Path) -> Iterator[None]:
    """Turn a failure to read an :data:`IMAGES_FILE` into a :class:`DamagedFileError`."""
    from pyarrow import ArrowException

    try:
        yield
    except FileNotFoundError:
        raise DamagedFileError(path, "images", "it is missing", recomputable=False) from None
    except (OSError, ArrowException, ValueError, KeyError, TypeError) as error:
        reason = f"it is not a table of images that can be read ({type(error).__name__})"
        raise DamagedFileError(path, "images", reason, recomputable=False) from None
