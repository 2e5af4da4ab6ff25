"""A dataset's images are written and read back a group of rows at a time: rows that share an
image keep it once a group, on disk and in memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from embedding_space.errors import DamagedFileError
from embedding_space.io.images import prepare_image
from embedding_space.store.images import ROWS_A_GROUP, DatasetImages
from embedding_space.store.workspace import Workspace
from tests.image_files import noise_png, shape_image


def test_images_read_back_row_for_row_across_groups(tmp_path: Path) -> None:
    count = 2 * ROWS_A_GROUP + 3
    images = [
        prepare_image(shape_image("circle", "red", index), f"{index}.png") for index in range(count)
    ]
    store = Workspace(tmp_path)
    info = store.create_dataset(
        pd.DataFrame({"text": [f"row {index}" for index in range(count)]}),
        "text",
        "shapes",
        images=images,
    )
    stored = store.images(info.id)
    assert isinstance(stored, DatasetImages)
    assert stored.keys() == [image.key for image in images]
    assert stored.thumbnails() == [image.thumbnail for image in images]
    for row in (0, ROWS_A_GROUP - 1, ROWS_A_GROUP, count - 1):
        assert stored.working_copy(row) == images[row].working
    assert stored.working_copies() == {image.key: image.working for image in images}


def test_rows_that_name_one_image_store_it_once_a_group(tmp_path: Path) -> None:
    image = prepare_image(noise_png(), "noise.png")
    rows = 10_000
    store = Workspace(tmp_path)
    info = store.create_dataset(
        pd.DataFrame({"text": [f"row {index}" for index in range(rows)]}),
        "text",
        "one image",
        images=[image] * rows,
    )
    # A copy a row was 10,000 working copies; a copy a group of rows is 40.
    groups = -(-rows // ROWS_A_GROUP)
    assert (
        store.size_bytes(info.id)
        < (groups + 1) * (len(image.working) + len(image.thumbnail)) + 2**20
    )
    stored = store.images(info.id)
    assert stored is not None
    assert stored.working_copies() == {image.key: image.working}
    assert stored.working_copy(rows - 1) == image.working


def test_a_cut_or_missing_images_file_is_named_as_damaged(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    images = [prepare_image(shape_image("circle", "red", n), f"{n}.png") for n in range(3)]
    frame = pd.DataFrame({"file": [f"{n}.png" for n in range(3)]})
    dataset_id = store.create_dataset(frame, "file", "circles", images=images).id
    stored = store.images(dataset_id)
    assert stored is not None
    stored.path.write_bytes(stored.path.read_bytes()[:50])
    for read in (stored.thumbnails, lambda: stored.working_copy(0)):
        with pytest.raises(DamagedFileError, match=r"images\.parquet is damaged .*Remove the"):
            read()
    stored.path.unlink()
    with pytest.raises(DamagedFileError, match="it is missing"):
        stored.working_copy(0)
