"""User text as it may be shown: never a link, never reordered by hidden direction marks.

Markdown renderers turn ``http://…``, ``www.…`` and ``name@host`` into links even when every
markdown character around them is escaped (GitHub-flavoured markdown finds them in the text
after parsing). An invisible word joiner placed inside each pattern breaks the match while the
text reads the same. Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) can
make ``txt.exe`` read as ``exe.txt``; they are removed from what is displayed.
"""

from __future__ import annotations

import re

__all__ = ["WORD_JOINER", "unlinked", "without_direction_controls"]

WORD_JOINER = "\u2060"
"""Zero width, no line break, not a word character: invisible, and it stops a link match."""
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINK_STARTS = re.compile(r"(?i)(?<=[a-z0-9])(?=:/)|(?<=www)(?=\.)|(?=@)")


def without_direction_controls(text: str) -> str:
    """``text`` with bidirectional override and isolate characters removed."""
    return _DIRECTION_CONTROLS.sub("", text)


def unlinked(text: str) -> str:
    """``text`` as it reads, with no URL, ``www.`` address or e-mail a renderer would link,
    and no direction controls."""
    return _LINK_STARTS.sub(WORD_JOINER, without_direction_controls(text))
