"""Tags go out with the table: a list of names in Parquet, names joined by "; " in CSV, and a
table's own ``tags`` column kept beside them."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from embedding_space.errors import InputError
from embedding_space.export import export_table
from embedding_space.store import Workspace, read_tags_column

TAGS = [["card", "lost"], [], ["=cmd", "<i>x</i>"]]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"text": ["a", "b", "c"], "tags": ["theirs", None, "mine"]})


def test_parquet_holds_tags_as_a_list_of_strings() -> None:
    data = export_table(_frame(), tags=TAGS, format="parquet")
    table = pq.read_table(io.BytesIO(data))
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert table.column("tags").to_pylist() == TAGS
    assert table.column("tags_original").to_pylist() == ["theirs", None, "mine"]


def test_parquet_of_rows_without_any_tag_still_types_them_as_strings() -> None:
    data = export_table(_frame(), tags=[[], [], []], format="parquet")
    assert pq.read_table(io.BytesIO(data)).schema.field("tags").type == pa.list_(pa.string())


def test_csv_joins_a_row_s_tags_and_reads_back_to_the_same_names() -> None:
    data = export_table(_frame(), tags=TAGS, format="csv")
    back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert back["tags"].tolist() == ["card; lost", "", "'=cmd; <i>x</i>"]
    assert back["tags_original"].tolist() == ["theirs", "", "mine"]
    assert read_tags_column(back["tags"])[0] == ["card", "lost"]


def test_without_tags_a_table_s_own_tags_column_keeps_its_name() -> None:
    back = pd.read_csv(io.BytesIO(export_table(_frame(), format="csv")), keep_default_na=False)
    assert "tags" in back.columns and "tags_original" not in back.columns
    assert back["tags"].tolist() == ["theirs", "", "mine"]


def test_tags_for_another_number_of_rows_are_refused() -> None:
    with pytest.raises(InputError, match="tags for 2 rows"):
        export_table(_frame(), tags=TAGS[:2], format="csv")


def test_tags_round_trip_through_export_and_upload(tmp_path: Path) -> None:
    workspace = Workspace(tmp_path)
    first = workspace.create_dataset(_frame().drop(columns="tags"), "text", "first").id
    workspace.tags(first).tag([0, 2], "refund")
    workspace.tags(first).tag([2], "angry")
    data = export_table(
        workspace.load_table(first), tags=workspace.tags(first).tags_of_rows(), format="parquet"
    )
    again = workspace.create_dataset(pd.read_parquet(io.BytesIO(data)), "text", "again").id
    assert Workspace(tmp_path).tags(again).tags_of_rows() == [["refund"], [], ["angry", "refund"]]
