"""The verb that tells whether a batch of rows differs from a reference: drift."""

from __future__ import annotations

import argparse
import json
from typing import Any

from embedding_space.cli.files import read_input
from embedding_space.errors import InputError
from embedding_space.store.files import EmbeddedFile, fit_path

__all__ = ["add_drift_parser", "run_drift"]


def add_drift_parser(verbs: Any, settings: Any) -> None:
    """The ``drift`` verb's parser; ``settings`` adds the options built from the settings
    table (``main._Settings``)."""
    drift = verbs.add_parser(
        "drift", help="test whether a batch differs from a reference; print one JSON object"
    )
    drift.add_argument("reference", help="a parquet file written by 'embed': the reference")
    drift.add_argument("batch", help="another one, embedded by the same model: the batch")
    settings.add(drift, "--top", name="drift_top")
    settings.add(drift, "--permutations", name="drift_permutations")
    settings.add(drift, "--clusters", name="drift_clusters")
    drift.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the permutations, samples and clusters: the same seed, the same answer",
    )


def _model(file: EmbeddedFile) -> tuple[str, str]:
    """The model that embedded a file, and what tells its space apart from others: the
    cache key without the precision, and for a model fitted per file, the fit."""
    from embedding_space.embed.models import is_traditional
    from embedding_space.embed.sentence import precision_free_key
    from embedding_space.embed.traditional import TraditionalEmbedder

    name = file.metadata.get("model")
    if not name:
        raise InputError(
            f"'{file.path}' does not say which model embedded it; write it with "
            "'embedding-space embed'."
        )
    key = precision_free_key(str(file.metadata.get("cache_key") or name))
    if is_traditional(str(name)):
        stored = fit_path(file.path)
        if not stored.is_file():
            raise InputError(f"The fit of '{name}' is missing: '{stored}' should lie beside it.")
        key = f"{key}|fit={TraditionalEmbedder.load(stored).fingerprint}"
    return str(name), key


def run_drift(args: argparse.Namespace) -> None:
    """Print the drift report of ``args.batch`` against ``args.reference`` as one JSON object."""
    from embedding_space.analysis.drift import measure_drift

    reference, batch = read_input(args.reference), read_input(args.batch)
    (name_a, key_a), (name_b, key_b) = _model(reference), _model(batch)
    if key_a != key_b:
        # Two files of one traditional model differ by their fits: each learnt its own words.
        how = "fits of " if name_a == name_b else ""
        raise InputError(
            f"'{args.reference}' and '{args.batch}' were embedded by different {how}models "
            f"({name_a}: {key_a}; {name_b}: {key_b}); drift compares rows embedded by the "
            "same model."
        )
    report = measure_drift(
        reference.vectors,
        batch.vectors,
        permutations=args.drift_permutations,
        n_clusters=args.drift_clusters,
        seed=args.seed,
    )
    found = report.to_dict(args.drift_top)
    texts = batch.frame[batch.text_column].astype(str).tolist()
    for item in found["novel"]:
        item["text"] = texts[item["row"]]
    print(json.dumps({"model": name_a, **found}, ensure_ascii=False))
