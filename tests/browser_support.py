"""Helpers for the browser test: the app server, Chromium, and reading the page.

Nothing here is collected as a test; ``tests/test_browser.py`` uses it.
"""

from __future__ import annotations

import csv
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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
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

# Forty texts in four topics that a sentence model tells apart easily.
TOPICS: dict[str, list[str]] = {
    "cooking": [
        "Knead the bread dough for ten minutes until it feels smooth and elastic.",
        "Preheat the oven to 200 degrees before you put the lasagne in.",
        "Fry the onions slowly in butter until they turn golden brown.",
        "This soup recipe needs fresh basil, ripe tomatoes and a pinch of salt.",
        "Let the cake cool completely before you spread the chocolate icing on top.",
        "Whisk the eggs with sugar until the mixture is pale and fluffy.",
        "Simmer the beef stew on low heat for three hours so the meat gets tender.",
        "Season the roast chicken with garlic, lemon and rosemary.",
        "Cook the pasta in plenty of salted boiling water until it is al dente.",
        "Marinate the tofu overnight in soy sauce, ginger and honey.",
    ],
    "football": [
        "The striker scored a stunning goal in the last minute of the match.",
        "Our goalkeeper saved a penalty and the fans went wild.",
        "The referee showed a red card to the defender after a reckless tackle.",
        "The home team won the league after beating their rivals three nil.",
        "The coach changed the formation at half time to press higher up the pitch.",
        "The winger crossed the ball and the captain headed it into the net.",
        "The club signed a young midfielder for a record transfer fee.",
        "The cup final went to extra time and was decided on penalties.",
        "The offside flag cancelled what would have been the winning goal.",
        "Thousands of supporters sang in the stadium before kick-off.",
    ],
    "astronomy": [
        "Jupiter is the largest planet in our solar system.",
        "The telescope captured a faint spiral galaxy millions of light years away.",
        "A total solar eclipse happens when the Moon blocks the Sun completely.",
        "Astronomers discovered an exoplanet orbiting a red dwarf star.",
        "The rings of Saturn are made of ice and rock particles.",
        "A supernova is the explosion of a massive star at the end of its life.",
        "The Milky Way contains hundreds of billions of stars.",
        "Comets grow bright tails of gas and dust as they approach the Sun.",
        "The astronauts watched the Earth rise over the lunar horizon.",
        "Black holes bend light so strongly that nothing can escape them.",
    ],
    "banking": [
        "I want to open a savings account with a better interest rate.",
        "My debit card was declined at the cash machine this morning.",
        "How long does an international bank transfer usually take?",
        "The bank charged me an overdraft fee on my current account.",
        "Please send me a copy of my monthly account statement.",
        "I need to apply for a mortgage to buy my first house.",
        "Someone made a payment with my credit card that I don't recognise.",
        "Can I increase the daily withdrawal limit on my account?",
        "The loan repayment is taken from my account on the first of each month.",
        "I forgot the PIN for my new bank card.",
    ],
}
HIGHLIGHT_LAYERS = {"selected", "neighbours", "clicked", "query", "query row"}


def write_topics_csv(path: Path) -> dict[str, str]:
    """Write the forty texts as ``text,topic`` and return ``{text: topic}``."""
    topic_of = {text: topic for topic, texts in TOPICS.items() for text in texts}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "topic"])
        writer.writerows(topic_of.items())
    return topic_of


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
            return response.status == 200 and response.read().strip() == b"ok"
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
def app_server(home: Path, log: Path, timeout: float = 60.0) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port with its own workspace; yield its URL."""
    if os.environ.get(URL_VARIABLE):
        yield os.environ[URL_VARIABLE].rstrip("/")
        return
    port = free_port()
    env = dict(os.environ)
    env.pop("EMBEDDING_SPACE_MULTI_USER", None)
    env.update(
        EMBEDDING_SPACE_HOME=str(home),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
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
    return page.evaluate(TRACES_JS, selector) or []


def base_traces(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The traces of the points themselves, without the layers drawn on top."""
    return [
        t
        for t in found
        if t["mode"] == "markers"
        and t["name"] not in HIGHLIGHT_LAYERS
        and not str(t["name"]).startswith("contains")
    ]


def layer(found: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    return next((t for t in found if t["name"] == name), None)


def point_pixels(page: Any, selector: str = PLOT) -> list[dict[str, Any]]:
    """Page coordinates of every marker of a 2-D map."""
    return page.evaluate(POINT_PIXELS_JS, selector)


def settle(page: Any, timeout: float = 120.0, quiet: float = 0.8) -> None:
    """Wait until Streamlit has been idle (no "Running…" widget) for ``quiet`` seconds."""
    status = page.locator('[data-testid="stStatusWidget"]')
    deadline = time.monotonic() + timeout
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
        return boxes.first.inner_text()
    body = page.locator("body").inner_text()
    if "Traceback" in body:
        start = body.index("Traceback")
        return body[max(0, start - 200) : start + 1500]
    return None


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
