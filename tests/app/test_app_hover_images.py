"""A map of a dataset of images: its points' thumbnails handed to the hover script for the chart
drawn under the map's key, and each point drawn as its picture on request; a map of texts
mounts nothing and offers no pictures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components import state
from components.map_images import chart_class
from embedding_space.io.images import thumbnail_uri
from tests.helpers import open_app, plotly_figure
from tests.shapes import create_shapes_dataset, shapes_frame


@pytest.fixture(scope="module")
def shapes_id() -> str:
    return create_shapes_dataset(per_kind=2)


def _hover_components(app: AppTest) -> list[dict[str, Any]]:
    found = []

    def walk(node: Any) -> None:
        for child in getattr(node, "children", {}).values():
            if child.type == "bidi_component" and child.proto.component_name == "map_hover_images":
                found.append(json.loads(child.proto.json))
            walk(child)

    walk(app._tree)
    return found


def test_the_map_of_images_hands_every_points_thumbnail_to_the_hover_script(
    shapes_id: str,
) -> None:
    app = open_app(shapes_id)
    (mounted,) = _hover_components(app)
    assert mounted["chart"] == chart_class(f"map-{shapes_id}-2")
    assert mounted["part"] == "sample"  # every row: no marked rows travel apart
    _, images, _ = shapes_frame(per_kind=2)
    expected = {str(row): thumbnail_uri(image.thumbnail) for row, image in enumerate(images)}
    assert mounted["thumbnails"] == expected


def test_a_map_of_texts_mounts_no_hover_images(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id)
    assert app.get("plotly_chart")
    assert _hover_components(app) == []


def test_the_pictures_switch_draws_each_point_as_its_image(shapes_id: str) -> None:
    app = open_app(shapes_id, **{state.MAP_PICTURES: True})
    images = plotly_figure(app)["layout"]["images"]
    assert len(images) == 24
    assert {image["source"] for image in images} == set(
        _hover_components(app)[0]["thumbnails"].values()
    )
    assert app.toggle(key=f"widget:{state.MAP_PICTURES}").value is True


def test_a_map_of_texts_offers_no_pictures(topics_dataset_id: str) -> None:
    app = open_app(topics_dataset_id, **{state.MAP_PICTURES: True})
    assert "images" not in plotly_figure(app)["layout"]
    assert not [t for t in app.toggle if t.label == "Pictures on the map"]


def test_the_chart_class_follows_streamlits_rule_for_keys() -> None:
    assert chart_class("map-abc_D-2") == "st-key-map-abc_D-2"
    assert chart_class(" story-My story: part 1/2-3 ") == "st-key-story-My-story--part-1-2-3"
