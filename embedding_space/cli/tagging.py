"""The ``tag`` verb: put a tag on rows of a parquet file (or take it off), for scripts.

The file's ``tags`` column (a list of names per row, or names separated by ``;``) is read as
the rows' tags, changed, and written back as ``list<string>``; every other column is kept.
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from embedding_space.cli.files import print_line, read_input, say
from embedding_space.errors import InputError
from embedding_space.store.files import write_parquet
from embedding_space.store.tag_columns import TAGS_COLUMN, read_tags_column
from embedding_space.store.tags import MAX_TAGS, clean_tag_name

__all__ = ["add_tag_parser", "parse_row_list", "run_tag"]


def parse_row_list(text: str, row_count: int) -> list[int]:
    """Row numbers written as ``1,5-9`` (0-based, ranges inclusive), sorted and distinct.

    Raises:
        InputError: A part is not a number or a range, or names a row outside the file.
    """
    rows: set[int] = set()
    for part in (piece.strip() for piece in text.split(",")):
        first, dash, last = part.partition("-")
        if not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise InputError(f"--rows takes numbers and ranges such as 1,5-9, not '{part}'.")
        start, end = int(first), int(last) if dash else int(first)
        if end < start or end >= row_count:
            raise InputError(f"--rows names '{part}', but the file has rows 0 to {row_count - 1}.")
        rows.update(range(start, end + 1))
    return sorted(rows)


def add_tag_parser(verbs: Any) -> None:
    """Add the ``tag`` verb to the command's verbs (argparse's ``_SubParsersAction``)."""
    tag = verbs.add_parser("tag", help="put a tag on rows of a parquet file (or take it off)")
    tag.add_argument("input", help="a parquet file; its 'tags' column, if any, is kept")
    tag.add_argument("--rows", required=True, help="0-based rows, such as 1,5-9")
    tag.add_argument("--tag", required=True, help="the tag's name")
    tag.add_argument("--remove", action="store_true", help="take the tag off the rows")
    tag.add_argument("--output", "-o", required=True, help="the parquet file to write")


def run_tag(args: argparse.Namespace) -> None:
    file = read_input(args.input, need_embedding=False)
    frame = file.frame
    rows = parse_row_list(args.rows, len(frame))
    name = clean_tag_name(args.tag)
    if TAGS_COLUMN in frame:
        tags = read_tags_column(frame[TAGS_COLUMN])
    else:
        tags = [[] for _ in range(len(frame))]
    changed = 0
    for row in rows:
        if (name in tags[row]) == args.remove:
            others = [other for other in tags[row] if other != name]
            tags[row] = others if args.remove else [*others, name]
            changed += 1
    if len({tag for names in tags for tag in names}) > MAX_TAGS:
        raise InputError(f"The file would have more than {MAX_TAGS} tags; merge some first.")
    out = frame.copy()
    out[TAGS_COLUMN] = pd.Series(tags, dtype=object)
    write_parquet(out, args.output, file.metadata, string_lists=[TAGS_COLUMN])
    done = f"Took '{name}' off" if args.remove else f"Put '{name}' on"
    say(f"{done} {changed:,} of the {len(rows):,} rows; wrote {args.output}.")
    print_line({"tag": name, "removed": bool(args.remove), "rows": len(rows), "changed": changed})
