"""The parser of every verb, and ``main``, which runs one."""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from embedding_space.cli import (
    batches,
    comparing,
    drifting,
    mcp,
    opening,
    reading,
    story,
    tagging,
    verbs,
)
from embedding_space.cli.files import say
from embedding_space.errors import InputError

__all__ = ["DEBUG_VARIABLE", "main", "main_exit"]

DEBUG_VARIABLE = "EMBEDDING_SPACE_DEBUG"
"""Set to show the traceback of an unexpected failure instead of one line."""

EXIT_USER_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        # argparse's own usage errors follow the same rule: one line, status 2.
        self.exit(EXIT_USER_ERROR, f"error: {message} (see '{self.prog} --help')\n")


_CLI_ALIASES = {"n_components": "--dims", "random_state": "--seed"}
"""Short flags kept beside the scikit-learn names (``--n-components``, ``--random-state``)."""


def _typed(kind: type[int] | type[float] | type[str]) -> Callable[[str], object]:
    """An option's value from its text; a float must be finite, so that ``--min-dist nan``
    ends as one line rather than deep inside UMAP."""
    if kind is not float:
        return kind

    def finite(text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, not {text!r}") from None
        if not math.isfinite(number):
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
        return number

    return finite


_FROM_TABLE = object()
"""An option's default is its setting's."""


class _Settings:
    """Adds options built from the settings table, and checks their values once parsed, the
    message naming the flag the user typed."""

    def __init__(self) -> None:
        self.flags: dict[str, str] = {}

    def add(
        self,
        parser: argparse.ArgumentParser,
        *flags: str,
        name: str,
        default: object = _FROM_TABLE,
        help: str | None = None,
    ) -> None:
        from embedding_space.analysis.parameters import SETTINGS

        parameter = SETTINGS[name]
        chosen = parameter.default if default is _FROM_TABLE else default
        shown = "suggested" if chosen is None else chosen
        parser.add_argument(
            *flags,
            dest=name,
            type=_typed(parameter.kind),
            default=chosen,
            choices=parameter.choices or None,
            metavar=None if parameter.choices else {int: "N", float: "X"}.get(parameter.kind),
            help=f"{help or parameter.help}{parameter.bounds} Default: {shown}.",
        )
        self.flags[name] = flags[0]

    def check(self, args: argparse.Namespace) -> None:
        """Raise an ``InputError`` for a value outside its setting's bounds."""
        from embedding_space.analysis.parameters import SETTINGS

        for name, flag in self.flags.items():
            value = getattr(args, name, None)
            if value is not None:
                SETTINGS[name].check(value, shown=flag)


def _build_parser() -> tuple[argparse.ArgumentParser, _Settings]:
    from embedding_space.analysis.clustering import ClusterParams
    from embedding_space.analysis.projection import PARAMETERS
    from embedding_space.embed.base import DEFAULT_BATCH_SIZE
    from embedding_space.embed.sentence import BACKENDS, DEFAULT_MODEL, PRECISIONS

    settings = _Settings()
    parser = _Parser(
        prog="embedding-space",
        description="Embed texts, project them to 2-D/3-D and find nearest neighbours.",
    )
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    embed = verbs.add_parser("embed", help="embed a file of texts into a parquet file")
    embed.add_argument("input", help="a .txt, .csv, .tsv, .jsonl, .json, .parquet or .xlsx file")
    embed.add_argument("--output", "-o", required=True, help="the parquet file to write")
    embed.add_argument("--text-column", help="the column of text (guessed when absent)")
    embed.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"default: {DEFAULT_MODEL}; 'preview' for its fast static preview (hundreds of "
        "times faster, less faithful); or a traditional one fitted on the file: "
        "bow, onehot, tfidf, lsa or lsa:DIM",
    )
    embed.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    embed.add_argument("--no-cache", action="store_true", help="do not read or fill the cache")
    embed.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="bf16 is about twice as fast where the processor has bfloat16 instructions "
        "(auto uses it there); fp32 computes in float32",
    )
    embed.add_argument(
        "--backend",
        choices=BACKENDS,
        default=None,
        help="what runs the model: openvino (a stream per core; BERT models with mean pooling, "
        "the bundled one among them), torch (sentence-transformers, any model); auto: openvino "
        "where it runs the model",
    )
    embed.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="ray runs the embedding as a Ray Data job (pip install 'ray[data]'); "
        "it does not use the local cache",
    )
    embed.add_argument(
        "--address", help="with --engine ray: the cluster to join (default: a local Ray)"
    )

    project = verbs.add_parser("project", help="add x, y (and z) columns to an embedded file")
    project.add_argument("input", help="a parquet file written by 'embed'")
    project.add_argument("--output", "-o", required=True)
    for parameter in PARAMETERS.values():
        flags = [f"--{parameter.name.replace('_', '-')}"]
        if parameter.name in _CLI_ALIASES:
            flags.append(_CLI_ALIASES[parameter.name])
        project.add_argument(
            *flags,
            dest=parameter.name,
            type=_typed(parameter.kind),
            default=parameter.default,
            choices=parameter.choices or None,
            help=f"{parameter.help}{parameter.bounds} Default: {parameter.default}.",
        )

    neighbors = verbs.add_parser("neighbors", help="print the nearest rows as JSON lines")
    neighbors.add_argument("input", help="a parquet file written by 'embed'")
    target = neighbors.add_mutually_exclusive_group(required=True)
    target.add_argument("--query", help="a free text to search for")
    target.add_argument("--row", type=int, help="a row number (0-based) of the file")
    settings.add(neighbors, "-k", name="neighbor_k")
    settings.add(neighbors, "--metric", name="neighbor_metric")
    neighbors.add_argument("--model", help="the model for --query (default: the one that embedded)")

    inspect = verbs.add_parser("inspect", help="print what the loader sees in a file, as JSON")
    inspect.add_argument("input")
    inspect.add_argument("--text-column")

    cluster = verbs.add_parser("cluster", help="add cluster and cluster_label columns")
    cluster.add_argument("input", help="a parquet file written by 'embed'")
    cluster.add_argument("--output", "-o", required=True)
    settings.add(cluster, "--method", name="cluster_method")
    settings.add(cluster, "--k", "--n-clusters", name="n_clusters", default=None)
    settings.add(cluster, "--min-cluster-size", name="min_cluster_size")
    settings.add(
        cluster,
        "--coarse",
        name="n_coarse_clusters",
        default=None,
        help="Also add coarse_cluster and coarse_cluster_label: the clusters gathered into "
        "this many coarse groups (0: about the square root of the clusters, 2 to 12).",
    )
    cluster.add_argument(
        "--random-state",
        "--seed",
        dest="random_state",
        type=int,
        default=ClusterParams().random_state,
        help="KMeans's seed",
    )

    search = verbs.add_parser("search", help="print the rows a search finds, as JSON lines")
    search.add_argument("input", help="a parquet file written by 'embed'")
    how = search.add_mutually_exclusive_group(required=True)
    how.add_argument("--text", help="rows containing this text (case-insensitive)")
    how.add_argument("--regex", help="rows a Python regular expression matches")
    how.add_argument("--semantic", help="rows nearest in meaning to this sentence")
    settings.add(search, "-k", name="search_k", help="At most this many rows.")
    search.add_argument("--column", help="the column to search (default: the text column)")
    search.add_argument("--model", help="the model for --semantic (default: the one that embedded)")

    outliers = verbs.add_parser("outliers", help="print the rows furthest from the rest")
    outliers.add_argument("input", help="a parquet file written by 'embed'")
    settings.add(outliers, "-k", name="outlier_k")
    settings.add(outliers, "--top", name="outlier_top")
    settings.add(outliers, "--method", name="outlier_method")

    duplicates = verbs.add_parser("duplicates", help="print sets of near-duplicate rows")
    duplicates.add_argument("input", help="a parquet file written by 'embed'")
    settings.add(duplicates, "--threshold", name="duplicate_threshold")

    arithmetic = verbs.add_parser("arithmetic", help="rows nearest 'king - man + woman'")
    arithmetic.add_argument("input", help="a parquet file written by 'embed'")
    expression = arithmetic.add_mutually_exclusive_group(required=True)
    expression.add_argument("--expression", help='texts joined by " + " and " - "')
    expression.add_argument("--file", help="a text file of expressions, one per line")
    settings.add(arithmetic, "-k", name="arithmetic_k")
    arithmetic.add_argument("--model", help="default: the model that embedded the file")

    quality = verbs.add_parser("quality", help="how far a map keeps the space's neighbours")
    quality.add_argument("input", help="a parquet file written by 'embed'")
    quality.add_argument("--projection", required=True, help="a parquet file from 'project'")
    settings.add(quality, "-k", name="trust_k")
    quality.add_argument("--label-column", help="a column of labels for the label figures")

    labels = verbs.add_parser(
        "label-issues", help="print the rows whose label looks wrong, most suspect first"
    )
    labels.add_argument("input", help="a parquet file written by 'embed'")
    labels.add_argument("--label-column", required=True, help="the column of labels to check")
    settings.add(labels, "-k", name="label_k")
    labels.add_argument(
        "--top",
        type=int,
        metavar="N",
        help="the N most suspect rows, flagged or not (default: every row flagged as wrong)",
    )

    compare = verbs.add_parser("compare", help="compare two embeddings of the same rows")
    compare.add_argument("first", help="a parquet file written by 'embed' (A)")
    compare.add_argument("second", help="another embedding of the same rows (B)")
    settings.add(compare, "-k", name="compare_k")
    compare.add_argument("--label-column", help="a column of labels for kNN label accuracy")
    compare.add_argument("--output", "-o", help="a parquet file for each row's agreement")

    drifting.add_drift_parser(verbs, settings)

    demo = verbs.add_parser("demo", help="prepare the bundled demo dataset in the workspace")
    demo.add_argument("--model", default=DEFAULT_MODEL)

    story.add_story_parser(verbs)
    tagging.add_tag_parser(verbs)
    batches.add_add_parser(verbs)
    opening.add_app_parsers(verbs)
    mcp.add_mcp_parser(verbs)
    return parser, settings


_VERBS = {
    "embed": verbs.run_embed,
    "project": verbs.run_project,
    "neighbors": verbs.run_neighbors,
    "inspect": verbs.run_inspect,
    "cluster": reading.run_cluster,
    "search": reading.run_search,
    "outliers": reading.run_outliers,
    "duplicates": reading.run_duplicates,
    "arithmetic": reading.run_arithmetic,
    "quality": reading.run_quality,
    "label-issues": reading.run_label_issues,
    "compare": comparing.run_compare,
    "drift": drifting.run_drift,
    "demo": verbs.run_demo,
    "story": story.run_story,
    "tag": tagging.run_tag,
    "add": batches.run_add,
    "app": opening.run_app,
    "open": opening.run_open,
    "mcp": mcp.run_mcp,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; return the exit status (0, or 2 for an error the user can fix)."""
    parser, settings = _build_parser()
    args = parser.parse_args(argv)
    try:
        settings.check(args)
        _VERBS[args.verb](args)
    except InputError as error:
        say(f"error: {error}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        say("Interrupted; completed batches are kept in the cache.")
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        say("error: the machine ran out of memory; try a smaller file or fewer rows.")
        return EXIT_USER_ERROR
    except Exception as error:
        # The last guard: whatever a hostile or damaged input reaches, one line, never a
        # traceback (set EMBEDDING_SPACE_DEBUG=1 to see it).
        if os.environ.get(DEBUG_VARIABLE):
            raise
        say(f"error: could not finish ({type(error).__name__}: {_one_line(error)})")
        return EXIT_USER_ERROR
    return 0


def _one_line(error: BaseException, limit: int = 300) -> str:
    flat = " ".join(str(error).split()) or "no details"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def main_exit() -> None:
    """The ``embedding-space`` command: :func:`main`, its status as the exit status."""
    sys.exit(main())
