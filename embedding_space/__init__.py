"""The UI-free core of the Embedding Space Explorer.

Its subpackages import one way only, each from those before it:

* :mod:`~embedding_space.io`: tables of texts and vectors read from files;
* :mod:`~embedding_space.embed`: texts to vectors, with a per-text disk cache;
* :mod:`~embedding_space.analysis`: scores, neighbours, the kNN graph, projections, search;
* :mod:`~embedding_space.figures` and :mod:`~embedding_space.export`: plotly figures, files;
* :mod:`~embedding_space.store`: the workspace on disk, computing each result once;
* :mod:`~embedding_space.cli` and :mod:`~embedding_space.demo` on top.

:mod:`~embedding_space.errors`, :mod:`~embedding_space.types` and :mod:`~embedding_space.rows`
sit below them all. Heavy libraries (torch, umap, kaleido) load only when used. This package
never imports streamlit.
"""

from embedding_space.errors import EmbeddingSpaceError, InputError, ModelLoadError

__all__ = ["EmbeddingSpaceError", "InputError", "ModelLoadError", "__version__"]
__version__ = "0.2.0"
