"""Embedding a dataset while the page waits: a progress bar with the time left, and the
buttons that stop and resume it."""

from __future__ import annotations

import time

import streamlit as st

from components import cached, state
from embedding_space.embed.base import Embedder
from embedding_space.store.space import Space
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix


def embed_with_progress(
    store: Workspace, dataset_id: str, model: Embedder, viewer: str | None = None
) -> None:
    """Embed a dataset into ``store`` (for ``viewer``), showing the count done and the time
    left."""
    bar = st.progress(0.0, text="Embedding…")
    started = time.monotonic()
    first_done: list[int] = []

    def report(done: int, total: int) -> None:
        if not first_done:
            first_done.append(done)  # cached texts arrive at once; do not count them in the rate
        elapsed = time.monotonic() - started
        computed = done - first_done[0]
        text = f"Embedding {done:,} of {total:,} texts with {model.name}"
        if computed > 0 and done < total:
            left = (total - done) * elapsed / computed
            text += f" · about {left:,.0f} s left"
        bar.progress(done / max(total, 1), text=text)

    store.embeddings(dataset_id, model, viewer=viewer, progress=report)
    bar.empty()


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
            cached.embedder(model_name),
            cached.results_owner(dataset_id),
        )
        stop.empty()
    return space.vectors
