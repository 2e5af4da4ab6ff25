"""Images into one space with texts: a CLIP model built here embeds a dataset's images, typed
texts land in the same space, and the cache and keys keep images and texts apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL.Image import Image

from embedding_space.embed import Embedder, ModelIdentity, SentenceEmbedder, embed, load_embedder
from embedding_space.embed.images import IMAGES_SUFFIX, ImageEmbedder, embedding_key, reads_images
from embedding_space.embed.models import load_model
from embedding_space.errors import InputError
from embedding_space.io.images import prepare_image
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix
from tests.helpers import image_bytes

COLOURS = [(220, 30, 30), (30, 200, 40), (30, 40, 220), (240, 220, 20), (120, 120, 120)]


def _image_dataset(store: Workspace) -> str:
    images = [
        prepare_image(image_bytes(colour), f"{index}.png") for index, colour in enumerate(COLOURS)
    ]
    frame = pd.DataFrame({"file": [f"{index}.png" for index in range(len(COLOURS))]})
    return store.create_dataset(frame, "file", "colours", images=images).id


def test_a_clip_model_says_it_reads_images_and_a_text_model_does_not(
    tiny_clip: Path, embedder: Embedder
) -> None:
    clip = load_model(str(tiny_clip))
    assert reads_images(clip)
    assert ModelIdentity.of(clip).reads_images
    assert not reads_images(embedder)
    with pytest.raises(InputError, match=r"does not read images.*clip-ViT-B-32"):
        ImageEmbedder(embedder, dict)


def test_a_dataset_of_images_is_embedded_from_its_images_in_one_space_with_texts(
    tmp_path: Path, tiny_clip: Path
) -> None:
    store = Workspace(tmp_path)
    dataset = _image_dataset(store)
    clip = load_embedder(str(tiny_clip))
    vectors = store.embeddings(dataset, clip)
    assert vectors.shape == (len(COLOURS), clip.dimension)
    # The vectors are the images', not the file names': embedding the names gives others.
    names = embed([f"{index}.png" for index in range(len(COLOURS))], clip).vectors
    assert not np.allclose(vectors, names, atol=1e-3)
    key = store.model_key(dataset, lambda: ModelIdentity.of(clip))
    assert key == clip.cache_key + IMAGES_SUFFIX
    space = store.space(dataset, key)
    assert space.has_vectors()
    # A typed text is embedded by the same model's text side, into the same space: the search
    # ranks every image by its cosine to the text's vector.
    query = clip.encode(["a red square"])[0]
    found = space.search("a red square", "semantic", k=len(COLOURS))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # bf16: near unit length
    expected = np.argsort(-(unit @ query))
    assert [match.row for match in found] == expected.tolist()


def test_images_are_cached_by_their_pixels(tmp_path: Path, tiny_clip: Path) -> None:
    store = Workspace(tmp_path)
    first, second = _image_dataset(store), _image_dataset(store)
    model = load_embedder(str(tiny_clip))
    assert isinstance(model, SentenceEmbedder)
    counted: list[int] = []
    original = model.encode_images

    def counting(images: Sequence[Image]) -> FloatMatrix:
        counted.append(len(images))
        return original(images)

    model.encode_images = counting  # type: ignore[method-assign]
    first_vectors = store.embeddings(first, model)
    assert sum(counted) == len(COLOURS)
    # The same pixels in another dataset come from the cache: no image reaches the model.
    again = store.embeddings(second, model)
    assert sum(counted) == len(COLOURS)
    assert np.allclose(again, first_vectors)
    assert (
        embedding_key(ModelIdentity("k", None, True), dataset_has_images=True)
        == "k" + IMAGES_SUFFIX
    )
    assert embedding_key(ModelIdentity("k", None, True), dataset_has_images=False) == "k"


def test_a_text_model_embeds_the_texts_of_a_dataset_of_images(
    tmp_path: Path, embedder: Embedder
) -> None:
    store = Workspace(tmp_path)
    dataset = _image_dataset(store)
    assert store.model_key(dataset, lambda: ModelIdentity.of(embedder)) == embedder.cache_key
    vectors = store.embeddings(dataset, embedder)
    assert np.allclose(vectors[0], embedder.encode(["0.png"])[0], atol=1e-5)


def test_rows_cannot_be_added_to_a_dataset_of_images(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    dataset = _image_dataset(store)
    with pytest.raises(InputError, match="is a dataset of images; rows cannot be added"):
        store.add_batch(dataset, pd.DataFrame({"file": ["new.png"]}))
    assert store.get(dataset).rows == len(COLOURS)
