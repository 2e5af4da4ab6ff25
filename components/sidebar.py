"""The controls every page shares: dataset, model, projection method and dimensions."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from components import cached, identity, state
from components.markdown import safe
from components.views_panel import saved_views
from embedding_space.analysis.cost import cost_sentence
from embedding_space.analysis.projection import (
    METHOD_LABELS,
    MIN_POINTS_FOR_NONLINEAR,
    PARAMETERS,
    PCA_FIRST_ABOVE,
)
from embedding_space.demo import DEMO_CREDIT, DEMO_DATASET_ID
from embedding_space.embed.images import CLIP_HINT
from embedding_space.embed.models import canonical_name
from embedding_space.embed.sentence import DEFAULT_MODEL
from embedding_space.embed.static import PREVIEW_MODEL, preview_measure
from embedding_space.errors import InputError
from embedding_space.store.workspace import DatasetInfo
from embedding_space.text import without_direction_controls
from embedding_space.views import PAGES


def _request_model() -> None:
    typed = str(state.value(state.MODEL_INPUT) or "").strip()
    state.put(state.MODEL_REQUEST, typed or DEFAULT_MODEL)


def _preview_note() -> str:
    """What the preview model costs in faithfulness, as measured when it was built."""
    measured = preview_measure()
    if measured is None:
        return "Fast preview: a static model distilled from all-MiniLM-L6-v2, far less faithful."
    # Two significant figures: the speed was measured once, on one busy machine.
    speedup = float(f"{measured.speedup:.2g}")
    return (
        f"Fast preview: about {speedup:,.0f}× as many texts a second as {DEFAULT_MODEL}, but "
        f"of each text's 10 nearest neighbours only {100 * measured.agreement:.0f} % are also "
        f"among {DEFAULT_MODEL}'s (measured on {measured.measured_on})."
    )


def _images_note(current: DatasetInfo) -> None:
    """Whether the model places the dataset's rows by their images or by their texts."""
    model = str(state.value(state.MODEL_NAME) or DEFAULT_MODEL)
    try:
        reads = cached.model_identity(model).reads_images
    except InputError:
        return  # the model's own error is shown where it is loaded
    if reads:
        st.caption(f"Images: {safe(model)} embeds them; a typed text finds images.")
    else:
        st.caption(
            f"Images: {safe(model)} reads texts only, so the rows are placed by their text "
            f"(“{safe(current.text_column)}”), not by their images.",
            help=CLIP_HINT,
        )


def _apply_model_request() -> None:
    """Load a newly typed model before the input is drawn; keep the old one if it fails."""
    wanted = state.take(state.MODEL_REQUEST)
    if wanted is not None and canonical_name(str(wanted)) == PREVIEW_MODEL:
        # 'preview' becomes the full name, in the box and on the map: it says what the model is.
        wanted = PREVIEW_MODEL
        state.put(state.MODEL_INPUT, PREVIEW_MODEL)
    allowed = identity.allowed_models()
    if wanted is None or wanted == state.value(state.MODEL_NAME):
        return
    if allowed is not None and wanted not in allowed:
        return
    try:
        with st.spinner(f"Loading {wanted}…"):
            cached.embedder(str(wanted))
    except InputError as error:
        state.put(state.MODEL_ERROR, str(error))
        state.put(state.MODEL_INPUT, state.value(state.MODEL_NAME))
        return
    state.put(state.MODEL_ERROR, None)
    state.put(state.MODEL_NAME, wanted)


def dataset_labels(datasets: list[DatasetInfo]) -> dict[str, str]:
    """One distinct label per dataset: Streamlit tells options apart by their labels."""
    labels = {
        info.id: f"{without_direction_controls(info.name)} · {info.rows:,} rows"
        for info in datasets
    }
    counts = Counter(labels.values())
    for info in datasets:
        if counts[labels[info.id]] > 1:
            labels[info.id] += f" · {info.created.replace('T', ' ')[:16]} · {info.id[:4]}"
    return labels


def _choose_visible_dataset(datasets: dict[str, DatasetInfo]) -> None:
    """Keep the current dataset if this visitor may see it; else fall back to the demo."""
    linked = state.take(state.LINK_NOTICE)
    if state.value(state.DATASET_ID) in datasets:
        return
    if linked is not None:
        st.warning(
            "The dataset in this link is private to its owner or no longer exists; "
            "showing the demo instead."
        )
    fallback = DEMO_DATASET_ID if DEMO_DATASET_ID in datasets else next(iter(datasets), None)
    state.put(state.DATASET_ID, fallback)


def render(page: str) -> None:
    """Draw the sidebar; its choices land in session state under :mod:`components.state` keys.

    Args:
        page: The address of the page shown (a saved view opens on it).
    """
    store = cached.workspace()
    who = identity.identity()
    datasets = {info.id: info for info in store.list_datasets(who.viewer)}
    _choose_visible_dataset(datasets)
    with st.sidebar:
        labels = dataset_labels(list(datasets.values()))
        st.selectbox(
            "Dataset",
            options=list(datasets),
            format_func=labels.__getitem__,
            **state.bind(state.DATASET_ID),
        )
        current = datasets.get(str(state.value(state.DATASET_ID)))
        if current is not None and current.vectors_model is not None:
            st.caption("This dataset brought its own vectors; the model is used for text queries.")
        _apply_model_request()
        if state.value(state.MODEL_INPUT) is None:
            state.put(state.MODEL_INPUT, state.value(state.MODEL_NAME))
        allowed = identity.allowed_models()
        if allowed is None:
            st.text_input(
                "Embedding model",
                key=state.MODEL_INPUT,
                on_change=_request_model,
                help=(
                    f"{DEFAULT_MODEL} is bundled and works offline. Any sentence-transformers "
                    "model name or local folder works when it is on this machine or the Hub is "
                    f"reachable. '{PREVIEW_MODEL}' (or 'preview') is a static model made from "
                    "it: far faster, and less faithful (the caption below it says how much). "
                    "The traditional embedders, fitted on the dataset: bow (word "
                    "counts), onehot (word presence), tfidf, lsa or lsa:DIM (TF-IDF reduced by "
                    "SVD). A CLIP model (clip-ViT-B-32 and the like) embeds a dataset's images, "
                    "and typed texts into the same space. Each model's vectors are kept: "
                    "switching back is instant."
                ),
            )
        else:
            if state.value(state.MODEL_INPUT) not in allowed:
                state.put(state.MODEL_INPUT, allowed[0])
            st.selectbox(
                "Embedding model",
                allowed,
                key=state.MODEL_INPUT,
                on_change=_request_model,
                help="The models this server offers.",
            )
        if canonical_name(str(state.value(state.MODEL_NAME) or "")) == PREVIEW_MODEL:
            st.caption(_preview_note())
        if current is not None and current.images and current.vectors_model is None:
            _images_note(current)
        if error := state.take(state.MODEL_ERROR):
            st.error(safe(error))
        method = PARAMETERS["method"]
        if current is not None and state.value(state.METHOD_DATASET) != current.id:
            state.put(state.METHOD_DATASET, current.id)
            if current.rows > PCA_FIRST_ABOVE:
                state.put(method.name, "pca")
        st.radio(
            method.label,
            options=list(method.choices),
            format_func=METHOD_LABELS.__getitem__,
            help=method.help,
            **state.bind(method.name),
            horizontal=True,
        )
        if current is not None and MIN_POINTS_FOR_NONLINEAR <= current.rows <= PCA_FIRST_ABOVE:
            # Said before a click starts one: a new UMAP or t-SNE is seconds to minutes.
            st.caption(
                "A new map, computed once and then stored: "
                + "; ".join(cost_sentence(name, current.rows) for name in ("umap", "tsne"))
                + "."
            )
        if current is not None and current.rows > PCA_FIRST_ABOVE:
            st.caption(
                f"With {current.rows:,} rows the first look is PCA (seconds). UMAP and t-SNE "
                "take minutes here: they compute in the background, with PCA shown meanwhile."
            )
        if (
            current is not None
            and current.rows < MIN_POINTS_FOR_NONLINEAR
            and state.value(method.name) != "pca"
        ):
            st.caption(
                f"With {current.rows} rows the map is drawn with PCA: UMAP and t-SNE need "
                f"{MIN_POINTS_FOR_NONLINEAR}."
            )
        dimensions = PARAMETERS["n_components"]
        st.radio(
            dimensions.label,
            options=list(dimensions.choices),
            format_func=lambda dims: f"{dims}-D",
            help=dimensions.help,
            **state.bind(dimensions.name),
            horizontal=True,
        )
        if current is not None and current.id == DEMO_DATASET_ID:
            st.caption(f"Demo data: {DEMO_CREDIT}.")
        if page in PAGES:
            saved_views(page)
        identity.sign_out_button()
