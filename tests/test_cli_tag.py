"""``tag``: put a tag on rows of a parquet file or take it off, keeping every other column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedding_space.store import read_embedded
from tests.helpers import run_cli


@pytest.fixture
def rows(tmp_path: Path) -> Path:
    path = tmp_path / "rows.parquet"
    frame = pd.DataFrame({"text": [f"text {i}" for i in range(10)], "score": np.arange(10.0)})
    frame.to_parquet(path)
    return path


def _tags(path: Path) -> list[list[str]]:
    table = pq.read_table(path)
    assert table.schema.field("tags").type == pa.list_(pa.string())
    return list(table.column("tags").to_pylist())


def test_tag_adds_a_tag_to_the_rows_and_keeps_every_column(rows: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    run = run_cli("tag", str(rows), "--rows", "1,5-7", "--tag", "lost card", "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"tag": "lost card", "removed": False, "rows": 4, "changed": 4}
    tags = _tags(out)
    assert [row for row, names in enumerate(tags) if names] == [1, 5, 6, 7]
    assert tags[5] == ["lost card"]
    back = pd.read_parquet(out)
    assert back["text"].tolist() == [f"text {i}" for i in range(10)]
    assert back["score"].tolist() == list(np.arange(10.0))


def test_tags_add_up_and_remove_only_the_named_one(rows: Path, tmp_path: Path) -> None:
    first, second, third = (tmp_path / f"{n}.parquet" for n in ("a", "b", "c"))
    assert (
        run_cli("tag", str(rows), "--rows", "0-3", "--tag", "a", "-o", str(first)).returncode == 0
    )
    assert (
        run_cli("tag", str(first), "--rows", "2-5", "--tag", "b", "-o", str(second)).returncode == 0
    )
    run = run_cli("tag", str(second), "--rows", "1,2,9", "--tag", "a", "--remove", "-o", str(third))
    assert run.returncode == 0 and json.loads(run.stdout)["changed"] == 2
    assert _tags(third)[:6] == [["a"], [], ["b"], ["a", "b"], ["b"], ["b"]]


def test_an_embedded_file_keeps_its_vectors_and_metadata(tmp_path: Path) -> None:
    source, out = tmp_path / "embedded.parquet", tmp_path / "tagged.parquet"
    frame = pd.DataFrame({"text": ["a", "b", "c"]})
    frame["embedding"] = pd.Series([np.array([1.0, 0.0], np.float32)] * 3, dtype=object)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {b"embedding_space": json.dumps({"model": "m", "text_column": "text"}).encode()}
    pq.write_table(table.replace_schema_metadata({**table.schema.metadata, **meta}), source)
    assert run_cli("tag", str(source), "--rows", "2", "--tag", "x", "-o", str(out)).returncode == 0
    tagged = read_embedded(out)
    assert tagged.metadata == read_embedded(source).metadata
    assert tagged.vectors.tolist() == [[1.0, 0.0]] * 3


def test_a_csv_style_tags_column_is_read_as_names(tmp_path: Path) -> None:
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pd.DataFrame({"text": ["a", "b"], "tags": ["x; y", None]}).to_parquet(source)
    assert run_cli("tag", str(source), "--rows", "1", "--tag", "y", "-o", str(out)).returncode == 0
    assert _tags(out) == [["x", "y"], ["y"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rows", "3-12", "--tag", "x"), "--rows names '3-12', but the file has rows 0 to 9."),
        (("--rows", "1,a", "--tag", "x"), "--rows takes numbers and ranges such as 1,5-9, not 'a'"),
        (("--rows", "-1", "--tag", "x"), "--rows takes numbers and ranges"),
        (("--rows", "5-2", "--tag", "x"), "--rows names '5-2'"),
        (("--rows", "1", "--tag", "a;b"), "cannot hold ';'"),
        (("--rows", "1", "--tag", " "), "needs 1 to 60 characters"),
    ],
)
def test_bad_rows_or_names_exit_2_with_one_line(
    rows: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out.parquet"
    run = run_cli("tag", str(rows), *args, "--output", str(out))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and message in run.stderr
    assert not out.exists()


def test_a_tags_column_of_numbers_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    pd.DataFrame({"text": ["a", "b"], "tags": [1, 2]}).to_parquet(source)
    run = run_cli(
        "tag", str(source), "--rows", "1", "--tag", "y", "-o", str(tmp_path / "o.parquet")
    )
    assert run.returncode == 2 and "not tag names" in run.stderr
