"""``python -m embedding_space``: each verb end to end, and the error exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    ("The cat sits on the mat", "animals"),
    ("A feline is resting on the rug", "animals"),
    ("My dog loves chasing the ball in the park", "animals"),
    ("The stock market fell sharply today", "finance"),
    ("Investors sold shares after the earnings report", "finance"),
    ("Interest rates were raised by the central bank", "finance"),
    ("I love eating pizza with extra cheese", "food"),
    ("My favourite dinner is a cheesy pizza", "food"),
    ("She baked fresh bread this morning", "food"),
    ("The football match ended in a draw", "sport"),
    ("The striker scored twice in the final", "sport"),
    ("The tennis player won the championship", "sport"),
]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "embedding_space", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd or ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    source = folder / "texts.csv"
    pd.DataFrame(SENTENCES, columns=["sentence", "topic"]).assign(id=range(12)).to_csv(
        source, index=False
    )
    output = folder / "embedded.parquet"
    result = run_cli("embed", str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert "Using column 'sentence'" in result.stderr
    return output


def test_embed_keeps_every_column_and_adds_unit_float32_vectors(embedded: Path) -> None:
    frame = pd.read_parquet(embedded)
    assert list(frame.columns) == ["sentence", "topic", "id", "embedding"]
    assert len(frame) == 12
    vectors = np.stack(frame["embedding"].to_list())
    assert vectors.shape == (12, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embed_reads_a_txt_file_one_text_per_line(tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("first line\n\nsecond line\nthird line\n")
    output = tmp_path / "out.parquet"
    result = run_cli("embed", str(source), "-o", str(output), "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    assert pd.read_parquet(output)["text"].to_list() == ["first line", "second line", "third line"]


@pytest.mark.parametrize(("method", "dims"), [("pca", 2), ("umap", 3), ("tsne", 2)])
def test_project_adds_coordinate_columns(
    embedded: Path, tmp_path: Path, method: str, dims: int
) -> None:
    output = tmp_path / "projected.parquet"
    result = run_cli(
        "project",
        str(embedded),
        "--output",
        str(output),
        "--method",
        method,
        "--dims",
        str(dims),
        "--seed",
        "1",
    )
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(output)
    axes = ["x", "y", "z"][:dims]
    assert set(axes) <= set(frame.columns)
    assert ("z" in frame.columns) == (dims == 3)
    assert frame[axes].notna().all().all()
    assert len(frame) == 12


def test_neighbors_of_a_row_are_json_lines_best_first(embedded: Path) -> None:
    result = run_cli("neighbors", str(embedded), "--row", "0", "-k", "3")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["rank"] for line in lines] == [1, 2, 3]
    assert set(lines[0]) == {"rank", "row", "score", "text"}
    assert lines[0]["text"] == "A feline is resting on the rug"
    assert all(line["row"] != 0 for line in lines)
    assert lines[0]["score"] >= lines[1]["score"] >= lines[2]["score"]


def test_neighbors_of_a_query_use_the_model_that_embedded_the_file(embedded: Path) -> None:
    result = run_cli(
        "neighbors", str(embedded), "--query", "a kitten sleeping on a carpet", "-k", "2"
    )
    assert result.returncode == 0, result.stderr
    texts = [json.loads(line)["text"] for line in result.stdout.splitlines()]
    assert set(texts) == {"The cat sits on the mat", "A feline is resting on the rug"}


def test_euclidean_neighbors_are_smallest_distance_first(embedded: Path) -> None:
    result = run_cli("neighbors", str(embedded), "--row", "3", "--metric", "euclidean", "-k", "4")
    scores = [json.loads(line)["score"] for line in result.stdout.splitlines()]
    assert scores == sorted(scores)


def test_inspect_prints_what_the_loader_sees(tmp_path: Path) -> None:
    source = tmp_path / "semi.csv"
    source.write_text("id;review\n1;Great product\n2;Terrible service\n")
    result = run_cli("inspect", str(source))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["delimiter"] == ";"
    assert seen["text_column"] == "review"
    assert seen["rows"] == 2
    assert seen["sample"] == ["Great product", "Terrible service"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["embed", "missing.csv", "--output", "out.parquet"], "missing.csv"),
        (["embed", "{csv}", "--output", "out.parquet", "--text-column", "nope"], "nope"),
        (["embed", "{csv}", "--output", "out.parquet", "--batch-size", "0"], "batch-size"),
        (
            ["embed", "{csv}", "--output", "out.parquet", "--model", "no-such-org/no-model"],
            "no-such-org/no-model",
        ),
        (["embed", "{empty}", "--output", "out.parquet"], "empty"),
        (["project", "{csv}", "--output", "out.parquet"], "parquet"),
        (["project", "{embedded}", "--output", "out.parquet", "--method", "mds"], "invalid choice"),
        (["neighbors", "{embedded}", "--row", "99"], "--row must be between 0 and 11"),
        (["neighbors", "{embedded}", "--row", "1", "-k", "0"], "-k must be at least 1"),
        (["neighbors", "{embedded}", "--query", "  "], "empty"),
        (["neighbors", "{embedded}"], "one of the arguments --query --row is required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_errors_exit_2_with_one_clear_line(
    embedded: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    csv = tmp_path / "ok.csv"
    csv.write_text("text\nhello\n")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    filled = [a.format(csv=csv, empty=empty, embedded=embedded) for a in args]
    result = run_cli(*filled, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr


def test_second_embed_of_same_file_is_served_from_the_cache(embedded: Path, tmp_path: Path) -> None:
    source = tmp_path / "again.csv"
    pd.DataFrame(SENTENCES, columns=["sentence", "topic"]).to_csv(source, index=False)
    result = run_cli("embed", str(source), "--output", str(tmp_path / "again.parquet"))
    assert result.returncode == 0, result.stderr
    assert "(12 from the cache)" in result.stderr
