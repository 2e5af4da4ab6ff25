"""Images in: zips of images (folders as labels, a table inside or beside), a Hugging Face
Parquet file, vectors with their images, and the zips and images that must be refused."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from embedding_space.errors import InputError
from embedding_space.io import (
    image_sets,
    parquet_holds_images,
    read_image_files,
    read_vector_files,
)
from embedding_space.io.budget import Deadline
from embedding_space.io.image_zips import MAX_IMAGES, MAX_ZIP_ENTRIES
from embedding_space.io.images import prepare_image
from tests import image_files as files
from tests.image_files import (
    labelled_zip,
    npy_bytes,
    shape_image,
    shape_rows,
    shape_vectors,
    zip_of,
)

ROWS = shape_rows(30)
ZIP = labelled_zip(30)


def _colour_at(webp: bytes, x: float, y: float) -> tuple[int, ...]:
    image = Image.open(io.BytesIO(webp)).convert("RGB")
    pixel = image.getpixel((int(x * (image.width - 1)), int(y * (image.height - 1))))
    assert isinstance(pixel, tuple)
    return pixel


def _near(colour: tuple[int, ...], wanted: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 30 for a, b in zip(colour, wanted, strict=True))


# -- what reads ---------------------------------------------------------------------------------


def test_a_zip_of_folders_gives_each_image_its_folders_label() -> None:
    loaded = read_image_files([("shapes.zip", ZIP)])
    assert loaded.source_format == "image-zip"
    assert len(loaded.images) == len(loaded.frame) == 30
    assert list(loaded.frame["image"]) == sorted(ROWS["file"])
    expected = dict(zip(ROWS["file"], ROWS["shape"], strict=True))
    assert list(loaded.frame["label"]) == [expected[path] for path in loaded.frame["image"]]
    # No caption: the file name is the text, and the Data page knows it is no caption.
    assert (loaded.text_column, loaded.has_captions) == ("image", False)
    assert loaded.skipped == []
    # Each row's image is its own: a red circle's thumbnail is red at its centre.
    first = ROWS.set_index("file").loc[loaded.frame["image"][0]]
    assert _near(_colour_at(loaded.images[0].thumbnail, 0.5, 0.5), files.COLOURS[first["colour"]])


def test_a_table_inside_the_zip_joins_its_rows_by_paths_relative_to_itself() -> None:
    table = ROWS.assign(
        file_name=[path.removeprefix("shapes/") for path in ROWS["file"]],
        caption=[
            f"a {c} {s} on a white background"
            for s, c in zip(ROWS["shape"], ROWS["colour"], strict=True)
        ],
    ).drop(columns="file")
    data = labelled_zip(
        30, extra={"shapes/metadata.jsonl": table.to_json(orient="records", lines=True).encode()}
    )
    loaded = read_image_files([("shapes.zip", data)])
    assert loaded.source_format == "image-zip+table"
    assert loaded.image_column == "file_name"
    # The table's order, its columns, the folder's label, and its caption as the text.
    assert list(loaded.frame["file_name"]) == list(table["file_name"])
    assert list(loaded.frame["colour"]) == list(table["colour"])
    assert list(loaded.frame["label"]) == list(table["shape"])
    assert (loaded.text_column, loaded.has_captions) == ("caption", True)


def test_a_table_beside_the_zip_matches_paths_as_written_then_normalised() -> None:
    paths = list(ROWS["file"])
    paths[1] = "./" + paths[1]
    paths[2] = paths[2].replace("/", "\\")
    paths[3] = paths[3].removeprefix("shapes/")  # below the folder every image is in
    paths[4] = "shapes/circle/missing.png"
    paths[5] = paths[5].upper()  # the case differs: not the same path
    table = ROWS.assign(file=paths)
    loaded = read_image_files([("labels.csv", table.to_csv(index=False).encode()), ("s.zip", ZIP)])
    assert loaded.source_format == "image-zip+table"
    assert len(loaded.frame) == 28
    assert list(loaded.frame["shape"]) == [
        s for i, s in enumerate(ROWS["shape"]) if i not in (4, 5)
    ]
    # Labels are the table's (shape, colour); no caption among them, so the path is the text.
    assert (loaded.text_column, loaded.has_captions) == ("file", False)
    assert loaded.skipped == [
        "2 rows of 'labels.csv' name images that are not in 's.zip': 'shapes/circle/missing.png' "
        f"and '{ROWS['file'][5].upper()}'; they were left out.",
        "2 images of 's.zip' are not named in 'labels.csv' and were left out: "
        f"'{ROWS['file'][4]}' and '{ROWS['file'][5]}'.",
    ]


def test_a_hugging_face_parquet_gives_its_images_and_its_label_names() -> None:
    loaded = read_image_files([("train.parquet", files.hugging_face_parquet(ROWS))])
    assert loaded.source_format == "image-parquet"
    assert loaded.image_column == "image"
    assert list(loaded.frame["image"]) == [f"{index:04d}.png" for index in range(30)]
    assert list(loaded.frame["shape"]) == list(ROWS["shape"]), "ClassLabel numbers become names"
    assert len(loaded.images) == 30


def test_a_parquet_of_plain_image_bytes_reads() -> None:
    frame = pd.DataFrame({"picture": [shape_image("square", "green", i) for i in range(4)]})
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    loaded = read_image_files([("pictures.parquet", buffer.getvalue())])
    assert list(loaded.frame["picture"]) == ["row 0", "row 1", "row 2", "row 3"]
    assert _near(_colour_at(loaded.images[0].working, 0.5, 0.5), files.COLOURS["green"])


def test_an_exif_rotated_jpeg_comes_out_upright_without_its_metadata() -> None:
    loaded = read_image_files([("photo.zip", zip_of({"photo.jpg": files.rotated_jpeg()}))])
    image = loaded.images[0]
    assert (image.width, image.height) == (30, 60)
    assert _near(_colour_at(image.working, 0.5, 0.2), files.COLOURS["red"])
    assert _near(_colour_at(image.working, 0.5, 0.8), files.COLOURS["blue"])
    for kept in (image.working, image.thumbnail):
        stored = Image.open(io.BytesIO(kept))
        assert stored.format == "WEBP"
        assert not stored.getexif() and "exif" not in stored.info
        assert b"secret place" not in kept


def test_a_damaged_file_and_files_that_are_no_images_are_left_out_and_named() -> None:
    extra = {
        "shapes/circle/broken.png": b"\x89PNG\r\n\x1a\n" + bytes(200),
        "shapes/readme.txt": b"made by hand",
        "__MACOSX/shapes/._0000.png": b"resource fork",
        "shapes/.DS_Store": b"finder",
    }
    loaded = read_image_files([("shapes.zip", labelled_zip(12, extra=extra))])
    assert len(loaded.frame) == 12
    assert loaded.skipped == [
        "1 file of 'shapes.zip' is not an image (JPEG, PNG, WebP or GIF) and was left out: "
        "'shapes/readme.txt'.",
        "1 image could not be read (damaged, or not really an image) and was left out: "
        "'shapes/circle/broken.png'.",
    ]


def test_many_files_left_out_are_named_a_few_then_counted() -> None:
    extra = {f"notes/{index}.txt": b"x" for index in range(7)}
    loaded = read_image_files([("shapes.zip", labelled_zip(3, extra=extra))])
    assert loaded.skipped == [
        "7 files of 'shapes.zip' are not images (JPEG, PNG, WebP or GIF) and were left out: "
        "'notes/0.txt', 'notes/1.txt', 'notes/2.txt' and 4 more."
    ]


# -- vectors with their images ------------------------------------------------------------------


def test_vectors_without_metadata_go_with_the_zips_images_in_path_order() -> None:
    ordered = ROWS.sort_values("file").reset_index(drop=True)
    vectors = shape_vectors(ordered)
    loaded = read_vector_files([("v.npy", npy_bytes(vectors)), ("shapes.zip", ZIP)])
    assert loaded.source_format == "npy+images"
    assert loaded.images is not None and len(loaded.images) == 30
    np.testing.assert_array_equal(loaded.vectors, vectors)
    assert list(loaded.frame["image"]) == list(ordered["file"])
    assert list(loaded.frame["label"]) == list(ordered["shape"])


def test_vectors_with_a_table_of_paths_take_each_rows_image() -> None:
    shuffled = ROWS.sample(frac=1, random_state=3).reset_index(drop=True)
    vectors = shape_vectors(shuffled)
    loaded = read_vector_files(
        [
            ("v.npy", npy_bytes(vectors)),
            ("meta.csv", shuffled.to_csv(index=False).encode()),
            ("shapes.zip", ZIP),
        ]
    )
    assert loaded.images is not None
    # Row i's image is the one its path names: same pixels as the folder read gives that path.
    plain = read_image_files([("shapes.zip", ZIP)])
    by_path = dict(zip(plain.frame["image"], plain.images, strict=True))
    assert [image.key for image in loaded.images] == [by_path[p].key for p in shuffled["file"]]


def test_projector_files_with_a_path_column_take_their_images() -> None:
    vectors = shape_vectors(ROWS)
    tsv = "".join("\t".join(f"{x:.5f}" for x in row) + "\n" for row in vectors).encode()
    metadata = ROWS.to_csv(sep="\t", index=False).encode()
    loaded = read_vector_files(
        [("vectors.tsv", tsv), ("metadata.tsv", metadata), ("shapes.zip", ZIP)]
    )
    assert loaded.source_format == "projector-tsv+images"
    assert loaded.images is not None and len(loaded.images) == 30


def test_a_parquet_of_vectors_and_images_reads_both() -> None:
    vectors = shape_vectors(ROWS)
    loaded = read_vector_files(
        [("train.parquet", files.hugging_face_parquet(ROWS, with_vectors=vectors))]
    )
    assert loaded.source_format == "column+images"
    assert loaded.images is not None and len(loaded.images) == 30
    np.testing.assert_allclose(loaded.vectors, vectors)
    assert list(loaded.frame["image"]) == [f"{index:04d}.png" for index in range(30)]


def test_vectors_and_images_that_do_not_match_one_to_one_are_refused() -> None:
    with pytest.raises(InputError, match=r"There are 31 vectors but 30 images in 'shapes.zip'"):
        read_vector_files(
            [("v.npy", npy_bytes(shape_vectors(shape_rows(31)))), ("shapes.zip", ZIP)]
        )
    table = ROWS.copy()
    table.loc[0, "file"] = "shapes/gone.png"
    with pytest.raises(
        InputError,
        match=r"1 rows of the metadata name images that are not in 'shapes.zip': "
        r"'shapes/gone.png'\. Vectors and images must match one to one",
    ):
        read_vector_files(
            [
                ("v.npy", npy_bytes(shape_vectors(ROWS))),
                ("meta.csv", table.to_csv(index=False).encode()),
                ("shapes.zip", ZIP),
            ]
        )
    broken = labelled_zip(2, extra={"shapes/z.png": b"\x89PNG\r\n\x1a\n" + bytes(50)})
    with pytest.raises(InputError, match=r"'shapes/z.png'.*must match one to one"):
        read_vector_files([("v.npy", npy_bytes(shape_vectors(shape_rows(3)))), ("s.zip", broken)])


# -- hostile zips and images --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sentence"),
    [
        ("../x.png", r"holds the entry '\.\./x\.png', a path that leads out of the folder"),
        ("/etc/x.png", r"holds the entry '/etc/x\.png', a path that leads out"),
        ("C:\\x.png", r"holds the entry 'C:\\x\.png', a path that leads out"),
        ("shapes\\x.png", r"holds the entry 'shapes\\x\.png', a path that leads out"),
        ("a/../../x.png", r"holds the entry 'a/\.\./\.\./x\.png', a path that leads out"),
    ],
)
def test_a_zip_with_a_path_out_of_its_folder_is_refused_naming_the_entry(
    name: str, sentence: str
) -> None:
    data = zip_of({"ok.png": shape_image("circle", "red"), name: shape_image("square", "red")})
    with pytest.raises(InputError, match=sentence):
        read_image_files([("bad.zip", data)])


@pytest.mark.parametrize(
    ("build", "sentence"),
    [
        (
            files.zip_bomb,
            r"'zeros\.png' in 'bad\.zip' would inflate [\d,]+ times, from \d+ KB to "
            r"30 MB; more than 100 times is the mark of a zip bomb",
        ),
        (files.symlink_zip, r"holds 'link\.png', a symbolic link; links are refused"),
        (files.encrypted_zip, r"'secret\.png' in 'bad\.zip' is encrypted"),
        (
            lambda: zip_of({"big.png": bytes(41 * 2**20)}, compression=zipfile.ZIP_STORED),
            r"'big\.png' in 'bad\.zip' would unpack to 41 MB; an image may hold 40 MB at most",
        ),
        (
            lambda: zip_of(
                {
                    "ok.png": shape_image("circle", "red"),
                    "bomb.png": files.pixel_bomb_png(),
                }
            ),
            r"'bomb\.png' declares 8,000 × 8,000 pixels; an image may have 40 megapixels "
            r"at most\. It may be a decompression bomb",
        ),
        (
            lambda: files.zip_of_empty_entries(MAX_IMAGES + 1),
            r"'bad\.zip' holds 10,001 images; at most 10,000 can be loaded at once",
        ),
        (
            lambda: files.zip_of_empty_entries(MAX_ZIP_ENTRIES + 1, ".txt"),
            r"'bad\.zip' lists more than 50,000 files",
        ),
        (lambda: b"PK\x03\x04 not really a zip", r"'bad\.zip' could not be read as a zip"),
        (lambda: zip_of({"readme.txt": b"hello"}), r"'bad\.zip' holds no images"),
    ],
    ids=[
        "ratio",
        "symlink",
        "encrypted",
        "member-size",
        "pixel-bomb",
        "too-many-images",
        "too-many-entries",
        "not-a-zip",
        "no-images",
    ],
)
def test_a_hostile_zip_is_refused_with_its_sentence(
    build: Callable[[], bytes], sentence: str
) -> None:
    with pytest.raises(InputError, match=sentence):
        read_image_files([("bad.zip", build())])


def test_a_zip_of_only_damaged_images_is_refused() -> None:
    data = zip_of({"a.png": b"\x89PNG\r\n\x1a\n" + bytes(64), "b.jpg": b"not a jpeg"})
    with pytest.raises(
        InputError, match=r"No image of 'bad\.zip' could be read\. 2 images could not"
    ):
        read_image_files([("bad.zip", data)])


class _UpAfter(Deadline):
    """A budget that is up after a number of looks at it."""

    def __init__(self, looks: int) -> None:
        super().__init__()
        self.looks = looks

    def check(self, doing: str) -> None:
        self.looks -= 1
        if self.looks < 0:
            raise InputError(f"Time is up ({doing}).")


def test_the_budget_is_looked_at_before_each_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_sets, "image_deadline", lambda: _UpAfter(5))
    first_six = sorted(ROWS["file"])[:6]
    with pytest.raises(InputError, match=rf"Time is up \(unpacking '{first_six[5]}'\)"):
        read_image_files([("shapes.zip", ZIP)])


def test_files_that_are_no_set_of_images_are_refused() -> None:
    with pytest.raises(InputError, match=r"not a known set of images"):
        read_image_files([("a.zip", ZIP), ("b.zip", ZIP)])
    with pytest.raises(InputError, match=r"'notes\.txt' is not a table"):
        read_image_files([("a.zip", ZIP), ("notes.txt", b"hello")])
    table = pd.DataFrame({"name": ["x", "y"], "n": [1, 2]}).to_csv(index=False).encode()
    with pytest.raises(InputError, match=r"No column of 'labels\.csv' names the images"):
        read_image_files([("a.zip", ZIP), ("labels.csv", table)])


def test_a_parquet_says_whether_it_holds_images_before_it_is_read() -> None:
    texts = io.BytesIO()
    pd.DataFrame({"text": ["a", "b"], "blob": [b"\x00\x01", b"\x02"]}).to_parquet(texts)
    plain = io.BytesIO()
    pd.DataFrame({"picture": [shape_image("circle", "red")]}).to_parquet(plain)
    assert parquet_holds_images(files.hugging_face_parquet(ROWS.head(2)))
    assert parquet_holds_images(plain.getvalue())
    assert not parquet_holds_images(texts.getvalue())
    assert not parquet_holds_images(b"not parquet")


def test_a_path_the_zip_lists_twice_is_read_once_and_said() -> None:
    first, second = shape_image("circle", "red"), shape_image("square", "blue")
    loaded = read_image_files([("twice.zip", zip_of([("a.png", first), ("a.png", second)]))])
    assert len(loaded.images) == 1
    assert _near(_colour_at(loaded.images[0].working, 0.5, 0.5), files.COLOURS["red"])
    assert loaded.skipped == [
        "'a.png' appears more than once in 'twice.zip'; the first copy was read."
    ]


def test_image_files_given_loose_are_read_as_one_zip_of_them() -> None:
    loose = [(f"{n}.png", files.shape_image("square", "blue", n)) for n in range(3)]
    loose.append(("0.png", files.shape_image("circle", "red", 9)))  # the same name twice
    loaded = read_image_files(loose)
    assert len(loaded.images) == 4 and loaded.frame[loaded.image_column].nunique() == 4
    with pytest.raises(InputError, match="in one zip, or as image files, not both"):
        read_image_files([*loose, ("more.zip", files.labelled_zip(3))])


def test_a_webp_past_16_megapixels_is_refused_before_it_is_decoded() -> None:
    out = io.BytesIO()
    Image.new("RGB", (5_000, 4_000), (10, 200, 30)).save(out, "WEBP", quality=10)
    with pytest.raises(InputError, match="a WebP image may have 16 megapixels at most"):
        prepare_image(out.getvalue(), "wide.webp")
    # The same pixels as a PNG are within the limit of other formats.
    png = io.BytesIO()
    Image.new("RGB", (5_000, 4_000), (10, 200, 30)).save(png, "PNG")
    assert prepare_image(png.getvalue(), "wide.png").width == 5_000
