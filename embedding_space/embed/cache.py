"""A disk cache of embeddings, keyed by scope, model and the hash of each text.

SQLite holds it: each batch is written in one transaction, so a process killed mid-run leaves
every completed batch in place and never a half-written row, and several processes (the CLI and
the app) can read and write the same cache at once.

A *scope* keeps one owner's texts apart from another's on a shared server: a lookup only ever
sees vectors stored in its own scope, so a cache hit (a progress bar that starts at "30 of
1,000", an embedding that is suspiciously quick) tells nobody what someone else uploaded. The
empty scope is for one user alone, and for datasets everyone may see.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedding_space.errors import disk_full, is_disk_full

__all__ = ["SHARED_SCOPE", "EmbeddingCache", "hash_text"]

SHARED_SCOPE = ""
"""The scope of a single-user machine, and of datasets everyone can see."""
_SQLITE_MAX_PARAMS = 900


def hash_text(text: str) -> str:
    """Return the cache key of one text: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _chunks(items: Sequence[str], size: int = _SQLITE_MAX_PARAMS) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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
                "CREATE TABLE IF NOT EXISTS vectors ("
                " scope TEXT NOT NULL, model TEXT NOT NULL, text_hash TEXT NOT NULL,"
                " vector BLOB NOT NULL, PRIMARY KEY (scope, model, text_hash)) WITHOUT ROWID"
            )
            # Caches written before scopes existed held one user's texts: the shared scope.
            old = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'embedding'"
            ).fetchone()
            if old is not None:
                connection.execute(
                    "INSERT OR IGNORE INTO vectors"
                    " SELECT ?, model, text_hash, vector FROM embedding",
                    (SHARED_SCOPE,),
                )
                connection.execute("DROP TABLE embedding")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short-lived connection per call keeps the cache safe to share between threads.
        try:
            connection = sqlite3.connect(self.path, timeout=30.0)
            try:
                with connection:  # commits on success, rolls back on error
                    yield connection
            finally:
                connection.close()
        except (OSError, sqlite3.OperationalError) as error:
            # The transaction was rolled back: the cache holds what it held before.
            if is_disk_full(error):
                raise disk_full("the computed vectors (the cache of embeddings)") from error
            raise

    def get_many(
        self, model: str, text_hashes: Sequence[str], *, scope: str = SHARED_SCOPE
    ) -> dict[str, npt.NDArray[np.float32]]:
        """Look up stored vectors.

        Args:
            model: The model key (see :attr:`embedding_space.embed.base.Embedder.cache_key`).
            text_hashes: Hashes from :func:`hash_text`.
            scope: Whose vectors; only this scope's are seen.

        Returns:
            The vectors found, each of shape ``(d,)``, by hash; missing hashes are absent.
        """
        found: dict[str, npt.NDArray[np.float32]] = {}
        with self._connect() as connection:
            for chunk in _chunks(list(dict.fromkeys(text_hashes))):
                marks = ",".join("?" * len(chunk))
                query = (
                    "SELECT text_hash, vector FROM vectors"
                    f" WHERE scope = ? AND model = ? AND text_hash IN ({marks})"
                )
                for text_hash, blob in connection.execute(query, (scope, model, *chunk)):
                    found[text_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(
        self,
        model: str,
        text_hashes: Iterable[str],
        vectors: npt.NDArray[np.float32],
        *,
        scope: str = SHARED_SCOPE,
    ) -> None:
        """Store one batch of vectors in a single transaction.

        Args:
            model: The model key.
            text_hashes: One hash per row of ``vectors``.
            vectors: Array of shape ``(n, d)``.
            scope: Whose vectors.
        """
        rows = [
            (scope, model, text_hash, np.ascontiguousarray(vector, dtype=np.float32).tobytes())
            for text_hash, vector in zip(text_hashes, vectors, strict=True)
        ]
        with self._connect() as connection:
            connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def forget(self, text_hashes: Sequence[str], *, scope: str) -> int:
        """Remove the vectors of these texts from one scope, for every model.

        Returns:
            How many vectors were removed.
        """
        removed = 0
        with self._connect() as connection:
            for chunk in _chunks(list(dict.fromkeys(text_hashes))):
                marks = ",".join("?" * len(chunk))
                cursor = connection.execute(
                    f"DELETE FROM vectors WHERE scope = ? AND text_hash IN ({marks})",
                    (scope, *chunk),
                )
                removed += cursor.rowcount
        return removed

    def scope_bytes(self, scope: str) -> int:
        """Bytes one scope's rows hold (vectors, hashes and names; not SQLite's own
        bookkeeping): what an owner's quota counts of the cache."""
        with self._connect() as connection:
            row = connection.execute(
                "SELECT SUM(LENGTH(vector) + LENGTH(text_hash) + LENGTH(model) + LENGTH(scope))"
                " FROM vectors WHERE scope = ?",
                (scope,),
            ).fetchone()
        return int(row[0] or 0)

    def count(self, model: str | None = None, *, scope: str | None = None) -> int:
        """Return how many vectors are stored, for one model or all, in one scope or all."""
        where, values = [], []
        if model is not None:
            where.append("model = ?")
            values.append(model)
        if scope is not None:
            where.append("scope = ?")
            values.append(scope)
        query = "SELECT COUNT(*) FROM vectors" + (" WHERE " + " AND ".join(where) if where else "")
        with self._connect() as connection:
            row = connection.execute(query, values).fetchone()
        return int(row[0])
