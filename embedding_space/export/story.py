"""A story as one HTML file: slides of a title, a caption and an interactive map, played
offline with the arrow keys or two buttons.

Nothing in the page is fetched: plotly.js is written into it once, each slide's figure is
JSON in a data block, and a Content-Security-Policy forbids every request, as a second wall
should something in a figure try. Titles and captions are escaped HTML: a caption's only
markup is bold and italic runs (given here already split), so no text of the author's
becomes a tag, an image or a link. A map of images shows the hovered point's thumbnail beside
its label (:mod:`.hover_images`); the page holds each thumbnail once, as a ``data:`` URI.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import plotly.graph_objects as go

from embedding_space.export.hover_images import HOVER_SCRIPT, hover_thumbnails
from embedding_space.text import without_direction_controls

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SVG_POINTS",
    "SlideContent",
    "StyledRun",
    "caption_html",
    "export_story_html",
    "script_json",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:"
)
"""No request leaves the page: inline scripts and styles only, images from data or blobs
(plotly's "download as PNG")."""
_PLOT_CONFIG = '{"displaylogo": false, "responsive": true, "scrollZoom": true}'
SVG_POINTS = 20_000
"""A slide of at most this many points draws them as SVG rather than WebGL: a story is opened
in browsers nobody checked, and plotly's WebGL scatter refuses to draw in some (headless
Chromium without a GPU among them), while SVG draws everywhere; above it WebGL's speed wins."""


class StyledRun(Protocol):
    """A piece of a caption line (``views.story.Run`` is one)."""

    @property
    def text(self) -> str: ...

    @property
    def bold(self) -> bool: ...

    @property
    def italic(self) -> bool: ...


@dataclass(frozen=True)
class SlideContent:
    """What one slide of the page shows.

    Attributes:
        title: Its heading, plain text.
        caption: Its caption as lines of runs of plain text.
        figure: Its map.
        thumbnails: For a map of images, every row's thumbnail as a ``data:`` URI, in row
            order; slides of one dataset pass equal sequences and share one table of them.
    """

    title: str
    caption: Sequence[Sequence[StyledRun]]
    figure: go.Figure
    thumbnails: Sequence[str] | None = None


def _plain(text: str) -> str:
    return html.escape(without_direction_controls(text), quote=True)


def caption_html(lines: Sequence[Sequence[StyledRun]]) -> str:
    """A caption as HTML: each run escaped, in ``<strong>`` or ``<em>`` as styled, lines
    joined by ``<br>``. No other element is ever written."""
    written = []
    for line in lines:
        parts = []
        for run in line:
            part = _plain(run.text)
            if run.italic:
                part = f"<em>{part}</em>"
            if run.bold:
                part = f"<strong>{part}</strong>"
            parts.append(part)
        written.append("".join(parts))
    return "<br>".join(written)


def script_json(text: str) -> str:
    """JSON text made safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` written as
    ``\\u`` escapes (the same JSON), so no ``</script>`` or ``<!--`` in a string ends or
    changes the element; and the two line separators JavaScript once read as line ends."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _figure_json(figure: go.Figure, number: int) -> str:
    copy = go.Figure(figure)
    # A revision of its own per slide: plotly would otherwise carry one slide's zoom into the
    # next; and the page, not the figure, decides the width.
    copy.update_layout(uirevision=f"slide-{number}", autosize=True, width=None)
    webgl = [trace for trace in copy.data if trace.type == "scattergl"]
    if sum(len(trace.x) for trace in webgl if trace.x is not None) <= SVG_POINTS:
        traces = [
            go.Scatter(trace.to_plotly_json()) if trace.type == "scattergl" else trace
            for trace in copy.data
        ]
        copy = go.Figure(data=traces, layout=copy.layout)
    return script_json(copy.to_json())


def _hover_tables(slides: Sequence[SlideContent]) -> str | None:
    """The thumbnails the slides' maps carry on hover, as JSON: ``tables``, one a dataset
    (each the union of its slides' choices by ``hover_thumbnails``), and ``slides``, each
    slide's table (``null`` for a map of texts). ``None`` when no slide has images."""
    sources: list[Sequence[str]] = []
    tables: list[dict[str, str]] = []
    of_slide: list[int | None] = []
    for slide in slides:
        if slide.thumbnails is None:
            of_slide.append(None)
            continue
        index = next(
            (
                i
                for i, seen in enumerate(sources)
                if seen is slide.thumbnails or seen == slide.thumbnails
            ),
            None,
        )
        if index is None:
            sources.append(slide.thumbnails)
            tables.append({})
            index = len(tables) - 1
        chosen = hover_thumbnails(slide.figure, slide.thumbnails)
        tables[index].update((str(row), uri) for row, uri in chosen.by_row.items())
        of_slide.append(index)
    if not tables:
        return None
    # Every URI was checked to be base64 (hover_thumbnails): nothing in it can end the element.
    return json.dumps({"tables": tables, "slides": of_slide})


def export_story_html(title: str, slides: Sequence[SlideContent]) -> bytes:
    """The story as a self-contained HTML page that plays offline.

    Args:
        title: The story's title, plain text.
        slides: The slides in order (at least one).

    Returns:
        UTF-8 HTML bytes: plotly.js (about 4.8 MB) once, then each slide's figure, then the
        thumbnails of the slides' maps of images and the script that shows them on hover.

    Raises:
        ValueError: No slides, or a thumbnail that is not a WebP ``data:`` URI.
    """
    from plotly.offline import get_plotlyjs

    if not slides:
        raise ValueError("a story needs at least one slide")
    library = get_plotlyjs()
    if "</script" in library.lower():  # it would end its own element early
        raise ValueError("this plotly.js cannot be written inline")
    sections = "\n".join(
        f'<section class="slide" data-slide="{number}"{"" if number == 1 else " hidden"}>'
        f"<h2>{_plain(slide.title) or f'Slide {number}'}</h2>"
        f'<p class="caption">{caption_html(slide.caption)}</p></section>'
        for number, slide in enumerate(slides, start=1)
    )
    figures = ",".join(
        _figure_json(slide.figure, number) for number, slide in enumerate(slides, start=1)
    )
    tables = _hover_tables(slides)
    page = _PAGE.format(
        csp=CONTENT_SECURITY_POLICY,
        title=_plain(title) or "Story",
        count=len(slides),
        sections=sections,
        figures=f"[{figures}]",
        config=_PLOT_CONFIG,
        library=library,
        hover=_HOVER.format(tables=tables, script=HOVER_SCRIPT) if tables else "",
        after_plot=".then(function () { showSlideImages(graph, index); })" if tables else "",
    )
    return page.encode("utf-8")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
  body {{ margin: 0; font: 16px/1.45 system-ui, sans-serif; color: #1f2430; background: #fff; }}
  header {{ display: flex; align-items: center; gap: 1rem; padding: 0.6rem 1.2rem;
           border-bottom: 1px solid #e3e5ea; }}
  header h1 {{ flex: 1; margin: 0; font-size: 1.15rem; font-weight: 600; }}
  nav {{ display: flex; align-items: center; gap: 0.6rem; }}
  nav button {{ font: inherit; padding: 0.25rem 0.8rem; border: 1px solid #c5c9d3;
               border-radius: 6px; background: #f6f7f9; cursor: pointer; }}
  nav button:disabled {{ opacity: 0.4; cursor: default; }}
  #story-counter {{ min-width: 4.5em; text-align: center; font-variant-numeric: tabular-nums; }}
  main {{ padding: 0.4rem 1.2rem 1rem; }}
  .slide h2 {{ margin: 0.4rem 0 0.2rem; font-size: 1.3rem; }}
  .caption {{ margin: 0 0 0.4rem; max-width: 60rem; white-space: normal;
             overflow-wrap: anywhere; }}
  #story-map {{ width: 100%; }}
  footer {{ padding: 0 1.2rem 0.8rem; color: #6b7080; font-size: 0.8rem; }}
</style>
</head>
<body>
<header>
  <h1>{title}</h1>
  <nav aria-label="Slides">
    <button type="button" id="story-previous" aria-label="Previous slide">&larr; Previous</button>
    <span id="story-counter" aria-live="polite">1 / {count}</span>
    <button type="button" id="story-next" aria-label="Next slide">Next &rarr;</button>
  </nav>
</header>
<main>
{sections}
<div id="story-map"></div>
</main>
<footer>Arrow keys move between slides. Hover a point to read it; drag to zoom,
double-click to zoom back out.</footer>
<script type="application/json" id="story-figures">{figures}</script>
<script>window.PlotlyConfig = {{MathJaxConfig: "local"}};</script>
<script>{library}</script>
{hover}<script>
(function () {{
  "use strict";
  var figures = JSON.parse(document.getElementById("story-figures").textContent);
  var slides = document.querySelectorAll("section.slide");
  var counter = document.getElementById("story-counter");
  var previous = document.getElementById("story-previous");
  var next = document.getElementById("story-next");
  var config = {config};
  var current = -1;
  function show(index) {{
    index = Math.max(0, Math.min(figures.length - 1, index));
    if (index === current) return;
    current = index;
    slides.forEach(function (slide, i) {{ slide.hidden = i !== index; }});
    counter.textContent = (index + 1) + " / " + figures.length;
    previous.disabled = index === 0;
    next.disabled = index === figures.length - 1;
    // A fresh element and a fresh copy of the figure for each showing: a zoom still pending
    // on the last slide (plotly applies a wheel zoom a moment later) lands on the old one,
    // and a slide shown again starts as its author left it.
    var old = document.getElementById("story-map");
    Plotly.purge(old);
    var graph = old.cloneNode(false);
    old.parentNode.replaceChild(graph, old);
    var figure = JSON.parse(JSON.stringify(figures[index]));
    Plotly.newPlot(graph, figure.data, figure.layout, config){after_plot};
    graph.setAttribute("data-slide", String(index + 1));
    try {{ history.replaceState(null, "", "#" + (index + 1)); }} catch (ignored) {{}}
  }}
  previous.addEventListener("click", function () {{ show(current - 1); }});
  next.addEventListener("click", function () {{ show(current + 1); }});
  document.addEventListener("keydown", function (event) {{
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowRight") {{ show(current + 1); event.preventDefault(); }}
    if (event.key === "ArrowLeft") {{ show(current - 1); event.preventDefault(); }}
  }});
  var start = parseInt(location.hash.slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
}})();
</script>
</body>
</html>
"""

_HOVER = """<script type="application/json" id="story-thumbnails">{tables}</script>
<script>
{script}
var storyThumbnails = JSON.parse(document.getElementById("story-thumbnails").textContent);
function showSlideImages(graph, index) {{
  hideHoverImage();
  var table = storyThumbnails.slides[index];
  if (table !== null) hoverThumbnails(graph, storyThumbnails.tables[table]);
}}
</script>
"""
