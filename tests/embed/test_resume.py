"""Killing a process mid-embedding loses at most the batch in flight; reopening resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from embedding_space.embed import embed
from embedding_space.embed.cache import EmbeddingCache
from embedding_space.store.workspace import Workspace
from tests.helpers import ROOT, CountingEmbedder

# Enough batches of 16 that the process is surely still embedding when the test has seen six
# of them stored and kills it; few enough that resuming the rest stays quick.
TEXTS = [f"resume check sentence {i} about subject {i % 7} and detail {i % 13}" for i in range(600)]


def _start(script: str, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "EMBEDDING_SPACE_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", script], env=env, cwd=ROOT)


def _kill_after_some_batches(process: subprocess.Popen[bytes], cache: EmbeddingCache) -> int:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the embedding finished before it could be interrupted")
        if cache.path.exists() and cache.count() >= 96:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return cache.count()


def test_killed_workspace_embedding_is_listed_and_resumes(
    tmp_path: Path, counting_embedder: CountingEmbedder
) -> None:
    workspace = Workspace(tmp_path)

    info = workspace.create_dataset(pd.DataFrame({"text": TEXTS}), "text", "to be interrupted")
    script = (
        "from embedding_space.store.workspace import Workspace;"
        "from embedding_space.embed import load_embedder;"
        f"Workspace().embeddings({info.id!r}, load_embedder(), batch_size=16)"
    )
    kept = _kill_after_some_batches(_start(script, tmp_path), workspace.cache)
    assert 96 <= kept < len(TEXTS)
    with sqlite3.connect(workspace.cache.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)

    reopened = Workspace(tmp_path)
    assert [d.id for d in reopened.list_datasets()] == [info.id]
    assert not reopened.space(info.id, counting_embedder.cache_key).has_vectors()
    vectors = reopened.embeddings(info.id, counting_embedder)
    assert counting_embedder.texts_encoded == len(TEXTS) - kept
    assert vectors.shape == (len(TEXTS), 384)
    fresh = embed(TEXTS[:5], counting_embedder).vectors
    # The same vectors as a fresh run (bfloat16 rounding differs a little with the batch).
    assert ((vectors[:5] * fresh).sum(axis=1) > 0.9999).all()


def test_killed_cli_embed_leaves_no_partial_output(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("\n".join(TEXTS))
    output = tmp_path / "out.parquet"
    script = (
        "import sys; from embedding_space.cli import main;"
        f"sys.exit(main(['embed', {str(source)!r}, '-o', {str(output)!r}, '--batch-size', '16']))"
    )
    kept = _kill_after_some_batches(_start(script, tmp_path), EmbeddingCache(tmp_path))
    assert kept >= 96
    assert not output.exists()
