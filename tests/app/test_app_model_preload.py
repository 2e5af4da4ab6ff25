"""The model a dataset's typed texts need is loaded in the background as soon as its stored map
is shown, so the first search finds it loaded; and two threads asking for one model load it
once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import components.cached as cached
from embedding_space.demo import DEMO_DATASET_ID
from embedding_space.embed.base import Embedder
from embedding_space.embed.sentence import DEFAULT_MODEL
from tests.helpers import open_app


class Loads:
    """Every model load the app asks for, by name and thread; each returns the session's real
    model, and waits for :attr:`release` first."""

    def __init__(self, model: Embedder) -> None:
        self.model = model
        self.calls: list[tuple[str, str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, name: str, precision: str | None = None) -> Embedder:
        self.calls.append((name, threading.current_thread().name))
        self.started.set()
        self.release.wait(timeout=60)
        return self.model


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch, embedder: Embedder) -> Iterator[Loads]:
    spy = Loads(embedder)
    cached._embedder.clear()
    cached._background_load.clear()
    monkeypatch.setattr(cached, "load_model", spy)
    # The server-wide warm-up also loads the default model; left out, only opening the
    # dataset can have started the load this test sees.
    monkeypatch.setattr(cached, "warm_up_in_background", lambda: None)
    yield spy
    spy.release.set()
    for thread in threading.enumerate():
        if thread.name.startswith("load-"):
            thread.join(timeout=60)
    cached._embedder.clear()
    cached._background_load.clear()


def test_opening_the_demo_map_loads_its_model_in_the_background(loads: Loads) -> None:
    open_app(DEMO_DATASET_ID, None, method="umap")
    assert loads.started.wait(timeout=60)
    assert loads.calls == [(DEFAULT_MODEL, f"load-{DEFAULT_MODEL}")]
    # The first search's model comes from the cache the background filled.
    assert cached.embedder(DEFAULT_MODEL, spinner=False) is loads.model
    assert len(loads.calls) == 1


def test_a_search_during_the_background_load_waits_for_it_rather_than_loading_again(
    loads: Loads,
) -> None:
    loads.release.clear()
    cached.load_in_background(DEFAULT_MODEL)
    assert loads.started.wait(timeout=60)
    searched: list[object] = []
    search = threading.Thread(
        target=lambda: searched.append(cached.embedder(DEFAULT_MODEL, spinner=False))
    )
    search.start()
    search.join(timeout=0.5)  # the search is now waiting on the load, not running its own
    loads.release.set()
    search.join(timeout=60)
    assert searched == [loads.model]
    assert loads.calls == [(DEFAULT_MODEL, f"load-{DEFAULT_MODEL}")]
