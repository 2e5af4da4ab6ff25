"""The controls every page shares: dataset, model, projection method and dimensions."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from components import cached, state
from components.panels import safe
from embedding_space.demo import DEMO_CREDIT, DEMO_DATASET_ID
from embedding_space.embedding import DEFAULT_MODEL
from embedding_space.errors import InputError
from embedding_space.workspace import DatasetInfo

_MODEL_INPUT = "model_input"
_MODEL_ERROR = "model_error"
_MODEL_REQUEST = "model_request"


def _request_model() -> None:
    st.session_state[_MODEL_REQUEST] = st.session_state[_MODEL_INPUT].strip() or DEFAULT_MODEL


def _apply_model_request() -> None:
    """Load a newly typed model before the input is drawn; keep the old one if it fails."""
    wanted = st.session_state.pop(_MODEL_REQUEST, None)
    if wanted is None or wanted == st.session_state[state.MODEL_NAME]:
        return
    try:
        with st.spinner(f"Loading {wanted}…"):
            cached.embedder(wanted)
    except InputError as error:
        st.session_state[_MODEL_ERROR] = str(error)
        st.session_state[_MODEL_INPUT] = st.session_state[state.MODEL_NAME]
        return
    st.session_state[_MODEL_ERROR] = None
    st.session_state[state.MODEL_NAME] = wanted


def dataset_labels(datasets: list[DatasetInfo]) -> dict[str, str]:
    """One distinct label per dataset: Streamlit tells options apart by their labels."""
    labels = {info.id: f"{info.name} · {info.rows:,} rows" for info in datasets}
    counts = Counter(labels.values())
    for info in datasets:
        if counts[labels[info.id]] > 1:
            labels[info.id] += f" · {info.created.replace('T', ' ')[:16]} · {info.id[:4]}"
    return labels


def render() -> None:
    """Draw the sidebar; its choices land in session state under :mod:`components.state` keys."""
    store = cached.workspace()
    who = state.identity()
    datasets = {info.id: info for info in store.list_datasets(who.viewer)}
    linked = st.session_state.pop(state.LINK_NOTICE, None)
    if st.session_state.get(state.DATASET_ID) not in datasets:
        if linked is not None:
            st.warning(
                "The dataset in this link is private to its owner or no longer exists; "
                "showing the demo instead."
            )
        st.session_state[state.DATASET_ID] = (
            DEMO_DATASET_ID if DEMO_DATASET_ID in datasets else next(iter(datasets), None)
        )
    with st.sidebar:
        labels = dataset_labels(list(datasets.values()))
        st.selectbox(
            "Dataset",
            options=list(datasets),
            format_func=labels.__getitem__,
            **state.bind(state.DATASET_ID),
        )
        current = datasets.get(st.session_state[state.DATASET_ID])
        if current is not None and current.vectors_model is not None:
            st.caption("This dataset brought its own vectors; the model is used for text queries.")
        _apply_model_request()
        st.session_state.setdefault(_MODEL_INPUT, st.session_state[state.MODEL_NAME])
        st.text_input(
            "Embedding model",
            key=_MODEL_INPUT,
            on_change=_request_model,
            help=(
                f"{DEFAULT_MODEL} is bundled and works offline. Any sentence-transformers model "
                "name or local folder works when it is on this machine or the Hub is reachable."
            ),
        )
        if error := st.session_state.pop(_MODEL_ERROR, None):
            st.error(safe(error))
        st.radio(
            "Projection",
            options=list(state.METHOD_LABELS),
            format_func=state.METHOD_LABELS.__getitem__,
            **state.bind(state.METHOD),
            horizontal=True,
        )
        st.radio(
            "Dimensions",
            options=[2, 3],
            format_func=lambda dims: f"{dims}-D",
            **state.bind(state.DIMS),
            horizontal=True,
        )
        if current is not None and current.id == DEMO_DATASET_ID:
            st.caption(f"Demo data: {DEMO_CREDIT}.")
