"""Embedding beyond one machine: the same model and precision as the local path, run as a
Ray Data batch job.

The texts become a Ray dataset; ``map_batches`` hands numpy batches to a pool of actors, each
loading the model once; the vectors come back in input order. On a laptop this is slower
than :func:`~embedding_space.embed.base.embed` (Ray's workers and object store cost about a
fifth more on two cores); it pays when ``address`` names a cluster with many workers.

Ray is optional (``pip install "ray[data]"``) and imported only here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from embedding_space.errors import InputError
from embedding_space.types import FloatMatrix

__all__ = ["embed_with_ray"]

_TEXT = "text"
_VECTOR = "embedding"


class _EmbedBatches:
    """A Ray actor: the model loaded once, then one numpy batch of texts at a time."""

    def __init__(self, model_name: str, precision: str | None, backend: str | None) -> None:
        from embedding_space.embed.sentence import load_embedder

        self.embedder = load_embedder(model_name, precision=precision, backend=backend)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        texts = [str(text) for text in batch[_TEXT]]
        return {_VECTOR: self.embedder.encode(texts)}


def embed_with_ray(
    texts: Sequence[str],
    model_name: str,
    *,
    address: str | None = None,
    precision: str | None = None,
    backend: str | None = None,
    batch_size: int = 64,
    actors: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FloatMatrix:
    """Embed texts on a Ray cluster (or a local Ray started for the job).

    Args:
        texts: ``n`` texts.
        model_name: A model every worker can load (the bundled default always can).
        address: A Ray cluster (``ray://host:10001`` or ``auto``); ``None`` starts Ray on this
            machine for the job and stops it afterwards.
        precision: As for :func:`~embedding_space.embed.sentence.load_embedder`.
        backend: As for :func:`~embedding_space.embed.sentence.load_embedder`.
        batch_size: Texts per model call.
        actors: How many model copies run at once; one per CPU Ray reports when ``None``.
        progress: Called as ``progress(done, total)`` as batches come back.

    Returns:
        Array of shape ``(n, d)``, float32, unit rows, in the order of ``texts``.

    Raises:
        InputError: Ray is not installed, or ``batch_size`` is not positive.
    """
    if batch_size < 1:
        raise InputError(f"batch_size must be a positive number, not {batch_size}.")
    try:
        import ray
    except ImportError:
        raise InputError(
            'The Ray engine needs Ray: pip install "ray[data]" (or use the default engine).'
        ) from None
    import logging

    # Ray Data logs each plan and stage at INFO; the command line shows its own progress.
    logging.getLogger("ray").setLevel(logging.WARNING)
    started_here = not ray.is_initialized()
    if started_here:
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address is None:
            # Workers find the bundled model and the package the way this process does.
            options["runtime_env"] = {"env_vars": {"HF_HUB_OFFLINE": "1", **_python_path()}}
        ray.init(address=address, **options)
    try:
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        # Each distinct text once, longest first: as on the local path, sorting by length
        # cuts the padding inside each batch.
        distinct = list(dict.fromkeys(texts))
        count = len(distinct)
        if count == 0:
            return np.zeros((0, 0), dtype=np.float32)
        resources = ray.cluster_resources()  # type: ignore[no-untyped-call]
        pool = actors or max(1, int(resources.get("CPU", 1)))
        order = np.argsort([-len(text) for text in distinct], kind="stable")
        dataset = ray.data.from_items([{_TEXT: distinct[index]} for index in order])
        vectors = dataset.map_batches(
            _EmbedBatches,
            fn_constructor_args=(model_name, precision, backend),
            batch_size=batch_size,
            batch_format="numpy",
            concurrency=pool,
            num_cpus=1,
        )
        parts: list[np.ndarray] = []
        done = 0
        for batch in vectors.iter_batches(batch_size=batch_size * 4, batch_format="numpy"):
            parts.append(np.asarray(batch[_VECTOR], dtype=np.float32))
            done += len(parts[-1])
            if progress is not None:
                progress(done, count)
        stacked = np.concatenate(parts)
        by_text = np.empty_like(stacked)
        by_text[order] = stacked
        position = {text: index for index, text in enumerate(distinct)}
        return by_text[np.fromiter((position[text] for text in texts), np.intp, len(texts))]
    finally:
        if started_here:
            ray.shutdown()


def _python_path() -> dict[str, str]:
    """This process's module search path, for workers started on this machine."""
    import sys

    path = os.pathsep.join(entry for entry in sys.path if entry)
    return {"PYTHONPATH": path}
