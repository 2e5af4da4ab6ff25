"""The note of a map whose dataset grew: how its new rows were placed, and, past the share of
placed rows that suggests it, a button that computes the map again over every row and lays it
onto the old one so positions stay comparable."""

from __future__ import annotations

import streamlit as st

from components import cached, state
from components.current import OpenDataset
from embedding_space.analysis.parameters import default_of
from embedding_space.errors import InputError
from embedding_space.store.growing import refit_projection

__all__ = ["map_note"]


def map_note(current: OpenDataset) -> None:
    """The map's own note (placed rows, a sample drawn), with *Recompute* when it is due."""
    projection, params = current.projection, current.params
    if projection is None or not projection.note:
        return
    st.info(projection.note)
    placed = len(projection.coordinates) - projection.fitted
    share = placed / max(len(projection.coordinates), 1)
    if params is None or current.computing is not None or share <= _recompute_share():
        return
    if st.button(
        f"Recompute the map over all {len(projection.coordinates):,} rows",
        icon=":material/refresh:",
        key=state.widget_key("refit", current.info.id),
        help="Fits the map again with every row, starting from this one, and lays it onto "
        "this one (orthogonal Procrustes on the rows it was fitted on), so places stay "
        "comparable.",
    ):
        try:
            with st.spinner("Computing the map again over every row…"):
                _, alignment = refit_projection(current.space, params)
        except InputError as error:
            st.error(str(error))
            return
        cached.forget_dataset(current.info.id)
        state.put(
            state.FLASH,
            f"Recomputed the map over all {len(projection.coordinates):,} rows and laid it "
            f"onto the old one: the {alignment.rows:,} rows it was fitted on moved "
            f"{alignment.relative_residual:.0%} of the map's spread on average (root mean "
            f"square; Procrustes disparity {alignment.disparity:.3f}).",
        )
        st.rerun()


def _recompute_share() -> float:
    return default_of("recompute_share", float)
