"""The demo's packaged vectors and maps: still the real model's, installed only where they
belong, and enough for a first map without loading the model or running UMAP."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

import embedding_space.store.space
from embedding_space.analysis.clustering import ClusterParams
from embedding_space.analysis.methods import data_fingerprint
from embedding_space.analysis.projection import ProjectionParams
from embedding_space.demo import DEMO_DATASET_ID, add_demo_dataset, assets, ensure_demo
from embedding_space.demo.assets import (
    PACKAGED_CLUSTERINGS,
    PACKAGED_MAPS,
    PackagedSpace,
    packaged_spaces,
)
from embedding_space.embed import Embedder, embed, load_embedder
from embedding_space.embed.sentence import DEFAULT_MODEL, computed_in_bf16, read_identity
from embedding_space.store.embedding_files import write_embeddings
from embedding_space.store.workspace import Workspace
from tests.helpers import run_cli

SAMPLE_ROWS = 40
"""Rows recomputed with the real model, spread evenly over the file."""


def _key(precision: str) -> str:
    identity = read_identity(DEFAULT_MODEL, precision)
    assert identity is not None
    return identity.cache_key


def _packaged(precision: str) -> PackagedSpace:
    found = assets.packaged_for(_key(precision))
    assert found is not None, f"no packaged demo space for {precision}: run the build"
    return found


def _no_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any map or clustering the space would compute fail the test."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("a result was computed instead of read")

    monkeypatch.setattr(embedding_space.store.space, "project", refuse)
    monkeypatch.setattr(embedding_space.store.space, "cluster", refuse)


def _nearest_centre_agreement(vectors: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows whose cluster's centre is the nearest one (1.0 for KMeans's own)."""
    points = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.unique(labels)
    centres = np.stack([points[labels == cluster].mean(axis=0) for cluster in ids])
    distances = ((points[:, None, :] - centres[None]) ** 2).sum(axis=-1)
    return float(np.mean(ids[distances.argmin(axis=1)] == labels))


def _assert_recomputed_rows_match(
    packaged: PackagedSpace, model: Embedder, texts: list[str]
) -> None:
    assert model.cache_key == packaged.model_key
    rows = np.linspace(0, len(texts) - 1, SAMPLE_ROWS).round().astype(int)
    fresh = embed([texts[row] for row in rows], model).vectors
    shipped = packaged.arrays()["vectors"][rows].astype(np.float32)
    cosines = np.sum(fresh * shipped, axis=1) / np.linalg.norm(shipped, axis=1)
    assert cosines.min() >= 0.999, f"rows {rows[cosines < 0.999].tolist()} drifted"


@pytest.fixture(scope="module")
def demo_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The demo's texts as the workspace reads them, in row order."""
    store = Workspace(tmp_path_factory.mktemp("demo-texts"))
    return store.texts(add_demo_dataset(store).id)


def test_both_keys_the_default_model_has_are_packaged() -> None:
    keys = {space.model_key for space in packaged_spaces()}
    assert keys == {_key("fp32"), _key("bf16")}


def test_packaged_vectors_are_the_models_on_a_sample_of_rows(
    embedder: Embedder, demo_texts: list[str]
) -> None:
    # The session's model computes as the app does on this processor.
    packaged = _packaged("bf16" if computed_in_bf16(embedder.cache_key) else "fp32")
    _assert_recomputed_rows_match(packaged, embedder, demo_texts)


@pytest.mark.slow  # loads the model a second time, in the other precision
def test_packaged_vectors_of_the_other_precision_are_the_models(
    embedder: Embedder, demo_texts: list[str]
) -> None:
    other = "fp32" if computed_in_bf16(embedder.cache_key) else "bf16"
    _assert_recomputed_rows_match(_packaged(other), load_embedder(precision=other), demo_texts)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_packaged_maps_and_clusters_are_the_defaults_of_those_vectors(
    precision: str, tmp_path: Path, demo_texts: list[str]
) -> None:
    packaged = _packaged(precision)
    arrays = packaged.arrays()
    assert packaged.texts_fingerprint == data_fingerprint(demo_texts)
    assert packaged.rows == len(demo_texts) == len(arrays["vectors"])
    assert packaged.vectors_sha256 == assets.vectors_digest(arrays["vectors"])
    assert [m.params for m in packaged.maps] == list(PACKAGED_MAPS)
    assert PACKAGED_MAPS[0] == ProjectionParams()
    store = Workspace(tmp_path)
    info = add_demo_dataset(store)
    assert assets.install_packaged(store, info.id, packaged.model_key)
    space = store.space(info.id, packaged.model_key)
    for packaged_map in packaged.maps:
        coordinates = arrays[packaged_map.array]
        assert coordinates.shape == (packaged.rows, packaged_map.params.n_components)
        # A map of these vectors keeps many of each row's neighbours; the same points given
        # to other rows keep next to none.
        kept = space.trust_of(coordinates.astype(np.float32), k=15).knn_recall
        shuffled = np.random.default_rng(0).permutation(coordinates).astype(np.float32)
        assert kept > 0.3
        assert space.trust_of(shuffled, k=15).knn_recall < 0.05
    assert [c.params for c in packaged.clusterings] == list(PACKAGED_CLUSTERINGS)
    assert PACKAGED_CLUSTERINGS[0] == ClusterParams()
    labels = space.clustering(ClusterParams()).labels
    vectors = arrays["vectors"].astype(np.float32)
    assert _nearest_centre_agreement(vectors, labels) > 0.95
    shuffled_labels = np.random.default_rng(0).permutation(labels)
    assert _nearest_centre_agreement(vectors, shuffled_labels) < 0.5


def test_a_fresh_workspace_draws_the_demo_map_without_computing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_computing(monkeypatch)
    store = Workspace(tmp_path)
    info = ensure_demo(store)
    key = _key("auto")
    packaged = _packaged("bf16" if computed_in_bf16(key) else "fp32")
    arrays = packaged.arrays()
    assert store.embedded_models(info.id) == [key]
    space = store.space(info.id, key)
    np.testing.assert_array_equal(space.vectors, arrays["vectors"].astype(np.float32))
    assert space.source.model_name() == DEFAULT_MODEL  # typed queries load it by this name
    for packaged_map in packaged.maps:
        np.testing.assert_array_equal(
            space.projection(packaged_map.params).coordinates, arrays[packaged_map.array]
        )
    clustering = space.clustering(ClusterParams())
    assert clustering.names and len(clustering.labels) == info.rows


def test_vectors_of_another_release_of_the_model_are_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "_bundled_model_digest", lambda: "another release")
    store = Workspace(tmp_path)
    info = ensure_demo(store)
    assert store.embedded_models(info.id) == []


def test_a_damaged_package_leaves_the_demo_to_be_computed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = tmp_path / "package"
    damaged.mkdir()
    shutil.copy(assets.MANIFEST, damaged / assets.MANIFEST.name)
    for space in packaged_spaces():
        (damaged / space.file).write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(assets, "MANIFEST", damaged / assets.MANIFEST.name)
    store = Workspace(tmp_path / "home")
    info = ensure_demo(store)
    assert store.embedded_models(info.id) == []


def test_nothing_is_installed_for_a_key_without_packaged_vectors(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    info = add_demo_dataset(store)
    other = _key("fp32").replace("max_seq_length=256", "max_seq_length=128")
    assert not assets.install_packaged(store, info.id, other)
    assert store.embedded_models(info.id) == []


def test_vectors_already_stored_are_kept_with_their_own_maps(tmp_path: Path) -> None:
    store = Workspace(tmp_path)
    info = add_demo_dataset(store)
    key = _key("auto")
    own = np.eye(info.rows, 8, dtype=np.float32)
    space = store.space(info.id, key)
    write_embeddings(space.source.path, key, own)  # type: ignore[attr-defined]
    assert not assets.install_packaged(store, info.id, key)
    np.testing.assert_array_equal(store.space(info.id, key).vectors, own)
    assert not list((tmp_path / "datasets").rglob("projections/*.npz"))
    assert not list((tmp_path / "datasets").rglob("clusters/*.npz"))


def test_the_demo_verb_needs_no_model_when_the_vectors_are_packaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import embedding_space.embed.sentence

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(embedding_space.embed.sentence, "load_embedder", refuse)
    _no_computing(monkeypatch)
    monkeypatch.setenv("EMBEDDING_SPACE_HOME", str(tmp_path))
    done = run_cli("demo")
    assert done.returncode == 0, done.stderr
    store = Workspace(tmp_path)
    space = store.space(DEMO_DATASET_ID, _key("auto"))
    assert space.projection(ProjectionParams()).coordinates.shape == (3080, 2)
