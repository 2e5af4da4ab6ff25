"""Vectors with their images: a zip of images beside the vectors' files, or a Parquet file
that holds both.

Vector ``i`` goes with one image, and every vector must have one: a row whose image is
missing or damaged refuses the upload (leaving it out would shift every vector after it). The
images are matched to the rows by a column of the metadata that holds their paths in the zip;
vectors that came without metadata go with the zip's images in the order of their paths
(sorted, as ``sorted(Path(folder).rglob("*"))`` lists them), or with the rows of the table
inside the zip.
"""

from __future__ import annotations

from dataclasses import replace

from embedding_space.errors import InputError
from embedding_space.io.columns import is_missing
from embedding_space.io.image_columns import ALIGNED
from embedding_space.io.image_sets import path_column, read_zip_rows
from embedding_space.io.image_zips import MAX_IMAGES, image_deadline, listed, open_image_zip
from embedding_space.io.images import PreparedImage, UnreadableImageError
from embedding_space.io.vectors import LoadedVectors

__all__ = ["with_zip_images"]


def with_zip_images(loaded: LoadedVectors, zip_file: tuple[str, bytes]) -> LoadedVectors:
    """The vectors with an image for each row, from a zip of images.

    Args:
        loaded: The vectors and their metadata, as read from the other files.
        zip_file: ``(file name, bytes)`` of the zip.

    Returns:
        The vectors with :attr:`~embedding_space.io.vectors.LoadedVectors.images` set; without
        metadata of their own, the zip's rows (paths, labels from folders) become their
        metadata.

    Raises:
        InputError: The zip is refused (see :mod:`~embedding_space.io.image_zips`), a row has
            no image or an unreadable one, the counts of vectors and images differ, or there
            are more than :data:`~embedding_space.io.image_zips.MAX_IMAGES` rows.
    """
    name, data = zip_file
    with open_image_zip(data, f"'{name}'", image_deadline()) as zipped:
        if _unlabelled(loaded):
            rows = read_zip_rows(zipped, None, strict=True)
            if len(rows.images) != len(loaded.vectors):
                order = (
                    f"the rows of '{zipped.tables[0]}'"
                    if zipped.tables
                    else "the images in the order of their paths (sorted)"
                )
                raise InputError(
                    f"There are {len(loaded.vectors):,} vectors but {len(rows.images):,} images "
                    f"in '{name}'. Without a table naming each row's image, vector 1 goes with "
                    f"the first of {order}, and so on. {ALIGNED}"
                )
            return replace(
                loaded,
                frame=rows.frame,
                text_column=rows.text_column,
                images=rows.images,
                source_format=f"{loaded.source_format}+images",
            )
        if len(loaded.frame) > MAX_IMAGES:  # each row would keep its own copy of its image
            raise InputError(
                f"There are {len(loaded.frame):,} vectors; at most {MAX_IMAGES:,} rows of "
                "images can be loaded at once. Save a sample of the rows, with their images."
            )
        column = path_column(loaded.frame, zipped, "", "the metadata")
        values = ["" if is_missing(value) else str(value) for value in loaded.frame[column]]
        paths = [zipped.find(value) for value in values]
        absent = [value for value, path in zip(values, paths, strict=True) if path is None]
        if absent:
            raise InputError(
                f"{len(absent):,} rows of the metadata name images that are not in '{name}': "
                f"{listed(absent)}. {ALIGNED}"
            )
        images: list[PreparedImage] = []
        for path in (path for path in paths if path is not None):  # all of them, by now
            try:
                images.append(zipped.prepare(path))
            except UnreadableImageError as error:
                raise InputError(f"{error} {ALIGNED}") from None
    return replace(loaded, images=images, source_format=f"{loaded.source_format}+images")


def _unlabelled(loaded: LoadedVectors) -> bool:
    """Whether the vectors came without metadata (rows labelled ``row 0``, ``row 1``, ...)."""
    frame = loaded.frame
    return list(frame.columns) == ["label"] and frame["label"].tolist() == [
        f"row {index}" for index in range(len(frame))
    ]
