"""What every figure shares: a hover card that reads well on any map.

Streamlit's theme draws hover text grey (``#808495``) at 12 px on white, which is hard to read
over a busy map. Every figure builder sets ``hoverlabel`` to :data:`HOVER_LABEL` (an explicit
layout value wins over the theme), so the map, the side maps, the heatmap and the charts show
the same card.
"""

from __future__ import annotations

__all__ = ["HOVER_LABEL"]

HOVER_LABEL: dict[str, object] = {
    "bgcolor": "#ffffff",
    "bordercolor": "#5b6170",
    "font": {"color": "#1f2430", "size": 14},
    "align": "left",
    # The whole label or trace name, not plotly's 15 characters.
    "namelength": -1,
}
"""White card, near-black 14 px text, a grey border that shows on white and dark points."""
