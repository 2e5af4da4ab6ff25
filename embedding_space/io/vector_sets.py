"""The files a user brought together, sorted out: which holds the vectors, which the labels.

:func:`read_vector_files` takes the uploads of the "Bring your own vectors" tab as they come
and hands each to the reader it needs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

from embedding_space.errors import InputError
from embedding_space.io.decoding import check_not_binary_bytes, decode_text, normalise_newlines
from embedding_space.io.delimited import parse_delimited
from embedding_space.io.formats import parse_parquet
from embedding_space.io.image_columns import find_image_column, images_from_column
from embedding_space.io.image_vectors import with_zip_images
from embedding_space.io.image_zips import image_deadline
from embedding_space.io.tables import read_table
from embedding_space.io.vector_columns import find_vector_column, vectors_from_column
from embedding_space.io.vectors import LoadedVectors, read_npy, read_projector_tsv

__all__ = ["read_vector_files"]


def read_vector_files(files: Sequence[tuple[str, bytes]]) -> LoadedVectors:
    """Read vectors from the files a user brought together, telling which file is which.

    Understood combinations: one ``.npy``/``.npz`` (plus, optionally, one table of metadata in
    any format :func:`~embedding_space.io.tables.read_table` reads); one or two ``.tsv`` files in
    the Embedding Projector format (the one whose first line is all numbers holds the vectors);
    one ``.parquet`` or ``.csv`` with a column of vectors (a ``.parquet`` may hold a column of
    images too). Any of these may come with one ``.zip`` of the rows' images
    (:mod:`~embedding_space.io.image_vectors`).

    Args:
        files: ``(file name, bytes)`` pairs.

    Returns:
        The vectors with their metadata.

    Raises:
        InputError: No files, a combination that is not understood, or any reader's error.
    """
    if not files:
        raise InputError("No file was given. Add a .npy, a Projector .tsv pair, or a table.")
    zips = [item for item in files if item[0].lower().endswith(".zip")]
    if zips:
        vector_files = [item for item in files if item not in zips]
        if len(zips) > 1 or not vector_files:
            raise InputError(
                "Beside the vectors (a .npy, a Projector .tsv pair, or a table with a column of "
                f"vectors), give one .zip of their images, not {len(zips)} zips and "
                f"{len(vector_files)} other files."
            )
        return with_zip_images(read_vector_files(vector_files), zips[0])
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
                frame = parse_parquet(data)
            else:
                check_not_binary_bytes(data, "csv")
                frame, _, _ = parse_delimited(normalise_newlines(decode_text(data, None)[0]), "csv")
        except InputError as error:
            raise InputError(f"'{name}' could not be read as a table. {error}") from error
        except Exception as error:  # any parser failure means the file is unreadable
            raise InputError(f"'{name}' could not be read as a table ({error}).") from error
        column = find_vector_column(frame)
        if column is None:
            raise InputError(
                f"'{name}' has no column of vectors (lists of numbers). Columns: "
                f"{', '.join(map(str, frame.columns))}."
            )
        image_column = find_image_column(frame)
        if image_column is None:
            return vectors_from_column(frame, column)
        frame, images, _ = images_from_column(
            frame, image_column, f"'{name}'", image_deadline(), strict=True, data=data
        )
        loaded = vectors_from_column(frame, column)
        return replace(loaded, images=images, source_format="column+images")
    raise InputError(
        "These files are not a known set of vectors. Give a .npy (and a table of labels), "
        "the Projector's vectors.tsv and metadata.tsv, or one .parquet/.csv with a column of "
        "vectors; with any of them, a .zip of their images."
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
