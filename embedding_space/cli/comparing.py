"""The verb that sets two embeddings of the same rows side by side: compare."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from embedding_space.cli.files import find_text_column, read_embedded, say, write_parquet
from embedding_space.errors import InputError

__all__ = ["run_compare"]


def run_compare(args: argparse.Namespace) -> None:
    """Print the comparison's summary as one JSON object; write the per-row agreement."""
    from embedding_space.analysis.comparison import compare_embeddings

    frame_a, vectors_a, metadata_a = read_embedded(args.first)
    frame_b, vectors_b, metadata_b = read_embedded(args.second)
    if len(frame_a) != len(frame_b):
        raise InputError(
            f"'{args.first}' has {len(frame_a)} rows and '{args.second}' {len(frame_b)}: "
            "compare two embeddings of the same rows."
        )
    texts_a = frame_a[find_text_column(frame_a, metadata_a)].astype(str).tolist()
    texts_b = frame_b[find_text_column(frame_b, metadata_b)].astype(str).tolist()
    if texts_a != texts_b:
        raise InputError("The two files do not hold the same texts in the same order.")
    labels = None
    if args.label_column is not None:
        if args.label_column not in frame_a.columns:
            raise InputError(f"There is no column '{args.label_column}' in '{args.first}'.")
        labels = frame_a[args.label_column].astype(str).tolist()
    comparison = compare_embeddings(vectors_a, vectors_b, k=args.k, labels=labels)
    summary = {
        "model_a": metadata_a.get("model"),
        "model_b": metadata_b.get("model"),
        "rows": len(frame_a),
        "k": args.k,
        **comparison.summary(),
        "chance_agreement": comparison.chance,
    }
    print(json.dumps(summary))
    if args.output is not None:
        rows = pd.DataFrame(
            {
                "row": range(len(frame_a)),
                "text": texts_a,
                "agreement": comparison.agreement,
                "neighbors_a": list(comparison.neighbors_a),
                "neighbors_b": list(comparison.neighbors_b),
            }
        )
        write_parquet(rows, args.output, {"compare": [args.first, args.second], "k": args.k})
        say(f"Wrote each row's agreement to {args.output}.")
