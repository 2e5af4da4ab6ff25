"""The dataset the pages show: opened once per run, with its embedding, its vectors and
(when the page draws one) its map."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from components import background, cached, state
from components.damage import show_damaged_file
from components.embedding import embedded_vectors
from components.markdown import safe
from embedding_space.analysis.projection import PARAMETERS, Projection, ProjectionParams
from embedding_space.errors import DamagedFileError, InputError
from embedding_space.store.space import Space
from embedding_space.store.workspace import DatasetInfo
from embedding_space.types import FloatMatrix


@dataclass(frozen=True)
class OpenDataset:
    """The current dataset as a page needs it (arrays are shared, read-only).

    Attributes:
        info: What the workspace knows of it.
        space: The handle on its embedding by the sidebar's model; every derived result is
            asked of it, through the caches of :mod:`components.cached`.
        projection: Its map, when the page asked for one.
        params: What ``projection`` was made with (PCA while ``computing``).
        computing: The job computing the map asked for, while ``projection`` is the PCA map
            shown meanwhile.
    """

    info: DatasetInfo
    space: Space
    projection: Projection | None
    params: ProjectionParams | None = None
    computing: background.Job | None = None

    @property
    def frame(self) -> pd.DataFrame:
        """The rows (read-only)."""
        return self.space.table

    @property
    def texts(self) -> list[str]:
        """The texts in row order."""
        return self.space.texts

    @property
    def vectors(self) -> FloatMatrix:
        """The vectors, shape ``(n, d)`` (read-only)."""
        return self.space.vectors


def open_current(title: str | None = None, *, with_projection: bool = True) -> OpenDataset:
    """Open the sidebar's dataset with its vectors and (optionally) its map, or stop the page.

    The page stops with a hint when there is no dataset, and with the message when the model
    cannot load or the data cannot be projected. A dataset not yet embedded with the model is
    embedded first, with a progress bar.

    Args:
        title: The page title, drawn before any slow step so the page never looks empty;
            the dataset's name when ``None``.
        with_projection: Compute the map as well.
    """
    dataset_id = state.value(state.DATASET_ID)
    if dataset_id is None:
        st.info("No dataset yet: add one on the **Data** page.")
        st.stop()
    try:
        info = cached.workspace().get(str(dataset_id))
    except DamagedFileError as error:
        st.title(title or "A damaged dataset", anchor=False)
        show_damaged_file(error, str(dataset_id), owner=None)
        st.stop()
    st.title(title or safe(info.name), anchor=False)
    show_flash()
    model_name = state.model_name()
    params = state.projection_params()
    try:
        space = cached.space(info.id, model_name)
        embedded_vectors(space, info.id, model_name)
        projection, computing = cached.map_of(space, params) if with_projection else (None, None)
    except DamagedFileError as error:
        show_damaged_file(error, info.id, info.owner)
        st.stop()
    except InputError as error:
        st.error(safe(error))
        st.stop()
    if computing is not None:
        _waiting_for(computing)
    shown = replace(params, method="pca") if computing is not None else params
    return OpenDataset(info, space, projection, shown, computing)


def _waiting_for(computing: background.Job) -> None:
    wait, stop = st.columns([4, 1], vertical_alignment="center")
    with wait:
        st.info(
            f"The {computing.label} is being computed in the background; the PCA map is "
            "shown until it is ready, and then replaced."
        )
        background.wait_for(computing)
    stop.button(
        "Keep PCA",
        on_click=state.put,
        args=(PARAMETERS["method"].name, "pca"),
        help="Stop waiting and keep the PCA map. A map no page waits for is dropped (or "
        f"stopped while it computes) after {background.ABANDONED_AFTER:.0f} s; one that "
        "finishes first is kept, so choosing it again later is instant.",
    )


def show_flash() -> None:
    """Show, once, the message the last action left for the next page (e.g. "Added …"), and
    why parts of the link this session opened were left out."""
    if message := state.take(state.FLASH):
        st.success(str(message))
    if problem := state.take(state.LINK_PROBLEM):
        st.warning(safe(problem))
