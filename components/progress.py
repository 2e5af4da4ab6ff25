"""Progress bars for long jobs: the count done and the time left."""

from __future__ import annotations

import time

import streamlit as st

from embedding_space.embed.base import Embedder
from embedding_space.store.workspace import Workspace


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
