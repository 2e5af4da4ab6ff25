"""What is kept on disk: datasets with their embeddings and derived results, written
atomically and computed once; and the one handle on an embedding space, :class:`Space`, which
a dataset of the workspace (:meth:`Workspace.space`) and an embedded file (:func:`open_file`)
both give."""

from embedding_space.store.artifacts import Artifact, load_or_compute, model_slug
from embedding_space.store.batches import BATCH_COLUMN, FIRST_BATCH, Batch
from embedding_space.store.corrections import CORRECTED_SUFFIX, Corrections, corrected_name
from embedding_space.store.datasets import DatasetStore
from embedding_space.store.file_batches import FileBatch, add_to_file
from embedding_space.store.files import (
    EMBEDDING_COLUMN,
    EmbeddedFile,
    open_file,
    read_embedded,
    space_of,
    write_parquet,
)
from embedding_space.store.growing import RECOMPUTED, GrownMap, refit_projection
from embedding_space.store.owners import Limits, SessionKeys, cache_scope, is_person
from embedding_space.store.results import FolderResults, MemoryResults, ResultStore
from embedding_space.store.selections import MAX_SELECTIONS, Selections
from embedding_space.store.space import ModelLoader, Space
from embedding_space.store.tag_columns import (
    SEVERAL,
    TAG_SEPARATOR,
    TAGS_COLUMN,
    UNTAGGED,
    read_tags_column,
    rows_with_tags,
    search_tags,
    tag_colors,
    with_tags,
)
from embedding_space.store.tags import MAX_TAGS, TAG_NAME_CHARS, UNDO_DEPTH, Tags, clean_tag_name
from embedding_space.store.workspace import (
    CUSTOM_VECTORS,
    MAX_NAME_CHARS,
    BatchAdded,
    DatasetInfo,
    Workspace,
    default_home,
)

__all__ = [
    "BATCH_COLUMN",
    "CORRECTED_SUFFIX",
    "CUSTOM_VECTORS",
    "EMBEDDING_COLUMN",
    "FIRST_BATCH",
    "MAX_NAME_CHARS",
    "MAX_SELECTIONS",
    "MAX_TAGS",
    "RECOMPUTED",
    "SEVERAL",
    "TAGS_COLUMN",
    "TAG_NAME_CHARS",
    "TAG_SEPARATOR",
    "UNDO_DEPTH",
    "UNTAGGED",
    "Artifact",
    "Batch",
    "BatchAdded",
    "Corrections",
    "DatasetInfo",
    "DatasetStore",
    "EmbeddedFile",
    "FileBatch",
    "FolderResults",
    "GrownMap",
    "Limits",
    "MemoryResults",
    "ModelLoader",
    "ResultStore",
    "Selections",
    "SessionKeys",
    "Space",
    "Tags",
    "Workspace",
    "add_to_file",
    "cache_scope",
    "clean_tag_name",
    "corrected_name",
    "default_home",
    "is_person",
    "load_or_compute",
    "model_slug",
    "open_file",
    "read_embedded",
    "read_tags_column",
    "refit_projection",
    "rows_with_tags",
    "search_tags",
    "space_of",
    "tag_colors",
    "with_tags",
    "write_parquet",
]
