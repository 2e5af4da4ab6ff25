"""The traditional embedders and compare on the command line: a TF-IDF file queried with its
own fit, and MiniLM against TF-IDF on labelled data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.demo import DEMO_CSV
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def banking(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve intents of the demo, twenty-five queries each."""
    demo = pd.read_csv(DEMO_CSV)
    intents = sorted(demo["category"].unique())[:12]
    picked = demo[demo["category"].isin(intents)].groupby("category").head(25)
    path = tmp_path_factory.mktemp("compare") / "banking.csv"
    picked[["text", "category"]].to_csv(path, index=False)
    return path


def test_a_tf_idf_file_answers_queries_with_its_own_fit(banking: Path, tmp_path: Path) -> None:
    output = tmp_path / "tfidf.parquet"
    run = run_cli("embed", str(banking), "--model", "tfidf", "-o", str(output))
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "tfidf.fit.npz").is_file()
    found = run_cli("neighbors", str(output), "--query", "my card has not arrived yet", "-k", "3")
    assert found.returncode == 0, found.stderr
    texts = [json.loads(line)["text"].lower() for line in found.stdout.splitlines()]
    assert all("card" in text or "arrive" in text for text in texts), texts
    other = run_cli("neighbors", str(output), "--query", "x", "--model", "bow")
    assert other.returncode == 2 and "only the fit stored" in other.stderr


def test_minilm_is_ahead_of_tf_idf_on_knn_label_accuracy(banking: Path, tmp_path: Path) -> None:
    deep, sparse = tmp_path / "minilm.parquet", tmp_path / "tfidf.parquet"
    assert run_cli("embed", str(banking), "-o", str(deep)).returncode == 0
    assert run_cli("embed", str(banking), "--model", "tfidf", "-o", str(sparse)).returncode == 0
    rows = tmp_path / "rows.parquet"
    run = run_cli(
        "compare",
        str(deep),
        str(sparse),
        "-k",
        "10",
        "--label-column",
        "category",
        "--output",
        str(rows),
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["model_a"] == "all-MiniLM-L6-v2" and summary["model_b"] == "tfidf"
    assert summary["knn_accuracy_a"] > summary["knn_accuracy_b"] + 0.05  # 0.96 against 0.87
    assert summary["chance_agreement"] < summary["knn_agreement"] < 1
    assert 0 < summary["cka"] < 1 and 0 < summary["similarity_spearman"] < 1
    per_row = pd.read_parquet(rows)
    assert len(per_row) == 300
    assert per_row["agreement"].mean() == pytest.approx(summary["knn_agreement"], abs=1e-6)


def test_compare_refuses_files_of_other_rows(banking: Path, tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    pd.read_csv(banking).head(40).to_csv(short, index=False)
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert run_cli("embed", str(banking), "--model", "bow", "-o", str(one)).returncode == 0
    assert run_cli("embed", str(short), "--model", "bow", "-o", str(two)).returncode == 0
    run = run_cli("compare", str(one), str(two))
    assert run.returncode == 2 and "same rows" in run.stderr
