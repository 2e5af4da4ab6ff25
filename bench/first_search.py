"""The first search by meaning of a fresh server: open the demo's map, wait, search, and time
from Enter to the result on the map (RESULTS.md section 8).

Run: ``python bench/first_search.py TREE PORT TAG WAIT_SECONDS`` for a checkout TREE (with its
``.venv``), e.g. this one and a copy of an older commit, one after the other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.browser import support


def main() -> None:
    tree, port, tag, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    home = Path(f"/tmp/first-search-{tag}")
    shutil.rmtree(home, ignore_errors=True)
    env = {**os.environ, "EMBEDDING_SPACE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    command = [f"{tree}/.venv/bin/python", "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.headless", "true"]
    with open(f"/tmp/first-search-{tag}.log", "w") as log:
        server = subprocess.Popen(command, cwd=tree, env=env, stdout=log, stderr=log)
        try:
            print(f"{tag}: first search after {wait} s on the map: {search(port, wait):.1f} s")
        finally:
            server.terminate()
            server.wait(timeout=30)


def search(port: int, wait: int) -> float:
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(support.CHROMIUM), headless=True, args=support.CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"http://localhost:{port}/")
        support.settle(page, timeout=300)
        page.wait_for_timeout(wait * 1000)
        support.settle(page, timeout=300)
        main = page.locator(support.MAIN)
        main.get_by_role("combobox").nth(1).click()  # the search kind, beside the colour
        page.get_by_role("option", name="Meaning").click()
        support.settle(page, timeout=300)
        box = main.get_by_placeholder("Search, e.g. card never came")
        box.fill("my card never arrived")
        start = time.monotonic()
        box.press("Enter")
        spinner, found = page.locator('[data-testid="stSpinner"]'), page.locator("text=nearest to")
        while spinner.count() or not found.count():
            if time.monotonic() - start > 300:
                raise SystemExit("no result in 300 s")
            page.wait_for_timeout(100)
        seconds = time.monotonic() - start
        browser.close()
        return seconds


if __name__ == "__main__":
    main()
