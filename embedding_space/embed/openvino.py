"""A sentence-transformers BERT model run by OpenVINO: the default embed path on a CPU.

The graph is built here, layer by layer, from the model's ``model.safetensors`` (the same
reading :mod:`~embedding_space.embed.light` does in NumPy), so nothing is converted or
cached on disk and neither torch nor sentence-transformers is imported: ``openvino``,
``tokenizers`` and ``safetensors`` load in well under a second where torch takes 5-12 s.

Why it is faster than ``SentenceTransformer.encode`` on every processor, not only those with
bfloat16 (measured in ``bench/RESULTS.md``):

* **One stream per core.** Each batch is cut in one part per core and each part runs on its
  own core, single-threaded (OpenVINO's throughput streams). Torch runs one batch on all cores,
  whose threads wait for each other at every operation; when another process takes a core
  for a moment they all wait (143 texts/s idle, 56/s beside one busy process, where two streams
  give 174/s and 125/s).
* **Fused kernels.** OpenVINO's CPU plugin fuses bias, GELU and layer norms into the matrix
  products and picks its kernels for the processor at hand (AVX2, AVX-512, AMX).

It computes in float32 (vectors within cosine 1e-5 of the torch model's), or in bfloat16
where asked, as the torch path does; the cache key records both the precision and the backend.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedding_space.embed.model_files import count_truncated, read_tokenizer, token_limit_in
from embedding_space.types import FloatMatrix

if TYPE_CHECKING:
    from openvino import CompiledModel, Model, Node

__all__ = [
    "PARTS_PER_STREAM",
    "OpenVinoEmbedder",
    "available",
    "compile_graph",
    "sentence_graph",
    "usable_cores",
]


PARTS_PER_STREAM = 4
"""Parts each batch is cut into per stream: a stream that finishes early takes the next part,
so a core another process slows down holds back less of the batch (1,500 news-length texts
in batches of 64, 2 cores: 170, 181 and 186 texts/s with 1, 2 and 4 parts a stream; beside
a busy process 124, 130 and 135)."""


def available() -> bool:
    """Whether the ``openvino`` package is installed (checked without importing it)."""
    import importlib.util

    return importlib.util.find_spec("openvino") is not None


def usable_cores() -> int:
    """How many processor cores this process may run on (its affinity, not the machine's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


class OpenVinoEmbedder:
    """A BERT sentence model (mean pooling, normalised) compiled by OpenVINO, as an
    :class:`~embedding_space.embed.base.Embedder`.

    Args:
        name: The model's name as the user gave it.
        folder: Its sentence-transformers folder (a BERT ``Transformer``, mean ``Pooling``,
            ``Normalize``: see ``model_files.runs_in_numpy``).
        cache_key: The key its vectors are stored under (it names the backend).
        bf16: Compute the matrix products in bfloat16.
        streams: Streams, each run on its own core; the usable cores when ``None``.
        graph: A graph to run instead of the one built from the weights (the same graph
            quantised, say: ``bench/quality.py`` measures one).
    """

    fitted_on_corpus = False

    def __init__(
        self,
        name: str,
        folder: Path,
        cache_key: str,
        *,
        bf16: bool = False,
        streams: int | None = None,
        graph: Model | None = None,
    ) -> None:
        config = json.loads((folder / "config.json").read_text())
        self.name = name
        self.folder = folder
        self.cache_key = cache_key
        self.bf16 = bf16
        self.max_seq_length = token_limit_in(folder) or 512
        self.dimension = int(config["hidden_size"])
        self.streams = streams or usable_cores()
        self._tokenizer = read_tokenizer(folder, self.max_seq_length)
        graph = graph if graph is not None else sentence_graph(folder)
        self.compiled = compile_graph(graph, bf16=bf16, streams=self.streams)
        # Plain requests, no Python callbacks: OpenVINO's threads then never wait for the
        # interpreter's lock, which a model freed on the main thread holds (a deadlock).
        count = self.streams * PARTS_PER_STREAM
        self._requests = [self.compiled.create_infer_request() for _ in range(count)]
        # The app shares one model between sessions: their batches take the requests in turn.
        self._turn = threading.Lock()

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed one batch: cut in :data:`PARTS_PER_STREAM` parts per stream, which the
        streams take in turn, so a core slowed by another process takes fewer.

        Args:
            texts: ``n`` texts.

        Returns:
            Array of shape ``(n, d)``, float32, each row of unit length.
        """
        vectors = np.zeros((len(texts), self.dimension), np.float32)
        if not texts:
            return vectors
        parts = min(len(self._requests), len(texts))
        bounds = np.linspace(0, len(texts), parts + 1).astype(int)
        running = list(zip(self._requests, itertools.pairwise(bounds), strict=False))
        with self._turn:
            for request, (start, stop) in running:
                request.start_async(self.inputs(texts[start:stop]))
            for request, (start, stop) in running:
                request.wait()
                vectors[start:stop] = request.get_output_tensor(0).data
        return vectors

    def inputs(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The model's inputs for ``texts``: token ids and attention mask, padded to the
        longest (the embed loop sorts by length, so padding stays short)."""
        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(encoding.ids) for encoding in encodings)
        ids = np.zeros((len(encodings), width), np.int64)
        mask = np.zeros((len(encodings), width), np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads; their tails do not shape the vector."""
        return count_truncated(self._tokenizer, texts, self.max_seq_length)


def compile_graph(model: Model, *, bf16: bool, streams: int) -> CompiledModel:
    """``model`` compiled for this processor: ``streams`` streams of one thread each, matrix
    products in bfloat16 or float32 (OpenVINO would pick bfloat16 by itself where the
    processor has it; the precision must be the one the cache key names)."""
    import openvino as ov

    return ov.Core().compile_model(
        model,
        "CPU",
        {
            "PERFORMANCE_HINT": "THROUGHPUT",
            "NUM_STREAMS": streams,
            "INFERENCE_NUM_THREADS": streams,
            "INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32",
        },
    )


def sentence_graph(folder: Path) -> Model:
    """The model's forward pass, mean pooling and normalisation as an OpenVINO graph, inputs
    ``input_ids`` and ``attention_mask`` (``(batch, tokens)``, int64), output ``(batch, d)``."""
    import openvino as ov
    import openvino.opset13 as ops
    from safetensors.numpy import load_file

    config = json.loads((folder / "config.json").read_text())
    weights = load_file(str(folder / "model.safetensors"))
    heads = int(config["num_attention_heads"])
    hidden = int(config["hidden_size"])
    eps = float(config.get("layer_norm_eps", 1e-12))

    def const(name: str) -> Node:
        return ops.constant(np.ascontiguousarray(weights[name], np.float32))

    def norm(x: Node, prefix: str) -> Node:
        normalised = ops.mvn(x, ops.constant(np.array([-1], np.int64)), True, eps, "inside_sqrt")
        return ops.add(ops.multiply(normalised, const(f"{prefix}.weight")), const(f"{prefix}.bias"))

    def dense(x: Node, prefix: str) -> Node:
        return ops.add(
            ops.matmul(x, const(f"{prefix}.weight"), False, True), const(f"{prefix}.bias")
        )

    def split_heads(x: Node) -> Node:
        shaped = ops.reshape(x, ops.constant(np.array([0, 0, heads, -1], np.int64)), True)
        return ops.transpose(shaped, ops.constant(np.array([0, 2, 1, 3], np.int64)))

    ids = ops.parameter([-1, -1], ov.Type.i64, name="input_ids")
    mask = ops.parameter([-1, -1], ov.Type.i64, name="attention_mask")
    tokens = ops.gather(ops.shape_of(ids), ops.constant(np.array(1, np.int64)), 0)
    positions = ops.range(
        ops.constant(np.array(0, np.int64)), tokens, ops.constant(np.array(1, np.int64)), "i64"
    )
    x = ops.gather(const("embeddings.word_embeddings.weight"), ids, 0)
    x = ops.add(x, ops.gather(const("embeddings.position_embeddings.weight"), positions, 0))
    # Every token is of type 0 (one sentence per text).
    type_zero = np.ascontiguousarray(weights["embeddings.token_type_embeddings.weight"][0])
    x = norm(ops.add(x, ops.constant(type_zero)), "embeddings.LayerNorm")

    present = ops.convert(mask, "f32")
    # Padding gets a large negative score, so softmax gives it no weight.
    blocked = ops.multiply(
        ops.subtract(ops.constant(np.float32(1.0)), present), ops.constant(np.float32(-1e9))
    )
    blocked = ops.unsqueeze(blocked, ops.constant(np.array([1, 2], np.int64)))
    scale = ops.constant(np.float32(1.0 / math.sqrt(hidden // heads)))
    for index in range(int(config["num_hidden_layers"])):
        layer = f"encoder.layer.{index}"
        attention = f"{layer}.attention.self"
        query = split_heads(dense(x, f"{attention}.query"))
        key = split_heads(dense(x, f"{attention}.key"))
        value = split_heads(dense(x, f"{attention}.value"))
        scores = ops.add(ops.multiply(ops.matmul(query, key, False, True), scale), blocked)
        attended = ops.matmul(ops.softmax(scores, -1), value, False, False)
        attended = ops.transpose(attended, ops.constant(np.array([0, 2, 1, 3], np.int64)))
        attended = ops.reshape(attended, ops.constant(np.array([0, 0, -1], np.int64)), True)
        x = norm(
            ops.add(dense(attended, f"{layer}.attention.output.dense"), x),
            f"{layer}.attention.output.LayerNorm",
        )
        inner = ops.gelu(dense(x, f"{layer}.intermediate.dense"), "erf")
        x = norm(ops.add(dense(inner, f"{layer}.output.dense"), x), f"{layer}.output.LayerNorm")

    weight = ops.unsqueeze(present, ops.constant(np.array([2], np.int64)))
    axis = ops.constant(np.array([1], np.int64))
    summed = ops.reduce_sum(ops.multiply(x, weight), axis, False)
    counted = ops.maximum(ops.reduce_sum(weight, axis, False), ops.constant(np.float32(1e-9)))
    pooled = ops.divide(summed, counted)
    unit = ops.normalize_l2(pooled, ops.constant(np.array([1], np.int64)), 1e-24, "max")
    return ov.Model([unit], [ids, mask], "sentence-embedding")
