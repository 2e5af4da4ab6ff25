"""The command line: ``python -m embedding_space VERB ...``.

Errors a user can fix print one line on stderr and exit with status 2; nothing else is caught,
so a real bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.types import ProgressCallback

__all__ = ["main", "main_exit"]

EMBEDDING_COLUMN = "embedding"
_METADATA_KEY = b"embedding_space"
EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        # argparse's own usage errors follow the same rule: one line, status 2.
        self.exit(EXIT_USER_ERROR, f"error: {message} (see '{self.prog} --help')\n")


_CLI_ALIASES = {"n_components": "--dims", "random_state": "--seed"}
"""Short flags kept beside the scikit-learn names (``--n-components``, ``--random-state``)."""


def _build_parser() -> argparse.ArgumentParser:
    from embedding_space.analysis.clustering import CLUSTER_METHODS
    from embedding_space.analysis.projection import PARAMETERS
    from embedding_space.analysis.similarity import METRICS
    from embedding_space.embed.base import DEFAULT_BATCH_SIZE
    from embedding_space.embed.sentence import DEFAULT_MODEL

    parser = _Parser(
        prog="embedding-space",
        description="Embed texts, project them to 2-D/3-D and find nearest neighbours.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    embed = verbs.add_parser("embed", help="embed a file of texts into a parquet file")
    embed.add_argument("input", help="a .txt, .csv, .tsv, .jsonl, .json, .parquet or .xlsx file")
    embed.add_argument("--output", "-o", required=True, help="the parquet file to write")
    embed.add_argument("--text-column", help="the column of text (guessed when absent)")
    embed.add_argument("--model", default=DEFAULT_MODEL, help=f"default: {DEFAULT_MODEL}")
    embed.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    embed.add_argument("--no-cache", action="store_true", help="do not read or fill the cache")

    project = verbs.add_parser("project", help="add x, y (and z) columns to an embedded file")
    project.add_argument("input", help="a parquet file written by 'embed'")
    project.add_argument("--output", "-o", required=True)
    for parameter in PARAMETERS.values():
        flags = [f"--{parameter.name.replace('_', '-')}"]
        if parameter.name in _CLI_ALIASES:
            flags.append(_CLI_ALIASES[parameter.name])
        bounds = f" ({parameter.low:g} to {parameter.high:g})" if parameter.low is not None else ""
        project.add_argument(
            *flags,
            dest=parameter.name,
            type=parameter.kind,
            default=parameter.default,
            choices=parameter.choices or None,
            help=f"{parameter.help}{bounds} Default: {parameter.default}.",
        )

    neighbors = verbs.add_parser("neighbors", help="print the nearest rows as JSON lines")
    neighbors.add_argument("input", help="a parquet file written by 'embed'")
    target = neighbors.add_mutually_exclusive_group(required=True)
    target.add_argument("--query", help="a free text to search for")
    target.add_argument("--row", type=int, help="a row number (0-based) of the file")
    neighbors.add_argument("-k", type=int, default=10)
    neighbors.add_argument("--metric", choices=METRICS, default="cosine")
    neighbors.add_argument("--model", help="the model for --query (default: the one that embedded)")

    inspect = verbs.add_parser("inspect", help="print what the loader sees in a file, as JSON")
    inspect.add_argument("input")
    inspect.add_argument("--text-column")

    cluster = verbs.add_parser("cluster", help="add cluster and cluster_label columns")
    cluster.add_argument("input", help="a parquet file written by 'embed'")
    cluster.add_argument("--output", "-o", required=True)
    cluster.add_argument("--method", choices=CLUSTER_METHODS, default="kmeans")
    cluster.add_argument(
        "--k", type=int, default=None, help="KMeans's clusters (suggested if absent)"
    )
    cluster.add_argument(
        "--min-cluster-size", type=int, default=10, help="HDBSCAN's smallest group"
    )
    cluster.add_argument("--seed", type=int, default=42)

    search = verbs.add_parser("search", help="print the rows a search finds, as JSON lines")
    search.add_argument("input", help="a parquet file written by 'embed'")
    how = search.add_mutually_exclusive_group(required=True)
    how.add_argument("--text", help="rows containing this text (case-insensitive)")
    how.add_argument("--regex", help="rows a Python regular expression matches")
    how.add_argument("--semantic", help="rows nearest in meaning to this sentence")
    search.add_argument("-k", type=int, default=10, help="at most this many rows")
    search.add_argument("--column", help="the column to search (default: the text column)")
    search.add_argument("--model", help="the model for --semantic (default: the one that embedded)")

    demo = verbs.add_parser("demo", help="prepare the bundled demo dataset in the workspace")
    demo.add_argument("--model", default=DEFAULT_MODEL)
    return parser


@contextmanager
def _progress_bar(label: str) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing a tqdm bar on a terminal; none when stderr is not one."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=label, unit="text", file=sys.stderr, dynamic_ncols=True) as bar:

        def report(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        yield report


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _read_embedded(path: str) -> tuple[pd.DataFrame, npt.NDArray[np.float32], dict[str, Any]]:
    import pyarrow.parquet as pq

    source = Path(path)
    if not source.is_file():
        raise InputError(f"There is no file '{path}'.")
    try:
        table = pq.read_table(source)
    except Exception as error:
        raise InputError(f"'{path}' is not a readable parquet file ({error}).") from error
    raw = (table.schema.metadata or {}).get(_METADATA_KEY)
    metadata: dict[str, Any] = json.loads(raw) if raw else {}
    frame = table.to_pandas()
    if EMBEDDING_COLUMN not in frame.columns:
        raise InputError(
            f"'{path}' has no '{EMBEDDING_COLUMN}' column; create it with "
            "'python -m embedding_space embed'."
        )
    try:
        vectors = np.stack(
            [np.asarray(value, dtype=np.float32) for value in frame[EMBEDDING_COLUMN]]
        )
    except ValueError as error:
        raise InputError(
            f"The '{EMBEDDING_COLUMN}' column of '{path}' has rows of unequal length."
        ) from error
    return frame, vectors, metadata


def _write_parquet(frame: pd.DataFrame, path: str, metadata: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = Path(path)
    if target.suffix.lower() != ".parquet":
        raise InputError(f"The output must be a .parquet file, not '{path}'.")
    if not target.parent.exists():
        raise InputError(f"The folder '{target.parent}' does not exist.")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), _METADATA_KEY: json.dumps(metadata).encode()}
    )
    temporary = target.with_name(f".{target.name}.tmp")
    pq.write_table(table, temporary)
    os.replace(temporary, target)


def _run_embed(args: argparse.Namespace) -> None:
    from embedding_space.embed import embed, load_embedder
    from embedding_space.io.tables import read_table
    from embedding_space.store.workspace import default_home

    if args.batch_size < 1:
        raise InputError(f"--batch-size must be a positive number, not {args.batch_size}.")
    table = read_table(args.input, text_column=args.text_column)
    if args.text_column is None:
        _say(f"Using column '{table.text_column}' as the text (choose another with --text-column).")
    for reason, count in table.dropped.items():
        _say(f"Dropped {count} row(s): {reason}.")
    for warning in table.warnings:
        _say(f"Warning: {warning}")
    embedder = load_embedder(args.model)
    cache = None
    if not args.no_cache:
        from embedding_space.embed.cache import EmbeddingCache

        cache = EmbeddingCache(default_home())
    with _progress_bar("Embedding") as report:
        result = embed(
            table.texts, embedder, cache=cache, batch_size=args.batch_size, progress=report
        )
    frame = table.frame.copy()
    if EMBEDDING_COLUMN in frame.columns:
        frame = frame.drop(columns=[EMBEDDING_COLUMN])
    vectors = result.vectors
    frame[EMBEDDING_COLUMN] = list(vectors)
    _write_parquet(
        frame,
        args.output,
        {"model": embedder.name, "cache_key": embedder.cache_key, "text_column": table.text_column},
    )
    if result.truncated:
        _say(
            f"{result.truncated} text(s) were longer than the model reads "
            f"({embedder.max_seq_length} tokens) and were truncated."
        )
    _say(
        f"Embedded {len(frame)} text(s) with {embedder.name} ({result.from_cache} from the cache) "
        f"into {args.output}."
    )


def _run_project(args: argparse.Namespace) -> None:
    from embedding_space.analysis.projection import PARAMETERS, ProjectionParams, project

    frame, vectors, metadata = _read_embedded(args.input)
    params = ProjectionParams(**{name: getattr(args, name) for name in PARAMETERS})
    result = project(vectors, params)
    if result.note:
        _say(result.note)
    dims = params.n_components
    for axis, name in enumerate("xyz"[:dims]):
        frame[name] = result.coordinates[:, axis]
    if dims == 2 and "z" in frame.columns:
        frame = frame.drop(columns=["z"])
    _write_parquet(frame, args.output, {**metadata, "projection": params.relevant()})
    _say(f"Projected {len(frame)} row(s) with {result.method} to {dims}-D into {args.output}.")


def _run_neighbors(args: argparse.Namespace) -> None:
    from embedding_space.analysis.neighbors import top_k

    frame, vectors, metadata = _read_embedded(args.input)
    if args.k < 1:
        raise InputError(f"-k must be at least 1, not {args.k}.")
    text_column = _text_column(frame, metadata)
    exclude = None
    if args.row is not None:
        if not 0 <= args.row < len(frame):
            raise InputError(f"--row must be between 0 and {len(frame) - 1}, not {args.row}.")
        query = vectors[args.row]
        exclude = args.row
    else:
        from embedding_space.embed import embed_query, load_embedder

        if not args.query.strip():
            raise InputError("--query is empty; give a text to search for.")
        model = args.model or metadata.get("model")
        if not model:
            raise InputError("The file does not say which model embedded it; pass --model.")
        query = embed_query(args.query, load_embedder(model), dimension=vectors.shape[1])
    for neighbor in top_k(vectors, query, args.k, args.metric, exclude=exclude):
        line = {
            "rank": neighbor.rank,
            "row": neighbor.row,
            "score": round(neighbor.score, 6),
            "text": str(frame[text_column].iloc[neighbor.row]),
        }
        print(json.dumps(line, ensure_ascii=False))


def _text_column(frame: pd.DataFrame, metadata: dict[str, Any]) -> str:
    from embedding_space.io.columns import guess_text_column

    column = metadata.get("text_column")
    if column in frame.columns:
        return str(column)
    return guess_text_column(frame.drop(columns=[EMBEDDING_COLUMN]))


def _run_cluster(args: argparse.Namespace) -> None:
    from embedding_space.analysis.clustering import ClusterParams, cluster, suggest_n_clusters

    frame, vectors, metadata = _read_embedded(args.input)
    texts = frame[_text_column(frame, metadata)].astype(str).tolist()
    k = args.k
    if args.method == "kmeans" and k is None:
        k, scores = suggest_n_clusters(vectors, random_state=args.seed)
        _say(
            f"Suggested --k {k}: the best silhouette (cosine) of k = {min(scores)}..{max(scores)}."
        )
    params = ClusterParams(
        method=args.method,
        n_clusters=k or 8,
        min_cluster_size=args.min_cluster_size,
        random_state=args.seed,
    )
    result = cluster(vectors, params, texts)
    if result.note:
        _say(result.note)
    frame = frame.drop(columns=[c for c in ("cluster", "cluster_label") if c in frame.columns])
    frame["cluster"] = result.labels
    frame["cluster_label"] = result.row_names()
    _write_parquet(frame, args.output, {**metadata, "clusters": params.relevant()})
    sizes = result.sizes()
    _say(
        f"Found {sum(1 for c in sizes if c >= 0)} clusters with {params.describe()}"
        + (f" ({sizes[-1]} rows of noise)" if -1 in sizes else "")
        + f"; wrote {args.output}."
    )


def _run_search(args: argparse.Namespace) -> None:
    from embedding_space.analysis.search import rows_containing, rows_matching, semantic_search

    frame, vectors, metadata = _read_embedded(args.input)
    if args.k < 1:
        raise InputError(f"-k must be at least 1, not {args.k}.")
    text_column = _text_column(frame, metadata)
    column = args.column or text_column
    if column not in frame.columns or column == EMBEDDING_COLUMN:
        names = ", ".join(c for c in frame.columns if c != EMBEDDING_COLUMN)
        raise InputError(f"There is no column '{column}' to search. Pick one of: {names}.")
    if args.semantic is not None:
        from embedding_space.embed import embed_query, load_embedder

        model = args.model or metadata.get("model")
        if not model:
            raise InputError("The file does not say which model embedded it; pass --model.")
        query = embed_query(args.semantic, load_embedder(model), dimension=vectors.shape[1])
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


def _run_inspect(args: argparse.Namespace) -> None:
    from embedding_space.io.tables import describe, read_table

    print(
        json.dumps(
            describe(read_table(args.input, text_column=args.text_column)), ensure_ascii=False
        )
    )


def _run_demo(args: argparse.Namespace) -> None:
    from embedding_space.analysis.projection import ProjectionParams
    from embedding_space.demo import ensure_demo
    from embedding_space.embed.sentence import load_embedder
    from embedding_space.store.workspace import Workspace

    workspace = Workspace()
    info = ensure_demo(workspace)
    embedder = load_embedder(args.model)
    with _progress_bar("Embedding the demo") as report:
        vectors = workspace.embeddings(info.id, embedder, progress=report)
    workspace.projection(info.id, embedder.cache_key, vectors, ProjectionParams())
    _say(f"The demo dataset ({info.rows} texts) is embedded and mapped in {workspace.root}.")


_VERBS = {
    "embed": _run_embed,
    "project": _run_project,
    "neighbors": _run_neighbors,
    "inspect": _run_inspect,
    "cluster": _run_cluster,
    "search": _run_search,
    "demo": _run_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; return the exit status (0, or 2 for an error the user can fix)."""
    args = _build_parser().parse_args(argv)
    try:
        _VERBS[args.verb](args)
    except InputError as error:
        _say(f"error: {error}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        _say("Interrupted; completed batches are kept in the cache.")
        return 130
    except BrokenPipeError:
        return 0
    return 0


def main_exit() -> None:
    """The ``embedding-space`` command: :func:`main`, its status as the exit status."""
    sys.exit(main())
