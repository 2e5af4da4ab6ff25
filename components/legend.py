"""The map's legend when it is too long for the plot: a "Legend (77)" popover that finds a
category by name, shows each with its colour, and highlights the ones picked on the map."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import state
from embedding_space.figures.points import LEGEND_LIMIT, category_colors, is_categorical
from embedding_space.text import without_direction_controls

_HEX = re.compile(r"^#[0-9a-fA-F]{3,8}$")
_ROW = (
    '<div class="es-legend-row"><span class="es-swatch" style="background:{color}"></span>'
    '<span class="es-name">{name}</span><span class="es-count">{count:,}</span></div>'
)
_STYLE = """<style>
.es-legend { max-height: 18rem; overflow-y: auto; font-size: 0.85rem; line-height: 1.5; }
.es-legend-row { display: flex; align-items: center; gap: 0.45rem; }
.es-swatch { flex: none; width: 0.75rem; height: 0.75rem; border-radius: 50%; }
.es-name { flex: 1; overflow-wrap: anywhere; }
.es-count { color: #6b7280; font-variant-numeric: tabular-nums; }
</style>"""


@dataclass(frozen=True)
class Legend:
    """The categories of a map's colouring, as the map draws them.

    Attributes:
        values: Each row's category, shape ``(n,)``.
        colors: Each category's colour, in the map's order.
    """

    values: np.ndarray
    colors: dict[str, str]

    def counts(self) -> dict[str, int]:
        found = pd.Series(self.values).value_counts()
        return {name: int(found.get(name, 0)) for name in self.colors}

    def rows_of(self, picked: Sequence[str]) -> list[int]:
        """The rows of the picked categories."""
        return np.flatnonzero(np.isin(self.values, list(picked))).tolist()


def long_legend(color: pd.Series | None, scale: bool) -> Legend | None:
    """The categories of a colouring too long for the plot's own legend, else ``None``."""
    if color is None or scale or not is_categorical(color):
        return None
    values, colors = category_colors(color)
    return Legend(values, colors) if len(colors) > LEGEND_LIMIT else None


def matching(names: Sequence[str], query: str) -> list[str]:
    """The names that hold every word of ``query``, ignoring case (all for an empty query)."""
    words = query.casefold().split()
    return [name for name in names if all(word in name.casefold() for word in words)]


def legend_rows(names: Sequence[str], colors: dict[str, str], counts: dict[str, int]) -> str:
    """The listed categories as HTML: a colour dot, the name as plain text, the row count."""
    rows = [
        _ROW.format(
            color=colors[name] if _HEX.match(colors[name]) else "#b0b0b0",
            name=html.escape(without_direction_controls(name)),
            count=counts.get(name, 0),
        )
        for name in names
    ]
    return f'<div class="es-legend">{"".join(rows)}</div>'


def legend_popover(where: DeltaGenerator, legend: Legend, key: str) -> list[str]:
    """A "Legend (n)" popover: a search box over the categories, each listed with its colour
    and size, and a pick of categories to highlight on the map.

    Args:
        where: The toolbar's slot.
        legend: From :func:`long_legend`.
        key: What the choices are kept under (the dataset and its colouring).

    Returns:
        The categories picked to highlight (none by default).
    """
    names = list(legend.colors)
    picked_key = state.widget_key("legend-picked", key)
    if any(name not in legend.colors for name in state.value(picked_key, None) or []):
        state.forget(picked_key)
    with where.popover(f"Legend ({len(names)})", width="stretch"):
        query = st.text_input(
            "Find a category",
            placeholder="e.g. card",
            key=state.widget_key("legend-find", key),
        )
        shown = matching(names, query)
        st.caption(
            f"{len(shown)} of {len(names)} categories"
            if query.strip()
            else f"{len(names)} categories · rows"
        )
        st.html(_STYLE + legend_rows(shown, legend.colors, legend.counts()))
        picked = st.multiselect(
            "Highlight on the map",
            names,
            key=picked_key,
            placeholder="Pick categories",
            help="The other points are dimmed.",
        )
    return [str(name) for name in picked]
