"""A dataset of images in the app, by model: a CLIP model places its rows by their images and
a typed text finds images; a text model says it reads the texts only, and what to do instead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from components import routes, state
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
    assert "embeds them; a typed text finds images" in _captions(app)
    clip = load_model(model)
    stored = Workspace().embedded_models(image_dataset)
    assert clip.cache_key + IMAGES_SUFFIX in stored
    figure = plotly_figure(app)
    shown = {int(row) for trace in figure["data"] for row in plotly_values(trace["customdata"])}
    assert shown == set(range(len(COLOURS)))
    card = next(code.value for code in app.code if code.value.startswith("Data:"))
    assert "Embedded: each row's image" in card and "Texts longer" not in card


def test_a_text_model_says_it_reads_the_texts_and_how_to_map_images(image_dataset: str) -> None:
    app = open_app(image_dataset)
    said = _captions(app)
    assert (
        "reads texts only, so the rows are placed by their text (“file”), not by their images"
        in said
    )
    note = next(c for c in app.sidebar.caption if "reads texts only" in c.value)
    assert "clip-ViT-B-32" in note.help


def test_a_typed_sentence_finds_images_and_dropped_texts_land_on_their_map(
    image_dataset: str, tiny_clip: Path
) -> None:
    model = str(tiny_clip)
    app = open_app(
        image_dataset, routes.NEIGHBORS.path, **{state.MODEL_NAME: model, state.MODEL_INPUT: model}
    )
    next(box for box in app.text_input if box.label == "Sentence").set_value("a red square").run()
    assert not app.exception and not app.error
    clip = load_model(model)
    key = clip.cache_key + IMAGES_SUFFIX
    vectors = Workspace().space(image_dataset, key).vectors
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # bf16: near unit length
    scores = unit @ clip.encode(["a red square"])[0]
    listed = app.dataframe[0].value["row"].tolist()
    # Nearest first: the listed images' cosines to the sentence are the highest, in order
    # (four copies of each colour tie, so scores rather than row ids are compared).
    assert scores[listed[:4]] == pytest.approx(np.sort(scores)[::-1][:4], abs=1e-5)
    next(s for s in app.selectbox if s.label == "Search by").set_value(
        "texts to drop on the map"
    ).run()
    box = next(t for t in app.text_area if t.label == "Texts, one per line")
    box.set_value("a red square\na blue square").run()
    stars = [t for t in plotly_figure(app)["data"] if t.get("name") == "dropped"]
    assert sum(len(t["x"]) for t in stars if t.get("mode") == "markers") == 2
