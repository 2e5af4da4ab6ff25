"""What is kept on disk: datasets with their embeddings and derived results, written
atomically and computed once (:func:`load_or_compute`)."""

from embedding_space.store.artifacts import Artifact, load_or_compute, model_slug
from embedding_space.store.datasets import DatasetStore
from embedding_space.store.owners import Limits, SessionKeys, cache_scope, is_person
from embedding_space.store.workspace import (
    CUSTOM_VECTORS,
    MAX_NAME_CHARS,
    DatasetInfo,
    Workspace,
    default_home,
)

__all__ = [
    "CUSTOM_VECTORS",
    "MAX_NAME_CHARS",
    "Artifact",
    "DatasetInfo",
    "DatasetStore",
    "Limits",
    "SessionKeys",
    "Workspace",
    "cache_scope",
    "default_home",
    "is_person",
    "load_or_compute",
    "model_slug",
]
