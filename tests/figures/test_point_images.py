"""figures.point_images: a small map of images drawn as pictures, each at its point, while
the points keep answering hover, clicks and selections and the legend keeps its colours."""

from __future__ import annotations

import numpy as np
import pytest

from embedding_space.export.hover_images import map_rows
from embedding_space.figures.layers import focus_layer
from embedding_space.figures.map import map_figure
from embedding_space.figures.point_images import IMAGE_POINTS, picture_share
from embedding_space.io.images import thumbnail_uri
from tests.shapes import shapes_frame

FRAME, IMAGES, VECTORS = shapes_frame(per_kind=2)
URIS = [thumbnail_uri(image.thumbnail) for image in IMAGES]
TEXTS = FRAME["caption"].tolist()
COORDINATES = VECTORS[:, :2].copy()


def test_each_drawn_row_is_drawn_as_its_picture_at_its_point() -> None:
    shown = list(range(0, 24, 2))
    figure = map_figure(COORDINATES, TEXTS, color=FRAME["shape"], pictures=URIS, shown=shown)
    images = figure.layout.images
    assert [image.source for image in images] == [URIS[row] for row in shown]
    for image, row in zip(images, shown, strict=True):
        assert (image.x, image.y) == pytest.approx(tuple(COORDINATES[row]))
        assert (image.xref, image.yref, image.layer) == ("x", "y", "below")
        assert image.xanchor == "center" and image.yanchor == "middle"


def test_the_points_stay_for_hover_and_clicks_unseen_and_the_legend_keeps_its_colours() -> None:
    plain = map_figure(COORDINATES, TEXTS, color=FRAME["shape"])
    pictured = map_figure(
        COORDINATES, TEXTS, color=FRAME["shape"], pictures=URIS, highlights=[focus_layer([3])]
    )
    assert [r.tolist() for r in map_rows(pictured)] == [list(range(24)), [3]]
    points = [trace for trace in pictured.data if trace.customdata is not None]
    assert all(trace.marker.opacity == 0 for trace in points if trace.name != "clicked")
    star = next(trace for trace in points if trace.name == "clicked")
    assert star.marker.opacity != 0  # layers drawn after the pictures show over them
    legend = {
        trace.name: (trace.marker.color, trace.marker.opacity)
        for trace in pictured.data
        if trace.showlegend is not False
    }
    looks = {trace.name: (trace.marker.color, trace.marker.opacity) for trace in plain.data}
    assert legend == {**looks, "clicked": (star.marker.color, star.marker.opacity)}


def test_while_rows_are_selected_the_other_pictures_are_faint() -> None:
    figure = map_figure(COORDINATES, TEXTS, pictures=URIS, selected=[1, 2])
    opacity = {image.source: image.opacity for image in figure.layout.images}
    assert opacity[URIS[1]] == opacity[URIS[2]] == 1
    assert {opacity[uri] for i, uri in enumerate(URIS) if i not in (1, 2)} == {0.25}


def test_more_pictures_are_drawn_smaller_within_bounds() -> None:
    assert picture_share(10) > picture_share(100) > picture_share(IMAGE_POINTS)
    assert picture_share(1) <= 0.13 and picture_share(IMAGE_POINTS) >= 0.05


def test_pictures_are_refused_on_a_3d_map_past_the_limit_or_from_anything_but_data() -> None:
    with pytest.raises(ValueError, match="2-D"):
        map_figure(VECTORS[:, :3].copy(), TEXTS, pictures=URIS)
    many = np.repeat(COORDINATES, 22, axis=0)[: IMAGE_POINTS + 1]
    with pytest.raises(ValueError, match=f"at most {IMAGE_POINTS}"):
        map_figure(many, ["t"] * len(many), pictures=["data:image/webp;base64,AAAA"] * len(many))
    with pytest.raises(ValueError, match="row 5"):
        map_figure(COORDINATES, TEXTS, pictures=[*URIS[:5], "https://evil.example/x.webp"])
