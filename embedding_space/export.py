"""Exports: the table, the vectors and the figures as files a user can download.

Every function returns ``bytes``; the app hands them to ``st.download_button`` and the CLI
writes them to files.

* :func:`export_table`: the current table as CSV or Parquet, with the row ids, the map's
  coordinates, the selection, the clusters and the nearest neighbours.
* :func:`export_vectors_npy` and :func:`export_projector_tsv`: the vectors, in forms that
  :func:`~embedding_space.vectors.read_npy` and
  :func:`~embedding_space.vectors.read_projector_tsv` (and the TensorFlow Embedding
  Projector) read back to the same values.
* :func:`export_figure_html` and :func:`export_figure_png`: a figure as a self-contained
  interactive page, or as a static image drawn by a headless Chromium through kaleido.
* :func:`export_similarity_csv`: a similarity matrix with its labels.

CSV files are opened by spreadsheets, which run a cell that starts with ``=``, ``+``, ``-`` or
``@`` as a formula. Text from a user's file is therefore neutralised in every CSV export
(:func:`neutralize_formula`); Parquet and the Projector's TSV files keep the text as it is.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import TimeoutError as FutureTimeoutError
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from embedding_space.errors import InputError
from embedding_space.tables import is_missing, unique_names

if TYPE_CHECKING:
    import asyncio

    import plotly.graph_objects as go

__all__ = [
    "FORMULA_PREFIXES",
    "close_browser",
    "export_figure_html",
    "export_figure_png",
    "export_projector_tsv",
    "export_similarity_csv",
    "export_table",
    "export_vectors_npy",
    "find_browser",
    "neutralize_formula",
]

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell starting with one of these is read as a formula by spreadsheets (OWASP)."""

TableFormat = Literal["csv", "parquet"]
_T = TypeVar("_T")

# Names of the columns export_table adds; a column of the table with one of these names is
# kept under "<name>_original".
_ADDED_COLUMNS = ("row_id", "x", "y", "z", "selected", "cluster", "neighbors")


# --- text safety ---------------------------------------------------------------------------


def neutralize_formula(text: str) -> str:
    """Make a text harmless in a spreadsheet by prefixing a single quote when needed.

    A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
    formula by Excel, LibreOffice and Google Sheets when the CSV is opened (CSV injection);
    OWASP's advice is to prefix such cells with ``'`` so they are shown as text.

    Args:
        text: Any cell text.

    Returns:
        ``text`` unchanged, or ``"'" + text`` when it begins with a formula character.
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, complex, np.number, np.bool_)) and not isinstance(
        value, str
    )


def _neutralize_cell(value: object) -> object:
    """Neutralise a text cell; numbers, booleans and missing values stay as they are."""
    if isinstance(value, str):
        return neutralize_formula(value)
    if is_missing(value) or _is_number(value):
        return value
    # Any other object (a list, a date, a timedelta) is written as its str() form.
    return neutralize_formula(str(value))


def _neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe in a spreadsheet."""
    safe = frame.copy()
    for position in range(safe.shape[1]):
        series = safe.iloc[:, position]
        dtype = series.dtype
        if (
            pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)
            or isinstance(dtype, pd.PeriodDtype)
        ):
            continue
        cells = np.empty(len(series), dtype=object)
        for row, value in enumerate(series.astype(object).tolist()):
            cells[row] = _neutralize_cell(value)
        safe.isetitem(position, cells)
    safe.columns = pd.Index([neutralize_formula(str(name)) for name in safe.columns])
    return safe


def _to_csv_bytes(frame: pd.DataFrame) -> bytes:
    # CRLF as RFC 4180 has it. It also makes the csv module quote a cell holding a bare "\r":
    # with a "\n" terminator such a cell is written unquoted and breaks its row in two.
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8")


# --- the table -----------------------------------------------------------------------------


def export_table(
    frame: pd.DataFrame,
    *,
    coordinates: npt.NDArray[np.floating[Any]] | None = None,
    selected_rows: Sequence[int] = (),
    clusters: Sequence[int | str] | None = None,
    neighbor_ids: npt.NDArray[np.integer[Any]] | None = None,
    format: TableFormat,
) -> bytes:
    """The current table, with what the app knows about each row, as CSV or Parquet.

    Columns, in order: ``row_id`` (``0..n-1``, the row's stable id), the table's own columns,
    then ``x``, ``y`` (and ``z``) when ``coordinates`` are given, ``selected``, ``cluster``
    when ``clusters`` are given, and ``neighbors`` when ``neighbor_ids`` are given. A column
    of the table that has one of these names is kept as ``"<name>_original"``.

    ``neighbors`` is a ``list<int64>`` column in Parquet and a space-separated string of row
    ids (``"4 17 2"``) in CSV. The CSV is UTF-8 with a header row and no index; its text cells
    and column names are passed through :func:`neutralize_formula`, numbers are not. Parquet
    keeps the text as it is.

    Args:
        frame: The table, ``n`` rows in row-id order (its index is ignored).
        coordinates: The map's positions, shape ``(n, 2)`` or ``(n, 3)``.
        selected_rows: Row ids of the selected rows; the rest are ``False``.
        clusters: ``n`` cluster ids or names, one per row.
        neighbor_ids: The top-k neighbour row ids of each row, shape ``(n, k)``, nearest
            first, the row itself already left out.
        format: ``"csv"`` or ``"parquet"``.

    Returns:
        The file's bytes.

    Raises:
        InputError: The format is unknown, or an array's shape or a row id does not fit the
            table's ``n`` rows.
    """
    if format not in ("csv", "parquet"):
        raise InputError(f"The table can be exported as csv or parquet, not {format!r}.")
    count = len(frame)
    table = frame.reset_index(drop=True)
    table.columns = pd.Index(unique_names(table.columns))
    added: dict[str, Any] = {"row_id": np.arange(count, dtype=np.int64)}
    if coordinates is not None:
        points = np.asarray(coordinates)
        if points.ndim != 2 or points.shape[0] != count or points.shape[1] not in (2, 3):
            raise InputError(
                f"The coordinates have shape {points.shape}, but the table has {count:,} rows; "
                f"they need shape ({count}, 2) or ({count}, 3). Project the data again."
            )
        for index, axis in enumerate("xyz"[: points.shape[1]]):
            added[axis] = points[:, index]
    added["selected"] = _selection_mask(selected_rows, count)
    if clusters is not None:
        labels = list(clusters)
        if len(labels) != count:
            raise InputError(
                f"There are {len(labels):,} cluster labels for {count:,} rows; give one label "
                "per row. Run the clustering again."
            )
        added["cluster"] = labels
    neighbors = None if neighbor_ids is None else _check_neighbor_ids(neighbor_ids, count)

    names = list(table.columns)
    clashes = set(_ADDED_COLUMNS) & set(names)
    if clashes:
        taken = set(names) | set(_ADDED_COLUMNS)
        renames: dict[str, str] = {}
        for name in sorted(clashes):
            new, suffix = f"{name}_original", 1
            while new in taken:
                suffix += 1
                new = f"{name}_original{suffix}"
            taken.add(new)
            renames[name] = new
        table = table.rename(columns=renames)

    out = table.copy()
    out.insert(0, "row_id", added.pop("row_id"))
    for name, values in added.items():
        out[name] = values
    if format == "csv":
        if neighbors is not None:
            out["neighbors"] = [" ".join(map(str, row)) for row in neighbors.tolist()]
        return _to_csv_bytes(_neutralize_frame(out))
    return _to_parquet_bytes(out, neighbors)


def _selection_mask(selected_rows: Sequence[int], count: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros(count, dtype=bool)
    rows = np.asarray(list(selected_rows), dtype=np.int64)
    if rows.size:
        bad = rows[(rows < 0) | (rows >= count)]
        if bad.size:
            raise InputError(
                f"The selection names row {int(bad[0])}, but the table has rows 0 to "
                f"{count - 1}. Clear the selection and select the points again."
            )
        mask[rows] = True
    return mask


def _check_neighbor_ids(neighbor_ids: npt.NDArray[Any], count: int) -> npt.NDArray[np.int64]:
    ids = np.asarray(neighbor_ids)
    if ids.ndim != 2 or ids.shape[0] != count:
        raise InputError(
            f"The neighbour ids have shape {ids.shape}, but the table has {count:,} rows; they "
            f"need shape ({count}, k). Compute the neighbours again."
        )
    if ids.size and ids.dtype.kind not in "iu":
        raise InputError(
            f"The neighbour ids are of type {ids.dtype}; they need to be integer row ids. "
            "Compute the neighbours again."
        )
    ids = ids.astype(np.int64, copy=False)
    if ids.size and (ids.min() < 0 or ids.max() >= count):
        raise InputError(
            f"A neighbour id lies outside rows 0 to {count - 1}. Compute the neighbours again."
        )
    return ids


def _to_parquet_bytes(frame: pd.DataFrame, neighbors: npt.NDArray[np.int64] | None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as error:
        raise InputError(
            f"The table could not be written as Parquet ({error}). A column mixes kinds of "
            "values; export as CSV instead."
        ) from error
    if neighbors is not None:
        rows, k = neighbors.shape
        offsets = pa.array(
            np.arange(0, rows * k + 1, k, dtype=np.int32)
            if k
            else np.zeros(rows + 1, dtype=np.int32)
        )
        values = pa.array(neighbors.reshape(-1), type=pa.int64())
        arrow = arrow.append_column("neighbors", pa.ListArray.from_arrays(offsets, values))
    sink = io.BytesIO()
    pq.write_table(arrow, sink)
    return sink.getvalue()


# --- vectors -------------------------------------------------------------------------------


def _check_vectors(vectors: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    array = np.asarray(vectors)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise InputError(
            f"The vectors have shape {array.shape}; they need a non-empty matrix of shape "
            "(rows, dimensions)."
        )
    if array.dtype.kind not in "biuf":
        raise InputError(f"The vectors are of type {array.dtype}; they need to be numbers.")
    with np.errstate(over="ignore", invalid="ignore"):
        matrix = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(matrix).all():
        raise InputError(
            "The vectors hold NaN or infinite values (or numbers too large for float32), "
            "which no reader accepts. Fix them before exporting."
        )
    return matrix


def export_vectors_npy(vectors: npt.NDArray[Any]) -> bytes:
    """The vectors as a ``.npy`` file of float32, as ``numpy.save`` writes it.

    Args:
        vectors: Array of shape ``(n, d)``.

    Returns:
        The ``.npy`` bytes (no pickled objects); ``numpy.load`` and
        :func:`~embedding_space.vectors.read_npy` read them back to the same float32 values.

    Raises:
        InputError: The vectors are not a non-empty 2-D matrix of finite numbers.
    """
    sink = io.BytesIO()
    np.save(sink, _check_vectors(vectors), allow_pickle=False)
    return sink.getvalue()


def _tsv_cell(value: object) -> str:
    """A metadata cell on one line: tabs and line breaks become spaces."""
    if is_missing(value):
        return ""
    text = str(value)
    for separator in ("\r\n", "\t", "\r", "\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85"):
        text = text.replace(separator, " ")
    return text.replace("\u2028", " ").replace("\u2029", " ")


def export_projector_tsv(vectors: npt.NDArray[Any], metadata: pd.DataFrame) -> tuple[bytes, bytes]:
    """The vectors and their metadata as the TensorFlow Embedding Projector's pair of TSVs.

    The vectors file has no header and one vector per line, its numbers tab-separated with
    nine significant digits (enough to give back the same float32). The metadata file has a
    header row when it has several columns and none for a single column, as the Projector
    expects; tabs and line breaks inside cells become spaces so every row stays on its line.

    Both can be loaded at https://projector.tensorflow.org and read back with
    :func:`~embedding_space.vectors.read_projector_tsv`. The text is written as it is, not
    neutralised against spreadsheet formulas: the files are data for the Projector.

    Args:
        vectors: Array of shape ``(n, d)``.
        metadata: ``n`` rows describing the vectors, in the same order (index ignored).

    Returns:
        ``(vectors_tsv, metadata_tsv)``, both UTF-8.

    Raises:
        InputError: The vectors are not a 2-D matrix of finite numbers, or the metadata has
            another number of rows or no columns.
    """
    matrix = _check_vectors(vectors)
    if len(metadata) != len(matrix):
        raise InputError(
            f"The vectors have {len(matrix):,} rows but the metadata has {len(metadata):,}. "
            "They must match one to one, in the same order."
        )
    if metadata.shape[1] == 0:
        raise InputError("The metadata has no columns. Give at least one column of labels.")
    sink = io.BytesIO()
    # "%.9g" round-trips every float32 exactly; savetxt formats one row per call in C.
    np.savetxt(sink, matrix, fmt="%.9g", delimiter="\t", newline="\n", encoding="utf-8")
    columns = [
        [_tsv_cell(value) for value in metadata.iloc[:, position].astype(object)]
        for position in range(metadata.shape[1])
    ]
    lines = ["\t".join(cells) for cells in zip(*columns, strict=True)]
    if metadata.shape[1] > 1:
        lines.insert(0, "\t".join(_tsv_cell(name) for name in metadata.columns))
    return sink.getvalue(), ("\n".join(lines) + "\n").encode("utf-8")


# --- similarity ----------------------------------------------------------------------------


def export_similarity_csv(matrix: npt.NDArray[Any], labels: Sequence[str]) -> bytes:
    """A square similarity matrix as CSV, the labels as header row and first column.

    The top-left cell is empty. Labels are passed through :func:`neutralize_formula`.

    Args:
        matrix: Array of shape ``(n, n)``.
        labels: ``n`` labels, one per row and column.

    Returns:
        UTF-8 CSV bytes; ``pandas.read_csv(..., index_col=0)`` gives the matrix back.

    Raises:
        InputError: The matrix is not square or numeric, or the labels do not match it.
    """
    array = np.asarray(matrix)
    if array.ndim != 2 or array.shape[0] != array.shape[1]:
        raise InputError(f"The similarity matrix has shape {array.shape}; it needs to be square.")
    if array.dtype.kind not in "biuf":
        raise InputError(f"The similarity matrix is of type {array.dtype}, not numbers.")
    names = [neutralize_formula(str(label)) for label in labels]
    if len(names) != array.shape[0]:
        raise InputError(
            f"There are {len(names):,} labels for a {array.shape[0]:,}×{array.shape[0]:,} "
            "matrix; give one label per row."
        )
    frame = pd.DataFrame(array, columns=pd.Index(names, dtype=object))
    frame.insert(0, "", pd.Series(names, dtype=object))
    return _to_csv_bytes(frame)


# --- figures -------------------------------------------------------------------------------


def export_figure_html(figure: go.Figure) -> bytes:
    """The figure as a self-contained interactive HTML page that works offline.

    plotly.js is embedded in the page (about 4.5 MB), so nothing is fetched from the network.

    Args:
        figure: Any plotly figure, e.g. from :func:`~embedding_space.figures.scatter_figure`.

    Returns:
        UTF-8 HTML bytes.
    """
    page: str = figure.to_html(
        include_plotlyjs=True,
        full_html=True,
        include_mathjax=False,
        config={"displaylogo": False, "responsive": True},
    )
    return page.encode("utf-8")


_PNG_INSTALL_HINT = (
    "install it with 'apt-get install chromium' (or set BROWSER_PATH to a Chrome or Chromium "
    "executable), or use the HTML export."
)
_START_TIMEOUT_S = 60.0
_RENDER_TIMEOUT_S = 60.0


def find_browser() -> str | None:
    """The Chrome or Chromium that PNG export starts, or ``None`` when there is none.

    The ``BROWSER_PATH`` environment variable (choreographer's own setting) wins when it is
    set; otherwise ``chromium``, ``chromium-browser`` or ``google-chrome`` on ``PATH``, then
    ``/usr/bin/chromium``.

    Returns:
        The path of an executable, or ``None``.
    """
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        candidates: list[str | None] = [configured]
    else:
        candidates = [
            shutil.which(name)
            for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
        ]
        candidates.append("/usr/bin/chromium")
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


class _Renderer:
    """One kaleido browser, kept open between exports, on its own event-loop thread.

    kaleido is async; a private loop on a daemon thread lets the synchronous callers (the
    Streamlit script threads, the CLI) share one Chromium. kaleido's own
    ``start_sync_server`` is not used: when the browser fails to start, its callers wait
    forever, where this one reports the failure.
    """

    def __init__(self, browser: str) -> None:
        import asyncio

        import kaleido

        self.browser = browser
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="png-export", daemon=True
        )
        self._thread.start()

        # choreographer starts Chromium headless with --no-sandbox (its enable_sandbox=False
        # default), which is what lets it run as root in a container, and with --disable-gpu
        # plus --enable-unsafe-swiftshader, so WebGL (Scattergl, Scatter3d) is drawn on the
        # CPU. mathjax=False: kaleido would otherwise load MathJax from a CDN.
        async def open_browser() -> kaleido.Kaleido:
            browser_session = kaleido.Kaleido(
                n=1, timeout=_RENDER_TIMEOUT_S, mathjax=False, path=browser
            )
            await browser_session.open()
            return browser_session

        try:
            self._kaleido = self._run(open_browser(), _START_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    def _run(self, coroutine: Coroutine[Any, Any, _T], timeout: float) -> _T:
        import asyncio

        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeoutError:
            future.cancel()
            raise

    def render(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        image: bytes = self._run(
            self._kaleido.calc_fig(figure, opts=opts),  # type: ignore[arg-type]
            _RENDER_TIMEOUT_S + 5,
        )
        return image

    def close(self) -> None:
        loop: asyncio.AbstractEventLoop = self._loop
        if loop.is_closed():
            return
        if hasattr(self, "_kaleido"):
            # Best effort: the browser may be gone already.
            with contextlib.suppress(Exception):
                self._run(self._kaleido.close(), 10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            loop.close()


_renderer: _Renderer | None = None
_renderer_lock = threading.Lock()


def close_browser() -> None:
    """Close the Chromium that :func:`export_figure_png` keeps open; the next call starts one.

    Called on exit; call it earlier to free the browser's memory.
    """
    global _renderer
    with _renderer_lock:
        if _renderer is not None:
            _renderer.close()
            _renderer = None


atexit.register(close_browser)


def _start_renderer() -> _Renderer:
    """Start the shared browser; the caller holds ``_renderer_lock``."""
    from choreographer.errors import BrowserFailedError, ChromeNotFoundError

    browser = find_browser()
    if browser is None:
        where = os.environ.get("BROWSER_PATH")
        found = f"BROWSER_PATH={where!r} is not an executable" if where else "none was found"
        raise InputError(f"PNG export needs Chromium, but {found}; {_PNG_INSTALL_HINT}")
    try:
        return _Renderer(browser)
    except (ChromeNotFoundError, BrowserFailedError, FutureTimeoutError, OSError) as error:
        raise InputError(
            f"PNG export needs Chromium, but {browser} could not be started "
            f"({type(error).__name__}); {_PNG_INSTALL_HINT}"
        ) from error


def _static_copy(figure: go.Figure) -> dict[str, Any]:
    """The figure as a dict for the image, with every Scattergl trace drawn as SVG Scatter.

    Headless Chromium draws WebGL with SwiftShader on the CPU; on a loaded machine a
    5,000-point Scattergl image came back blank, while SVG never did. SVG is also faster for
    small maps (3,000 points at 1400×900: 0.65 s against 1.2 s). The figure itself is not
    changed.
    """
    spec: dict[str, Any] = figure.to_dict()
    spec.setdefault("layout", {}).pop("uirevision", None)
    for trace in spec.get("data", []):
        if trace.get("type") == "scattergl":
            trace["type"] = "scatter"
    return spec


def _is_blank(png: bytes) -> bool:
    """Whether an image is a single colour."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1)
    return colours is not None


def export_figure_png(
    figure: go.Figure, *, width: int = 1400, height: int = 900, scale: float = 1.0
) -> bytes:
    """The figure as a static PNG image, drawn by a headless Chromium through kaleido.

    The browser is found by :func:`find_browser`, started on the first call (two to three
    seconds) and kept open for the next ones (about a second each for a 3,000-point map);
    it is closed by :func:`close_browser`, or when Python exits.

    Args:
        figure: Any plotly figure, e.g. from :func:`~embedding_space.figures.scatter_figure`.
        width: Width in layout pixels.
        height: Height in layout pixels.
        scale: Pixel ratio; the image is ``round(width * scale)`` by
            ``round(height * scale)`` pixels.

    Returns:
        PNG bytes.

    Raises:
        InputError: The size is not positive, no Chrome or Chromium can be found or started
            (the message says how to install one, or to use the HTML export), or drawing
            took longer than a minute.
    """
    global _renderer
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError

    if width < 1 or height < 1 or not scale > 0:
        raise InputError(f"The image size must be positive, not {width}×{height} at scale {scale}.")
    spec = _static_copy(figure)
    opts = {"format": "png", "width": int(width), "height": int(height), "scale": float(scale)}
    with _renderer_lock:
        for attempt in range(2):
            if _renderer is None:
                _renderer = _start_renderer()
            try:
                image = _renderer.render(spec, opts)
                if attempt == 0 and _is_blank(image) and spec.get("data"):
                    # Under heavy load Chromium has returned a plain white page for a figure
                    # with data; one more draw has always produced the picture.
                    continue
                return image
            except TimeoutError as error:
                # kaleido's own render timeout, or ours: the browser may be wedged.
                _renderer.close()
                _renderer = None
                raise InputError(
                    f"PNG export took longer than {_RENDER_TIMEOUT_S:.0f} seconds and was "
                    "stopped. Try a smaller image, or use the HTML export."
                ) from error
            except (BrowserClosedError, BrowserFailedError, ChannelClosedError) as error:
                # The browser died since the last export (killed, out of memory): start a
                # fresh one once, then give up with a sentence.
                _renderer.close()
                _renderer = None
                if attempt:
                    raise InputError(
                        "PNG export failed because Chromium stopped while drawing "
                        f"({error!s:.200}). Try again, or use the HTML export."
                    ) from error
    raise AssertionError("unreachable")  # pragma: no cover
