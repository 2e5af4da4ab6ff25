"""The ``add`` verb: a batch of rows appended to an embedded file, embedded with its model,
its map (if it has one) extended without moving an old point."""

from __future__ import annotations

import argparse
import shutil
from typing import Any

from embedding_space.cli.files import read_input, say
from embedding_space.store.files import fit_path, write_parquet

__all__ = ["add_add_parser", "run_add"]


def add_add_parser(verbs: Any) -> None:
    """Register ``add`` with the parser's verbs."""
    add = verbs.add_parser(
        "add", help="append a batch of rows to an embedded file, keeping its map in place"
    )
    add.add_argument("input", help="a parquet file written by 'embed' (or 'project')")
    add.add_argument("more", help="a file of new rows with the same text column")
    add.add_argument("--output", "-o", required=True, help="the parquet file to write")
    add.add_argument("--batch", help="the new rows' batch name (default: 'batch N')")
    add.add_argument("--no-cache", action="store_true", help="do not read or fill the cache")


def run_add(args: argparse.Namespace) -> None:
    from embedding_space.embed.cache import EmbeddingCache
    from embedding_space.embed.models import load_model
    from embedding_space.embed.sentence import OPENVINO_SUFFIX, computed_in_bf16
    from embedding_space.io.tables import read_table
    from embedding_space.store.file_batches import add_to_file
    from embedding_space.store.workspace import default_home

    file = read_input(args.input)
    more = read_table(args.more, text_column=file.text_column)
    for reason, count in more.dropped.items():
        say(f"Dropped {count} new row(s): {reason}.")
    cache = None if args.no_cache else EmbeddingCache(default_home())
    # The precision the file was embedded at, so that old and new vectors are alike.
    key = str(file.metadata.get("cache_key"))
    precision = "bf16" if computed_in_bf16(key) else "fp32"
    backend = "openvino" if key.endswith(OPENVINO_SUFFIX) else "torch"
    added = add_to_file(
        file,
        more.frame,
        name=args.batch,
        models=lambda name: load_model(name, precision, backend),
        cache=cache,
    )
    write_parquet(added.frame, args.output, added.metadata)
    fit = fit_path(args.input)
    if fit.is_file() and fit_path(args.output) != fit:
        shutil.copyfile(fit, fit_path(args.output))  # queries against the output need it
    say(
        f"Added {added.batch.rows} row(s) as '{added.batch.name}' to the "
        f"{len(file.frame)} of {args.input} into {args.output}."
    )
    if added.growth is not None:
        growth = added.growth
        say(
            f"The map's old points kept their places; the new rows were {growth.how}. "
            f"{growth.placed_share:.0%} of its rows are placed rather than fitted"
            + (
                ": recompute suggested (run 'project' again)."
                if growth.recompute_suggested
                else "."
            )
        )
