"""A dataset's images, kept beside its rows: ``datasets/<id>/images.parquet``.

One row per dataset row, in row order: the image's key (see
:attr:`~embedding_space.io.images.PreparedImage.key`), its thumbnail and its working copy (both
WebP, re-encoded when the image came in) and its upright size. The originals are never kept:
nothing of an uploaded file but its pixels reaches the disk. Written before the manifest, so a
dataset that lists images always has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from embedding_space.errors import DamagedFileError
from embedding_space.io.images import PreparedImage, thumbnail_uri
from embedding_space.store.artifacts import table_to_parquet, write_bytes

__all__ = ["IMAGES_FILE", "DatasetImages", "images_parquet", "read_images", "write_images"]

IMAGES_FILE = "images.parquet"
IMAGES_PER_GROUP = 256
"""Rows per Parquet row group: one row's working copy is read from its group alone (~5 MB),
not from the whole column (a page shows one row's image large; see
:meth:`DatasetImages.working_copy`)."""


def images_parquet(images: Sequence[PreparedImage]) -> bytes:
    """The images of a new dataset as the bytes of its :data:`IMAGES_FILE`."""
    frame = pd.DataFrame(
        {
            "key": [image.key for image in images],
            "thumbnail": [image.thumbnail for image in images],
            "working": [image.working for image in images],
            "width": [image.width for image in images],
            "height": [image.height for image in images],
        }
    )
    return table_to_parquet(frame, row_group_size=IMAGES_PER_GROUP)


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
        """One row's working copy (WebP bytes), read from the row group that holds it.

        Raises:
            IndexError: No such row.
            DamagedFileError: The file is missing, cut off, or not a table of images.
        """
        import pyarrow.parquet as pq
        from pyarrow import ArrowException

        try:
            file = pq.ParquetFile(self.path)
            first = 0
            for group in range(file.num_row_groups):
                count = file.metadata.row_group(group).num_rows
                if 0 <= row < first + count:
                    working = file.read_row_group(group, columns=["working"]).column(0)
                    return bytes(working[row - first].as_py())
                first += count
        except (OSError, ArrowException, ValueError, KeyError, TypeError) as error:
            raise _damaged(self.path, error) from None
        raise IndexError(f"There is no row {row}: the dataset has {first} images.")

    def working_copies(self) -> dict[str, bytes]:
        """The working copy of every image, by key (one per distinct image)."""
        frame = read_images(self.path, ["key", "working"])
        return dict(zip(frame["key"].astype(str), map(bytes, frame["working"]), strict=True))


def read_images(path: Path, columns: list[str]) -> pd.DataFrame:
    """Columns of an :data:`IMAGES_FILE`.

    Raises:
        DamagedFileError: Missing, cut off, or not a table of images.
    """
    from pyarrow import ArrowException

    try:
        return pd.read_parquet(path, columns=columns)
    except (OSError, ArrowException, ValueError, KeyError, TypeError) as error:
        raise _damaged(path, error) from None


def _damaged(path: Path, error: Exception) -> DamagedFileError:
    if isinstance(error, FileNotFoundError):
        return DamagedFileError(path, "images", "it is missing", recomputable=False)
    reason = f"it is not a table of images that can be read ({type(error).__name__})"
    return DamagedFileError(path, "images", reason, recomputable=False)
