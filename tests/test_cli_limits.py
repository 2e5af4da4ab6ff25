"""The CLI meets the same caps as the app: NaN and infinity in any number option, and typed
text past its limit, end with status 2 and one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from embedding_space.limits import MAX_EXPRESSION_CHARS, MAX_PATTERN_CHARS, MAX_QUERY_CHARS
from tests.helpers import Run, run_cli


def _one_line_error(result: Run) -> str:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN"])
@pytest.mark.parametrize(
    ("verb", "flag"),
    [("project", "--min-dist"), ("project", "--perplexity"), ("duplicates", "--threshold")],
)
def test_a_non_finite_number_option_is_refused_in_one_line(
    tmp_path: Path, verb: str, flag: str, text: str
) -> None:
    extra = ["-o", str(tmp_path / "out.parquet")] if verb == "project" else []
    said = _one_line_error(run_cli(verb, str(tmp_path / "in.parquet"), *extra, f"{flag}={text}"))
    assert f"argument {flag}: must be a finite number, not '{text}'" in said


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-limits")
    source = folder / "texts.csv"
    texts = ["my card never came", "refund please", "the match ended in a draw", "a new planet"]
    pd.DataFrame({"text": texts}).to_csv(source, index=False)
    output = folder / "embedded.parquet"
    assert run_cli("embed", str(source), "-o", str(output)).returncode == 0
    return output


@pytest.mark.parametrize("how", ["--text", "--semantic"])
def test_a_search_longer_than_the_cap_is_refused_in_one_line(embedded: Path, how: str) -> None:
    said = _one_line_error(run_cli("search", str(embedded), how, "card " * MAX_QUERY_CHARS))
    assert f"it may have at most {MAX_QUERY_CHARS:,}" in said


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(?:card)?" * MAX_PATTERN_CHARS, f"may have at most {MAX_PATTERN_CHARS:,}"),
        ("(?:(?:(?:(?:a{100}){100}){100}){100})", "repeats a repeat too many times"),
    ],
)
def test_a_costly_pattern_is_refused_in_one_line(embedded: Path, pattern: str, words: str) -> None:
    assert words in _one_line_error(run_cli("search", str(embedded), "--regex", pattern))


def test_an_expression_longer_than_the_cap_is_refused_in_one_line(embedded: Path) -> None:
    expression = " + ".join(["card"] * MAX_EXPRESSION_CHARS)
    said = _one_line_error(run_cli("arithmetic", str(embedded), "--expression", expression))
    assert f"it may have at most {MAX_EXPRESSION_CHARS:,}" in said
