"""Thumbnails beside the map's hover label, on screen and in the exported pages.

Plotly's hover label holds text only, so a short script shipped with the package
(``hover_images.js``, :data:`HOVER_SCRIPT`) shows the hovered row's thumbnail in a card of its
own beside the label. The app's maps, the exported map (:mod:`.render`) and an exported story
(:mod:`.story`) run that same script, each handing it a table of the thumbnails of the rows the
map draws, by row id: the ``data:`` URIs that ``io.images.thumbnail_uri`` makes, so a page
never links to a file. :func:`hover_thumbnails` chooses the rows, the same way everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from embedding_space.io.images import is_thumbnail_uri
from embedding_space.rows import sample_rows

__all__ = [
    "HOVER_SCRIPT",
    "HOVER_THUMBNAILS",
    "MARKED_THUMBNAILS",
    "HoverThumbnails",
    "hover_script",
    "hover_thumbnails",
    "map_rows",
]

HOVER_THUMBNAILS = 5_000
"""The most rows of a map whose thumbnails it carries whatever is marked: every drawn row's,
or past this many a fixed sample of them. A thumbnail is about 4 KB as a ``data:`` URI, so
5,000 make about 20 MB. The app sends them once, as long as the map draws the same rows
(Streamlit sends an element it sent before by reference); a page that grew with the map's
rows would stall a laptop's browser and hold the server's memory."""
MARKED_THUMBNAILS = 1_000
"""Past :data:`HOVER_THUMBNAILS` drawn rows, the most marked rows outside the sample (a click,
its neighbours, a selection, search matches) whose thumbnails a map adds: a second, small
table, so that marking rows resends only it (about 4 MB at most)."""

HOVER_SCRIPT: str = (
    resources.files("embedding_space.export").joinpath("hover_images.js").read_text("utf-8")
)
"""The script (see the module's notes). It defines ``hoverThumbnails(graph, table)`` for a
drawn plotly graph div, ``followHoverThumbnails(selector, table)`` for a graph a page redraws
(it returns ``{update, stop}``), and the small functions they share."""


@dataclass(frozen=True)
class HoverThumbnails:
    """The thumbnails one map carries for its hover, by row id, as ``data:`` URIs.

    Attributes:
        sample: Every drawn row's, or past :data:`HOVER_THUMBNAILS` a fixed sample of them:
            the same whatever is marked.
        marked: Past :data:`HOVER_THUMBNAILS`, the marked rows outside the sample (at most
            :data:`MARKED_THUMBNAILS`); else empty.
        points: How many rows the map draws as points.
    """

    sample: Mapping[int, str]
    marked: Mapping[int, str]
    points: int

    @property
    def by_row(self) -> dict[int, str]:
        """Every thumbnail carried."""
        return {**self.sample, **self.marked}

    @property
    def left_out(self) -> int:
        """Rows drawn whose thumbnail the map does not carry."""
        return self.points - len(self.sample) - len(self.marked)

    def note(self) -> str | None:
        """What the screen says when rows were left out (``None`` when none were)."""
        if not self.left_out:
            return None
        return (
            f"Hovering shows the images of {len(self.sample) + len(self.marked):,} of the "
            f"{self.points:,} points: a fixed sample of {len(self.sample):,}, and the marked, "
            f"selected and searched rows (up to {MARKED_THUMBNAILS:,} more)."
        )

    def table_json(self) -> str:
        """Every thumbnail carried as JSON, ``{"<row>": "data:image/webp;base64,…"}``, safe to
        write inside a ``<script>`` element (every URI was checked: ``is_thumbnail_uri``)."""
        return json.dumps({str(row): uri for row, uri in sorted(self.by_row.items())})


def map_rows(figure: go.Figure) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The rows a map draws as points, and those it marks.

    Rows are read from the traces' ``customdata`` (a row id a point, as every map trace
    carries). A row is *marked* when the map draws it again in a layer on top (a click, its
    neighbours, search matches, a 3-D selection) or keeps it bright among dimmed points (a 2-D
    selection).

    Args:
        figure: A map, e.g. from :func:`~embedding_space.figures.map.map_figure`.

    Returns:
        ``(drawn, marked)``: sorted row ids without repeats.
    """
    seen: list[npt.NDArray[np.intp]] = []
    bright: list[npt.NDArray[np.intp]] = []
    for trace in figure.data:
        custom = getattr(trace, "customdata", None)
        if custom is None or getattr(trace, "mode", None) != "markers":
            continue
        rows = np.asarray(custom)
        if rows.ndim != 2 or rows.shape[1] != 1 or not np.issubdtype(rows.dtype, np.integer):
            continue  # not a map's points (a chart's bars carry other things)
        rows = rows[:, 0].astype(np.intp)
        seen.append(np.unique(rows))
        kept = getattr(trace, "selectedpoints", None)  # 2-D only: Scatter3d has none
        if kept is not None:
            bright.append(rows[np.asarray(list(kept), dtype=np.intp)])
    if not seen:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    every = np.concatenate(seen)
    drawn, counts = np.unique(every, return_counts=True)
    marked = np.union1d(drawn[counts > 1], np.concatenate([*bright, np.zeros(0, np.intp)]))
    return drawn, marked.astype(np.intp)


def hover_thumbnails(
    figure: go.Figure,
    thumbnails: Sequence[str],
    *,
    limit: int = HOVER_THUMBNAILS,
    marked_limit: int = MARKED_THUMBNAILS,
) -> HoverThumbnails:
    """The thumbnails a map carries: every drawn row's, up to ``limit`` rows.

    Past ``limit`` drawn rows: a fixed uniform sample of ``limit`` of them (the same for the
    same map, whatever is marked), and apart from it the marked rows outside the sample (see
    :func:`map_rows`), the first ``marked_limit`` of them; so hovering the rows in question
    shows their images, and the rest of the map a spread of them.

    Args:
        figure: The map.
        thumbnails: Every row's thumbnail as a ``data:`` URI from
            ``io.images.thumbnail_uri``, in row order.
        limit: The most rows carried whatever is marked.
        marked_limit: The most marked rows added past the sample.

    Returns:
        The thumbnails chosen.

    Raises:
        ValueError: A drawn row has no thumbnail, or one is not a base64 WebP ``data:`` URI.
    """
    drawn, marked = map_rows(figure)
    if len(drawn) and drawn[-1] >= len(thumbnails):
        raise ValueError(f"row {drawn[-1]} is drawn but there are {len(thumbnails)} thumbnails")
    sample = drawn[sample_rows(len(drawn), limit)]
    extra = np.setdiff1d(marked, sample, assume_unique=True)[:marked_limit]
    return HoverThumbnails(_checked(sample, thumbnails), _checked(extra, thumbnails), len(drawn))


def _checked(rows: npt.NDArray[np.intp], thumbnails: Sequence[str]) -> dict[int, str]:
    """The rows' thumbnails by row id, each checked to be a base64 WebP ``data:`` URI."""
    chosen = {}
    for row in rows.tolist():
        uri = thumbnails[row]
        if not is_thumbnail_uri(uri):
            raise ValueError(f"the thumbnail of row {row} is not a base64 WebP data: URI")
        chosen[row] = uri
    return chosen


def hover_script(thumbnails: HoverThumbnails, graph: str) -> str:
    """JavaScript that shows ``thumbnails`` on hover over one graph: :data:`HOVER_SCRIPT`,
    then a call of ``hoverThumbnails`` on it.

    Args:
        thumbnails: From :func:`hover_thumbnails`.
        graph: A JavaScript expression for the drawn graph div, e.g.
            ``document.getElementById('map')``.

    Returns:
        The script, to run once the graph is drawn (plotly's ``post_script``).
    """
    return f"{HOVER_SCRIPT}\nhoverThumbnails({graph}, {thumbnails.table_json()});\n"
