"""The first map of a new server process: the demo's stored map and its methods card come from
what is on disk and in the model's files, and the model is loaded only when a text must be
embedded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import components.cached as cached
from components import state
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.errors import ModelLoadError
from tests.helpers import open_app, plotly_figure, plotly_values


@pytest.fixture
def no_model_loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Forget every model this process loaded or read, and record any load the app asks
    for (the load then fails, as a model that cannot load does)."""
    asked: list[str] = []

    def refuse(name: str, precision: str | None = None) -> object:
        asked.append(name)
        raise ModelLoadError(f"Could not load the embedding model '{name}': not in this test.")

    cached._embedder.clear()
    cached._model_identity.clear()
    monkeypatch.setattr(cached, "load_model", refuse)
    # The load a shown map starts in the background is not the page waiting for the model
    # (tests/app/test_app_model_preload.py); only the page's own asks are counted here.
    monkeypatch.setattr(cached, "load_in_background", lambda name: None)
    monkeypatch.setattr(cached, "warm_up_in_background", lambda: None)
    yield asked
    cached._embedder.clear()
    cached._model_identity.clear()


def test_the_demo_map_and_its_methods_card_need_no_model(no_model_loaded: list[str]) -> None:
    app = open_app(DEMO_DATASET_ID, None, method="umap")
    figure = plotly_figure(app)
    rows = {
        int(row)
        for trace in figure["data"]
        if trace.get("customdata") is not None
        for row in plotly_values(trace["customdata"])
    }
    assert len(rows) == 3080
    card = next(block.value for block in app.code if "tokens" in block.value)
    assert "reads 256 tokens" in card
    assert no_model_loaded == []


def test_a_model_whose_files_do_not_say_is_loaded_and_its_failure_shown_at_once(
    no_model_loaded: list[str],
) -> None:
    app = open_app(DEMO_DATASET_ID, None, **{state.MODEL_NAME: "no-such-org/no-such-model"})
    assert no_model_loaded == ["no-such-org/no-such-model"]
    assert [error.value.replace("\\", "") for error in app.error] == [
        "Could not load the embedding model 'no-such-org/no-such-model': not in this test."
    ]
