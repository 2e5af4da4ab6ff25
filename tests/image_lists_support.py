"""A small dataset of images for the tests of images beside texts: coloured circles, squares
and triangles drawn at 128 px, each with a caption, and vectors that cluster by shape (so a
row's nearest rows are its shape's, and a screenshot looks like a real dataset's).

``python -m tests.image_lists_support`` stores it in ``$EMBEDDING_SPACE_HOME``, for a server
started by hand.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from embedding_space.io.images import PreparedImage, prepare_image, thumbnail_uri
from embedding_space.store.workspace import Workspace
from tests.image_files import draw_shape

SHAPES = ("circle", "square", "triangle")
COLOURS = {
    "red": (214, 48, 49),
    "orange": (240, 147, 43),
    "green": (46, 160, 67),
    "teal": (22, 160, 160),
    "blue": (48, 98, 214),
    "purple": (142, 68, 173),
}
SIZES = ("large", "small")
IMAGE_PX = 128
DIMENSION = 16


@dataclass(frozen=True)
class Shape:
    """One row: what its image shows."""

    shape: str
    colour: str
    size: str

    @property
    def caption(self) -> str:
        return f"A {self.size} {self.colour} {self.shape}, drawn alone on a plain white card."


def shapes() -> list[Shape]:
    """Every shape in every colour and size, in row order (36 rows)."""
    return [Shape(*each) for each in itertools.product(SHAPES, COLOURS, SIZES)]


def shape_png(shape: Shape) -> bytes:
    """The image of one row, as a PNG file's bytes."""
    margin = 14 if shape.size == "large" else 38
    box = (margin, margin, IMAGE_PX - margin, IMAGE_PX - margin)
    fill = COLOURS[shape.colour]
    outline = (fill[0] * 2 // 3, fill[1] * 2 // 3, fill[2] * 2 // 3)
    return draw_shape(shape.shape, fill, box, size=IMAGE_PX, outline=outline)


def shape_vectors(rows: list[Shape], seed: int = 0) -> np.ndarray:
    """Vectors of shape ``(n, DIMENSION)``: a direction per shape, a smaller one per colour,
    and a little noise, so rows gather by shape first and by colour within it."""
    generator = np.random.default_rng(seed)
    by_shape = {name: generator.normal(size=DIMENSION) * 3 for name in SHAPES}
    by_colour = {name: generator.normal(size=DIMENSION) for name in COLOURS}
    vectors = np.stack(
        [
            by_shape[row.shape] + by_colour[row.colour] + generator.normal(size=DIMENSION) * 0.3
            for row in rows
        ]
    )
    return vectors.astype(np.float32)


def shape_images(rows: list[Shape]) -> list[PreparedImage]:
    """Each row's image as the workspace keeps it."""
    return [prepare_image(shape_png(row), f"{index}.png") for index, row in enumerate(rows)]


def create_shapes_dataset(store: Workspace, name: str = "shapes", *, shared: bool = False) -> str:
    """Store the shapes as a dataset (``caption``, ``shape``, ``colour``, ``file``) with their
    images and vectors; returns its id."""
    rows = shapes()
    frame = pd.DataFrame(
        {
            "caption": [row.caption for row in rows],
            "shape": [row.shape for row in rows],
            "colour": [row.colour for row in rows],
            "file": [f"{index}.png" for index in range(len(rows))],
        }
    )
    info = store.create_dataset(
        frame,
        "caption",
        name,
        shared=shared,
        vectors=shape_vectors(rows),
        images=shape_images(rows),
    )
    return info.id


def stored_thumbnails(dataset_id: str, store: Workspace | None = None) -> list[str]:
    """Each row's stored thumbnail as the ``data:`` URI a page should show for it (from the
    workspace of ``$EMBEDDING_SPACE_HOME`` unless ``store`` is given)."""
    images = (store or Workspace()).images(dataset_id)
    assert images is not None, "a dataset of images"
    return [thumbnail_uri(thumbnail) for thumbnail in images.thumbnails()]


def row_of_text(text: str) -> int:
    """The row whose caption a line of markdown shows (every caption names one row)."""
    plain = re.sub(r"\\(.)", r"\1", text)
    found = [index for index, row in enumerate(shapes()) if row.caption in plain]
    assert len(found) == 1, f"no one row's caption in {plain!r}"
    return found[0]


def image_url(element: Any) -> str:
    """The address an ``st.image`` element sends the browser."""
    return str(element.proto.imgs[0].url)


def blocks(node: Any) -> Iterator[Any]:
    """``node`` and every block inside it, in page order (an AppTest element tree)."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from blocks(child)


def images_beside_texts(node: Any) -> list[tuple[str, str]]:
    """Every image drawn just before a text in the same block (a list's line, a caption),
    alone or in a block of images before it (a pair's), in page order: each image's address
    and the text's markdown."""
    pairs = []
    for block in blocks(node):
        children = list(getattr(block, "children", {}).values())
        for first, second in itertools.pairwise(children):
            if second.type not in ("markdown", "caption"):
                continue
            inside = list(getattr(first, "children", {}).values())
            images = [first] if first.type == "image" else inside
            if images and all(image.type == "image" for image in images):
                pairs += [(image_url(image), str(second.value)) for image in images]
    return pairs


def image_columns(table: Any) -> list[str]:
    """The columns an ``st.dataframe`` element draws as images, in its frame's order."""
    config = json.loads(table.proto.columns)
    drawn = {
        name
        for name, column in config.items()
        if column.get("type_config", {}).get("type") == "image"
    }
    return [str(name) for name in table.value.columns if str(name) in drawn]


if __name__ == "__main__":
    print(create_shapes_dataset(Workspace(), shared=True))
