"""The UI-free core of the Embedding Space Explorer.

Load tables of text (:mod:`~embedding_space.tables`), embed them with a sentence-transformers
model (:mod:`~embedding_space.embedding`, cached on disk by :mod:`~embedding_space.cache`),
project them (:mod:`~embedding_space.projection`), search neighbours
(:mod:`~embedding_space.neighbors`, :mod:`~embedding_space.similarity`), draw them
(:mod:`~embedding_space.figures`) and keep everything in a workspace
(:mod:`~embedding_space.workspace`). Heavy libraries (torch, umap) load only when used.
This package never imports streamlit.
"""

from embedding_space.errors import EmbeddingSpaceError, InputError, ModelLoadError

__all__ = ["EmbeddingSpaceError", "InputError", "ModelLoadError", "__version__"]
__version__ = "0.1.0"
