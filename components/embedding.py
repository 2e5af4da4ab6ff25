"""Embedding a dataset while the page waits: a progress bar from the start (the model loading,
then the texts done and the time left), and the buttons that stop and resume it."""

from __future__ import annotations

import time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import cached, state
from embedding_space.embed.base import Embedder
from embedding_space.embed.progress import TimeLeft, text_costs
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix

LOADING = "Loading the embedding model…"
AREA_KEY = "embedding-progress"
"""The key of the area at the top of the Data page where its embeddings show their progress."""
# Streamlit wraps a container in a box of its own size, within which it cannot stick: the
# wrapper sticks instead, within the page.
_STICKY_CSS = f"""<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-{AREA_KEY}), .st-key-{AREA_KEY} {{
  position: sticky; top: 3.75rem; z-index: 100; background: #ffffff;
}}
</style>"""


def progress_area() -> DeltaGenerator:
    """An area for a progress bar near the top of a page that stays in sight when the page is
    scrolled (the button that starts an embedding may sit below the first screen)."""
    st.html(_STICKY_CSS)
    return st.container(key=AREA_KEY)


def loading_bar(where: DeltaGenerator | None = None) -> DeltaGenerator:
    """A progress bar drawn before anything slow, saying the model is loading; hand it to
    :func:`embed_with_progress`."""
    return (where if where is not None else st.container()).progress(0.0, text=LOADING)


def load_model(model_name: str, bar: DeltaGenerator) -> Embedder:
    """The model, loaded (once per process) while ``bar`` says so.

    Raises:
        ModelLoadError: The model could not be loaded.
    """
    bar.progress(0.0, text=LOADING)
    return cached.embedder(model_name, spinner=False)


def embed_with_progress(
    store: Workspace,
    dataset_id: str,
    model: Embedder,
    viewer: str | None = None,
    bar: DeltaGenerator | None = None,
) -> None:
    """Embed a dataset into ``store`` (for ``viewer``), showing on ``bar`` (a new one when
    ``None``) the share of the work done, the texts done and the time left."""
    bar = bar if bar is not None else loading_bar()
    estimator = TimeLeft()
    unit = getattr(store.embedder_for(dataset_id, model), "unit", "texts")

    def plan(lengths: list[int]) -> None:
        estimator.plan(text_costs(lengths, model.max_seq_length))

    def report(done: int, total: int) -> None:
        estimate = estimator.update(done, total, time.monotonic())
        text = f"Embedding {done:,} of {total:,} {unit} with {model.name}"
        if done < total:
            if estimate.seconds_left is None:
                text += " · time left after the first batch"
            else:
                text += f" · about {_duration(estimate.seconds_left)} left"
        bar.progress(estimate.fraction, text=text)

    store.embeddings(dataset_id, model, viewer=viewer, progress=report, plan=plan)
    bar.empty()


def _duration(seconds: float) -> str:
    """``12 s``, ``3 min 20 s``: rounded as far as an estimate deserves."""
    if seconds < 60:
        return f"{max(1, round(seconds)):,} s"
    minutes, rest = divmod(round(seconds / 10) * 10, 60)
    return f"{minutes:,} min {rest} s" if rest else f"{minutes:,} min"


def embedded_vectors(space: Space, dataset_id: str, model_name: str) -> FloatMatrix:
    """The space's vectors, embedding the dataset first (with a progress bar and a button to
    stop) when they are not stored yet; a stopped embedding offers to resume, and the page
    waits.

    Raises:
        ModelLoadError: The model could not be loaded.
        InputError: The results would take this person past their limits.
    """
    if not space.has_vectors():
        if state.value(state.EMBEDDING_STOPPED) == dataset_id:
            st.info(
                "Embedding stopped. The texts embedded so far are kept: resuming goes on from "
                "where it stopped."
            )
            st.button("Resume embedding", on_click=state.put, args=(state.EMBEDDING_STOPPED, None))
            st.stop()
        bar = loading_bar()
        stop = st.empty()
        stop.button(
            "Stop embedding",
            on_click=state.put,
            args=(state.EMBEDDING_STOPPED, dataset_id),
            help="The texts embedded so far are kept; you can resume later.",
        )
        embed_with_progress(
            cached.workspace(),
            dataset_id,
            load_model(model_name, bar),
            cached.results_owner(dataset_id),
            bar,
        )
        stop.empty()
    return space.vectors
