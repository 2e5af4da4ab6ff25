"""Caps on typed text and links (``embedding_space.limits``): past each, a sentence that says
the limit, never a traceback, and no work done first."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import numpy as np
import pytest

from embedding_space.analysis.concepts import MAX_TERMS, parse_expression, parse_side
from embedding_space.analysis.projection import PARAMETERS, ProjectionParams
from embedding_space.analysis.search import rows_matching, search
from embedding_space.errors import InputError
from embedding_space.limits import (
    MAX_AXIS_END_CHARS,
    MAX_AXIS_END_TEXTS,
    MAX_EXPRESSION_CHARS,
    MAX_LINK_PARTS,
    MAX_LINK_VALUE_CHARS,
    MAX_PATTERN_CHARS,
    MAX_QUERY_CHARS,
    MAX_STORED_VALUE_CHARS,
    MAX_TYPED_TEXT_CHARS,
    MAX_TYPED_TEXTS,
    check_typed_texts,
)
from embedding_space.rows import encode_rows
from embedding_space.views import View
from embedding_space.views.view import MAX_LINK_SELECTION_CHARS

VALUES = ["my card never came", "refund please", "card declined"]


def _no_embedding(text: str) -> np.ndarray:
    raise AssertionError("a query past the cap must not be embedded")


@pytest.mark.parametrize("kind", ["text", "regex", "semantic"])
def test_a_search_longer_than_the_cap_is_refused_before_any_work(kind: str) -> None:
    query = "card " * (MAX_QUERY_CHARS // 5 + 1)
    with pytest.raises(InputError, match=f"at most {MAX_QUERY_CHARS:,}"):
        search(
            kind,
            query,
            values=VALUES,
            vectors=np.zeros((3, 4), dtype=np.float32),
            embed=_no_embedding,
        )


def test_a_search_at_the_cap_still_runs() -> None:
    query = "card".ljust(MAX_QUERY_CHARS)
    assert search(
        "text",
        query.strip(),
        values=VALUES,
        vectors=np.zeros((3, 4), dtype=np.float32),
        embed=_no_embedding,
    )


def test_a_pattern_longer_than_the_cap_is_refused() -> None:
    with pytest.raises(InputError, match=f"at most {MAX_PATTERN_CHARS:,}"):
        rows_matching(VALUES, "(?:card)?" * (MAX_PATTERN_CHARS // 9 + 1))


@pytest.mark.parametrize(
    "pattern",
    [
        # 40 characters, on which the regex module ran out of memory while compiling
        "(?:(?:(?:(?:a{100}){100}){100}){100})",
        "(?:(?:(?:a{100})+){100}){100}",
        "(?:(?:(?:a{100,200}){100,200}){100,200})",
        "(?:x|(?:a{100}){100}){100}",
    ],
)
def test_a_short_pattern_that_unrolls_into_millions_of_steps_is_refused(pattern: str) -> None:
    with pytest.raises(InputError, match="repeats a repeat too many times"):
        rows_matching(VALUES, pattern)


def test_ordinary_patterns_with_repeats_still_search() -> None:
    assert rows_matching(VALUES, r"(?i)\bcard\b") == [0, 2]
    assert rows_matching(VALUES, r"(?:c\w{2}d\s?){1,3}") == [0, 2]
    assert rows_matching(["x" * 300], r"(?:x{30}){10}") == [0]


def test_compiling_counts_against_the_pattern_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib
    from types import SimpleNamespace

    import regex

    search_module = importlib.import_module("embedding_space.analysis.search")
    clock = [0.0]
    compile_pattern = regex.compile

    def slow_compile(pattern: str, flags: int = 0) -> object:
        clock[0] += 10.0  # a pattern that takes 10 s to compile, on a clock the test keeps
        return compile_pattern(pattern, flags=flags)

    monkeypatch.setattr(search_module, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    monkeypatch.setattr(regex, "compile", slow_compile)
    with pytest.raises(InputError, match="took longer than 5 seconds"):
        rows_matching(VALUES, "card", seconds=5.0)


def test_an_axis_end_with_too_many_texts_or_characters_is_refused() -> None:
    many = ", ".join(f"word{i}" for i in range(MAX_AXIS_END_TEXTS + 1))
    with pytest.raises(InputError, match=f"at most {MAX_AXIS_END_TEXTS}"):
        parse_side(many)
    with pytest.raises(InputError, match=f"at most {MAX_AXIS_END_CHARS:,}"):
        parse_side("x" * (MAX_AXIS_END_CHARS + 1))
    # The 30 KB of ~4,300 terms the attack typed, refused before it is split.
    with pytest.raises(InputError):
        parse_side(", ".join(["he"] * 4_300))
    assert parse_side(", ".join(f"w{i}" for i in range(MAX_AXIS_END_TEXTS))) == [
        f"w{i}" for i in range(MAX_AXIS_END_TEXTS)
    ]


def test_an_expression_longer_than_the_cap_is_refused_before_it_is_parsed() -> None:
    with pytest.raises(InputError, match=f"at most {MAX_EXPRESSION_CHARS:,}"):
        parse_expression("king - man + " + "w" * MAX_EXPRESSION_CHARS)
    assert len(parse_expression(" + ".join(["a"] * MAX_TERMS))) == MAX_TERMS


def test_typed_texts_are_capped_in_number_and_length_before_embedding() -> None:
    with pytest.raises(InputError, match=f"at most {MAX_TYPED_TEXTS}"):
        check_typed_texts(["a"] * (MAX_TYPED_TEXTS + 1))
    with pytest.raises(InputError, match=f"at most {MAX_TYPED_TEXT_CHARS:,}"):
        check_typed_texts(["a", "b" * (MAX_TYPED_TEXT_CHARS + 1)])
    check_typed_texts(["a" * MAX_TYPED_TEXT_CHARS] * MAX_TYPED_TEXTS)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("name", ["min_dist", "perplexity"])
def test_nan_and_infinity_are_no_parameter_value(name: str, value: float) -> None:
    with pytest.raises(InputError, match=f"{name} must be a finite number"):
        PARAMETERS[name].check(value)
    with pytest.raises(InputError, match="finite"):
        ProjectionParams(**{name: value})  # type: ignore[arg-type]
    assert PARAMETERS[name].parse(str(value)) is None


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_a_link_with_a_non_finite_number_opens_with_the_default_and_says_so(text: str) -> None:
    problems: list[str] = []
    view = View.from_query(
        {"dataset": "d", "method": "umap", "min_dist": text, "perplexity": text},
        strict=False,
        problems=problems,
    )
    assert view.projection.min_dist == ProjectionParams().min_dist
    assert view.projection.perplexity == ProjectionParams().perplexity
    assert problems == [
        f"min_dist must be a finite number, not {float(text)!r}.",
        f"perplexity must be a finite number, not {float(text)!r}.",
    ]
    with pytest.raises(InputError, match="min_dist must be a finite number"):
        View.from_link(f"/map?dataset=d&min_dist={text}")


def _scattered_rows(chars: int) -> str:
    return encode_rows(range(0, chars, 2))[:chars].rstrip(".")


def test_a_link_part_longer_than_the_cap_is_left_out_before_it_is_read() -> None:
    huge = _scattered_rows(63_000)  # the 63 KB sel= that cost 112 CPU-seconds a page open
    problems: list[str] = []
    view = View.from_query({"dataset": "d", "sel": huge}, strict=False, problems=problems)
    assert view.selection == ()
    assert problems == [
        f"The link's 'sel' part has {len(huge):,} characters; a part may have at most "
        f"{MAX_LINK_VALUE_CHARS:,}, so it was left out."
    ]
    with pytest.raises(InputError, match="'sel' part has"):
        View.from_link("/map?" + urlencode({"dataset": "d", "sel": huge}))


def test_every_selection_the_app_writes_into_a_link_reads_back() -> None:
    assert MAX_LINK_SELECTION_CHARS <= MAX_LINK_VALUE_CHARS
    rows = _scattered_rows(MAX_LINK_SELECTION_CHARS)
    view = View(dataset="d", selection=tuple(int(row) for row in rows.split(".")))
    assert View.from_link(view.link()).selection == view.selection


def test_a_saved_view_keeps_a_selection_longer_than_a_link_may_carry() -> None:
    scattered = View("d", selection=tuple(range(0, 40_000, 2)))
    assert len(scattered.query(whole_selection=True)["sel"]) > MAX_LINK_VALUE_CHARS
    kept = View.from_link(scattered.link(whole_selection=True), stored=True)
    assert kept.selection == scattered.selection
    huge = "/map?" + urlencode({"dataset": "d", "sel": "1." * MAX_STORED_VALUE_CHARS})
    with pytest.raises(InputError, match=f"at most {MAX_STORED_VALUE_CHARS:,}"):
        View.from_link(huge, stored=True)


def test_a_search_in_a_link_longer_than_the_cap_is_left_out() -> None:
    problems: list[str] = []
    view = View.from_query(
        {"dataset": "d", "q": "q" * (MAX_QUERY_CHARS + 1)}, strict=False, problems=problems
    )
    assert view.search is None
    assert problems == [
        f"q has {MAX_QUERY_CHARS + 1:,} characters; a search may have at most "
        f"{MAX_QUERY_CHARS:,}, so it was left out."
    ]


def test_a_link_of_too_many_parts_reads_only_the_first() -> None:
    query = {"dataset": "d", **{f"name.{i}": "x" for i in range(MAX_LINK_PARTS * 10)}}
    problems: list[str] = []
    view = View.from_query(query, strict=False, problems=problems)
    assert problems[0] == (
        f"The link has {len(query):,} parts; a view has at most {MAX_LINK_PARTS}, so only "
        "the first were read."
    )
    assert sorted(view.cluster_names) == list(range(MAX_LINK_PARTS - 1))  # after dataset=
