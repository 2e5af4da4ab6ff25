"""A small dataset of pictures for the tests of images on the map: coloured circles, squares
and triangles, with vectors that cluster by shape (and, within a shape, by colour), so that a
map of it looks like a real image dataset and a screenshot can be read at a glance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from embedding_space.io.images import PreparedImage, prepare_image
from embedding_space.store.workspace import Workspace
from tests.image_files import draw_shape

SHAPES = ("circle", "square", "triangle")
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 50, 47),
    "blue": (38, 110, 210),
    "green": (60, 160, 70),
    "orange": (240, 150, 30),
}
SIDE = 128
"""Pixels across each picture (its thumbnail is smaller: ``THUMBNAIL_PX``)."""


def shape_png(shape: str, colour: tuple[int, int, int], variant: int = 0) -> bytes:
    """A ``SIDE``-pixel PNG of one filled shape on a pale background; ``variant`` moves and
    sizes it a little, so no two pictures of a kind are the same."""
    margin = 18 + (variant * 7) % 14
    shift = (variant * 5) % 11 - 5
    box = (margin + shift, margin, SIDE - margin + shift, SIDE - margin)
    outline = (colour[0] // 2, colour[1] // 2, colour[2] // 2)
    return draw_shape(shape, colour, box, size=SIDE, background=(246, 244, 238), outline=outline)


def shapes_frame(per_kind: int = 4) -> tuple[pd.DataFrame, list[PreparedImage], np.ndarray]:
    """``per_kind`` pictures of every shape in every colour: the table (``caption``,
    ``shape``, ``colour``), the prepared images, and vectors of shape ``(n, 16)``."""
    rng = np.random.default_rng(7)
    shape_centres = rng.normal(size=(len(SHAPES), 16)) * 6
    colour_offsets = rng.normal(size=(len(COLOURS), 16)) * 2.5
    rows: list[dict[str, str]] = []
    images: list[PreparedImage] = []
    vectors: list[np.ndarray] = []
    for s, shape in enumerate(SHAPES):
        for c, (name, colour) in enumerate(COLOURS.items()):
            for variant in range(per_kind):
                number = len(rows)
                article = "an" if name[0] in "aeiou" else "a"
                caption = f"{article} {name} {shape}"
                rows.append({"caption": caption, "shape": shape, "colour": name})
                images.append(prepare_image(shape_png(shape, colour, variant), f"{number}.png"))
                vectors.append(shape_centres[s] + colour_offsets[c] + rng.normal(size=16) * 0.9)
    return pd.DataFrame(rows), images, np.asarray(vectors, dtype=np.float32)


def create_shapes_dataset(home: Path | None = None, per_kind: int = 4, name: str = "shapes") -> str:
    """Store the shapes (see :func:`shapes_frame`) as a shared dataset with its vectors, in
    the workspace at ``home`` (the environment's when ``None``); returns its id."""
    frame, images, vectors = shapes_frame(per_kind)
    store = Workspace(home) if home is not None else Workspace()
    info = store.create_dataset(frame, "caption", name, shared=True, vectors=vectors, images=images)
    return info.id
