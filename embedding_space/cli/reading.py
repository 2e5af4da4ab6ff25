"""The verbs that read the space: cluster, search, outliers, duplicates, arithmetic, quality,
label-issues.

Each opens the file as a :class:`~embedding_space.store.space.Space` and asks it the same
question the app's panel asks, so both give the same answer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from embedding_space.cli.files import open_input, print_line, read_input, say
from embedding_space.errors import InputError
from embedding_space.store.files import write_parquet

__all__ = [
    "run_arithmetic",
    "run_cluster",
    "run_duplicates",
    "run_label_issues",
    "run_outliers",
    "run_quality",
    "run_search",
]


def run_cluster(args: argparse.Namespace) -> None:
    from embedding_space.analysis.clustering import ClusterParams, suggest_n_clusters

    file, space = open_input(args)
    n_clusters = args.n_clusters
    if args.cluster_method == "kmeans" and n_clusters is None:
        n_clusters, scores = suggest_n_clusters(space.vectors, random_state=args.random_state)
        say(
            f"Suggested --k {n_clusters}: the best silhouette (cosine) of k = {min(scores)}.."
            f"{max(scores)}."
        )
    params = ClusterParams(
        method=args.cluster_method,
        n_clusters=n_clusters or ClusterParams().n_clusters,
        min_cluster_size=args.min_cluster_size,
        random_state=args.random_state,
    )
    result = space.clustering(params)
    if result.note:
        say(result.note)
    # A file clustered before keeps none of its old cluster columns, coarse ones included.
    old = ["cluster", "cluster_label", "coarse_cluster", "coarse_cluster_label"]
    frame = file.frame.drop(columns=old, errors="ignore")
    frame["cluster"] = result.labels
    frame["cluster_label"] = result.row_names()
    described: dict[str, object] = dict(params.relevant())
    if args.n_coarse_clusters is not None:
        hierarchy = space.cluster_hierarchy(params, args.n_coarse_clusters)
        if hierarchy.note:
            say(hierarchy.note)
        frame["coarse_cluster"] = hierarchy.coarse.labels
        frame["coarse_cluster_label"] = hierarchy.coarse.row_names()
        described["n_coarse_clusters"] = args.n_coarse_clusters
    write_parquet(frame, args.output, {**file.metadata, "clusters": described})
    sizes = result.sizes()
    say(
        f"Found {sum(1 for c in sizes if c >= 0)} clusters with {params.describe()}"
        + (f" ({sizes[-1]} rows of noise)" if -1 in sizes else "")
        + f"; wrote {args.output}."
    )


def run_search(args: argparse.Namespace) -> None:
    _, space = open_input(args)
    kind, query = next(
        (kind, text)
        for kind, text in (("text", args.text), ("regex", args.regex), ("semantic", args.semantic))
        if text is not None
    )
    for match in space.search(query, kind, column=args.column, k=args.search_k):
        print_line(
            {"row": match.row, "score": round(match.score, 6), "text": space.texts[match.row]}
        )


def run_outliers(args: argparse.Namespace) -> None:
    _, space = open_input(args)
    for outlier in space.outliers(args.outlier_k, args.outlier_method, args.outlier_top):
        print_line(
            {"row": outlier.row, "score": round(outlier.score, 6), "text": space.texts[outlier.row]}
        )


def run_label_issues(args: argparse.Namespace) -> None:
    if args.top is not None and args.top < 1:
        raise InputError(f"--top must be at least 1, not {args.top}.")
    _, space = open_input(args)
    found = space.label_issues(args.label_column, args.label_k)
    left_out = [
        f"{len(rows)} row(s) {why}"
        for rows, why in (
            (found.unlabelled, "without a label"),
            (found.unchecked, "with no labelled row among their nearest"),
        )
        if rows
    ]
    say(
        f"{found.flagged_count} of {len(found.ranked())} labelled row(s) look mislabelled "
        f"(their {found.k} nearest rows mostly say otherwise)"
        + (f"; left out: {' and '.join(left_out)}." if left_out else ".")
    )
    chosen = found.top(args.top) if args.top is not None else found.top(flagged_only=True)
    for issue in chosen:
        print_line(
            {
                "row": issue.row,
                "label": issue.label,
                "suggested": issue.suggested,
                "score": round(issue.score, 6),
            }
        )


def run_duplicates(args: argparse.Namespace) -> None:
    _, space = open_input(args)
    for group in space.duplicates(args.duplicate_threshold):
        print_line(
            {
                "rows": group.rows,
                "score": group.score,
                "texts": [space.texts[r] for r in group.rows],
            }
        )


def run_arithmetic(args: argparse.Namespace) -> None:
    _, space = open_input(args)
    if args.file is not None:
        try:
            lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InputError(f"The file '{args.file}' could not be read ({error}).") from None
        except UnicodeDecodeError:
            raise InputError(
                f"The file '{args.file}' is not UTF-8 text. Save the expressions as UTF-8, one "
                "a line."
            ) from None
        expressions = [line.strip() for line in lines if line.strip()]
    else:
        expressions = [args.expression]
    for expression in expressions:
        for neighbor in space.arithmetic(expression, args.arithmetic_k).neighbors:
            print_line(
                {
                    "expression": expression,
                    "rank": neighbor.rank,
                    "row": neighbor.row,
                    "score": round(neighbor.score, 6),
                    "text": space.texts[neighbor.row],
                }
            )


def run_quality(args: argparse.Namespace) -> None:
    import numpy as np

    _, space = open_input(args)
    mapped = read_input(args.projection, need_embedding=False).frame
    axes = [axis for axis in ("x", "y", "z") if axis in mapped.columns]
    if len(axes) < 2 or len(mapped) != space.rows:
        raise InputError(
            f"'{args.projection}' needs x and y columns (as 'project' writes) for the same "
            f"{space.rows} rows."
        )
    coordinates = np.ascontiguousarray(mapped[axes].to_numpy(dtype=np.float32))
    trust = space.trust_of(coordinates, args.trust_k, args.label_column)
    print(json.dumps(trust.summary()))
