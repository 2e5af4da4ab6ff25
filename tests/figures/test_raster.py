"""Large maps: every row counted in the density image, a stated sample drawn as points, and
selections that take every row inside the region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.io as pio
from plotly.colors import hex_to_rgb

from embedding_space.figures.layers import Highlight
from embedding_space.figures.map import map_figure
from embedding_space.figures.points import category_colors
from embedding_space.figures.raster import (
    SAMPLE_POINTS,
    density_image,
    large_map_note,
    rows_in_region,
)
from embedding_space.rows import sample_rows


def _points(count: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(count, 2)).astype(np.float32)


def test_a_large_map_draws_a_sample_of_real_rows_over_an_image_of_all() -> None:
    count = 1_200
    coordinates = _points(count)
    texts = [f"row {row}" for row in range(count)]
    figure = map_figure(coordinates, texts, point_budget=1_000)
    drawn = np.concatenate([np.asarray(trace.customdata).reshape(-1) for trace in figure.data])
    assert len(drawn) == 1_000
    assert len(set(drawn.tolist())) == 1_000
    # Each drawn point sits where its row is, and its hover names that row.
    trace = figure.data[0]
    rows = np.asarray(trace.customdata).reshape(-1)
    np.testing.assert_allclose(np.asarray(trace.x), coordinates[rows, 0])
    assert list(trace.hovertext[:3]) == [f"row {row}" for row in rows[:3]]
    assert len(figure.layout.images) == 1
    assert figure.layout.images[0].source.startswith("data:image/png;base64,")


def test_a_map_within_budget_draws_every_row_and_no_image() -> None:
    figure = map_figure(_points(500), [f"t{row}" for row in range(500)], point_budget=1_000)
    assert sum(len(trace.x) for trace in figure.data) == 500
    assert len(figure.layout.images) == 0


def test_the_density_image_counts_every_row_in_its_category_colour() -> None:
    # Two far corners: 10 rows of "a" at one, 1 row of "b" at the other.
    coordinates = np.array([[0.0, 0.0]] * 10 + [[1.0, 1.0]], dtype=np.float32)
    categories, colors = category_colors(pd.Series(["a"] * 10 + ["b"]))
    image, bounds = density_image(coordinates, categories=categories, colors=colors)
    assert bounds == (0.0, 1.0, 0.0, 1.0)
    bottom_left, top_right = image[-1, 0], image[0, -1]
    assert tuple(bottom_left[:3]) == hex_to_rgb(colors["a"])
    assert tuple(top_right[:3]) == hex_to_rgb(colors["b"])
    # The denser pixel is the more opaque, and a lone row still shows.
    assert bottom_left[3] == 255
    assert 0 < top_right[3] < bottom_left[3]
    assert np.count_nonzero(image[:, :, 3]) == 2


def test_a_box_and_a_lasso_take_every_row_inside_them() -> None:
    coordinates = _points(20_000, seed=3)
    box = {"x": [0.5, -0.5], "y": [-1.0, 1.0]}
    expected_box = (np.abs(coordinates[:, 0]) <= 0.5) & (np.abs(coordinates[:, 1]) <= 1.0)
    assert rows_in_region(coordinates, boxes=[box]) == np.flatnonzero(expected_box).tolist()
    # A triangle (0,0)-(2,0)-(0,2): inside when x > 0, y > 0 and x + y < 2.
    triangle = {"x": [0.0, 2.0, 0.0], "y": [0.0, 0.0, 2.0]}
    x, y = coordinates[:, 0], coordinates[:, 1]
    expected = np.flatnonzero((x > 0) & (y > 0) & (x + y < 2)).tolist()
    assert rows_in_region(coordinates, lassos=[triangle]) == expected


def test_a_highlight_larger_than_the_sample_is_sampled_and_says_so() -> None:
    count = 1_200
    coordinates = _points(count)
    marked = Highlight(list(range(count)), "search matches")
    figure = map_figure(
        coordinates, [str(row) for row in range(count)], highlights=[marked], point_budget=100
    )
    layer = next(trace for trace in figure.data if "search matches" in str(trace.name))
    assert len(layer.x) == 100
    assert layer.name == "search matches (100 of 1,200 drawn)"


def test_the_payload_of_a_million_rows_is_a_few_bytes_a_row() -> None:
    count = 1_000_000
    coordinates = _points(count)
    texts = [f"text {row}" for row in range(count)]
    color = pd.Series(np.arange(count) % 12).astype(str)
    payload = pio.to_json(map_figure(coordinates, texts, color=color), validate=False)
    assert len(payload) / count < 8
    assert f"{SAMPLE_POINTS:,} of them" in str(large_map_note(count))
    assert large_map_note(10) is None


def test_the_sample_is_the_same_every_time() -> None:
    assert sample_rows(10_000, 50).tolist() == sample_rows(10_000, 50).tolist()
    assert sample_rows(30, 50).tolist() == list(range(30))


def test_a_filtered_large_map_samples_and_images_only_the_rows_that_pass() -> None:
    count = 3_000
    coordinates = _points(count)
    texts = [f"row {row}" for row in range(count)]
    passing = np.flatnonzero(coordinates[:, 0] > 0)  # about half: still over the budget
    figure = map_figure(coordinates, texts, point_budget=1_000, shown=passing)
    drawn = np.concatenate([np.asarray(trace.customdata).reshape(-1) for trace in figure.data])
    assert len(drawn) == 1_000 and set(drawn.tolist()) <= set(passing.tolist())
    assert len(figure.layout.images) == 1, "the image of the rows that pass"
    # Under the budget, every passing row is a point and no image is drawn.
    few = passing[:400]
    small = map_figure(coordinates, texts, point_budget=1_000, shown=few)
    rows = np.concatenate([np.asarray(trace.customdata).reshape(-1) for trace in small.data])
    assert sorted(rows.tolist()) == few.tolist() and len(small.layout.images) == 0
