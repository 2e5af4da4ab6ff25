"""The same file gives the same answers through the command line and through the core call
under the app's panels.

A file of texts is embedded by ``embed``; the same rows and vectors become a dataset of the
workspace (uploaded vectors, so both read the very same numbers). Every verb that reads the
space must then print exactly what the panel's :class:`~embedding_space.store.space.Space`
call returns, and the Quality page must show the CLI's outlier scores for each ``k``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from embedding_space.analysis.projection import ProjectionParams
from embedding_space.embed import Embedder
from embedding_space.embed.models import load_model
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.store.files import read_embedded
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from tests.helpers import TOPICS, open_app, run_cli

EXTRA = [
    # A copy and a paraphrase, so there are duplicates to find; two strangers for outliers.
    "Jupiter is the largest planet in our solar system.",
    "The biggest planet of the solar system is Jupiter.",
    "Quarterly tax forms must be filed before the deadline.",
    "Sing a lullaby softly so the baby falls asleep.",
]


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """Forty-four texts embedded by the command line, with their topic."""
    folder = tmp_path_factory.mktemp("parity")
    rows = [(text, topic) for topic, texts in TOPICS.items() for text in texts]
    rows += [(text, "other") for text in EXTRA]
    source = folder / "texts.csv"
    pd.DataFrame(rows, columns=["text", "topic"]).to_csv(source, index=False)
    output = folder / "texts.parquet"
    assert run_cli("embed", str(source), "-o", str(output)).returncode == 0
    return output


@pytest.fixture(scope="module")
def dataset_id(embedded: Path) -> str:
    """The same rows and vectors as a dataset of the session's workspace."""
    file = read_embedded(embedded)
    info = Workspace().create_dataset(
        file.rows_table, "text", "parity", vectors=file.vectors, query_model=DEFAULT_MODEL
    )
    return info.id


@pytest.fixture(scope="module")
def space(dataset_id: str) -> Space:
    """What the app's panels ask: the dataset's space in the workspace."""
    return Workspace().space(dataset_id, Workspace().get(dataset_id).vectors_model or "")


def _lines(*args: str) -> list[dict[str, object]]:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_arithmetic_leaves_out_every_row_of_a_term_in_both(embedded: Path, space: Space) -> None:
    # The first term is a row of the dataset twice over; neither copy may come back.
    expression = "Jupiter is the largest planet in our solar system. - planet + star"
    printed = _lines("arithmetic", str(embedded), "--expression", expression, "-k", "5")
    found = space.arithmetic(expression, 5).neighbors
    assert [(n["rank"], n["row"], n["score"]) for n in printed] == [
        (n.rank, n.row, round(n.score, 6)) for n in found
    ]
    assert not {20, 40} & {n.row for n in found}


@pytest.mark.parametrize(
    ("flag", "query", "kind"),
    [
        ("--text", "planet", "text"),
        ("--regex", r"(?i)\bcard\b", "regex"),
        ("--semantic", "my bank card stopped working", "semantic"),
    ],
)
def test_search_finds_the_same_rows(
    embedded: Path, space: Space, flag: str, query: str, kind: str
) -> None:
    printed = _lines("search", str(embedded), flag, query, "-k", "7")
    found = space.search(query, kind, k=7)
    assert [(n["row"], n["score"]) for n in printed] == [(m.row, round(m.score, 6)) for m in found]
    assert printed, "the query finds something"


@pytest.mark.parametrize("method", ["knn", "lof"])
def test_outliers_at_k_30_are_the_same_and_differ_from_k_15(
    embedded: Path, space: Space, method: str
) -> None:
    printed = _lines("outliers", str(embedded), "-k", "30", "--method", method, "--top", "44")
    found = space.outliers(30, method, 44)
    assert [(n["row"], n["score"]) for n in printed] == [(o.row, round(o.score, 6)) for o in found]
    at_15 = space.outlier_scores(15, method)
    assert not (abs(at_15 - space.outlier_scores(30, method)) < 1e-6).all()


def test_duplicates_are_the_same_sets(embedded: Path, space: Space) -> None:
    printed = _lines("duplicates", str(embedded), "--threshold", "0.9")
    found = space.duplicates(0.9)
    assert [(n["rows"], n["score"]) for n in printed] == [(d.rows, d.score) for d in found]
    assert [d.rows for d in found] == [[20, 40, 41]], "the copy and the paraphrase of row 20"


def test_quality_of_the_same_map_gives_the_same_figures(
    embedded: Path, space: Space, tmp_path: Path
) -> None:
    mapped = tmp_path / "map.parquet"
    assert run_cli("project", str(embedded), "-o", str(mapped), "--method", "umap").returncode == 0
    printed = run_cli(
        "quality", str(embedded), "--projection", str(mapped), "-k", "5", "--label-column", "topic"
    )
    assert printed.returncode == 0, printed.stderr
    trust = space.map_trust(ProjectionParams(method="umap"), 5, "topic")
    assert json.loads(printed.stdout) == trust.summary()


def test_neighbors_of_a_row_and_of_a_text_are_the_same(embedded: Path, space: Space) -> None:
    for of in ("3", "the referee stopped the game"):
        flag = "--row" if of.isdigit() else "--query"
        printed = _lines("neighbors", str(embedded), flag, of, "-k", "6")
        found = space.neighbors(int(of) if of.isdigit() else of, 6)
        assert [(n["rank"], n["row"], n["score"]) for n in printed] == [
            (n.rank, n.row, round(n.score, 6)) for n in found
        ]


@pytest.mark.parametrize("k", [15, 30])
def test_the_quality_page_shows_the_command_lines_outlier_scores(
    embedded: Path, dataset_id: str, k: int
) -> None:
    printed = _lines("outliers", str(embedded), "-k", str(k), "--top", "20")
    app = open_app(dataset_id, "pages/explore/quality.py", outlier_k=k)
    shown = app.dataframe[0].value
    assert shown["row"].tolist() == [n["row"] for n in printed]
    assert shown["score"].tolist() == pytest.approx([n["score"] for n in printed], abs=1e-4)


@pytest.mark.parametrize("model", [DEFAULT_MODEL, "tfidf"])
def test_a_dataset_the_workspace_embedded_answers_typed_texts_as_the_file_does(
    embedded: Path, tmp_path: Path, model: str
) -> None:
    # The workspace embeds the rows itself (the model from the cache, tfidf fitted on the same
    # rows), and types with the model its vectors were made by.
    source = embedded.with_name("texts.csv")
    output = tmp_path / f"{model}.parquet"
    assert run_cli("embed", str(source), "-o", str(output), "--model", model).returncode == 0
    workspace = Workspace()
    info = workspace.create_dataset(pd.read_csv(source), "text", f"parity {model}")
    embedder = load_model(model)
    workspace.embeddings(info.id, embedder)
    space = workspace.space(info.id, embedder.cache_key)
    query = "my bank card stopped working"
    printed = _lines("search", str(output), "--semantic", query, "-k", "5")
    assert [(n["row"], n["score"]) for n in printed] == [
        (m.row, round(m.score, 6)) for m in space.search(query, "semantic", k=5)
    ]
    expression = "The striker scored a stunning goal in the last minute of the match. - goal + star"
    printed = _lines("arithmetic", str(output), "--expression", expression, "-k", "3")
    assert [(n["row"], n["score"]) for n in printed] == [
        (n.row, round(n.score, 6)) for n in space.arithmetic(expression, 3).neighbors
    ]
