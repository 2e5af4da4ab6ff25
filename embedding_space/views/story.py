"""Stories: an ordered list of views, each slide with a title and a caption.

A story is kept as JSON, the same in the app's store, in a file beside an exported HTML page,
and in version control::

    {"title": "…", "slides": [{"title": "…", "caption": "…", "view": "/map?dataset=…"}]}

A caption is plain text with line breaks; ``**bold**`` and ``*italic*`` are the only markup it
has. :func:`caption_lines` splits it into styled runs of plain text, which every renderer (the
app, the HTML export) writes escaped: a caption never becomes a link, a tag or an image.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from embedding_space.errors import InputError
from embedding_space.text import without_direction_controls
from embedding_space.views.view import View

__all__ = [
    "MAX_CAPTION_CHARS",
    "MAX_SLIDES",
    "MAX_TITLE_CHARS",
    "Run",
    "Slide",
    "Story",
    "caption_lines",
]

MAX_TITLE_CHARS = 120
MAX_CAPTION_CHARS = 2000
MAX_SLIDES = 50
MAX_STORY_BYTES = 2_000_000
"""A STORY.json larger than this is refused before it is parsed."""

_STYLED = re.compile(r"\*\*(?P<bold>[^*\n]+?)\*\*|\*(?P<italic>[^*\n]+?)\*")


@dataclass(frozen=True)
class Run:
    """A piece of a caption line: plain text, bold or italic."""

    text: str
    bold: bool = False
    italic: bool = False


def caption_lines(caption: str) -> list[list[Run]]:
    """A caption as lines of runs: ``**…**`` bold, ``*…*`` italic, everything else plain.

    Direction controls are removed; nothing else in the text is interpreted.
    """
    lines: list[list[Run]] = []
    for line in without_direction_controls(caption).split("\n"):
        runs: list[Run] = []
        position = 0
        for match in _STYLED.finditer(line):
            if match.start() > position:
                runs.append(Run(line[position : match.start()]))
            if match["bold"] is not None:
                runs.append(Run(match["bold"], bold=True))
            else:
                runs.append(Run(match["italic"], italic=True))
            position = match.end()
        if position < len(line):
            runs.append(Run(line[position:]))
        lines.append(runs)
    return lines


def _clean_title(title: str, what: str) -> str:
    cleaned = without_direction_controls(" ".join(str(title).split()))
    if len(cleaned) > MAX_TITLE_CHARS:
        raise InputError(f"{what} is longer than {MAX_TITLE_CHARS} characters.")
    return cleaned


@dataclass(frozen=True)
class Slide:
    """One step of a story.

    Attributes:
        view: What the slide shows.
        title: Its heading (one line).
        caption: What to say about it (see :func:`caption_lines`).
    """

    view: View
    title: str = ""
    caption: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _clean_title(self.title, "A slide's title"))
        caption = str(self.caption).replace("\r\n", "\n").strip()
        if len(caption) > MAX_CAPTION_CHARS:
            raise InputError(f"A caption is longer than {MAX_CAPTION_CHARS} characters.")
        object.__setattr__(self, "caption", caption)

    def to_json(self) -> dict[str, str]:
        return {
            "title": self.title,
            "caption": self.caption,
            "view": self.view.link(whole_selection=True),
        }


@dataclass(frozen=True)
class Story:
    """A titled, ordered list of slides."""

    title: str
    slides: tuple[Slide, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _clean_title(self.title, "The story's title"))
        if len(self.slides) > MAX_SLIDES:
            raise InputError(f"A story holds at most {MAX_SLIDES} slides.")
        object.__setattr__(self, "slides", tuple(self.slides))

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "slides": [slide.to_json() for slide in self.slides]}

    def dumps(self) -> str:
        """The story as the JSON text of a ``STORY.json`` file."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: object, *, require_slides: bool = True) -> Story:
        """A story from parsed JSON.

        Args:
            data: The parsed JSON.
            require_slides: Refuse a story without slides (a file to render); a story being
                built in the app starts with none.

        Raises:
            InputError: One line naming what is wrong, and in which slide.
        """
        if not isinstance(data, Mapping):
            raise InputError('A story is a JSON object: {"title": …, "slides": […]}.')
        title, slides = data.get("title", ""), data.get("slides")
        if not isinstance(title, str):
            raise InputError("The story's title must be text.")
        if (
            not isinstance(slides, Sequence)
            or isinstance(slides, str)
            or (require_slides and not slides)
        ):
            raise InputError("The story needs a list of slides.")
        if len(slides) > MAX_SLIDES:
            raise InputError(f"A story holds at most {MAX_SLIDES} slides.")
        return cls(
            title,
            tuple(_slide_from_json(number, slide) for number, slide in enumerate(slides, start=1)),
        )

    @classmethod
    def loads(cls, text: str | bytes) -> Story:
        """A story from the text of a ``STORY.json`` file.

        Raises:
            InputError: Not JSON, too large, or not a story.
        """
        if len(text) > MAX_STORY_BYTES:
            raise InputError(f"The story is larger than {MAX_STORY_BYTES:,} bytes.")
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as error:
            raise InputError(f"The story is not JSON: {error}.") from None
        return cls.from_json(data)


def _slide_from_json(number: int, data: object) -> Slide:
    try:
        if not isinstance(data, Mapping):
            raise InputError('each slide is an object: {"title", "caption", "view"}.')
        title, caption, link = (data.get(name, "") for name in ("title", "caption", "view"))
        if not all(isinstance(value, str) for value in (title, caption, link)):
            raise InputError("its title, caption and view must be text.")
        if not link:
            raise InputError("it names no view.")
        return Slide(View.from_link(link, stored=True), title, caption)
    except InputError as error:
        raise InputError(f"Slide {number}: {_first_lower(str(error))}") from None


def _first_lower(message: str) -> str:
    return message[:1].lower() + message[1:] if message[:2] != message[:2].upper() else message
