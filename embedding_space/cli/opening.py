"""The ``open`` and ``app`` verbs: the app started from any folder; ``open`` first stores,
embeds and maps a file in the workspace, so that its map is there the moment the page opens.

The one-liner of Embedding Atlas (``embedding-atlas data.parquet``): ``embedding-space open
data.csv``. The file is read as the Data page reads an upload, stored as the page stores it,
embedded with the model the app loads, and mapped with the default projection the Map asks
for first; the server is the app of this repository, found beside the package (not in the
caller's folder), run with the settings ``make run`` uses.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from embedding_space.cli.files import check_port, progress_bar, read_input, say
from embedding_space.errors import InputError
from embedding_space.store.files import EMBEDDING_COLUMN, EmbeddedFile
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix, ProgressCallback

if TYPE_CHECKING:
    from embedding_space.analysis.projection import ProjectionParams
    from embedding_space.embed.base import Embedder
    from embedding_space.io.images import PreparedImage

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "LOCAL_OWNER",
    "Opened",
    "add_app_parsers",
    "app_script",
    "map_url",
    "prepare",
    "run_app",
    "run_open",
    "server_command",
]

DEFAULT_PORT = 8501
"""The port of ``make run``."""
DEFAULT_HOST = "127.0.0.1"
"""As ``.streamlit/config.toml``: only this machine can reach the app."""
LOCAL_OWNER = "local"
"""Who owns what the app stores on a single-user machine (``components.identity``), so that
an opened file can be renamed and deleted in the app like an upload."""
FINGERPRINT_KEY = "fingerprint"
"""The key of a dataset's ``source`` holding the content fingerprint of the file opened."""
START_SECONDS = 120.0
"""How long the server gets to answer before ``open`` gives up on it."""


def add_app_parsers(verbs: Any) -> None:
    """Register ``app`` and ``open`` with the parser's verbs."""
    from embedding_space.embed.sentence import DEFAULT_MODEL

    app = verbs.add_parser("app", help="start the app (the same as 'make run', from any folder)")
    opened = verbs.add_parser(
        "open", help="start the app with a file stored, embedded and opened on its map"
    )
    opened.add_argument(
        "file", help="a .txt, .csv, .tsv, .jsonl, .json, .parquet or .xlsx file of texts"
    )
    opened.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"the model that embeds the texts (default: {DEFAULT_MODEL}; 'preview' for its "
        "fast static preview; or bow, onehot, tfidf, lsa, lsa:DIM)",
    )
    opened.add_argument("--text-column", help="the column of text (guessed when absent)")
    opened.add_argument("--name", help="the dataset's name in the app (default: the file's name)")
    for parser in (app, opened):
        parser.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help=f"default: {DEFAULT_PORT}"
        )
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help=f"the address to serve on (default: {DEFAULT_HOST}, this machine only)",
        )
        parser.add_argument(
            "--no-browser",
            action="store_true",
            help="only print the address (also where no browser can be opened)",
        )


@dataclass(frozen=True)
class Opened:
    """A file stored in the workspace, embedded and mapped.

    Attributes:
        dataset_id: The dataset's id (what a link names).
        name: Its name in the app.
        rows: Its rows.
        model: The model to name in the link; ``None`` for the app's default or for vectors
            that came in the file.
        reused: Whether a dataset of the same content was already there and is opened again.
        projection: The map computed, the one the link opens.
    """

    dataset_id: str
    name: str
    rows: int
    model: str | None
    reused: bool
    projection: ProjectionParams


def prepare(
    path: str | Path,
    *,
    model: str | None = None,
    text_column: str | None = None,
    name: str | None = None,
    workspace: Workspace | None = None,
    progress: ProgressCallback | None = None,
) -> Opened:
    """Store a file as a dataset (or find the one stored from the same content), embed it
    and compute its default map, as the app would on upload and on first opening the Map.

    A ``.parquet`` written by ``embed`` keeps its vectors (as the app's "bring your own
    vectors"); a zip of images (or a Parquet file of them) is read as the Data page reads one,
    its images embedded by a model that reads images, its captions by a text model; any other
    file is embedded with ``model``.

    Args:
        path: The file, relative to the current folder or absolute.
        model: The model; the app's default when ``None``.
        text_column: The column of text; guessed when ``None``.
        name: The dataset's name; the file's name without its suffix when ``None``.
        workspace: Where to store it; the default workspace when ``None``.
        progress: Called as ``progress(done, total)`` while embedding.

    Returns:
        The dataset.

    Raises:
        InputError: The file cannot be read, has no text, images a text model cannot embed
            (no captions), or the workspace has no room.
    """
    from embedding_space.analysis.projection import PCA_FIRST_ABOVE, ProjectionParams
    from embedding_space.embed.images import check_images_embeddable, reads_images
    from embedding_space.embed.models import canonical_name, is_traditional, load_model
    from embedding_space.embed.sentence import DEFAULT_MODEL
    from embedding_space.io.image_sets import holds_images, read_image_files
    from embedding_space.io.tables import read_table
    from embedding_space.store.embedding_files import CUSTOM_VECTORS

    source = Path(path).expanduser()
    if not source.is_file():
        raise InputError(f"There is no file '{path}'.")
    store = workspace if workspace is not None else Workspace()
    vectors: FloatMatrix | None = None
    images: list[PreparedImage] | None = None
    image_model: Embedder | None = None  # loaded before storing images, to say if it can
    query_model: str | None = None
    embedded = _embedded_file(source)
    if embedded is not None:
        frame, column = embedded.rows_table, embedded.text_column
        if text_column is not None and text_column != column:
            raise InputError(
                f"'{path}' holds vectors of its column '{column}'; open it without "
                "--text-column, or open the file it was embedded from."
            )
        vectors = embedded.vectors
        made_by = str(embedded.metadata.get("model") or "")
        query_model = made_by if made_by and not is_traditional(made_by) else None
        file_format = "embedded parquet"
    elif holds_images(source.name, data := source.read_bytes()):
        if text_column is not None:
            raise InputError(
                f"'{path}' is read as images, whose captions (if any) come from their table; "
                "open it without --text-column."
            )
        loaded = read_image_files([(source.name, data)])
        for sentence in loaded.skipped:
            say(f"Warning: {sentence}")
        image_model = load_model(canonical_name(model or DEFAULT_MODEL))
        check_images_embeddable(image_model.name, reads_images(image_model), loaded.has_captions)
        frame, column, file_format = loaded.frame, loaded.text_column, loaded.source_format
        images = loaded.images
    else:
        table = read_table(source, text_column=text_column)
        for reason, count in table.dropped.items():
            say(f"Dropped {count} row(s): {reason}.")
        for warning in table.warnings:
            say(f"Warning: {warning}")
        frame, column, file_format = table.frame, table.text_column, table.format
    if images is not None:
        say(f"Read {len(images)} image(s); column '{column}' holds their text.")
    elif text_column is None:
        say(f"Using column '{column}' as the text (choose another with --text-column).")
    fingerprint = _fingerprint(source, column)
    info = next(
        (
            found
            for found in store.list_datasets()
            if found.source.get(FINGERPRINT_KEY) == fingerprint
        ),
        None,
    )
    reused = info is not None
    if info is None:
        info = store.create_dataset(
            frame,
            column,
            name or source.stem,
            owner=LOCAL_OWNER,
            source={"file_name": source.name, "format": file_format, FINGERPRINT_KEY: fingerprint},
            vectors=vectors,
            query_model=query_model,
            images=images,
        )
    chosen = canonical_name(model or DEFAULT_MODEL)
    if info.vectors_model == CUSTOM_VECTORS:
        model_key, shown = CUSTOM_VECTORS, None
    else:
        embedder = image_model or load_model(chosen)
        store.embeddings(info.id, embedder, progress=progress)
        model_key = store.embedder_for(info.id, embedder).cache_key
        shown = None if chosen == DEFAULT_MODEL else chosen
    # The map the Map page opens on: PCA first for the largest datasets, as the sidebar does.
    params = ProjectionParams(method="pca") if info.rows > PCA_FIRST_ABOVE else ProjectionParams()
    say(f"Mapping {info.rows} row(s) with {params.method.upper()} (stored for the app).")
    store.space(info.id, model_key).projection(params)
    return Opened(info.id, info.name, info.rows, shown, reused, params)


def _embedded_file(source: Path) -> EmbeddedFile | None:
    """The file as ``embed`` wrote it, when it is a parquet file with vectors; else ``None``."""
    if source.suffix.lower() != ".parquet":
        return None
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(source).names
    except Exception:  # not parquet after all: read_table says what is wrong with it
        return None
    return read_input(source) if EMBEDDING_COLUMN in names else None


def _fingerprint(source: Path, text_column: str) -> str:
    """The file's content and the column read as text: the same file opened again (from any
    folder, under any name) is the same dataset."""
    digest = hashlib.sha256()
    with source.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    digest.update(b"\0text column\0" + text_column.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def map_url(host: str, port: int, opened: Opened | None = None) -> str:
    """The address of the app, and of the dataset's map when ``opened`` is given."""
    from embedding_space.views import View

    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    if opened is None:
        return f"{base}/"
    view = View(dataset=opened.dataset_id, model=opened.model, projection=opened.projection)
    return base + view.link()


def app_script() -> Path:
    """The app's ``app.py``, one folder above this package.

    Raises:
        InputError: This installation has the core only (a wheel without the app).
    """
    script = Path(__file__).resolve().parents[2] / "app.py"
    if not script.is_file():
        raise InputError(
            f"The app is not installed beside the package (no {script}); run it from a "
            "checkout of the repository, where 'make run' installs it."
        )
    return script


def server_command(script: Path, host: str, port: int) -> list[str]:
    """The command that serves the app, run from ``script``'s folder so that Streamlit reads
    its ``.streamlit/config.toml`` (theme, upload and message sizes) as under ``make run``."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
    ]


def _check_port(host: str, port: int) -> None:
    check_port(port)
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise InputError(
            f"Cannot serve on {host}:{port} ({error.strerror or error}); pick another with "
            "--port (or --host)."
        ) from None


def _serve(host: str, port: int, url: str, *, browser: bool) -> None:
    """Run the app until it stops or is interrupted; print ``url`` once it answers."""
    script = app_script()
    _check_port(host, port)
    # Streamlit's own lines go to stderr: stdout carries only the address, for scripts.
    try:
        lines: int | None = sys.stderr.fileno()
    except (AttributeError, OSError):  # a notebook's stderr is no file
        lines = None
    server = subprocess.Popen(server_command(script, host, port), cwd=script.parent, stdout=lines)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # Stopping `open` stops the server it started, whichever signal ends it.
    signal.signal(signal.SIGTERM, stop)
    try:
        _wait_until_up(server, map_url(host, port) + "_stcore/health")
        print(url, flush=True)
        if browser and _has_display():
            webbrowser.open(url)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_until_up(server: subprocess.Popen[bytes], health: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise InputError(f"The app's server stopped (status {server.returncode}); see above.")
        try:
            with urllib.request.urlopen(health, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise InputError(f"The app's server did not answer within {START_SECONDS:.0f} s.")


def _has_display() -> bool:
    """Whether a window can open: on Linux without one, Python's ``webbrowser`` would start a
    text browser (lynx, w3m) in this very terminal."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_app(args: argparse.Namespace) -> None:
    app_script()
    _serve(args.host, args.port, map_url(args.host, args.port), browser=not args.no_browser)


def run_open(args: argparse.Namespace) -> None:
    app_script()  # before the work: an installation without the app says so at once
    _check_port(args.host, args.port)
    with progress_bar("Embedding") as report:
        opened = prepare(
            args.file,  # relative to the caller's folder: the server's is the app's
            model=args.model,
            text_column=args.text_column,
            name=args.name,
            progress=report,
        )
    say(
        f"{'Opening again' if opened.reused else 'Stored'} '{opened.name}' ({opened.rows} "
        "rows), embedded and mapped; starting the app."
    )
    url = map_url(args.host, args.port, opened)
    _serve(args.host, args.port, url, browser=not args.no_browser)
