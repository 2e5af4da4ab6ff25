"""Drift on the map: where a batch crowds more or less than its reference (a density
difference layer under the points), and the rows of one period at a time, the others grey.

The map only shows where the change lies; whether there is a change at all is measured in the
full space (:mod:`~embedding_space.analysis.drift`), never on these two dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import plotly.graph_objects as go

from embedding_space.figures.labels import short_label
from embedding_space.types import FloatMatrix

__all__ = [
    "DIFFERENCE_BINS",
    "DensityDifference",
    "add_density_difference",
    "density_difference",
]

DIFFERENCE_BINS = 60
"""Cells along each axis of the grid the two densities are counted in."""
_SMOOTHING = 1.5
_END_CHARS = 24  # a group's name at an end of the colour bar
# Diverging, see-through where nothing changed: the points stay readable under the layer.
_MORE_IN_BATCH = "rgba(47, 111, 223, 0.8)"
_MORE_IN_REFERENCE = "rgba(214, 96, 77, 0.8)"


@dataclass(frozen=True)
class DensityDifference:
    """The batch's density less the reference's over a grid of the map.

    Attributes:
        x: The cells' centres along x, shape ``(bins,)``.
        y: The cells' centres along y, shape ``(bins,)``.
        z: Shape ``(bins, bins)`` (rows along y): each cell's share of the batch less its
            share of the reference, smoothed; positive where the batch crowds more.
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]

    @property
    def largest(self) -> float:
        """The colour scale's end: the change that 98 % of the cells that changed stay
        within (the largest would wash out all but the one peak)."""
        changed = np.abs(self.z[np.abs(self.z) > 1e-9])
        return float(np.quantile(changed, 0.98)) if len(changed) else 0.0


def density_difference(
    coordinates: FloatMatrix,
    reference: npt.NDArray[np.intp],
    batch: npt.NDArray[np.intp],
    *,
    bins: int = DIFFERENCE_BINS,
) -> DensityDifference:
    """Each group's share of the rows in every cell of a grid over the whole map (a 2-D
    histogram smoothed by a Gaussian of 1.5 cells), the batch's less the reference's.

    Args:
        coordinates: The map of every row, shape ``(n, 2)``.
        reference: The reference's rows.
        batch: The batch's rows.
        bins: Cells along each axis.
    """
    from scipy.ndimage import gaussian_filter

    points = np.asarray(coordinates[:, :2], dtype=np.float64)
    low, high = points.min(axis=0), points.max(axis=0)
    high = np.where(high > low, high, low + 1.0)
    edges = [np.linspace(low[axis], high[axis], bins + 1) for axis in (0, 1)]

    def share(rows: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        counts, _, _ = np.histogram2d(points[rows, 0], points[rows, 1], bins=edges)
        smoothed = np.asarray(gaussian_filter(counts, _SMOOTHING, mode="constant"), float)
        return smoothed / max(float(smoothed.sum()), 1e-12)

    centres = [(edge[:-1] + edge[1:]) / 2 for edge in edges]
    return DensityDifference(centres[0], centres[1], (share(batch) - share(reference)).T)


def add_density_difference(
    figure: go.Figure,
    difference: DensityDifference,
    *,
    reference_name: str = "the reference",
    batch_name: str = "the batch",
) -> go.Figure:
    """Shade where the batch crowds more (blue) or less (red) than its reference, under the
    points, with a colour bar that says which is which.

    Args:
        figure: A 2-D map.
        difference: From :func:`density_difference` of the map's coordinates.
        reference_name: The reference, for the colour bar (plain text).
        batch_name: The batch, for the colour bar (plain text).
    """
    end = difference.largest or 1.0
    figure.add_trace(
        go.Heatmap(
            # Lists, not arrays: a 2-D array travels as a typed array with a shape that the
            # heatmap in Streamlit's plotly.js drew as one colour.
            x=difference.x.tolist(),
            y=difference.y.tolist(),
            z=difference.z.tolist(),
            zmin=-end,
            zmax=end,
            zsmooth="best",
            colorscale=[
                [0.0, _MORE_IN_REFERENCE],
                [0.46, "rgba(255, 255, 255, 0)"],
                [0.54, "rgba(255, 255, 255, 0)"],
                [1.0, _MORE_IN_BATCH],
            ],
            name="density difference",
            hoverinfo="skip",
            showlegend=False,
            colorbar={
                "title": {"text": "density", "side": "right"},
                "tickvals": [-end, 0, end],
                "ticktext": [
                    "more in " + short_label(reference_name, _END_CHARS),
                    "same",
                    "more in " + short_label(batch_name, _END_CHARS),
                ],
                "thickness": 12,
                "len": 0.6,
            },
        )
    )
    figure.data = (figure.data[-1], *figure.data[:-1])  # drawn first: under the points
    return figure
