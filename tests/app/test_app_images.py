"""A dataset of images in the app: a CLIP model places its rows by their images and a typed
text finds images; a text model says it reads the texts only, and what to do instead."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from components import state
from embedding_space.embed.images import IMAGES_SUFFIX
from embedding_space.embed.models import load_model
from embedding_space.io.images import prepare_image
from embedding_space.store.workspace import Workspace
from tests.helpers import image_bytes, open_app, plotly_figure, plotly_values

COLOURS = [(220, 30, 30), (30, 200, 40), (30, 40, 220), (240, 220, 20), (200, 40, 200)] * 4


@pytest.fixture(scope="module")
def image_dataset() -> str:
    images = [prepare_image(image_bytes(colour), f"{n}.png") for n, colour in enumerate(COLOURS)]
    frame = pd.DataFrame({"file": [f"{n}.png" for n in range(len(COLOURS))]})
    return Workspace().create_dataset(frame, "file", "colour squares", images=images).id


def _captions(app: object) -> str:
    return " ".join(caption.value for caption in app.sidebar.caption)  # type: ignore[attr-defined]


def test_a_clip_model_maps_the_images_and_says_so(image_dataset: str, tiny_clip: Path) -> None:
    model = str(tiny_clip)
    app = open_app(image_dataset, **{state.MODEL_NAME: model, state.MODEL_INPUT: model})
    assert "embeds this dataset's images; a typed text finds images" in _captions(app)
    clip = load_model(model)
    stored = Workspace().embedded_models(image_dataset)
    assert clip.cache_key + IMAGES_SUFFIX in stored
    figure = plotly_figure(app)
    shown = {int(row) for trace in figure["data"] for row in plotly_values(trace["customdata"])}
    assert shown == set(range(len(COLOURS)))


def test_a_text_model_says_it_reads_the_texts_and_how_to_map_images(image_dataset: str) -> None:
    app = open_app(image_dataset)
    said = _captions(app)
    assert (
        "reads texts only: the rows are placed by their text (“file”), not by their images" in said
    )
    note = next(c for c in app.sidebar.caption if "reads texts only" in c.value)
    assert "clip-ViT-B-32" in note.help
