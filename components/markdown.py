"""User text made safe for ``st.markdown``: no markup, links, images or LaTeX."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$=:])")


def plain_markdown(text: object, max_chars: int = 220) -> str:
    """Text shown as it is, on one line, cut to ``max_chars`` with an ellipsis."""
    flat = " ".join(str(text).split())
    if len(flat) > max_chars:
        flat = flat[: max_chars - 1].rstrip() + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def safe(text: object) -> str:
    """Any message that carries user data (names, columns, file names), safe for markdown."""
    return plain_markdown(str(text), max_chars=2000)
