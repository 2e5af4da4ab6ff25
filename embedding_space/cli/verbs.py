"""The verbs that turn files into vectors and maps: embed, project, neighbors, inspect, demo."""

from __future__ import annotations

import argparse
import json

from embedding_space.cli.files import open_input, print_line, progress_bar, say
from embedding_space.errors import InputError
from embedding_space.store.files import EMBEDDING_COLUMN, fit_path, write_parquet

__all__ = ["run_demo", "run_embed", "run_inspect", "run_neighbors", "run_project"]


def run_embed(args: argparse.Namespace) -> None:
    from embedding_space.embed import embed
    from embedding_space.embed.models import fitted_on, load_model
    from embedding_space.embed.traditional import TraditionalEmbedder
    from embedding_space.io.tables import read_table
    from embedding_space.store.workspace import default_home

    if args.batch_size < 1:
        raise InputError(f"--batch-size must be a positive number, not {args.batch_size}.")
    table = read_table(args.input, text_column=args.text_column)
    if args.text_column is None:
        say(f"Using column '{table.text_column}' as the text (choose another with --text-column).")
    for reason, count in table.dropped.items():
        say(f"Dropped {count} row(s): {reason}.")
    for warning in table.warnings:
        say(f"Warning: {warning}")
    embedder = fitted_on(load_model(args.model, args.precision, args.backend), table.texts)
    if args.engine == "ray" and embedder.fitted_on_corpus:
        raise InputError(
            f"'{args.model}' is fitted on the whole corpus in one process; use the local engine."
        )
    if args.engine == "ray":
        from embedding_space.embed.distributed import embed_with_ray

        with progress_bar("Embedding on Ray") as report:
            vectors = embed_with_ray(
                table.texts,
                args.model,
                address=args.address,
                precision=args.precision,
                backend=args.backend,
                batch_size=args.batch_size,
                progress=report,
            )
        truncated, from_cache = embedder.count_truncated(table.texts), 0
    else:
        cache = None
        if not args.no_cache:
            from embedding_space.embed.cache import EmbeddingCache

            cache = EmbeddingCache(default_home())
        with progress_bar("Embedding") as report:
            result = embed(
                table.texts, embedder, cache=cache, batch_size=args.batch_size, progress=report
            )
        vectors, truncated, from_cache = result.vectors, result.truncated, result.from_cache
    frame = table.frame.copy()
    if EMBEDDING_COLUMN in frame.columns:
        frame = frame.drop(columns=[EMBEDDING_COLUMN])
    frame[EMBEDDING_COLUMN] = list(vectors)
    metadata = {
        "model": embedder.name,
        "cache_key": embedder.cache_key,
        "text_column": table.text_column,
    }
    if isinstance(embedder, TraditionalEmbedder):
        embedder.save(fit_path(args.output))  # queries against the file need the same fit
        metadata["fit"] = fit_path(args.output).name
    write_parquet(frame, args.output, metadata)
    if truncated:
        say(
            f"{truncated} text(s) were longer than the model reads "
            f"({embedder.max_seq_length} tokens) and were truncated."
        )
    say(
        f"Embedded {len(frame)} text(s) with {embedder.name} ({from_cache} from the cache) "
        f"into {args.output}."
    )


def run_project(args: argparse.Namespace) -> None:
    from embedding_space.analysis.projection import PARAMETERS, ProjectionParams

    file, space = open_input(args)
    params = ProjectionParams(**{name: getattr(args, name) for name in PARAMETERS})
    result = space.projection(params)
    if result.note:
        say(result.note)
    frame = file.frame.drop(columns=["x", "y", "z"], errors="ignore")
    for axis, name in enumerate("xyz"[: params.n_components]):
        frame[name] = result.coordinates[:, axis]
    write_parquet(frame, args.output, {**file.metadata, "projection": params.relevant()})
    say(
        f"Projected {len(frame)} row(s) with {result.method} to {params.n_components}-D into "
        f"{args.output}."
    )


def run_neighbors(args: argparse.Namespace) -> None:
    _, space = open_input(args)
    of = args.row if args.row is not None else args.query
    for neighbor in space.neighbors(of, args.neighbor_k, args.neighbor_metric):
        print_line(
            {
                "rank": neighbor.rank,
                "row": neighbor.row,
                "score": round(neighbor.score, 6),
                "text": space.texts[neighbor.row],
            }
        )


def run_inspect(args: argparse.Namespace) -> None:
    from embedding_space.io.tables import describe, read_table

    print(
        json.dumps(
            describe(read_table(args.input, text_column=args.text_column)), ensure_ascii=False
        )
    )


def run_demo(args: argparse.Namespace) -> None:
    from embedding_space.analysis.projection import ProjectionParams
    from embedding_space.demo import ensure_demo
    from embedding_space.embed.sentence import load_embedder, read_identity
    from embedding_space.store.workspace import Workspace

    workspace = Workspace()
    info = ensure_demo(workspace)  # the default model's packaged vectors and maps, if they fit
    # The model loads (~25 s) only when the demo has no vectors of it yet.
    identity = read_identity(args.model)
    model_key = identity.cache_key if identity is not None else None
    if model_key is None or not workspace.space(info.id, model_key).has_vectors():
        embedder = load_embedder(args.model)
        with progress_bar("Embedding the demo") as report:
            workspace.embeddings(info.id, embedder, progress=report)
        model_key = embedder.cache_key
    workspace.space(info.id, model_key).projection(ProjectionParams())
    say(f"The demo dataset ({info.rows} texts) is embedded and mapped in {workspace.root}.")
