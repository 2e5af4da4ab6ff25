"""The Similarity page's choice of rows: how many, and which; applied with one button, so
stepping the count with the keyboard computes nothing until *Apply*."""

from __future__ import annotations

from functools import partial

from streamlit.delta_generator import DeltaGenerator

from components import state
from components.map_view import pending_inputs

WHICH_ROWS = ("random sample", "first rows")
_NAMES = (state.SIMILARITY_ROWS, state.SIMILARITY_WHICH)


def _draw(column: DeltaGenerator, name: str, key: str, *, upper: int) -> None:
    if name == state.SIMILARITY_ROWS:
        column.number_input("Rows", min_value=1, max_value=upper, step=1, key=key)
    else:
        column.selectbox("Which rows", WHICH_ROWS, key=key)


def _within(upper: int) -> None:
    """Keep the applied and the pending counts within this dataset's bounds, and the choice of
    rows one of :data:`WHICH_ROWS` (an edited link, a stale state)."""
    for key in (state.SIMILARITY_ROWS, state.widget_key("pending", state.SIMILARITY_ROWS)):
        count = state.value(key)
        if count is not None:
            try:
                state.put(key, min(max(int(str(count)), 1), upper))
            except ValueError:
                state.put(key, min(100, upper))
    for key in (state.SIMILARITY_WHICH, state.widget_key("pending", state.SIMILARITY_WHICH)):
        if state.value(key) is not None and state.value(key) not in WHICH_ROWS:
            state.put(key, WHICH_ROWS[0])


def rows_choice(where: DeltaGenerator, upper: int, *, disabled: bool) -> tuple[int, bool]:
    """A popover naming the rows the heatmap shows, with a number box and a choice of rows
    that wait for *Apply*.

    Args:
        where: Where to draw it.
        upper: The most rows the heatmap may show (and the dataset has).
        disabled: The rows come from elsewhere (the map's selection).

    Returns:
        The applied count and whether the rows are a random sample.
    """
    state.put(state.SIMILARITY_ROWS, state.value(state.SIMILARITY_ROWS, min(100, upper)))
    state.put(state.SIMILARITY_WHICH, state.value(state.SIMILARITY_WHICH, WHICH_ROWS[0]))
    _within(upper)
    count = int(str(state.value(state.SIMILARITY_ROWS)))
    which = str(state.value(state.SIMILARITY_WHICH))
    label = "The map selection" if disabled else f"{count:,} rows · {which}"
    with where.popover(label, width="stretch", disabled=disabled):
        pending_inputs(_NAMES, partial(_draw, upper=upper))
    return count, which == WHICH_ROWS[0]
