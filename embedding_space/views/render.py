"""The map a view describes, drawn from a space; and a story's slides, drawn and exported.

The app's Map page and a story's export draw a view the same way, through the pieces here,
each a function of values with no session state, so a page can call them with results it
has cached: :func:`~embedding_space.views.encodings.map_encodings` (each point's colour and
size), and in :mod:`~embedding_space.views.marks` :func:`view_rows` (the rows a view marks),
:func:`map_layers` (the layers drawn over them), :func:`apply_camera` and :func:`view_notes`.
:func:`view_map` puts them together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from embedding_space.analysis.clustering import Clustering
from embedding_space.analysis.projection import Projection
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.errors import InputError
from embedding_space.export.story import SlideContent, export_story_html
from embedding_space.figures.annotations import add_notes, with_caption
from embedding_space.figures.labels import HoverLabels
from embedding_space.figures.map import map_figure
from embedding_space.store.space import Space
from embedding_space.views.encodings import (
    DEFAULT_SETTINGS,
    MapSettings,
    color_choice,
    map_encodings,
    named_clustering,
    space_values,
)
from embedding_space.views.marks import (
    apply_camera,
    filter_note,
    map_layers,
    shown_rows,
    view_notes,
    view_rows,
)
from embedding_space.views.story import Story, caption_lines
from embedding_space.views.view import CLUSTER_COLOR, View

__all__ = [
    "MAP_HEIGHT",
    "SLIDE_PNG_WIDTH",
    "ViewMap",
    "render_story",
    "slide_pngs",
    "story_html",
    "view_figure",
    "view_map",
]

MAP_HEIGHT = 640
"""Pixels for a map's points, as the Map page draws them."""


@dataclass(frozen=True)
class ViewMap:
    """A view's map, drawn.

    Attributes:
        figure: The plotly figure.
        points: The rows drawn on the map (those passing the view's filters).
        notes: Sentences for the reader: the projection or the clustering differs from what
            the view asks (too few rows for it, ...).
    """

    figure: go.Figure
    points: int
    notes: tuple[str, ...] = ()


def view_map(
    space: Space,
    view: View,
    *,
    height: int = MAP_HEIGHT,
    projection: Projection | None = None,
    clustering: Clustering | None = None,
    settings: MapSettings = DEFAULT_SETTINGS,
    filter_table: FilterTable | None = None,
) -> ViewMap:
    """The map a view describes, as the Map page draws it (see :func:`view_figure`): only
    the rows passing its filters are drawn.

    Args:
        filter_table: The dataset's table read for filtering, when the caller keeps one;
            read here when the view has filters and none is given.

    Raises:
        InputError: The view names a column, a row, a cluster or a kept selection the dataset
            does not have, or a search that cannot run (one line each).
    """
    frame = space.table
    projection = projection or space.projection(view.projection)
    wants_clusters = view.cluster_labels or (
        color_choice(view, frame, space.text_column) == CLUSTER_COLOR
    )
    if clustering is None and wants_clusters and space.rows >= 2:
        clustering = space.clustering(view.clusters)
    if clustering is not None:
        clustering = named_clustering(clustering, view.cluster_names)
        if view.cluster_level == "coarse":
            # Names given are the fine clusters'; the coarse ones keep their own words.
            clustering = space.cluster_hierarchy(view.clusters, view.n_coarse).coarse
    encodings = map_encodings(
        view,
        frame,
        space.text_column,
        clustering=clustering,
        computed=space_values(space, view.projection, settings),
    )
    rows = view_rows(space, view, settings)
    coordinates = projection.coordinates
    shown = None
    if view.filters:
        table = filter_table or space.filter_table()
        shown = shown_rows(table, view.filters)
    figure = map_figure(
        coordinates,
        space.texts,
        revision=view.link(),
        color=encodings.color.values,
        color_name=encodings.color.name,
        highlights=map_layers(view, rows),
        height=height,
        hover=HoverLabels.for_map(space.texts),
        selected=rows.bright,
        size=encodings.size.values,
        size_name=encodings.size.name,
        clusters=clustering if view.cluster_labels else None,
        density=view.density,
        color_scale=encodings.color.scale,
        shown=shown,
    )
    apply_camera(figure, coordinates, view, rows.framed)
    add_notes(figure, coordinates, view_notes(view, rows))
    notes = [projection.note, clustering.note if clustering is not None else ""]
    if shown is not None:
        notes.append(filter_note(view.filters, shown, len(coordinates)))
    points = len(coordinates) if shown is None else len(shown)
    return ViewMap(figure, points, tuple(note for note in notes if note))


def view_figure(
    space: Space,
    view: View,
    *,
    height: int = MAP_HEIGHT,
    projection: Projection | None = None,
    clustering: Clustering | None = None,
    settings: MapSettings = DEFAULT_SETTINGS,
) -> go.Figure:
    """The map a view describes, built by :func:`~embedding_space.figures.map.map_figure`:
    coloured and sized as it asks (:func:`map_encodings`), its cluster names and labels, its
    density, its search's matches, kept selection and focus row marked (:func:`map_layers`),
    the selection kept bright, then its camera (:func:`apply_camera`) and its notes.

    Args:
        space: The view's dataset, embedded with the view's model.
        view: The view.
        height: Pixels for the points.
        projection: The map of ``view.projection``; asked of the space when ``None``.
        clustering: The clusters of ``view.clusters``; asked of the space when ``None`` and
            the map shows clusters.
        settings: What the view does not hold (outlier and trust ``k``, neighbours).

    Raises:
        InputError: See :func:`view_map`.
    """
    return view_map(
        space,
        view,
        height=height,
        projection=projection,
        clustering=clustering,
        settings=settings,
    ).figure


def render_story(
    story: Story,
    space_of: Callable[[View], Space],
    *,
    height: int = MAP_HEIGHT,
    settings: MapSettings = DEFAULT_SETTINGS,
) -> list[ViewMap]:
    """Every slide's map, in order.

    Args:
        story: The story.
        space_of: The space a slide's view is drawn from (its dataset and model).
        height: Pixels for each map's points.
        settings: As for :func:`view_figure`.

    Raises:
        InputError: A slide's view cannot be drawn; the message names the slide.
    """
    maps = []
    for number, slide in enumerate(story.slides, start=1):
        try:
            maps.append(
                view_map(space_of(slide.view), slide.view, height=height, settings=settings)
            )
        except InputError as error:
            raise InputError(f"Slide {number}: {error}") from None
    return maps


def story_html(
    story: Story,
    figures: Sequence[go.Figure],
    thumbnails_of: Callable[[str], Sequence[str] | None] | None = None,
) -> bytes:
    """The story as one HTML file that plays offline (see
    :func:`~embedding_space.export.story.export_story_html`), a figure per slide.

    Args:
        story: The story.
        figures: Each slide's map.
        thumbnails_of: Gives a dataset's thumbnails by its id: every row's, as ``data:``
            URIs in row order (``DatasetImages.thumbnail_uris``), or ``None`` for a dataset
            of texts. The maps of images then show the hovered point's image.
    """
    if len(figures) != len(story.slides):
        raise ValueError(f"{len(figures)} figures for {len(story.slides)} slides")
    images: dict[str, Sequence[str] | None] = {}
    for slide in story.slides:  # one sequence a dataset: the page holds its images once
        if thumbnails_of is not None and slide.view.dataset not in images:
            images[slide.view.dataset] = thumbnails_of(slide.view.dataset)
    return export_story_html(
        story.title,
        [
            SlideContent(
                slide.title,
                caption_lines(slide.caption),
                figure,
                images.get(slide.view.dataset),
            )
            for slide, figure in zip(story.slides, figures, strict=True)
        ],
    )


SLIDE_PNG_WIDTH = 1400
"""Layout pixels across a slide's picture."""


def slide_pngs(story: Story, figures: Sequence[go.Figure]) -> list[bytes]:
    """A PNG per slide: its map with the slide's title and caption (plain text) above it,
    drawn by Chromium (see :func:`~embedding_space.export.render.export_figure_png`).

    Raises:
        InputError: No Chromium, or a picture took too long.
    """
    from embedding_space.export.render import export_figure_png

    if len(figures) != len(story.slides):
        raise ValueError(f"{len(figures)} figures for {len(story.slides)} slides")
    pictures = []
    for slide, figure in zip(story.slides, figures, strict=True):
        caption = ["".join(run.text for run in line) for line in caption_lines(slide.caption)]
        titled = with_caption(figure, slide.title, caption)
        height = int(titled.layout.height or 900)
        pictures.append(export_figure_png(titled, width=SLIDE_PNG_WIDTH, height=height))
    return pictures
