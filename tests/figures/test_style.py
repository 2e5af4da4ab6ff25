"""Every figure's hover card reads well: dark text of at least 13 px on a near-white card with
a border that shows, the same card on the map, the heatmap and the charts."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from embedding_space.analysis.comparison import compare_embeddings
from embedding_space.figures import Highlight, agreement_histogram, heatmap_figure, map_figure


def _luminance(color: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _figures() -> dict[str, go.Figure]:
    rng = np.random.default_rng(0)
    coordinates = rng.normal(size=(20, 2)).astype(np.float32)
    texts = [f"text {i}" for i in range(20)]
    vectors = rng.normal(size=(20, 4)).astype(np.float32)
    return {
        "map": map_figure(coordinates, texts, highlights=[Highlight([3], "clicked", "#f00")]),
        "3-D map": map_figure(rng.normal(size=(20, 3)).astype(np.float32), texts),
        "heatmap": heatmap_figure(
            np.eye(3, dtype=np.float32), ["a", "b", "c"], labels=["x", "y", "x"]
        ),
        "histogram": agreement_histogram(compare_embeddings(vectors, vectors, k=3)),
    }


@pytest.mark.parametrize("name", ["map", "3-D map", "heatmap", "histogram"])
def test_the_hover_card_is_dark_text_on_a_light_bordered_card(name: str) -> None:
    card = _figures()[name].layout.hoverlabel
    assert _luminance(card.bgcolor) > 0.9
    assert _contrast(card.font.color, card.bgcolor) >= 7  # WCAG AAA for body text
    assert card.font.size >= 13
    assert _contrast(card.bordercolor, card.bgcolor) >= 3  # a border the eye can find
    assert card.align == "left"


def test_no_trace_paints_its_own_hover_card_over_the_shared_one() -> None:
    for name, figure in _figures().items():
        for trace in figure.data:
            hover = getattr(trace, "hoverlabel", None)
            assert hover is None or hover.bgcolor is None, (name, trace.name)
