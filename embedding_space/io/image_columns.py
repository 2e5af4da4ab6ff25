"""Images and captions in the columns of a table: a Parquet file that holds its images (as
Hugging Face datasets store them, or as bytes), and the column of text that describes them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from embedding_space.errors import InputError
from embedding_space.io.budget import MAX_PARQUET_BYTES, Deadline
from embedding_space.io.columns import TEXT_COLUMN_NAMES, guess_text_column, is_missing
from embedding_space.io.image_zips import MAX_IMAGES, listed
from embedding_space.io.images import PreparedImage, UnreadableImageError, prepare_image
from embedding_space.io.parquet import declared_bytes

__all__ = [
    "ALIGNED",
    "CAPTION_NAMES",
    "caption_column",
    "find_image_column",
    "images_from_column",
    "parquet_holds_images",
]

CAPTION_NAMES = (*TEXT_COLUMN_NAMES, "caption", "alt", "alt_text", "prompt")
"""Column names taken to hold a caption (case-insensitive, also with an ``s``)."""
ALIGNED = "Vectors and images must match one to one, row for row."
"""Ends the refusal of a row without its image, where rows go with vectors."""
_SAMPLE = 500
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF")


def caption_column(frame: pd.DataFrame, exclude: Sequence[str]) -> str | None:
    """The column of text that describes each row, if one does: a column of text (see
    :func:`~embedding_space.io.columns.guess_text_column`) named like a text or a caption
    (:data:`CAPTION_NAMES`), or one whose values mostly have three words or more. Labels
    (``cat``, ``red circle``) are no captions."""
    rest = frame.drop(columns=[name for name in exclude if name in frame.columns])
    try:
        guess = guess_text_column(rest)
    except InputError:
        return None
    if guess.strip().lower().rstrip("s") in {name.rstrip("s") for name in CAPTION_NAMES}:
        return guess
    values = [value for value in rest[guess].head(_SAMPLE) if isinstance(value, str)]
    worded = sum(len(value.split()) >= 3 for value in values)
    return guess if values and 2 * worded > len(values) else None


def find_image_column(frame: pd.DataFrame) -> str | None:
    """The first column whose cells hold images: ``{bytes, path}`` as Hugging Face datasets
    store an ``Image`` feature, or plain bytes; ``None`` when none does."""
    for name in frame.columns:
        if _holds_images(frame[name]):
            return str(name)
    return None


def _holds_images(series: pd.Series[Any]) -> bool:
    sample = series.dropna().head(20).tolist()
    return bool(sample) and all(_image_bytes(value) is not None for value in sample)


def images_from_column(
    frame: pd.DataFrame,
    column: str,
    what: str,
    deadline: Deadline,
    *,
    strict: bool,
    data: bytes | None = None,
) -> tuple[pd.DataFrame, list[PreparedImage], list[str]]:
    """Rows whose images are in a column of a table (a Parquet file's).

    The image column then names each image (the ``path`` Hugging Face keeps, else
    ``row N``), and other columns of images are dropped; numbers of a Hugging Face
    ``ClassLabel`` column become its names when ``data`` (the Parquet file) says them.

    Args:
        frame: The table.
        column: Its column of images (see :func:`find_image_column`).
        what: The file, for messages (``"'pets.parquet'"``).
        deadline: The upload's budget.
        strict: Refuse a row without a readable image rather than leave it out.
        data: The Parquet file's bytes, for its labels' names.

    Returns:
        The rows kept, one image each, and sentences on the rows left out.

    Raises:
        InputError: More than :data:`~embedding_space.io.image_zips.MAX_IMAGES` rows, an
            image no upload may hold, no image left, or (``strict``) a row without an image.
    """
    if len(frame) > MAX_IMAGES:
        raise InputError(
            f"{what} holds {len(frame):,} rows of images; at most {MAX_IMAGES:,} can be loaded "
            "at once. Save a sample of the rows."
        )
    keep: list[int] = []
    names: list[str] = []
    images: list[PreparedImage] = []
    left_out: list[str] = []
    for index, value in enumerate(frame[column].tolist()):
        deadline.check(f"reading the image of row {index}")
        found = None if is_missing(value) else _image_bytes(value)
        label = _image_path(value) or f"row {index}"
        try:
            if found is None:
                raise UnreadableImageError(f"Row {index} of {what} holds no image.")
            images.append(prepare_image(found, label))
        except UnreadableImageError as error:
            if strict:
                raise InputError(f"{error} {ALIGNED}") from None
            left_out.append(label)
            continue
        keep.append(index)
        names.append(label)
    if not keep:
        raise InputError(f"No image of {what} could be read.")
    others = [name for name in frame.columns if name != column and _holds_images(frame[name])]
    kept = frame.iloc[keep].drop(columns=others).reset_index(drop=True)
    kept[column] = names
    for name, labels in _class_names(data).items():
        if name in kept.columns and pd.api.types.is_integer_dtype(kept[name]):
            kept[name] = [labels[code] if 0 <= code < len(labels) else code for code in kept[name]]
    skipped: list[str] = []
    if left_out:
        skipped.append(
            f"{len(left_out):,} rows of {what} hold no image that could be read (damaged or "
            f"missing) and were left out: {listed(left_out)}."
        )
    return kept, images, skipped


def parquet_holds_images(data: bytes) -> bool:
    """Whether a Parquet file has a column of images, told from its schema (a Hugging Face
    ``Image`` column: ``{bytes, path}``) or, for a column of plain bytes, from its first value
    (a JPEG, PNG, GIF or WebP file); nothing else of the file is read, and no value of a file
    that declares more than :data:`~embedding_space.io.budget.MAX_PARQUET_BYTES`, which the
    reader refuses (the first value alone can be 400 MB, 1.7 GB read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        small = declared_bytes(parquet) <= MAX_PARQUET_BYTES
        for field in parquet.schema_arrow:
            kind = field.type
            if pa.types.is_struct(kind) and any(
                part.name == "bytes" and pa.types.is_binary(part.type) for part in kind
            ):
                return True
            if small and (pa.types.is_binary(kind) or pa.types.is_large_binary(kind)):
                batch = next(parquet.iter_batches(batch_size=8, columns=[field.name]), None)
                first = [value for value in (batch.column(0).to_pylist() if batch else []) if value]
                if first and bytes(first[0]).startswith(_IMAGE_MAGIC):
                    return True
    except Exception:  # no Parquet file: the table reader says what is wrong with it
        return False
    return False


def _image_bytes(value: Any) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dict) and isinstance(value.get("bytes"), (bytes, bytearray)):
        return bytes(value["bytes"])
    return None


def _image_path(value: Any) -> str | None:
    path = value.get("path") if isinstance(value, dict) else None
    return path if isinstance(path, str) and path.strip() else None


def _class_names(data: bytes | None) -> dict[str, list[str]]:
    """The names of each ``ClassLabel`` column, from the features a Hugging Face dataset
    writes into its Parquet schema; ``{}`` when it says none."""
    if data is None:
        return {}
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_schema(io.BytesIO(data)).metadata or {}).get(b"huggingface", b"")
        if not raw or len(raw) > 2**20:
            return {}
        features = json.loads(raw)["info"]["features"]
        return {
            str(name): [str(label) for label in feature["names"]]
            for name, feature in features.items()
            if isinstance(feature, dict)
            and feature.get("_type") == "ClassLabel"
            and isinstance(feature.get("names"), list)
        }
    except Exception:  # metadata anyone could write: without it the numbers stay numbers
        return {}
