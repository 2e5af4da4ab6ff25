"""``add``: a batch of rows appended to an embedded file, embedded with the file's model, its
map kept in place for the old rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from embedding_space.embed import Embedder
from tests.helpers import Run, run_cli, topics_frame

PARAPHRASES = {
    "Jupiter is the biggest planet of our solar system.": 20,
    "My bank card got declined at the ATM this morning.": 31,
}


@pytest.fixture(scope="module")
def projected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 36 topic texts, embedded and mapped with PCA."""
    folder = tmp_path_factory.mktemp("add")
    topics_frame()[:36].to_csv(folder / "topics.csv", index=False)
    assert _cli("embed", folder / "topics.csv", "-o", folder / "e.parquet").returncode == 0
    run = _cli("project", folder / "e.parquet", "-o", folder / "p.parquet", "--method", "pca")
    assert run.returncode == 0, run.stderr
    return folder / "p.parquet"


def _cli(*args: object) -> Run:
    return run_cli(*(str(arg) for arg in args))


def _metadata(path: Path) -> dict[str, object]:
    return dict(json.loads(pq.read_schema(path).metadata[b"embedding_space"]))


def test_add_appends_embedded_rows_and_keeps_the_old_points(
    projected: Path, tmp_path: Path, embedder: Embedder
) -> None:
    more = pd.DataFrame({"text": list(PARAPHRASES), "source": ["forum", "mail"]})
    more.to_csv(tmp_path / "more.csv", index=False)
    output = tmp_path / "grown.parquet"
    run = _cli(
        "add",
        projected,
        tmp_path / "more.csv",
        "--output",
        output,
        "--batch",
        "replies",
    )
    assert run.returncode == 0, run.stderr
    assert "Added 2 row(s) as 'replies'" in run.stderr and "PCA axes" in run.stderr
    before, after = pd.read_parquet(projected), pd.read_parquet(output)
    assert len(after) == 38
    np.testing.assert_array_equal(after[["x", "y"]].to_numpy()[:36], before[["x", "y"]].to_numpy())
    assert after["batch"].tolist() == ["batch 1"] * 36 + ["replies"] * 2
    assert after["topic"][36:].isna().all() and after["source"][:36].isna().all()
    vectors = np.stack(after["embedding"].tolist())
    np.testing.assert_allclose(vectors[36:], embedder.encode(list(PARAPHRASES)), atol=2e-2)
    np.testing.assert_array_equal(vectors[:36], np.stack(before["embedding"].tolist()))
    points = after[["x", "y"]].to_numpy()
    for offset, original in enumerate(PARAPHRASES.values()):
        distances = np.linalg.norm(points[:36] - points[36 + offset], axis=1)
        assert distances[original] < np.median(distances) / 2
    metadata = _metadata(output)
    batches = metadata["batches"]
    assert isinstance(batches, list)
    assert [(b["name"], b["rows"]) for b in batches] == [("batch 1", 36), ("replies", 2)]
    assert metadata["projection_fitted"] == 36


def test_a_second_add_counts_the_rows_the_first_placed(projected: Path, tmp_path: Path) -> None:
    topics_frame()[36:38].to_csv(tmp_path / "first.csv", index=False)
    topics_frame()[38:].to_csv(tmp_path / "second.csv", index=False)
    once = tmp_path / "one.parquet"
    assert _cli("add", projected, tmp_path / "first.csv", "-o", once).returncode == 0
    run = _cli("add", once, tmp_path / "second.csv", "-o", tmp_path / "two.parquet")
    assert run.returncode == 0, run.stderr
    # 4 of 40 rows placed: below the 20 % that suggests a refit.
    assert "10% of its rows are placed" in run.stderr and "recompute" not in run.stderr
    grown = pd.read_parquet(tmp_path / "two.parquet")
    assert grown["batch"].tolist()[34:] == ["batch 1"] * 2 + ["batch 2"] * 2 + ["batch 3"] * 2


def test_add_refuses_bad_input_in_one_line(projected: Path, tmp_path: Path) -> None:
    pd.DataFrame({"body": ["hello"]}).to_csv(tmp_path / "other.csv", index=False)
    run = _cli("add", projected, tmp_path / "other.csv", "-o", tmp_path / "x.parquet")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "text" in run.stderr
    topics_frame()[36:].to_csv(tmp_path / "more.csv", index=False)
    run = _cli(
        "add",
        projected,
        tmp_path / "more.csv",
        "-o",
        tmp_path / "x.parquet",
        "--batch",
        "batch 1",
    )
    assert run.returncode == 2 and "already" in run.stderr and run.stderr.count("\n") == 1
    run = _cli(
        "add",
        tmp_path / "more.csv",
        tmp_path / "more.csv",
        "-o",
        tmp_path / "x.parquet",
    )
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert not (tmp_path / "x.parquet").exists()
