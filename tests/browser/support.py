"""Helpers for the browser tests: the app server, Chromium, and reading the page.

Nothing here is collected as a test; ``tests/browser/`` and ``tests/test_router.py`` use it.
"""

from __future__ import annotations

import html
import os
import re
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import pandas as pd

    from embedding_space.embed.base import Embedder

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
URL_VARIABLE = "EMBEDDING_SPACE_TEST_URL"
"""Set it to a running app's URL to skip starting a server (for working on this test only)."""

HIGHLIGHT_LAYERS = {"selected", "neighbours", "clicked", "query", "query row"}
EXPECT_TIMEOUT_MS = 90_000
"""How long Playwright's ``expect`` waits in the real-server tests: the first page of a new
server loads the model."""
_T = TypeVar("_T")
REAL_PROCESS_MARKERS = ("browser", "server")
"""A test that starts a server or Chromium carries one of these, so that ``make test-fast``
and ``make test-unit`` leave it out."""
unmarked_test: str | None = None
"""The test now running under pytest when it carries none of :data:`REAL_PROCESS_MARKERS`
(``tests/conftest.py`` sets it); ``None`` outside pytest (``make bench``)."""


def _refuse_unmarked(what: str) -> None:
    if unmarked_test is not None:
        raise RuntimeError(
            f"{unmarked_test} starts {what}: mark it with one of {REAL_PROCESS_MARKERS} "
            "(pytestmark = pytest.mark.server), so that the fast test runs leave it out."
        )


def plain_text(hover: str) -> str:
    """A plotly hover label back to the text: drop the italic tag line, join lines, unescape."""
    hover = re.sub(r"<br><i>.*?</i>$", "", hover)
    return html.unescape(" ".join(hover.split("<br>")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200 and response.read().strip() == b"ok")
    except OSError:
        return False


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def last_traceback(log: Path | None, limit: int = 4000) -> str:
    """The last traceback the app wrote to its log (the page shows only the error's type)."""
    if log is None or not log.exists():
        return ""
    text = _ANSI.sub("", log.read_text(errors="replace"))
    start = text.rfind("Traceback")
    if start < 0:
        return ""
    lines = [line.rstrip() for line in text[start:].splitlines() if line.strip()]
    return "\n".join(lines)[-limit:]


@contextmanager
def served_dataset(
    folder: Path, frame: pd.DataFrame, name: str, embedders: Sequence[Embedder]
) -> Iterator[tuple[str, str]]:
    """A fresh server on a workspace of its own (``folder / "workspace"``) holding one shared
    dataset, embedded by each of ``embedders``; yields the server's URL and the dataset's id."""
    from embedding_space.store.workspace import Workspace

    home = folder / "workspace"
    store = Workspace(home)
    info = store.create_dataset(frame, "text", name, shared=True)
    for embedder in embedders:
        store.embeddings(info.id, embedder)
    with app_server(home, folder / "server.log", fresh=True) as url:
        yield url, info.id


@contextmanager
def app_server(
    home: Path,
    log: Path,
    timeout: float = 60.0,
    *,
    extra_args: Sequence[str] = (),
    fresh: bool = False,
    port: int | None = None,
    environment: dict[str, str] | None = None,
) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port with its own workspace; yield its URL.

    Args:
        home: The workspace folder.
        log: Where the server's output goes.
        timeout: Seconds to wait for it to answer.
        extra_args: More ``streamlit run`` options, e.g. ``--secrets.files``.
        fresh: Always start a new server, even when ``EMBEDDING_SPACE_TEST_URL`` names one.
        port: The port to listen on (one from :func:`free_port`); a free one when ``None``.
        environment: More environment variables for the server (``EMBEDDING_SPACE_MULTI_USER``
            is otherwise unset).
    """
    _refuse_unmarked("a real app server")
    if os.environ.get(URL_VARIABLE) and not fresh:
        yield os.environ[URL_VARIABLE].rstrip("/")
        return
    port = port or free_port()
    env = dict(os.environ)
    env.pop("EMBEDDING_SPACE_MULTI_USER", None)
    env.update(
        EMBEDDING_SPACE_HOME=str(home),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    env.update(environment or {})
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    command = [
        python,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra_args,
    ]
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            deadline = time.monotonic() + timeout
            while not _healthy(url):
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited with {process.returncode}:\n{tail(log)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the app did not answer within {timeout:.0f} s:\n{tail(log)}"
                    )
                time.sleep(0.5)
            yield url
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def require_chromium() -> None:
    """Skip the test when Debian's Chromium is not installed; fail under CI, where
    ``make check-browser`` installs it."""
    import pytest

    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is not installed; run `make check-browser`.")
        pytest.skip(f"{CHROMIUM} is not installed")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright; yields the browser."""
    _refuse_unmarked("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


# --- Reading the page -------------------------------------------------------------------------

MAIN = '[data-testid="stMain"]'
PLOT = f"{MAIN} .js-plotly-plot"

TRACES_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  if (!gd || !gd._fullData) return null;
  const first = (c) => Number(c && c.length !== undefined ? c[0] : c);
  const rowsOf = (cd) => (cd ? Array.from(cd, first) : []);
  return gd._fullData.map((t) => ({
    type: t.type,
    name: t.name,
    mode: t.mode || null,
    visible: t.visible,
    count: t.x ? t.x.length : (t.z ? t.z.length : 0),
    rows: rowsOf(t.customdata && t.type !== 'heatmap' ? t.customdata : null),
    hover: t.hovertext ? Array.from(t.hovertext) : [],
    selected: t.selectedpoints
      ? Array.from(t.selectedpoints, (i) => first(t.customdata[i]))
      : null,
  }));
}
"""

POINT_PIXELS_JS = """
(selector) => {
  const gd = document.querySelector(selector);
  const box = gd.getBoundingClientRect();
  const L = gd._fullLayout, size = L._size;
  const out = [];
  gd._fullData.forEach((t, i) => {
    if (t.type !== 'scattergl' || t.mode !== 'markers' || !t.customdata) return;
    for (let j = 0; j < t.x.length; j++) {
      out.push({
        trace: t.name,
        row: Number(t.customdata[j][0]),
        x: box.left + size.l + L.xaxis.l2p(t.x[j]),
        y: box.top + size.t + L.yaxis.l2p(t.y[j]),
      });
    }
  });
  return out;
}
"""


def traces(page: Any, selector: str = PLOT) -> list[dict[str, Any]]:
    """The drawn traces of the first plotly chart (``_fullData``: typed arrays decoded)."""
    return list(page.evaluate(TRACES_JS, selector) or [])


def base_traces(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The traces of the points themselves, without the layers drawn on top."""
    return [
        t
        for t in found
        if t["mode"] == "markers"
        and t["name"] not in HIGHLIGHT_LAYERS
        and not str(t["name"]).startswith(("contains", "matches", "nearest to"))
    ]


def layer(found: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((t for t in found if t["name"] == name), None)


def point_pixels(page: Any, selector: str = PLOT) -> list[dict[str, Any]]:
    """Page coordinates of every marker of a 2-D map."""
    return list(page.evaluate(POINT_PIXELS_JS, selector))


def drag_box(page: Any, left: float, top: float, right: float, bottom: float) -> None:
    """Drag from one corner to the other in steps, as a hand does (press the chart's Box or
    Lasso Select first): plotly needs moves between press and release to see a drag."""
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=5)
    page.mouse.move(right, bottom, steps=5)
    page.mouse.up()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Poll ``condition`` until it holds; fail, saying ``what`` did not happen, after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(0.2)


def steady(read: Callable[[], _T], quiet: float, timeout: float = 60.0) -> _T:
    """Poll ``read`` until its value has stayed the same for ``quiet`` seconds and return it;
    fail if it still changes after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    value, since = read(), time.monotonic()
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"still changing after {timeout:.0f} s (now {value!r})")
        time.sleep(0.2)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value


def settle(page: Any, timeout: float = 120.0, quiet: float = 0.8) -> None:
    """Wait until Streamlit has been idle (no "Running…" widget) for ``quiet`` seconds."""
    status = page.locator('[data-testid="stStatusWidget"]')
    deadline = time.monotonic() + timeout
    # The "Running…" sign lives in the header's toolbar: without the toolbar (a client
    # toolbarMode that hides it) it never shows, and waiting for it to go would wait for nothing.
    toolbar = page.locator('[data-testid="stToolbar"]')
    toolbar.wait_for(state="attached", timeout=timeout * 1000)
    idle_since: float | None = None
    while True:
        now = time.monotonic()
        if status.count() == 0:
            idle_since = idle_since or now
            if now - idle_since >= quiet:
                return
        else:
            idle_since = None
        if now > deadline:
            raise AssertionError(f"the app was still running after {timeout:.0f} s")
        page.wait_for_timeout(100)


def errors_on_page(page: Any) -> str | None:
    """The text of a Streamlit exception box or of a traceback, if the page shows one."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        return str(boxes.first.inner_text())
    body = page.locator("body").inner_text()
    if "Traceback" in body:
        start = body.index("Traceback")
        return str(body[max(0, start - 200) : start + 1500])
    return None


def open_map(browser: Any, address: str, width: int = 1280, height: int = 800) -> Any:
    """A new page of ``width`` × ``height`` at ``address`` (a map page), once its map's plot
    area is drawn and the app is idle; long timeouts, for a busy machine's first map."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(180_000)
    page.goto(address)
    plot_area = page.locator(PLOT).first.locator(".nsewdrag").first
    expect(plot_area).to_be_attached(timeout=180_000)
    settle(page, timeout=180)
    return page


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def describe_failure(step: str, error: BaseException, page: Any, log: Path | None) -> str:
    """A short account of a failed step: where, why, and what the app showed and logged."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.endswith("test_browser.py")
    ]
    frames = [frame for frame in frames if frame.name == step] or frames
    where = f" at test_browser.py:{frames[-1].lineno} ({frames[-1].line})" if frames else ""
    message = str(error).split("\nAria snapshot")[0].split("\nCall log")[0].strip()
    lines = [f"step {step!r} failed{where}:", f"{type(error).__name__}: {message[:3000]}"]
    shown = errors_on_page(page)
    if shown and shown not in message:
        lines += ["The page shows:", shown]
    logged = last_traceback(log) if shown else ""
    if logged and logged not in message:
        lines += ["The app's last traceback:", logged]
    lines.append(f"Screenshot: {ARTIFACTS / 'failure.png'}")
    return "\n".join(lines)
