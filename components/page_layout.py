"""The explore pages' frame: less empty space above the content, a small title, and the
height of their maps, so that a map fills the first screen."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import state

MAP_HEIGHTS = {"compact": 600, "tall": 860}
"""Pixels of a map: ``compact`` fits under the toolbar on a screen 800 pixels high, ``tall``
on one 1,080 high (Streamlit cannot read the window's size)."""

# Streamlit leaves 6rem above a page for its header; the header here is a small menu in the
# corner, so 3rem is room enough; and 5rem each side is width the map can use. The title is
# the dataset's name: it need not be large. The header is see-through, so its "Running…" sign
# and menu sit in the corner without hiding the title.
HEADER_CSS = '[data-testid="stHeader"] { background: transparent; }'
_COMPACT_CSS = f"""<style>
{HEADER_CSS}
[data-testid="stMainBlockContainer"] {{
  padding-top: 3rem; padding-bottom: 3rem; padding-left: 1.5rem; padding-right: 1.5rem;
}}
[data-testid="stMain"] h1 {{ font-size: 1.5rem; padding: 0 0 0.1rem 0; }}
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {{ margin-bottom: 0; }}
</style>"""


def compact_page() -> None:
    """Tighten the page around its content (call first on an explore page)."""
    st.html(_COMPACT_CSS)


def map_height(offset: int = 0) -> int:
    """The height chosen for the maps (see :func:`height_choice`), less ``offset`` pixels for
    what a page puts above its map besides the toolbar."""
    chosen = str(state.value(state.MAP_HEIGHT, "compact"))
    return MAP_HEIGHTS.get(chosen, MAP_HEIGHTS["compact"]) - offset


def height_choice(where: DeltaGenerator) -> None:
    """A choice between a map that fits a laptop's screen and a taller one for a large one."""
    if state.value(state.MAP_HEIGHT) not in MAP_HEIGHTS:
        state.put(state.MAP_HEIGHT, "compact")
    where.segmented_control(
        "Map height",
        list(MAP_HEIGHTS),
        format_func={"compact": "Fits 800 px", "tall": "Fits 1080 px"}.__getitem__,
        **state.bind(state.MAP_HEIGHT),
        help="How tall the maps are drawn: to fit a laptop's screen, or a large one's.",
    )
