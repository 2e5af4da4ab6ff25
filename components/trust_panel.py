"""How far to trust the map on screen: its figures against the full embedding space."""

from __future__ import annotations

import math

import streamlit as st

from components import cached, state
from components.current import OpenDataset
from components.markdown import safe
from components.settings import setting_input
from embedding_space.analysis.agreement import largest_trust_k
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.errors import InputError
from embedding_space.io.columns import default_color_column

ON_REQUEST_ABOVE = 20_000
"""Maps of more rows are judged only when asked: the full space's kNN graph takes a while."""


def _show_trust() -> None:
    state.put(state.COLOR_COLUMN, state.MAP_TRUST)


def _label_column(current: OpenDataset) -> str | None:
    """The labels the figures read: the dataset's label column, whatever the map is coloured
    by (a box picks another when it has several)."""
    found = cached.label_columns(current.info.id)
    if len(found) < 2:
        return found[0] if found else None
    first = default_color_column(current.frame, current.info.text_column) or found[0]
    return str(
        st.selectbox(
            "Labels",
            found,
            index=found.index(first) if first in found else 0,
            key=state.widget_key("trust-labels", current.info.id),
            help="The column whose labels the label accuracy and silhouettes read.",
        )
    )


def trust_panel(current: OpenDataset, params: ProjectionParams) -> None:
    """An expander with trustworthiness, kNN recall and, with a label column, kNN label
    accuracy and silhouettes in the full space and on the map."""
    with st.expander("How far to trust this map"):
        rows = len(current.texts)
        if rows < 5:
            st.caption("A map of fewer than five rows cannot be judged.")
            return
        k = int(setting_input(st.container(), state.TRUST_K, high=largest_trust_k(rows)))
        column = _label_column(current)
        if rows > ON_REQUEST_ABOVE and not st.toggle(
            "Judge this map",
            help="Compares every row's neighbours on the map with those in the full space; "
            f"above {ON_REQUEST_ABOVE:,} rows that takes a minute or more, so it waits to be "
            "asked.",
            **state.bind(state.JUDGE_LARGE_MAPS),
        ):
            return
        try:
            trust = cached.map_trust(current.space, params, k, column)
        except InputError as error:
            st.error(safe(error))
            return
        left, right = st.columns(2)
        left.metric(f"Trustworthiness@{k}", f"{trust.trustworthiness:.3f}")
        right.metric(f"kNN recall@{k}", f"{trust.knn_recall:.3f}")
        st.caption(
            "Trustworthiness (scikit-learn's) is 1 when no point's neighbours on the map are "
            f"strangers in the full space. kNN recall is the share of each point's {k} "
            "nearest rows in the full space that stay among its nearest on the map."
        )
        if not math.isnan(trust.knn_accuracy_full):
            full, flat = st.columns(2)
            full.metric("Label accuracy, full space", f"{trust.knn_accuracy_full:.3f}")
            flat.metric("Label accuracy, map", f"{trust.knn_accuracy_map:.3f}")
            if not math.isnan(trust.silhouette_full):
                full.metric("Silhouette, full space", f"{trust.silhouette_full:.3f}")
                flat.metric("Silhouette, map", f"{trust.silhouette_map:.3f}")
            st.caption(
                f"Of the labels in “{safe(column)}”: how often a row's {k} neighbours mostly "
                "share its label, and how well the labels separate (silhouette, −1 to 1)."
            )
        if trust.sampled < rows:
            st.caption(
                f"Trustworthiness and silhouettes use a random sample of {trust.sampled:,} of "
                f"the {rows:,} rows; recall and accuracy use every row."
            )
        st.button("Colour the map by trust", on_click=_show_trust, help="Where the map lies.")
