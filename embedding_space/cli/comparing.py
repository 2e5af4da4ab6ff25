"""The verb that sets two embeddings of the same rows side by side: compare."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from embedding_space.cli.files import read_input, say
from embedding_space.errors import InputError
from embedding_space.store.files import space_of, write_parquet

__all__ = ["run_compare"]


def run_compare(args: argparse.Namespace) -> None:
    """Print the comparison's summary as one JSON object; write the per-row agreement."""
    file_a, file_b = read_input(args.first), read_input(args.second)
    if len(file_a.frame) != len(file_b.frame):
        raise InputError(
            f"'{args.first}' has {len(file_a.frame)} rows and '{args.second}' "
            f"{len(file_b.frame)}: compare two embeddings of the same rows."
        )
    space_a, space_b = space_of(file_a), space_of(file_b)
    comparison = space_a.comparison(space_b, args.compare_k, args.label_column)
    summary = {
        "model_a": file_a.metadata.get("model"),
        "model_b": file_b.metadata.get("model"),
        "rows": space_a.rows,
        "k": args.compare_k,
        **comparison.summary(),
        "chance_agreement": comparison.chance,
    }
    print(json.dumps(summary))
    if args.output is not None:
        rows = pd.DataFrame(
            {
                "row": range(space_a.rows),
                "text": space_a.texts,
                "agreement": comparison.agreement,
                "neighbors_a": list(comparison.neighbors_a),
                "neighbors_b": list(comparison.neighbors_b),
            }
        )
        write_parquet(
            rows, args.output, {"compare": [args.first, args.second], "k": args.compare_k}
        )
        say(f"Wrote each row's agreement to {args.output}.")
