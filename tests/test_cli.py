"""``python -m embedding_space``: each verb end to end, and the error exits.

The verbs run in this process through :func:`embedding_space.cli.main`; one smoke test runs
the real command in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import v_measure_score

from tests.helpers import ROOT, run_cli

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


def test_the_command_runs_as_a_module_and_exits_2_on_a_user_error(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "embedding_space"]
    shown = subprocess.run([*command, "--help"], capture_output=True, text=True, env=env)
    assert shown.returncode == 0, shown.stderr
    assert all(verb in shown.stdout for verb in ("embed", "project", "neighbors", "inspect"))
    missing = subprocess.run(
        [*command, "inspect", str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: ") and "Traceback" not in missing.stderr


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


def test_project_takes_the_scikit_learn_names_and_the_short_ones_alike(
    embedded: Path, tmp_path: Path
) -> None:
    long_names, short_names = tmp_path / "long.parquet", tmp_path / "short.parquet"
    common = ["project", str(embedded), "--method", "pca"]
    assert run_cli(*common, "-o", str(long_names), "--n-components", "3").returncode == 0
    assert run_cli(*common, "-o", str(short_names), "--dims", "3").returncode == 0
    pd.testing.assert_frame_equal(pd.read_parquet(long_names), pd.read_parquet(short_names))
    assert "z" in pd.read_parquet(long_names).columns


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
        (
            ["project", "{embedded}", "-o", "out.parquet", "--perplexity", "1"],
            "perplexity must be between 2 and 100",
        ),
        (["project", "{embedded}", "-o", "out.parquet", "--n-neighbors", "x"], "invalid int"),
        (["neighbors", "{embedded}", "--row", "99"], "row must be between 0 and 11, not 99"),
        (
            ["neighbors", "{embedded}", "--row", "1", "-k", "0"],
            "-k must be between 1 and 50, not 0",
        ),
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


def test_cluster_adds_a_cluster_and_its_label_to_every_row(embedded: Path, tmp_path: Path) -> None:
    output = tmp_path / "clustered.parquet"
    result = run_cli("cluster", str(embedded), "-o", str(output), "--k", "4")
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(output)
    assert list(frame.columns) == [
        "sentence",
        "topic",
        "id",
        "embedding",
        "cluster",
        "cluster_label",
    ]
    assert frame["cluster"].nunique() == 4
    # The topics come back (the dog chasing a ball may go with the sport).
    assert v_measure_score(frame["topic"], frame["cluster"]) > 0.7
    assert frame["cluster"].iloc[0] == frame["cluster"].iloc[1], "the cat and the feline"
    assert frame["cluster_label"].str.len().gt(0).all()


def test_cluster_suggests_k_and_hdbscan_marks_noise(embedded: Path, tmp_path: Path) -> None:
    suggested = run_cli("cluster", str(embedded), "-o", str(tmp_path / "k.parquet"))
    assert suggested.returncode == 0 and "Suggested --k" in suggested.stderr
    noisy = run_cli(
        "cluster",
        str(embedded),
        "-o",
        str(tmp_path / "h.parquet"),
        "--method",
        "hdbscan",
        "--min-cluster-size",
        "3",
    )
    assert noisy.returncode == 0, noisy.stderr
    labels = pd.read_parquet(tmp_path / "h.parquet")["cluster"]
    assert labels.dtype.kind == "i" and labels.min() >= -1


def test_cluster_with_coarse_adds_coarse_clusters_each_holding_whole_clusters(
    embedded: Path, tmp_path: Path
) -> None:
    output = tmp_path / "two-levels.parquet"
    result = run_cli("cluster", str(embedded), "-o", str(output), "--k", "4", "--coarse", "2")
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(output)
    assert frame["coarse_cluster"].nunique() == 2
    assert (frame.groupby("cluster")["coarse_cluster"].nunique() == 1).all()
    assert (frame.groupby("coarse_cluster")["coarse_cluster_label"].nunique() == 1).all()
    again = tmp_path / "one-level.parquet"
    assert run_cli("cluster", str(output), "-o", str(again), "--k", "4").returncode == 0
    assert "coarse_cluster" not in pd.read_parquet(again).columns
    refused = run_cli("cluster", str(embedded), "-o", str(again), "--coarse", "51")
    assert refused.returncode == 2
    assert refused.stderr.strip().endswith("--coarse must be between 0 and 50, not 51.")


def test_search_prints_json_lines_for_text_regex_and_meaning(embedded: Path) -> None:
    text = run_cli("search", str(embedded), "--text", "PIZZA")
    rows = [json.loads(line) for line in text.stdout.splitlines()]
    assert [line["row"] for line in rows] == [6, 7]
    assert set(rows[0]) == {"row", "score", "text"}
    regex = run_cli(
        "search", str(embedded), "--regex", r"^The \w+ (match|player)", "--column", "sentence"
    )
    assert [json.loads(line)["row"] for line in regex.stdout.splitlines()] == [9, 11]
    meaning = run_cli(
        "search", str(embedded), "--semantic", "a kitten napping on a carpet", "-k", "2"
    )
    found = [json.loads(line) for line in meaning.stdout.splitlines()]
    assert {line["row"] for line in found} == {0, 1}
    assert found[0]["score"] >= found[1]["score"]
    bad = run_cli("search", str(embedded), "--regex", "(unclosed")
    assert bad.returncode == 2 and "not a valid regular expression" in bad.stderr


def test_outliers_duplicates_arithmetic_and_quality_print_what_they_find(
    embedded: Path, tmp_path: Path
) -> None:
    outliers = [
        json.loads(line)
        for line in run_cli("outliers", str(embedded), "-k", "3", "--top", "2").stdout.splitlines()
    ]
    assert len(outliers) == 2 and set(outliers[0]) == {"row", "score", "text"}
    assert outliers[0]["score"] >= outliers[1]["score"]
    groups = [
        json.loads(line)
        for line in run_cli("duplicates", str(embedded), "--threshold", "0.8").stdout.splitlines()
    ]
    assert all(set(group) == {"rows", "score", "texts"} for group in groups)
    assert not run_cli("duplicates", str(embedded), "--threshold", "0.999").stdout
    expressions = tmp_path / "expressions.txt"
    expressions.write_text("pizza - food + sport\n\nThe cat sits on the mat - cat + dog\n")
    found = [
        json.loads(line)
        for line in run_cli(
            "arithmetic", str(embedded), "--file", str(expressions), "-k", "2"
        ).stdout.splitlines()
    ]
    assert [line["rank"] for line in found] == [1, 2, 1, 2]
    assert {line["expression"] for line in found} == {
        "pizza - food + sport",
        "The cat sits on the mat - cat + dog",
    }
    assert all(line["row"] != 0 for line in found if "cat" in line["expression"]), (
        "own row left out"
    )
    mapped = tmp_path / "map.parquet"
    assert run_cli("project", str(embedded), "-o", str(mapped), "--method", "pca").returncode == 0
    quality = run_cli(
        "quality", str(embedded), "--projection", str(mapped), "-k", "3", "--label-column", "topic"
    )
    figures = json.loads(quality.stdout)
    assert 0 < figures["trustworthiness"] <= 1 and 0 < figures["knn_recall"] <= 1
    assert figures["knn_accuracy_full"] >= figures["silhouette_full"] > 0  # topics are clusters
    assert 0 < figures["trustworthiness"] <= 1
    bad = run_cli("arithmetic", str(embedded), "--expression", "a + ")
    assert bad.returncode == 2 and "sign with no text" in bad.stderr


def test_an_unexpected_failure_is_one_line_and_exit_2_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    cli_main = importlib.import_module("embedding_space.cli.main")  # the module, not main()

    def broken(_args: object) -> None:
        raise RuntimeError("pandas\nmetadata")

    monkeypatch.setitem(cli_main._VERBS, "inspect", broken)
    assert cli_main.main(["inspect", "x.parquet"]) == 2
    err = capsys.readouterr().err
    assert err == "error: could not finish (RuntimeError: pandas metadata)\n"
    monkeypatch.setenv(cli_main.DEBUG_VARIABLE, "1")
    with pytest.raises(RuntimeError):
        cli_main.main(["inspect", "x.parquet"])
