"""What a model's folder says of it, read from its files without loading it: how many tokens
it reads, and whether it is a BERT sentence model that this package runs without
sentence-transformers (``embed.light`` in NumPy, ``embed.openvino`` compiled)."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["runs_in_numpy", "token_limit_in"]

_MODULES = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)


def token_limit_in(folder: Path) -> int | None:
    """The ``max_seq_length`` a sentence-transformers folder sets for its first module, a
    Transformer (``modules.json``, then that module's ``sentence_bert_config.json``); the
    loaded model reads exactly that many tokens. ``None`` when the files do not set it."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        first = min(modules, key=lambda module: int(module.get("idx", 0)))
        if not str(first.get("type", "")).endswith("Transformer"):
            return None
        config = json.loads(
            (folder / str(first.get("path", "")) / "sentence_bert_config.json").read_text()
        )
    except (OSError, ValueError, TypeError, AttributeError):
        return None
    limit = config.get("max_seq_length") if isinstance(config, dict) else None
    return limit if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0 else None


def runs_in_numpy(folder: Path) -> bool:
    """Whether ``folder`` holds a model this module (and OpenVINO's graph, built the same way)
    runs: exactly a BERT ``Transformer`` with absolute positions and exact GELU, mean
    ``Pooling`` and ``Normalize``, with ``model.safetensors`` and ``tokenizer.json``."""
    try:
        modules = sorted(
            json.loads((folder / "modules.json").read_text()), key=lambda m: int(m["idx"])
        )
        config = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") is True and not any(
        value is True
        for key, value in pooling.items()
        if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
    )
    return (
        tuple(str(module.get("type")) for module in modules) == _MODULES
        and modules[0].get("path") == ""
        and modules[1].get("path") == "1_Pooling"
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
        and mean_only
    )
