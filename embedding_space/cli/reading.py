"""The verbs that read the space: cluster, search, outliers, duplicates, arithmetic, quality."""

from __future__ import annotations

import argparse
import json

from embedding_space.cli.files import (
    EMBEDDING_COLUMN,
    find_text_column,
    query_embedder,
    read_embedded,
    say,
    write_parquet,
)
from embedding_space.errors import InputError

__all__ = [
    "run_arithmetic",
    "run_cluster",
    "run_duplicates",
    "run_outliers",
    "run_quality",
    "run_search",
]


def run_cluster(args: argparse.Namespace) -> None:
    from embedding_space.analysis.clustering import ClusterParams, cluster, suggest_n_clusters

    frame, vectors, metadata = read_embedded(args.input)
    texts = frame[find_text_column(frame, metadata)].astype(str).tolist()
    k = args.k
    if args.method == "kmeans" and k is None:
        k, scores = suggest_n_clusters(vectors, random_state=args.seed)
        say(f"Suggested --k {k}: the best silhouette (cosine) of k = {min(scores)}..{max(scores)}.")
    params = ClusterParams(
        method=args.method,
        n_clusters=k or 8,
        min_cluster_size=args.min_cluster_size,
        random_state=args.seed,
    )
    result = cluster(vectors, params, texts)
    if result.note:
        say(result.note)
    frame = frame.drop(columns=[c for c in ("cluster", "cluster_label") if c in frame.columns])
    frame["cluster"] = result.labels
    frame["cluster_label"] = result.row_names()
    write_parquet(frame, args.output, {**metadata, "clusters": params.relevant()})
    sizes = result.sizes()
    say(
        f"Found {sum(1 for c in sizes if c >= 0)} clusters with {params.describe()}"
        + (f" ({sizes[-1]} rows of noise)" if -1 in sizes else "")
        + f"; wrote {args.output}."
    )


def run_search(args: argparse.Namespace) -> None:
    from embedding_space.analysis.search import rows_containing, rows_matching, semantic_search

    frame, vectors, metadata = read_embedded(args.input)
    if args.k < 1:
        raise InputError(f"-k must be at least 1, not {args.k}.")
    text_column = find_text_column(frame, metadata)
    column = args.column or text_column
    if column not in frame.columns or column == EMBEDDING_COLUMN:
        names = ", ".join(c for c in frame.columns if c != EMBEDDING_COLUMN)
        raise InputError(f"There is no column '{column}' to search. Pick one of: {names}.")
    if args.semantic is not None:
        from embedding_space.embed import embed_query

        embedder = query_embedder(args.input, metadata, args.model)
        query = embed_query(args.semantic, embedder, dimension=vectors.shape[1])
        found = [(match.row, match.score) for match in semantic_search(vectors, query, args.k)]
    else:
        values = frame[column].astype(str).tolist()
        if args.text is not None:
            rows = rows_containing(values, args.text)
        else:
            rows = rows_matching(values, args.regex)
        found = [(row, 1.0) for row in rows[: args.k]]
    for row, score in found:
        line = {"row": row, "score": round(score, 6), "text": str(frame[text_column].iloc[row])}
        print(json.dumps(line, ensure_ascii=False))


def _print(line: dict[str, object]) -> None:
    print(json.dumps(line, ensure_ascii=False))


def run_outliers(args: argparse.Namespace) -> None:
    from embedding_space.analysis.ann import neighbor_graph
    from embedding_space.analysis.outliers import outlier_scores, top_outliers

    frame, vectors, metadata = read_embedded(args.input)
    if args.k < 1 or args.top < 1:
        raise InputError("-k and --top must be at least 1.")
    texts = frame[find_text_column(frame, metadata)].astype(str).tolist()
    graph = neighbor_graph(vectors, n_neighbors=max(args.k, 1))
    scores = outlier_scores(graph, args.k, method=args.method, vectors=vectors)
    for outlier in top_outliers(scores, graph, args.top):
        _print({"row": outlier.row, "score": round(outlier.score, 6), "text": texts[outlier.row]})


def run_duplicates(args: argparse.Namespace) -> None:
    from embedding_space.analysis.ann import neighbor_graph
    from embedding_space.analysis.outliers import near_duplicates

    frame, vectors, metadata = read_embedded(args.input)
    texts = frame[find_text_column(frame, metadata)].astype(str).tolist()
    for group in near_duplicates(neighbor_graph(vectors), args.threshold):
        _print({"rows": group.rows, "score": group.score, "texts": [texts[r] for r in group.rows]})


def run_arithmetic(args: argparse.Namespace) -> None:
    from pathlib import Path

    from embedding_space.analysis.concepts import combine_terms, parse_expression
    from embedding_space.analysis.neighbors import top_k
    from embedding_space.embed import embed

    frame, vectors, metadata = read_embedded(args.input)
    if args.k < 1:
        raise InputError(f"-k must be at least 1, not {args.k}.")
    texts = frame[find_text_column(frame, metadata)].astype(str).tolist()
    if args.file is not None:
        try:
            lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise InputError(f"The file '{args.file}' could not be read ({error}).") from None
        expressions = [line.strip() for line in lines if line.strip()]
    else:
        expressions = [args.expression]
    embedder = query_embedder(args.input, metadata, args.model)
    row_of = {text: row for row, text in reversed(list(enumerate(texts)))}
    for expression in expressions:
        terms = parse_expression(expression)
        term_vectors = embed([term.text for term in terms], embedder).vectors
        query = combine_terms(term_vectors, [term.sign for term in terms])
        own = {row_of[term.text] for term in terms if term.text in row_of}
        found = [n for n in top_k(vectors, query, args.k + len(own)) if n.row not in own]
        for rank, neighbor in enumerate(found[: args.k], start=1):
            _print(
                {
                    "expression": expression,
                    "rank": rank,
                    "row": neighbor.row,
                    "score": round(neighbor.score, 6),
                    "text": texts[neighbor.row],
                }
            )


def run_quality(args: argparse.Namespace) -> None:
    import numpy as np

    from embedding_space.analysis.agreement import map_trust
    from embedding_space.analysis.ann import neighbor_graph

    frame, vectors, _ = read_embedded(args.input)
    mapped, _, _ = read_embedded(args.projection, need_embedding=False)
    axes = [axis for axis in ("x", "y", "z") if axis in mapped.columns]
    if len(axes) < 2 or len(mapped) != len(frame):
        raise InputError(
            f"'{args.projection}' needs x and y columns (as 'project' writes) for the same "
            f"{len(frame)} rows."
        )
    coordinates = np.ascontiguousarray(mapped[axes].to_numpy(dtype=np.float32))
    labels = None
    if args.label_column is not None:
        if args.label_column not in frame.columns:
            raise InputError(f"There is no column '{args.label_column}' in '{args.input}'.")
        labels = frame[args.label_column].astype(str).tolist()
    graph = neighbor_graph(vectors, n_neighbors=args.k)
    trust = map_trust(vectors, coordinates, graph, k=args.k, labels=labels)
    print(json.dumps(trust.summary()))
