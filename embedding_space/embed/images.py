"""Images into the space of a model that reads them (a CLIP model), beside its texts.

A sentence-transformers CLIP model (``clip-ViT-B-32`` and the like) embeds an image and a text
into one space. :class:`ImageEmbedder` lets the loop that embeds texts embed a dataset's images
too: its inputs are the images' keys (see
:attr:`~embedding_space.io.images.PreparedImage.key`), so the per-text cache keeps each image's
vector by the hash of its pixels and an interrupted run resumes; its cache key is the model's
with :data:`IMAGES_SUFFIX`, so the vectors of a dataset's images and of its texts never mix.
Typed texts (a search, a text dropped onto the map) go through the model itself, into the same
space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from embedding_space.embed.base import Embedder, ModelIdentity, reads_images
from embedding_space.errors import InputError
from embedding_space.io.images import open_working_copy
from embedding_space.types import FloatMatrix

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "CLIP_HINT",
    "IMAGES_SUFFIX",
    "ImageEmbedder",
    "ImageReader",
    "check_images_embeddable",
    "embedding_key",
    "reads_images",
]

IMAGES_SUFFIX = "|images"
"""Ends the cache key of vectors made from images (the model's key before it)."""
CLIP_HINT = (
    "To embed the images themselves, choose a CLIP model such as clip-ViT-B-32 in the sidebar "
    "(sentence-transformers downloads it once, about 600 MB, on a machine that reaches "
    "huggingface.co), or copy a saved CLIP model's folder to this machine and enter its path. "
    "Or bring vectors made elsewhere, with the images beside them, in the Data page's "
    "“Bring your own vectors” tab."
)
"""What to do when no model on the machine reads images."""


class ImageReader(Protocol):
    """An embedder whose model reads images as well as texts (``reads_images`` true)."""

    @property
    def reads_images(self) -> bool: ...

    def encode_images(self, images: Sequence[Image]) -> FloatMatrix:
        """Embed one batch of images: ``n`` images in, an ``(n, d)`` float32 array out."""
        ...


def check_images_embeddable(model: str, model_reads_images: bool, has_captions: bool) -> None:
    """Refuse images a model can embed neither as images nor by their captions.

    Args:
        model: The model's name, for the message.
        model_reads_images: Whether it reads images (see :func:`reads_images`).
        has_captions: Whether the images came with captions, a text model's way in.

    Raises:
        InputError: A text model, and no captions; the sentence says what to do.
    """
    if not model_reads_images and not has_captions:
        raise InputError(
            f"{model} reads texts only, and these images have no captions to embed instead, "
            f"so they cannot be added with it. {CLIP_HINT}"
        )


def embedding_key(identity: ModelIdentity, dataset_has_images: bool) -> str:
    """The key of the vectors a model gives a dataset: its images' when it has images and
    the model reads them, else its texts'."""
    if dataset_has_images and identity.reads_images:
        return identity.cache_key + IMAGES_SUFFIX
    return identity.cache_key


class ImageEmbedder:
    """A model that reads images, embedding a dataset's images by their keys.

    Args:
        model: The loaded model (:func:`reads_images` true).
        working_copies: Reads the dataset's working copies, by key; called on the first batch
            that is not in the cache, so a run whose images are all cached never decodes one.

    Raises:
        InputError: The model does not read images.
    """

    fitted_on_corpus = False
    max_seq_length = None  # an image is read whole (at the model's resolution)
    unit = "images"

    def __init__(self, model: Embedder, working_copies: Callable[[], dict[str, bytes]]) -> None:
        if not reads_images(model):
            raise InputError(f"{model.name} does not read images. {CLIP_HINT}")
        self.model = model
        self.name = model.name
        self._working_copies = working_copies
        self._copies: dict[str, bytes] | None = None

    @property
    def dimension(self) -> int:
        """The model's vector length."""
        return self.model.dimension

    @property
    def cache_key(self) -> str:
        """The model's key with :data:`IMAGES_SUFFIX`."""
        return self.model.cache_key + IMAGES_SUFFIX

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed the images with these keys (one batch, no cache).

        Raises:
            InputError: A key the dataset has no image for.
        """
        if self._copies is None:
            self._copies = self._working_copies()
        missing = [key for key in texts if key not in self._copies]
        if missing:
            raise InputError(f"The dataset has no image {missing[0]!r}.")
        images = [open_working_copy(self._copies[key]) for key in texts]
        reader: ImageReader = self.model  # type: ignore[assignment]
        return np.ascontiguousarray(reader.encode_images(images), dtype=np.float32)

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Images are never cut: 0."""
        return 0
