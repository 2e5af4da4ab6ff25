"""The first map of a new server, in a real browser: a shared link opened first after a start
draws the demo's stored map from the packaged vectors, without loading the model.

The app loads the model ahead of need in the background (``tests/app/test_app_model_preload``
shows it); the server here is told not to (``EMBEDDING_SPACE_PRELOAD=0``), so that what the
map itself needs is all that is loaded."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from components.cached import PRELOAD_VARIABLE
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.demo.assets import packaged_for
from embedding_space.embed.models import model_identity
from embedding_space.embed.sentence import DEFAULT_MODEL
from tests.browser import support

pytestmark = pytest.mark.server

_X_BY_ROW_JS = """
(selector) => {
  const plot = document.querySelector(selector);
  const found = {};
  for (const trace of plot._fullData) {
    if (trace.mode !== 'markers' || !trace.customdata || !trace.x) continue;
    for (let i = 0; i < trace.x.length; i++) {
      found[Number(trace.customdata[i][0])] = [trace.x[i], trace.y[i]];
    }
  }
  return found;
}
"""


def _server_pid(port: str) -> int:
    """The pid of the server this test started on ``port`` (its command line names it)."""
    found = subprocess.run(
        ["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True, check=True
    )
    return int(found.stdout.split()[0])


def test_a_shared_link_after_a_start_draws_the_stored_map_without_the_model(
    tmp_path: Path,
) -> None:
    support.require_chromium()
    identity = model_identity(DEFAULT_MODEL)
    assert identity is not None
    packaged = packaged_for(identity.cache_key)
    assert packaged is not None
    shipped = packaged.arrays()[packaged.maps[0].array]
    link = f"/map?dataset={DEMO_DATASET_ID}&model={DEFAULT_MODEL}&method=umap&dims=2"
    with (
        support.app_server(
            tmp_path / "workspace",
            tmp_path / "server.log",
            fresh=True,
            environment={PRELOAD_VARIABLE: "0"},
        ) as url,
        support.chromium() as browser,
    ):
        page: Any = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(f"{url}{link}")
        page.wait_for_function(
            f"() => {{ const p = document.querySelector('{support.PLOT}');"
            " return p && p._fullData && p._fullData.length > 0; }"
        )
        drawn = page.evaluate(_X_BY_ROW_JS, support.PLOT)
        support.shot(page, "first-map.png")
        assert support.errors_on_page(page) is None
        mapped = Path(f"/proc/{_server_pid(url.rsplit(':', 1)[1])}/maps").read_text()
    assert len(drawn) == packaged.rows
    rows = np.linspace(0, packaged.rows - 1, 25).round().astype(int)
    np.testing.assert_allclose(
        [drawn[str(row)] for row in rows], shipped[rows].astype(np.float64), rtol=1e-5
    )
    assert "libtorch" not in mapped, "the server loaded torch to draw a stored map"
