"""User text made safe for plotly: escaped, wrapped and cut to length.

User text reaches plotly only through these functions: plotly renders a subset of HTML in
hover labels, titles and legends, and text from a file must never become markup or a link.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from typing import overload

from embedding_space.text import without_direction_controls

__all__ = ["LONG_HOVER_UP_TO", "HoverLabels", "hover_label", "plain_label", "short_label"]


def hover_label(text: str, *, width: int = 64, max_chars: int = 400) -> str:
    """Escape and wrap a text for a plotly hover label.

    Args:
        text: Any user text.
        width: Characters per line.
        max_chars: Longer texts are cut and end with an ellipsis.

    Returns:
        HTML-escaped text with ``<br>`` line breaks.
    """
    flat = _one_line(text, max_chars)
    lines = textwrap.wrap(flat, width=width, break_long_words=True) or [""]
    return "<br>".join(html.escape(line) for line in lines)


def plain_label(text: str) -> str:
    """Escaped text that plotly shows as it is, even inside a ``hovertemplate`` (no
    ``%{...}`` lookups)."""
    escaped = html.escape(without_direction_controls(text))
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def short_label(text: str, max_chars: int) -> str:
    """A text on one line, cut to ``max_chars`` with an ellipsis, escaped as by
    :func:`plain_label` (a tick, a legend entry, a colour bar's end)."""
    return plain_label(_one_line(text, max_chars))


def _one_line(text: str, max_chars: int) -> str:
    flat = " ".join(without_direction_controls(str(text)).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1].rstrip() + "…"


LONG_HOVER_UP_TO = 20_000
"""Maps of more rows than this cut hover labels at 120 characters instead of 400."""


class HoverLabels(Sequence[str]):
    """The hover labels of many texts, each made (by :func:`hover_label`) when first read.

    A large map draws only a sample of its rows as points, so only their labels are made;
    a label once made is kept.

    Args:
        texts: The texts.
        max_chars: As for :func:`hover_label`.
    """

    def __init__(self, texts: Sequence[str], *, max_chars: int = 400) -> None:
        self._texts = texts
        self._max_chars = max_chars
        self._made: list[str | None] = [None] * len(texts)

    @classmethod
    def for_map(cls, texts: Sequence[str]) -> HoverLabels:
        """The labels a map of these texts sends: whole up to 400 characters, but cut at 120
        above :data:`LONG_HOVER_UP_TO` rows, since a big map sends every label to the
        browser (the side panel and the tables show whole texts)."""
        return cls(texts, max_chars=400 if len(texts) <= LONG_HOVER_UP_TO else 120)

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        label = self._made[index]
        if label is None:
            label = hover_label(self._texts[index], max_chars=self._max_chars)
            self._made[index] = label
        return label
