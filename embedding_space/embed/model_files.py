"""What a model's folder says of it, read from its files without loading it: how many tokens
it reads, and whether it is a BERT sentence model that this package runs without
sentence-transformers (``embed.light`` in NumPy, ``embed.openvino`` compiled)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["count_truncated", "read_tokenizer", "runs_in_numpy", "token_limit_in"]

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


def read_tokenizer(folder: Path, max_seq_length: int) -> Tokenizer:
    """The model's fast tokenizer (``tokenizer.json``), no padding, each text cut at the
    ``max_seq_length`` tokens the model reads."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_seq_length)
    return tokenizer


def count_truncated(tokenizer: Tokenizer, texts: Sequence[str], max_seq_length: int) -> int:
    """How many of ``texts`` are longer than the ``max_seq_length`` tokens a BERT model reads
    (its [CLS] and [SEP] share them), counted with ``tokenizer`` (see :func:`read_tokenizer`:
    a text cut there still counts, being longer than the budget)."""
    budget = max_seq_length - 2
    # A token is at least a character long: a shorter text cannot run past the budget.
    long = [text for text in texts if len(text) > budget]
    if not long:
        return 0
    encodings = tokenizer.encode_batch(long, add_special_tokens=False)
    return sum(len(encoding.ids) > budget for encoding in encodings)
