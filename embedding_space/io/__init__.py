"""Files in: tables of texts and vectors a user already has.

:func:`read_table` reads ``.txt``, ``.csv``, ``.tsv``, ``.jsonl``, ``.json``, ``.parquet`` and
``.xlsx`` into a :class:`LoadedTable`; :func:`read_vector_files` and the readers beside it
read ``.npy`` matrices, the Embedding Projector's TSV pair and columns of lists into
:class:`LoadedVectors`; :func:`read_image_files` reads a zip of images (or a Parquet file that
holds them) into :class:`LoadedImages`. Decoding, CSV sniffing, the other formats and column
guessing each have a module of their own.
"""

from embedding_space.io.columns import (
    MAX_LABELS,
    default_color_column,
    guess_text_column,
    is_missing,
    label_columns,
    texts_of,
    unique_names,
)
from embedding_space.io.dates import DateColumn, date_columns, detect_date_column
from embedding_space.io.image_columns import (
    CAPTION_NAMES,
    caption_column,
    find_image_column,
    parquet_holds_images,
)
from embedding_space.io.image_sets import LoadedImages, holds_images, read_image_files
from embedding_space.io.image_zips import (
    MAX_COMPRESSION_RATIO,
    MAX_IMAGE_READ_SECONDS,
    MAX_IMAGES,
    open_image_zip,
)
from embedding_space.io.images import (
    IMAGE_SUFFIXES,
    PreparedImage,
    UnreadableImageError,
    prepare_image,
    thumbnail_uri,
)
from embedding_space.io.tables import (
    LARGE_TABLE_ROWS,
    MAX_TEXT_CHARS,
    SUPPORTED_SUFFIXES,
    TXT_LAYOUTS,
    LoadedTable,
    describe,
    read_table,
)
from embedding_space.io.vector_columns import find_vector_column, vectors_from_column
from embedding_space.io.vector_sets import read_vector_files
from embedding_space.io.vectors import LoadedVectors, read_npy, read_projector_tsv

__all__ = [
    "CAPTION_NAMES",
    "IMAGE_SUFFIXES",
    "LARGE_TABLE_ROWS",
    "MAX_COMPRESSION_RATIO",
    "MAX_IMAGES",
    "MAX_IMAGE_READ_SECONDS",
    "MAX_LABELS",
    "MAX_TEXT_CHARS",
    "SUPPORTED_SUFFIXES",
    "TXT_LAYOUTS",
    "DateColumn",
    "LoadedImages",
    "LoadedTable",
    "LoadedVectors",
    "PreparedImage",
    "UnreadableImageError",
    "caption_column",
    "date_columns",
    "default_color_column",
    "describe",
    "detect_date_column",
    "find_image_column",
    "find_vector_column",
    "guess_text_column",
    "holds_images",
    "is_missing",
    "label_columns",
    "open_image_zip",
    "parquet_holds_images",
    "prepare_image",
    "read_image_files",
    "read_npy",
    "read_projector_tsv",
    "read_table",
    "read_vector_files",
    "texts_of",
    "thumbnail_uri",
    "unique_names",
    "vectors_from_column",
]
