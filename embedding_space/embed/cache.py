"""A disk cache of embeddings, keyed by model and by the hash of each text.

SQLite holds it: each batch is written in one transaction, so a process killed mid-run leaves
every completed batch in place and never a half-written row, and several processes (the CLI and
the app) can read and write the same cache at once.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["EmbeddingCache", "hash_text"]

_SQLITE_MAX_PARAMS = 900


def hash_text(text: str) -> str:
    """Return the cache key of one text: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class EmbeddingCache:
    """Embeddings already computed, stored in ``<root>/embeddings.sqlite3``.

    Args:
        root: The folder that holds the cache file; created if missing.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = self.root / "embeddings.sqlite3"
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS embedding ("
                " model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
                " PRIMARY KEY (model, text_hash)) WITHOUT ROWID"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short-lived connection per call keeps the cache safe to share between threads.
        connection = sqlite3.connect(self.path, timeout=30.0)
        try:
            with connection:  # commits on success, rolls back on error
                yield connection
        finally:
            connection.close()

    def get_many(
        self, model: str, text_hashes: Sequence[str]
    ) -> dict[str, npt.NDArray[np.float32]]:
        """Look up stored vectors.

        Args:
            model: The model key (see :attr:`embedding_space.embed.base.Embedder.cache_key`).
            text_hashes: Hashes from :func:`hash_text`.

        Returns:
            The vectors found, each of shape ``(d,)``, by hash; missing hashes are absent.
        """
        found: dict[str, npt.NDArray[np.float32]] = {}
        unique = list(dict.fromkeys(text_hashes))
        with self._connect() as connection:
            for start in range(0, len(unique), _SQLITE_MAX_PARAMS):
                chunk = unique[start : start + _SQLITE_MAX_PARAMS]
                marks = ",".join("?" * len(chunk))
                query = (
                    "SELECT text_hash, vector FROM embedding"
                    f" WHERE model = ? AND text_hash IN ({marks})"
                )
                rows = connection.execute(query, (model, *chunk))
                for text_hash, blob in rows:
                    found[text_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(
        self,
        model: str,
        text_hashes: Iterable[str],
        vectors: npt.NDArray[np.float32],
    ) -> None:
        """Store one batch of vectors in a single transaction.

        Args:
            model: The model key.
            text_hashes: One hash per row of ``vectors``.
            vectors: Array of shape ``(n, d)``.
        """
        rows = [
            (model, text_hash, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for text_hash, vector in zip(text_hashes, vectors, strict=True)
        ]
        with self._connect() as connection:
            connection.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?)", rows)

    def count(self, model: str | None = None) -> int:
        """Return how many vectors are stored, for one model or for all."""
        with self._connect() as connection:
            if model is None:
                row = connection.execute("SELECT COUNT(*) FROM embedding").fetchone()
            else:
                row = connection.execute(
                    "SELECT COUNT(*) FROM embedding WHERE model = ?", (model,)
                ).fetchone()
        return int(row[0])
