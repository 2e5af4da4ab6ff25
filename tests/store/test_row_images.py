"""One row's image read alone: the working copy a page shows large comes from the row group
that holds it, and is that row's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from embedding_space.io.images import prepare_image
from embedding_space.store import images as stored_images
from embedding_space.store.workspace import Workspace
from tests.helpers import image_bytes


def test_each_rows_working_copy_is_its_own_across_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stored_images, "ROWS_A_GROUP", 4)
    prepared = [
        prepare_image(image_bytes((20 * index, 90, 200)), f"{index}.png") for index in range(10)
    ]
    store = Workspace(tmp_path)
    frame = pd.DataFrame({"file": [f"{index}.png" for index in range(10)]})
    dataset = store.create_dataset(frame, "file", "colours", images=prepared).id
    images = store.images(dataset)
    assert images is not None
    assert pq.ParquetFile(images.path).num_row_groups == 3
    assert [images.working_copy(row) for row in range(10)] == [p.working for p in prepared]
    for row in (-1, 10):
        with pytest.raises(IndexError):
            images.working_copy(row)
