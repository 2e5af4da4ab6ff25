"""What every verb shares: opening the embedded file it reads, messages on stderr, a progress
bar, and printing results as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from embedding_space.embed.models import load_query_model
from embedding_space.embed.sentence import computed_in_bf16
from embedding_space.errors import InputError
from embedding_space.store.files import EmbeddedFile, read_embedded, space_of
from embedding_space.store.space import Space
from embedding_space.types import ProgressCallback

__all__ = ["check_port", "open_input", "print_line", "progress_bar", "read_input", "say"]


@contextmanager
def progress_bar(label: str) -> Iterator[ProgressCallback | None]:
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


def check_port(port: int) -> None:
    """Refuse a ``--port`` no server can listen on.

    Raises:
        InputError: ``port`` is outside 1-65535.
    """
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, not {port}.")


def say(message: str) -> None:
    """A message for the person at the terminal (stderr: stdout carries the results)."""
    print(message, file=sys.stderr)


def print_line(line: dict[str, object]) -> None:
    """One result as a line of JSON on stdout."""
    print(json.dumps(line, ensure_ascii=False))


def read_input(path: str | Path, *, need_embedding: bool = True) -> EmbeddedFile:
    """The embedded file at ``path`` (:func:`~embedding_space.store.files.read_embedded`).

    Raises:
        InputError: The file cannot be read; also when its metadata or columns are forged or
            damaged so that the Parquet and pandas readers fail in their own ways (bad JSON,
            wrong types, missing keys), which all mean the same thing to the user.
    """
    try:
        return read_embedded(path, need_embedding=need_embedding)
    except InputError:
        raise
    except Exception as error:
        raise InputError(
            f"'{path}' could not be read: its metadata or columns are damaged "
            f"({type(error).__name__}). Write it again with 'embedding-space embed'."
        ) from error


def open_input(args: argparse.Namespace) -> tuple[EmbeddedFile, Space]:
    """The embedded file a verb reads (``args.input``) and the space it holds, with the model
    of ``--model`` (where the verb has one) for typed texts.

    Raises:
        InputError: The file cannot be read, or the model cannot embed against it.
    """
    file = read_input(args.input)
    # Typed texts are embedded in the precision the file's vectors were made in (its cache key
    # says), so that a query scores as it would in the app; a verb embeds a few texts at most,
    # and the light load path spares it torch (~10 s) where that precision is float32.
    precision = "bf16" if computed_in_bf16(str(file.metadata.get("cache_key", ""))) else "fp32"
    return file, space_of(
        file,
        model=getattr(args, "model", None),
        models=lambda name: load_query_model(name, precision),
    )
