"""User text as it may be shown: never a link, never reordered by hidden direction marks.

Markdown renderers turn ``http://…``, ``www.…`` and ``name@host`` into links even when every
markdown character around them is escaped (GitHub-flavoured markdown finds them in the text
after parsing, where ``\\:`` is already ``:`` and ``&colon;`` already ``:``). :func:`unlinked`
is the one place that stops this, by construction rather than by listing attacks:

1. HTML character references are decoded first, repeatedly, until the text no longer
   changes (``&amp;colon;`` → ``&colon;`` → ``:``), so the guards see what a renderer would
   show; the caller then escapes every ``&`` that is left, so no reference forms again.
2. Each character is read through its NFKC compatibility form (``：`` ``＠`` ``．``) or a short
   table of look-alikes NFKC keeps apart (``∶`` ``꞉`` ``。``), and ``%3A`` ``%2F`` ``%40``
   ``%2E`` are read as the characters they encode; the text shown keeps the user's own
   characters (NFKC would turn ``m²`` into ``m2``).
3. An invisible word joiner goes before the colon of every scheme (``x://``, and ``mailto:``,
   ``javascript:`` and the like without slashes), between ``www`` and its dot, before every
   ``@`` and before every percent-encoded one of those; the text reads the same.

Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) can make ``txt.exe``
read as ``exe.txt``; they are removed from what is displayed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

__all__ = [
    "MAX_ENTITY_ROUNDS",
    "WORD_JOINER",
    "decoded_entities",
    "link_skeleton",
    "unlinked",
    "without_direction_controls",
]

WORD_JOINER = "\u2060"
"""Zero width, no line break, not a word character: invisible, and it stops a link match."""
MAX_ENTITY_ROUNDS = 16
"""Rounds of HTML entity decoding at most: each round removes one ``&amp;`` layer, and text
nested deeper than this shows its last ``&`` escaped, which no renderer decodes."""
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LOOK_ALIKES = {
    # Characters that read as ':' or '.' (or that browsers treat as a dot in a host
    # name) which NFKC leaves as they are.
    ":": "\u02d0\u02f8\u0589\u05c3\u1361\u16ec\u205a\u2236\u2360\ua789\u0703\u0704",
    ".": "\u3002\uff61\u06d4\u0701\u0702\ua4f8\ua60e\u2e3c\u0660\u06f0\u00b7\u2027",
}
_LINK_STARTS = re.compile(
    r"(?i)(?<=[a-z0-9])(?=:/)"  # any scheme with its slashes: http://, ftp://, x-app://
    r"|(?<=www)(?=\.)"  # www.host
    r"|(?=@)"  # name@host
    r"|(?=%(?:3a|2f|40|2e))"  # the same, percent-encoded
)
_SCHEMES = re.compile(r"(?i)\b(?:https?|ftp|file|mailto|xmpp|javascript|vbscript|data)(?=:)")
"""Schemes that link, or run, without slashes; a colon after other words (``Note: …``) is
left alone, as no renderer links it."""


def without_direction_controls(text: str) -> str:
    """``text`` with bidirectional override and isolate characters removed."""
    return _DIRECTION_CONTROLS.sub("", text)


def decoded_entities(text: str) -> str:
    """``text`` with HTML character references (named, decimal, hexadecimal) decoded until
    it no longer changes, at most :data:`MAX_ENTITY_ROUNDS` times."""
    for _ in range(MAX_ENTITY_ROUNDS):
        if "&" not in text:
            return text
        decoded = html.unescape(text)
        if decoded == text:
            return text
        text = decoded
    return text


@lru_cache(maxsize=4096)
def _skeleton_char(char: str) -> str:
    for plain, look_alikes in _LOOK_ALIKES.items():
        if char in look_alikes:
            return plain
    normal = unicodedata.normalize("NFKC", char)
    if len(normal) == 1:
        return normal
    # One character that stands for several ('⒈' is '1.'): its last decides what may
    # follow, and the position still maps to the one character shown.
    return normal[-1] if normal else char


def link_skeleton(text: str) -> str:
    """``text`` one character for one, each as a link parser could read it: its NFKC form
    (fullwidth ``ｗｗｗ．`` as ``www.``) or the ASCII character it imitates."""
    if text.isascii():
        return text
    return "".join(_skeleton_char(char) for char in text)


def unlinked(text: str) -> str:
    """``text`` as it reads, with HTML character references decoded, no URL, scheme,
    ``www.`` address or e-mail a renderer could link, whatever the encoding, and no
    direction controls. Markdown callers must still escape what is left (``&`` included)."""
    shown = without_direction_controls(decoded_entities(text))
    skeleton = link_skeleton(shown)
    cuts = sorted(
        {match.start() for match in _LINK_STARTS.finditer(skeleton)}
        | {match.end() for match in _SCHEMES.finditer(skeleton)}
    )
    if not cuts:
        return shown
    pieces = []
    start = 0
    for cut in cuts:
        pieces.append(shown[start:cut])
        start = cut
    pieces.append(shown[start:])
    return WORD_JOINER.join(pieces)
