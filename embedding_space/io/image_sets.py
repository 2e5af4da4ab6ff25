"""Images in: a zip of them (its folders giving labels, a table naming them) or a Parquet
file that holds them, read into rows and one checked image per row.

:func:`read_image_files` takes the files of an upload as they come. Rows are the images of the
zip in the order of their paths, or the rows of a table (inside the zip or beside it) whose
column names each row's image by its path in the zip (matched as
:meth:`~embedding_space.io.image_zips.ImageZip.find` says). A file that is no image, or a
damaged one, is left out and named; an image no upload may hold (a decompression bomb) or a
hostile zip (:mod:`~embedding_space.io.image_zips`) refuses the whole upload. Everything is
read in memory, within :func:`~embedding_space.io.image_zips.image_deadline`.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from embedding_space.errors import InputError, plural
from embedding_space.io.image_columns import (
    ALIGNED,
    caption_column,
    find_image_column,
    images_from_column,
    parquet_holds_images,
)
from embedding_space.io.image_zips import (
    MAX_IMAGES,
    TABLE_SUFFIXES,
    ImageZip,
    image_deadline,
    listed,
    open_image_zip,
)
from embedding_space.io.images import IMAGE_SUFFIXES, PreparedImage, UnreadableImageError
from embedding_space.io.parquet import parse_parquet
from embedding_space.io.tables import read_table

__all__ = [
    "LoadedImages",
    "holds_images",
    "packed_loose_images",
    "path_column",
    "read_image_files",
    "read_zip_rows",
]

_PATH_SAMPLE = 500


@dataclass(frozen=True, eq=False)
class LoadedImages:
    """Rows, one image each, and what was left out on the way.

    Attributes:
        frame: The rows (index ``0..n-1``): the image's path or name in
            :attr:`image_column`, the table's columns, and labels from the zip's folders
            (``label``, and ``folder`` when folders nest).
        text_column: A caption (see
            :func:`~embedding_space.io.image_columns.caption_column`) when the rows have one, else
            :attr:`image_column`.
        image_column: The column naming each row's image.
        images: One per row, in row order.
        skipped: Sentences on what was left out (a few names each, then "and N more").
        source_format: ``"image-zip"``, ``"image-zip+table"`` or ``"image-parquet"``.
    """

    frame: pd.DataFrame
    text_column: str
    image_column: str
    images: list[PreparedImage]
    skipped: list[str]
    source_format: str

    @property
    def has_captions(self) -> bool:
        """Whether the rows have a text of their own, other than the image's name."""
        return self.text_column != self.image_column


def holds_images(name: str, data: bytes) -> bool:
    """Whether one file is read as images: a zip, an image, or a Parquet file with a column
    of images."""
    lower = name.lower()
    if lower.endswith((".zip", *IMAGE_SUFFIXES)):
        return True
    return lower.endswith(".parquet") and parquet_holds_images(data)


def packed_loose_images(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """Image files given loose (several chosen at once, rather than zipped) as one zip of
    them, so every check of a zip holds for them too; any other set of files as it is.

    Raises:
        InputError: Loose images beside a zip: which holds the dataset is not clear.
    """
    loose = [item for item in files if item[0].lower().endswith(IMAGE_SUFFIXES)]
    rest = [item for item in files if not item[0].lower().endswith(IMAGE_SUFFIXES)]
    if not loose:
        return list(files)
    if any(name.lower().endswith(".zip") for name, _ in files):
        raise InputError(
            "Give the images in one zip, or as image files, not both: "
            f"'{loose[0][0]}' came beside a zip."
        )
    # A browser sends a file's name alone; two of one name are both kept.
    bases = [posixpath.basename(name.replace("\\", "/")) or "image" for name, _ in loose]
    named = Counter(bases)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as archive:
        for index, (base, (_, data)) in enumerate(zip(bases, loose, strict=True)):
            archive.writestr(f"{index:05d}-{base}" if named[base] > 1 else base, data)
    return [("images.zip", packed.getvalue()), *rest]


def read_image_files(files: Sequence[tuple[str, bytes]]) -> LoadedImages:
    """Read images from the files a user brought together.

    Understood: one ``.zip`` of images (JPEG, PNG, WebP, GIF), or image files given loose
    (read as one zip of them, see :func:`packed_loose_images`), optionally holding one table
    (``.csv``, ``.tsv``, ``.jsonl``, ``.json``, ``.xlsx``, ``.parquet``) whose column names the
    images by their paths in the zip; one ``.zip`` and such a table beside it; one ``.parquet``
    with a column of images (a Hugging Face ``Image`` column, ``{bytes, path}``, or bytes).

    Args:
        files: ``(file name, bytes)`` pairs.

    Returns:
        The rows and their images.

    Raises:
        InputError: Another combination of files, a refused zip or image, a table that names
            none of the images or more rows of images than
            :data:`~embedding_space.io.image_zips.MAX_IMAGES`, or no image left to read.
    """
    files = packed_loose_images(files)
    zips = [item for item in files if item[0].lower().endswith(".zip")]
    rest = [item for item in files if item not in zips]
    deadline = image_deadline()
    if len(zips) == 1 and len(rest) <= 1:
        if rest and not rest[0][0].lower().endswith(TABLE_SUFFIXES):
            raise InputError(
                f"'{rest[0][0]}' is not a table. Beside a zip of images, give one table "
                f"({', '.join(TABLE_SUFFIXES)}) whose column names the images."
            )
        name, data = zips[0]
        with open_image_zip(data, f"'{name}'", deadline) as zipped:
            return read_zip_rows(zipped, rest[0] if rest else None, strict=False)
    if not zips and len(rest) == 1 and rest[0][0].lower().endswith(".parquet"):
        name, data = rest[0]
        frame = parse_parquet(data, deadline)
        column = find_image_column(frame)
        if column is None:
            raise InputError(
                f"'{name}' has no column of images (a Hugging Face Image column, or image "
                f"bytes). Its columns: {', '.join(map(str, frame.columns))}."
            )
        rows, images, skipped = images_from_column(
            frame, column, f"'{name}'", deadline, strict=False, data=data
        )
        caption = caption_column(rows, exclude=[column])
        return LoadedImages(rows, caption or column, column, images, skipped, "image-parquet")
    raise InputError(
        "These files are not a known set of images. Give one .zip of images (with at most one "
        "table naming them, inside it or beside it), or one .parquet with a column of images."
    )


def read_zip_rows(
    zipped: ImageZip, table: tuple[str, bytes] | None, *, strict: bool
) -> LoadedImages:
    """The rows of an opened zip of images: its images in path order, or the rows of
    ``table`` (else of the one table inside the zip) that name one.

    Args:
        zipped: The zip.
        table: A table given beside it, ``(file name, bytes)``.
        strict: Refuse a row whose image is missing or unreadable (rows that go with vectors)
            rather than leave it out.
    """
    if zipped.tables and (table is not None or len(zipped.tables) > 1):
        given = [f"'{path}'" for path in zipped.tables] + ([f"'{table[0]}'"] if table else [])
        raise InputError(
            f"There are {len(given)} tables ({', '.join(given)}) for the images of "
            f"{zipped.name}; give one, whose column names each image."
        )
    folder = ""
    if table is None and zipped.tables:
        folder = posixpath.dirname(zipped.tables[0])
        table = (zipped.tables[0], zipped.read(zipped.tables[0]))
    skipped: list[str] = []
    if zipped.others:
        count = len(zipped.others)
        what = "is not an image" if count == 1 else "are not images"
        skipped.append(
            f"{plural(count, 'file')} of {zipped.name} {what} (JPEG, PNG, WebP or GIF) and "
            f"{_was(count)} left out: {listed(zipped.others)}."
        )
    if zipped.repeated:
        verb = "appears" if len(zipped.repeated) == 1 else "appear"
        skipped.append(
            f"{listed(zipped.repeated)} {verb} more than once in {zipped.name}; the first copy "
            "was read."
        )
    if table is None:
        frame = pd.DataFrame({"image": zipped.images})
        image_column, paths = "image", list(zipped.images)
    else:
        frame, image_column, paths = _join_table(zipped, table, folder, skipped, strict)
    for name, values in zipped.folder_columns(paths).items():
        if name not in frame.columns:
            frame[name] = values
    keep, images = _prepare_rows(zipped, paths, skipped, strict)
    frame = frame.iloc[keep].reset_index(drop=True)
    caption = caption_column(frame, exclude=[image_column, "label", "folder"])
    return LoadedImages(
        frame,
        caption or image_column,
        image_column,
        images,
        skipped,
        "image-zip" if table is None else "image-zip+table",
    )


def _join_table(
    zipped: ImageZip, table: tuple[str, bytes], folder: str, skipped: list[str], strict: bool
) -> tuple[pd.DataFrame, str, list[str]]:
    name, data = table
    first = read_table(data, file_name=posixpath.basename(name), deadline=zipped.deadline)
    column = path_column(first.frame, zipped, folder, f"'{name}'")
    loaded = first
    if column != first.text_column:
        loaded = read_table(
            data, file_name=posixpath.basename(name), text_column=column, deadline=zipped.deadline
        )
    if empty := loaded.dropped.get("empty text", 0):
        if strict:
            raise InputError(f"{empty:,} rows of '{name}' name no image. {ALIGNED}")
        skipped.append(f"{empty:,} rows of '{name}' name no image and were left out.")
    values = [str(value) for value in loaded.frame[column]]
    paths = [zipped.find(value, folder) for value in values]
    absent = [value for value, path in zip(values, paths, strict=True) if path is None]
    if absent:
        sentence = (
            f"{len(absent):,} rows of '{name}' name images that are not in {zipped.name}: "
            f"{listed(absent)}."
        )
        if strict:
            raise InputError(f"{sentence} {ALIGNED}")
        skipped.append(sentence[:-1] + "; they were left out.")
    found = [index for index, path in enumerate(paths) if path is not None]
    if len(found) > MAX_IMAGES:
        # Each row keeps its own copy of its image: 100,000 rows naming one image made a
        # dataset of 100,000 images.
        raise InputError(
            f"{len(found):,} rows of '{name}' name an image; at most {MAX_IMAGES:,} rows of "
            "images can be loaded at once. Save a sample of the rows."
        )
    unnamed = sorted(set(zipped.images) - set(paths))
    if unnamed:
        skipped.append(
            f"{len(unnamed):,} images of {zipped.name} are not named in '{name}' and were left "
            f"out: {listed(unnamed)}."
        )
    frame = loaded.frame.iloc[found].reset_index(drop=True)
    return frame, column, [path for path in paths if path is not None]


def _prepare_rows(
    zipped: ImageZip, paths: list[str], skipped: list[str], strict: bool
) -> tuple[list[int], list[PreparedImage]]:
    keep: list[int] = []
    images: list[PreparedImage] = []
    unreadable: list[str] = []
    for index, path in enumerate(paths):
        try:
            images.append(zipped.prepare(path))
        except UnreadableImageError as error:
            if strict:
                raise InputError(f"{error} {ALIGNED}") from None
            if path not in unreadable:
                unreadable.append(path)
            continue
        keep.append(index)
    if unreadable:
        skipped.append(
            f"{plural(len(unreadable), 'image')} could not be read (damaged, or not really an "
            f"image) and {_was(len(unreadable))} left out: {listed(unreadable)}."
        )
    if not keep:
        reason = f" {skipped[-1]}" if skipped else ""
        raise InputError(f"No image of {zipped.name} could be read.{reason}")
    return keep, images


def path_column(frame: pd.DataFrame, zipped: ImageZip, folder: str, what: str) -> str:
    """The column of ``frame`` whose values name the most images of ``zipped`` (a sample of
    the rows is tried).

    Raises:
        InputError: No column names any.
    """
    best, best_count = None, 0
    for name in frame.columns:
        values = [value for value in frame[name].head(_PATH_SAMPLE) if isinstance(value, str)]
        count = sum(zipped.find(value, folder) is not None for value in values)
        if count > best_count:
            best, best_count = str(name), count
    if best is None:
        raise InputError(
            f"No column of {what} names the images of {zipped.name}. Give a column of the "
            f"images' paths in the zip, such as '{zipped.images[0]}'."
        )
    return best


def _was(count: int) -> str:
    return "was" if count == 1 else "were"
