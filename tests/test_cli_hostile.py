"""Hostile files through the command line: one ``error:`` line and exit 2, never a traceback.

The files are those of :mod:`tests.io.hostile_files` (the attack report's kinds, just past
each limit), read by ``inspect``, and Parquet files with forged metadata read by the verbs that
open an embedded file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import run_cli
from tests.io import hostile_files as hostile

REFUSED: dict[str, tuple[Callable[[], tuple[str, bytes]], str]] = {
    "workbook of many columns": (
        lambda: hostile.xlsx_of_many_columns(2_500),
        "more than 2,000 columns",
    ),
    "workbook of many styles": (hostile.xlsx_of_many_styles, "more than 200,000 entries"),
    "workbook of many strings": (hostile.xlsx_of_many_strings, "2,000,000 distinct texts"),
    "csv of a million columns": (hostile.csv_of_many_columns, "more than 2,000 columns"),
    "text of too many lines": (hostile.txt_of_short_lines, "1,000,001 lines"),
}


def _one_error_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_hostile_table_exits_2_with_one_line(case: str, tmp_path: Path) -> None:
    build, sentence = REFUSED[case]
    name, data = build()
    (tmp_path / name).write_bytes(data)
    result = run_cli("inspect", str(tmp_path / name))
    assert result.returncode == 2
    assert sentence in _one_error_line(result.stderr)


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.json_with_a_huge_integer(5_000),
        lambda: hostile.parquet_with_pandas_metadata(hostile.FORGED_PANDAS_METADATA["not JSON"]),
        lambda: hostile.parquet_with_pandas_metadata(hostile.FORGED_PANDAS_METADATA["a list"]),
    ],
    ids=["json-5000-digits", "parquet-pandas-not-json", "parquet-pandas-a-list"],
)
def test_files_that_raised_tracebacks_are_inspected(
    build: Callable[[], tuple[str, bytes]], tmp_path: Path
) -> None:
    name, data = build()
    (tmp_path / name).write_bytes(data)
    result = run_cli("inspect", str(tmp_path / name))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["sample"] == ["first text", "second text"]


def _embedded_with(tmp_path: Path, metadata: dict[bytes, bytes]) -> Path:
    table = pa.table(
        {
            "text": ["first text", "second text", "third text"],
            "embedding": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        }
    ).replace_schema_metadata(metadata)
    path = tmp_path / "forged.parquet"
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize(
    "metadata",
    [
        {b"pandas": hostile.FORGED_PANDAS_METADATA["columns not a list"]},
        {b"pandas": hostile.FORGED_PANDAS_METADATA["a column of an unknown type"]},
        {b"embedding_space": b"{not json"},
    ],
    ids=["pandas-columns", "pandas-type", "our-metadata-not-json"],
)
@pytest.mark.parametrize(
    "verb",
    [
        ["search", "--text", "first"],
        ["outliers"],
        ["tag", "--rows", "0", "--tag", "seen", "-o", "tagged.parquet"],
    ],
    ids=["search", "outliers", "tag"],
)
def test_an_embedded_file_with_forged_metadata_exits_2_with_one_line(
    metadata: dict[bytes, bytes], verb: list[str], tmp_path: Path
) -> None:
    path = _embedded_with(tmp_path, metadata)
    result = run_cli(verb[0], str(path), *verb[1:], cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert f"'{path}' could not be read: its metadata or columns are damaged" in (
        _one_error_line(result.stderr)
    )


def test_an_expressions_file_that_is_not_utf8_exits_2_with_one_line(tmp_path: Path) -> None:
    path = _embedded_with(tmp_path, {})
    expressions = tmp_path / "expressions.txt"
    expressions.write_bytes(b"\xff\xfe\x00k\x00i\x00n\x00g")
    result = run_cli("arithmetic", str(path), "--file", str(expressions))
    assert result.returncode == 2
    assert "is not UTF-8 text" in _one_error_line(result.stderr)


def test_a_file_whose_integer_is_kept_as_text_embeds_with_that_column_as_text(
    tmp_path: Path,
) -> None:
    # The reader keeps an integer of 5,000 digits as its digits; the column then mixes text
    # and numbers, which the output file stores as text rather than failing the run.
    name, data = hostile.json_with_a_huge_integer(5_000)
    (tmp_path / name).write_bytes(data)
    output = tmp_path / "out.parquet"
    result = run_cli("embed", str(tmp_path / name), "--output", str(output), "--model", "tfidf")
    assert result.returncode == 0, result.stderr
    column = pq.read_table(output).column("n").to_pylist()
    assert column == ["9" * 5_000, "1"]
