"""The demo's vectors and maps, computed in advance and shipped in the package.

A fresh workspace would otherwise load the model (~25 s), embed 3,080 texts and compile and
run UMAP (~35 s of it numba compiling) before its first map. ``data/banking77-spaces.json``
lists one packaged space per model key the app computes by default (the default model in
float32, and in bfloat16 where the processor has it: the keys differ, and vectors of the two
never mix); each space's arrays lie in its own ``.npz``: the vectors as float16 (within cosine
0.99999 of what was computed) and the maps of :data:`PACKAGED_MAPS` and the clusterings of
:data:`PACKAGED_CLUSTERINGS`, made from exactly those rounded vectors through
:class:`~embedding_space.store.space.Space`, as the app would make them.

:func:`install_packaged` writes them into a workspace in the formats it reads (the embedding
file with its ``.json``, the projection and clustering artifacts), only when they are this
installation's: the same model key, the same model files (a hash of the bundled model's
folder) and the same texts. Anything else is computed as before; stale vectors are never shown.

Made by ``python -m embedding_space.demo.build``; ``tests/test_demo_assets.py`` recomputes a
sample with the real model so that they cannot go stale silently.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embedding_space.analysis.clustering import Clustering, ClusterParams
from embedding_space.analysis.methods import data_fingerprint
from embedding_space.analysis.projection import METHODS, Method, Projection, ProjectionParams
from embedding_space.embed.sentence import DEFAULT_MODEL, resolve_model_source
from embedding_space.store.embedding_files import EmbeddingFile, write_embeddings
from embedding_space.store.workspace import Workspace
from embedding_space.types import FloatMatrix

__all__ = [
    "DATA",
    "MANIFEST",
    "PACKAGED_CLUSTERINGS",
    "PACKAGED_MAPS",
    "PackagedClustering",
    "PackagedMap",
    "PackagedSpace",
    "install_packaged",
    "model_files_digest",
    "packaged_for",
    "packaged_spaces",
    "vectors_digest",
]

DATA = Path(__file__).resolve().parent.parent / "data"
MANIFEST = DATA / "banking77-spaces.json"
PACKAGED_MAPS = (ProjectionParams(), ProjectionParams(n_components=3))
"""The maps shipped: the app's default map, and the same in 3-D (a few kB more)."""
PACKAGED_CLUSTERINGS = (ClusterParams(),)
"""The clusterings shipped: the map page colours by the default one before it draws."""


@dataclass(frozen=True)
class PackagedMap:
    """One shipped map.

    Attributes:
        params: What it was made with (all of them, defaults included).
        method: The method actually used, as :class:`Projection` records it.
        note: The projection's note for the user ("" when none).
        array: The name of its ``(n, n_components)`` coordinates in the space's ``.npz``.
    """

    params: ProjectionParams
    method: Method
    note: str
    array: str


@dataclass(frozen=True)
class PackagedClustering:
    """One shipped clustering.

    Attributes:
        params: What it was made with.
        prefix: Its arrays (``Clustering.to_arrays``) are ``<prefix>-<name>`` in the ``.npz``.
    """

    params: ClusterParams
    prefix: str

    def clustering(self, arrays: dict[str, npt.NDArray[Any]]) -> Clustering:
        """The clustering, from the space's arrays."""
        start = f"{self.prefix}-"
        own = {name: array for name, array in arrays.items() if name.startswith(start)}
        return Clustering.from_arrays({name.removeprefix(start): a for name, a in own.items()})


@dataclass(frozen=True)
class PackagedSpace:
    """One shipped embedding of the demo and its maps (an entry of :data:`MANIFEST`).

    Attributes:
        model_key: The key of the model that made the vectors (its ``cache_key``).
        model_name: The name it loads by, for queries typed against the vectors.
        file: The ``.npz`` beside the manifest holding ``vectors`` and each map's array.
        rows: Rows embedded.
        texts_fingerprint: ``analysis.methods.data_fingerprint`` of the texts, in order.
        vectors_sha256: The hash of the float16 vectors' bytes, as shipped.
        model_files_sha256: :func:`model_files_digest` of the model folder that made them.
        truncated: Texts longer than the model reads.
        maps: The maps, each made from these vectors.
        clusterings: The clusterings, each of these vectors.
    """

    model_key: str
    model_name: str
    file: str
    rows: int
    texts_fingerprint: str
    vectors_sha256: str
    model_files_sha256: str
    truncated: int
    maps: tuple[PackagedMap, ...]
    clusterings: tuple[PackagedClustering, ...]

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """Every array of the space's file, by name."""
        with np.load(MANIFEST.parent / self.file, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}

    def to_json(self) -> dict[str, object]:
        """The manifest entry."""
        return {
            **{name: getattr(self, name) for name in _fields_of(self) if name not in _LISTS},
            "clusterings": [
                {"params": asdict(packaged.params), "prefix": packaged.prefix}
                for packaged in self.clusterings
            ],
            "maps": [
                {
                    "params": asdict(packaged.params),
                    "method": packaged.method,
                    "note": packaged.note,
                    "array": packaged.array,
                }
                for packaged in self.maps
            ],
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> PackagedSpace:
        """An entry of the manifest back (raises ``KeyError``/``TypeError`` if malformed)."""
        maps = tuple(
            PackagedMap(
                ProjectionParams(**item["params"]),
                _method(item["method"]),
                str(item["note"]),
                str(item["array"]),
            )
            for item in entry["maps"]
        )
        clusterings = tuple(
            PackagedClustering(ClusterParams(**item["params"]), str(item["prefix"]))
            for item in entry["clusterings"]
        )
        scalars = {name: entry[name] for name in _fields_of(cls) if name not in _LISTS}
        return cls(**scalars, maps=maps, clusterings=clusterings)


_LISTS = ("maps", "clusterings")
"""The fields kept as lists of their own in a manifest entry."""


def _fields_of(space: PackagedSpace | type[PackagedSpace]) -> list[str]:
    return [field.name for field in fields(space)]


def _method(name: object) -> Method:
    for method in METHODS:
        if method == name:
            return method
    raise ValueError(f"not a projection method: {name!r}")


def packaged_spaces() -> list[PackagedSpace]:
    """Every shipped space; none when the manifest is missing or unreadable."""
    try:
        entries = json.loads(MANIFEST.read_text())
        return [PackagedSpace.from_json(entry) for entry in entries]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def packaged_for(model_key: str) -> PackagedSpace | None:
    """The shipped space of this model key, if there is one."""
    return next((space for space in packaged_spaces() if space.model_key == model_key), None)


def vectors_digest(vectors: npt.NDArray[np.float16]) -> str:
    """A hash of the shipped float16 vectors' bytes, shape included."""
    digest = hashlib.sha256(str(vectors.shape).encode())
    digest.update(np.ascontiguousarray(vectors, dtype="<f2").tobytes())
    return digest.hexdigest()


def model_files_digest(folder: Path) -> str:
    """A hash of every file of a model folder, by name and content (its weights, tokenizer
    and settings): a model package that changes its weights under the same name and key
    no longer matches (about 0.1 s for the bundled model's 90 MB)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(f"{path.relative_to(folder).as_posix()}\0".encode())
            with path.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def _bundled_model_digest() -> str | None:
    folder = Path(resolve_model_source(DEFAULT_MODEL))
    return model_files_digest(folder) if folder.is_dir() else None


def install_packaged(workspace: Workspace, dataset_id: str, model_key: str) -> bool:
    """Write the shipped vectors and maps of ``model_key`` into the dataset's own folder, when
    they are there to ship and belong to this installation and this dataset; vectors already
    stored for the key are kept (maps made from them too).

    Args:
        workspace: The workspace.
        dataset_id: The demo dataset (its texts must be the ones embedded).
        model_key: The key the app computes for the default model here.

    Returns:
        Whether they were installed: ``False`` leaves the dataset to be embedded and mapped.
    """
    packaged = packaged_for(model_key)
    stored = EmbeddingFile(workspace.results(dataset_id), model_key)
    if packaged is None or stored.exists():
        return False
    info = workspace.get(dataset_id)
    if info.rows != packaged.rows or info.vectors_model is not None:
        return False
    if data_fingerprint(workspace.texts(dataset_id)) != packaged.texts_fingerprint:
        return False
    if _bundled_model_digest() != packaged.model_files_sha256:
        return False  # another release of the model: its vectors would differ
    try:
        arrays = packaged.arrays()
        shipped = arrays["vectors"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return False  # a damaged package: compute, as without one
    if vectors_digest(shipped) != packaged.vectors_sha256:
        return False
    vectors: FloatMatrix = shipped.astype(np.float32)
    # The vectors first: a map is never stored without the vectors it was made from.
    write_embeddings(
        stored.path, model_key, vectors, packaged.truncated, None, name=packaged.model_name
    )
    space = workspace.space(dataset_id, model_key)
    for packaged_map in packaged.maps:
        coordinates: FloatMatrix = arrays[packaged_map.array].astype(np.float32)
        projection = Projection(coordinates, packaged_map.method, packaged_map.note)
        space.keep_projection(packaged_map.params, projection)
    for packaged_clustering in packaged.clusterings:
        space.keep_clustering(packaged_clustering.params, packaged_clustering.clustering(arrays))
    return True
