"""Figures as files: a self-contained interactive HTML page, or a PNG drawn by Chromium.

The PNG comes from a headless Chromium driven by kaleido, started on the first export and kept
open for the next ones (:func:`close_browser` ends it). It is the one place the core starts a
browser, so its whole lifecycle lives here.
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
from typing import TYPE_CHECKING, Any, TypeVar

from embedding_space.errors import InputError
from embedding_space.export.hover_images import hover_script, hover_thumbnails

if TYPE_CHECKING:
    import asyncio

    import plotly.graph_objects as go

__all__ = ["close_browser", "export_figure_html", "export_figure_png", "find_browser"]

_T = TypeVar("_T")


def export_figure_html(figure: go.Figure, thumbnails: Sequence[str] | None = None) -> bytes:
    """The figure as a self-contained interactive HTML page that works offline.

    plotly.js is embedded in the page (about 4.5 MB), so nothing is fetched from the network.

    Args:
        figure: Any plotly figure, e.g. from :func:`~embedding_space.figures.map_figure`.
        thumbnails: For a map of a dataset of images, every row's thumbnail as a ``data:``
            URI, in row order: the page then shows the hovered point's image beside its label
            (see :mod:`.hover_images`; the drawn rows' thumbnails are written in the page).

    Returns:
        UTF-8 HTML bytes.

    Raises:
        ValueError: A drawn row has no thumbnail, or one is not a WebP ``data:`` URI.
    """
    post_script = None
    if thumbnails is not None:
        chosen = hover_thumbnails(figure, thumbnails)
        post_script = hover_script(chosen, "document.getElementById('{plot_id}')")
    page: str = figure.to_html(
        include_plotlyjs=True,
        full_html=True,
        include_mathjax=False,
        config={"displaylogo": False, "responsive": True},
        post_script=post_script,
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
        figure: Any plotly figure, e.g. from :func:`~embedding_space.figures.map_figure`.
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
