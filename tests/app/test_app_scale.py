"""Large datasets in the app, through AppTest: the first look at many rows, a map computed in
the background with PCA shown meanwhile, and an embedding stopped and resumed."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components import background, state
from embedding_space.analysis.projection import PCA_FIRST_ABOVE
from embedding_space.embed import Embedder
from embedding_space.figures.raster import SAMPLE_POINTS
from embedding_space.store.workspace import Workspace
from tests.helpers import APP_TIMEOUT, TOPICS, open_app, plotly_figure


def _captions(app: AppTest) -> str:
    return "\n".join(caption.value for caption in app.caption)


@pytest.fixture(scope="module")
def many_rows_id() -> str:
    """More rows than the first look maps with UMAP: uploaded 8-dimensional vectors in four
    groups, so no model runs."""
    count = PCA_FIRST_ABOVE + 1
    rng = np.random.default_rng(0)
    groups = rng.integers(0, 4, count)
    vectors = (np.eye(8)[groups] * 3 + rng.normal(size=(count, 8))).astype(np.float32)
    frame = pd.DataFrame({"text": [f"row {row}" for row in range(count)], "group": groups})
    frame["group"] = "group " + frame["group"].astype(str)
    info = Workspace().create_dataset(frame, "text", "many rows", vectors=vectors)
    return info.id


def test_a_dataset_of_many_rows_opens_as_pca_with_every_row_shaded(many_rows_id: str) -> None:
    app = open_app(
        many_rows_id,
        method=None,  # the app chooses
        **{state.COLOR_COLUMN: "group", state.COLOR_DATASET: many_rows_id},
    )
    assert app.session_state["method"] == "pca"
    captions = _captions(app)
    assert f"With {PCA_FIRST_ABOVE + 1:,} rows the first look is PCA" in captions
    assert "the shading counts every row" in captions
    figure = plotly_figure(app)
    assert len(figure["layout"]["images"]) == 1, "the density image of every row"
    points = [trace for trace in figure["data"] if trace.get("customdata") is not None]
    assert {trace["name"] for trace in points} == {f"group {group}" for group in range(4)}
    # Typed arrays: each trace's rows arrive as base64 int32.
    assert {trace["x"]["dtype"] for trace in points} == {"f4"}
    drawn = np.concatenate(
        [np.frombuffer(base64.b64decode(trace["customdata"]["bdata"]), "<i4") for trace in points]
    )
    assert len(drawn) == len(set(drawn.tolist())) == SAMPLE_POINTS


def test_a_large_map_is_computed_in_the_background_with_pca_shown_meanwhile(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [text for group in TOPICS.values() for text in group]
    store = Workspace()
    info = store.create_dataset(pd.DataFrame({"text": texts}), "text", "background map")
    store.embeddings(info.id, embedder)
    monkeypatch.setattr(background, "INSTANT_MAP_UP_TO", 10)
    # The job waits for the test's word, so the first run surely finds it still running.
    gate, started = threading.Event(), []
    real_job_for = background.job_for

    def gated(key: object, label: str, work: Callable[[], object], owner: str) -> background.Job:
        def held() -> object:
            gate.wait(APP_TIMEOUT)
            return work()

        job = real_job_for(key, label, held, owner)
        started.append(job)
        return job

    monkeypatch.setattr(background, "job_for", gated)
    app = open_app(info.id, method="umap", n_neighbors=5)
    notes = [block.value for block in app.info]
    assert any("The UMAP of 40 rows is being computed in the background" in n for n in notes)
    assert "40 points · PCA 2-D" in _captions(app)
    app.run()  # a rerun while it computes finds the same job
    assert len({id(job) for job in started}) == 1
    gate.set()
    started[0].future.result(timeout=APP_TIMEOUT)
    app.run()
    assert not app.exception
    assert not any("in the background" in block.value for block in app.info)
    assert "40 points · UMAP 2-D" in _captions(app)
    # The same map asked for again comes from the store at once.
    again = open_app(info.id, method="umap", n_neighbors=5)
    assert "40 points · UMAP 2-D" in _captions(again)


def test_a_stopped_embedding_waits_and_resumes_where_it_stopped() -> None:
    store = Workspace()
    info = store.create_dataset(
        pd.DataFrame({"text": ["a cat on a mat", "a dog in the fog", "rain in Spain"]}),
        "text",
        "stopped",
    )
    app = open_app(info.id, method="pca", **{state.EMBEDDING_STOPPED: info.id})
    assert any("Embedding stopped" in block.value for block in app.info)
    assert not app.get("plotly_chart"), "no map without vectors"
    next(button for button in app.button if button.label == "Resume embedding").click().run()
    assert not app.exception
    assert "3 points · PCA 2-D" in _captions(app)
