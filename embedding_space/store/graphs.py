"""The kNN graphs of one embedding: kept in a few sizes, each built or read once and then held.

Asking for ``k`` neighbours gets the smallest of :data:`GRAPH_SIZES` that holds ``k``: every
``k`` up to 15 shares one graph (UMAP's default, the exports, duplicates, most outliers),
16 to 50 another (the most any setting asks), and a UMAP of up to 100 neighbours a third. So a
space holds three graphs at most, however many ``k`` a user tries, and the app and the command
line read the very same graph for the same ``k``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from embedding_space.analysis.ann import neighbor_graph
from embedding_space.analysis.neighbors import GRAPH_NEIGHBORS, KnnGraph
from embedding_space.errors import InputError
from embedding_space.store.results import ResultStore
from embedding_space.types import FloatMatrix

__all__ = ["GRAPH_SIZES", "Graphs"]

GRAPH_SIZES = (GRAPH_NEIGHBORS, 50, 100)
"""The sizes a graph is kept in (neighbours per row, the row itself not counted)."""


class Graphs:
    """The cosine kNN graphs of one embedding, by size.

    Args:
        results: Where the graphs are stored (``knn/<model>-n<size>.npz``).
        slug: The model's file-name-safe key.
        vectors: Reads the vectors (called only when a graph must be built).
    """

    def __init__(self, results: ResultStore, slug: str, vectors: Callable[[], FloatMatrix]) -> None:
        self._results = results
        self._slug = slug
        self._vectors = vectors
        self._held: dict[int, KnnGraph] = {}
        self._locks = {size: threading.Lock() for size in GRAPH_SIZES}

    def of(self, n_neighbors: int) -> KnnGraph:
        """A graph holding at least ``n_neighbors`` neighbours per row (or every other row
        of a smaller dataset): exact, or approximate on large datasets (``analysis.ann``).

        Raises:
            InputError: More neighbours than the largest size.
        """
        size = next((size for size in GRAPH_SIZES if size >= n_neighbors), None)
        if size is None:
            raise InputError(f"A graph holds at most {GRAPH_SIZES[-1]} neighbours per row.")
        if (held := self._held.get(size)) is not None:
            return held
        with self._locks[size]:  # a map in the background and a page may ask at once
            if size not in self._held:
                self._held[size] = self._results.load_or_compute(
                    f"knn/{self._slug}-n{size}.npz",
                    KnnGraph,
                    lambda: neighbor_graph(self._vectors(), size),
                )
            return self._held[size]
