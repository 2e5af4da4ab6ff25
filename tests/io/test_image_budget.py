"""Hostile uploads of images (the attack on issue 23) cost the reader little.

Each is read in a fresh process, as an upload is read, and gives its sentence (or its rows)
while the process's peak memory grows by less than a stated bound; before these were refused
inside the readers, each cost a gigabyte or more, or minutes of one core.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from embedding_space.errors import InputError
from embedding_space.io.image_sets import read_image_files
from embedding_space.io.image_zips import MAX_IMAGES
from embedding_space.io.tables import read_table
from embedding_space.io.vector_sets import read_vector_files
from tests import image_files as files

ROOT = Path(__file__).resolve().parents[2]
BOUND = 300 * 2**20
"""Peak memory growth a hostile upload may cost in these tests (each cost 1 GB or more)."""

_READ = """
import json, os, sys
from embedding_space.errors import InputError
from embedding_space.io.budget import resident_bytes
from embedding_space.io.image_sets import holds_images, read_image_files
from embedding_space.io.vector_sets import read_vector_files
how, paths = sys.argv[1], sys.argv[2:]
given = [(os.path.basename(path), open(path, "rb").read()) for path in paths]
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak resident memory (VmHWM) starts again from now
base = resident_bytes()
try:
    if how == "holds":
        outcome = f"holds images: {holds_images(*given[0])}"
    elif how == "store":
        from embedding_space.store.workspace import Workspace

        loaded = read_image_files(given)
        info = Workspace(os.path.dirname(paths[0])).create_dataset(
            loaded.frame, loaded.text_column, "stored", images=loaded.images
        )
        outcome = f"stored {info.rows:,} rows"
    elif how == "table":
        from embedding_space.io.tables import read_table

        outcome = f"read {len(read_table(given[0][1], file_name=given[0][0]).frame):,} rows"
    elif how == "vectors":
        outcome = f"read {len(read_vector_files(given).vectors):,} vectors"
    else:
        outcome = f"read {len(read_image_files(given).images):,} images"
except InputError as error:
    outcome = str(error)
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
print(json.dumps({"outcome": outcome, "growth": peak - base}))
"""


def read_in_fresh_process(
    given: list[tuple[str, bytes]], folder: Path, how: str = "images"
) -> tuple[str, int]:
    """Read ``given`` (file name, bytes) in a new interpreter, as ``how`` says: ``"images"``
    (the Data page's upload), ``"vectors"`` (with vectors), ``"holds"`` (whether a file is
    read as images), ``"table"`` (the first file read as a table of texts) or ``"store"``
    (read as images and stored as a dataset in ``folder``).

    Returns:
        What came of it (the refusal's sentence, or how much was read) and the process's
        peak memory growth during the read, in bytes (Linux's peak resident memory, VmHWM,
        set back to the memory before the read).
    """
    paths = []
    for name, data in given:
        path = folder / name
        path.write_bytes(data)
        paths.append(str(path))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _READ, how, *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return str(result["outcome"]), int(result["growth"])


def test_a_zip_whose_directory_understates_its_entries_is_read_by_the_sizes_it_declares(
    tmp_path: Path,
) -> None:
    # Three entries declare 10 bytes and inflate to 300 MB each: read() inflated it all.
    bomb = files.zip_lying_about_sizes(megabytes=300, count=3)
    outcome, growth = read_in_fresh_process([("lies.zip", bomb)], tmp_path)
    assert outcome.startswith("No image of 'lies.zip' could be read. 3 images could not be read")
    assert growth < BOUND


def test_a_zip_of_a_bzip2_entry_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    outcome, growth = read_in_fresh_process([("packed.zip", files.bzip2_zip())], tmp_path)
    assert outcome == (
        "'packed.zip' holds 'zeros.png' compressed with bzip2, which can hide a zip bomb, so "
        "it is refused. Save it again with a standard tool (deflate)."
    )
    assert growth < BOUND


@pytest.mark.parametrize("suffix", [".xlsx", ".npz"])
def test_a_workbook_or_npz_with_a_bzip2_part_is_refused(suffix: str) -> None:
    with pytest.raises(InputError, match=r"compressed with bzip2, which can hide a zip bomb"):
        if suffix == ".xlsx":
            read_table(files.bzip2_zip(), file_name="book.xlsx")
        else:
            read_vector_files([("vectors.npz", files.bzip2_zip())])


def test_a_jpeg_of_a_thousand_scans_is_refused_before_it_is_decoded() -> None:
    bomb = files.zip_of(
        {"ok.png": files.shape_image("circle", "red"), "scans.jpg": files.jpeg_of_many_scans()}
    )
    with pytest.raises(InputError) as refused:
        read_image_files([("scans.zip", bomb)])
    assert str(refused.value) == (
        "'scans.jpg' is a JPEG of 1,006 scans; a JPEG may have 100 at most (cameras write about "
        "ten), since each takes as long to decode as the whole image. Save it again as an "
        "ordinary JPEG."
    )
    # An ordinary progressive JPEG (six scans here) reads.
    plain = files.zip_of({"plain.jpg": files.jpeg_of_many_scans(side=64, scans=0)})
    assert len(read_image_files([("plain.zip", plain)]).images) == 1


def test_a_table_naming_one_image_more_times_than_the_limit_is_refused() -> None:
    one = files.zip_of({"a.png": files.shape_image("circle", "red")})
    table = files.table_naming_one_image(MAX_IMAGES + 1)
    with pytest.raises(InputError) as refused:
        read_image_files([("one.zip", one), ("rows.csv", table)])
    assert str(refused.value) == (
        "10,001 rows of 'rows.csv' name an image; at most 10,000 rows of images can be loaded "
        "at once. Save a sample of the rows."
    )
    vectors = files.npy_bytes(np.zeros((MAX_IMAGES + 1, 2), np.float32))
    with pytest.raises(InputError) as refused:
        read_vector_files([("v.npy", vectors), ("rows.csv", table), ("one.zip", one)])
    assert str(refused.value) == (
        "There are 10,001 vectors; at most 10,000 rows of images can be loaded at once. Save a "
        "sample of the rows, with their images."
    )
    # As many rows as the limit read, however many name the same image.
    loaded = read_image_files([("one.zip", one), ("rows.csv", files.table_naming_one_image(50))])
    assert len(loaded.images) == len(loaded.frame) == 50


def test_rows_that_name_one_image_are_stored_without_a_copy_a_row(tmp_path: Path) -> None:
    # 10,000 rows naming one image of noise (a 100 KB working copy) took 2.5 GB to store.
    one = files.zip_of({"a.png": files.noise_png()})
    table = files.table_naming_one_image(MAX_IMAGES)
    outcome, growth = read_in_fresh_process(
        [("one.zip", one), ("rows.csv", table)], tmp_path, "store"
    )
    assert outcome == "stored 10,000 rows"
    assert growth < BOUND


def test_a_parquet_too_large_to_read_is_not_opened_to_tell_whether_it_holds_images(
    tmp_path: Path,
) -> None:
    given = [("blob.parquet", files.parquet_of_one_huge_image_value())]
    outcome, growth = read_in_fresh_process(given, tmp_path, "holds")
    assert (outcome, growth < BOUND) == ("holds images: False", True)
    # The table reader then refuses it from its footer, with its sentence.
    with pytest.raises(InputError, match=r"The file's data takes 300 MB once uncompressed"):
        read_table(given[0][1], file_name="blob.parquet")


def test_a_large_image_is_held_once_or_twice_in_full_while_it_is_made_small(
    tmp_path: Path,
) -> None:
    # 40 megapixels of RGB are 160 MB decoded; copy after copy took 620 MB, now 160 MB.
    big = files.zip_of({"big.png": files.png_of_many_pixels()})
    outcome, growth = read_in_fresh_process([("big.zip", big)], tmp_path)
    assert outcome == "read 1 images"
    assert growth < BOUND


def test_images_of_every_mode_are_made_rgb_transparency_on_white() -> None:
    made = files.images_in_every_mode()
    loaded = read_image_files([("modes.zip", files.zip_of(made))])
    assert loaded.skipped == []
    transparent = {"grey-alpha.png", "palette.png", "rgba16.png", "palette.gif", "alpha.webp"}
    for path, image in zip(loaded.frame["image"], loaded.images, strict=True):
        for rendition in (image.working, image.thumbnail):
            shown = Image.open(io.BytesIO(rendition))
            assert (shown.format, shown.mode) == ("WEBP", "RGB")
            centre = shown.getpixel((shown.width // 2, shown.height // 2))
            assert isinstance(centre, tuple)
            wanted = 255 if path in transparent else 0
            assert all(abs(value - wanted) <= 12 for value in centre), (path, centre)
        assert (image.width, image.height) == ((40, 40) if "16" in path else (40, 30))


def test_a_parquet_of_images_near_the_size_limit_is_read_not_refused_for_memory(
    tmp_path: Path,
) -> None:
    # Arrow kept 750 MB it had freed after reading the pages, which the read's budget counted
    # as its own: 190 MB of images was refused as taking more than 800 MB.
    given = [("photos.parquet", files.parquet_of_padded_images())]
    outcome, growth = read_in_fresh_process(given, tmp_path)
    assert outcome == "read 1,000 images"
    assert growth < 1_100 * 2**20  # Arrow's read peaks at about 4.5 times the data's bytes


def test_a_workbook_whose_part_inflates_past_its_declared_size_is_refused(
    tmp_path: Path,
) -> None:
    # openpyxl reads [Content_Types].xml with ZipFile.read: 300 MB of zeros took 600 MB.
    given = [("book.xlsx", files.xlsx_whose_part_inflates_past_its_size())]
    outcome, growth = read_in_fresh_process(given, tmp_path, "table")
    assert outcome == (
        "The workbook's part '[Content_Types].xml' holds more data than the workbook says it "
        "does, the mark of a zip bomb, so it is refused. Save the workbook again from Excel, or "
        "save it as .csv."
    )
    assert growth < BOUND
