"""A map that stays put as its rows grow: rows added later are placed on the map drawn
before, without moving a single old point, and a map computed again can be laid onto the old.

New rows are placed by :func:`~embedding_space.analysis.placement.place_texts`, the way a
text dropped on a map is: PCA exactly, through the axes the map was fitted with; UMAP as its
``transform`` begins (at the new row's nearest fitted rows, weighted by UMAP's fuzzy
membership); t-SNE at the similarity-weighted mean of its nearest fitted rows. UMAP's and
openTSNE's own ``transform`` need the fitted model, which is not kept (only the coordinates
are), so neither is used. Placed rows are placed relative to the rows the map was fitted on
only, so rows added in several batches never chain on each other.

Past :data:`SETTINGS["recompute_share"] <embedding_space.analysis.parameters.SETTINGS>` of a
map's rows placed rather than fitted, computing it again is suggested; :func:`refit_map` then
lays the new map onto the old by orthogonal Procrustes on the rows the old one was fitted on
(:func:`~embedding_space.analysis.comparison.align_rows`), so positions stay comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from embedding_space.analysis.comparison import Alignment, align_rows
from embedding_space.analysis.parameters import SETTINGS, default_of
from embedding_space.analysis.placement import place_texts
from embedding_space.analysis.projection import Projection, ProjectionParams
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = ["MapGrowth", "extend_map", "refit_map"]

_UNKNOWN_PARAMS = (
    "the map's parameters were not kept, so UMAP's neighbourhood is taken as the default"
)


@dataclass(frozen=True)
class MapGrowth:
    """A map with rows added to it.

    Attributes:
        projection: The map of every row: the old rows' coordinates exactly as they were,
            the new ones after them.
        added: Rows placed by this call.
        placed: Rows placed on the map since it was fitted (this call's and earlier ones').
        how: A sentence saying how the new rows were placed.
        recompute_suggested: More than the ``recompute_share`` of the map's rows are placed.
    """

    projection: Projection
    added: int
    placed: int
    how: str
    recompute_suggested: bool

    @property
    def placed_share(self) -> float:
        """The share of the map's rows that were placed rather than fitted."""
        return self.placed / max(len(self.projection.coordinates), 1)


def extend_map(
    vectors: FloatMatrix,
    projection: Projection,
    new_vectors: FloatMatrix,
    *,
    params: ProjectionParams | None = None,
    recompute_share: float = default_of("recompute_share", float),
) -> MapGrowth:
    """The map of ``vectors`` with ``new_vectors`` placed on it (see the module's notes).

    Args:
        vectors: The rows the map holds, shape ``(n, d)`` (the first ``projection.fitted``
            of them are those it was fitted on).
        projection: Their map, ``n`` rows.
        new_vectors: The added rows, shape ``(m, d)``, from the same model.
        params: The map's parameters when it did not keep them (``Projection.params``).
        recompute_share: The share of placed rows past which a refit is suggested.

    Raises:
        InputError: The map and the vectors have other row counts, no new rows, another
            dimension, or a bad share.
    """
    SETTINGS["recompute_share"].check(recompute_share)
    coordinates = projection.coordinates
    if len(coordinates) != len(vectors):
        raise InputError(f"The map has {len(coordinates)} points for {len(vectors)} rows.")
    fitted = projection.fitted
    params = params or projection.parameters()
    how_extra = ""
    if params is None:
        params = ProjectionParams(method=projection.method)
        how_extra = f"; {_UNKNOWN_PARAMS}" if projection.method == "umap" else ""
    basis = replace(projection, coordinates=coordinates[:fitted], fitted_rows=0)
    placement = place_texts(vectors[:fitted], basis, params, new_vectors)
    total = len(coordinates) + len(new_vectors)
    placed = total - fitted
    suggested = placed / total > recompute_share
    note = (
        f"{placed:,} of these {total:,} rows were added after the map was drawn and "
        f"{placement.how} (the others did not move)."
    )
    if suggested:
        note += f" More than {recompute_share:.0%} of the rows are placed: recompute the map."
    grown = Projection(
        coordinates=np.vstack([coordinates, placement.points]).astype(np.float32),
        method=projection.method,
        note=note,
        params=projection.params,
        fitted_rows=fitted,
    )
    return MapGrowth(grown, len(new_vectors), placed, placement.how + how_extra, suggested)


def refit_map(old: Projection, fresh: Projection) -> tuple[Projection, Alignment]:
    """A map computed again (``fresh``, every row) laid onto the ``old`` one by orthogonal
    Procrustes on the rows the old one was fitted on, with how well it fits.

    Raises:
        InputError: The fresh map has fewer rows than the old one was fitted on.
    """
    alignment = align_rows(old.coordinates[: old.fitted], fresh.coordinates)
    note = (
        f"Recomputed and laid onto the earlier map (Procrustes on its {alignment.rows:,} "
        f"fitted rows: residual {alignment.relative_residual:.0%} of their spread)."
    )
    aligned = replace(fresh, coordinates=alignment.coordinates, note=note, fitted_rows=0)
    return aligned, alignment
