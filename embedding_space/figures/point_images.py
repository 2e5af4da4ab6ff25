"""Pictures on the map: each row's thumbnail drawn at its point, as the TensorFlow Projector
draws its sprites, so that a small map of images can be read at a glance.

The pictures are plotly layout images, sized in the map's own units: they grow as the map is
zoomed in. The points stay where they are, unseen over their pictures, so hover, clicks and
selections work as before; the layers drawn later (a click's star, its neighbours' rings)
show over the pictures, and the legend keeps each category's colour.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import plotly.graph_objects as go

from embedding_space.io.images import is_thumbnail_uri
from embedding_space.types import FloatMatrix

__all__ = ["IMAGE_POINTS", "add_point_images", "picture_share"]

IMAGE_POINTS = 500
"""The most points a map draws as pictures. Each is an element plotly moves on every pan and
zoom, and past a few hundred they cover one another and slow the map down."""
_ASPECT = 1.5
"""About how much wider than high the plot is on screen (as ``points`` assumes)."""
_SHARE = (0.05, 0.13)
"""The smallest and largest picture, as a share of the plot's height."""
_DIMMED = 0.25
"""The opacity of the pictures of unselected rows while some are selected."""


def picture_share(count: int) -> float:
    """How high a picture is drawn, as a share of the plot's height, for ``count`` pictures:
    about 0.8 of the side of the square each would get if they shared the plot evenly, within
    bounds (a few pictures are not drawn huge, many not as specks)."""
    share = 0.8 * (_ASPECT / max(count, 1)) ** 0.5
    return float(np.clip(share, *_SHARE))


def add_point_images(
    figure: go.Figure,
    coordinates: FloatMatrix,
    thumbnails: Sequence[str],
    rows: Sequence[int],
    *,
    bright: Collection[int] = (),
) -> go.Figure:
    """Draw each of ``rows``' thumbnails centred on its point of a 2-D map, in place of the
    points drawn so far (call it before adding layers, as ``map_figure`` does).

    Args:
        figure: A 2-D map from ``scatter_figure``, whose axes have ranges.
        coordinates: Every row's position, shape ``(n, 2)``.
        thumbnails: Every row's thumbnail as a ``data:`` URI (``io.images.thumbnail_uri``).
        rows: The rows drawn (at most :data:`IMAGE_POINTS`).
        bright: Rows selected; while there are any, the others' pictures are faint, as their
            points are.

    Returns:
        The same figure, for chaining.

    Raises:
        ValueError: A 3-D map, a map without ranges, more than :data:`IMAGE_POINTS` rows, or
            a thumbnail that is not a base64 WebP ``data:`` URI.
    """
    if coordinates.shape[1] != 2:
        raise ValueError("pictures are drawn on 2-D maps only")
    if len(rows) > IMAGE_POINTS:
        raise ValueError(f"{len(rows)} pictures; a map draws at most {IMAGE_POINTS}")
    x_range, y_range = figure.layout.xaxis.range, figure.layout.yaxis.range
    if x_range is None or y_range is None:
        raise ValueError("the map's axes need ranges to size the pictures")
    share = picture_share(len(rows))
    # "contain" keeps each picture square within its box; the box is as high as the share
    # asks and wider than that on a plot wider than high, so the height decides.
    size_y = (y_range[1] - y_range[0]) * share
    size_x = (x_range[1] - x_range[0]) * share
    images = []
    for row in rows:
        uri = thumbnails[row]
        if not is_thumbnail_uri(uri):
            raise ValueError(f"the thumbnail of row {row} is not a base64 WebP data: URI")
        x, y = (float(value) for value in coordinates[row])
        images.append(
            {
                "source": uri,
                "xref": "x",
                "yref": "y",
                "x": x,
                "y": y,
                "sizex": size_x,
                "sizey": size_y,
                "xanchor": "center",
                "yanchor": "middle",
                "sizing": "contain",
                "layer": "below",
                "opacity": 1.0 if not bright or row in bright else _DIMMED,
            }
        )
    figure.update_layout(images=images)
    _hide_points(figure)
    return figure


def _hide_points(figure: go.Figure) -> None:
    """Make the points drawn so far unseen (they still answer hover, clicks and selections),
    and give the legend a marker of each one's colour in their stead."""
    for trace in list(figure.data):
        if trace.customdata is None:
            continue
        seen_opacity = trace.marker.opacity
        trace.marker.opacity = 0
        if trace.showlegend is False:
            continue
        trace.legendgroup = trace.legendgroup or trace.name
        trace.showlegend = False
        figure.add_trace(
            go.Scattergl(
                x=[None],
                y=[None],
                mode="markers",
                name=trace.name,
                legendgroup=trace.legendgroup,
                marker={"color": trace.marker.color, "size": 10, "opacity": seen_opacity},
                hoverinfo="skip",
            )
        )
