"""Images on the Data page through AppTest: a zip with its vectors, a zip a CLIP model embeds,
a zip a text model cannot, and a hostile zip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from components import cached, routes, state
from embedding_space.embed.images import CLIP_HINT, IMAGES_SUFFIX
from embedding_space.io.images import prepare_image
from embedding_space.store.workspace import Workspace
from tests import image_files as files
from tests.helpers import new_app

ROWS = files.shape_rows(24)
ZIP = files.labelled_zip(24)


def _data_page(**session: object) -> AppTest:
    app = new_app()
    for key, value in session.items():
        app.session_state[key] = value
    app.run()
    app.switch_page(routes.DATA.path).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _markdown(app: AppTest) -> str:
    return " ".join(block.value for block in app.markdown).replace("\\", "")


def _messages(elements: object) -> list[str]:
    return [element.value.replace("\\", "") for element in elements]  # type: ignore[attr-defined]


def _thumbnail_column(app: AppTest) -> list[str]:
    shown = next(frame.value for frame in app.dataframe if "thumbnail" in frame.value.columns)
    return [str(value) for value in shown["thumbnail"]]


def test_a_labelled_zip_with_its_vectors_becomes_a_dataset_with_thumbnails() -> None:
    app = _data_page()
    ordered = ROWS.sort_values("file").reset_index(drop=True)
    vectors = files.shape_vectors(ordered)
    app.file_uploader(key="vector_files").set_value(
        [
            ("vectors.npy", files.npy_bytes(vectors), "application/octet-stream"),
            ("shapes.zip", ZIP, "application/zip"),
        ]
    ).run()
    assert not app.exception
    assert "Read **24 vectors** of 16 dimensions (npy+images)" in _markdown(app)
    previews = _thumbnail_column(app)
    assert len(previews) == 24 and all(p.startswith("data:image/webp;base64,") for p in previews)
    next(b for b in app.button if b.label == "Explore these vectors").click().run()
    assert not app.exception
    dataset_id = app.session_state[state.DATASET_ID]
    store = Workspace()
    info = store.get(dataset_id)
    assert info.images and info.rows == 24
    assert list(store.load_table(dataset_id)["label"]) == list(ordered["shape"])
    np.testing.assert_array_equal(store.space(dataset_id, str(info.vectors_model)).vectors, vectors)
    thumbnails = cached.thumbnails(dataset_id)
    assert thumbnails is not None and thumbnails[0] == previews[0]


def test_adding_rows_to_a_dataset_of_images_is_declined_before_any_upload() -> None:
    images = [prepare_image(files.shape_image("circle", "red", n), f"{n}.png") for n in range(3)]
    frame = pd.DataFrame({"file": [f"{n}.png" for n in range(3)]})
    dataset_id = Workspace().create_dataset(frame, "file", "three circles", images=images).id
    app = _data_page(**{state.DATASET_ID: dataset_id})
    said = " ".join(_messages(app.info))
    assert "is a dataset of images; rows cannot be added to it yet" in said
    uploaders = [uploader.proto.label for uploader in app.get("file_uploader")]
    assert "A file of more rows" not in uploaders and "Vectors and metadata" in uploaders


def test_a_clip_model_typed_in_the_sidebar_embeds_the_images_of_a_zip(tiny_clip: Path) -> None:
    # As typing the folder in the sidebar's model box files it (see test_app_preview).
    app = _data_page(**{state.MODEL_REQUEST: str(tiny_clip)})
    assert app.session_state[state.MODEL_NAME] == str(tiny_clip)
    app.file_uploader[0].upload("shapes.zip", ZIP, "application/zip").run()
    assert not app.exception
    assert "Read **24 images** from shapes.zip" in _markdown(app)
    assert any("reads images: the images themselves" in c for c in _messages(app.caption))
    next(b for b in app.button if b.label == "Embed the images and explore").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    dataset_id = app.session_state[state.DATASET_ID]
    store = Workspace()
    assert store.get(dataset_id).images
    keys = store.embedded_models(dataset_id)
    assert [key for key in keys if key.endswith(IMAGES_SUFFIX)], keys


def test_a_text_model_and_images_without_captions_get_the_clip_hint_and_nothing_is_stored() -> None:
    app = _data_page()
    before = app.session_state[state.DATASET_ID]
    datasets = len(Workspace().list_datasets(None))
    app.file_uploader[0].upload("shapes.zip", ZIP, "application/zip").run()
    assert not app.exception
    warnings = _messages(app.warning)
    assert any("reads texts only" in w and CLIP_HINT.split(" (")[0] in w for w in warnings)
    assert not [b for b in app.button if b.label.startswith("Embed the")]
    assert app.session_state[state.DATASET_ID] == before
    assert len(Workspace().list_datasets(None)) == datasets


def test_a_text_model_embeds_the_captions_of_images_and_says_so() -> None:
    table = ROWS.assign(
        caption=[
            f"a {c} {s} drawn on white paper"
            for s, c in zip(ROWS["shape"], ROWS["colour"], strict=True)
        ]
    )
    app = _data_page()
    app.file_uploader[0].upload("shapes.zip", ZIP, "application/zip")
    app.file_uploader[0].upload("labels.csv", table.to_csv(index=False).encode(), "text/csv")
    app.run()
    assert not app.exception
    assert "with captions in “caption”" in _markdown(app)
    assert any("reads texts only, so the captions" in i for i in _messages(app.info))
    next(b for b in app.button if b.label == "Embed the captions and explore").click().run()
    assert not app.exception
    dataset_id = app.session_state[state.DATASET_ID]
    info = Workspace().get(dataset_id)
    assert (info.images, info.text_column, info.rows) == (True, "caption", 24)


def test_a_hostile_zip_shows_its_sentence_and_the_open_dataset_stays() -> None:
    app = _data_page()
    before = app.session_state[state.DATASET_ID]
    bad = files.zip_of({"ok.png": files.shape_image("circle", "red"), "../../x.png": b"x"})
    app.file_uploader[0].upload("evil.zip", bad, "application/zip").run()
    assert not app.exception
    errors = _messages(app.error)
    assert any(
        e.startswith(
            "'evil.zip' holds the entry '../../x.png', a path that leads out of the folder"
        )
        for e in errors
    ), errors
    assert any("Nothing was added" in c for c in _messages(app.caption))
    assert app.session_state[state.DATASET_ID] == before
    assert app.text_area[0].label == "Texts, one per line", "the Paste tab is still there"


def test_a_parquet_of_images_is_told_from_a_parquet_of_texts() -> None:
    app = _data_page()
    app.file_uploader[0].upload("train.parquet", files.hugging_face_parquet(ROWS)).run()
    assert not app.exception
    assert "Read **24 images** from train.parquet" in _markdown(app)
    assert len(_thumbnail_column(app)) == 24
