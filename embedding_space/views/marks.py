"""The rows a view marks (selection, kept selection, search matches, the focus row and its
neighbours), the rows its filters let onto the map, the layers drawn for them, where the
camera looks, and the notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from embedding_space.analysis.filters import Filter, apply_filters, count_rows, filter_text
from embedding_space.analysis.table_columns import FilterTable
from embedding_space.errors import InputError
from embedding_space.figures.annotations import MapNote
from embedding_space.figures.layers import (
    MARK_COLOR,
    Highlight,
    focus_layer,
    matches_layer,
    neighbors_layer,
)
from embedding_space.store.space import Space
from embedding_space.types import FloatMatrix
from embedding_space.views.encodings import DEFAULT_SETTINGS, MapSettings
from embedding_space.views.parts import SearchSpec
from embedding_space.views.view import View

__all__ = [
    "FIT_MARGIN",
    "ViewRows",
    "apply_camera",
    "filter_note",
    "map_layers",
    "search_label",
    "shown_rows",
    "view_notes",
    "view_rows",
]

FIT_MARGIN = 0.15
"""A map fitted to a selection shows this share of the selection's extent on each side."""


@dataclass(frozen=True)
class ViewRows:
    """The rows a view marks, found in its dataset.

    Attributes:
        selection: The view's selection.
        kept: The rows of the kept selection it shows.
        matches: The rows its search finds; ``None`` when it searches nothing.
        neighbors: The focus row's nearest rows.
    """

    selection: Sequence[int] = ()
    kept: Sequence[int] = ()
    matches: Sequence[int] | None = None
    neighbors: Sequence[int] = ()

    @property
    def bright(self) -> Sequence[int]:
        """The rows kept bright (the rest are dimmed): a search's matches, as on the Map page,
        else the selection, else the kept selection."""
        return self.matches if self.matches is not None else (self.selection or self.kept)

    @property
    def framed(self) -> Sequence[int]:
        """The rows a fitted camera and a note on "the selection" are about: the selection,
        else the kept selection, else the search's matches."""
        return self.selection or self.kept or self.matches or ()


def view_rows(space: Space, view: View, settings: MapSettings = DEFAULT_SETTINGS) -> ViewRows:
    """The rows a view marks: its selection, kept selection, search matches and the focus
    row's neighbours.

    Raises:
        InputError: A row past the dataset's end, no kept selection of that name, a bad search.
    """
    rows = space.rows
    named = [*view.selection, *([view.focus] if view.focus is not None else [])]
    named += [note.row for note in view.annotations if note.row is not None]
    if named and max(named) >= rows:
        raise InputError(
            f"The view names row {max(named)}, but the dataset has rows 0 to {rows - 1}."
        )
    kept: list[int] = []
    if view.kept is not None:
        found = space.selections.kept()
        if view.kept not in found:
            raise InputError(f"There is no kept selection named {view.kept!r}.")
        kept = found[view.kept]
    matches = None
    if view.search is not None:
        spec = view.search
        matches = [m.row for m in space.search(spec.query, spec.kind, column=spec.column)]
    neighbors: list[int] = []
    if view.focus is not None:
        found_near = space.neighbors(view.focus, settings.neighbor_k, settings.neighbor_metric)
        neighbors = [neighbor.row for neighbor in found_near]
    return ViewRows(view.selection, kept, matches, neighbors)


def shown_rows(table: FilterTable, filters: Sequence[Filter]) -> npt.NDArray[np.intp] | None:
    """The rows a view's map draws: those passing every one of its filters (AND), sorted;
    ``None`` when it has no filter (every row is drawn).

    Raises:
        InputError: A filter names a column the table lacks, or one of another kind.
    """
    if not filters:
        return None
    return np.flatnonzero(apply_filters(table, filters)).astype(np.intp)


def filter_note(filters: Sequence[Filter], shown: npt.NDArray[np.intp], rows: int) -> str:
    """What a filtered map says of itself: ``Filtered (price 10 – 50): 1,204 of 3,080 rows``."""
    mask = np.zeros(rows, dtype=bool)
    mask[shown] = True
    named = "; ".join(filter_text(one) for one in filters)
    return f"Filtered ({named}): {count_rows(mask).text}"


def search_label(search: SearchSpec) -> str:
    """What the map's legend calls a search's matches: ``contains “refund”``."""
    verb = {"text": "contains", "regex": "matches", "semantic": "nearest to"}[search.kind]
    return f"{verb} “{search.query[:40]}”"


def map_layers(view: View, rows: ViewRows) -> list[Highlight]:
    """The layers a view draws over the points, in order: the kept selection, the search's
    matches, then the focus row's neighbours and the focus row itself (as the Map page)."""
    layers: list[Highlight] = []
    if view.kept is not None and rows.kept:
        layers.append(Highlight(rows.kept, f"kept: {view.kept}", MARK_COLOR, "circle-open", 11))
    if view.search is not None and rows.matches is not None:
        layers.append(matches_layer(rows.matches, search_label(view.search)))
    if view.focus is not None:
        layers += [neighbors_layer(rows.neighbors), focus_layer([view.focus])]
    return layers


def _fitted(points: FloatMatrix, whole: FloatMatrix) -> list[tuple[float, float]]:
    """Axis ranges around ``points`` with :data:`FIT_MARGIN` on each side; a single point
    (or a line of them) gets a twentieth of the whole map's extent."""
    low, high = points.min(axis=0), points.max(axis=0)
    spans = np.maximum(high - low, np.ptp(whole, axis=0) / 20)
    spans = np.where(spans > 0, spans, 1.0)
    centre = (low + high) / 2
    half = spans * (0.5 + FIT_MARGIN)
    return [(float(c - h), float(c + h)) for c, h in zip(centre, half, strict=True)]


def apply_camera(
    figure: go.Figure, coordinates: FloatMatrix, view: View, framed: Sequence[int]
) -> go.Figure:
    """Point the map where the view looks: its camera (axis ranges of a 2-D map, the eye of a
    3-D one), else, with ``fit_selection``, the extent of ``framed`` (see
    :attr:`ViewRows.framed`) with a margin; else the whole map.

    Returns:
        The same figure, for chaining.
    """
    camera, dims = view.camera, coordinates.shape[1]
    fit = view.fit_selection and len(framed) > 0
    picked = coordinates[np.asarray(list(framed), dtype=np.intp)] if fit else None
    if dims == 2:
        x, y = camera.x, camera.y
        if x is None and y is None and picked is not None:
            x, y = _fitted(picked, coordinates)
        if x is not None:
            figure.update_xaxes(range=list(x), autorange=False)
        if y is not None:
            figure.update_yaxes(range=list(y), autorange=False)
    elif camera.eye is not None:
        figure.update_layout(scene_camera={"eye": dict(zip("xyz", camera.eye, strict=True))})
    elif picked is not None:
        ranges = _fitted(picked, coordinates)
        figure.update_layout(
            scene={f"{axis}axis": {"range": list(r)} for axis, r in zip("xyz", ranges, strict=True)}
        )
    return figure


def view_notes(view: View, rows: ViewRows) -> list[MapNote]:
    """The view's notes, each pointing at its row or at the centre of the selection (written
    in a corner when the view selects nothing)."""
    return [
        MapNote(note.text, (note.row,) if note.row is not None else tuple(rows.framed))
        for note in view.annotations
    ]
