"""Faults through the command line: a full disk, a truncated embeddings file and a garbage
manifest each exit 2 with one line that says what happened, never a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.store.workspace import Workspace
from tests.helpers import run_cli, sqlite_without_room


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace of this test's own, with the demo in it."""
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(tmp_path / "home"))
    assert run_cli("demo").returncode == 0
    return tmp_path / "home"


def _no_room(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _error_lines(stderr: str) -> list[str]:
    """The lines that report the error (notes such as the text column chosen come before)."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def _texts(tmp_path: Path) -> Path:
    source = tmp_path / "texts.txt"
    source.write_text("a cat on a mat\nrain in Spain\na pizza with cheese\n")
    return source


def test_a_full_disk_while_writing_the_output_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    monkeypatch.setattr(pq, "write_table", _no_room)
    out = tmp_path / "out.parquet"
    run = run_cli("embed", str(_texts(tmp_path)), "-o", str(out), "--model", "bow")
    assert run.returncode == 2
    assert _error_lines(run.stderr) == [
        "error: The disk is full: the file out.parquet could not be saved, and nothing was lost "
        "(what was stored before is unchanged). Free some space on the server, or delete a "
        "dataset in the Workspace tab, and try again."
    ]
    assert not out.exists()
    assert not (tmp_path / ".out.parquet.tmp").exists()


def test_a_full_disk_while_caching_vectors_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(tmp_path / "home"))
    sqlite_without_room(monkeypatch)
    run = run_cli("embed", str(_texts(tmp_path)), "-o", str(tmp_path / "out.parquet"))
    assert run.returncode == 2
    [line] = _error_lines(run.stderr)
    assert line.startswith(
        "error: The disk is full: the computed vectors (the cache of embeddings) could not be saved"
    )


def test_a_full_disk_while_adding_the_demo_exits_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(os, "fsync", _no_room)
    run = run_cli("demo")
    assert run.returncode == 2
    [line] = _error_lines(run.stderr)
    assert line.startswith("error: The disk is full: the file table.parquet could not be saved")
    monkeypatch.undo()
    assert Workspace(tmp_path / "home").list_datasets() == []


def test_truncated_demo_embeddings_exit_2_naming_the_file(home: Path) -> None:
    [npy] = (home / "datasets" / DEMO_DATASET_ID / "embeddings").glob("*.npy")
    npy.write_bytes(npy.read_bytes()[:5000])
    for projection in (home / "datasets" / DEMO_DATASET_ID / "projections").glob("*"):
        projection.unlink()  # the map must be computed, so the vectors are read
    run = run_cli("demo")
    assert run.returncode == 2
    assert _error_lines(run.stderr) == [
        f"error: The embeddings file {DEMO_DATASET_ID}/embeddings/{npy.name} is damaged and "
        "cannot be read (it is shorter than its header says: it was cut off). Compute it again "
        "from the table, or remove the dataset."
    ]


def test_a_garbage_demo_manifest_is_replaced_by_the_bundled_demo(home: Path) -> None:
    (home / "datasets" / DEMO_DATASET_ID / "manifest.json").write_text("][")
    run = run_cli("demo")
    assert run.returncode == 0, run.stderr
    assert [info.id for info in Workspace(home).list_datasets()] == [DEMO_DATASET_ID]
    assert Workspace(home).damaged() == []
