"""Faults in the store with real files: a delete cut short, a truncated table or embeddings
file, a manifest written over with garbage, and a disk with no room."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.embed.cache import hash_text
from embedding_space.errors import DamagedFileError, DiskFullError
from embedding_space.store import recovery
from embedding_space.store.datasets import embedding_file
from embedding_space.store.owners import cache_scope
from embedding_space.store.workspace import Workspace
from tests.helpers import CountingEmbedder, sqlite_without_room

TEXTS = [f"{topic} number {i}" for i, topic in enumerate(["card declined", "rain", "pizza"] * 8)]


def _dataset(store: Workspace, name: str = "topics", texts: list[str] = TEXTS) -> str:
    return store.create_dataset(pd.DataFrame({"text": texts}), "text", name).id


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_a_delete_cut_short_leaves_only_trash_that_the_next_start_removes(
    tmp_path: Path, counting_embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Workspace(tmp_path)
    kept = _dataset(store, "kept", TEXTS[:4])
    doomed = _dataset(store, "doomed")
    store.embeddings(doomed, counting_embedder)
    store.embeddings(kept, counting_embedder)
    scope = cache_scope(None)
    assert store.cache.count(scope=scope) == len(TEXTS)
    real_rmtree = shutil.rmtree

    def killed_half_way(path: Path, ignore_errors: bool = False) -> None:
        # Removes some of the files, then the process "dies".
        files = _files(Path(path))
        for file in files[: len(files) // 2]:
            file.unlink()
        raise KeyboardInterrupt("killed mid-delete")

    monkeypatch.setattr(shutil, "rmtree", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        store.delete(doomed)
    monkeypatch.setattr(shutil, "rmtree", real_rmtree)
    # Cut short: the dataset is already out of every listing, its files are all in the trash.
    assert [info.id for info in store.list_datasets()] == [kept]
    assert not (tmp_path / "datasets" / doomed).exists()
    assert _files(tmp_path / "trash")
    assert store.damaged() == []

    Workspace(tmp_path)  # the next start
    assert not _files(tmp_path / "trash")
    # The doomed dataset's own cached vectors went with it; the kept one's texts stay.
    assert store.cache.count(scope=scope) == 4
    kept_text = [hash_text(TEXTS[0])]
    assert set(store.cache.get_many(counting_embedder.cache_key, kept_text, scope=scope))
    assert store.embeddings(kept, counting_embedder).shape == (4, 384)


def test_a_truncated_table_is_named_and_offers_only_removal(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    dataset_id = _dataset(store)
    table = tmp_path / "datasets" / dataset_id / "table.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    with pytest.raises(DamagedFileError) as caught:
        store.load_table(dataset_id)
    assert str(caught.value) == (
        f"The table file {dataset_id}/table.parquet is damaged and cannot be read (it is cut "
        "off: it does not end as a Parquet file does). Remove the dataset and add its file again."
    )
    assert not caught.value.recomputable
    # Removing it still works, though its texts cannot be read.
    store.delete(dataset_id)
    assert store.list_datasets() == []
    assert not (tmp_path / "datasets" / dataset_id).exists()


def test_truncated_embeddings_are_named_and_computed_again_from_the_table(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    store = Workspace(tmp_path)
    dataset_id = _dataset(store)
    store.embeddings(dataset_id, counting_embedder)
    npy = embedding_file(tmp_path / "datasets" / dataset_id, counting_embedder.cache_key)
    npy.write_bytes(npy.read_bytes()[:1000])
    space = store.space(dataset_id, counting_embedder.cache_key)
    with pytest.raises(DamagedFileError) as caught:
        _ = space.vectors
    message = str(caught.value)
    assert message.startswith(f"The embeddings file {dataset_id}/embeddings/{npy.name} is damaged")
    assert message.endswith("Compute it again from the table, or remove the dataset.")
    assert caught.value.recomputable
    recovery.discard_damaged(tmp_path, caught.value)
    assert not npy.exists()
    again = store.embeddings(dataset_id, counting_embedder)
    assert again.shape == (len(TEXTS), 384)
    assert store.space(dataset_id, counting_embedder.cache_key).vectors.shape == again.shape


def test_a_garbage_manifest_is_listed_as_damaged_and_can_be_removed(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    good = _dataset(store, "good")
    bad = _dataset(store, "bad one")
    (tmp_path / "datasets" / bad / "manifest.json").write_bytes(b"\x00garbage{{")
    assert [info.id for info in store.list_datasets()] == [good]
    [damaged] = store.damaged()
    assert damaged.id == bad
    assert damaged.reason == "Its description (manifest.json) is damaged: it is not valid JSON."
    with pytest.raises(DamagedFileError, match=r"manifest\.json is damaged"):
        store.get(bad)
    # A person on a shared server sees only damaged datasets still readable as theirs.
    assert store.damaged("anon:someone") == []
    store.remove_damaged(bad)
    assert store.damaged() == []
    assert not (tmp_path / "datasets" / bad).exists()
    assert [info.id for info in store.list_datasets()] == [good]


def test_a_manifest_with_a_wrong_field_keeps_its_readable_name(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    dataset_id = _dataset(store, "renamed by hand")
    manifest = tmp_path / "datasets" / dataset_id / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"rows": 24', '"rows": "many"'))
    [damaged] = store.damaged()
    assert (damaged.id, damaged.name) == (dataset_id, "renamed by hand")
    assert "its field 'rows' is missing or has the wrong type" in damaged.reason


def test_a_full_disk_while_adding_a_dataset_is_a_sentence_and_keeps_what_was_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Workspace(tmp_path)
    before = _dataset(store, "before")

    def no_room(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_room)
    with pytest.raises(DiskFullError) as caught:
        _dataset(store, "after")
    assert str(caught.value).startswith(
        "The disk is full: the file table.parquet could not be saved, and nothing was lost"
    )
    monkeypatch.undo()
    assert [info.id for info in store.list_datasets()] == [before]
    assert store.load_table(before)["text"].tolist() == TEXTS
    assert [path.name for path in (tmp_path / "datasets").iterdir()] == [before]


def test_a_full_disk_while_caching_vectors_is_a_sentence(
    tmp_path: Path, counting_embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Workspace(tmp_path)
    dataset_id = _dataset(store)
    sqlite_without_room(monkeypatch)
    with pytest.raises(DiskFullError) as caught:
        store.embeddings(dataset_id, counting_embedder)
    assert str(caught.value).startswith(
        "The disk is full: the computed vectors (the cache of embeddings) could not be saved"
    )
    monkeypatch.undo()
    assert store.cache.count(scope=cache_scope(None)) == 0
    assert store.embeddings(dataset_id, counting_embedder).shape == (len(TEXTS), 384)
