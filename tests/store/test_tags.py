"""Tags of a dataset's rows: kept across restarts, undone, renamed and merged, changed only by
the dataset's owner, and bounded."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from embedding_space.errors import InputError
from embedding_space.store import (
    MAX_TAGS,
    SEVERAL,
    TAG_NAME_CHARS,
    UNDO_DEPTH,
    UNTAGGED,
    Tags,
    Workspace,
    read_tags_column,
    rows_with_tags,
    search_tags,
    tag_colors,
    with_tags,
)


def _frame(rows: int = 10, **columns: object) -> pd.DataFrame:
    return pd.DataFrame({"text": [f"text number {i}" for i in range(rows)], **columns})


def _dataset(tmp_path: Path, frame: pd.DataFrame | None = None, owner: str | None = None) -> str:
    return (
        Workspace(tmp_path)
        .create_dataset(_frame() if frame is None else frame, "text", "d", owner=owner)
        .id
    )


def test_tags_survive_a_restart(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path)
    tags = Workspace(tmp_path).tags(dataset)
    assert tags.tag([1, 5, 6, 7], "refund") == "refund"
    tags.tag([5, 9], "card")

    reopened = Workspace(tmp_path).tags(dataset)
    assert reopened.rows_of("refund") == [1, 5, 6, 7]
    assert reopened.counts() == {"card": 2, "refund": 4}
    per_row = reopened.tags_of_rows()
    assert len(per_row) == 10
    assert per_row[5] == ["card", "refund"] and per_row[0] == [] and per_row[9] == ["card"]
    assert (tmp_path / "datasets" / dataset / "tags.json").is_file()


def test_tagging_an_existing_tag_in_another_case_adds_rows_to_it(tmp_path: Path) -> None:
    tags = Workspace(tmp_path).tags(_dataset(tmp_path))
    tags.tag([0], "Refund")
    assert tags.tag(np.array([3, 3, 4]), "  refund ") == "Refund"
    assert tags.names() == ["Refund"] and tags.rows_of("Refund") == [0, 3, 4]


def test_undo_takes_back_changes_one_at_a_time_even_after_a_restart(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path)
    tags = Workspace(tmp_path).tags(dataset)
    tags.tag([1, 2], "a")
    tags.tag([3], "b")
    tags.untag([2], "a")
    tags.delete("b")
    assert tags.last_change() == "delete 'b'"

    reopened = Workspace(tmp_path).tags(dataset)
    assert reopened.undo() == "delete 'b'"
    assert reopened.counts() == {"a": 1, "b": 1}
    reopened.undo()
    assert reopened.rows_of("a") == [1, 2]
    reopened.undo()
    assert reopened.names() == ["a"]
    reopened.undo()
    assert reopened.names() == [] and reopened.undo() is None


def test_undo_keeps_the_last_twenty_changes(tmp_path: Path) -> None:
    tags = Workspace(tmp_path).tags(_dataset(tmp_path, _frame(40)))
    for row in range(UNDO_DEPTH + 5):
        tags.tag([row], "many")
    undone = 0
    while tags.undo() is not None:
        undone += 1
    assert undone == UNDO_DEPTH
    assert tags.rows_of("many") == list(range(5))


def test_rename_and_merge(tmp_path: Path) -> None:
    tags = Workspace(tmp_path).tags(_dataset(tmp_path))
    tags.tag([0, 1], "lost card")
    tags.tag([1, 2], "stolen card")
    tags.tag([8], "other")
    with pytest.raises(InputError, match="merge the two instead"):
        tags.rename("lost card", "Stolen Card")
    assert tags.rename("lost card", "Lost card") == "Lost card"

    assert tags.merge(["Lost card", "stolen card"], "card trouble") == "card trouble"
    assert tags.counts() == {"card trouble": 3, "other": 1}
    tags.merge(["other"], "card trouble")
    assert tags.names() == ["card trouble"] and tags.rows_of("card trouble") == [0, 1, 2, 8]

    tags.undo()
    tags.undo()
    assert tags.counts() == {"Lost card": 2, "other": 1, "stolen card": 2}


def test_only_the_owner_changes_tags_and_everyone_reads_them(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path, owner="user:alice")
    Workspace(tmp_path).tags(dataset, "user:alice").tag([2], "mine")

    visitor = Workspace(tmp_path).tags(dataset, "user:bob")
    assert not visitor.editable and visitor.rows_of("mine") == [2]
    for change in (
        lambda: visitor.tag([3], "theirs"),
        lambda: visitor.untag([2], "mine"),
        lambda: visitor.rename("mine", "x"),
        lambda: visitor.merge(["mine"], "x"),
        lambda: visitor.delete("mine"),
        visitor.undo,
    ):
        with pytest.raises(InputError, match=r"^Only the owner of 'd' can change its tags\.$"):
            change()
    assert Workspace(tmp_path).tags(dataset, "user:alice").counts() == {"mine": 1}


def test_names_rows_and_the_number_of_tags_are_bounded(tmp_path: Path) -> None:
    tags = Workspace(tmp_path).tags(_dataset(tmp_path))
    for bad in ("", "   ", "x" * (TAG_NAME_CHARS + 1), "a; b", "bell\x07", SEVERAL, UNTAGGED):
        with pytest.raises(InputError):
            tags.tag([0], bad)
    assert tags.tag([0], "x" * TAG_NAME_CHARS) == "x" * TAG_NAME_CHARS
    with pytest.raises(InputError, match="between 0 and 9"):
        tags.tag([10], "late")
    with pytest.raises(InputError, match="No rows"):
        tags.tag([], "empty")
    with pytest.raises(InputError, match="There is no tag 'missing'"):
        tags.delete("missing")

    for index in range(MAX_TAGS - 1):
        tags.tag([index % 10], f"tag {index}")
    with pytest.raises(InputError, match=f"{MAX_TAGS} tags already"):
        tags.tag([0], "one too many")
    assert tags.tag([1], "tag 0") == "tag 0"  # an existing tag still takes rows


def test_a_name_with_markup_is_kept_as_plain_text(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path)
    name = '<b onclick="x()">bold</b> & [link](https://example.com)'
    assert Workspace(tmp_path).tags(dataset).tag([4], name) == name
    assert Workspace(tmp_path).tags(dataset).tags_of_rows()[4] == [name]


def test_a_line_break_in_a_name_becomes_a_space(tmp_path: Path) -> None:
    tags = Workspace(tmp_path).tags(_dataset(tmp_path))
    assert tags.tag([0], "two\nlines\t here") == "two lines here"


def test_an_uploaded_tags_column_gives_the_first_tags(tmp_path: Path) -> None:
    frame = _frame(4, tags=[["a", "b"], [], None, ["b"]])
    dataset = _dataset(tmp_path, frame)
    tags = Workspace(tmp_path).tags(dataset)
    assert tags.tags_of_rows() == [["a", "b"], [], [], ["b"]]
    tags.tag([2], "c")
    assert Workspace(tmp_path).tags(dataset).counts() == {"a": 1, "b": 2, "c": 1}

    texts = _dataset(tmp_path, _frame(3, tags=["x; y", "", "y"]))
    assert Workspace(tmp_path).tags(texts).rows_of("y") == [0, 2]
    numbers = _dataset(tmp_path, _frame(3, tags=[1, 2, 3]))
    assert Workspace(tmp_path).tags(numbers).names() == []


def test_tags_as_a_column_colour_filter_and_search() -> None:
    per_row = [["refund"], ["card", "refund"], [], ["Card declined"]]
    frame = with_tags(_frame(4, tags=["theirs"] * 4), per_row)
    assert list(frame.columns) == ["text", "tags_original", "tags"]
    assert frame["tags"].tolist() == per_row and frame["tags_original"].tolist() == ["theirs"] * 4
    assert tag_colors(per_row) == ["refund", SEVERAL, UNTAGGED, "Card declined"]
    assert rows_with_tags(per_row, ["card", "refund"]) == [0, 1]
    assert rows_with_tags(per_row, []) == []
    assert search_tags(per_row, "CARD") == [1, 3]
    assert search_tags(per_row, "  ") == []
    with pytest.raises(InputError, match="tags for 2 rows"):
        with_tags(_frame(4), per_row[:2])


def test_reading_a_tags_column_refuses_what_is_not_names() -> None:
    assert read_tags_column([["a", "a", " b "], "c;d; ;c", None, float("nan")]) == [
        ["a", "b"],
        ["c", "d"],
        [],
        [],
    ]
    with pytest.raises(InputError, match="row 1"):
        read_tags_column(["a", 3])


def test_a_damaged_file_reads_as_no_tags(tmp_path: Path) -> None:
    path = tmp_path / "tags.json"
    path.write_text("{not json")
    tags = Tags(path, 3)
    assert tags.names() == [] and tags.tags_of_rows() == [[], [], []]
    tags.tag([1], "fresh")
    assert Tags(path, 3).rows_of("fresh") == [1]


def test_rows_past_two_hundred_thousand_keep_their_tags(tmp_path: Path) -> None:
    tags = Tags(tmp_path / "tags.json", 300_000)
    tags.tag([5, 250_000, 299_999], "late rows")
    assert Tags(tmp_path / "tags.json", 300_000).rows_of("late rows") == [5, 250_000, 299_999]


def test_the_version_changes_with_every_change(tmp_path: Path) -> None:
    tags = Tags(tmp_path / "tags.json", 5)
    seen = [tags.version()]
    tags.tag([1], "a")
    seen.append(tags.version())
    tags.undo()
    seen.append(tags.version())
    assert seen == [0, 1, 2]
