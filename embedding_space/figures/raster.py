"""Maps too large to draw point by point: every row counted in a density image, a stated
sample of rows drawn as points on top for hover, clicks and selections.

WebGL scatter plots stall on hover near 100k points and a browser tab runs out of memory
near a few million, so above :data:`POINT_BUDGET` rows the map is split in two layers:

- the *density layer* counts every row in a grid of pixels (a weighted ``np.bincount``, about
  0.1 s for a million rows), each pixel coloured by the mean colour of its rows' categories and
  as opaque as its count is high (log scale), like datashader's categorical shading;
- the *point layer* is a uniform sample of :data:`SAMPLE_POINTS` rows, the same every time
  for the same data.

Nothing is dropped silently: :func:`large_map_note` says how many rows the points show, and
a box or lasso selection is resolved against every row's coordinates
(:func:`rows_in_region`), not only the drawn sample.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, sample_colorscale

from embedding_space.types import FloatMatrix

__all__ = [
    "POINT_BUDGET",
    "SAMPLE_POINTS",
    "add_density_image",
    "large_map_note",
    "rows_in_region",
]

POINT_BUDGET = 200_000
"""Maps of more rows than this are drawn as a density image with a sample of points."""
SAMPLE_POINTS = 50_000
"""How many rows a large map draws as points (for hover, clicks and selections)."""
_PIXELS = (900, 640)
_SINGLE_COLOR = "#2f6fdf"


def large_map_note(count: int, budget: int = POINT_BUDGET) -> str | None:
    """What the screen says about a map drawn as density plus a sample of points (``None``
    for a map that draws every row)."""
    if count <= budget:
        return None
    drawn = min(SAMPLE_POINTS, budget)
    return (
        f"{count:,} rows: the shading counts every row; {drawn:,} of them, a uniform sample, "
        "are drawn as points for hover and clicks. A box or lasso selection takes every row "
        "inside it, drawn or not."
    )


def _pixel_of(
    coordinates: FloatMatrix, bounds: tuple[float, float, float, float]
) -> npt.NDArray[np.intp]:
    width, height = _PIXELS
    x_low, x_high, y_low, y_high = bounds
    columns = ((coordinates[:, 0] - x_low) / max(x_high - x_low, 1e-12) * (width - 1)).astype(
        np.intp
    )
    # Image rows run top-down, the map's y bottom-up.
    rows = ((y_high - coordinates[:, 1]) / max(y_high - y_low, 1e-12) * (height - 1)).astype(
        np.intp
    )
    return np.clip(rows, 0, height - 1) * width + np.clip(columns, 0, width - 1)


def _rgb_of_rows(
    count: int,
    categories: npt.NDArray[np.object_] | None,
    colors: Mapping[str, str] | None,
    values: npt.NDArray[np.float64] | None,
) -> npt.NDArray[np.float64]:
    """Each row's colour as RGB in 0–255: its category's, its value on Viridis, or one blue."""
    if categories is not None and colors is not None:
        names = list(colors)
        palette = np.array([hex_to_rgb(colors[name]) for name in names], dtype=np.float64)
        lookup = {name: index for index, name in enumerate(names)}
        codes = np.fromiter((lookup[str(value)] for value in categories), np.intp, count)
        return palette[codes]
    if values is not None:
        finite = np.isfinite(values)
        low, high = (values[finite].min(), values[finite].max()) if finite.any() else (0, 1)
        spread = np.clip((np.nan_to_num(values, nan=low) - low) / max(high - low, 1e-12), 0, 1)
        steps = np.linspace(0, 1, 64)
        ramp = np.array(
            [
                [float(part) for part in color[4:-1].split(",")]
                for color in sample_colorscale("Viridis", list(steps))
            ]
        )
        return ramp[np.round(spread * 63).astype(np.intp)]
    return np.tile(np.array(hex_to_rgb(_SINGLE_COLOR), dtype=np.float64), (count, 1))


def density_image(
    coordinates: FloatMatrix,
    *,
    categories: npt.NDArray[np.object_] | None = None,
    colors: Mapping[str, str] | None = None,
    values: npt.NDArray[np.float64] | None = None,
) -> tuple[npt.NDArray[np.uint8], tuple[float, float, float, float]]:
    """Every row counted in a grid of pixels: an RGBA image and the map bounds it covers.

    Args:
        coordinates: Array of shape ``(n, 2)``.
        categories: Each row's category, with ``colors`` from
            :func:`~embedding_space.figures.colors.category_colors`.
        colors: The colour of each category.
        values: Or each row's number, coloured on Viridis (the pixel shows the mean).

    Returns:
        The image, shape ``(height, width, 4)``, and ``(x_low, x_high, y_low, y_high)``.
    """
    count = len(coordinates)
    x_low, y_low = coordinates.min(axis=0)[:2]
    x_high, y_high = coordinates.max(axis=0)[:2]
    bounds = (float(x_low), float(x_high), float(y_low), float(y_high))
    pixels = _PIXELS[0] * _PIXELS[1]
    pixel = _pixel_of(coordinates, bounds)
    hits = np.bincount(pixel, minlength=pixels).astype(np.float64)
    rgb = _rgb_of_rows(count, categories, colors, values)
    image = np.zeros((pixels, 4), dtype=np.float64)
    filled = hits > 0
    for channel in range(3):
        sums = np.bincount(pixel, weights=rgb[:, channel], minlength=pixels)
        image[filled, channel] = sums[filled] / hits[filled]
    # A lone row still shows; the densest pixel is opaque.
    alpha = np.log1p(hits) / np.log1p(hits.max()) if count else hits
    image[:, 3] = np.where(filled, 70 + 185 * alpha, 0)
    shaped = np.clip(np.round(image), 0, 255).astype(np.uint8)
    return shaped.reshape(_PIXELS[1], _PIXELS[0], 4), bounds


def add_density_image(
    figure: go.Figure,
    coordinates: FloatMatrix,
    *,
    categories: npt.NDArray[np.object_] | None = None,
    colors: Mapping[str, str] | None = None,
    values: npt.NDArray[np.float64] | None = None,
) -> go.Figure:
    """Put :func:`density_image` under the points, stretched over the map's bounds."""
    from PIL import Image

    image, (x_low, x_high, y_low, y_high) = density_image(
        coordinates, categories=categories, colors=colors, values=values
    )
    buffer = io.BytesIO()
    Image.fromarray(image, mode="RGBA").save(buffer, format="PNG", optimize=False)
    source = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    figure.add_layout_image(
        source=source,
        xref="x",
        yref="y",
        x=x_low,
        y=y_high,
        sizex=x_high - x_low,
        sizey=y_high - y_low,
        sizing="stretch",
        layer="below",
        opacity=1.0,
    )
    # The image does not count for autorange: pin the axes to the data's bounds.
    pad_x, pad_y = 0.02 * (x_high - x_low), 0.02 * (y_high - y_low)
    figure.update_xaxes(range=[x_low - pad_x, x_high + pad_x])
    figure.update_yaxes(range=[y_low - pad_y, y_high + pad_y])
    return figure


def rows_in_region(
    coordinates: FloatMatrix,
    boxes: Sequence[Mapping[str, Sequence[float]]] = (),
    lassos: Sequence[Mapping[str, Sequence[float]]] = (),
) -> list[int]:
    """Every row whose map position lies in one of the boxes or lasso polygons.

    Args:
        coordinates: Array of shape ``(n, 2)``.
        boxes: Plotly box selections: ``{"x": [x0, x1], "y": [y0, y1]}``.
        lassos: Plotly lasso selections: ``{"x": [...], "y": [...]}``, the polygon's corners.

    Returns:
        Sorted row ids.
    """
    inside = np.zeros(len(coordinates), dtype=bool)
    points = np.asarray(coordinates[:, :2], dtype=np.float64)
    for box in boxes:
        x_low, x_high = sorted(float(value) for value in box["x"][:2])
        y_low, y_high = sorted(float(value) for value in box["y"][:2])
        inside |= (
            (points[:, 0] >= x_low)
            & (points[:, 0] <= x_high)
            & (points[:, 1] >= y_low)
            & (points[:, 1] <= y_high)
        )
    for lasso in lassos:
        corners = np.column_stack([lasso["x"], lasso["y"]]).astype(np.float64)
        if len(corners) >= 3:
            inside |= _inside_polygon(points, corners)
    return np.flatnonzero(inside).tolist()


def _inside_polygon(
    points: npt.NDArray[np.float64], corners: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Even-odd rule: a point is inside when a ray to its right crosses the edges an odd
    number of times. Only points within the polygon's bounding box are tested."""
    low, high = corners.min(axis=0), corners.max(axis=0)
    candidates = np.flatnonzero(np.all((points >= low) & (points <= high), axis=1))
    x, y = points[candidates, 0], points[candidates, 1]
    crossings = np.zeros(len(candidates), dtype=bool)
    for (x0, y0), (x1, y1) in zip(corners, np.roll(corners, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        spans = (y0 > y) != (y1 > y)
        crossings ^= spans & (x < x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    inside = np.zeros(len(points), dtype=bool)
    inside[candidates] = crossings
    return inside
