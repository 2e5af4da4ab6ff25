"""What the store does about faults: files read back that turn out damaged, manifests that
cannot be read, and deletes cut short.

A delete renames the dataset's folders into ``<workspace>/trash/<id>-<token>/`` first (one
atomic rename each, on the same disk), with a note of the cached vectors to forget, and only
then removes them; a process killed meanwhile leaves only trash, which :func:`sweep_trash`
removes at the next start. Nothing half-deleted is ever listed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from embedding_space.embed.cache import EmbeddingCache, hash_text
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.store.artifacts import write_json

__all__ = [
    "DamagedDataset",
    "damaged_datasets",
    "damaged_entry",
    "discard_damaged",
    "manifest_values",
    "move_to_trash",
    "own_text_hashes",
    "read_table",
    "sweep_trash",
]

_FORGET = "forget-cached-vectors.json"
"""In a trash folder: the cached vectors to remove with it (``scope`` and text ``hashes``)."""

_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "id": str,
    "name": str,
    "rows": int,
    "text_column": str,
    "columns": list,
    "created": str,
}


@dataclass(frozen=True)
class DamagedDataset:
    """A dataset folder whose manifest cannot be read: listed so it can be removed.

    Attributes:
        id: Its folder's name (the dataset id).
        name: Its name, when that much of the manifest could be read; else ``None``.
        owner: Its owner, when that much could be read; else ``None``.
        reason: What is wrong, a sentence.
    """

    id: str
    name: str | None
    owner: str | None
    reason: str


def read_table(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A dataset's ``table.parquet``.

    Raises:
        DamagedFileError: Missing, cut off, or not a table.
    """
    from pyarrow import ArrowException

    try:
        return pd.read_parquet(path, columns=columns)
    except FileNotFoundError:
        raise DamagedFileError(path, "table", "it is missing", recomputable=False) from None
    except (OSError, ArrowException, ValueError, KeyError, TypeError) as error:
        said = str(error)
        if "magic byte" in said or "Parquet file size is" in said:
            reason = "it is cut off: it does not end as a Parquet file does"
        else:  # said names the server's folders: the kind of failure is enough
            reason = f"it is not a Parquet table that can be read ({type(error).__name__})"
        raise DamagedFileError(path, "table", reason, recomputable=False) from None


def manifest_values(text: str) -> tuple[dict[str, Any] | None, str]:
    """A manifest's fields, or ``None`` and why they cannot be trusted."""
    try:
        values = json.loads(text)
    except ValueError:
        return None, "it is not valid JSON"
    if not isinstance(values, dict):
        return None, "it is not a description of a dataset"
    for name, kind in _FIELD_TYPES.items():
        if not isinstance(values.get(name), kind) or isinstance(values.get(name), bool):
            return None, f"its field '{name}' is missing or has the wrong type"
    return values, ""


def damaged_entry(manifest: Path, problem: Callable[[str], str]) -> DamagedDataset | None:
    """The listing of a dataset whose manifest ``problem`` finds fault with (``""`` when
    sound), with the name and owner where they can still be read; ``None`` when sound."""
    try:
        text = manifest.read_text()
    except (OSError, UnicodeDecodeError) as error:
        text, reason = "", f"it cannot be read ({type(error).__name__})"
    else:
        reason = problem(text)
    if not reason:
        return None
    try:
        values = json.loads(text)
    except ValueError:
        values = {}
    partial = values if isinstance(values, dict) else {}
    name, owner = partial.get("name"), partial.get("owner")
    return DamagedDataset(
        id=manifest.parent.name,
        name=name if isinstance(name, str) else None,
        owner=owner if isinstance(owner, str) else None,
        reason=f"Its description (manifest.json) is damaged: {reason}.",
    )


def damaged_datasets(
    datasets_dir: Path, problem: Callable[[str], str], viewer: str | None
) -> list[DamagedDataset]:
    """The dataset folders whose manifest ``problem`` finds fault with, by folder name: a
    person sees those whose owner can still be read as theirs; ``viewer=None`` sees all."""
    found = []
    for manifest in sorted(datasets_dir.glob("*/manifest.json")):
        entry = damaged_entry(manifest, problem)
        if entry is not None and (viewer is None or entry.owner == viewer):
            found.append(entry)
    return found


def discard_damaged(root: Path, error: DamagedFileError) -> None:
    """Remove a damaged file that is computed from the table (and what is stored beside it),
    so it is computed again when next asked for.

    Raises:
        InputError: The file cannot be computed again, or is not in the workspace ``root``.
    """
    path = error.path.resolve()
    if not error.recomputable or not path.is_relative_to(root.resolve()):
        raise InputError("This file cannot be computed again; remove the dataset instead.")
    for kept in (path, path.with_suffix(".json"), path.with_suffix(".fit.npz")):
        kept.unlink(missing_ok=True)


def own_text_hashes(
    texts: Callable[[str], list[str]], dataset_id: str, others: list[str]
) -> list[str]:
    """The hashes of a dataset's texts that none of ``others`` (datasets sharing its cache
    scope) holds: the cached vectors that go with it. None when its table is damaged (the
    vectors then stay: they are only a cache)."""
    try:
        hashes = {hash_text(text) for text in texts(dataset_id)}
    except DamagedFileError:
        return []
    for other in others:
        if not hashes:
            break
        try:
            hashes -= {hash_text(text) for text in texts(other)}
        except DamagedFileError:
            continue
    return sorted(hashes)


def move_to_trash(
    trash_dir: Path, dataset_id: str, folders: list[Path], forget: dict[str, object] | None
) -> Path:
    """Rename ``folders`` (the dataset's own first) into a new trash folder, after a note of
    the cached vectors to ``forget`` with them; return the trash folder. The first rename
    takes the dataset out of every listing at once."""
    trash_dir.mkdir(parents=True, exist_ok=True)
    trash = Path(tempfile.mkdtemp(dir=trash_dir, prefix=f"{dataset_id}-"))
    if forget is not None:
        write_json(trash / _FORGET, forget)
    for number, folder in enumerate(folders):
        if folder.exists():
            folder.rename(trash / f"{number}-{folder.name}")
    return trash


def sweep_trash(trash_dir: Path, cache: EmbeddingCache) -> None:
    """Finish every delete cut short: forget the cached vectors its note names, then remove
    its files. A folder another process is removing meanwhile is left to it."""
    if not trash_dir.is_dir():
        return
    for trash in sorted(trash_dir.iterdir()):
        note = trash / _FORGET
        try:
            forget = json.loads(note.read_text()) if note.is_file() else None
        except (OSError, ValueError):
            forget = None
        if isinstance(forget, dict) and forget.get("hashes"):
            cache.forget([str(h) for h in forget["hashes"]], scope=str(forget["scope"]))
        note.unlink(missing_ok=True)
        shutil.rmtree(trash, ignore_errors=True)
