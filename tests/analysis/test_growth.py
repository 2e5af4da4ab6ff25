"""Rows added to a map already drawn: placed without moving the old points, counted against
the share that suggests a refit, and a refit laid back onto the old map."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.analysis.comparison import align_map, align_rows
from embedding_space.analysis.growth import extend_map, refit_map
from embedding_space.analysis.parameters import SETTINGS
from embedding_space.analysis.projection import Projection, ProjectionParams, project
from embedding_space.embed import Embedder, embed
from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix
from tests.helpers import topics_frame


@pytest.fixture(scope="module")
def vectors(embedder: Embedder) -> FloatMatrix:
    return embed(topics_frame()["text"].tolist(), embedder).vectors


def test_the_share_that_suggests_a_refit_is_a_setting() -> None:
    assert SETTINGS["recompute_share"].default == 0.2
    with pytest.raises(InputError, match="recompute_share"):
        SETTINGS["recompute_share"].check(0)


def test_a_refit_is_suggested_once_placed_rows_pass_the_share_over_batches(
    vectors: FloatMatrix,
) -> None:
    # Rows 0-29 fitted; two batches of five: 5/35 = 14 % placed, then 10/40 = 25 %.
    params = ProjectionParams(method="pca")
    first = extend_map(vectors[:30], project(vectors[:30], params), vectors[30:35])
    assert first.placed == 5 and not first.recompute_suggested
    assert "recompute" not in first.projection.note
    second = extend_map(vectors[:35], first.projection, vectors[35:40])
    assert (second.added, second.placed) == (5, 10)
    assert second.placed_share == pytest.approx(0.25)
    assert second.recompute_suggested and "More than 20%" in second.projection.note
    strict = extend_map(
        vectors[:30], project(vectors[:30], params), vectors[30:35], recompute_share=0.1
    )
    assert strict.recompute_suggested


def test_batches_place_on_the_fitted_rows_only_so_their_order_does_not_matter(
    vectors: FloatMatrix,
) -> None:
    for params in (ProjectionParams(method="pca"), ProjectionParams(method="tsne")):
        fitted = project(vectors[:30], params)
        at_once = extend_map(vectors[:30], fitted, vectors[30:40])
        first = extend_map(vectors[:30], fitted, vectors[30:35])
        in_two = extend_map(vectors[:35], first.projection, vectors[35:40])
        # Equal up to float32 rounding (a product of five rows or of ten sums alike).
        np.testing.assert_allclose(
            in_two.projection.coordinates, at_once.projection.coordinates, atol=1e-6
        )
        np.testing.assert_array_equal(at_once.projection.coordinates[:30], fitted.coordinates)
        assert in_two.projection.fitted == 30


def test_pca_places_new_rows_exactly_where_its_transform_puts_them(vectors: FloatMatrix) -> None:
    params = ProjectionParams(method="pca")
    fitted = project(vectors[:30], params)
    grown = extend_map(vectors[:30], fitted, vectors[:30].copy())
    np.testing.assert_allclose(grown.projection.coordinates[30:], fitted.coordinates, atol=1e-4)


def test_a_map_must_have_a_point_per_row(vectors: FloatMatrix) -> None:
    fitted = project(vectors[:30], ProjectionParams(method="pca"))
    with pytest.raises(InputError, match="30 points for 31 rows"):
        extend_map(vectors[:31], fitted, vectors[31:35])


def test_aligning_a_turned_scaled_moved_map_undoes_it_for_every_row(vectors: FloatMatrix) -> None:
    old = project(vectors, ProjectionParams(method="pca")).coordinates
    angle = 0.9
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (old @ turn.T * 3.0 + np.array([5.0, -2.0])).astype(np.float32)
    # Fitted on the first thirty rows, the last ten follow the same transform back.
    alignment = align_rows(old[:30], moved)
    np.testing.assert_allclose(alignment.coordinates, old, atol=1e-4)
    assert alignment.rows == 30
    assert alignment.disparity == pytest.approx(0.0, abs=1e-8)
    assert alignment.residual == pytest.approx(0.0, abs=1e-4)
    np.testing.assert_allclose(align_map(old, moved), old, atol=1e-4)


def test_refit_map_reports_its_fit_on_the_old_fitted_rows(vectors: FloatMatrix) -> None:
    params = ProjectionParams(method="pca")
    grown = extend_map(vectors[:30], project(vectors[:30], params), vectors[30:])
    fresh = project(vectors, params)
    aligned, fit = refit_map(grown.projection, fresh)
    assert fit.rows == 30 and aligned.fitted == 40
    assert isinstance(aligned, Projection) and "Procrustes" in aligned.note
    rms = np.sqrt(
        np.mean(np.sum((aligned.coordinates[:30] - grown.projection.coordinates[:30]) ** 2, axis=1))
    )
    assert fit.residual == pytest.approx(rms, rel=1e-4)
    unaligned = np.sqrt(
        np.mean(np.sum((fresh.coordinates[:30] - grown.projection.coordinates[:30]) ** 2, axis=1))
    )
    assert fit.residual <= unaligned
