"""The datasets of a shared server as each person holds them: an expired dataset is never
listed, and a person's bytes are everything of theirs on disk, their scope of the embedding
cache included (see :mod:`~embedding_space.store.owners`)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from embedding_space.errors import InputError
from embedding_space.store.datasets import DatasetInfo, DatasetStore
from embedding_space.store.owners import cache_scope, has_expired, is_person

__all__ = ["OwnedStore"]


class OwnedStore(DatasetStore):
    """:class:`DatasetStore` with expiry enforced on every listing and quotas that count the
    cache."""

    def list_datasets(self, viewer: str | None = None) -> list[DatasetInfo]:
        """Datasets ``viewer`` may see (shared ones and their own), newest first; an expired
        one is never listed, and is deleted as it is found (see :meth:`purge_expired`).

        Args:
            viewer: A user or session id; ``None`` sees every dataset (a single-user machine).
        """
        now = datetime.now(UTC)
        listed = []
        for info in super().list_datasets(viewer):
            if not has_expired(info.expires, now):
                listed.append(info)
                continue
            # Another session may be deleting it at this moment: gone either way.
            with contextlib.suppress(InputError, OSError):
                self.delete(info.id)
        return listed

    def owner_bytes(self, owner: str) -> int:
        """Disk space everything of one owner takes: their datasets with every result in
        their folders, their results on datasets of others, and their scope of the
        embedding cache."""
        cached = self.cache.scope_bytes(cache_scope(owner)) if is_person(owner) else 0
        return super().owner_bytes(owner) + cached
