"""The datasets of a workspace: their records, who owns and sees them, and how long they stay.

Layout under the workspace folder (``$EMBEDDING_SPACE_HOME``, else ``~/.cache/embedding-space``)::

    embeddings.sqlite3                per-text cache, one scope per owner (embed/cache.py)
    secret.key                        signs the keys of anonymous owners (owners.py)
    datasets/<id>/manifest.json       name, owner, rows, text column, source, expiry
    datasets/<id>/table.parquet       the rows as loaded; row ids are the row positions
    datasets/<id>/embeddings/, knn/, projections/   results (see workspace.py)
    owners/<owner>/results/<id>/      results one person computed for a dataset not theirs
    trash/<id>-<token>/               a dataset being deleted (see ``DatasetStore.delete``)

The manifest is written last, so a dataset without one is unfinished and never listed; every
write is atomic (:mod:`~embedding_space.store.artifacts`). A delete first renames the dataset's
folders into ``trash/`` (one atomic step each), then removes them; a delete cut short leaves
only trash, which the next start removes. A manifest that cannot be read is listed as damaged
(:meth:`DatasetStore.damaged`), never hidden.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from embedding_space.embed.cache import EmbeddingCache
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.io.columns import texts_of
from embedding_space.io.images import PreparedImage
from embedding_space.store.artifacts import table_to_parquet, write_bytes, write_json
from embedding_space.store.embedding_files import CUSTOM_VECTORS, embedding_file, write_embeddings
from embedding_space.store.images import DatasetImages, images_parquet, write_images
from embedding_space.store.manifest import DatasetInfo, parse_manifest
from embedding_space.store.owners import (
    ANONYMOUS_PREFIX,
    Limits,
    SessionKeys,
    cache_scope,
    is_person,
    owner_slug,
)
from embedding_space.store.recovery import (
    DamagedDataset,
    damaged_datasets,
    move_to_trash,
    own_text_hashes,
    read_table,
    sweep_trash,
)
from embedding_space.types import FloatMatrix

__all__ = [
    "CUSTOM_VECTORS",
    "MAX_NAME_CHARS",
    "DamagedDataset",
    "DatasetInfo",
    "DatasetStore",
    "default_home",
    "embedding_file",
]

_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_NAME_CHARS = 120


def default_home() -> Path:
    """The workspace folder: ``$EMBEDDING_SPACE_HOME`` or ``~/.cache/embedding-space``."""
    configured = os.environ.get("EMBEDDING_SPACE_HOME")
    return (
        Path(configured).expanduser() if configured else Path.home() / ".cache" / "embedding-space"
    )


def _now() -> datetime:
    return datetime.now(UTC)


class DatasetStore:
    """Datasets in one folder, with their owners' limits.

    Args:
        root: The workspace folder; :func:`default_home` when ``None``.
        limits: Per-owner ceilings on a shared server; from the environment when ``None``.
    """

    def __init__(self, root: str | Path | None = None, limits: Limits | None = None) -> None:
        self.root = Path(root) if root is not None else default_home()
        self.datasets_dir = self.root / "datasets"
        self.datasets_dir.mkdir(parents=True, exist_ok=True)
        self.cache = EmbeddingCache(self.root)
        self.limits = limits or Limits.from_environment()
        self.keys = SessionKeys(self.root)
        self.trash_dir = self.root / "trash"
        sweep_trash(self.trash_dir, self.cache)  # deletes a crash cut short

    def _folder(self, dataset_id: str) -> Path:
        if not _ID_PATTERN.match(dataset_id):
            raise InputError(f"'{dataset_id}' is not a valid dataset id.")
        return self.datasets_dir / dataset_id

    def _owner_folder(self, owner: str) -> Path:
        return self.root / "owners" / owner_slug(owner)

    def create_dataset(
        self,
        frame: pd.DataFrame,
        text_column: str,
        name: str,
        *,
        owner: str | None = None,
        shared: bool = False,
        source: dict[str, object] | None = None,
        dataset_id: str | None = None,
        vectors: FloatMatrix | None = None,
        query_model: str | None = None,
        images: Sequence[PreparedImage] | None = None,
    ) -> DatasetInfo:
        """Store a table (and optionally vectors or images that came with it) as a new dataset.

        Args:
            frame: The rows; the index is dropped, row ids are positions ``0..n-1``.
            text_column: A column of ``frame`` holding text.
            name: Display name.
            owner: The creating user or session; ``None`` for a shared dataset.
            shared: Visible to everyone.
            source: How it was loaded, kept for display.
            dataset_id: A fixed id (for the demo); a random unguessable id when ``None``.
            vectors: Array of shape ``(n, d)`` uploaded with the table.
            query_model: The model that made ``vectors``, if known.
            images: One image per row (see :mod:`~embedding_space.io.images`).

        Returns:
            The new dataset's info.

        Raises:
            InputError: No rows, the text column is missing, vectors or images do not match
                the rows, or the owner has reached their limit of datasets or disk.
        """
        if len(frame) == 0:
            raise InputError("The dataset has no rows; add at least one text.")
        if text_column not in frame.columns:
            raise InputError(
                f"There is no column '{text_column}'. Pick one of: "
                f"{', '.join(map(str, frame.columns))}."
            )
        for count, what in (
            (None if vectors is None else len(vectors), "vectors"),
            (None if images is None else len(images), "images"),
        ):
            if count is not None and count != len(frame):
                raise InputError(
                    f"There are {count} {what} for {len(frame)} rows; they must match."
                )
        self.purge_expired()
        dataset_id = dataset_id or secrets.token_urlsafe(12)
        folder = self._folder(dataset_id)
        table = frame.reset_index(drop=True)
        table.columns = [str(column) for column in table.columns]
        table[text_column] = table[text_column].astype("string").fillna("")
        parquet = table_to_parquet(table)
        pictures = images_parquet(images) if images is not None else b""
        incoming = len(parquet) + len(pictures) + (0 if vectors is None else int(vectors.nbytes))
        self.check_room(owner, adding_bytes=incoming, adding_dataset=True)
        created = _now()
        expires = None
        if owner is not None and owner.startswith(ANONYMOUS_PREFIX) and self.limits.expire_days:
            expires = (created + timedelta(days=self.limits.expire_days)).isoformat(
                timespec="seconds"
            )
        info = DatasetInfo(
            id=dataset_id,
            name=name.strip()[:MAX_NAME_CHARS] or "Untitled dataset",
            rows=len(table),
            text_column=text_column,
            columns=list(table.columns),
            created=created.isoformat(timespec="seconds"),
            owner=owner,
            shared=shared or owner is None,
            source=dict(source or {}),
            vectors_model=CUSTOM_VECTORS if vectors is not None else None,
            query_model=query_model if vectors is not None else None,
            expires=expires,
            images=images is not None,
        )
        try:
            write_bytes(folder / "table.parquet", parquet)
            if images is not None:
                write_images(folder, pictures)
            if vectors is not None:
                write_embeddings(
                    embedding_file(folder, CUSTOM_VECTORS),
                    CUSTOM_VECTORS,
                    np.asarray(vectors, np.float32),
                )
            # The manifest goes last: a dataset without one is unfinished and is not listed.
            write_json(folder / "manifest.json", asdict(info))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return info

    def get(self, dataset_id: str) -> DatasetInfo:
        """Read one dataset's info.

        Raises:
            InputError: No such dataset.
        """
        manifest = self._folder(dataset_id) / "manifest.json"
        try:
            text = manifest.read_text()
        except FileNotFoundError:
            raise InputError(f"There is no dataset with id '{dataset_id}'.") from None
        info, reason = parse_manifest(text)
        if info is None:  # a damaged one is listed by ``damaged``, with a way to remove it
            raise DamagedFileError(manifest, "dataset description", reason, recomputable=False)
        return info

    def exists(self, dataset_id: str) -> bool:
        """Whether a complete dataset with this id is stored."""
        return (
            _ID_PATTERN.match(dataset_id) is not None
            and (self.datasets_dir / dataset_id / "manifest.json").is_file()
        )

    def _all(self) -> Iterator[DatasetInfo]:
        for manifest in self.datasets_dir.glob("*/manifest.json"):
            try:
                info, _ = parse_manifest(manifest.read_text())
            except OSError:
                continue
            if info is not None:
                yield info

    def damaged(self, viewer: str | None = None) -> list[DamagedDataset]:
        """The dataset folders whose manifest cannot be read (see ``store.recovery``)."""
        return damaged_datasets(self.datasets_dir, lambda text: parse_manifest(text)[1], viewer)

    def remove_damaged(self, dataset_id: str, *, user: str | None = None) -> None:
        """Remove a dataset whose manifest is damaged (see :meth:`damaged`).

        Raises:
            InputError: No such damaged dataset, or ``user`` cannot be told to own it.
        """
        if dataset_id not in {entry.id for entry in self.damaged(user)}:
            raise InputError(f"There is no damaged dataset '{dataset_id}' you can remove.")
        self._throw_away(dataset_id, forget=None)

    def list_datasets(self, viewer: str | None = None) -> list[DatasetInfo]:
        """Datasets ``viewer`` may see (shared ones and their own), newest first.

        Args:
            viewer: A user or session id; ``None`` sees every dataset (a single-user machine).
        """
        found = [
            info for info in self._all() if viewer is None or info.shared or info.owner == viewer
        ]
        return sorted(found, key=lambda info: info.created, reverse=True)

    def size_bytes(self, dataset_id: str) -> int:
        """Disk space the dataset's folder takes."""
        return _folder_bytes(self._folder(dataset_id))

    def owner_bytes(self, owner: str) -> int:
        """Disk space one owner's datasets and results take."""
        own = sum(self.size_bytes(info.id) for info in self._all() if info.owner == owner)
        return own + _folder_bytes(self._owner_folder(owner))

    def check_room(
        self, owner: str | None, *, adding_bytes: int = 0, adding_dataset: bool = False
    ) -> None:
        """Refuse what would take an owner past their limits (only people on a shared server
        have limits).

        Raises:
            InputError: Too many datasets, or too many bytes; the message says how many.
        """
        if owner is None or not is_person(owner):
            return
        limits = self.limits
        if adding_dataset:
            count = sum(1 for info in self._all() if info.owner == owner)
            if count >= limits.max_datasets:
                raise InputError(
                    f"You have {count} datasets, the most this server keeps for one person. "
                    "Delete one in the Workspace tab to add another."
                )
        used = self.owner_bytes(owner)
        if used + adding_bytes > limits.max_megabytes * 1e6:
            raise InputError(
                f"This would take your workspace past {limits.max_megabytes:g} MB (it holds "
                f"{used / 1e6:,.1f} MB). Delete a dataset in the Workspace tab, or load fewer rows."
            )

    def _check_owner(self, info: DatasetInfo, user: str | None) -> None:
        if user is not None and info.owner != user:
            raise InputError(f"Only the owner of '{info.name}' can change or delete it.")

    def rename(self, dataset_id: str, name: str, *, user: str | None = None) -> DatasetInfo:
        """Give a dataset a new display name.

        Raises:
            InputError: Empty name, no such dataset, or ``user`` does not own it.
        """
        if not name.strip():
            raise InputError("A dataset name cannot be empty.")
        if len(name.strip()) > MAX_NAME_CHARS:
            raise InputError(f"A dataset name can have at most {MAX_NAME_CHARS} characters.")
        info = self.get(dataset_id)
        self._check_owner(info, user)
        return self._update(info, name=name.strip())

    def set_shared(self, dataset_id: str, shared: bool, *, user: str | None = None) -> DatasetInfo:
        """Let everyone on this server see a dataset (or only its owner again).

        Raises:
            InputError: No such dataset, or ``user`` does not own it.
        """
        info = self.get(dataset_id)
        self._check_owner(info, user)
        return self._update(info, shared=shared)

    def _update(self, info: DatasetInfo, **changes: object) -> DatasetInfo:
        updated = DatasetInfo(**{**asdict(info), **changes})
        write_json(self._folder(info.id) / "manifest.json", asdict(updated))
        return updated

    def delete(self, dataset_id: str, *, user: str | None = None) -> None:
        """Remove a dataset, everything computed from it, and the cached vectors of the texts
        no other dataset of its owner holds.

        Raises:
            InputError: No such dataset, or ``user`` does not own it.
        """
        info = self.get(dataset_id)
        self._check_owner(info, user)
        scope = cache_scope(info.owner)
        others = [o.id for o in self._all() if o.id != dataset_id and cache_scope(o.owner) == scope]
        hashes = own_text_hashes(self.texts, dataset_id, others)
        self._throw_away(dataset_id, forget={"scope": scope, "hashes": hashes})

    def _throw_away(self, dataset_id: str, forget: dict[str, object] | None) -> None:
        """Move a dataset's folders into the trash, then empty it (see ``store.recovery``)."""
        results = sorted((self.root / "owners").glob(f"*/results/{dataset_id}"))
        move_to_trash(self.trash_dir, dataset_id, [self._folder(dataset_id), *results], forget)
        sweep_trash(self.trash_dir, self.cache)

    def purge_expired(self) -> list[str]:
        """Delete the datasets whose expiry has passed; return their ids."""
        now = _now().isoformat(timespec="seconds")
        expired = [info.id for info in self._all() if info.expires and info.expires <= now]
        for dataset_id in expired:
            self.delete(dataset_id)
        return expired

    def load_table(self, dataset_id: str) -> pd.DataFrame:
        """The dataset's rows; row ids are positions.

        Raises:
            DamagedFileError: ``table.parquet`` is missing, cut off, or not a table.
        """
        return read_table(self._folder(dataset_id) / "table.parquet")

    def images(self, dataset_id: str) -> DatasetImages | None:
        """The dataset's images, or ``None`` for a dataset of texts alone."""
        return DatasetImages(self._folder(dataset_id)) if self.get(dataset_id).images else None

    def texts(self, dataset_id: str) -> list[str]:
        """The dataset's texts in row order.

        Raises:
            DamagedFileError: ``table.parquet`` is missing, cut off, or not a table.
        """
        info = self.get(dataset_id)
        frame = read_table(self._folder(dataset_id) / "table.parquet", [info.text_column])
        return texts_of(frame, info.text_column)


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
