"""The first map a person sees: a fresh install from the demo step (``make run``'s
``python -m embedding_space demo``) to the map drawn in Chromium, and a restarted server to
the map a shared link shows. Real processes throughout: the demo step, ``streamlit run
app.py``, headless Chromium; the clock stops when the map's points are in the page's plot.

The baseline, measured in the same run, is the app as it was before the demo shipped its
vectors and maps and before the model's key was read from its files: the same commands with
the packaged assets hidden (the demo step embeds and runs UMAP) and the server loading the
model to learn its key. A third run leaves out the server's UMAP warm-up thread, to see what
it costs the first map on this machine's cores.

Run alone: ``python -m bench.first_map [--port N] [--repeat N] [--runs packaged computing
no-warm-up]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.embedding import processor  # noqa: E402
from tests.browser import support  # noqa: E402

DEMO_ROWS = 3080
_PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable

# Each run is the real command with, for the baseline, the new shortcut switched off in
# the process itself, so that both sides run this checkout's code.
_DEMO_STEP = """
import sys
if "computing" in sys.argv[1]:
    import embedding_space.demo.assets as assets
    assets.packaged_for = lambda model_key: None
from embedding_space.cli.main import main
sys.exit(main(["demo"]))
"""

_SERVER = """
import sys
run = sys.argv[1]
if "computing" in run or "no-warm-up" in run:
    import components.cached as cached
    if "computing" in run:
        cached.read_model_identity = lambda name, precision=None: None
    if "no-warm-up" in run:
        cached.warm_up = lambda: None
from streamlit.web import cli
sys.argv = ["streamlit", "run", "app.py", *sys.argv[2:]]
sys.exit(cli.main())
"""

_POINTS_DRAWN = """(rows) => {
  const plot = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  if (!plot || !plot._fullData) return false;
  let drawn = 0;
  for (const trace of plot._fullData) {
    if (trace.mode === 'markers' && trace.customdata && trace.x) drawn += trace.x.length;
  }
  return drawn >= rows;
}"""

RUNS = ("packaged", "computing", "no-warm-up")
"""``packaged``: this checkout as it is; ``computing``: the baseline (see the module's notes);
``no-warm-up``: as packaged, without the UMAP warm-up thread."""

"""The processor flags that change these code paths (bf16 embedding, numba's kernels)."""


@dataclass(frozen=True)
class Timings:
    """Seconds, each from the start of its step to the map's points in the page."""

    demo_step: float
    fresh_to_map: float
    restart_to_map: float


@contextmanager
def server(run: str, env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """``streamlit run app.py`` (as ``run`` sets it up) until it answers; yields its URL."""
    command = [
        _PYTHON,
        "-c",
        _SERVER,
        run,
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
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while not _answers(url):
                if process.poll() is not None:
                    raise RuntimeError(f"the app exited:\n{support.tail(log)}")
                time.sleep(0.1)
            yield url
        finally:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: only what it started
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _map_drawn(browser: Any, address: str) -> str:
    """Open ``address`` in a new page, wait for the map's points; return the page's link."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(address)
        page.wait_for_function(_POINTS_DRAWN, arg=DEMO_ROWS, timeout=300_000, polling="raf")
        return str(page.url)
    finally:
        page.close()


def measure(run: str, browser: Any, port: int, folder: Path) -> Timings:
    """One fresh install and one restart, in a workspace of their own."""
    home = folder / run / "home"
    log = folder / run / "server.log"
    home.mkdir(parents=True)
    env = {
        **os.environ,
        "EMBEDDING_SPACE_HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("EMBEDDING_SPACE_MULTI_USER", None)
    started = time.perf_counter()
    subprocess.run(
        [_PYTHON, "-c", _DEMO_STEP, run], cwd=ROOT, env=env, check=True, capture_output=True
    )
    demo_step = time.perf_counter() - started
    with server(run, env, port, log) as url:
        link = _map_drawn(browser, f"{url}/")
    fresh = time.perf_counter() - started
    restarted = time.perf_counter()
    with server(run, env, port, log):
        _map_drawn(browser, link)  # the same port: the link the first visit left in the address
    return Timings(demo_step, fresh, time.perf_counter() - restarted)


def line(name: str, ours: float, baseline_name: str, baseline: float) -> None:
    print(
        f"{name:<44} {ours:7.1f} s   {baseline_name}: {baseline:7.1f} s   "
        f"ratio {baseline / ours:5.2f}x"
    )


def first_map(port: int, runs: tuple[str, ...] = RUNS, repeat: int = 1) -> dict[str, Timings]:
    """Measure each of ``runs`` ``repeat`` times, interleaved (the machine is shared: what
    drifts drifts for all), and print the medians against the baseline."""
    print(f"first map of the demo ({DEMO_ROWS:,} rows); {processor()}")
    seen: dict[str, list[Timings]] = {run: [] for run in runs}
    folder = Path(tempfile.mkdtemp(prefix="bench-first-map-"))
    try:
        with support.chromium() as browser:
            for attempt in range(repeat):
                for run in runs:
                    timings = measure(run, browser, port, folder / str(attempt))
                    seen[run].append(timings)
                    print(
                        f"  {run:<12} demo step {timings.demo_step:6.1f} s, fresh to map "
                        f"{timings.fresh_to_map:6.1f} s, restart to map "
                        f"{timings.restart_to_map:6.1f} s"
                    )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    found = {run: _median(timings) for run, timings in seen.items()}
    if repeat > 1:
        print(f"medians of {repeat} runs:")
    ours, baseline = found.get("packaged"), found.get("computing")
    if ours is not None and baseline is not None:
        line("demo step", ours.demo_step, "computing", baseline.demo_step)
        line(
            "fresh install: demo step to drawn map",
            ours.fresh_to_map,
            "computing",
            baseline.fresh_to_map,
        )
        line(
            "restart: shared link to drawn map",
            ours.restart_to_map,
            "model loaded",
            baseline.restart_to_map,
        )
    quiet = found.get("no-warm-up")
    if ours is not None and quiet is not None:
        line("  fresh to map, UMAP warm-up running", ours.fresh_to_map, "none", quiet.fresh_to_map)
        line("  restart to map, warm-up running", ours.restart_to_map, "none", quiet.restart_to_map)
    return found


def _median(timings: list[Timings]) -> Timings:
    return Timings(
        *(
            float(statistics.median(getattr(t, name) for t in timings))
            for name in ("demo_step", "fresh_to_map", "restart_to_map")
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="the servers' port (a free one)")
    parser.add_argument("--runs", nargs="+", choices=RUNS, default=list(RUNS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, medians shown")
    args = parser.parse_args()
    first_map(args.port or support.free_port(), tuple(args.runs), args.repeat)


if __name__ == "__main__":
    main()
