"""A sentence-transformers BERT model run in NumPy: the few texts a command embeds (a query, an
expression's terms) without importing torch, transformers and sentence-transformers.

Those imports cost 10-15 s on this machine; NumPy, ``tokenizers`` and ``safetensors`` load in
well under a second, and a forward pass of a few short texts through a 6-layer model takes
milliseconds. :func:`load_light` reads a model folder whose modules are exactly a BERT
``Transformer``, mean ``Pooling`` and ``Normalize`` (the bundled all-MiniLM-L6-v2 is one) and
returns ``None`` for anything else, so the caller loads the real model then. It computes in
float32: its vectors lie within cosine 1e-5 of the torch model's float32 ones and within the
bf16 tolerance of its bf16 ones (``tests/embed/test_light.py``). It is for typed texts only:
a dataset is embedded by :func:`~embedding_space.embed.sentence.load_embedder`, whose batched
torch path is faster on many texts.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from embedding_space.embed.model_files import (
    count_truncated,
    read_tokenizer,
    runs_in_numpy,
    token_limit_in,
)
from embedding_space.embed.sentence import (
    DEFAULT_MODEL,
    computed_in_bf16,
    read_identity,
    resolve_model_source,
)
from embedding_space.types import FloatMatrix

__all__ = ["LightEmbedder", "load_light"]

_Array = npt.NDArray[np.float32]


class LightEmbedder:
    """A BERT sentence model in NumPy, as an :class:`~embedding_space.embed.base.Embedder`.

    Args:
        name: The model's name as the user gave it.
        folder: Its sentence-transformers folder.
        cache_key: The key of the vectors the torch model makes (see
            :func:`~embedding_space.embed.sentence.read_identity`): these are the same vectors
            to within the bf16 tolerance, and a query is never cached.
    """

    fitted_on_corpus = False

    def __init__(self, name: str, folder: Path, cache_key: str) -> None:
        from safetensors.numpy import load_file

        config = json.loads((folder / "config.json").read_text())
        self.name = name
        self.cache_key = cache_key
        self.max_seq_length = token_limit_in(folder) or 512
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._weights = load_file(str(folder / "model.safetensors"))
        self._tokenizer = read_tokenizer(folder, self.max_seq_length)
        self.dimension = int(config["hidden_size"])

    def _w(self, name: str) -> _Array:
        return self._weights[name]

    def _norm(self, x: _Array, prefix: str) -> _Array:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return np.asarray(
            (x - mean) / np.sqrt(var + self._eps) * self._w(f"{prefix}.weight")
            + self._w(f"{prefix}.bias"),
            np.float32,
        )

    def _dense(self, x: _Array, prefix: str) -> _Array:
        return np.asarray(x @ self._w(f"{prefix}.weight").T + self._w(f"{prefix}.bias"), np.float32)

    def _one(self, text: str) -> _Array:
        from scipy.special import erf

        encoding = self._tokenizer.encode(text)
        ids = np.asarray(encoding.ids)
        count = len(ids)
        x = (
            self._w("embeddings.word_embeddings.weight")[ids]
            + self._w("embeddings.position_embeddings.weight")[:count]
            + self._w("embeddings.token_type_embeddings.weight")[np.asarray(encoding.type_ids)]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        width = x.shape[1] // self._heads
        for index in range(self._layers):
            layer = f"encoder.layer.{index}"

            def heads(part: str, x: _Array = x, layer: str = layer) -> _Array:
                projected = self._dense(x, f"{layer}.attention.self.{part}")
                return projected.reshape(count, self._heads, width).transpose(1, 0, 2)

            scores = heads("query") @ heads("key").transpose(0, 2, 1) / np.sqrt(width)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True)) @ heads("value")
            attended = attended.transpose(1, 0, 2).reshape(count, -1)
            x = self._norm(
                self._dense(attended, f"{layer}.attention.output.dense") + x,
                f"{layer}.attention.output.LayerNorm",
            )
            inner = self._dense(x, f"{layer}.intermediate.dense")
            inner = np.asarray(0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0))), np.float32)
            x = self._norm(
                self._dense(inner, f"{layer}.output.dense") + x, f"{layer}.output.LayerNorm"
            )
        pooled = x.mean(0)
        return np.asarray(pooled / max(float(np.linalg.norm(pooled)), 1e-12), np.float32)

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed texts one at a time (no padding: each is exactly as long as it is).

        Args:
            texts: ``n`` texts.

        Returns:
            Array of shape ``(n, d)``, float32, each row of unit length.
        """
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        # One BLAS thread: a product of a few tokens by 384 columns is too small to share,
        # and on a busy machine threads waiting for each other made it 10-30x slower.
        with _one_blas_thread():
            return np.stack([self._one(text) for text in texts])

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads."""
        return count_truncated(self._tokenizer, texts, self.max_seq_length)


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # scikit-learn brings it; without it NumPy keeps its threads
        return contextlib.nullcontext()
    limits: contextlib.AbstractContextManager[object] = threadpool_limits(limits=1, user_api="blas")
    return limits


def load_light(
    name: str = DEFAULT_MODEL, precision: str | None = None, backend: str | None = None
) -> LightEmbedder | None:
    """The model ``name`` in NumPy, when it is a local BERT sentence model with mean pooling.

    Args:
        name: A model name or folder, as for ``sentence.load_embedder``.
        precision: As for ``sentence.load_embedder``: it sets the cache key the vectors are
            compared under. The NumPy path computes in float32, so a precision that means
            bfloat16 (``bf16``, or ``auto`` on a processor that has it) gives ``None``.
        backend: As for ``sentence.load_embedder``: the key names the backend whose vectors
            the query is compared with (in float32 all agree to cosine 1e-5).

    Returns:
        The embedder; ``None`` when the model is not one this runs (another architecture or
        pooling, not on disk, no ``tokenizers`` or ``safetensors``): load the real one then.
    """
    identity = read_identity(name, precision, backend)
    folder = Path(resolve_model_source(name.strip()))
    # Vectors made in bfloat16 (torch's autocast) differ from float32 ones in the fourth
    # decimal: a query must be embedded as they were, so the app and the command line agree.
    if identity is None or computed_in_bf16(identity.cache_key) or not runs_in_numpy(folder):
        return None
    try:
        return LightEmbedder(name.strip(), folder, identity.cache_key)
    except (ImportError, OSError, ValueError, KeyError):
        return None
