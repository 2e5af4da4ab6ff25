"""The pieces of the Compare page: two embeddings of one dataset chosen, their figures side
by side, the two maps with linked selection, and the rows the spaces disagree on.

"The selection" here is the Map page's, read through its filters (``filtered_selection``):
the maps light up and the list ranks the selected rows that pass, or every passing row."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from components import background, cached, state
from components.current import OpenDataset
from components.filter_panel import filter_count, filtered_selection
from components.map_view import show_map
from components.markdown import plain_markdown, safe
from components.row_images import row_lines, show_row_image
from embedding_space.analysis.comparison import Comparison, align_map
from embedding_space.figures.map import map_figure
from embedding_space.io.images import THUMBNAIL_PX
from embedding_space.store.embedding_files import StoredEmbedding
from embedding_space.store.space import Space
from embedding_space.types import FloatMatrix


@dataclass(frozen=True)
class Pair:
    """The two embeddings being compared, and the handles on their spaces."""

    a: StoredEmbedding
    b: StoredEmbedding
    space_a: Space
    space_b: Space


def stored_embeddings(current: OpenDataset) -> list[StoredEmbedding]:
    """Every embedding of the open dataset that its viewer can see."""
    return cached.workspace().embedding_list(current.info.id, cached.results_owner(current.info.id))


def choose_pair(current: OpenDataset, stored: list[StoredEmbedding]) -> Pair | None:
    """Two pickers over the dataset's stored embeddings; ``None`` (with a hint) when it has
    fewer than two."""
    if len(stored) < 2:
        if current.info.vectors_model is not None:
            st.info(
                "Compare needs two embeddings of this dataset. It brought its own vectors, "
                "which are its only embedding here (the sidebar's model embeds typed texts); "
                "to compare them with a model's, upload its texts or images again as a new "
                "dataset and embed it there."
            )
        else:
            st.info(
                "Compare needs two embeddings of this dataset. Choose another model in the "
                "sidebar (a deep one, or bow, onehot, tfidf, lsa) to embed it again; every "
                "embedding is kept, and each then appears here."
            )
        return None
    by_key = {item.model_key: item for item in stored}
    keys = list(by_key)
    left, right = st.columns(2)
    first = left.selectbox("Embedding A", keys, format_func=lambda key: by_key[key].label)
    # Another model first: two precisions of one model are the less telling pair.
    rest = sorted(
        (key for key in keys if key != first),
        key=lambda key: by_key[key].model == by_key[first].model,
    )
    second = right.selectbox("Embedding B", rest, format_func=lambda key: by_key[key].label)
    dataset_id = current.info.id
    return Pair(
        by_key[first],
        by_key[second],
        cached.space_by_key(dataset_id, first),
        cached.space_by_key(dataset_id, second),
    )


def embeddings_table(stored: list[StoredEmbedding]) -> None:
    """Every stored embedding of the dataset: model, dimension, time taken, size."""
    frame = pd.DataFrame(
        {
            "model": [item.label.rsplit(" · ", 1)[0] for item in stored],
            "dimension": [item.dimension for item in stored],
            "rows": [item.rows for item in stored],
            "seconds": [
                None if item.seconds is None else round(item.seconds, 1) for item in stored
            ],
            "MB": [round(item.bytes / 1e6, 2) for item in stored],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def comparison(pair: Pair, k: int, label_column: str | None) -> Comparison:
    """The comparison of the pair, computed once per (pair, k, labels)."""
    return cached.comparison(pair.space_a, pair.space_b, k, label_column)


def label_column_picker(current: OpenDataset) -> str | None:
    """A box for the column of labels the label figures use (label-like columns only)."""
    candidates = cached.label_columns(current.info.id)
    chosen = st.selectbox("Labels", [None, *candidates], format_func=lambda c: c or "(none)")
    return None if chosen is None else str(chosen)


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


def summary_table(result: Comparison, pair: Pair) -> None:
    """The figures, with the per-model ones side by side: which model fits this data."""
    st.markdown(
        f"**kNN agreement@{result.k}** {_number(result.knn_agreement)} (chance ≈ "
        f"{result.chance:.3f}) · **similarity Spearman** {_number(result.similarity_spearman)} "
        f"· **linear CKA** {_number(result.cka)}"
    )
    if not math.isnan(result.knn_accuracy_a):
        rows = pd.DataFrame(
            {
                "model": [pair.a.label, pair.b.label],
                f"kNN label accuracy@{result.k}": [result.knn_accuracy_a, result.knn_accuracy_b],
                "silhouette (cosine)": [result.silhouette_a, result.silhouette_b],
            }
        )
        st.dataframe(rows.round(3), hide_index=True, width="stretch")
    st.caption(
        f"Agreement: the share of a row's {result.k} nearest rows (cosine, each model's own "
        "full space) that both models name, as a Jaccard index. Spearman: the rank "
        "correlation of the two models' similarities of the same pairs. CKA: 1 when the two "
        "spaces are the same up to rotation and scale."
    )


def _coordinates(current: OpenDataset, space: Space) -> tuple[FloatMatrix, str]:
    params = current.params or state.projection_params()
    if params.method != "pca" and current.info.rows > background.INSTANT_MAP_UP_TO:
        params = replace(params, method="pca")  # two slow maps at once would stall the page
    return cached.projection(space, params).coordinates, params.method.upper()


def linked_maps(current: OpenDataset, pair: Pair, result: Comparison) -> None:
    """A's map and B's (turned to lie on A's), coloured by agreement; a selection on one
    shows on both."""
    selected = filtered_selection(current.info.id, len(current.texts))
    coordinates_a, method = _coordinates(current, pair.space_a)
    coordinates_b, _ = _coordinates(current, pair.space_b)
    if coordinates_a.shape[1] == 2 and coordinates_b.shape[1] == 2:
        coordinates_b = align_map(coordinates_a, coordinates_b)
    agreement = pd.Series(result.agreement)
    hover = cached.hover_labels(current.info.id)
    events = []
    for column, stored, coordinates in zip(
        st.columns(2), (pair.a, pair.b), (coordinates_a, coordinates_b), strict=True
    ):
        with column:
            st.markdown(f"**{safe(stored.label)}** · {method}")
            figure = map_figure(
                coordinates,
                current.texts,
                revision=f"compare-{stored.model_key}",
                color=agreement,
                color_name=f"agreement@{result.k}",
                color_scale=True,
                hover=hover,
                selected=selected,
                height=460,
            )
            key = f"compare-{current.info.id}-{stored.model_key}"
            events.append(
                show_map(figure, key=key, coordinates=coordinates, dataset_id=current.info.id)
            )
    st.caption(
        "Box or lasso select on either map: the same rows light up on both. B's map is turned, "
        "flipped and scaled to lie on A's (orthogonal Procrustes)."
    )
    for event in events:
        if event.selected is not None:
            state.set_selection(current.info.id, event.selected)
            st.rerun()


def compared_rows(current: OpenDataset) -> list[int] | None:
    """The rows the Compare page works with: the filtered selection (see the module's
    notes); ``None`` for every row, when nothing is selected and no filter is on."""
    dataset_id = current.info.id
    if filter_count(dataset_id) is None and not state.selection(dataset_id, len(current.texts)):
        return None
    return filtered_selection(dataset_id, len(current.texts))


def most_disagreeing(result: Comparison, rows: Sequence[int] | None, count: int) -> list[int]:
    """The ``count`` rows of ``rows`` (all rows for ``None``) whose neighbourhoods differ
    most, worst first."""
    if rows is None:
        return result.most_disagreeing(count)
    return sorted(rows, key=lambda row: float(result.agreement[row]))[:count]


def disagreeing_rows(
    current: OpenDataset, pair: Pair, result: Comparison, rows: Sequence[int] | None = None
) -> None:
    """The rows (of ``rows``; all for ``None``) whose neighbourhoods differ most, each with
    its image and its two neighbour lists."""
    texts = current.texts
    dataset_id = current.info.id
    for row in most_disagreeing(result, rows, 10):
        with st.expander(
            f"Row {row} · agreement {result.agreement[row]:.2f} · {plain_markdown(texts[row], 90)}"
        ):
            show_row_image(dataset_id, row, width=THUMBNAIL_PX)
            shared = set(result.neighbors_a[row].tolist()) & set(result.neighbors_b[row].tolist())
            for column, stored, neighbors in zip(
                st.columns(2),
                (pair.a, pair.b),
                (result.neighbors_a, result.neighbors_b),
                strict=True,
            ):
                column.markdown(f"**{safe(stored.model)}**")
                lines = [
                    (
                        int(other),
                        ("✓ " if int(other) in shared else "· ")
                        + plain_markdown(texts[int(other)], 120),
                    )
                    for other in neighbors[row]
                ]
                row_lines(dataset_id, lines, where=column)


def selection_note(current: OpenDataset, rows: Sequence[int] | None) -> None:
    """How many rows the page works with (and how the filters narrowed them), and a button
    to clear the selection."""
    dataset_id = current.info.id
    selected = state.selection(dataset_id, len(current.texts))
    filtered = filter_count(dataset_id)
    if filtered is None and not selected:
        return
    if filtered is None:
        note = f"{len(selected):,} rows selected on the maps."
    elif selected:
        note = (
            f"Filtered: {filtered.text} · {len(rows or ()):,} of the {len(selected):,} "
            "selected rows pass: the maps light up those, and the list below ranks them."
        )
    else:
        note = (
            f"Filtered: {filtered.text} · the maps light up the rows that pass, and the list "
            "below ranks them."
        )
    left, right = st.columns([4, 1])
    left.caption(note)
    if selected and right.button("Clear selection", key="compare-clear"):
        state.set_selection(dataset_id, [])
        st.rerun()


__all__ = [
    "Pair",
    "choose_pair",
    "compared_rows",
    "comparison",
    "disagreeing_rows",
    "embeddings_table",
    "label_column_picker",
    "linked_maps",
    "lsa_components",
    "most_disagreeing",
    "selection_note",
    "stored_embeddings",
    "summary_table",
]


def lsa_components(current: OpenDataset, pair: Pair) -> None:
    """For an LSA embedding in the pair: the words each leading component weighs most."""
    for stored in (pair.a, pair.b):
        if not stored.model.startswith("lsa"):
            continue
        fit = cached.space_by_key(current.info.id, stored.model_key).fit
        if fit is None:
            continue
        with st.expander(f"What {safe(stored.model)}'s first components stand for"):
            lines = [
                f"{component + 1}. "
                + ", ".join(safe(word) for word, _ in fit.component_terms(component, 8))
                for component in range(min(10, fit.dimension))
            ]
            st.markdown("\n".join(lines))
