"""export.story: a story as one HTML page, read the way a browser's parser reads it.

No author's text may become an element, an attribute or a link; a figure's JSON may not end
its script element; plotly.js is in the page once, however many slides.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs, get_plotlyjs_version

from embedding_space.export import (
    CONTENT_SECURITY_POLICY,
    SVG_POINTS,
    SlideContent,
    export_story_html,
)
from embedding_space.figures import scatter_figure
from embedding_space.views import Slide, Story, View, caption_lines, story_html

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[link](http://evil.example)",
    "http://evil.example/path",
    "javascript:alert(1)",
    "<a href='http://evil.example'>click</a>",
    "name\u202egpj.exe",
]
RNG = np.random.default_rng(3)
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "nav", "button", "span",
    "main", "section", "h2", "p", "strong", "em", "br", "div", "footer", "script",
}  # fmt: skip


class Page(HTMLParser):
    """What a browser's parser finds: the elements, their attributes, the text of each
    element, and what each script element holds."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.texts: list[str] = []
        self._open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "script":
            self.scripts.append(data)
        elif self._open and self._open[-1] != "style":
            self.texts.append(data)


def _figure(texts: list[str]) -> go.Figure:
    return scatter_figure(RNG.normal(size=(len(texts), 2)).astype(np.float32), texts)


def _hostile_page() -> str:
    slides = tuple(
        Slide(View("abc"), title=text, caption=f"{text}\n**{text}** and *{text}*")
        for text in HOSTILE
    )
    story = Story(HOSTILE[0], slides)
    figures = [_figure(["one", "two", "three"]) for _ in slides]
    return story_html(story, figures).decode("utf-8")


def test_hostile_titles_and_captions_are_text_never_elements_or_links() -> None:
    text = _hostile_page()
    page = Page(text)
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert not any(tag == "a" or "href" in attrs or "src" in attrs for tag, attrs in page.tags)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    assert len([tag for tag, _ in page.tags if tag == "script"]) == 4
    shown = "".join(page.texts)
    for hostile in HOSTILE[:-1]:
        assert hostile in shown  # as typed, every character of it
    assert "name\u202egpj.exe" not in text and "namegpj.exe" in shown
    # The bold and italic runs are the only markup a caption makes.
    assert [tag for tag, _ in page.tags].count("strong") == len(HOSTILE)
    assert [tag for tag, _ in page.tags].count("em") == len(HOSTILE)


def test_the_page_forbids_every_request_and_holds_plotly_js_once() -> None:
    story = Story("Plain", tuple(Slide(View("abc"), f"slide {n}", "words") for n in range(3)))
    text = story_html(story, [_figure(["a", "b"]) for _ in range(3)]).decode("utf-8")
    page = Page(text)
    policies = [
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [CONTENT_SECURITY_POLICY]
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert text.count(f"plotly.js v{get_plotlyjs_version()}") == 1
    assert text.count(get_plotlyjs()) == 1
    # Outside the library (whose modebar links to plotly's site), nothing names an address.
    ours = text.replace(get_plotlyjs(), "")
    assert not re.search(r"(src|href|url)\s*[=(]|https?://", ours)


def test_a_figure_holding_a_closing_script_tag_stays_data() -> None:
    trap = "</script><script>alert('pwned')</script><!-- &amp;"
    story = Story("t", (Slide(View("abc"), "one"), Slide(View("abc"), "two")))
    figures = [_figure([trap, "plain", "x"]), _figure(["y", "z", trap])]
    text = story_html(story, figures).decode("utf-8")
    page = Page(text)
    assert len([tag for tag, _ in page.tags if tag == "script"]) == 4
    data = json.loads(page.scripts[0])
    assert len(data) == 2
    hovers = [label for trace in data[0]["data"] for label in trace.get("hovertext", [])]
    assert any("alert(&#x27;pwned&#x27;)" in label or "alert('pwned')" in label for label in hovers)


def test_small_maps_are_drawn_as_svg_and_large_ones_keep_webgl() -> None:
    small = _figure(["a", "b", "c"])
    large = scatter_figure(
        RNG.normal(size=(SVG_POINTS + 1, 2)).astype(np.float32), ["t"] * (SVG_POINTS + 1)
    )
    text = export_story_html(
        "t",
        [SlideContent("s", caption_lines("c"), small), SlideContent("l", [], large)],
    ).decode("utf-8")
    data = json.loads(Page(text).scripts[0])
    assert {trace["type"] for trace in data[0]["data"]} == {"scatter"}
    assert {trace["type"] for trace in data[1]["data"]} == {"scattergl"}
    assert all(figure["layout"]["uirevision"] == f"slide-{n}" for n, figure in enumerate(data, 1))


def test_a_story_without_slides_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one slide"):
        export_story_html("t", [])
