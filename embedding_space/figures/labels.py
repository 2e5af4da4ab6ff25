"""User text made safe for plotly: escaped, wrapped and cut to length.

User text reaches plotly only through these functions: plotly renders a subset of HTML in
hover labels, titles and legends, and text from a file must never become markup or a link.
"""

from __future__ import annotations

import html
import textwrap

from embedding_space.text import without_direction_controls

__all__ = ["hover_label", "plain_label"]


def hover_label(text: str, *, width: int = 64, max_chars: int = 400) -> str:
    """Escape and wrap a text for a plotly hover label.

    Args:
        text: Any user text.
        width: Characters per line.
        max_chars: Longer texts are cut and end with an ellipsis.

    Returns:
        HTML-escaped text with ``<br>`` line breaks.
    """
    flat = " ".join(without_direction_controls(str(text)).split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    lines = textwrap.wrap(flat, width=width, break_long_words=True) or [""]
    return "<br>".join(html.escape(line) for line in lines)


def plain_label(text: str) -> str:
    """Escaped text that plotly shows as it is, even inside a ``hovertemplate`` (no
    ``%{...}`` lookups)."""
    escaped = html.escape(without_direction_controls(text))
    return escaped.replace("{", "&#123;").replace("}", "&#125;")
